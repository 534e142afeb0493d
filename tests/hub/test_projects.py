from datetime import date
from decimal import Decimal

import pytest

from silkhub.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnknownCountryError,
    ValidationError,
)
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor
from tests.hub.conftest import SYSTEM, member


def _p(session, **kw):
    kw.setdefault("title_en", "Project")
    return pj.create_project(session, SYSTEM, pj.ProjectIn(**kw))


def test_create_keeps_money_with_currency_and_year(session, two_orgs):
    p = _p(
        session,
        title_zh="物流园",
        iso3="Kazakhstan",
        value_amount=Decimal("1000000000"),
        value_currency="CNY",
        value_year=2020,
        parties=[pj.PartyIn(organisation_id=two_orgs[0], role="investor")],
    )
    assert p.iso3 == "KAZ"
    assert (p.value_amount, p.value_currency, p.value_year) == (Decimal("1000000000"), "CNY", 2020)
    # 1e9 CNY / 6.9008 CNY per US$ (2020 average) = 144,910,735 US$
    assert p.value_usd == pytest.approx(1e9 / 6.9008)
    assert p.identifier.startswith("oc4ids-silkhub-")
    assert pj.owner_ids(p) == [two_orgs[0]]


def test_region_sets_country(session):
    p = _p(session, region_id="Qingdao")
    assert (p.region_id, p.iso3) == ("CN-SD-qingdao", "CHN")
    with pytest.raises(ValidationError):
        _p(session, region_id="Qingdao", iso3="KAZ")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        pytest.param({"title_en": ""}, "title_en", id="no-title"),
        pytest.param({"value_amount": 5}, "value_currency", id="amount-without-currency"),
        pytest.param({"isic_code": "ZZ"}, "isic_code", id="bad-sector"),
        pytest.param({"project_type": "castle"}, "project_type", id="bad-type"),
        pytest.param({"lat": 10.0}, "lat", id="lat-without-lon"),
    ],
)
def test_validation_names_the_field(session, kw, field):
    with pytest.raises(ValidationError) as exc:
        _p(session, **kw)
    assert exc.value.field == field


def test_unknown_country(session):
    with pytest.raises(UnknownCountryError):
        _p(session, iso3="Atlantis")


def test_duplicate_external_id_rejected(session):
    _p(session, source="cgit", external_id="X1")
    with pytest.raises(ConflictError):
        _p(session, source="cgit", external_id="X1")
    _p(session, source="gcdf", external_id="X1")  # another source may reuse it


def test_cursor_pagination_walks_everything_once_in_order(session):
    values = [5, None, 3, 5, None, 1, 9, 3]
    for i, v in enumerate(values):
        _p(session, title_en=f"p{i}", value_amount=v, value_currency="USD" if v else None)
    seen, cursor = [], None
    while True:
        page = pj.list_projects(session, SYSTEM, sort="-value_usd", cursor=cursor, limit=3)
        seen.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(values) == len({p.id for p in seen})
    keys = [(p.value_usd if p.value_usd is not None else -1, p.id) for p in seen]
    assert keys == sorted(keys, reverse=True)  # NULLs last when descending
    asc = pj.list_projects(session, SYSTEM, sort="value_usd", limit=100).items
    assert [p.value_usd for p in asc][:2] == [None, None]  # NULLs first when ascending


def test_bad_cursor_and_sort(session):
    with pytest.raises(ValidationError) as exc:
        pj.list_projects(session, SYSTEM, cursor="garbage!")
    assert exc.value.field == "cursor"
    with pytest.raises(ValidationError):
        pj.list_projects(session, SYSTEM, sort="colour")
    with pytest.raises(ValidationError):
        pj.list_projects(session, SYSTEM, limit=0)


def test_filters(session):
    a = _p(
        session,
        title_en="Almaty rail",
        title_zh="阿拉木图铁路",
        iso3="KAZ",
        isic_code="42",
        value_amount=100,
        value_currency="USD",
        dated_on=date(2019, 5, 1),
    )
    b = _p(
        session,
        title_en="Tashkent plant",
        iso3="UZB",
        isic_code="C",
        value_amount=500,
        value_currency="USD",
        dated_on=date(2020, 5, 1),
        stage="signed",
    )
    c = _p(
        session,
        title_en="Qingdao port",
        region_id="CN-SD-qingdao",
        isic_code="F",
        project_type="expansion",
    )

    def ids(**f):
        return [
            p.id for p in pj.list_projects(session, SYSTEM, pj.ProjectFilters(**f), sort="id").items
        ]

    assert ids(country="KAZ") == [a.id]
    assert ids(sector="F") == [a.id, c.id]  # the section includes division 42
    assert ids(stage=["signed"]) == [b.id]
    assert ids(value_min_usd=200) == [b.id]
    assert ids(value_max_usd=200) == [a.id]
    assert ids(date_from=date(2020, 1, 1), date_to=date(2020, 12, 31)) == [b.id]
    assert ids(q="RAIL") == [a.id]
    assert ids(q="铁路") == [a.id]
    assert ids(region="Shandong") == [c.id]  # child regions count
    assert ids(project_type="expansion") == [c.id]
    with pytest.raises(ValidationError):
        ids(value_min_usd=10, value_max_usd=5)


