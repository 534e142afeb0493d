"""A real API server for the reliability tests: uvicorn in a subprocess on a free loopback
port, over a database prepared by the test (SQLite file or a PostgreSQL schema).

``RealServer(url, data_dir, schema).start()`` returns once ``/health`` answers; ``kill()``
sends SIGKILL (no clean shutdown), ``stop()`` SIGTERM. ``app_factory`` is what uvicorn runs.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from silkhub.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_factory():  # type: ignore[no-untyped-def]
    """The app of the subprocess (database from ``SILKHUB_*``, schema from the test)."""
    import logging

    from silkhub.bootstrap import make_runtime
    from silkhub.server import create_app
    from silkhub.settings import Settings

    logging.disable(logging.ERROR)
    rt = make_runtime(Settings(), schema=os.environ.get("SILKHUB_RELIABILITY_SCHEMA") or None)
    return create_app(runtime=rt, init=False)


class RealServer:
    def __init__(self, url: str, data_dir: Path, schema: str | None = None, **env: str) -> None:
        self.url, self.data_dir, self.schema, self.env = url, data_dir, schema, env
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> RealServer:
        self.port = free_port()
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop/kill)
        env = dict(os.environ)
        env.update(
            SILKHUB_DATABASE_URL=self.url,
            SILKHUB_DATA_DIR=str(self.data_dir),
            SILKHUB_SECRET_KEY="reliability-tests",
            SILKHUB_RELIABILITY_SCHEMA=self.schema or "",
            **self.env,
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.reliability._server:app_factory",
             "--factory", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--no-access-log"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._log,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.log_path.read_text(errors="replace")
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status < 500:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /health within {timeout} s")

    def connection(self, timeout: float = 10.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, no shutdown handlers, nothing flushed."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()
