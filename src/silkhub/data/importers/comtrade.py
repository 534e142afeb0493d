"""UN Comtrade exports (CSV or JSON, Comtrade Plus and legacy layouts) -> bilateral ``comtrade``.

A Comtrade record is reported by ``reporter`` about ``partner``: an export (flow X) is the flow
reporter -> partner, an import (flow M) the flow partner -> reporter. Each becomes one row
``(year, exporter, importer, product, value_usd, quantity)``; ``product`` is the commodity code
(``TOTAL`` for all goods). Re-exports/re-imports (RX/RM) and partners that are not countries
(World, "Areas nes", EU …) are left out and counted in the catalog notes. When both sides report
the same flow, the importer's report (CIF) is kept, as is usual for mirror data.

The live path (``comtradeapicall``) returns the same records; :func:`parse_records` handles both.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from silkhub.data.importers.base import (
    CsvTable,
    ImportContext,
    Output,
    Problems,
    check_encoding,
    check_header,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.schemas import BILATERAL_SCHEMA, validate
from silkhub.errors import DataImportError

VERSION = "1.0"
#: a file (or an API fetch) replaces the flows it brings and keeps the others
MERGE_KEYS = ("year", "exporter", "importer", "product")
SOURCE = "comtrade"
TITLE = "UN Comtrade international merchandise trade"
SOURCE_URL = "https://comtradeplus.un.org/"
LICENCE = "UN Comtrade terms of use"
DATASETS = ("comtrade",)

#: canonical field -> accepted column names (Comtrade Plus API/CSV, legacy CSV)
ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("refYear", "period", "Year", "Period"),
    "reporter": ("reporterISO", "Reporter ISO", "ReporterISO3", "reporterCode", "Reporter Code"),
    "partner": ("partnerISO", "Partner ISO", "PartnerISO3", "partnerCode", "Partner Code"),
    "flow": ("flowCode", "Trade Flow Code", "Trade Flow", "flowDesc", "TradeFlowName"),
    "product": ("cmdCode", "Commodity Code", "ProductCode"),
    "value": (
        "primaryValue",
        "Trade Value (US$)",
        "TradeValue",
        "tradeValue",
        "TradeValue in 1000 USD",
    ),
    "quantity": ("qty", "Qty", "Quantity", "netWgt"),
}

_EXPORT = {"X", "2", "EXPORT", "EXPORTS"}
_IMPORT = {"M", "1", "IMPORT", "IMPORTS"}
_RE = {"RX", "RM", "3", "4", "RE-EXPORT", "RE-IMPORT", "RE-EXPORTS", "RE-IMPORTS"}
_NOT_COUNTRIES = {"W00", "WLD", "0", "World", "EUN", "OAS", "UNS", "X1", "XX", "_X", "R4", "ZA1"}


def collect(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted([*path.glob("*.csv"), *path.glob("*.json")])


def _pick(columns: list[str], field: str) -> str | None:
    for c in ALIASES[field]:
        if c in columns:
            return c
    return None


def _as_table(path: Path, ctx: ImportContext) -> CsvTable:
    if path.suffix.lower() == ".json":
        check_encoding(path, ctx.encoding)
        try:
            doc = json.loads(path.read_text(encoding=ctx.encoding or "utf-8"))
        except json.JSONDecodeError as exc:
            raise DataImportError(
                f"{path.name}: not valid JSON (line {exc.lineno}: {exc.msg})",
                errors=[f"{path.name}:{exc.lineno}:: {exc.msg}"],
            ) from None
        records = doc.get("data", doc) if isinstance(doc, dict) else doc
        frame = pd.DataFrame.from_records(records).astype(object)
        frame = frame.where(frame.notna(), "").astype(str)
        # JSON records are numbered from 1 (there is no header row)
        return CsvTable(path.name, frame, np.arange(1, len(frame) + 1), "utf-8", "")
    return read_csv_checked(path, (), encoding=ctx.encoding, sep=ctx.sep)


def parse_records(
    table: CsvTable, problems: Problems, matcher: CountryMatcher
) -> tuple[pd.DataFrame, list[str]]:
    """Comtrade records (any supported layout) -> bilateral rows; returns (rows, notes)."""
    cols = list(table.frame.columns)
    picked = {f: _pick(cols, f) for f in ALIASES}
    required = ["year", "reporter", "partner", "flow", "product", "value"]
    missing = [ALIASES[f][0] for f in required if picked[f] is None]
    if missing:
        check_header(table.file, cols, missing)
    f = table.frame
    year = to_number(table, picked["year"], problems, integer=True, required=True)  # type: ignore[arg-type]
    value = to_number(table, picked["value"], problems)  # type: ignore[arg-type]
    qty = (
        to_number(table, picked["quantity"], problems)
        if picked["quantity"]
        else pd.Series(np.nan, index=f.index)
    )
    flow = f[picked["flow"]].astype(str).str.strip().str.upper()  # type: ignore[index]
    reporter_raw = f[picked["reporter"]].astype(str).str.strip()  # type: ignore[index]
    partner_raw = f[picked["partner"]].astype(str).str.strip()  # type: ignore[index]
    notes: list[str] = []
    re_flow = flow.isin(_RE)
    non_country = partner_raw.isin(_NOT_COUNTRIES) | reporter_raw.isin(_NOT_COUNTRIES)
    bad_flow = ~(flow.isin(_EXPORT) | flow.isin(_IMPORT) | re_flow)
    for i in np.flatnonzero(bad_flow.to_numpy()):
        problems.add(
            table.file, int(table.rows[i]), picked["flow"], f"unknown trade flow {flow.iloc[i]!r}"
        )
    use = ~(re_flow | non_country | bad_flow)
    if re_flow.any():
        notes.append(f"{table.file}: {int(re_flow.sum())} re-export/re-import rows left out")
    if (non_country & ~re_flow).any():
        notes.append(
            f"{table.file}: {int((non_country & ~re_flow).sum())} rows with World or other "
            "non-country partners left out"
        )
    rows = table.rows[use.to_numpy()]
    rep = matcher.column(
        reporter_raw[use],
        file=table.file,
        column=picked["reporter"] or "",
        rows=rows,
        problems=problems,
    )
    par = matcher.column(
        partner_raw[use],
        file=table.file,
        column=picked["partner"] or "",
        rows=rows,
        problems=problems,
    )
    is_x = flow[use].isin(_EXPORT)
    prod = f[picked["product"]].astype(str).str.strip()[use]  # type: ignore[index]
    prod = prod.where(~prod.str.upper().isin({"TOTAL", "ALL"}), "TOTAL")
    out = pd.DataFrame(
        {
            "year": year[use],
            "exporter": np.where(is_x, rep, par),
            "importer": np.where(is_x, par, rep),
            "product": prod,
            "value_usd": value[use],
            "quantity": qty[use],
            "_m": ~is_x,
            "_row": rows,
        }
    )
    return out, notes


def finish(frames: list[pd.DataFrame], notes: list[str]) -> pd.DataFrame:
    """Combine, prefer import reports for mirror flows, and type the bilateral columns."""
    data = pd.concat(frames, ignore_index=True)
    data = data[data["exporter"].notna() & data["importer"].notna()]
    data = data.sort_values("_m", ascending=False, kind="stable")
    key = ["year", "exporter", "importer", "product"]
    dup = data.duplicated(key, keep="first")
    if dup.any():
        notes.append(
            f"{int(dup.sum())} mirror flows reported by both sides: importer's report kept"
        )
    data = data[~dup]
    out = pd.DataFrame(
        {
            "year": data["year"].astype("int32"),
            "exporter": data["exporter"].astype(str),
            "importer": data["importer"].astype(str),
            "product": data["product"].astype(str),
            "value_usd": data["value_usd"].astype("float64"),
            "quantity": data["quantity"].astype("float64"),
        }
    ).sort_values(key, ignore_index=True)
    return validate(BILATERAL_SCHEMA, out)


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    matcher = CountryMatcher()
    frames, notes = [], []
    task = ctx.progress.task("reading Comtrade files", len(ctx.paths))
    for p in ctx.paths:
        table = _as_table(p, ctx)
        df, n = parse_records(table, problems, matcher)
        df = settle(
            problems, ctx, "Comtrade import rejected", df, table.file, df["_row"].to_numpy()
        )
        frames.append(df)
        notes.extend(n)
        task.advance(1)
    # files come by reporter and year: an import replaces the flows it brings, keeps the others
    return [
        Output(
            "comtrade",
            frame=finish(frames, notes),
            notes=notes,
            merge_keys=MERGE_KEYS,
            merge_label="year",
        )
    ]
