"""Benchmark: filtered, sorted, cursor-paginated project lists under load (issue 8).

Target: with 1,000,000 generated projects in PostgreSQL, ``GET /api/v1/projects`` (country +
stage filter, sorted by value, 50 per page, following cursors) answers with p99 < 50 ms at
200 requests/s from a local open-loop load generator; the same on SQLite with 100,000.

Each backend: a fresh database (PostgreSQL: its own schema, dropped afterwards), migrated,
filled with generated projects in SQL, then the API is served by uvicorn in a subprocess
(``--workers`` processes, default 2) and a load generator in this process sends requests:

* one client in sequence (service time without queueing);
* open loop at a fixed arrival rate (default 200/s): latency is measured from each request's
  *scheduled* start, so a slow server cannot hide queueing (no coordinated omission); one
  request in three follows a ``next_cursor`` from an earlier page;
* closed loop with a few keep-alive connections for the maximum throughput.

The generator speaks HTTP/1.1 over raw asyncio streams with keep-alive connections (a pool
that grows when every connection is busy), which costs far less CPU than an HTTP client
library, so that it does not steal the 2 cores from the server. CPU seconds of the generator,
the server processes and (PostgreSQL) the database backends are reported next to wall time,
with the load average, because the machine is shared.

Prints p50/p95/p99, achieved throughput, the ratio p99 / 50 ms and the ratio against the
previous figures (one uvicorn process, ORM objects: p99 83 s on PostgreSQL, 105 s on SQLite
at 200/s offered).

    .venv/bin/python benchmarks/bench_hub_list.py [--backend pg|sqlite|both]
        [--pg-rows 1000000] [--sqlite-rows 100000] [--rate 200] [--seconds 20] [--workers 2]

PostgreSQL URL: SILKHUB_BENCH_DATABASE_URL or SILKHUB_TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text

from silkhub.bootstrap import make_runtime, prepare
from silkhub.settings import Settings

TARGET_P99_MS = 50.0
STAGES = ["proposed", "announced", "negotiating", "signed", "under_construction", "operational"]
SECTORS = ["42", "35", "52", "F", "H", "28", "68", "C", "49", "61"]
TYPES = ["greenfield", "expansion", "m_and_a", "epc_contract", "loan"]


def _fill_sql(dialect: str, n: int, countries: list[str]) -> str:
    """One INSERT … SELECT generating ``n`` projects (values spread over 150 countries)."""
    arr = lambda xs: "'" + "','".join(xs) + "'"  # noqa: E731
    if dialect == "postgresql":
        return f"""
        INSERT INTO project (identifier, source, title_en, title_zh, isic_code, project_type, iso3,
            value_amount, value_currency, value_year, value_usd, stage, stage_on, dated_on,
            visibility, created_at, updated_at)
        SELECT 'bench-' || g, 'hub', 'Project ' || g, '项目' || g,
            (ARRAY[{arr(SECTORS)}])[1 + g % {len(SECTORS)}],
            (ARRAY[{arr(TYPES)}])[1 + g % {len(TYPES)}],
            (ARRAY[{arr(countries)}])[1 + (g * 7919) % {len(countries)}],
            CASE WHEN g % 20 = 0 THEN NULL ELSE (g * 104729) % 5000000000 END,
            CASE WHEN g % 20 = 0 THEN NULL ELSE 'USD' END, 2020,
            CASE WHEN g % 20 = 0 THEN NULL ELSE (g * 104729) % 5000000000 END,
            (ARRAY[{arr(STAGES)}])[1 + (g / 7) % {len(STAGES)}],
            DATE '2010-01-01' + (g % 5000)::int, DATE '2010-01-01' + (g % 5000)::int,
            CASE WHEN g % 50 = 0 THEN 'private' ELSE 'public' END, now(), now()
        FROM generate_series(1::bigint, {n}::bigint) AS g"""

    # SQLite: a recursive counter; arrays as substr tricks are awkward, so use CASE on modulo
    def case(expr: str, xs: list[str]) -> str:
        whens = " ".join(f"WHEN {i} THEN '{x}'" for i, x in enumerate(xs))
        return f"CASE ({expr}) % {len(xs)} {whens} END"

    return f"""
    WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < {n})
    INSERT INTO project (identifier, source, title_en, title_zh, isic_code, project_type, iso3,
        value_amount, value_currency, value_year, value_usd, stage, stage_on, dated_on,
        visibility, created_at, updated_at)
    SELECT 'bench-' || g, 'hub', 'Project ' || g, '项目' || g, {case("g", SECTORS)},
        {case("g", TYPES)}, {case("g * 7919", countries)},
        CASE WHEN g % 20 = 0 THEN NULL ELSE (g * 104729) % 5000000000 END,
        CASE WHEN g % 20 = 0 THEN NULL ELSE 'USD' END, 2020,
        CASE WHEN g % 20 = 0 THEN NULL ELSE (g * 104729) % 5000000000 END,
        {case("g / 7", STAGES)},
        date('2010-01-01', '+' || (g % 5000) || ' days'),
        date('2010-01-01', '+' || (g % 5000) || ' days'),
        CASE WHEN g % 50 = 0 THEN 'private' ELSE 'public' END,
        datetime('now'), datetime('now')
    FROM c"""


def build(url: str, rows: int, data_dir: Path, schema: str | None) -> tuple[list[str], float]:
    """Create, migrate and fill the database; returns (countries used, seconds)."""
    t0 = time.perf_counter()
    rt = make_runtime(Settings(data_dir=data_dir, database_url=url), schema=schema)
    prepare(rt)
    with rt.engine.begin() as conn:
        countries = [
            r[0] for r in conn.execute(text("SELECT iso3 FROM country ORDER BY iso3 LIMIT 150"))
        ]
        conn.execute(text(_fill_sql(rt.engine.dialect.name, rows, countries)))
        if rt.engine.dialect.name != "postgresql":
            conn.execute(text("ANALYZE"))
    if rt.engine.dialect.name == "postgresql":
        # the steady state of a live database, not the aftermath of a bulk load: VACUUM sets
        # hint bits and the visibility map (which autovacuum would otherwise do during the
        # measurement), CHECKPOINT writes the dirty pages of the load out beforehand
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) project"))
            conn.execute(text("CHECKPOINT"))
    rt.dispose()
    return countries, time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_factory():  # type: ignore[no-untyped-def]
    """The app of one uvicorn worker (settings from ``SILKHUB_BENCH_*`` variables)."""
    import logging

    from silkhub.server import create_app, warm_up

    logging.disable(logging.WARNING)
    rt = make_runtime(
        Settings(
            data_dir=Path(os.environ["SILKHUB_BENCH_DATA_DIR"]),
            database_url=os.environ["SILKHUB_BENCH_SERVE_URL"],
        ),
        schema=os.environ.get("SILKHUB_BENCH_SCHEMA") or None,
    )
    # as silkhub serve's workers: the OpenAPI document and the mappers are built before the
    # first request (else each worker's first answer takes ~1 s, inside the measurement)
    return warm_up(create_app(runtime=rt, init=False))


def serve(port: int, workers: int) -> None:
    """Subprocess mode: serve the app on ``port`` (no migrations, no demo data)."""
    import uvicorn
    import uvicorn.config

    bind = uvicorn.config.Config.bind_socket

    def bind_nodelay(config: uvicorn.config.Config) -> socket.socket:
        # with several workers uvicorn binds the socket itself without IPPROTO_TCP, so asyncio
        # does not set TCP_NODELAY on accepted connections; Nagle + delayed ACK then add ~40 ms
        # to every keep-alive answer. Linux copies the option from the listening socket.
        sock = bind(config)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    uvicorn.config.Config.bind_socket = bind_nodelay  # type: ignore[method-assign]
    uvicorn.run(
        "bench_hub_list:app_factory", factory=True, app_dir=str(Path(__file__).parent),
        host="127.0.0.1", port=port, workers=workers, log_level="error", access_log=False,
        timeout_keep_alive=30,
    )  # fmt: skip


# -- load generator: HTTP/1.1 keep-alive over raw asyncio streams -----------------------------


class _Pool:
    """Keep-alive connections to the server; opens another one when all are busy."""

    def __init__(self, port: int, cap: int = 256) -> None:
        self.port, self.cap = port, cap
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0
        self.freed = asyncio.Condition()

    async def get(self, path: str) -> tuple[int, bytes]:
        """One GET; returns (status, body)."""
        while not self.idle and self.opened >= self.cap:
            async with self.freed:
                await self.freed.wait()
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            self.opened += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = int(_CONTENT_LENGTH.search(head).group(1))  # type: ignore[union-attr]
        body = await reader.readexactly(length)
        self.idle.append((reader, writer))
        async with self.freed:
            self.freed.notify()
        return status, body

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


_CONTENT_LENGTH = re.compile(rb"(?i)content-length:\s*(\d+)")
_NEXT_CURSOR = re.compile(rb'"next_cursor":"([A-Za-z0-9_-]+)"')


class _Requests:
    """The request mix: a country, a stage 70 % of the time, by value descending, 50 a page;
    one request in three continues an earlier page through its ``next_cursor``."""

    def __init__(self, countries: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.countries = countries
        self.cursors: list[tuple[str, str]] = []

    def next(self, follow: bool = True) -> str:
        if follow and self.cursors and self.rng.random() < 0.33:
            query, cur = self.cursors.pop(self.rng.randrange(len(self.cursors)))
            return f"/api/v1/projects?{query}&cursor={cur}"
        params = {"country": self.rng.choice(self.countries), "sort": "-value_usd", "limit": 50}
        if self.rng.random() < 0.7:
            params["stage"] = self.rng.choice(STAGES)
        return "/api/v1/projects?" + urlencode(params)

    def answered(self, path: str, body: bytes) -> None:
        m = _NEXT_CURSOR.search(body, max(0, len(body) - 400))
        if m and len(self.cursors) < 500:
            query = path.split("?", 1)[1].split("&cursor=")[0]
            self.cursors.append((query, m.group(1).decode()))


def _quantiles(latencies: list[float]) -> dict[str, float]:
    q = statistics.quantiles(sorted(latencies), n=100)
    return {"p50_ms": q[49], "p95_ms": q[94], "p99_ms": q[98], "max_ms": max(latencies)}


async def open_loop(
    port: int, countries: list[str], rate: float, seconds: float, stop: Any = None
) -> dict:
    """Requests at fixed arrival times (1/rate apart); latency from each scheduled start.

    ``stop`` (a ``threading.Event``) ends the run early: no request is scheduled after it
    is set (``bench_jobs`` measures only while its jobs run)."""
    pool, mix = _Pool(port), _Requests(countries, 8)
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        path = mix.next()
        try:
            status, body = await pool.get(path)
            if status == 200:
                mix.answered(path, body)
            else:
                errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        latencies.append((time.perf_counter() - scheduled) * 1000)

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        if stop is not None and stop.is_set():
            break
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    pool.close()
    return {
        "requests": len(latencies),
        "errors": errors,
        "connections": pool.opened,
        "throughput_rps": len(latencies) / elapsed,
        **_quantiles(latencies),
    }


async def closed_loop(port: int, countries: list[str], clients: int, seconds: float) -> dict:
    """``clients`` connections each sending its next request as soon as an answer arrives
    (``clients=1``: one client in sequence, the service time without queueing)."""
    pool, mix = _Pool(port, cap=clients), _Requests(countries, 9)
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            path = mix.next()
            t = time.perf_counter()
            status, body = await pool.get(path)
            latencies.append((time.perf_counter() - t) * 1000)
            if status == 200:
                mix.answered(path, body)
            else:
                errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    pool.close()
    return {
        "requests": len(latencies),
        "errors": errors,
        "throughput_rps": len(latencies) / elapsed,
        **_quantiles(latencies),
    }


# -- CPU accounting --------------------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    """utime + stime of processes (those that ended meanwhile count as 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


class _Meter:
    """CPU seconds of this process, the server tree and the database backends over a phase
    (backends opened during the phase count in full, closed ones drop out)."""

    def __init__(self, server_pid: int, db_url: str) -> None:
        self.server = [server_pid, *_children(server_pid)]
        self.db_url = db_url

    def _db(self) -> dict[int, float]:
        return {pid: _cpu_seconds([pid]) for pid in _db_backend_pids(self.db_url)}

    def __enter__(self) -> _Meter:
        self.t0 = (time.process_time(), _cpu_seconds(self.server), self._db())
        self.w0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.w0
        c, s, d = time.process_time(), _cpu_seconds(self.server), self._db()
        db = sum(v - self.t0[2].get(pid, 0.0) for pid, v in d.items())
        self.figures = {
            "client_cpu": (c - self.t0[0]) / wall,
            "server_cpu": (s - self.t0[1]) / wall,
            "db_cpu": db / wall,
            "load": os.getloadavg()[0],
        }


def _db_backend_pids(url: str) -> list[int]:
    """PostgreSQL backends of the benchmark's server (application_name)."""
    if not url.startswith("postgresql"):
        return []
    rt = make_runtime(Settings(data_dir=Path(tempfile.gettempdir()), database_url=url))
    try:
        with rt.engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": APP_NAME},
                )
            )
    finally:
        rt.dispose()


