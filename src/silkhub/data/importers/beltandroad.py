"""The beltandroad dashboard tables (HuangHeng179/beltandroad, BSD-3) -> China–B&R trade and FDI.

* ``china_trade_br65_2013_2019_long.csv`` (``country_name_cn, country_name_en, year,
  total_trade_usd, china_imports_usd, china_exports_usd``) -> ``china_br65_trade`` in the
  bilateral layout: China's exports to a country are the flow CHN -> country, its imports the flow
  country -> CHN; ``product = 'TOTAL'``, ``quantity`` NULL. The source's China row (China's
  world total) is left out; rows where total != imports + exports (a known source error, Jordan
  2015) are noted, the import/export figures are kept.
* ``fdi_inflows_br_2014_2019_long.csv`` (``country_name_cn, year, fdi_inflow_usd``) ->
  ``br_fdi_inflows(iso3, year, value_usd, source)``; empty values stay NULL.
"""

from __future__ import annotations

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
from silkhub.data.importers.countries import CountryMatcher
from silkhub.data.importers.schemas import BILATERAL_SCHEMA, FDI_SCHEMA, validate
from silkhub.errors import DataImportError

VERSION = "1.0"
SOURCE = "beltandroad"
TITLE = "China's trade with the 65 Belt and Road countries 2013–2019; FDI inflows 2014–2019"
SOURCE_URL = "https://github.com/HuangHeng179/beltandroad"
SOURCE_VERSION = "1f57cd04d661298e193b62aee4fa597c8ab3f63f (db/beltandroad.sql, CSV extraction)"
LICENCE = "BSD-3-Clause (repository); underlying figures China Customs / MOFCOM"
DATASETS = ("china_br65_trade", "br_fdi_inflows")

TRADE_FILE = "china_trade_br65_2013_2019_long.csv"
FDI_FILE = "fdi_inflows_br_2014_2019_long.csv"


def collect(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return [p for p in (path / TRADE_FILE, path / FDI_FILE) if p.exists()]


def datasets_for(files: list[Path]) -> list[str]:
    names = []
    for p in files:
        if "fdi" in p.name.lower():
            names.append("br_fdi_inflows")
        else:
            names.append("china_br65_trade")
    return names


def _trade(p: Path, ctx: ImportContext, matcher: CountryMatcher) -> Output:
    problems = Problems()
    req = ("country_name_cn", "year", "total_trade_usd", "china_imports_usd", "china_exports_usd")
    t = read_csv_checked(p, req, encoding=ctx.encoding, sep=ctx.sep)
    f = t.frame
    fallback = f["country_name_en"] if "country_name_en" in f.columns else None
    iso = matcher.column(
        f["country_name_cn"],
        file=t.file,
        column="country_name_cn",
        rows=t.rows,
        problems=problems,
        fallback=fallback,
    )
    year = to_number(t, "year", problems, integer=True, required=True)
    total = to_number(t, "total_trade_usd", problems)
    imp = to_number(t, "china_imports_usd", problems)
    exp = to_number(t, "china_exports_usd", problems)
    base = pd.DataFrame({"iso3": iso, "year": year, "imp": imp, "exp": exp, "total": total})
    base = settle(problems, ctx, f"{p.name} rejected", base, t.file, t.rows)
    notes = []
    china = base["iso3"] == "CHN"
    if china.any():
        notes.append(f"{int(china.sum())} rows for China itself (its world totals) left out")
    base = base[~china]
    off = (base["total"] - base["imp"] - base["exp"]).abs() > 0.01 * base["total"].abs().clip(1)
    for _, r in base[off].iterrows():
        notes.append(
            f"{r['iso3']} {int(r['year'])}: source total {r['total']:.0f} != imports + exports; "
            "imports and exports kept"
        )
    years = base["year"].astype("int32")
    exports = pd.DataFrame(
        {"year": years, "exporter": "CHN", "importer": base["iso3"], "value_usd": base["exp"]}
    )
    imports = pd.DataFrame(
        {"year": years, "exporter": base["iso3"], "importer": "CHN", "value_usd": base["imp"]}
    )
    out = pd.concat([exports, imports], ignore_index=True)
    out = out.assign(product="TOTAL", quantity=np.nan)[
        ["year", "exporter", "importer", "product", "value_usd", "quantity"]
    ]
    out["year"] = out["year"].astype("int32")
    out = out.sort_values(["year", "exporter", "importer"], ignore_index=True)
    return Output("china_br65_trade", frame=validate(BILATERAL_SCHEMA, out), notes=notes)


def _fdi(p: Path, ctx: ImportContext, matcher: CountryMatcher) -> Output:
    problems = Problems()
    t = read_csv_checked(p, ("country_name_cn", "year", "fdi_inflow_usd"), encoding=ctx.encoding)
    iso = matcher.column(
        t.frame["country_name_cn"],
        file=t.file,
        column="country_name_cn",
        rows=t.rows,
        problems=problems,
    )
    year = to_number(t, "year", problems, integer=True, required=True)
    value = to_number(t, "fdi_inflow_usd", problems)
    out = pd.DataFrame({"iso3": iso, "year": year, "value_usd": value, "source": SOURCE})
    out = settle(problems, ctx, f"{p.name} rejected", out, t.file, t.rows)
    out["year"] = out["year"].astype("int32")
    notes = [f"{int(out['value_usd'].isna().sum())} empty values kept as NULL"]
    if (out["iso3"] == "MNE").any():
        notes.append("Montenegro values look ~100x too large in the source (kept as given)")
    out = out.reset_index(drop=True)
    return Output("br_fdi_inflows", frame=validate(FDI_SCHEMA, out), notes=notes)


def run(ctx: ImportContext) -> list[Output]:
    matcher = CountryMatcher()
    outs = []
    for p in ctx.paths:
        if "fdi" in p.name.lower():
            outs.append(_fdi(p, ctx, matcher))
        elif "trade" in p.name.lower():
            outs.append(_trade(p, ctx, matcher))
        else:
            raise DataImportError(f"{p.name}: expected {TRADE_FILE} or {FDI_FILE}")
    return outs
