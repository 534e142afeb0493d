"""``/indicators``: openness, group shares, RCA and trade-fit measures (analytics store)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

import duckdb
import pandas as pd
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from silkhub.analytics import openness as open_svc
from silkhub.analytics import partners as partner_svc
from silkhub.analytics.datasets import BILATERAL_PREFERENCE, PRODUCT_PREFERENCE, pick_dataset
from silkhub.analytics.registry import indicator_labels
from silkhub.api.choices import GroupCode
from silkhub.api.deps import RuntimeDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.errors import ValidationError

router = APIRouter(prefix="/indicators", tags=["indicators"])


# -- shared by the analytics routers ------------------------------------------------------------
def get_store_con(runtime: RuntimeDep) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection over the analytics store (one view per imported dataset)."""
    from silkhub.data.store import AnalyticsStore

    con = AnalyticsStore(runtime.settings.analytics_dir).connect()
    try:
        yield con
    finally:
        con.close()


StoreDep = Annotated[duckdb.DuckDBPyConnection, Depends(get_store_con)]

YearQ = Annotated[int, Query(ge=1900, le=2100, description="Year, e.g. 2016.")]
DatasetQ = Annotated[
    str,
    Query(
        pattern=r"^[a-z][a-z0-9_]{0,62}$",
        description="Store dataset name; 'auto' picks one covering the year.",
    ),
]
LevelQ = Annotated[
    int | None, Query(ge=2, le=6, description="HS digits 2, 4 or 6 (default: as stored).")
]
TopQ = Annotated[int | None, Query(ge=1, le=100000, description="First N rows only.")]
CountryQ = Annotated[str, Query(min_length=2, max_length=60, description="ISO3 code or name.")]


def clean(v: Any) -> Any:
    """JSON-safe scalar: NaN -> None, NumPy scalars -> Python."""
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _row(r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: clean(v) for k, v in r.items()}


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [_row(r) for r in df.to_dict("records")]


class Table(BaseModel):
    """A result table: ``items`` rows plus what was computed from what."""

    dataset: str | None = None
    meta: dict[str, Any] = {}
    notes: list[str] = []
    items: list[dict[str, Any]]


class Measure(BaseModel):
    dataset: str
    result: dict[str, Any]


def _measure(dataset: str, result: Mapping[str, Any]) -> Measure:
    return Measure(dataset=dataset, result=_row(result))


class IndicatorLabel(BaseModel):
    """An indicator code with its name and unit in the language asked (dataset registry)."""

    code: str
    source: Literal["regional", "wdi"]
    name: str
    unit: str
    unit_label: str
    label: str
    definition: str


# -- routes -------------------------------------------------------------------------------------
@router.get("/labels", response_model=list[IndicatorLabel])
def labels(lang: Literal["en", "zh"] = "en") -> list[IndicatorLabel]:
    """Names and units of every indicator code (regional template and WDI), per language:
    the chart titles and table headers the web UI and reports use."""
    return [IndicatorLabel(**d) for d in indicator_labels(lang)]  # type: ignore[arg-type]


@router.get("/openness", response_model=Table)
def openness(
    con: StoreDep,
    session: SessionDep,
    place: CountryQ,
    start: YearQ,
    end: YearQ,
    basis: Literal["gns", "goods"] = "gns",
    dataset: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = None,
) -> Table:
    """Openness of a country (``wdi``) or region (``regional``) by year, with CAGR."""
    if end < start:
        raise ValidationError(
            key="analytics.end_before_start", params={"start": start, "end": end}, field="end"
        )
    r = open_svc.openness(
        con, session, place=place, start=start, end=end, basis=basis, dataset=dataset
    )
    return Table(
        dataset=r.dataset,
        meta={"place": r.place, "start": start, "end": end, "basis": basis, "cagr_pct": r.cagr_pct},
        notes=r.notes,
        items=records(r.rows),
    )


