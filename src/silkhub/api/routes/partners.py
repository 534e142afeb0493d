"""``/partners``: a reporter's partners ranked with shares, growth and trade balance."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from silkhub.analytics import partners as partner_svc
from silkhub.analytics.datasets import BILATERAL_PREFERENCE, pick_dataset
from silkhub.api.choices import GroupCode
from silkhub.api.deps import SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.indicators import (
    CountryQ,
    DatasetQ,
    StoreDep,
    Table,
    TopQ,
    YearQ,
    records,
)

router = APIRouter(prefix="/partners", tags=["partners"])

GroupQ = Annotated[
    GroupCode | None, Query(description="only partners in this group: bri, route65, sco, asean …")
]


def _rank(con, session, reporter, year, group, flow, top, dataset, as_of, lang):
    ds = pick_dataset(con, dataset, year, BILATERAL_PREFERENCE)
    return partner_svc.rank_partners(
        con,
        session,
        dataset=ds,
        reporter=reporter,
        year=year,
        flow=flow,
        group=group,
        as_of=as_of,
        top=top,
        lang=lang,
    )


@router.get("/rank", response_model=Table)
def rank(
    con: StoreDep,
    session: SessionDep,
    reporter: CountryQ,
    year: YearQ,
    group: GroupQ = None,
    flow: Literal["total", "exports", "imports", "all"] = "total",
    top: TopQ = None,
    dataset: DatasetQ = "auto",
    as_of: IsoDate | None = None,
    lang: Literal["en", "zh"] = "en",
) -> Table:
    """Table-1-style ranking (seed 002): exports, imports, total, balance, shares, growth.

    ``flow=all`` gives the import, export and total rankings side by side (Table 1's layout).
    """
    r = _rank(con, session, reporter, year, group, flow, top, dataset, as_of, lang)
    return Table(
        dataset=r.dataset,
        meta={
            "reporter": r.reporter,
            "year": r.year,
            "flow": r.flow,
            "group": r.group,
            "share_basis": r.basis,
        },
        notes=r.notes,
        items=records(r.rows),
    )


@router.get("/balance", response_model=Table)
def balance(
    con: StoreDep,
    session: SessionDep,
    reporter: CountryQ,
    year: YearQ,
    group: GroupQ = None,
    dataset: DatasetQ = "auto",
    as_of: IsoDate | None = None,
    lang: Literal["en", "zh"] = "en",
) -> Table:
    """Trade balance with each partner (largest deficits first) and the selection's total."""
    r = _rank(con, session, reporter, year, group, "total", None, dataset, as_of, lang)
    df = r.rows.sort_values(["balance_usd", "partner"]).reset_index(drop=True)
    cols = ["partner", "partner_name", "exports_usd", "imports_usd", "balance_usd", "total_usd"]
    return Table(
        dataset=r.dataset,
        meta={
            "reporter": r.reporter,
            "year": r.year,
            "group": r.group,
            "total": partner_svc.balance_summary(r),
        },
        notes=r.notes,
        items=records(df[cols]),
    )
