"""Benchmark: ``/countries/CHN`` over a 10-million-row BACI-like dataset (issue 19, defect 6).

Target: the page in < 1 s with bounded memory. Complexity ("what next") is computed once per
dataset version and kept on disk next to the version (``derived/baci/v1-…/``), so it is shared by
every API worker; this prints the first view (which computes it), the cached views (same worker)
and the view of a fresh worker (memory cache empty: files memory-mapped), the peak RSS of the
serving process at each step, and the ratio against the baseline: the former per-view path
(``complexity.compute`` over ``export_matrix_long``) measured alone in a subprocess.

``--products 990000`` reproduces the defect's file (the product codes of
``bench_import_baci.py``): the former path held dense 200 × 990,000 matrices (the 17.8 GB
report; not run here); the bounded path coarsens to HS4/HS2 within 300 × 6,000.

    .venv/bin/python benchmarks/bench_country_page.py [--rows 10000000] [--products 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from silkhub.data.store import AnalyticsStore, NewVersion

BASELINE = """
import json, sys, time
from pathlib import Path
from silkhub.analytics import complexity
from silkhub.data.store import AnalyticsStore
con = AnalyticsStore(Path(sys.argv[1])).connect()
t = time.perf_counter()
res = complexity.compute(con, dataset="baci", year=2022)
complexity.what_next(res, None, "CHN", top=12)
hwm = [ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmHWM")]
print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": int(hwm[0].split()[1]) / 1024}))
"""


def peak_mb() -> float:
    """Peak RSS of this process (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(store: AnalyticsStore, rows: int, products: int) -> float:
    """A BACI-like ``baci`` version of ``rows`` rows (year 2022, 200 countries, HS6)."""
    import pycountry

    iso = [*sorted({c.alpha_3 for c in pycountry.countries} - {"CHN"})[:199], "CHN"]

    def write(directory: Path) -> None:
        con = duckdb.connect()
        con.execute("SET threads = 2")
        con.execute("SET memory_limit = '1GB'")
        con.execute(
            "CREATE TABLE c AS SELECT unnest(?) AS iso3, "
            "generate_subscripts(?, 1) - 1 AS n, random() * 3 AS size, "
            "0.1 + 0.9 * random() AS reach",  # share of the products a country exports
            [iso, iso],
        )
        con.execute(
            f"""COPY (
                  SELECT 2022 AS year, e.iso3 AS exporter, m.iso3 AS importer,
                         lpad(CAST(10000 + CAST(hash(r) % CAST({products} * e.reach AS BIGINT)
                             AS BIGINT) AS VARCHAR), 6, '0') AS product,
                         exp(e.size + 4 * random()) * 1000 AS value_usd,
                         round(random() * 900, 3) AS quantity
                  FROM range({rows}) t(r)
                  JOIN c e ON e.n = r % 200
                  JOIN c m ON m.n = (r // 200 + 1 + r % 199) % 200
                ) TO '{directory / "data"}' (FORMAT parquet, COMPRESSION zstd,
                  PARTITION_BY (year), WRITE_PARTITION_COLUMNS true, ROW_GROUP_SIZE 500000)"""
        )
        con.close()

    t = time.perf_counter()
    meta = NewVersion(source="baci", sha256="b" * 64, importer="bench", importer_version="0")
    store.publish("baci", write, meta)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--products", type=int, default=5_000)
    ap.add_argument("--views", type=int, default=5)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_country_"))
    try:
        from fastapi.testclient import TestClient

        from silkhub.analytics import complexity
        from silkhub.bootstrap import make_runtime, prepare
        from silkhub.server import create_app
        from silkhub.settings import Settings

        settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'bench.sqlite'}")
        rt = make_runtime(settings)
        prepare(rt)
        store = AnalyticsStore(settings.analytics_dir)
        # generated in a child process so that its memory is not counted as the server's
        code = (
            "import sys; sys.path.insert(0, sys.argv[4]); from pathlib import Path; "
            "from bench_country_page import generate; from silkhub.data.store import "
            "AnalyticsStore; print(generate(AnalyticsStore(Path(sys.argv[1])), "
            "int(sys.argv[2]), int(sys.argv[3])))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(store.root), str(a.rows), str(a.products),
             str(Path(__file__).parent)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        e = store.entry("baci")
        size = sum(f.stat().st_size for f in (store.root / e.path).rglob("*.parquet"))
        print(
            f"dataset: {e.rows:,} rows, {a.products:,} product codes, {size / 1e6:,.0f} MB "
            f"Parquet, generated in {float(out.stdout.strip().splitlines()[-1]):.1f} s"
        )
        print(f"load average: {os.getloadavg()[0]:.1f} (2 cores, measured under team load)")
        client = TestClient(create_app(runtime=rt, init=False))
        client.get("/countries")  # app, templates, reference data warm
        base_rss = peak_mb()

        t = time.perf_counter()
        r = client.get("/countries/CHN")
        first = time.perf_counter() - t
        assert r.status_code == 200 and 'data-testid="chart-what-next"' in r.text, r.status_code
        rss_first = peak_mb()
        cached = []
        for _ in range(a.views):
            t = time.perf_counter()
            r = client.get("/countries/CHN")
            cached.append(time.perf_counter() - t)
            assert r.status_code == 200
        other = []
        for code in ("KAZ", "DEU", "VNM"):  # other countries: same cached result
            t = time.perf_counter()
            assert client.get(f"/countries/{code}").status_code == 200
            other.append(time.perf_counter() - t)
        complexity.clear_memory_cache()  # a fresh worker: the result comes from disk
        t = time.perf_counter()
        assert client.get("/countries/CHN").status_code == 200
        fresh = time.perf_counter() - t
        rss_end = peak_mb()
        derived = store.derived_dir(e)
        folder = next(derived.glob("complexity-*"))
        meta = json.loads((folder / "meta.json").read_text())
        disk = sum(f.stat().st_size for f in folder.iterdir())
        med = statistics.median(cached)
        print(
            f"complexity: {len(meta['countries'])} × {len(meta['products'])} at "
            f"HS{meta['level'] or 6}, computed in {meta['seconds']:.2f} s, "
            f"{disk / 1e6:.0f} MB on disk"
        )
        print(f"first view (computes):       {first:7.3f} s   peak RSS {rss_first:7,.0f} MB")
        print(f"cached view, median of {a.views}:  {med:7.3f} s")
        print(f"other countries, median:     {statistics.median(other):7.3f} s")
        print(f"fresh worker (disk cache):   {fresh:7.3f} s   peak RSS {rss_end:7,.0f} MB")
        print(f"serving process RSS before the first view: {base_rss:,.0f} MB")
        ok = med < 1 and fresh < 1 and rss_end < 2048
        print(f"target (< 1 s cached, bounded memory < 2 GB): {'met' if ok else 'NOT met'}")
        rt.dispose()
        if a.products <= 20_000:
            b = subprocess.run(
                [sys.executable, "-c", BASELINE, str(store.root)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            base = json.loads(b.stdout.strip().splitlines()[-1])
            print(
                f"baseline, former per-view complexity alone: {base['seconds']:.2f} s, peak "
                f"{base['peak_mb']:,.0f} MB; ratio baseline / cached page "
                f"{base['seconds'] / med:.1f}x"
            )
        else:
            print("baseline not run: the former path holds dense C × P matrices (17.8 GB)")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
