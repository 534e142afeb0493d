"""Meeting programme of an event: slots, tables, participants, requests, the CP-SAT schedule and
per-participant agendas (HTML and iCalendar ``.ics``).

The solver is :func:`silkhub.core.scheduling.solve_schedule`; this module loads the programme
from the database, stores the resulting :class:`~silkhub.data.storage.models.matching.Meeting`
rows (replacing an earlier schedule) and renders agendas.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from silkhub.core.scheduling import (
    MeetingRequest as CoreRequest,
)
from silkhub.core.scheduling import (
    Participant,
    Slot,
    Table,
    solve_schedule,
)
from silkhub.data.storage.models.hub import Event, Organisation
from silkhub.data.storage.models.matching import (
    EventParticipant,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from silkhub.errors import NotFoundError, ValidationError
from silkhub.hub._audit import audit
from silkhub.hub.common import DbId, check_org_visible
from silkhub.hub.events import get_event, writable_event
from silkhub.hub.policy import Actor, can_read

logger = logging.getLogger(__name__)


class SlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: datetime
    ends_at: datetime
    is_break: bool = False
    label: str | None = Field(None, max_length=100)


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300)
    organisation_id: int | None = None
    email: str | None = Field(None, max_length=200)
    #: indexes into the programme's slots (0-based, in time order); None = every slot
    available: list[int] | None = None
    max_meetings: int | None = Field(None, ge=0, le=1000)


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requester: int = Field(description="index of the requesting participant (0-based)")
    target: int = Field(description="index of the requested participant (0-based)")
    priority: float = Field(1.0, ge=0, le=100)
    mutual: bool = False


class ProgrammeIn(BaseModel):
    """A whole meeting programme (JSON file for the CLI, body for the API)."""

    model_config = ConfigDict(extra="forbid")
    slots: list[SlotIn] = Field(min_length=1, max_length=500)
    tables: list[str] = Field(min_length=1, max_length=5000)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=20000)
    requests: list[RequestIn] = Field(default_factory=list, max_length=200000)


def load_programme(session: Session, actor: Actor, event_id: int, data: ProgrammeIn) -> dict:
    """Replace the event's programme (slots, tables, participants, requests, meetings).

    Atomic: on any error nothing is changed (a savepoint is rolled back).
    """
    ev = writable_event(session, actor, event_id)
    with session.begin_nested():
        counts = _replace_programme(session, actor, ev, data)
    audit(session, actor, "event.programme", "event", ev.id, after=counts)
    return counts


def _replace_programme(session: Session, actor: Actor, ev: Event, data: ProgrammeIn) -> dict:
    for model in (Meeting, MeetingRequest, EventParticipant, MeetingTable, MeetingSlot):
        session.execute(delete(model).where(model.event_id == ev.id))  # type: ignore[attr-defined]
    slots_sorted = sorted(data.slots, key=lambda s: s.starts_at)
    for s in slots_sorted:
        if s.ends_at <= s.starts_at:
            raise ValidationError(
                f"slot {s.starts_at}: ends before it starts",
                key="meeting.slot_order",
                params={"slot": s.starts_at.isoformat()},
                field="slots",
            )
    slot_rows = [
        MeetingSlot(
            event_id=ev.id,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            is_break=s.is_break,
            label=s.label,
        )
        for s in slots_sorted
    ]
    if len({s.starts_at for s in slots_sorted}) != len(slots_sorted):
        raise ValidationError(key="meeting.slot_duplicate", field="slots")
    session.add_all(slot_rows)
    if len(set(data.tables)) != len(data.tables):
        raise ValidationError(key="meeting.tables_unique", field="tables")
    session.add_all(MeetingTable(event_id=ev.id, name=t) for t in data.tables)
    session.flush()
    n = len(slot_rows)
    people = []
    for k, p in enumerate(data.participants):
        if p.available is not None and any(i < 0 or i >= n for i in p.available):
            raise ValidationError(
                key="meeting.slot_index",
                params={"index": k, "who": p.name, "last": n - 1},
                field=f"participants.{k}.available",
            )
        if p.organisation_id is not None:
            # an organisation the actor may not see answers exactly like a missing one (422)
            check_org_visible(
                session, actor, p.organisation_id, f"participants.{k}.organisation_id"
            )
        row = EventParticipant(
            event_id=ev.id,
            organisation_id=p.organisation_id,
            name=p.name,
            email=p.email,
            available_slots=None
            if p.available is None
            else sorted({slot_rows[i].id for i in p.available}),
            max_meetings=p.max_meetings,
        )
        people.append(row)
    session.add_all(people)
    session.flush()
    seen = set()
    for k, r in enumerate(data.requests):
        for side in (r.requester, r.target):
            if side < 0 or side >= len(people):
                raise ValidationError(
                    key="meeting.request_index",
                    params={"index": k, "side": side, "last": len(people) - 1},
                    field=f"requests.{k}",
                )
        if r.requester == r.target:
            raise ValidationError(key="meeting.request_self", field=f"requests.{k}")
        key = (r.requester, r.target)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            MeetingRequest(
                event_id=ev.id,
                requester_id=people[r.requester].id,
                target_id=people[r.target].id,
                priority=r.priority,
                mutual=r.mutual,
            )
        )
    session.flush()
    return {
        "event_id": ev.id,
        "slots": len(slot_rows),
        "tables": len(data.tables),
        "participants": len(people),
        "requests": len(seen),
    }


@dataclass
class ScheduleResult:
    event_id: int
    status: str
    objective: float
    lp_bound: float | None
    gap: float | None
    solve_seconds: float
    meetings: list[dict] = field(default_factory=list)
    unmet: list[dict] = field(default_factory=list)


def schedule_event(
    session: Session,
    actor: Actor,
    event_id: int,
    *,
    time_limit_s: float = 20.0,
    max_consecutive: int | None = None,
    save: bool = True,
) -> ScheduleResult:
    """Solve the event's meeting schedule and (by default) store it, replacing the previous one."""
    ev = writable_event(session, actor, event_id) if save else get_event(session, actor, event_id)
    slots = list(
        session.scalars(
            select(MeetingSlot).where(MeetingSlot.event_id == ev.id).order_by(MeetingSlot.starts_at)
        )
    )
    tables = list(
        session.scalars(
            select(MeetingTable).where(MeetingTable.event_id == ev.id).order_by(MeetingTable.id)
        )
    )
    people = list(
        session.scalars(
            select(EventParticipant)
            .where(EventParticipant.event_id == ev.id)
            .order_by(EventParticipant.id)
        )
    )
    reqs = list(session.scalars(select(MeetingRequest).where(MeetingRequest.event_id == ev.id)))
    if not slots or not tables:
        raise ValidationError(
            key="meeting.no_programme", params={"event": ev.id}, field="programme"
        )
    # core slot ids are consecutive integers in time order (breaks interrupt runs)
    order = {s.id: k + 1 for k, s in enumerate(slots)}
    back = {v: k for k, v in order.items()}
    core = solve_schedule(
        [
            Participant(
                str(p.id),
                None
                if p.available_slots is None
                else frozenset(order[i] for i in p.available_slots if i in order),
                p.max_meetings,
                p.name,
            )
            for p in people
        ],
        [
            Slot(order[s.id], s.starts_at.isoformat(), s.ends_at.isoformat(), s.is_break)
            for s in slots
        ],
        [
            Table(
                str(t.id),
                None
                if t.available_slots is None
                else frozenset(order[i] for i in t.available_slots if i in order),
            )
            for t in tables
        ],
        [CoreRequest(str(r.requester_id), str(r.target_id), r.priority, r.mutual) for r in reqs],
        max_consecutive=max_consecutive,
        time_limit_s=time_limit_s,
        target_gap=0.0,
    )
    names = {str(p.id): p.name for p in people}
    tnames = {str(t.id): t.name for t in tables}
    smap = {s.id: s for s in slots}
    if save:
        session.execute(delete(Meeting).where(Meeting.event_id == ev.id))
        for m in core.meetings:
            session.add(
                Meeting(
                    event_id=ev.id,
                    slot_id=back[m.slot],
                    table_id=int(m.table),
                    participant_a_id=int(m.a),
                    participant_b_id=int(m.b),
                    weight=m.weight,
                    mutual=m.mutual,
                )
            )
        session.flush()
        audit(
            session,
            actor,
            "event.schedule",
            "event",
            ev.id,
            after={"status": core.status, "meetings": len(core.meetings)},
        )
    return ScheduleResult(
        event_id=ev.id,
        status=core.status,
        objective=core.objective,
        lp_bound=core.lp_bound,
        gap=core.gap,
        solve_seconds=round(core.solve_seconds, 3),
        meetings=[
            {
                "starts_at": smap[back[m.slot]].starts_at.isoformat(),
                "ends_at": smap[back[m.slot]].ends_at.isoformat(),
                "table": tnames[m.table],
                "a": names[m.a],
                "b": names[m.b],
                "a_id": int(m.a),
                "b_id": int(m.b),
                "weight": m.weight,
                "mutual": m.mutual,
            }
            for m in core.meetings
        ],
        unmet=[
            {
                "a": names.get(u.a, u.a),
                "b": names.get(u.b, u.b),
                "weight": u.weight,
                "mutual": u.mutual,
                "reason": _named(u.reason, names),
                **_reason_key(u.a, u.b, people, core.meetings, slots),
            }
            for u in core.unmet
        ],
    )


