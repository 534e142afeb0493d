"""Helpers of the import reliability tests: BACI-format files and store consistency checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from silkhub.data.store import AnalyticsStore

SILKHUB = [str(Path(sys.executable).parent / "silkhub")]


def baci_file(folder: Path, rows: int, year: int) -> Path:
    """A BACI ``t,i,j,k,v,q`` file of ``rows`` rows (200 real M49 codes) + its codes file."""
    import pycountry

    codes = sorted(int(c.numeric) for c in pycountry.countries if c.numeric)[:200]
    iso = {int(c.numeric): c.alpha_3 for c in pycountry.countries if c.numeric}
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "country_codes_V202401.csv").open("w") as fh:
        fh.write("country_code,country_name,country_iso2,country_iso3\n")
        for c in codes:
            fh.write(f"{c},x,xx,{iso[c]}\n")
    path = folder / f"BACI_HS17_Y{year}_V202401.csv"
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.execute(
        "CREATE TABLE codes AS SELECT code, row_number() OVER () - 1 AS n "
        f"FROM (SELECT unnest({codes}) AS code)"
    )
    con.execute(
        f"""COPY (
              SELECT {year} AS t, e.code AS i, m.code AS j,
                     lpad(CAST(10000 + (r * 7919) % 5000 AS VARCHAR), 6, '0') AS k,
                     round(random() * 5000, 3) AS v, round(random() * 900, 3) AS q
              FROM range({rows}) t(r)
              JOIN codes e ON e.n = r % 200
              JOIN codes m ON m.n = (r // 200 + 1 + r % 199) % 200
            ) TO '{path}' (HEADER, DELIMITER ',')"""
    )
    con.close()
    return path


def cli_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SILKHUB_DATA_DIR"] = str(data_dir)
    env.pop("SILKHUB_DATABASE_URL", None)
    env["COLUMNS"] = "200"
    return env


def start_import(data_dir: Path, csv_path: Path) -> subprocess.Popen[str]:
    """``silkhub data import baci FILE`` in a real subprocess (stdout/stderr captured)."""
    return subprocess.Popen(
        [*SILKHUB, "data", "import", "baci", str(csv_path), "--quiet"],
        env=cli_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def partial_versions(store: AnalyticsStore) -> list[str]:
    """Catalog versions whose folder is missing, or whose Parquet rows differ from the catalog
    (a partial import): should always be empty."""
    bad: list[str] = []
    con = duckdb.connect()
    try:
        for e in [v for d in store.catalog.names() for v in store.versions(d)]:
            folder = store.root / e.path
            if not folder.is_dir() or not any(folder.rglob("*.parquet")):
                bad.append(f"{e.name} v{e.version}: folder missing")
                continue
            n = con.execute(
                f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', "
                "hive_partitioning = false)"
            ).fetchall()[0][0]
            if n != e.rows:
                bad.append(f"{e.name} v{e.version}: {n} rows on disk, catalog says {e.rows}")
    finally:
        con.close()
    return bad


def leftovers(store: AnalyticsStore) -> list[str]:
    """Temporary files of imports: staging folders, catalog temporaries, unrecorded versions."""
    out = [f".staging/{p.name}" for p in (store.root / ".staging").glob("*")]
    out += [p.name for p in store.root.glob(".catalog-*.json")]
    known = {v.path for d in store.catalog.names() for v in store.versions(d)}
    for d in (store.root / "datasets").glob("*/v*"):
        rel = d.relative_to(store.root).as_posix()
        if rel not in known:
            out.append(rel)
    return out
