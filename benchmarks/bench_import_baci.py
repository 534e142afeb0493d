"""Benchmark: import a generated 10-million-row BACI-format CSV (one year).

Target (issue 4): under 60 s on 2 cores with peak memory under 2 GB. Prints rows/s and the
ratio against the baseline ``pandas.read_csv`` + ``DataFrame.to_parquet`` on the same file.
Each step runs in its own subprocess so that its peak RSS is measured alone.

    .venv/bin/python benchmarks/bench_import_baci.py [--rows 10000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SILKHUB_STEP = """
import json, resource, sys, time
from pathlib import Path
from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore
store = AnalyticsStore(Path(sys.argv[1]))
t = time.perf_counter()
[res] = run_import(store, "baci", Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t, "rows": res.rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PANDAS_STEP = """
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[2], dtype={"k": str})
df.to_parquet(sys.argv[1] + "/pandas.parquet")
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(df),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(folder: Path, rows: int) -> Path:
    """A BACI-format file (t,i,j,k,v,q) with real M49 codes, plus its country codes file."""
    import pycountry

    codes = sorted(int(c.numeric) for c in pycountry.countries if c.numeric)[:200]
    iso = {int(c.numeric): c.alpha_3 for c in pycountry.countries if c.numeric}
    with (folder / "country_codes_V202401.csv").open("w") as fh:
        fh.write("country_code,country_name,country_iso2,country_iso3\n")
        for c in codes:
            fh.write(f"{c},x,xx,{iso[c]}\n")
    path = folder / "BACI_HS17_Y2022_V202401.csv"
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(
        "CREATE TABLE codes AS SELECT code, row_number() OVER () - 1 AS n "
        f"FROM (SELECT unnest({codes}) AS code)"
    )
    con.execute(
        f"""COPY (
              SELECT 2022 AS t, e.code AS i, m.code AS j,
                     lpad(CAST(10000 + (r * 7919) % 990000 AS VARCHAR), 6, '0') AS k,
                     round(random() * 5000, 3) AS v,
                     CASE WHEN r % 10 = 0 THEN '          NA'
                          ELSE CAST(round(random() * 900, 3) AS VARCHAR) END AS q
              FROM range({rows}) t(r)
              JOIN codes e ON e.n = r % 200
              JOIN codes m ON m.n = (r // 200 + 1 + r % 199) % 200
            ) TO '{path}' (HEADER, DELIMITER ',')"""
    )
    con.close()
    return path


def run_step(code: str, out_dir: Path, csv_path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out_dir), str(csv_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_baci_"))
    try:
        t = time.perf_counter()
        csv_path = generate(tmp, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size_mb:,.0f} MB) in {time.perf_counter() - t:.1f} s"
        )
        ours = run_step(SILKHUB_STEP, tmp / "store", csv_path)
        print(
            f"silkhub data import baci : {ours['seconds']:6.1f} s  "
            f"{ours['rows'] / ours['seconds']:12,.0f} rows/s  peak {ours['peak_mb']:7,.0f} MB"
        )
        base = run_step(PANDAS_STEP, tmp, csv_path)
        print(
            f"pandas read_csv+to_parquet: {base['seconds']:6.1f} s  "
            f"{base['rows'] / base['seconds']:12,.0f} rows/s  peak {base['peak_mb']:7,.0f} MB"
        )
        print(f"speed-up vs pandas: {base['seconds'] / ours['seconds']:.2f}x")
        ok = ours["seconds"] < 60 and ours["peak_mb"] < 2048
        print(f"target (<60 s, <2 GB peak): {'met' if ok else 'NOT met'}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
