"""Acceptance (issue 17.2): ``silkhub serve --workers 2`` over PostgreSQL, in a real subprocess.

Requests go over fresh TCP connections, so the kernel spreads them over both worker processes;
``SILKHUB_WORKER_HEADER=1`` makes each answer name its worker's pid. A session cookie issued by
one worker is honoured by the other, a CSRF token minted by one verifies on the other, the login
rate limit counts failures from both workers together (5 wrong passwords for one e-mail from one
address, then 429 from every worker), and ``/metrics`` adds the workers' counts up.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from silkhub.bootstrap import make_runtime, prepare
from silkhub.settings import Settings
from tests.api._accounts import FAST_HASHER, PASSWORD
from tests.conftest import need

PG_URL = os.environ.get("SILKHUB_TEST_DATABASE_URL", "")
SILKHUB = Path(sys.executable).with_name("silkhub")
PAIR_LIMIT = 5  # silkhub.hub.ratelimit.DEFAULT_LIMITS.pair_failures (documented behaviour)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Base URL of a 2-worker server on a fresh PostgreSQL schema, and the users' e-mails."""
    need(bool(PG_URL), "PostgreSQL not configured (set SILKHUB_TEST_DATABASE_URL)")
    from silkhub.hub import accounts
    from silkhub.hub.policy import Actor

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL))
    with admin.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    rt = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL), schema=schema)
    proc = None
    try:
        prepare(rt)
        emails = ["alice@example.org", "mallory-target@example.org"]
        with rt.session() as s:
            for email in emails:
                accounts.create_user(
                    s, Actor.system(), email, PASSWORD, role="operator", hasher=FAST_HASHER
                )
        rt.dispose()
        sep = "&" if "?" in PG_URL else "?"
        port = _free_port()
        env = {
            **os.environ,
            "SILKHUB_DATABASE_URL": f"{PG_URL}{sep}options=-csearch_path%3D{schema}",
            "SILKHUB_DATA_DIR": str(tmp_path / "var"),
            "SILKHUB_WORKER_HEADER": "1",
            "SILKHUB_LOG_FORMAT": "json",
        }
        env.pop("SILKHUB_SECRET_KEY", None)  # generated once by the parent, shared by workers
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        log = (tmp_path / "server.log").open("w")
        proc = subprocess.Popen(
            [str(SILKHUB), "serve", "--workers", "2", "--port", str(port), "--no-demo"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        pids: set[str] = set()
        while time.monotonic() < deadline and len(pids) < 2:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                r = httpx.get(f"{base}/ready", timeout=5)
                if r.status_code == 200:
                    pids.add(r.headers["x-silkhub-worker"])
            except httpx.TransportError:
                time.sleep(0.2)
        assert len(pids) == 2, (tmp_path / "server.log").read_text()
        yield base, emails
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        rt.dispose()
        with admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _fresh(base: str) -> httpx.Client:
    """A client that opens a new connection for every request (no keep-alive)."""
    return httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


@pytest.mark.postgres
def test_sessions_csrf_and_login_limits_hold_across_workers(two_workers) -> None:
    base, (alice, target) = two_workers
    with _fresh(base) as c:
        login = c.post("/api/v1/auth/login", json={"email": alice, "password": PASSWORD})
        assert login.status_code == 200, login.text
        login_pid = login.headers["x-silkhub-worker"]
        csrf_token = login.json()["csrf_token"]
        assert login.cookies  # session and CSRF cookies, kept by the client from now on

        # the session cookie is good on both workers
        seen: dict[str, int] = {}
        for _ in range(60):
            r = c.get("/api/v1/auth/me")
            assert r.status_code == 200, r.text
            assert r.json()["email"] == alice
            pid = r.headers["x-silkhub-worker"]
            seen[pid] = seen.get(pid, 0) + 1
            if len(seen) == 2 and min(seen.values()) >= 2:
                break
        assert len(seen) == 2, seen
        me_requests = sum(seen.values())

        # the CSRF token minted by the login's worker verifies on the other worker too
        other_ok = 0
        for i in range(60):
            r = c.post(
                "/api/v1/auth/tokens",
                json={"name": f"t{i}"},
                headers={"X-CSRF-Token": csrf_token},
            )
            assert r.status_code == 201, r.text
            if r.headers["x-silkhub-worker"] != login_pid:
                other_ok += 1
                break
        assert other_ok == 1
        refused = {c.post("/api/v1/auth/tokens", json={"name": "x"}).status_code for _ in range(4)}
        assert refused == {403}

        # login rate limit: 5 wrong passwords in all, whichever worker answers, then 429
        answers = []
        for _ in range(PAIR_LIMIT):
            r = c.post("/api/v1/auth/login", json={"email": target, "password": "wrong"})
            answers.append((r.status_code, r.headers["x-silkhub-worker"]))
        assert all(code == 401 for code, _ in answers), answers
        limited: dict[str, int] = {}
        for _ in range(40):
            r = c.post("/api/v1/auth/login", json={"email": target, "password": PASSWORD})
            assert r.status_code == 429, (r.status_code, r.text, answers)
            assert "retry-after" in {k.lower() for k in r.headers}
            pid = r.headers["x-silkhub-worker"]
            limited[pid] = limited.get(pid, 0) + 1
            if len(limited) == 2:
                break
        assert len(limited) == 2, limited

        # metrics: one scrape adds both workers' counts up
        scrape = c.get("/metrics").text
        counts = re.findall(
            r'^silkhub_http_request_duration_seconds_count\{method="GET",'
            r'route="/api/v1/auth/me",status="200"\} ([0-9.]+)$',
            scrape,
            re.M,
        )
        assert sum(float(n) for n in counts) == me_requests, scrape[:2000]