def test_totals(session):
    _p(session, stage="signed", value_amount=100, value_currency="USD")
    _p(session, stage="signed", value_amount=50, value_currency="USD")
    _p(session, stage="proposed")
    rows = {r["key"]: r for r in pj.project_totals(session, SYSTEM, group_by="stage")}
    assert rows["signed"]["projects"] == 2 and rows["signed"]["value_usd"] == pytest.approx(150)
    assert rows["proposed"]["projects"] == 1 and rows["proposed"]["valued"] == 0


def test_private_projects_are_invisible_to_other_organisations(session, two_orgs):
    mine, theirs = two_orgs
    p = _p(session, visibility="private", parties=[pj.PartyIn(organisation_id=mine, role="owner")])
    assert pj.get_project(session, member(session, mine), p.id).id == p.id
    for actor in (member(session, theirs), Actor.anonymous()):
        with pytest.raises(NotFoundError):
            pj.get_project(session, actor, p.id)
        with pytest.raises(NotFoundError):
            pj.update_project(session, actor, p.id, pj.ProjectPatch(title_en="x"))
        with pytest.raises(NotFoundError):
            pj.transition(session, actor, p.id, "announced")
        assert p.id not in [x.id for x in pj.list_projects(session, actor).items]
    staff = member(session, None, "admin")
    assert pj.get_project(session, staff, p.id).id == p.id


def test_writes_need_role_and_ownership(session, two_orgs):
    mine, theirs = two_orgs
    p = _p(session, parties=[pj.PartyIn(organisation_id=mine, role="owner")])
    with pytest.raises(PermissionDeniedError):
        pj.update_project(session, member(session, theirs), p.id, pj.ProjectPatch(title_en="x"))
    viewer = member(session, mine, "viewer")
    with pytest.raises(PermissionDeniedError):
        pj.update_project(session, viewer, p.id, pj.ProjectPatch(title_en="x"))
    with pytest.raises(AuthenticationError):
        pj.update_project(session, Actor.anonymous(), p.id, pj.ProjectPatch(title_en="x"))
    pj.update_project(session, member(session, mine), p.id, pj.ProjectPatch(title_en="renamed"))
    assert p.title_en == "renamed"
    # a member may only create projects of its own organisation
    with pytest.raises(PermissionDeniedError):
        pj.create_project(
            session,
            member(session, mine),
            pj.ProjectIn(title_en="x", parties=[pj.PartyIn(organisation_id=theirs, role="owner")]),
        )


def test_update_recomputes_usd_and_delete(session):
    p = _p(session, value_amount=100, value_currency="USD")
    pj.update_project(
        session,
        SYSTEM,
        p.id,
        pj.ProjectPatch(value_amount=Decimal("690.08"), value_currency="CNY", value_year=2020),
    )
    assert p.value_usd == pytest.approx(100.0)  # 690.08 / 6.9008
    pj.delete_project(session, SYSTEM, p.id)
    with pytest.raises(NotFoundError):
        pj.get_project(session, SYSTEM, p.id)


def test_first_stage_in_the_future_is_refused(session):
    from datetime import timedelta

    later = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _p(session, stage_on=later)
    assert exc.value.key == "project.start_in_future" and exc.value.field == "stage_on"
    assert exc.value.params == {"date": later.isoformat()}
    assert _p(session, stage_on=date.today()).stage_on == date.today()


def test_create_unless_similar_stores_nothing_until_confirmed(session):
    from sqlalchemy import func, select

    from silkhub.data.storage.models.accounts import AuditEntry
    from silkhub.data.storage.models.hub import Project

    fields = dict(
        title_en="Qingdao cold-chain logistics centre", title_zh="青岛冷链物流中心", iso3="CHN",
        region_id="CN-SD-qingdao", isic_code="52", value_amount=Decimal("2000000000"),
        value_currency="CNY", value_year=2021, stage_on=date(2021, 3, 1),
        dated_on=date(2021, 3, 1),
    )  # fmt: skip
    first = _p(session, **fields)
    n = session.scalar(select(func.count()).select_from(Project))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    copy = pj.ProjectCreate(**(fields | {"title_en": "Qingdao cold chain logistics center"}))
    saved, warnings = pj.create_unless_similar(session, SYSTEM, copy)
    assert saved is None and [w["project_id"] for w in warnings] == [first.id]
    assert session.scalar(select(func.count()).select_from(Project)) == n
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    saved, warnings = pj.create_unless_similar(session, SYSTEM, copy, accept_similar=True)
    assert saved is not None and saved.id != first.id and warnings
    assert session.scalar(select(func.count()).select_from(Project)) == n + 1
