"""Countries and country groups (reference data)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from silkhub.api.choices import GroupCode
from silkhub.api.deps import SessionDep
from silkhub.api.models import model_of
from silkhub.api.params import IsoDate
from silkhub.data.reference import queries

router = APIRouter(prefix="/countries", tags=["countries"])


CountryOut = model_of(
    queries.CountryRow,
    "CountryOut",
    extra={
        "joined_precision": (
            str | None,
            Field(
                None,
                description="day, or year when the source gives the year only (shown as YYYY)",
            ),
        ),
        "source": (str | None, Field(None, description="source of the membership row")),
    },
)


class CountryPage(BaseModel):
    items: list[CountryOut]  # type: ignore[valid-type]
    total: int
    limit: int
    offset: int
    year_only: list[str] = Field(
        default_factory=list,
        description="members on the as-of date whose membership rests on a year-only signing "
        "date in that year (counted from 1 January)",
    )
    note: str | None = None


class MembershipOut(BaseModel):
    group: str
    role: str
    joined: str
    joined_precision: str = "day"
    left: str | None
    source: str
    note: str | None


class CountryDetail(CountryOut):  # type: ignore[misc,valid-type]
    official_name_en: str | None = None
    memberships: list[MembershipOut] = []


@router.get("", response_model=CountryPage)
def list_countries(
    session: SessionDep,
    group: GroupCode | None = Query(None, description="bri, route65, sco, asean, rcep or eu"),
    as_of: IsoDate | None = Query(None, description="membership as of this date (default today)"),
    role: Literal["member", "observer", "dialogue_partner", "all"] = "member",
    lang: Literal["en", "zh"] = "en",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> CountryPage:
    """Countries, or the members of a group as of a date."""
    rows = queries.list_countries(session, group=group, as_of=as_of, role=role, lang=lang)
    page = rows[offset : offset + limit]
    pairs: list[tuple[str, int]] = []
    if group is not None:
        pairs = queries.year_only_on(session, group, as_of or date.today(), role)
    return CountryPage(
        items=[CountryOut(**r.__dict__) for r in page],
        total=len(rows),
        limit=limit,
        offset=offset,
        year_only=[c for c, _ in pairs],
        note=queries.year_only_note(group, as_of or date.today(), pairs) if group else None,
    )


@router.get("/{iso3}", response_model=CountryDetail)
def show_country(session: SessionDep, iso3: str, lang: Literal["en", "zh"] = "en") -> CountryDetail:
    """One country with its group memberships."""
    c = queries.get_country(session, iso3)
    ms = queries.country_memberships(session, c.iso3)
    return CountryDetail(
        iso3=c.iso3,
        iso2=c.iso2,
        name=(c.name_zh or c.name_en) if lang == "zh" else c.name_en,
        name_en=c.name_en,
        name_zh=c.name_zh,
        official_name_en=c.official_name_en,
        wb_region=c.wb_region,
        wb_income=c.wb_income,
        continent=c.continent,
        memberships=[
            MembershipOut(
                group=m.group_code,
                role=m.role,
                joined=str(m.joined.year) if m.joined_precision == "year" else m.joined.isoformat(),
                joined_precision=m.joined_precision,
                left=m.left.isoformat() if m.left else None,
                source=m.source,
                note=m.note,
            )
            for m in ms
        ],
    )