APP_NAME = "silkhub-bench-hub-list"


def _with_app_name(url: str) -> str:
    if not url.startswith("postgresql"):
        return url
    return url + ("&" if "?" in url else "?") + f"application_name={APP_NAME}"


def run_backend(
    name: str, url: str, rows: int, rates: list[float], seconds: float, workers: int
) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench_hub_"))
    schema = None
    admin = None
    if name == "postgresql":
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_runtime(Settings(data_dir=tmp, database_url=url))
        with admin.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        countries, build_s = build(url, rows, tmp, schema)
        port = _free_port()
        env = dict(
            os.environ,
            SILKHUB_BENCH_SERVE_URL=_with_app_name(url),
            SILKHUB_BENCH_SCHEMA=schema or "",
            SILKHUB_BENCH_DATA_DIR=str(tmp),
        )
        log = (tmp / "server.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), str(workers)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        out: dict = {"backend": name, "rows": rows, "build_s": build_s, "workers": workers}
        try:
            _wait_healthy(port)
            asyncio.run(closed_loop(port, countries, 4, 3.0))  # warm-up: every worker, pools
            meter = _Meter(proc.pid, url)
            with meter:
                out["sequential"] = asyncio.run(closed_loop(port, countries, 1, 5.0))
            out["sequential"] |= meter.figures
            out["open"] = []
            for rate in rates:
                time.sleep(2)
                with meter:
                    res = asyncio.run(open_loop(port, countries, rate, seconds))
                out["open"].append(res | meter.figures | {"rate": rate})
            time.sleep(2)
            with meter:
                out["max"] = asyncio.run(closed_loop(port, countries, 8, 8.0))
            out["max"] |= meter.figures
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        return out
    finally:
        if admin is not None:
            with admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _wait_healthy(port: int) -> None:
    import urllib.request

    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the benchmark server did not start (see server.log)")


#: previous figures at 200/s offered (one uvicorn process, ORM objects; docs/performance.md)
PREVIOUS = {"postgresql": {"p99_ms": 83_000.0, "throughput_rps": 33.7},
            "sqlite": {"p99_ms": 105_000.0, "throughput_rps": 27.6}}  # fmt: skip


def report(r: dict) -> None:
    def cpu(x: dict) -> str:
        return (
            f"CPU cores used: generator {x['client_cpu']:.2f}, server {x['server_cpu']:.2f}, "
            f"database {x['db_cpu']:.2f}; load average {x['load']:.1f}"
        )

    print(
        f"{r['backend']}: {r['rows']:,} projects (built in {r['build_s']:.1f} s), "
        f"{r['workers']} uvicorn worker(s)"
    )
    s = r["sequential"]
    print(
        f"  one client in sequence: {s['requests']} requests, p50 {s['p50_ms']:.2f} ms, "
        f"p99 {s['p99_ms']:.2f} ms, {s['throughput_rps']:.0f} req/s, errors {s['errors']}; "
        + cpu(s)
    )
    for o in r["open"]:
        prev = PREVIOUS[r["backend"]] if o["rate"] == 200 else None
        print(
            f"  open loop {o['rate']:.0f}/s offered: {o['requests']} requests, "
            f"p50 {o['p50_ms']:.2f} ms, p95 {o['p95_ms']:.2f} ms, p99 {o['p99_ms']:.2f} ms, "
            f"max {o['max_ms']:.1f} ms, throughput {o['throughput_rps']:.1f} req/s, "
            f"errors {o['errors']}, connections {o['connections']}; " + cpu(o)
        )
        print(
            f"    p99 / target ({TARGET_P99_MS:.0f} ms) = {o['p99_ms'] / TARGET_P99_MS:.3f} "
            f"({'met' if o['p99_ms'] < TARGET_P99_MS and not o['errors'] else 'NOT met'})"
            + (
                f"; previous p99 / now = {prev['p99_ms'] / o['p99_ms']:,.0f}x, "
                f"throughput now / previous = {o['throughput_rps'] / prev['throughput_rps']:.1f}x"
                if prev
                else ""
            )
        )
    m = r["max"]
    print(
        f"  closed loop, 8 connections: {m['throughput_rps']:.0f} req/s, p50 {m['p50_ms']:.1f} ms, "
        f"p99 {m['p99_ms']:.1f} ms, errors {m['errors']}; " + cpu(m)
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["pg", "sqlite", "both"], default="both")
    p.add_argument("--pg-rows", type=int, default=1_000_000)
    p.add_argument("--sqlite-rows", type=int, default=100_000)
    p.add_argument(
        "--rate", type=float, action="append", help="offered req/s (repeatable; default 200)"
    )
    p.add_argument("--seconds", type=float, default=20.0, help="duration of each open-loop run")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    a = p.parse_args()
    rates = a.rate or [200.0]
    runs = []
    if a.backend in ("sqlite", "both"):
        tmp = Path(tempfile.mkdtemp(prefix="bench_hub_sqlite_"))
        runs.append(("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}", a.sqlite_rows))
    if a.backend in ("pg", "both"):
        url = os.environ.get("SILKHUB_BENCH_DATABASE_URL") or os.environ.get(
            "SILKHUB_TEST_DATABASE_URL"
        )
        if not url:
            print("PostgreSQL skipped: set SILKHUB_BENCH_DATABASE_URL")
        else:
            runs.append(("postgresql", url, a.pg_rows))
    for name, url, rows in runs:
        report(run_backend(name, url, rows, rates, a.seconds, a.workers))


if __name__ == "__main__":
    main()
