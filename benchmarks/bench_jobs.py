"""Benchmark: 200 queued region reports over 2 job workers, with the project list under load.

Set-up: a fresh database (PostgreSQL schema, or SQLite with ``--backend sqlite``) migrated and
filled with generated projects (:func:`bench_hub_list.build`); the API served by uvicorn in a
subprocess (2 workers, as in ``bench_hub_list``); two ``silkhub jobs worker`` processes (one
job thread each) on RabbitMQ (``--broker``, default amqp://guest:guest@127.0.0.1:5672/), one
queue of their own.

Measured:

* jobs: ``--jobs`` (200) ``report.region`` jobs (HTML, Jinan against two peers) submitted at
  once through the job service; throughput = jobs / (last finish - first submit); queue latency
  = ``started_at - created_at`` of each job (p50/p95/max); every job must succeed;
* API: while the jobs run, the open-loop generator of ``bench_hub_list`` sends project-list
  requests at ``--rate`` (200/s) for ``--seconds``; p50/p95/p99 from each request's scheduled
  start. Target p99 < 50 ms; the ratio p99 / 50 ms is printed.

    .venv/bin/python benchmarks/bench_jobs.py [--backend pg|sqlite] [--jobs 200]
        [--rate 200] [--seconds 30] [--rows 100000] [--broker URL]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_hub_list as hub
from sqlalchemy import func, select, text

from silkhub.bootstrap import make_runtime
from silkhub.data.storage.models.jobs import Job
from silkhub.hub.policy import Actor
from silkhub.jobs.engines import DramatiqEngine
from silkhub.jobs.service import JobService
from silkhub.settings import Settings

TARGET_P99_MS = 50.0
ROOT = Path(__file__).resolve().parents[1]


def _q(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": values[0], "p95": values[0], "max": values[0]} if values else {}
    q = statistics.quantiles(sorted(values), n=100)
    return {"p50": q[49], "p95": q[94], "max": max(values)}


_SILKHUB = str(Path(sys.executable).parent / "silkhub")


def _start_workers(env: dict, n: int, tmp: Path, nice: int) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = (tmp / f"worker-{i}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [_SILKHUB, "jobs", "worker", "--threads", "1", "--nice", str(nice)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        )
    deadline = time.monotonic() + 120
    for i, _p in enumerate(procs):
        while "job worker ready" not in (tmp / f"worker-{i}.log").read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"job worker {i} did not start; see {tmp}/worker-{i}.log")
            time.sleep(0.2)
    return procs


def _run_load(port: int, countries: list[str], rate: float, seconds: float, stop, out) -> None:  # type: ignore[no-untyped-def]
    """Child process: the open-loop project-list load until ``stop`` is set (at most
    ``seconds``); puts its figures on ``out``. None is measured after the last job ended."""
    out.put(asyncio.run(hub.open_loop(port, countries, rate, seconds, stop=stop)))


def _postgres_pids() -> list[int]:
    """Processes of the local PostgreSQL server (its backends do the jobs' and the API's SQL)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() in ("postgres", "postmaster"):
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the API server exited (see server.log)")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the API server did not start (see server.log)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["pg", "sqlite"], default="pg")
    p.add_argument("--jobs", type=int, default=200)
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=2, help="job worker processes")
    p.add_argument(
        "--nice", type=int, default=19,
        help="CPU priority of the job workers (silkhub jobs worker --nice; docs/deploy.md)",
    )  # fmt: skip
    p.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672/")
    p.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    args = p.parse_args()

    load0 = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench_jobs_"))
    schema = None
    if args.backend == "pg":
        url = os.environ.get("SILKHUB_BENCH_DATABASE_URL") or os.environ.get(
            "SILKHUB_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_runtime(Settings(data_dir=tmp, database_url=url))
        with admin.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        worker_url = url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite'}"
        admin = None
        worker_url = url
    queue = f"bench-jobs-{uuid.uuid4().hex[:8]}"
    countries, build_s = hub.build(url, args.rows, tmp, schema)
    print(f"database: {args.backend}, {args.rows:,} projects, built in {build_s:.1f} s")
    env = dict(
        os.environ,
        SILKHUB_DATA_DIR=str(tmp),
        SILKHUB_DATABASE_URL=worker_url,
        SILKHUB_JOBS_BROKER=args.broker,
        SILKHUB_JOBS_QUEUE=queue,
        SILKHUB_BENCH_SERVE_URL=hub._with_app_name(url),
        SILKHUB_BENCH_SCHEMA=schema or "",
        SILKHUB_BENCH_DATA_DIR=str(tmp),
    )
    port = args.port or hub._free_port()
    api_log = (tmp / "server.log").open("w")
    api = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "bench_hub_list.py"), "--serve", str(port),
         "2"], stdout=api_log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    procs: list[subprocess.Popen] = []
    try:
        _wait_healthy(port, api)
        procs = _start_workers(env, args.workers, tmp, args.nice)
        rt = make_runtime(
            Settings(data_dir=tmp, database_url=url, jobs_broker=args.broker, jobs_queue=queue),
            schema=schema,
        )
        svc = JobService(rt, DramatiqEngine(rt, args.broker, queue))
        asyncio.run(hub.closed_loop(port, countries, 4, 3.0))  # warm-up
        # the load generator runs in a process of its own, so that nothing this process does
        # (submitting, polling, the broker client's threads) delays its requests
        mp = multiprocessing.get_context("spawn")
        jobs_done, results = mp.Event(), mp.Queue()
        never = mp.Event()  # kept referenced: the child unpickles its semaphore
        base = mp.Process(
            target=_run_load,
            args=(port, countries, args.rate, min(10.0, args.seconds), never, results),
        )
        base.start()
        baseline = results.get(timeout=args.seconds + 120)  # a dead child: an error, not a hang
        base.join()

        actor = Actor.system("bench")
        t0 = time.time()
        ids = [
            svc.submit(
                actor, "report.region", {"unit": "Jinan", "peers": ["Hangzhou", "Qingdao"]}
            ).id
            for _ in range(args.jobs)
        ]
        submit_s = time.time() - t0
        groups = {
            "API": [api.pid, *hub._children(api.pid)],
            "job workers": [pr.pid for pr in procs],
            "PostgreSQL": _postgres_pids(),
        }
        cpu0 = {k: hub._cpu_seconds(v) for k, v in groups.items()}
        wall0 = time.perf_counter()
        loader = mp.Process(
            target=_run_load,
            args=(port, countries, args.rate, args.seconds, jobs_done, results),
        )
        loader.start()
        # a light poll (a count, not 200 rows)
        pending = select(func.count()).where(
            Job.id.in_(ids), Job.status.not_in(("succeeded", "failed", "cancelled"))
        )
        while True:
            with rt.session() as s:
                if not s.scalar(pending):
                    jobs_done.set()
                    break
            time.sleep(0.25)
        load = results.get(timeout=args.seconds + 120)
        loader.join()
        with rt.session() as s:
            rows = list(s.scalars(select(Job).where(Job.id.in_(ids))))
        wall = time.perf_counter() - wall0
        groups["PostgreSQL"] = _postgres_pids()  # backends opened meanwhile count in full
        cores = {k: (hub._cpu_seconds(v) - cpu0[k]) / wall for k, v in groups.items()}
        failed = [j for j in rows if j.status != "succeeded"]
        first = min(j.created_at for j in rows)
        last = max(j.finished_at for j in rows)
        span = (last - first).total_seconds()
        waits = [(j.started_at - j.created_at).total_seconds() for j in rows]
        runs = [(j.finished_at - j.started_at).total_seconds() for j in rows]
        per_worker: dict[str, int] = {}
        for j in rows:
            key = (j.worker or "?").split("/")[0]
            per_worker[key] = per_worker.get(key, 0) + 1
        print(f"jobs: {len(ids)} region reports submitted in {submit_s:.1f} s; "
              f"{len(failed)} not succeeded")  # fmt: skip
        print(f"  throughput {len(ids) / span:.2f} jobs/s over {span:.1f} s "
              f"with {args.workers} workers ({per_worker})")  # fmt: skip
        qw, qr = _q(waits), _q(runs)
        print(
            f"  queue latency p50 {qw['p50']:.1f} s  p95 {qw['p95']:.1f} s  max {qw['max']:.1f} s"
        )
        print(f"  run time      p50 {qr['p50']:.2f} s  p95 {qr['p95']:.2f} s")
        for name, r in (("idle (no jobs)", baseline), ("while jobs run", load)):
            print(f"API project list at {args.rate:.0f}/s {name}: p50 {r['p50_ms']:.1f} ms  "
                  f"p95 {r['p95_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  max {r['max_ms']:.0f} ms  "
                  f"({r['requests']} requests, {r['errors']} errors, "
                  f"{r['throughput_rps']:.0f}/s achieved)")  # fmt: skip
        print("CPU cores used while jobs run: "
              + ", ".join(f"{k} {v:.2f}" for k, v in cores.items())
              + f" (job workers at nice {args.nice})")  # fmt: skip
        print(f"ratio p99 / target while jobs run: {load['p99_ms'] / TARGET_P99_MS:.2f} "
              f"(target {TARGET_P99_MS:.0f} ms)")  # fmt: skip
        print(f"load average at the end: {os.getloadavg()} (at the start: {load0})")
        svc.engine.close()
        rt.dispose()
    finally:
        for pr in [*procs, api]:
            pr.terminate()
        for pr in [*procs, api]:
            try:
                pr.wait(15)
            except subprocess.TimeoutExpired:
                pr.kill()
        api_log.close()
        try:
            import pika

            con = pika.BlockingConnection(pika.URLParameters(args.broker))
            ch = con.channel()
            for q in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                ch.queue_delete(q)
            con.close()
        except Exception as exc:
            print(f"(queue clean-up failed: {exc})")
        if admin is not None:
            with admin.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
