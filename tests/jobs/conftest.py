"""Fixtures for job tests: broker availability, a unique queue per test, worker subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from silkhub.bootstrap import Runtime
from tests.conftest import need

AMQP_URL = os.environ.get("SILKHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS_URL = os.environ.get("SILKHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _reachable(url: str, default_port: int) -> bool:
    hostport = url.split("://", 1)[1].rsplit("@", 1)[-1].split("/", 1)[0]
    host, _, port = hostport.partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or default_port)), 1):
            return True
    except OSError:
        return False


def broker_url(kind: str) -> str:
    url, port = (AMQP_URL, 5672) if kind == "amqp" else (REDIS_URL, 6379)
    need(_reachable(url, port), f"{kind} broker not reachable at {url}")
    return url


def delete_queue(url: str, queue: str) -> None:
    """Remove the test's queues from the broker (Dramatiq declares QUEUE, QUEUE.DQ, QUEUE.XQ)."""
    try:
        if url.startswith("amqp"):
            import pika

            con = pika.BlockingConnection(pika.URLParameters(url))
            ch = con.channel()
            for q in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                ch.queue_delete(q)
            con.close()
        else:
            import redis

            r = redis.Redis.from_url(url)
            keys = list(r.scan_iter(f"dramatiq:{queue}*"))
            if keys:
                r.delete(*keys)
    except Exception:  # cleaning up is best effort
        pass


def db_url_for(runtime: Runtime) -> str:
    """A URL that a subprocess can use to reach the same database (and PostgreSQL schema)."""
    url = runtime.engine.url.render_as_string(hide_password=False)
    if runtime.engine.dialect.name == "postgresql":
        con = runtime.engine.raw_connection()
        try:
            cur = con.cursor()
            cur.execute("SELECT current_schema()")
            schema = cur.fetchone()[0]
        finally:
            con.close()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    return url


class Workers:
    """Start ``silkhub jobs worker`` subprocesses on a test's database and queue."""

    def __init__(self, runtime: Runtime, url: str, queue: str, tmp: Path) -> None:
        self.env = {
            **os.environ,
            "SILKHUB_DATA_DIR": str(runtime.settings.data_dir),
            "SILKHUB_DATABASE_URL": db_url_for(runtime),
            "SILKHUB_JOBS_BROKER": url,
            "SILKHUB_JOBS_QUEUE": queue,
            "SILKHUB_JOBS_HEARTBEAT_SECONDS": "1",
            "SILKHUB_JOBS_STALE_SECONDS": "30",
            "PYTHONPATH": str(ROOT),
        }
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []

    def start(self, *, threads: int = 1, slow: float = 0.0) -> subprocess.Popen:
        """A worker; ``slow`` > 0 makes each dataset staging of an import sleep that long."""
        log = open(self.tmp / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        cmd = [sys.executable, str(Path(__file__).parent / "_worker.py"), str(slow),
               "jobs", "worker", "--threads", str(threads), "--nice", "0"]  # fmt: skip
        # --nice 0: the test waits for the job; on a busy CI host a nice-19 worker would wait
        p = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.procs.append(p)
        return p

    def wait_ready(self, p: subprocess.Popen, timeout: float = 60) -> None:
        log = self.tmp / f"worker-{self.procs.index(p)}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "job worker ready" in log.read_text(errors="replace"):
                return
            assert p.poll() is None, log.read_text(errors="replace")
            time.sleep(0.2)
        raise AssertionError(f"worker not ready: {log.read_text(errors='replace')}")

    def kill_all(self) -> None:
        """Test clean-up: SIGKILL (a graceful stop is not what the test is about)."""
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait(10)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture
def queue_name() -> str:
    return f"silkhub-test-{uuid.uuid4().hex[:10]}"
