"""Benchmark: filtered, sorted, cursor-paginated project lists under load (issue 8).

Target: with 1,000,000 generated projects in PostgreSQL, ``GET /api/v1/projects`` (country +
stage filter, sorted by value, 50 per page, following cursors) answers with p99 < 50 ms at
200 requests/s from a local open-loop load generator; the same on SQLite with 100,000.

Each backend: a fresh database (PostgreSQL: its own schema, dropped afterwards), migrated,
filled with generated projects in SQL, then the API is served by uvicorn in a subprocess
and a generator sends requests at a fixed rate (no coordinated omission: latency is measured
from each request's scheduled start). Prints p50/p95/p99, achieved throughput, and the ratio
p99 / 50 ms.

    .venv/bin/python benchmarks/bench_hub_list.py [--backend pg|sqlite|both]
        [--pg-rows 1000000] [--sqlite-rows 100000] [--rate 200] [--seconds 20]

PostgreSQL URL: SILKHUB_BENCH_DATABASE_URL or SILKHUB_TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

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
        if rt.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE project"))
        else:
            conn.execute(text("ANALYZE"))
    rt.dispose()
    return countries, time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, schema: str | None, port: int, data_dir: str) -> None:
    """Subprocess mode: serve the app on ``port`` (no migrations, no demo data)."""
    import logging

    import uvicorn

    from silkhub.server import create_app

    logging.disable(logging.WARNING)
    rt = make_runtime(Settings(data_dir=Path(data_dir), database_url=url), schema=schema or None)
    uvicorn.run(
        create_app(runtime=rt, init=False), host="127.0.0.1", port=port, log_level="error",
        access_log=False,
    )  # fmt: skip


async def load(base: str, countries: list[str], rate: float, seconds: float) -> dict:
    """Open-loop generator: one request every 1/rate s; each follows a cursor 1/3 of the time."""
    import httpx

    rng = random.Random(8)
    latencies: list[float] = []
    errors = 0
    cursors: list[tuple[dict, str]] = []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(scheduled: float) -> None:
            nonlocal errors
            if cursors and rng.random() < 0.33:
                params, cur = cursors.pop(rng.randrange(len(cursors)))
                params = dict(params, cursor=cur)
            else:
                params = {"country": rng.choice(countries), "sort": "-value_usd", "limit": 50}
                if rng.random() < 0.7:
                    params["stage"] = rng.choice(STAGES)
            try:
                r = await client.get("/api/v1/projects", params=params)
                if r.status_code != 200:
                    errors += 1
                elif (nxt := r.json().get("next_cursor")) and len(cursors) < 500:
                    cursors.append(({k: v for k, v in params.items() if k != "cursor"}, nxt))
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - scheduled) * 1000)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": q[49],
        "p95_ms": q[94],
        "p99_ms": q[98],
        "throughput_rps": len(latencies) / elapsed,
    }


async def sequential(base: str, countries: list[str], n: int) -> dict:
    """Closed loop, one request at a time: the service time without queueing."""
    import httpx

    rng = random.Random(9)
    lat = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        t0 = time.perf_counter()
        for _ in range(n):
            params = {"country": rng.choice(countries), "sort": "-value_usd", "limit": 50}
            if rng.random() < 0.7:
                params["stage"] = rng.choice(STAGES)
            t = time.perf_counter()
            r = await client.get("/api/v1/projects", params=params)
            r.raise_for_status()
            lat.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles(sorted(lat), n=100)
    return {"seq_p50_ms": q[49], "seq_p99_ms": q[98], "seq_rps": n / elapsed}


def run_backend(name: str, url: str, rows: int, rates: list[float], seconds: float) -> list[dict]:
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
        log = (tmp / "server.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", url, schema or "", str(port), str(tmp)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            import httpx

            for _ in range(200):
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            asyncio.run(sequential(base, countries, 100))  # warm-up
            seq = asyncio.run(sequential(base, countries, 300))
            results = []
            for rate in rates:
                res = asyncio.run(load(base, countries, rate, seconds)) | seq
                res |= {"backend": name, "rows": rows, "build_s": build_s, "rate": rate}
                results.append(res)
                time.sleep(5)  # let the server drain
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        return results
    finally:
        if admin is not None:
            with admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["pg", "sqlite", "both"], default="both")
    p.add_argument("--pg-rows", type=int, default=1_000_000)
    p.add_argument("--sqlite-rows", type=int, default=100_000)
    p.add_argument(
        "--rate", type=float, action="append", help="offered req/s (repeatable; default 200)"
    )
    p.add_argument("--seconds", type=float, default=20.0)
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
        for r in run_backend(name, url, rows, rates, a.seconds):
            print(
                f"{name}: {rows:,} projects (built in {r['build_s']:.1f} s); "
                f"{r['requests']} requests at {r['rate']:.0f}/s offered: "
                f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                f"throughput {r['throughput_rps']:.1f} req/s, errors {r['errors']}; "
                f"one client, sequential: p50 {r['seq_p50_ms']:.1f} ms, "
                f"p99 {r['seq_p99_ms']:.1f} ms, {r['seq_rps']:.0f} req/s; "
                f"p99 / target ({TARGET_P99_MS:.0f} ms) = {r['p99_ms'] / TARGET_P99_MS:.2f}"
            )


if __name__ == "__main__":
    main()