def _reason_key(
    a: str, b: str, people: list[EventParticipant], meetings: list, slots: list[MeetingSlot]
) -> dict:
    """Why a request was not met, as a message key with params (from the data, for the
    interfaces to render per language; ``reason`` keeps the solver's English text)."""
    by_id = {str(p.id): p for p in people}
    count: dict[str, int] = {}
    for m in meetings:
        count[m.a] = count.get(m.a, 0) + 1
        count[m.b] = count.get(m.b, 0) + 1
    for side in (a, b):
        p = by_id.get(side)
        if p is not None and p.max_meetings is not None and count.get(side, 0) >= p.max_meetings:
            return {
                "reason_key": "meetings.unmet.max",
                "reason_params": {"name": p.name, "max": p.max_meetings},
            }
    open_slots = {s.id for s in slots if not s.is_break}
    pa, pb = by_id.get(a), by_id.get(b)
    common = set(open_slots)
    for p in (pa, pb):
        if p is not None and p.available_slots is not None:
            common &= set(p.available_slots)
    if not common:
        return {"reason_key": "meetings.unmet.no_common_slot", "reason_params": {}}
    return {"reason_key": "meetings.unmet.slots_taken", "reason_params": {"slots": len(common)}}


def _named(reason: str, names: dict[str, str]) -> str:
    """Replace participant ids in a reason by names (ids are whole words)."""
    import re

    return (
        re.sub(r"\b(\d+)\b", lambda m: names.get(m.group(1), m.group(1)), reason, count=0)
        if ("busy" in reason or "maximum" in reason or "takes no" in reason)
        else reason
    )


