"""CEPII BACI (``t,i,j,k,v,q``, HS6, value in thousand US$) -> bilateral ``baci``.

Streams files of any size through DuckDB (``read_csv`` -> ``COPY … TO`` Parquet partitioned by
year) with bounded memory (DuckDB ``memory_limit`` 1 GB, spilling to disk). Columns:
``t`` year, ``i`` exporter, ``j`` importer (BACI numeric codes), ``k`` HS6 product,
``v`` value in **thousand** US$ (stored ×1000 as ``value_usd``), ``q`` quantity in metric tons
(``NA`` -> NULL).

Country codes come from the BACI ``country_codes_V*.csv`` file (``--countries`` or next to the
data file); without one, BACI codes are read as UN M49 codes with BACI's own exceptions
(:data:`BACI_SPECIAL_CODES`). Every cell that is not a number and every unknown country code is
reported as ``file:row:column: reason``; the import then publishes nothing.
"""

from __future__ import annotations

import csv
import logging
import re
import shutil
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from silkhub.data.importers.base import (
    ImportContext,
    Output,
    Problems,
    check_encoding,
    check_header,
    read_csv_checked,
)
from silkhub.data.importers.countries import CountryMatcher, iso3_of
from silkhub.data.importers.schemas import HS_PRODUCTS_SCHEMA, validate
from silkhub.errors import DataImportError

logger = logging.getLogger(__name__)

VERSION = "1.0"
SOURCE = "baci"
TITLE = "CEPII BACI bilateral trade by HS6 product"
SOURCE_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
LICENCE = "Etalab Open Licence 2.0 (CEPII)"
DATASETS = ("baci", "hs_products")
#: ``--name`` renames the bilateral table; ``hs_products`` keeps its name
RENAME_FIRST = True

#: BACI numeric codes that differ from UN M49 (BACI keeps Comtrade's reporter codes)
BACI_SPECIAL_CODES: dict[int, str] = {
    58: "BEL",  # Belgium-Luxembourg (to 1998)
    251: "FRA",
    381: "ITA",
    490: "TWN",  # "Other Asia, nes"
    579: "NOR",
    699: "IND",
    711: "ZAF",  # Southern African Customs Union (to 1999)
    757: "CHE",
    842: "USA",
    530: "ANT",
    891: "SRB",  # Serbia and Montenegro
}

_COLUMNS = {
    "t": "INTEGER",
    "i": "INTEGER",
    "j": "INTEGER",
    "k": "VARCHAR",
    "v": "DOUBLE",
    "q": "DOUBLE",
}
_NA = ["NA", ""] + [" " * n + "NA" for n in range(1, 24)]


def _is_codes_file(p: Path) -> bool:
    """Country or product codes file (not trade data)."""
    n = p.name.lower()
    return n.startswith("country_codes") or n.startswith("product_codes")


def collect(path: Path) -> list[Path]:
    """Data files plus the country and product codes files next to them."""
    if path.is_file():
        sib = sorted(path.parent.glob("country_codes*.csv"))[-1:]
        sib += sorted(path.parent.glob("product_codes*.csv"))[-1:]
        return [path, *sib]
    return sorted(path.glob("*.csv"))


def datasets_for(files: list[Path]) -> list[str]:
    """``baci``, plus ``hs_products`` when a product codes file is part of the import."""
    has_products = any(p.name.lower().startswith("product_codes") for p in files)
    return ["baci", "hs_products"] if has_products else ["baci"]


def read_product_codes(path: Path, problems: Problems) -> pd.DataFrame:
    """BACI ``product_codes_HS17_V*.csv`` (``code, description``) -> ``hs_products``.

    Columns: ``classification`` (``HS17`` from the file name, else ``HS``), ``product`` (the
    code left-padded to 6 digits, as in ``baci.product``) and ``description``.
    """
    table = read_csv_checked(path, ("code", "description"))
    f = table.frame
    code = f["code"].str.strip()
    for i in np.flatnonzero((~code.str.fullmatch(r"\d{1,6}")).to_numpy()):
        problems.add(table.file, int(table.rows[i]), "code", f"{code.iloc[i]!r} is not an HS code")
    m = re.search(r"(HS\d\d)", path.name, re.I)
    return pd.DataFrame(
        {
            "classification": m.group(1).upper() if m else "HS",
            "product": code.str.zfill(6),
            "description": f["description"].str.strip(),
        }
    )


