"""Load the shipped reference data (countries, groups, memberships, regions) into SQL.

Idempotent: countries and regions are merged by key; the memberships of each built-in group are
replaced as a whole in one transaction. User-defined regions are left untouched.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from silkhub.data.reference.countries import country_records
from silkhub.data.storage.models.reference import Country, CountryGroup, GroupMembership, Region


@dataclass(frozen=True)
class LoadSummary:
    countries: int
    groups: int
    memberships: int
    regions: int


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def load_reference(session: Session) -> LoadSummary:
    """Merge every shipped reference table into the database (caller commits)."""
    for rec in country_records():
        session.merge(Country(**rec.__dict__))
    session.flush()
    groups = _csv("groups.csv")
    for g in groups:
        session.merge(CountryGroup(**g))
    session.flush()
    memberships = _csv("group_memberships.csv")
    session.execute(
        delete(GroupMembership).where(GroupMembership.group_code.in_([g["code"] for g in groups]))
    )
    for m in memberships:
        session.add(
            GroupMembership(
                group_code=m["group_code"],
                iso3=m["iso3"],
                role=m["role"],
                joined=_date(m["joined"]),
                joined_precision=m["joined_precision"],
                left=_date(m["left"]),
                source=m["source"],
                note=m["note"] or None,
            )
        )
    regions = _csv("regions.csv")
    for r in sorted(regions, key=lambda r: r["parent_id"] != ""):
        session.merge(
            Region(
                region_id=r["region_id"],
                iso3=r["iso3"],
                level=r["level"],
                name_en=r["name_en"],
                name_zh=r["name_zh"] or None,
                parent_id=r["parent_id"] or None,
                lat=float(r["lat"]) if r["lat"] else None,
                lon=float(r["lon"]) if r["lon"] else None,
                source=r["source"] or None,
                user_defined=False,
            )
        )
        session.flush()
    return LoadSummary(
        countries=len(country_records()),
        groups=len(groups),
        memberships=len(memberships),
        regions=len(regions),
    )


def reference_loaded(session: Session) -> bool:
    """True once countries have been loaded."""
    return session.execute(select(Country.iso3).limit(1)).first() is not None
