"""Benchmark: the analytics store's heavy queries, local folder vs object storage (issue 17.3).

Publishes a BACI-like dataset (default 10 M rows, one year) into a store whose URL is an S3
bucket of moto's server on a loopback port, then times the queries of the public pages and the
analytics API on a writer (local Parquet) and on a reader with no local files (Parquet read
through s3fs registered in DuckDB). Prints rows, seconds and the ratio S3 / local (the baseline).

    .venv/bin/python benchmarks/bench_store_s3.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_country_page import generate

from silkhub.data.store import AnalyticsStore

QUERIES = {
    "latest year of CHN (scan exporter, importer)": (
        "SELECT max(year) FROM baci WHERE exporter = 'CHN' OR importer = 'CHN'"
    ),
    "CHN partners, one year (filter + group by)": (
        "SELECT importer, sum(value_usd) FROM baci WHERE exporter = 'CHN' AND year = 2022 "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 15"
    ),
    "export matrix, one year (complexity input)": (
        "SELECT count(*) FROM (SELECT exporter, product, sum(value_usd) FROM baci "
        "WHERE year = 2022 GROUP BY ALL)"
    ),
    "world trade by exporter (full aggregate)": (
        "SELECT count(*) FROM (SELECT exporter, sum(value_usd) FROM baci GROUP BY 1)"
    ),
}


def timed(con, sql: str) -> tuple[float, float]:
    """First run (cold: nothing cached) and best of the next two (DuckDB's external file cache
    keeps the remote blocks it read)."""
    times = []
    for _ in range(3):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
    return times[0], min(times[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    a = ap.parse_args()
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench_s3_"))
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s",
            region_name="us-east-1",
        ).create_bucket(Bucket="bench")  # fmt: skip
        client = {"endpoint_url": endpoint, "region_name": "us-east-1"}
        opts = {"key": "k", "secret": "s", "client_kwargs": client}
        url = "s3://bench/silkhub"
        writer = AnalyticsStore(tmp / "writer", url=url, storage_options=opts)
        t = time.perf_counter()
        generate(writer, a.rows, 5000)
        e = writer.entry("baci")
        size = sum(f.stat().st_size for f in (writer.root / e.path).rglob("*.parquet"))
        print(
            f"published {e.rows:,} rows ({size / 1e6:.0f} MB Parquet) and uploaded in "
            f"{time.perf_counter() - t:.1f} s; load average {os.getloadavg()[0]:.1f} "
            "(2 cores, measured under team load)"
        )
        local = AnalyticsStore(tmp / "writer", url="")  # the writer's own folder
        reader = AnalyticsStore(tmp / "reader", url=url, storage_options=opts)
        t = time.perf_counter()
        rcon = reader.connect()
        t_connect = time.perf_counter() - t
        lcon = local.connect()
        print(f"reader connect (catalog GET + list + footers): {t_connect:.3f} s")
        print(
            f"{'query':<48} {'local cold':>10} {'local warm':>10} {'s3 cold':>8} {'s3 warm':>8}"
            f" {'cold s3/local':>13}"
        )
        for label, sql in QUERIES.items():
            (lc, lw), (rc, rw) = timed(lcon, sql), timed(rcon, sql)
            print(f"{label:<48} {lc:10.3f} {lw:10.3f} {rc:8.3f} {rw:8.3f} {rc / lc:13.1f}")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
