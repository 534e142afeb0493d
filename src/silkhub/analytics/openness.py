"""Openness of a country (``wdi``) or a region (``regional``), and country-group shares.

Formulas live in :mod:`silkhub.core.indicators`; this module fetches the inputs from the store
with DuckDB and says explicitly which inputs are missing (a ``missing`` column), never filling
them with zero.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.datasets import (
    all_countries,
    country_code,
    group_as_of,
    group_members,
    quote,
    require_dataset,
)
from silkhub.core import indicators as ind
from silkhub.data.reference.queries import find_region
from silkhub.data.registry import unit_label
from silkhub.data.storage.models.reference import Region
from silkhub.errors import UnknownChoiceError, UnknownCountryError, ValidationError

logger = logging.getLogger(__name__)

#: input -> accepted indicator codes, first found wins (WDI codes, then regional template names)
INPUTS: dict[str, tuple[str, ...]] = {
    "gdp_usd": ("NY.GDP.MKTP.CD", "gdp_usd", "GDP"),
    "exports_usd": ("NE.EXP.GNFS.CD", "exports_usd", "EXPORTS"),
    "imports_usd": ("NE.IMP.GNFS.CD", "imports_usd", "IMPORTS"),
    "goods_exports_usd": ("TX.VAL.MRCH.CD.WT", "goods_exports_usd", "EXPORTS"),
    "goods_imports_usd": ("TM.VAL.MRCH.CD.WT", "goods_imports_usd", "IMPORTS"),
    "fdi_inflow_usd": ("BX.KLT.DINV.CD.WD", "fdi_inflow_usd", "FDI_ACTUAL"),
    "rd_gdp_pct": ("GB.XPD.RSDV.GD.ZS", "rd_gdp_pct"),
    "rd_expenditure_usd": ("rd_expenditure_usd",),
    "high_tech_exports_usd": ("TX.VAL.TECH.CD", "high_tech_exports_usd"),
    "high_tech_share_pct": ("TX.VAL.TECH.MF.ZS", "high_tech_share_pct"),
    "population": ("SP.POP.TOTL", "population", "POPULATION"),
}

BASES = ("gns", "goods")

OPENNESS_COLUMNS = [
    "year",
    "gdp_usd",
    "exports_usd",
    "imports_usd",
    "trade_dependence_pct",
    "export_dependence_pct",
    "import_dependence_pct",
    "fdi_inflow_usd",
    "fdi_gdp_pct",
    "rd_gdp_pct",
    "high_tech_share_pct",
    "trade_growth_pct",
    "exports_growth_pct",
    "gdp_growth_pct",
    "missing",
]


@dataclass
class Openness:
    """Openness indicators by year for one place, with CAGR over the span and notes."""

    place: str
    dataset: str
    start: int
    end: int
    basis: str
    rows: pd.DataFrame
    cagr_pct: dict[str, float | None]
    notes: list[str] = field(default_factory=list)


def parse_years(text: str) -> tuple[int, int]:
    """``2013-2019`` or ``2015`` -> (start, end); ValidationError otherwise."""
    parts = text.replace("–", "-").split("-")
    try:
        years = [int(p) for p in parts if p.strip()]
    except ValueError:
        years = []
    if len(years) not in (1, 2) or not all(1900 <= y <= 2100 for y in years):
        raise ValidationError(key="analytics.years_format", params={"text": text}, field="years")
    start, end = years[0], years[-1]
    if end < start:
        raise ValidationError(key="analytics.years_order", params={"text": text}, field="years")
    return start, end


def _long_inputs(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    key_col: str,
    key: str,
    start: int,
    end: int,
    with_unit: bool = False,
) -> pd.DataFrame:
    codes = sorted({c for cs in INPUTS.values() for c in cs})
    placeholders = ", ".join("?" for _ in codes)
    unit = ", unit" if with_unit else ""
    sql = f"""
        SELECT year, indicator, value{unit} FROM {quote(dataset)}
        WHERE {key_col} = ? AND year BETWEEN ? AND ? AND indicator IN ({placeholders})
    """
    return con.execute(sql, [key, start - 1, end, *codes]).df()


def _wide(long: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    years = pd.Index(range(start - 1, end + 1), name="year")
    piv = long.pivot_table(index="year", columns="indicator", values="value", aggfunc="first")
    piv = piv.reindex(years)
    out = pd.DataFrame(index=years)
    for name, codes in INPUTS.items():
        col = pd.Series(np.nan, index=years)
        for code in codes:  # the first code with a value wins
            if code in piv.columns:
                col = col.combine_first(piv[code])
        out[name] = col.astype("float64")
    return out


def openness(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    place: str,
    start: int,
    end: int,
    basis: str = "gns",
    dataset: str | None = None,
) -> Openness:
    """Openness indicators for a country (ISO3/name, from ``wdi``) or a region (``regional``).

    ``basis``: ``gns`` = exports/imports of goods and services (WDI ``NE.EXP/IMP.GNFS.CD``),
    ``goods`` = merchandise trade (``TX/TM.VAL.MRCH.CD.WT``). Percentages: trade dependence
    ``100 (X + M) / GDP``, FDI ``100 FDI / GDP``, R&D ``100 R&D / GDP`` (or the WDI % directly),
    high-tech share ``TX.VAL.TECH.MF.ZS`` (of manufactured exports) or ``100 HT / X``.
    Growth is year on year; ``cagr_pct`` is over ``start``–``end``. ``dataset`` overrides the
    view read (default ``wdi`` for a country, ``regional`` for a region).
    """
    if basis not in BASES:
        raise UnknownChoiceError("trade basis", basis, BASES, field="basis")
    region = _region(session, place)
    if region is not None:
        default, key_col, key = "regional", "region_id", region.region_id
    else:
        default, key_col, key = "wdi", "iso3", country_code(session, place)
    dataset = dataset or default
    cols = require_dataset(con, dataset, (key_col, "year", "indicator", "value"))
    long = _long_inputs(con, dataset, key_col, key, start, end, with_unit="unit" in cols)
    if long.empty:
        raise ValidationError(
            key="analytics.no_openness_inputs",
            params={"dataset": dataset, "place": key, "start": start, "end": end},
            field="years",
        )
    w = _wide(long, start, end)
    notes: list[str] = []
    x_col, m_col = (
        ("exports_usd", "imports_usd")
        if basis == "gns"
        else (
            "goods_exports_usd",
            "goods_imports_usd",
        )
    )
    x, m, gdp = w[x_col], w[m_col], w["gdp_usd"]
    trade_v = x + m  # NaN if either is missing (never a half total)
    out = pd.DataFrame(index=w.index)
    out["gdp_usd"] = gdp
    out["exports_usd"] = x
    out["imports_usd"] = m
    out["trade_dependence_pct"] = 100 * ind.trade_dependence(x, m, gdp)
    out["export_dependence_pct"] = 100 * ind.export_dependence(x, gdp)
    out["import_dependence_pct"] = 100 * ind.import_dependence(m, gdp)
    out["fdi_inflow_usd"] = w["fdi_inflow_usd"]
    out["fdi_gdp_pct"] = 100 * ind.fdi_to_gdp(w["fdi_inflow_usd"], gdp)
    units = _units(long)
    gdp_unit, fdi_unit = units.get("GDP"), units.get("FDI_ACTUAL")
    if gdp_unit and fdi_unit and gdp_unit != fdi_unit:
        out["fdi_gdp_pct"] = np.nan
        notes.append(
            f"FDI/GDP not computed: FDI is in {fdi_unit}, GDP in {gdp_unit} "
            "(silkhub never converts currencies implicitly)"
        )
    rd = w["rd_gdp_pct"].combine_first(100 * ind.rd_intensity(w["rd_expenditure_usd"], gdp))
    out["rd_gdp_pct"] = rd
    ht = w["high_tech_share_pct"]
    if ht.isna().all() and w["high_tech_exports_usd"].notna().any():
        ht = 100 * ind.high_tech_share(w["high_tech_exports_usd"], x)
        notes.append("high-tech share computed as high-tech exports / total exports")
    out["high_tech_share_pct"] = ht
    out["trade_growth_pct"] = 100 * ind.yoy_growth(trade_v)
    out["exports_growth_pct"] = 100 * ind.yoy_growth(x)
    out["gdp_growth_pct"] = 100 * ind.yoy_growth(gdp)
    out = out.loc[start:end]
    inputs = {
        "GDP": gdp,
        "exports": x,
        "imports": m,
        "FDI inflows": w["fdi_inflow_usd"],
        "R&D": rd,
        "high-tech exports": ht,
    }
    out["missing"] = [
        ", ".join(k for k, s in inputs.items() if np.isnan(s.get(y, np.nan))) for y in out.index
    ]
    out = out.reset_index()
    if units:
        shown = ", ".join(f"{k} {unit_label(v, 'en')}" for k, v in sorted(units.items()))
        notes.append(f"money columns are in the source units ({shown}), not US$")
    cagr = {
        "gdp_usd": ind.cagr_between(gdp, start, end),
        "exports_usd": ind.cagr_between(x, start, end),
        "imports_usd": ind.cagr_between(m, start, end),
        "trade_usd": ind.cagr_between(trade_v, start, end),
    }
    cagr_pct = {k: (None if np.isnan(v) else 100 * v) for k, v in cagr.items()}
    if start == end:
        notes.append("one year only: no CAGR")
    elif any(v is None for v in cagr_pct.values()):
        notes.append(f"CAGR needs values in both {start} and {end}; missing ones are empty")
    return Openness(key, dataset, start, end, basis, out[OPENNESS_COLUMNS], cagr_pct, notes)


def _region(session: Session, place: str) -> Region | None:
    """A region by id, or by name when ``place`` is not a country (``Jinan``, ``济南``)."""
    region = session.get(Region, place)
    if region is not None:
        return region
    try:
        country_code(session, place)
        return None
    except UnknownCountryError:
        try:
            return find_region(session, place)
        except UnknownChoiceError:
            return None  # let the country lookup raise its message with suggestions


def _units(long: pd.DataFrame) -> dict[str, str]:
    """Unit of each regional indicator present (empty for WDI, which is in US$)."""
    if "unit" not in long.columns:
        return {}
    u = long.dropna(subset=["unit"]).groupby("indicator")["unit"].first()
    return {str(k): str(v) for k, v in u.items()}


#: group-share measures -> (label, indicator inputs summed)
MEASURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "population": ("SP.POP.TOTL", ("population",)),
    "gdp": ("NY.GDP.MKTP.CD", ("gdp_usd",)),
    "trade": ("NE.EXP.GNFS.CD + NE.IMP.GNFS.CD", ("exports_usd", "imports_usd")),
}


def _world_totals(
    con: duckdb.DuckDBPyConnection, dataset: str, year: int, codes: list[str]
) -> tuple[dict[str, float], str | None]:
    """The World Bank's own world total (``WLD``) per indicator for ``year``, and where from.

    Looks in ``<dataset>_aggregates`` (written by the WDI importer), then for a ``WLD`` row in
    the dataset itself (files imported by other means). Empty when neither has it.
    """
    from silkhub.analytics.datasets import view_names

    names = set(view_names(con))
    placeholders = ", ".join("?" for _ in codes)
    for view, col in ((f"{dataset}_aggregates", "code"), (dataset, "iso3")):
        if view not in names:
            continue
        rows = con.execute(
            f"SELECT indicator, value FROM {quote(view)} WHERE {col} = 'WLD' AND year = ? "
            f"AND indicator IN ({placeholders}) AND value IS NOT NULL",
            [year, *codes],
        ).fetchall()
        if rows:
            return {str(i): float(v) for i, v in rows}, view
    return {}, None


def _check_group_exists(session: Session, group: str, year: int, as_of: date | None) -> None:
    """A year before the group's first member: say when it starts and what to pass."""
    from silkhub.data.reference.queries import group_start

    start = group_start(session, group)
    day = group_as_of(year, as_of)
    if start is not None and day < start:
        params = {"group": group, "start": start.isoformat(), "date": day.isoformat()}
        raise ValidationError(
            key="analytics.group_starts_later"
            if as_of is not None
            else "analytics.group_starts_later_year",
            params={**params, "first_year": start.year, "year": year},
            field="as_of" if as_of is not None else "year",
        )