@dataclass(frozen=True)
class AgendaItem:
    starts_at: datetime
    ends_at: datetime
    table: str
    with_name: str
    with_organisation: str | None
    #: the other side's organisation, by language (None when not readable)
    with_organisation_en: str | None = None
    with_organisation_zh: str | None = None


def agenda(session: Session, actor: Actor, event_id: int, participant_id: int) -> list[AgendaItem]:
    """One participant's stored meetings in time order.

    The other side's organisation is named only when ``actor`` may read it (a private
    organisation of someone else shows as no organisation, never by name).
    """
    ev = get_event(session, actor, event_id)
    me = session.get(EventParticipant, participant_id)
    if me is None or me.event_id != ev.id:
        raise NotFoundError(
            key="meeting.participant_not_found",
            params={"participant": participant_id, "event": event_id},
        )
    rows = session.execute(
        select(Meeting, MeetingSlot, MeetingTable)
        .join(MeetingSlot, Meeting.slot_id == MeetingSlot.id)
        .join(MeetingTable, Meeting.table_id == MeetingTable.id)
        .where(Meeting.event_id == ev.id)
        .where((Meeting.participant_a_id == me.id) | (Meeting.participant_b_id == me.id))
        .order_by(MeetingSlot.starts_at)
    ).all()
    out = []
    for m, s, t in rows:
        other = session.get(
            EventParticipant,
            m.participant_b_id if m.participant_a_id == me.id else m.participant_a_id,
        )
        assert other is not None
        org = session.get(Organisation, other.organisation_id) if other.organisation_id else None
        if org is not None and not can_read(actor, org.visibility, [org.id]):
            org = None
        out.append(
            AgendaItem(
                _aware(s.starts_at),
                _aware(s.ends_at),
                t.name,
                other.name,
                (org.name_en or org.name_zh) if org else None,
                org.name_en if org else None,
                org.name_zh if org else None,
            )
        )
    return out