@router.get("/group-share", response_model=Table)
def group_share(
    con: StoreDep,
    session: SessionDep,
    group: Annotated[GroupCode, Query(description="bri, route65, sco, asean, rcep or eu")],
    year: YearQ,
    as_of: IsoDate | None = Query(None, description="membership date (default 31 Dec of year)"),
    world: Literal["auto", "wld", "sum"] = "auto",
    measures: Annotated[list[Literal["population", "gdp", "trade"]] | None, Query()] = None,
    dataset: DatasetQ = "wdi",
) -> Table:
    """Share of a group (taken as of the year) in world population, GDP and trade."""
    df = open_svc.group_share(
        con,
        session,
        group=group,
        year=year,
        as_of=as_of,
        measures=tuple(measures or ("population", "gdp", "trade")),
        world=world,
        dataset=dataset,
    )
    return Table(
        dataset=dataset,
        meta={"group": group, "year": year, "world_basis": df.attrs.get("world_basis", {})},
        notes=list(df.attrs.get("notes", [])),
        items=records(df),
    )


@router.get("/rca", response_model=Table)
def rca(
    con: StoreDep,
    session: SessionDep,
    year: YearQ,
    country: Annotated[str | None, Query(min_length=2, max_length=60)] = None,
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
    top: TopQ = None,
) -> Table:
    """Balassa and symmetric RCA by exporter and product."""
    ds = pick_dataset(con, dataset, year, PRODUCT_PREFERENCE)
    df = partner_svc.rca_table(
        con, session, dataset=ds, year=year, level=level, country=country, top=top
    )
    return Table(dataset=ds, meta={"year": year, "level": level}, items=records(df))


@router.get("/complementarity", response_model=Measure)
def complementarity(
    con: StoreDep,
    session: SessionDep,
    exporter: CountryQ,
    importer: CountryQ,
    year: YearQ,
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
) -> Measure:
    """Trade complementarity index (0–100)."""
    r = partner_svc.complementarity(
        con, session, dataset=dataset, exporter=exporter, importer=importer, year=year, level=level
    )
    return _measure(str(r["dataset"]), r)


@router.get("/similarity", response_model=Measure)
def similarity(
    con: StoreDep,
    session: SessionDep,
    a: CountryQ,
    b: CountryQ,
    year: YearQ,
    market: Annotated[str | None, Query(min_length=2, max_length=60)] = None,
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
) -> Measure:
    """Export similarity index (0–100) of two exporters."""
    ds = pick_dataset(con, dataset, year, PRODUCT_PREFERENCE)
    r = partner_svc.similarity(
        con, session, dataset=ds, a=a, b=b, year=year, level=level, market=market
    )
    return _measure(ds, r)


@router.get("/concentration", response_model=Measure)
def concentration(
    con: StoreDep,
    session: SessionDep,
    country: CountryQ,
    year: YearQ,
    by: Literal["product", "partner"] = "product",
    flow: Literal["exports", "imports"] = "exports",
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
) -> Measure:
    """Herfindahl–Hirschman concentration by product or partner."""
    pref = PRODUCT_PREFERENCE if by == "product" else BILATERAL_PREFERENCE
    ds = pick_dataset(con, dataset, year, pref)
    r = partner_svc.concentration(
        con, session, dataset=ds, country=country, year=year, by=by, flow=flow, level=level
    )
    return _measure(ds, r)


@router.get("/intensity", response_model=Measure)
def intensity(
    con: StoreDep,
    session: SessionDep,
    exporter: CountryQ,
    importer: CountryQ,
    year: YearQ,
    dataset: DatasetQ = "auto",
) -> Measure:
    """Trade intensity index of exporter → importer."""
    ds = pick_dataset(con, dataset, year, BILATERAL_PREFERENCE)
    r = partner_svc.intensity(
        con, session, dataset=ds, exporter=exporter, importer=importer, year=year
    )
    return _measure(ds, r)
