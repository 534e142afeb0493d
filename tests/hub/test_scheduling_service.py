"""Meeting programme of an event: load, schedule with CP-SAT, store, agendas (.ics, HTML)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.matching import EventParticipant, Meeting
from silkhub.errors import NotFoundError, ValidationError
from silkhub.hub import events as ev
from silkhub.hub import scheduling as sch
from silkhub.hub.policy import Actor
from tests.hub.conftest import member

SYSTEM = Actor.system()
T0 = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


def programme() -> sch.ProgrammeIn:
    slots = [
        sch.SlotIn(
            starts_at=T0 + timedelta(minutes=30 * k),
            ends_at=T0 + timedelta(minutes=30 * k + 25),
            is_break=(k == 2),
        )
        for k in range(4)
    ]
    return sch.ProgrammeIn(
        slots=slots,
        tables=["A1", "A2"],
        participants=[
            sch.ParticipantIn(name="COSCO", max_meetings=2),
            sch.ParticipantIn(name="Kazakh chamber"),
            sch.ParticipantIn(name="Uzbek investor", available=[3]),
            sch.ParticipantIn(name="Nobody wants me", available=[0]),
        ],
        requests=[
            sch.RequestIn(requester=0, target=1, priority=3),
            sch.RequestIn(requester=1, target=0, priority=1),  # mutual
            sch.RequestIn(requester=0, target=2, priority=2),
            sch.RequestIn(requester=1, target=2, priority=1),
            sch.RequestIn(requester=3, target=2, priority=5),  # no common slot
        ],
    )


@pytest.fixture
def event_id(session: Session) -> int:
    e = ev.create_event(
        session,
        SYSTEM,
        ev.EventIn(
            kind="exhibition", title_en="SCO expo B2B", start_on=date(2025, 6, 10), place="Qingdao"
        ),
    )
    return e.id


def test_schedule_store_and_agendas(session: Session, event_id: int) -> None:
    counts = sch.load_programme(session, SYSTEM, event_id, programme())
    assert counts == {
        "event_id": event_id,
        "slots": 4,
        "tables": 2,
        "participants": 4,
        "requests": 5,
    }
    res = sch.schedule_event(session, SYSTEM, event_id, time_limit_s=10)
    assert res.status == "OPTIMAL"
    # pairs: COSCO-Kazakh (3+1, mutual), COSCO-Uzbek 2, Kazakh-Uzbek 1, Nobody-Uzbek 5 (no slot)
    # Uzbek only in slot 3: COSCO-Uzbek (2) there; COSCO-Kazakh in slot 0 or 1 -> 4 + 2 = 6
    assert res.objective == pytest.approx(6.0)
    assert res.lp_bound is not None and res.lp_bound >= res.objective - 1e-6
    reasons = {frozenset((u["a"], u["b"])): u["reason"] for u in res.unmet}
    assert reasons[frozenset(("Nobody wants me", "Uzbek investor"))] == "no common available slot"
    assert "Uzbek investor busy" in reasons[frozenset(("Kazakh chamber", "Uzbek investor"))]
    n = session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.event_id == event_id)
    )
    assert n == 2
    # rescheduling replaces, never duplicates
    sch.schedule_event(session, SYSTEM, event_id, time_limit_s=10)
    assert (
        session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.event_id == event_id)
        )
        == 2
    )
    cosco = session.scalars(select(EventParticipant).where(EventParticipant.name == "COSCO")).one()
    items = sch.agenda(session, SYSTEM, event_id, cosco.id)
    assert [i.with_name for i in items][-1] == "Uzbek investor"
    assert items[-1].starts_at == T0 + timedelta(minutes=90)
    event = ev.get_event(session, SYSTEM, event_id)
    cal = Calendar.from_ical(sch.agenda_ics(event, cosco, items))
    vevents = [c for c in cal.walk("VEVENT")]
    assert len(vevents) == 2
    assert "Uzbek investor" in str(vevents[-1]["SUMMARY"])
    assert vevents[-1]["DTSTART"].dt == T0 + timedelta(minutes=90)
    page = sch.agenda_html(event, cosco, items)
    assert "<table>" in page and "Uzbek investor" in page and "SCO expo B2B" in page


def test_programme_validation(session: Session, event_id: int) -> None:
    bad = programme()
    bad.requests.append(sch.RequestIn(requester=0, target=9))
    with pytest.raises(ValidationError):
        sch.load_programme(session, SYSTEM, event_id, bad)
    with pytest.raises(ValidationError):
        sch.schedule_event(session, SYSTEM, event_id)  # nothing loaded -> clear error


def test_schedule_needs_write_rights(session: Session, event_id: int) -> None:
    sch.load_programme(session, SYSTEM, event_id, programme())
    viewer = member(session, None, role="viewer")
    from silkhub.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        sch.schedule_event(session, viewer, event_id)
    with pytest.raises(NotFoundError):
        sch.agenda(session, SYSTEM, event_id, 999999)
