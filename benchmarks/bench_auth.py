"""Benchmark: what authentication costs (issue 8, part B).

The issue sets no target for accounts, but every hub request resolves its caller, and the
hub's list target (p99 < 50 ms at 200 requests/s) includes that. This prints:

* argon2id hash / verify time with the default parameters (sign-in cost; bounds how many
  sign-ins per second one core can serve),
* ``accounts.authenticate`` (rate-limit check + verify + bookkeeping) per sign-in,
* the latency of ``GET /api/v1/auth/me`` with a bearer token (token lookup by SHA-256 + user)
  against the baseline ``GET /health`` without authentication (one ``SELECT 1``), p50/p99,
  and the ratio of the two; and the token -> actor lookup alone.

    .venv/bin/python benchmarks/bench_auth.py [--requests 500] [--database-url URL]

Without ``--database-url`` it runs on a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text

from silkhub.bootstrap import make_runtime, prepare
from silkhub.data.storage.db import make_engine
from silkhub.data.storage.models.hub import Organisation
from silkhub.hub import accounts
from silkhub.hub.policy import Actor
from silkhub.server import create_app
from silkhub.settings import Settings

PASSWORD = "correct horse battery staple"


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def timed_requests(client: TestClient, url: str, n: int, headers: dict[str, str]) -> list[float]:
    for _ in range(20):  # warm-up
        client.get(url, headers=headers)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--database-url", default=None)
    a = p.parse_args()

    for label, hasher in (
        ("silkhub (OWASP)", PasswordHasher(**accounts.ARGON2_PARAMETERS)),
        ("argon2-cffi default", PasswordHasher()),
    ):
        stored = hasher.hash(PASSWORD)
        t_hash = min(_time(lambda h=hasher: h.hash(PASSWORD)) for _ in range(5))
        t_verify = min(_time(lambda h=hasher, st=stored: h.verify(st, PASSWORD)) for _ in range(5))
        print(
            f"argon2id {label} (t={hasher.time_cost}, m={hasher.memory_cost} KiB, "
            f"p={hasher.parallelism}): hash {t_hash:.1f} ms, verify {t_verify:.1f} ms "
            f"-> at most {1000 / t_verify:.0f} sign-ins/s per core"
        )

    with tempfile.TemporaryDirectory() as tmp:
        url = a.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        schema = None
        if url.startswith("postgres"):  # a scratch schema, dropped at the end
            schema = f"bench_auth_{uuid.uuid4().hex[:8]}"
            admin = make_engine(url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        rt = make_runtime(Settings(data_dir=Path(tmp), database_url=url), schema=schema)
        prepare(rt)
        backend = rt.engine.dialect.name
        with rt.session() as s:
            org = Organisation(kind="soe", name_en="Bench org")
            s.add(org)
            s.flush()
            email = f"bench{time.time_ns()}@example.org"
            user = accounts.create_user(
                s, Actor.system(), email, PASSWORD, role="member", organisation_id=org.id
            )
            _row, token = accounts.create_token(s, Actor.system(), user.id, "bench")
        logins = []
        for i in range(10):
            with rt.session() as s:
                t = time.perf_counter()
                accounts.authenticate(s, email, PASSWORD, ip=f"10.0.0.{i}")
                logins.append((time.perf_counter() - t) * 1000)
        print(f"[{backend}] accounts.authenticate: median {statistics.median(logins):.1f} ms")
        lookups = []
        with rt.session() as s:
            for _ in range(200):
                t = time.perf_counter()
                assert accounts.actor_for_secret(s, token) is not None
                lookups.append((time.perf_counter() - t) * 1000)
        print(
            f"[{backend}] accounts.actor_for_secret (token -> actor): "
            f"p50 {percentile(lookups, 0.5):.2f} ms, p99 {percentile(lookups, 0.99):.2f} ms"
        )

        with TestClient(create_app(runtime=rt, init=False)) as client:
            base = timed_requests(client, "/health", a.requests, {})
            auth = timed_requests(
                client, "/api/v1/auth/me", a.requests, {"Authorization": f"Bearer {token}"}
            )
        rt.dispose()
        if schema:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    for name, v in (("GET /health (anonymous)", base), ("GET /auth/me (bearer)", auth)):
        print(
            f"[{backend}] {name}: p50 {percentile(v, 0.5):.2f} ms, p99 {percentile(v, 0.99):.2f} ms"
            f", {1000 / statistics.mean(v):.0f} requests/s sequential"
        )
    print(
        f"[{backend}] ratio authenticated / anonymous baseline: p50 "
        f"{percentile(auth, 0.5) / percentile(base, 0.5):.2f}, p99 "
        f"{percentile(auth, 0.99) / percentile(base, 0.99):.2f}"
    )


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


if __name__ == "__main__":
    main()