def participants(session: Session, actor: Actor, event_id: int) -> list[EventParticipant]:
    ev = get_event(session, actor, event_id)
    return list(
        session.scalars(
            select(EventParticipant)
            .where(EventParticipant.event_id == ev.id)
            .order_by(EventParticipant.id)
        )
    )


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def agenda_ics(event: Event, participant: EventParticipant, items: list[AgendaItem]) -> bytes:
    """iCalendar (RFC 5545) agenda of one participant: one VEVENT per meeting."""
    from icalendar import Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", "-//silkhub//meeting agenda//EN")
    cal.add("version", "2.0")
    title = event.title_en or event.title_zh or f"event {event.id}"
    cal.add("x-wr-calname", f"{title} — {participant.name}")
    for k, it in enumerate(items):
        ve = VEvent()
        ve.add("uid", f"silkhub-event{event.id}-p{participant.id}-{k}@silkhub")
        ve.add("dtstamp", datetime(2000, 1, 1, tzinfo=UTC))
        ve.add("dtstart", it.starts_at)
        ve.add("dtend", it.ends_at)
        who = it.with_name + (f" ({it.with_organisation})" if it.with_organisation else "")
        ve.add("summary", f"Meeting with {who}")
        ve.add("location", f"{event.place or title}, table {it.table}")
        cal.add_component(ve)
    return cal.to_ical()


def agenda_html(event: Event, participant: EventParticipant, items: list[AgendaItem]) -> str:
    """A printable HTML agenda (escaped; no scripts)."""
    title = html.escape(event.title_en or event.title_zh or f"event {event.id}")
    rows = "\n".join(
        f"<tr><td>{it.starts_at:%Y-%m-%d %H:%M}–{it.ends_at:%H:%M}</td>"
        f"<td>{html.escape(it.table)}</td><td>{html.escape(it.with_name)}</td>"
        f"<td>{html.escape(it.with_organisation or '')}</td></tr>"
        for it in items
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — {html.escape(participant.name)}</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px}}</style>
</head><body>
<h1>{title}</h1>
<h2>Agenda of {html.escape(participant.name)} ({len(items)} meetings)</h2>
<table><thead><tr><th>time</th><th>table</th><th>with</th><th>organisation</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


# -- the meeting workflow of the web (participants request, organiser schedules) -------------

#: most slots one set-up form creates
MAX_FORM_SLOTS = 48


