"""The meeting workflow of an event (#16): the organiser sets up slots and tables, members take
part for their organisation and request meetings, the organiser schedules, each participant
has an agenda. Ownership: only the participant's organisation (or the organiser) requests."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy.orm import Session

from silkhub.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from silkhub.hub import events as ev
from silkhub.hub import scheduling as sch
from silkhub.hub.policy import Actor
from silkhub.i18n import error_text
from tests.hub.conftest import member

SYSTEM = Actor.system()


@pytest.fixture
def setup(session: Session, two_orgs):
    """An event organised by org A; a member of A (organiser) and one of B."""
    a, b = two_orgs
    e = ev.create_event(
        session,
        SYSTEM,
        ev.EventCreate(
            kind="exhibition", title_zh="上合博览会洽谈", start_on=date(2025, 6, 10),
            organiser_ids=[a], visibility="public",
        ),
    )  # fmt: skip
    return e.id, member(session, a), member(session, b), a, b


def slots(**kw) -> sch.SlotsSetup:
    data = {"day": date(2025, 6, 10), "first_start": time(9, 0), "slot_minutes": 30,
            "slot_count": 3, "tables": "A1，A2"} | kw  # fmt: skip
    return sch.SlotsSetup.model_validate(data)


def test_whole_flow_request_mutual_schedule_agenda(session: Session, setup) -> None:
    event_id, org_a, org_b, a, b = setup
    counts = sch.set_slots(session, org_a, event_id, slots())
    assert counts == {"event_id": event_id, "slots": 3, "tables": 2}
    pa = sch.join_event(session, org_a, event_id, sch.JoinIn(name="中远海运代表"))
    pb = sch.join_event(session, org_b, event_id, sch.JoinIn(name="Kazakh chamber"))
    assert pa.organisation_id == a and pb.organisation_id == b
    r1 = sch.request_meeting(
        session, org_b, event_id, sch.MeetingRequestIn(requester_id=pb.id, target_id=pa.id)
    )
    assert not r1.mutual
    r2 = sch.request_meeting(
        session, org_a, event_id,
        sch.MeetingRequestIn(requester_id=pa.id, target_id=pb.id, priority=2),
    )  # fmt: skip
    assert r2.mutual and r1.mutual  # the second request makes both mutual
    seen = sch.requests_of(session, org_b, event_id, pb.id)
    assert [(r.outgoing, r.other_name, r.mutual) for r in seen] == [
        (True, "中远海运代表", True),
        (False, "中远海运代表", True),
    ]
    assert sch.requests_of(session, Actor.anonymous(), event_id, pb.id) == []  # not theirs
    res = sch.schedule_event(session, org_a, event_id, time_limit_s=10)
    assert len(res.meetings) == 1 and res.unmet == []
    mine = sch.agenda(session, org_b, event_id, pb.id)
    assert [(i.with_name, i.table, i.starts_at.hour) for i in mine] == [("中远海运代表", "A1", 9)]
    summary = sch.programme_summary(session, org_b, event_id)
    assert (summary.slots, summary.tables, summary.participants) == (3, 2, 2)
    assert (summary.requests, summary.meetings) == (2, 1)
    # new slots drop the schedule but keep participants and requests
    sch.set_slots(session, org_a, event_id, slots(slot_count=2))
    summary = sch.programme_summary(session, org_b, event_id)
    assert (summary.slots, summary.participants, summary.requests, summary.meetings) == (
        2, 2, 2, 0,
    )  # fmt: skip


def test_ownership_and_validation(session: Session, setup) -> None:
    event_id, org_a, org_b, _, b = setup
    # only the organiser (or staff) sets up slots and runs the scheduler
    with pytest.raises(PermissionDeniedError):
        sch.set_slots(session, org_b, event_id, slots())
    sch.set_slots(session, org_a, event_id, slots())
    with pytest.raises(PermissionDeniedError):
        sch.schedule_event(session, org_b, event_id)
    pa = sch.join_event(session, org_a, event_id, sch.JoinIn(name="A"))
    pb = sch.join_event(session, org_b, event_id, sch.JoinIn(name="B"))
    with pytest.raises(ConflictError) as dup:
        sch.join_event(session, org_b, event_id, sch.JoinIn(name="B again"))
    assert dup.value.key == "meeting.already_joined"
    assert "本机构已报名" in error_text(dup.value, "zh")
    # B's member cannot ask as A's participant
    with pytest.raises(PermissionDeniedError) as exc:
        sch.request_meeting(
            session, org_b, event_id, sch.MeetingRequestIn(requester_id=pa.id, target_id=pb.id)
        )
    assert exc.value.key == "meeting.not_your_participant"
    with pytest.raises(ValidationError) as self_meet:
        sch.request_meeting(
            session, org_b, event_id, sch.MeetingRequestIn(requester_id=pb.id, target_id=pb.id)
        )
    assert self_meet.value.key == "meeting.request_self" and self_meet.value.field == "target_id"
    sch.request_meeting(
        session, org_b, event_id, sch.MeetingRequestIn(requester_id=pb.id, target_id=pa.id)
    )
    with pytest.raises(ConflictError) as twice:
        sch.request_meeting(
            session, org_b, event_id, sch.MeetingRequestIn(requester_id=pb.id, target_id=pa.id)
        )
    assert twice.value.key == "meeting.request_exists"
    # viewers and accounts without an organisation cannot take part
    with pytest.raises(PermissionDeniedError):
        sch.join_event(session, member(session, b, "viewer"), event_id, sch.JoinIn(name="v"))
    with pytest.raises(NotFoundError):
        sch.agenda(session, org_b, event_id, 999999)


def test_slots_setup_model_rules() -> None:
    assert slots(tables="A1、A2， A3").tables == ["A1", "A2", "A3"]
    from silkhub.hub.validation import parse

    with pytest.raises(ValidationError) as exc:
        parse(sch.SlotsSetup, {"day": "2025-06-10", "first_start": "09:00", "slot_count": "99",
                               "tables": "A1"})  # fmt: skip
    assert exc.value.details["errors"][0]["field"] == "slot_count"
    assert exc.value.details["errors"][0]["key"] == "validation.at_most"
    assert error_text(exc.value.details["errors"][0], "zh") == "请输入不大于 48 的数值。"


def test_unmet_reason_has_a_message_key(session: Session, setup) -> None:
    event_id, org_a, org_b, _, _ = setup
    sch.set_slots(session, org_a, event_id, slots(slot_count=1, tables="A1"))
    pa = sch.join_event(session, org_a, event_id, sch.JoinIn(name="A", max_meetings=1))
    pb = sch.join_event(session, org_b, event_id, sch.JoinIn(name="B"))
    pc = sch.add_participant(session, org_a, event_id, sch.ParticipantAdd(name="C"))
    for target in (pb, pc):
        sch.request_meeting(
            session, org_a, event_id, sch.MeetingRequestIn(requester_id=pa.id, target_id=target.id)
        )
    res = sch.schedule_event(session, org_a, event_id, time_limit_s=10)
    assert len(res.meetings) == 1 and len(res.unmet) == 1
    assert res.unmet[0]["reason_key"] == "meetings.unmet.max"
    assert res.unmet[0]["reason_params"] == {"name": "A", "max": 1}
