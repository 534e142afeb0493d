"""``/complexity``: ECI, PCI and "which products next" for a country."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import duckdb
import pandas as pd
from fastapi import APIRouter, Depends, Query

from silkhub.analytics import complexity as cx_svc
from silkhub.analytics.datasets import PRODUCT_PREFERENCE, country_code, pick_dataset
from silkhub.api.deps import RuntimeDep, SessionDep
from silkhub.api.routes.indicators import (
    CountryQ,
    DatasetQ,
    LevelQ,
    StoreDep,
    Table,
    TopQ,
    YearQ,
    records,
)
from silkhub.core.complexity import ComplexityResult

router = APIRouter(prefix="/complexity", tags=["complexity"])

ThresholdQ = Annotated[float, Query(gt=0, lt=100, description="RCA threshold for presence (>=).")]


def _compute(
    con: duckdb.DuckDBPyConnection,
    runtime: RuntimeDep,
    dataset: str,
    year: int,
    level: int | None,
    threshold: float,
) -> tuple[str, ComplexityResult]:
    from silkhub.data.store import AnalyticsStore

    ds = pick_dataset(con, dataset, year, PRODUCT_PREFERENCE)
    store = AnalyticsStore(runtime.settings.analytics_dir)
    if store.has(ds):  # once per dataset version, bounded, shared by the workers (issue 19)
        return ds, cx_svc.cached(store, ds, year, level=level, threshold=threshold, con=con)
    res = cx_svc.compute(con, dataset=ds, year=year, level=level, threshold=threshold)
    return ds, res


def _meta(res: ComplexityResult, year: int, level: int | None, threshold: float) -> dict:
    return {
        "year": year,
        "level": level,
        "threshold": threshold,
        "countries": len(res.countries),
        "products": len(res.products),
        "dropped_countries": res.dropped_countries,
        "dropped_products": res.dropped_products,
    }


IndexTable = Callable[[ComplexityResult, int | None], pd.DataFrame]


def _index_query(
    con: StoreDep,
    runtime: RuntimeDep,
    year: YearQ,
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
    threshold: ThresholdQ = 1.0,
    top: TopQ = None,
) -> Callable[[IndexTable], Table]:
    """The query of ``/eci`` and ``/pci``: the table of one index over what it asks for."""

    def answer(index_table: IndexTable) -> Table:
        ds, res = _compute(con, runtime, dataset, year, level, threshold)
        return Table(
            dataset=ds,
            meta=_meta(res, year, level, threshold),
            items=records(index_table(res, top)),
        )

    return answer


IndexQuery = Annotated[Callable[[IndexTable], Table], Depends(_index_query)]


@router.get("/eci", response_model=Table)
def eci(query: IndexQuery) -> Table:
    """Economic complexity index of every exporter (standardised; ecomplexity conventions)."""
    return query(cx_svc.eci_table)


@router.get("/pci", response_model=Table)
def pci(query: IndexQuery) -> Table:
    """Product complexity index of every product."""
    return query(cx_svc.pci_table)


@router.get("/next", response_model=Table)
def what_next(
    con: StoreDep,
    runtime: RuntimeDep,
    session: SessionDep,
    country: CountryQ,
    year: YearQ,
    by: Literal["cog", "density", "pci"] = "cog",
    dataset: DatasetQ = "auto",
    level: LevelQ = None,
    threshold: ThresholdQ = 1.0,
    top: Annotated[int, Query(ge=1, le=100000)] = 20,
) -> Table:
    """Products the country does not yet export with RCA, best opportunities first."""
    iso3 = country_code(session, country)
    ds, res = _compute(con, runtime, dataset, year, level, threshold)
    df = cx_svc.what_next(res, session, iso3, by=by, top=top)
    meta = _meta(res, year, level, threshold) | {"country": cx_svc.country_profile(res, iso3)}
    return Table(dataset=ds, meta=meta, items=records(df))
