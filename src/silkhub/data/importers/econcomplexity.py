"""Country x product export matrices -> export-only datasets (year, exporter, product, value).

Reads the ``economiccomplexity`` R package files (``world_trade_2017_hs4.csv``:
``reporter_iso, product_code, export_value_usd``; ``world_trade_avg_1998_to_2000_sitc4.csv``:
``country, product, value``) and files with the same layout. ISO3 codes are upper-cased,
product codes kept as text (leading zeros), empty values become 0 (no exports; kept for RCA,
never dropped). The year comes from the file name (the last 4-digit year; a 1998–2000 average
is stored as 2000). One dataset per file, named after it (``world_trade_2017_hs4``,
``world_trade_1998_2000_sitc4``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from silkhub.data.importers.base import (
    ImportContext,
    Output,
    Problems,
    read_csv_checked,
    settle,
    to_number,
)
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.schemas import EXPORTS_SCHEMA, validate
from silkhub.errors import ValidationError

VERSION = "1.0"
SOURCE = "econcomplexity"
TITLE = "World exports by country and product (economiccomplexity R package, UN Comtrade)"
SOURCE_URL = "https://github.com/pachadotdev/economiccomplexity"
LICENCE = "Apache-2.0 (package); UN Comtrade terms apply to the data"
DATASETS = ("world_trade_2017_hs4", "world_trade_1998_2000_sitc4")

_LAYOUTS = (
    ("reporter_iso", "product_code", "export_value_usd"),
    ("country", "product", "value"),
)


def collect(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("world_trade*.csv"))


def dataset_name(p: Path) -> str:
    """``world_trade_avg_1998_to_2000_sitc4`` -> ``world_trade_1998_2000_sitc4``."""
    stem = p.stem.lower().replace("_avg_", "_").replace("_to_", "_")
    return re.sub(r"[^a-z0-9_]", "_", stem)


def datasets_for(files: list[Path]) -> list[str]:
    return [dataset_name(p) for p in files]


def _year(p: Path, ctx: ImportContext) -> int:
    if ctx.options.get("year"):
        return int(ctx.options["year"])
    years = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", p.stem)
    if not years:
        raise ValidationError(f"{p.name}: no year in the file name; pass --year", field="year")
    return int(years[-1])


def run(ctx: ImportContext) -> list[Output]:
    outputs = []
    matcher = CountryMatcher()
    for p in ctx.paths:
        problems = Problems()
        table = read_csv_checked(p, (), encoding=ctx.encoding, sep=ctx.sep)
        cols = list(table.frame.columns)
        layout = next((lay for lay in _LAYOUTS if all(c in cols for c in lay)), None)
        if layout is None:
            read_csv_checked(p, _LAYOUTS[0], encoding=ctx.encoding, sep=ctx.sep)
            raise AssertionError("unreachable")  # pragma: no cover
        c_iso, c_prod, c_val = layout
        f = table.frame
        iso = matcher.column(
            f[c_iso].str.strip().str.upper(),
            file=table.file,
            column=c_iso,
            rows=table.rows,
            problems=problems,
        )
        value = to_number(table, c_val, problems)
        neg = value < 0
        for i in neg[neg].index:
            problems.add(table.file, int(table.rows[i]), c_val, f"{f[c_val].iloc[i]!r} is negative")
        frame = pd.DataFrame(
            {
                "year": _year(p, ctx),
                "exporter": iso,
                "product": f[c_prod].str.strip(),
                "value_usd": value.fillna(0.0),
            }
        )
        frame["year"] = frame["year"].astype("int32")
        frame = settle(problems, ctx, f"{p.name} rejected", frame, table.file, table.rows)
        n_empty = int((f[c_val].str.strip() == "").sum())
        frame = frame.groupby(["year", "exporter", "product"], as_index=False)["value_usd"].sum()
        frame = validate(EXPORTS_SCHEMA, frame)
        notes = [f"{p.name}: {n_empty} empty values read as 0 (no exports)"] if n_empty else []
        outputs.append(Output(dataset_name(p), frame=frame, notes=notes))
    return outputs