def read_country_codes(path: Path, problems: Problems) -> dict[int, str]:
    """BACI ``country_codes`` file -> {code: ISO3} (old and new layouts)."""
    table = read_csv_checked(path, ("country_code",))
    f = table.frame
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in f.columns), None)
    name_col = next(
        (
            c
            for c in ("country_name", "country_name_full", "country_name_abbreviation")
            if c in f.columns
        ),
        None,
    )
    if iso_col is None:
        check_header(table.file, list(f.columns), ["country_iso3"])
    matcher = CountryMatcher()
    iso = matcher.column(
        f[iso_col].str.strip(),  # type: ignore[index]
        file=table.file,
        column=iso_col or "",
        rows=table.rows,
        problems=problems,
        fallback=f[name_col] if name_col else None,
        ignore={"NA", "N/A", ""},
    )
    out: dict[int, str] = {}
    for code, i3 in zip(f["country_code"], iso, strict=True):
        if i3 is not None and str(code).strip().isdigit():
            out[int(code)] = i3
    return out


def default_code(code: int) -> str | None:
    """BACI code -> ISO3 without a codes file (M49 + BACI exceptions)."""
    return BACI_SPECIAL_CODES.get(code) or iso3_of(str(code))


def _sql(s: Path | str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _find_lines(path: Path, bad_codes: set[int], problems: Problems) -> None:
    """Error path only: the record numbers of rows whose i or j is an unknown code."""
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        ii, jj = header.index("i"), header.index("j")
        for n, rec in enumerate(reader, start=2):
            for idx, col in ((ii, "i"), (jj, "j")):
                try:
                    c = int(rec[idx])
                except (ValueError, IndexError):
                    continue
                if c in bad_codes:
                    problems.add(path.name, n, col, f"unknown country code {c}")


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    data_files = [p for p in ctx.paths if not _is_codes_file(p)]
    codes_file = ctx.options.get("countries") or next(
        (p for p in ctx.paths if p.name.lower().startswith("country_codes")), None
    )
    if not data_files:
        raise DataImportError("no BACI data file (BACI_HS*_Y*.csv) given")
    codes: dict[int, str] = {}
    notes: list[str] = []
    if codes_file is not None:
        codes = read_country_codes(Path(codes_file), problems)
        problems.raise_if_any("BACI country codes rejected", ctx.error_file)
    else:
        notes.append("no country_codes file: BACI codes read as UN M49 (+ BACI exceptions)")
    for p in data_files:
        check_encoding(p, ctx.encoding)
        with p.open(encoding="utf-8", errors="replace") as fh:
            header = [h.strip().strip('"') for h in fh.readline().split(ctx.sep or ",")]
        check_header(p.name, header, list(_COLUMNS))
    total_bytes = sum(p.stat().st_size for p in data_files)
    sep = ctx.sep or ","

    def write(directory: Path) -> None:
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET threads = 2")
            con.execute("SET memory_limit = '1GB'")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = true")  # for query_progress() …
            con.execute("SET enable_progress_bar_print = false")  # … drawn by the CLI, not DuckDB
            con.execute(
                f"SET temp_directory = {_sql(directory.parent / (directory.name + '.tmp'))}"
            )
            # every code seen in the data gets a row; unknown ones map to NULL
            files_sql = "[" + ", ".join(_sql(p) for p in data_files) + "]"
            cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in _COLUMNS.items()) + "}"
            na = "[" + ", ".join(_sql(x) for x in _NA) + "]"
            src = (
                f"read_csv({files_sql}, header = true, delim = {_sql(sep)}, columns = {cols}, "
                f"nullstr = {na}, store_rejects = true, filename = true)"
            )
            con.execute("CREATE TABLE codes (code INTEGER, iso3 VARCHAR)")
            if codes:
                con.executemany("INSERT INTO codes VALUES (?, ?)", list(codes.items()))
            query = f"""
                SELECT t AS year,
                       coalesce(e.iso3, '?' || CAST(i AS VARCHAR)) AS exporter,
                       coalesce(m.iso3, '?' || CAST(j AS VARCHAR)) AS importer,
                       lpad(trim(k), 6, '0') AS product,
                       v * 1000.0 AS value_usd,
                       q AS quantity
                FROM {src} AS s
                LEFT JOIN codes e ON s.i = e.code
                LEFT JOIN codes m ON s.j = m.code
            """
            if not codes:
                # resolve codes from the data itself, M49 + BACI exceptions
                distinct = con.execute(
                    f"SELECT DISTINCT i FROM {src} UNION SELECT DISTINCT j FROM {src}"
                ).fetchall()
                found = [(c, default_code(c)) for (c,) in distinct if c is not None]
                con.executemany("INSERT INTO codes VALUES (?, ?)", [x for x in found if x[1]])
            out = _sql(directory / "data")
            task = ctx.progress.task("importing BACI", total_bytes)
            done = threading.Event()
            err: list[BaseException] = []

            def copy() -> None:
                try:
                    con.execute(
                        f"COPY ({query}) TO {out} (FORMAT parquet, COMPRESSION zstd, "
                        "PARTITION_BY (year), WRITE_PARTITION_COLUMNS true, "
                        "ROW_GROUP_SIZE 500000)"
                    )
                except BaseException as exc:  # re-raised in the calling thread
                    err.append(exc)
                finally:
                    done.set()

            worker = threading.Thread(target=copy, daemon=True)
            worker.start()
            try:
                while not done.wait(0.25):
                    try:
                        pct = con.query_progress()
                    except Exception:  # pragma: no cover - progress is best effort
                        pct = -1
                    if pct and pct > 0:
                        task.update(total_bytes * pct / 100.0)
            except BaseException:  # Ctrl-C: stop DuckDB before the staging files are removed
                con.interrupt()
                worker.join(timeout=30)
                raise
            worker.join()
            if err:
                raise DataImportError(f"BACI import failed: {err[0]}")
            task.update(total_bytes)
            _collect_problems(con, directory, data_files, problems)
            problems.raise_if_any("BACI import rejected", ctx.error_file)
        finally:
            con.close()
            shutil.rmtree(directory.parent / (directory.name + ".tmp"), ignore_errors=True)

    # BACI ships one file per year: an import replaces the years it brings, keeps the others
    outputs = [
        Output(
            "baci",
            write=write,
            partition_by_year=True,
            notes=notes,
            merge_keys=("year",),
            merge_label="year",
        )
    ]
    products = [p for p in ctx.paths if p.name.lower().startswith("product_codes")]
    if products:
        frame = read_product_codes(products[-1], problems)
        problems.raise_if_any("BACI product codes rejected", ctx.error_file)
        outputs.append(Output("hs_products", frame=validate(HS_PRODUCTS_SCHEMA, frame)))
    return outputs


