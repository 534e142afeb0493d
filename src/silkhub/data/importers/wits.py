"""World Bank WITS bilateral trade (UN Comtrade via WITS, ``;``-separated) -> ``wits_2009``.

The WITS download ``WITS_trade2009.csv`` has ``Nomenclature; ReporterISO3; ProductCode;
ReporterName; PartnerISO3; PartnerName; Year; TradeFlowName; TradeFlowCode;
TradeValue in 1000 USD``. Values are in **thousand** US$ (stored ×1000). Reporter exports and
partner imports of the same flow are both present: the importer's report is kept (see
:mod:`silkhub.data.importers.comtrade`). ``ProductCode`` ``Total`` becomes ``TOTAL``.
"""

from __future__ import annotations

from pathlib import Path

from silkhub.data.importers.base import ImportContext, Output, Problems, read_csv_checked, settle
from silkhub.data.importers.comtrade import finish, parse_records
from silkhub.data.importers.countries import CountryMatcher

VERSION = "1.0"
SOURCE = "wits"
TITLE = "World Bank WITS / UN Comtrade bilateral trade"
SOURCE_URL = "https://wits.worldbank.org/"
SOURCE_VERSION = "ClaudeGrasland/trade@0a6fc98 data/WITS_trade2009.csv"
LICENCE = "WITS / UN Comtrade terms of use"
DATASETS = ("wits_2009",)

REQUIRED = (
    "ReporterISO3",
    "PartnerISO3",
    "ProductCode",
    "Year",
    "TradeFlowName",
    "TradeValue in 1000 USD",
)


def collect(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(path.glob("WITS_trade*.csv"))


def run(ctx: ImportContext) -> list[Output]:
    problems = Problems()
    matcher = CountryMatcher()
    frames, notes = [], []
    task = ctx.progress.task("reading WITS files", len(ctx.paths))
    for p in ctx.paths:
        table = read_csv_checked(p, REQUIRED, encoding=ctx.encoding, sep=ctx.sep, expected_sep=";")
        df, n = parse_records(table, problems, matcher)
        df = settle(problems, ctx, "WITS import rejected", df, table.file, df["_row"].to_numpy())
        df["value_usd"] = df["value_usd"] * 1000.0
        frames.append(df)
        notes.extend(n)
        task.advance(1)
    notes.append("TradeValue in 1000 USD converted to US$")
    return [Output("wits_2009", frame=finish(frames, notes), notes=notes)]