class SlotsSetup(BaseModel):
    """Evenly spaced meeting slots on one day and the tables (the organiser's form)."""

    model_config = ConfigDict(extra="forbid")
    day: date
    first_start: time
    slot_minutes: int = Field(30, ge=5, le=240)
    slot_count: int = Field(8, ge=1, le=MAX_FORM_SLOTS)
    tables: list[str] = Field(min_length=1, max_length=500)

    @field_validator("tables", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        """``"A1, A2，A3"`` → ``["A1", "A2", "A3"]`` (ASCII or Chinese commas)."""
        if isinstance(value, str):
            value = [t.strip() for t in value.replace("，", ",").replace("、", ",").split(",")]
        if isinstance(value, list):
            return [str(t).strip()[:100] for t in value if str(t).strip()]
        return value


class ParticipantAdd(BaseModel):
    """A participant the organiser adds (a name, optionally an organisation)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300)
    organisation_id: DbId | None = None
    max_meetings: int | None = Field(None, ge=1, le=1000)


class JoinIn(BaseModel):
    """A signed-in member takes part for their organisation."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300)
    max_meetings: int | None = Field(None, ge=1, le=1000)


#: priorities a form offers (1 normal, 2 high, 3 very high)
PRIORITIES: tuple[int, ...] = (1, 2, 3)


class MeetingRequestIn(BaseModel):
    """``requester_id`` asks to meet ``target_id`` (participant ids of one event)."""

    model_config = ConfigDict(extra="forbid")
    requester_id: DbId
    target_id: DbId
    priority: float = Field(1.0, ge=0, le=100)


def set_slots(session: Session, actor: Actor, event_id: int, data: SlotsSetup) -> dict:
    """Replace the event's slots and tables (and drop its schedule); participants and their
    requests stay, their availability is reset to every slot. Organisers and staff only."""
    ev = writable_event(session, actor, event_id)
    if len(set(data.tables)) != len(data.tables):
        raise ValidationError(key="meeting.tables_unique", field="tables")
    start = datetime.combine(data.day, data.first_start, tzinfo=UTC)
    with session.begin_nested():
        for model in (Meeting, MeetingTable, MeetingSlot):
            session.execute(delete(model).where(model.event_id == ev.id))  # type: ignore[attr-defined]
        for p in session.scalars(
            select(EventParticipant).where(EventParticipant.event_id == ev.id)
        ):
            p.available_slots = None
        step = timedelta(minutes=data.slot_minutes)
        session.add_all(
            MeetingSlot(event_id=ev.id, starts_at=start + k * step, ends_at=start + (k + 1) * step)
            for k in range(data.slot_count)
        )
        session.add_all(MeetingTable(event_id=ev.id, name=t) for t in data.tables)
        session.flush()
    counts = {"event_id": ev.id, "slots": data.slot_count, "tables": len(data.tables)}
    audit(session, actor, "event.programme", "event", ev.id, after=counts)
    return counts


def add_participant(
    session: Session, actor: Actor, event_id: int, data: ParticipantAdd
) -> EventParticipant:
    """The organiser adds a participant (an organisation must be visible to the actor)."""
    ev = writable_event(session, actor, event_id)
    if data.organisation_id is not None:
        check_org_visible(session, actor, data.organisation_id, "organisation_id")
    row = EventParticipant(
        event_id=ev.id,
        organisation_id=data.organisation_id,
        name=data.name.strip(),
        max_meetings=data.max_meetings,
    )
    session.add(row)
    session.flush()
    audit(
        session, actor, "event.participant", "event_participant", row.id, after={"name": row.name}
    )
    return row


def join_event(session: Session, actor: Actor, event_id: int, data: JoinIn) -> EventParticipant:
    """A member takes part in an event's meetings for their organisation (once per
    organisation; viewers and accounts without an organisation cannot)."""
    from silkhub.errors import AuthenticationError, ConflictError, PermissionDeniedError

    ev = get_event(session, actor, event_id)
    if not actor.is_authenticated:
        raise AuthenticationError(key="meeting.sign_in")
    if actor.organisation_id is None or actor.role == "viewer":
        raise PermissionDeniedError(key="meeting.join_needs_org")
    mine = own_participants(session, actor, ev.id)
    if mine:
        raise ConflictError(key="meeting.already_joined", params={"who": mine[0].name})
    row = EventParticipant(
        event_id=ev.id,
        organisation_id=actor.organisation_id,
        name=data.name.strip(),
        max_meetings=data.max_meetings,
    )
    session.add(row)
    session.flush()
    audit(session, actor, "event.join", "event_participant", row.id, after={"name": row.name})
    return row


def own_participants(session: Session, actor: Actor, event_id: int) -> list[EventParticipant]:
    """The participants of an event that stand for the actor's organisation."""
    if actor.organisation_id is None:
        return []
    return list(
        session.scalars(
            select(EventParticipant)
            .where(
                EventParticipant.event_id == event_id,
                EventParticipant.organisation_id == actor.organisation_id,
            )
            .order_by(EventParticipant.id)
        )
    )


def may_act_for(actor: Actor, event: Event, participant: EventParticipant) -> bool:
    """Whether ``actor`` may request meetings as ``participant``: a member of the
    participant's organisation, or the event's organiser / hub staff."""
    from silkhub.hub.events import can_change

    if not actor.is_authenticated or actor.role == "viewer":
        return False
    if participant.organisation_id is not None and actor.belongs_to([participant.organisation_id]):
        return True
    return can_change(actor, event)


def request_meeting(
    session: Session, actor: Actor, event_id: int, data: MeetingRequestIn
) -> MeetingRequest:
    """Ask for a meeting between two participants of an event.

    The actor must stand for the requester (its organisation's member, or the organiser).
    When the target asked for the same meeting already, both requests become ``mutual``
    (the scheduler weighs mutual requests higher). Asking twice is a ConflictError.
    """
    from silkhub.errors import AuthenticationError, ConflictError, PermissionDeniedError

    ev = get_event(session, actor, event_id)
    if not actor.is_authenticated:
        raise AuthenticationError(key="meeting.sign_in")
    me = session.get(EventParticipant, data.requester_id)
    if me is None or me.event_id != ev.id:
        raise ValidationError(
            key="meeting.participant_not_found",
            params={"participant": data.requester_id, "event": ev.id},
            field="requester_id",
        )
    if not may_act_for(actor, ev, me):
        raise PermissionDeniedError(key="meeting.not_your_participant")
    other = session.get(EventParticipant, data.target_id)
    if other is None or other.event_id != ev.id:
        raise ValidationError(
            key="meeting.participant_not_found",
            params={"participant": data.target_id, "event": ev.id},
            field="target_id",
        )
    if other.id == me.id:
        raise ValidationError(key="meeting.request_self", field="target_id")
    existing = session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == ev.id,
            MeetingRequest.requester_id == me.id,
            MeetingRequest.target_id == other.id,
        )
    )
    if existing is not None:
        raise ConflictError(key="meeting.request_exists", params={"who": other.name})
    reverse = session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == ev.id,
            MeetingRequest.requester_id == other.id,
            MeetingRequest.target_id == me.id,
        )
    )
    row = MeetingRequest(
        event_id=ev.id,
        requester_id=me.id,
        target_id=other.id,
        priority=data.priority,
        mutual=reverse is not None,
    )
    if reverse is not None:
        reverse.mutual = True
    session.add(row)
    session.flush()
    audit(
        session,
        actor,
        "event.meeting_request",
        "meeting_request",
        row.id,
        after={"requester": me.id, "target": other.id, "mutual": row.mutual},
    )
    return row


