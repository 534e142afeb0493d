"""The lean read path of project lists (``list_project_rows``, used by the API) gives exactly
the pages of ``list_projects``: same visibility, filters, order and cursors."""

from datetime import date
from decimal import Decimal

import pytest

from silkhub.errors import UnknownCountryError, ValidationError
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor
from tests.hub.conftest import SYSTEM, member


def _walk(list_page, session, actor, filters, sort, limit):
    """Every page of a listing: (ids per page, cursors)."""
    pages, cursors, cursor = [], [], None
    while True:
        page = list_page(session, actor, filters, sort=sort, cursor=cursor, limit=limit)
        pages.append([p["id"] if isinstance(p, dict) else p.id for p in page.items])
        cursors.append(page.next_cursor)
        if not page.next_cursor:
            return pages, cursors
        cursor = page.next_cursor


@pytest.fixture
def projects(session, two_orgs):
    values = [5, None, 3, 5, None, 1, 9, 3, 7, None]
    for i, v in enumerate(values):
        pj.create_project(
            session,
            SYSTEM,
            pj.ProjectIn(
                title_en=f"Port {i}",
                title_zh=f"港口{i}",
                iso3=["KAZ", "PAK"][i % 2],
                isic_code=["F", "52"][i % 2],
                value_amount=v,
                value_currency="USD" if v else None,
                dated_on=date(2020, 1, 1 + i) if i % 3 else None,
                stage=["proposed", "signed"][i % 2],
                visibility=["public", "public", "private"][i % 3],
                parties=[pj.PartyIn(organisation_id=two_orgs[i % 2], role="owner")],
            ),
        )
    return two_orgs


@pytest.mark.parametrize("sort", ["id", "-id", "value_usd", "-value_usd", "dated_on", "-dated_on"])
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_same_pages_as_the_orm_listing(session, projects, sort, limit):
    actors = [SYSTEM, Actor.anonymous(), member(session, projects[0])]
    for actor in actors:
        for f in [pj.ProjectFilters(), pj.ProjectFilters(country="kaz", stage=["signed"])]:
            lean = _walk(pj.list_project_rows, session, actor, f, sort, limit)
            orm = _walk(pj.list_projects, session, actor, f, sort, limit)
            assert lean == orm


def test_items_carry_the_list_columns(session, projects):
    page = pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="Pakistan"), limit=50)
    assert page.items and all(list(item) == list(pj.LIST_COLUMNS) for item in page.items)
    first = page.items[0]
    assert first["iso3"] == "PAK" and first["title_zh"].startswith("港口")
    assert isinstance(first["value_amount"], Decimal | None)


def test_private_projects_only_for_their_organisation(session, projects):
    # project 3 (index 2) is private and owned by the first organisation
    anonymous = pj.list_project_rows(session, Actor.anonymous(), limit=50).items
    own = pj.list_project_rows(session, member(session, projects[0]), limit=50).items
    other = pj.list_project_rows(session, member(session, projects[1]), limit=50).items
    assert len(anonymous) == 7  # 10 projects, indexes 2, 5, 8 private
    assert len(own) == 7 + 2  # plus its private projects (indexes 2 and 8)
    assert len(other) == 7 + 1  # plus index 5


def test_errors_as_the_orm_listing(session, projects):
    with pytest.raises(ValidationError):
        pj.list_project_rows(session, SYSTEM, cursor="garbage!")
    with pytest.raises(ValidationError):
        pj.list_project_rows(session, SYSTEM, limit=0)
    with pytest.raises(UnknownCountryError):
        pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="Atlantis"))
    with pytest.raises(UnknownCountryError):
        pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="XYZ"))


def test_code_shaped_values_answer_as_the_orm_listing(session, projects):
    """A three-letter value filters directly on the lean path; an empty page then resolves it as
    the general path does: "kaz" is KAZ, "UAE" names the United Arab Emirates (ARE), "XYZ" is
    unknown, and a known code with no projects is an empty page, not an error."""
    pj.create_project(
        session,
        SYSTEM,
        pj.ProjectIn(title_en="Dubai depot", title_zh="迪拜仓库", iso3="ARE", isic_code="52"),
    )
    for value in ["kaz", " PAK ", "UAE", "are", "DEU"]:
        f = pj.ProjectFilters(country=value)
        lean = _walk(pj.list_project_rows, session, SYSTEM, f, "-id", 50)
        assert lean == _walk(pj.list_projects, session, SYSTEM, f, "-id", 50), value
    uae = pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="UAE")).items
    assert [p["iso3"] for p in uae] == ["ARE"]
    assert pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="DEU")).items == []
    with pytest.raises(UnknownCountryError) as err:
        pj.list_project_rows(session, SYSTEM, pj.ProjectFilters(country="xyz", stage=["signed"]))
    assert err.value.key == "project.unknown_country"
