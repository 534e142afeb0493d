from datetime import date
from decimal import Decimal

import pytest

from silkhub.errors import ConflictError, ValidationError
from silkhub.hub import demo
from silkhub.hub import events as ev
from silkhub.hub import projects as pj
from tests.hub.conftest import SYSTEM


def test_seed_003_event_totals_come_out_as_quoted(session):
    summary = demo.load_into(session)
    assert summary and "42.7 bn CNY signed" in summary
    assert demo.load_into(session) is None  # idempotent
    event = ev.list_events(session, SYSTEM).items[0]
    totals = ev.event_totals(session, SYSTEM, event.id)
    assert totals.describe() == "10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced"
    assert totals.describe("zh") == "签约项目10个，427亿元人民币；发布项目20个，800亿元人民币"
    assert totals.signed.amounts == {"CNY": Decimal("42700000000")}
    # US$ at the 2020 average (6.9008 CNY per US$): 42.7e9 / 6.9008
    assert totals.signed.usd == pytest.approx(42.7e9 / 6.9008)


def test_compute_totals_counts_projects_once_and_keeps_currencies_apart():
    rows = [
        ("signed", 1, Decimal(10), "CNY"),
        ("signed", 2, Decimal(5), "USD"),
        ("signed", 2, Decimal(1), "USD"),
        ("announced", 3, None, None),
    ]
    t = ev.compute_totals(rows, {"CNY": 0.1, "USD": 1.0})
    assert t["signed"].projects == 2
    assert t["signed"].amounts == {"CNY": Decimal(10), "USD": Decimal(6)}
    assert t["signed"].usd == pytest.approx(10 * 0.1 + 6)  # 7.0
    assert (t["announced"].projects, t["announced"].unpriced) == (1, 1)
    assert t["announced"].describe() == "1 project announced"
    assert ev.compute_totals(rows, {"CNY": None, "USD": 1.0})["signed"].usd is None


def test_signing_moves_the_project_and_duplicates_are_rejected(session):
    e = ev.create_event(
        session,
        SYSTEM,
        ev.EventIn(
            kind="roadshow", title_en="Almaty roadshow", start_on=date(2021, 4, 1), iso3="KAZ"
        ),
    )
    p = pj.create_project(
        session, SYSTEM, pj.ProjectIn(title_en="x", stage="negotiating", stage_on=date(2021, 1, 1))
    )
    ev.link_project(
        session,
        SYSTEM,
        e.id,
        ev.EventProjectIn(project_id=p.id, kind="signed", amount=5, currency="USD"),
    )
    assert (p.stage, p.stage_on) == ("signed", date(2021, 4, 1))
    with pytest.raises(ConflictError):
        ev.link_project(session, SYSTEM, e.id, ev.EventProjectIn(project_id=p.id, kind="signed"))
    with pytest.raises(ValidationError):
        ev.link_project(
            session, SYSTEM, e.id, ev.EventProjectIn(project_id=p.id, kind="announced", amount=5)
        )


def test_event_dates_and_kind_are_checked(session):
    with pytest.raises(ValidationError) as exc:
        ev.create_event(
            session,
            SYSTEM,
            ev.EventIn(
                kind="conference", title_en="x", start_on=date(2020, 5, 2), end_on=date(2020, 5, 1)
            ),
        )
    assert exc.value.field == "end_on"
    with pytest.raises(ValidationError):
        ev.create_event(
            session, SYSTEM, ev.EventIn(kind="party", title_en="x", start_on=date(2020, 5, 2))
        )


def test_invisible_organisations_cannot_be_referenced(session):
    from silkhub.hub import organisations as orgs
    from tests.hub.conftest import member

    hidden = orgs.create_organisation(
        session, SYSTEM, orgs.OrganisationIn(kind="soe", name_en="Hidden", visibility="private")
    )
    operator = member(session, None, "operator")
    with pytest.raises(ValidationError) as exc:
        ev.create_event(
            session,
            operator,
            ev.EventIn(
                kind="conference",
                title_en="x",
                start_on=date(2021, 1, 1),
                organiser_ids=[hidden.id],
            ),
        )
    assert exc.value.message == f"organisation {hidden.id} does not exist"
    with pytest.raises(ValidationError):
        pj.create_project(
            session,
            operator,
            pj.ProjectIn(
                title_en="x", parties=[pj.PartyIn(organisation_id=hidden.id, role="owner")]
            ),
        )