def _collect_problems(
    con: duckdb.DuckDBPyConnection, directory: Path, files: list[Path], problems: Problems
) -> None:
    by_name = {str(p): p for p in files}
    rejects = con.execute(
        """SELECT f.file_path, r.line, r.column_name, r.csv_line, r.error_type, r.error_message
           FROM reject_errors r JOIN reject_scans f USING (scan_id, file_id)
           ORDER BY f.file_path, r.line"""
    ).fetchall()
    for fpath, line, col, csv_line, etype, msg in rejects:
        name = Path(by_name.get(fpath, Path(fpath))).name
        if etype == "CAST" and col:
            try:
                fields = next(csv.reader([csv_line]))
                idx = list(_COLUMNS).index(col)
                value = fields[idx].strip()
                kind = "an integer" if _COLUMNS[col] == "INTEGER" else "a number"
                reason = f"{value!r} is not {kind}"
            except (ValueError, IndexError, StopIteration):
                reason = msg
        elif etype in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            reason = etype.lower()
        else:
            reason = msg
        problems.add(name, int(line), col or None, reason)
    glob = _sql(directory / "**" / "*.parquet")
    bad = con.execute(
        f"""SELECT DISTINCT c FROM (
              SELECT exporter AS c FROM read_parquet({glob}) WHERE exporter LIKE '?%'
              UNION SELECT importer FROM read_parquet({glob}) WHERE importer LIKE '?%')"""
    ).fetchall()
    if bad:
        codes = {int(c[0][1:]) for c in bad}
        for p in files:
            _find_lines(p, codes, problems)
    started = time.monotonic()
    logger.debug("problem scan %.1fs", time.monotonic() - started)
