"""Repeated-construction warning over hub projects (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from silkhub.errors import NotFoundError, ValidationError
from silkhub.hub import duplicates as dup
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor
from tests.hub.conftest import member

SYSTEM = Actor.system()


def _p(session: Session, **kw) -> int:
    return pj.create_project(session, SYSTEM, pj.ProjectIn(**kw)).id


@pytest.fixture
def parks(session: Session) -> dict[str, int]:
    org = orgs.create_organisation(
        session, SYSTEM, orgs.OrganisationIn(kind="government", name_en="Zibo gov")
    )
    return {
        "jinan": _p(
            session,
            title_en="Jinan International Logistics Park",
            title_zh="济南国际物流园",
            region_id="CN-SD-jinan",
            isic_code="52",
            dated_on=date(2020, 3, 1),
            value_amount=500,
            value_currency="USD",
            value_year=2020,
        ),
        "zibo": _p(
            session,
            title_en="Zibo International Logistics Park",
            title_zh="淄博国际物流园",
            region_id="CN-SD-zibo",
            isic_code="52",
            dated_on=date(2021, 1, 1),
        ),
        "qingdao_private": _p(
            session,
            title_en="Qingdao International Logistics Park",
            region_id="CN-SD-qingdao",
            isic_code="52",
            dated_on=date(2020, 6, 1),
            visibility="private",
            parties=[pj.PartyIn(organisation_id=org.id, role="owner")],
        ),
        "solar": _p(
            session,
            title_en="Jinan solar plant",
            region_id="CN-SD-jinan",
            isic_code="35",
            dated_on=date(2020, 1, 1),
        ),
    }


def test_duplicates_of_project_with_reasons(session: Session, parks: dict[str, int]) -> None:
    res = dup.duplicates_of_project(session, SYSTEM, parks["jinan"], threshold=0.6)
    ids = [r["project_id"] for r in res]
    assert parks["zibo"] in ids and parks["solar"] not in ids
    z = next(r for r in res if r["project_id"] == parks["zibo"])
    assert any("neighbouring regions" in x for x in z["reasons"])  # Jinan-Zibo ~ 85 km
    assert 0.6 <= z["score"] <= 1.0


def test_visibility_respected(session: Session, parks: dict[str, int]) -> None:
    outsider = member(session, None, role="viewer")
    ids = [
        r["project_id"]
        for r in dup.duplicates_of_project(session, outsider, parks["jinan"], threshold=0.6)
    ]
    assert parks["qingdao_private"] not in ids
    assert parks["qingdao_private"] in [
        r["project_id"]
        for r in dup.duplicates_of_project(session, SYSTEM, parks["jinan"], threshold=0.6)
    ]
    with pytest.raises(NotFoundError):
        dup.duplicates_of_project(session, outsider, parks["qingdao_private"])


def test_check_draft_and_region_report(session: Session, parks: dict[str, int]) -> None:
    draft = dup.DraftProject(
        title_zh="济南市国际物流园区", region_id="Jinan", isic_code="52", year=2020
    )
    found = dup.check_draft(session, SYSTEM, draft, threshold=0.6)
    assert found and found[0]["project_id"] == parks["jinan"]
    report = dup.region_report(session, SYSTEM, region="Shandong", threshold=0.6)
    assert report and report[0]["across_localities"]
    assert {parks["jinan"], parks["zibo"]} <= {p["id"] for p in report[0]["projects"]}
    assert dup.region_report(session, SYSTEM, region="CN-SD-yantai") == []
    with pytest.raises(ValidationError):
        dup.region_report(session, SYSTEM, threshold=1.5)