def group_share(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    group: str,
    year: int,
    as_of: date | None = None,
    measures: tuple[str, ...] = ("population", "gdp", "trade"),
    world: str = "auto",
    dataset: str = "wdi",
) -> pd.DataFrame:
    """Share of a country group in world population, GDP and trade for a year (from ``wdi``).

    The group is taken as of 31 December of ``year`` (or ``as_of``). The world total is the
    World Bank's ``WLD`` aggregate (``wdi_aggregates``, kept apart by the WDI importer) when it
    has the indicator for the year and ``world`` is ``auto`` or ``wld``; otherwise (``sum``, or
    no ``WLD`` value) it is the sum over every country of the reference table that has a value.
    The ``world_basis`` column names the basis of each row; ``df.attrs["notes"]`` has the
    sentences the CLI prints. ``share = sum_{i in G} v_i / world``; members without a value are
    listed in ``missing`` and left out (the share is then a lower bound), never counted as 0.
    """
    from silkhub.data.reference.queries import year_only_note, year_only_on

    for m in measures:
        if m not in MEASURES:
            raise UnknownChoiceError("measure", m, list(MEASURES), field="measures")
    if world not in ("auto", "wld", "sum"):
        raise UnknownChoiceError("world basis", world, ["auto", "wld", "sum"], field="world")
    require_dataset(con, dataset, ("iso3", "year", "indicator", "value"))
    _check_group_exists(session, group, year, as_of)
    members = group_members(session, group, year, as_of)
    countries = set(all_countries(session))
    codes = sorted({c for m in measures for i in MEASURES[m][1] for c in INPUTS[i]})
    placeholders = ", ".join("?" for _ in codes)
    long = con.execute(
        f"SELECT iso3, indicator, value FROM {quote(dataset)} "
        f"WHERE year = ? AND indicator IN ({placeholders})",
        [year, *codes],
    ).df()
    wld_by_code, wld_view = (
        _world_totals(con, dataset, year, codes) if world in ("auto", "wld") else ({}, None)
    )
    rows = []
    notes: list[str] = []
    for m in measures:
        label, inputs = MEASURES[m]
        per_input = []
        wld_parts = []
        for name in inputs:
            code = INPUTS[name][0]
            per_input.append(long[long["indicator"] == code].set_index("iso3")["value"])
            wld_parts.append(wld_by_code.get(code))
        v = per_input[0]
        for extra in per_input[1:]:
            v = v.add(extra)  # NaN unless both present
        v = v.dropna()
        wld = None if any(w is None for w in wld_parts) else float(sum(wld_parts))  # type: ignore[arg-type]
        if world == "wld" and wld is None:
            raise ValidationError(
                key="analytics.no_wld_value", params={"label": label, "year": year}, field="world"
            )
        country_v = v[v.index.isin(countries)]
        if country_v.empty:
            rows.append(
                {
                    "measure": m,
                    "indicator": label,
                    "year": year,
                    "group": group,
                    "share_pct": None,
                    "group_total": None,
                    "world_total": None,
                    "world_basis": None,
                    "members": len(members),
                    "members_with_data": 0,
                    "missing": f"no {label} data for {year}",
                }
            )
            continue
        share, g_tot, w_tot, missing = ind.group_share(country_v, members, wld)
        basis = (
            f"World Bank WLD ({wld_view})"
            if wld is not None
            else f"sum of {len(country_v)} countries"
        )
        rows.append(
            {
                "measure": m,
                "indicator": label,
                "year": year,
                "group": group,
                "share_pct": None if np.isnan(share) else 100 * share,
                "group_total": g_tot,
                "world_total": w_tot,
                "world_basis": basis,
                "members": len(members),
                "members_with_data": len(members) - len(missing),
                "missing": ", ".join(missing),
            }
        )
    out = pd.DataFrame(rows)
    bases = {r["measure"]: r["world_basis"] for r in rows if r["world_basis"]}
    if bases:
        by_basis: dict[str, list[str]] = {}
        for meas, b in bases.items():
            by_basis.setdefault(b, []).append(meas)
        notes.append(
            "world total: "
            + "; ".join(f"{', '.join(ms)}: {b}" for b, ms in by_basis.items())
            + (
                " (world = auto: the World Bank's WLD aggregate when imported, else the sum "
                "of countries)"
                if world == "auto"
                else ""
            )
        )
    day = group_as_of(year, as_of)
    note = year_only_note(group, day, year_only_on(session, group, day))
    if note:
        notes.append(note)
    out.attrs["notes"] = notes
    out.attrs["world_basis"] = bases
    logger.info("group share %s %s as of %s", group, year, day)
    return out