@dataclass(frozen=True)
class RequestView:
    """A meeting request as one participant sees it."""

    id: int
    outgoing: bool
    other_id: int
    other_name: str
    priority: float
    mutual: bool


def requests_of(
    session: Session, actor: Actor, event_id: int, participant_id: int
) -> list[RequestView]:
    """The requests a participant made and received (for the actor standing for it)."""
    ev = get_event(session, actor, event_id)
    me = session.get(EventParticipant, participant_id)
    if me is None or me.event_id != ev.id or not may_act_for(actor, ev, me):
        return []
    names = {p.id: p.name for p in participants(session, actor, ev.id)}
    rows = session.scalars(
        select(MeetingRequest)
        .where(
            MeetingRequest.event_id == ev.id,
            (MeetingRequest.requester_id == me.id) | (MeetingRequest.target_id == me.id),
        )
        .order_by(MeetingRequest.id)
    )
    out = []
    for r in rows:
        outgoing = r.requester_id == me.id
        other = r.target_id if outgoing else r.requester_id
        out.append(RequestView(r.id, outgoing, other, names.get(other, ""), r.priority, r.mutual))
    return out


@dataclass(frozen=True)
class ProgrammeSummary:
    """What an event's meeting programme holds."""

    slots: int
    tables: int
    participants: int
    requests: int
    meetings: int
    first_slot: datetime | None
    last_slot_end: datetime | None
    #: length of the first slot in minutes (the set-up form starts from it)
    slot_minutes: int | None = None
    #: the tables' names in their order
    table_names: tuple[str, ...] = ()


def programme_summary(session: Session, actor: Actor, event_id: int) -> ProgrammeSummary:
    """Counts of slots, tables, participants, requests and scheduled meetings of an event."""
    from sqlalchemy import func

    ev = get_event(session, actor, event_id)

    def n(model) -> int:  # type: ignore[no-untyped-def]
        return int(
            session.scalar(select(func.count()).select_from(model).where(model.event_id == ev.id))
            or 0
        )

    first, last = session.execute(
        select(func.min(MeetingSlot.starts_at), func.max(MeetingSlot.ends_at)).where(
            MeetingSlot.event_id == ev.id
        )
    ).one()
    first_slot = session.execute(
        select(MeetingSlot.starts_at, MeetingSlot.ends_at)
        .where(MeetingSlot.event_id == ev.id)
        .order_by(MeetingSlot.starts_at, MeetingSlot.id)
        .limit(1)
    ).first()
    minutes = int((first_slot[1] - first_slot[0]).total_seconds() // 60) if first_slot else None
    names = tuple(
        session.scalars(
            select(MeetingTable.name)
            .where(MeetingTable.event_id == ev.id)
            .order_by(MeetingTable.id)
        )
    )
    return ProgrammeSummary(
        n(MeetingSlot),
        n(MeetingTable),
        n(EventParticipant),
        n(MeetingRequest),
        n(Meeting),
        _aware(first) if first else None,
        _aware(last) if last else None,
        minutes,
        names,
    )
