"""World Bank WITS bilateral trade (UN Comtrade via WITS, ``;``-separated) -> ``wits_2009``.

The WITS download ``WITS_trade2009.csv`` has ``Nomenclature; ReporterISO3; ProductCode;
ReporterName; PartnerISO3; PartnerName; Year; TradeFlowName; TradeFlowCode;
TradeValue in 1000 USD``. Values are in **thousand** US$ (stored ×1000). Reporter exports and
partner imports of the same flow are both present: the importer's report is kept (see
:mod:`silkhub.data.importers.comtrade`). ``ProductCode`` ``Total`` becomes ``TOTAL``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from silkhub.data.importers.base import (
    ImportContext,
    Output,
    Problems,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.comtrade import finish, parse_records
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.schemas import BILATERAL_SCHEMA, validate

VERSION = "1.0"
SOURCE = "wits"
TITLE = "World Bank WITS / UN Comtrade bilateral trade"
SOURCE_URL = "https://wits.worldbank.org/"
SOURCE_VERSION = "ClaudeGrasland/trade@0a6fc98 data/WITS_trade2009.csv"
LICENCE = "WITS / UN Comtrade terms of use"
DATASETS = ("wits_2009", "wits_2009_harmonized")

REQUIRED = (
    "ReporterISO3",
    "PartnerISO3",
    "ProductCode",
    "Year",
    "TradeFlowName",
    "TradeValue in 1000 USD",
)


HARMONIZED = ("i", "j", "Fij")


def _is_harmonized(p: Path) -> bool:
    return "harmonized_flows" in p.name.lower()


def collect(path: Path) -> list[Path]:
    """The raw WITS download(s) and the harmonized flow matrix (margins/gravity files skipped)."""
    if path.is_file():
        return [path]
    files = sorted(path.glob("*.csv"), key=lambda p: (_is_harmonized(p), p.name))
    return [
        p
        for p in files
        if _is_harmonized(p)
        or (p.name.lower().startswith("wits_trade") and "_" not in p.stem.lower()[10:])
    ]


def datasets_for(files: list[Path]) -> list[str]:
    names = []
    if any(not _is_harmonized(p) for p in files):
        names.append("wits_2009")
    if any(_is_harmonized(p) for p in files):
        names.append("wits_2009_harmonized")
    return names


def _harmonized(p: Path, ctx: ImportContext, matcher: CountryMatcher) -> Output:
    """``WITS_Trade2009_harmonized_flows.csv`` (``i;j;Fij``, thousand US$, zeros filled).

    C. Grasland's reconciled matrix: one value per ordered pair, flows i -> j. Domestic cells
    (i = j) and ``OAS`` ("Other Asia, nes") are left out and counted in the notes.
    """
    problems = Problems()
    t = read_csv_checked(p, HARMONIZED, encoding=ctx.encoding, sep=ctx.sep, expected_sep=";")
    f = t.frame
    oas = f["i"].str.strip().eq("OAS") | f["j"].str.strip().eq("OAS")
    exp = matcher.column(f["i"].str.strip(), file=t.file, column="i", rows=t.rows,
                         problems=problems, ignore={"OAS"})  # fmt: skip
    imp = matcher.column(f["j"].str.strip(), file=t.file, column="j", rows=t.rows,
                         problems=problems, ignore={"OAS"})  # fmt: skip
    value = to_number(t, "Fij", problems, required=True)
    years = re.findall(r"(19\d\d|20\d\d)", p.name)
    year = int(ctx.options.get("year") or (years[0] if years else 2009))
    out = pd.DataFrame(
        {"year": year, "exporter": exp, "importer": imp, "product": "TOTAL",
         "value_usd": value * 1000.0, "quantity": np.nan}
    )  # fmt: skip
    out = settle(problems, ctx, "WITS harmonized flows rejected", out, t.file, t.rows)
    domestic = out["exporter"] == out["importer"]
    notes = [
        f"{int(domestic.sum())} domestic cells (i = j) and {int(oas.sum())} cells with OAS "
        "(Other Asia, nes) left out; Fij in 1000 USD converted to US$"
    ]
    out = out[~domestic & out["exporter"].notna() & out["importer"].notna()]
    out["year"] = out["year"].astype("int32")
    out = out.sort_values(["exporter", "importer"], ignore_index=True)
    return Output("wits_2009_harmonized", frame=validate(BILATERAL_SCHEMA, out), notes=notes)


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    matcher = CountryMatcher()
    frames, notes = [], []
    outputs = [_harmonized(p, ctx, matcher) for p in ctx.paths if _is_harmonized(p)]
    raw = [p for p in ctx.paths if not _is_harmonized(p)]
    if not raw:
        return outputs
    task = ctx.progress.task("reading WITS files", len(raw))
    for p in raw:
        table = read_csv_checked(p, REQUIRED, encoding=ctx.encoding, sep=ctx.sep, expected_sep=";")
        df, n = parse_records(table, problems, matcher)
        df = settle(problems, ctx, "WITS import rejected", df, table.file, df["_row"].to_numpy())
        df["value_usd"] = df["value_usd"] * 1000.0
        frames.append(df)
        notes.extend(n)
        task.advance(1)
    notes.append("TradeValue in 1000 USD converted to US$")
    return [Output("wits_2009", frame=finish(frames, notes), notes=notes), *outputs]
