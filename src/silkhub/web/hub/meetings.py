"""Meeting pages of an event (B2B matchmaking sessions), zh first.

* ``/hub/events/{id}/meetings`` — the workflow: the organiser sets up slots and tables and
  adds participants; members take part for their organisation and request meetings with other
  participants; the organiser runs the scheduler (:mod:`silkhub.hub.scheduling`, CP-SAT); each
  participant sees their agenda.
* ``/hub/meetings`` — pick an event and a participant to see the agenda; ``.ics`` download.

Every POST carries a CSRF token (:meth:`Form.from_request`); who may do what is decided by the
service (organiser or staff for the programme and the scheduler, a member of the participant's
organisation for its requests); forms are validated by the service's models and errors shown
next to their field from the error's message key.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import SilkhubError
from silkhub.hub import events as events_svc
from silkhub.hub import organisations as orgs_svc
from silkhub.hub import scheduling as sch
from silkhub.hub.validation import parse as validate
from silkhub.i18n import has, pick
from silkhub.i18n.format import fmt_date
from silkhub.web.forms import Form
from silkhub.web.hub.projects import absorb
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.session import current_actor, require_user

router = APIRouter(prefix="/hub", include_in_schema=False)

#: form field names of each form on the page -> the service model's fields
SLOT_FIELDS = ("day", "first_start", "slot_minutes", "slot_count", "tables")
ADD_FIELDS = {"p_name": "name", "p_org": "organisation_id", "p_max": "max_meetings"}
JOIN_FIELDS = {"join_name": "name", "join_max": "max_meetings"}
REQUEST_FIELDS = ("requester_id", "target_id", "priority")


def _hhmm(d) -> str:  # type: ignore[no-untyped-def]
    return d.strftime("%H:%M")


def _with_org(name: str, org: str | None, lang: str) -> str:
    if not org:
        return name
    return f"{name}（{org}）" if lang == "zh" else f"{name} ({org})"


def _agenda_rows(items: list[sch.AgendaItem], lang: str) -> list[dict[str, str]]:
    return [
        {
            "day": fmt_date(it.starts_at.date(), lang),
            "start": _hhmm(it.starts_at),
            "end": _hhmm(it.ends_at),
            "table": it.table,
            "with": it.with_name,
            "org": pick(it.with_organisation_en, it.with_organisation_zh, lang)
            or it.with_organisation
            or "",
            "with_label": _with_org(
                it.with_name,
                pick(it.with_organisation_en, it.with_organisation_zh, lang)
                or it.with_organisation,
                lang,
            ),
        }
        for it in items
    ]


def _page(
    request: Request,
    event_id: int,
    *,
    forms: dict[str, Form] | None = None,
    result: sch.ScheduleResult | None = None,
    me_id: int | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The meeting workflow page of an event for the signed-in user (or a visitor)."""
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    forms = forms or {}
    with runtime_of(request).session() as s:
        ev = events_svc.get_event(s, actor, event_id)
        organiser = events_svc.can_change(actor, ev)
        summary = sch.programme_summary(s, actor, ev.id)
        people = sch.participants(s, actor, ev.id)
        mine = sch.own_participants(s, actor, ev.id)
        acting = people if organiser else mine
        if me_id is None or me_id not in {p.id for p in acting}:
            me_id = acting[0].id if acting else None
        me = next((p for p in people if p.id == me_id), None)
        org_names: dict[int, str] = {}
        orgs = orgs_svc.list_organisations(s, actor, limit=500).items
        for o in orgs:
            org_names[o.id] = pick(o.name_en, o.name_zh, lang)
        requests = sch.requests_of(s, actor, ev.id, me.id) if me is not None else []
        agenda = _agenda_rows(sch.agenda(s, actor, ev.id, me.id), lang) if me else []
        title = pick(ev.title_en, ev.title_zh, lang)
        can_join = (
            actor.is_authenticated
            and actor.organisation_id is not None
            and actor.role != "viewer"
            and not mine
        )
    asked = {r.other_id for r in requests if r.outgoing}
    participants = [
        {
            "id": p.id,
            "name": p.name,
            "org": org_names.get(p.organisation_id or 0, ""),
            "label": _with_org(p.name, org_names.get(p.organisation_id or 0), lang),
            "mine": me is not None and p.id == me.id,
        }
        for p in people
    ]
    request_form = forms.get("request") or Form({"requester_id": str(me_id or ""), "priority": "1"})
    if me_id and not request_form.value("requester_id"):
        request_form.data["requester_id"] = str(me_id)
    default_name = ""
    if can_join:
        default_name = org_names.get(actor.organisation_id or 0, "")
    ctx: dict[str, Any] = {
        "event": {"id": ev.id, "title": title, "start_on": fmt_date(ev.start_on, lang)},
        "organiser": organiser,
        "summary": summary,
        "first_slot": (
            f"{fmt_date(summary.first_slot.date(), lang)} {_hhmm(summary.first_slot)}"
            f"–{_hhmm(summary.last_slot_end)}"
            if summary.first_slot and summary.last_slot_end
            else ""
        ),
        "participants": participants,
        "me": {"id": me.id, "name": me.name} if me else None,
        "can_join": can_join,
        "signed_in": actor.is_authenticated,
        "requests": requests,
        "agenda": agenda,
        "result": result,
        "unmet": [
            {
                "a": u["a"],
                "b": u["b"],
                "why": t(u["reason_key"], **u.get("reason_params", {})),
            }
            for u in (result.unmet if result else [])
        ],
        "done": done,
        "status_text": (
            t(f"meetings.status.{result.status}")
            if result and has(f"meetings.status.{result.status}", lang)
            else ""
        ),
        "slots_form": forms.get("slots") or Form(_slots_defaults(ev.start_on, summary)),
        "add_form": forms.get("add") or Form({}),
        "schedule_form": forms.get("schedule") or Form({}),
        "join_form": forms.get("join") or Form({"join_name": default_name}),
        "request_form": request_form,
        "as_options": [(str(p.id), p.name) for p in acting],
        "target_options": [("", "–")]
        + [
            (str(p.id), _with_org(p.name, org_names.get(p.organisation_id or 0), lang))
            for p in people
            if me is None or (p.id != me.id and p.id not in asked)
        ],
        "priority_options": [(str(k), t(f"meetings.priority.{k}")) for k in sch.PRIORITIES],
        "org_options": [("", "–")] + [(str(o.id), org_names[o.id]) for o in orgs],
    }
    return render(request, "hub_event_meetings.html", ctx, status_code=status)


def _url(event_id: int, done: str, me: int | None = None) -> str:
    q = f"?done={done}" + (f"&me={me}" if me else "")
    return f"/hub/events/{event_id}/meetings{q}#{done}"


@router.get("/events/{event_id}/meetings", response_class=HTMLResponse)
def event_meetings(
    request: Request, event_id: int, me: int | None = None, done: str | None = None
) -> HTMLResponse:
    return _page(request, event_id, me_id=me, done=done if done in DONE else None)


def _slots_defaults(start_on: date, summary: sch.ProgrammeSummary) -> dict[str, str]:
    """The set-up form shows the programme as saved (or a starting suggestion when empty), so
    saving it again does not silently replace the slots with defaults."""
    if summary.slots and summary.first_slot is not None:
        return {
            "day": summary.first_slot.date().isoformat(),
            "first_start": _hhmm(summary.first_slot),
            "slot_minutes": str(summary.slot_minutes or 30),
            "slot_count": str(summary.slots),
            "tables": ", ".join(summary.table_names),
        }
    return {
        "day": start_on.isoformat(),
        "first_start": "09:00",
        "slot_minutes": "30",
        "slot_count": "8",
        "tables": "A1, A2, A3, A4",
    }


DONE = ("slots", "added", "joined", "requested", "scheduled")


@router.post("/events/{event_id}/meetings/slots", response_class=HTMLResponse)
async def set_slots(request: Request, event_id: int) -> Response:
    """The organiser sets up evenly spaced slots on one day and the tables."""
    user = require_user(request)
    form = await Form.from_request(request)
    try:
        data = validate(sch.SlotsSetup, {k: form.value(k) for k in SLOT_FIELDS})
        with runtime_of(request).session() as s:
            sch.set_slots(s, user.actor, event_id, data)
    except SilkhubError as exc:
        if exc.status in (401, 403, 404):
            raise
        absorb(form, exc, "day", {})
        return _page(request, event_id, forms={"slots": form}, status=422)
    return RedirectResponse(_url(event_id, "slots"), status_code=303)


@router.post("/events/{event_id}/meetings/participants", response_class=HTMLResponse)
async def add_participant(request: Request, event_id: int) -> Response:
    """The organiser adds a participant (a name, optionally an organisation)."""
    user = require_user(request)
    form = await Form.from_request(request)
    back = {v: k for k, v in ADD_FIELDS.items()}
    try:
        data = validate(sch.ParticipantAdd, {v: form.value(k) for k, v in ADD_FIELDS.items()})
        with runtime_of(request).session() as s:
            sch.add_participant(s, user.actor, event_id, data)
    except SilkhubError as exc:
        if exc.status in (401, 403, 404):
            raise
        absorb(form, exc, "p_name", back)
        return _page(request, event_id, forms={"add": form}, status=422)
    return RedirectResponse(_url(event_id, "added"), status_code=303)


@router.post("/events/{event_id}/meetings/join", response_class=HTMLResponse)
async def join(request: Request, event_id: int) -> Response:
    """A member takes part for their organisation."""
    user = require_user(request)
    form = await Form.from_request(request)
    back = {v: k for k, v in JOIN_FIELDS.items()}
    try:
        data = validate(sch.JoinIn, {v: form.value(k) for k, v in JOIN_FIELDS.items()})
        with runtime_of(request).session() as s:
            row = sch.join_event(s, user.actor, event_id, data)
            pid = row.id
    except SilkhubError as exc:
        if exc.status in (401, 404):
            raise
        absorb(form, exc, "join_name", back)
        return _page(request, event_id, forms={"join": form}, status=exc.status)
    return RedirectResponse(_url(event_id, "joined", pid), status_code=303)


@router.post("/events/{event_id}/meetings/requests", response_class=HTMLResponse)
async def request_meeting(request: Request, event_id: int) -> Response:
    """A participant (its organisation's member, or the organiser) asks to meet another."""
    user = require_user(request)
    form = await Form.from_request(request)
    me = form.value("requester_id")
    try:
        data = validate(sch.MeetingRequestIn, {k: form.value(k) for k in REQUEST_FIELDS})
        with runtime_of(request).session() as s:
            sch.request_meeting(s, user.actor, event_id, data)
    except SilkhubError as exc:
        if exc.status in (401, 404):
            raise
        absorb(form, exc, "target_id", {})
        me_id = int(me) if me.isdigit() else None
        return _page(request, event_id, forms={"request": form}, me_id=me_id, status=exc.status)
    return RedirectResponse(
        _url(event_id, "requested", int(me) if me.isdigit() else None), status_code=303
    )


@router.post("/events/{event_id}/meetings/schedule", response_class=HTMLResponse)
async def run_scheduler(request: Request, event_id: int) -> Response:
    """The organiser runs the scheduler; the page shows the result and the unmet requests."""
    user = require_user(request)
    form = await Form.from_request(request)
    try:
        with runtime_of(request).session() as s:
            result = sch.schedule_event(s, user.actor, event_id, time_limit_s=10.0)
    except SilkhubError as exc:
        if exc.status in (401, 403, 404):
            raise
        absorb(form, exc, "__all__", {})
        return _page(request, event_id, forms={"schedule": form}, status=422, done=None)
    return _page(request, event_id, result=result, done="scheduled")


# -- agendas by event and participant (also for visitors of public events) --------------------
@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(
    request: Request, event: int | None = None, participant: int | None = None
) -> HTMLResponse:
    """Meeting agendas: pick an event, then a participant, to see their meetings in order."""
    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        evs = events_svc.list_events(s, actor, limit=200).items
        event_options = [(str(e.id), pick(e.title_en, e.title_zh, lang)) for e in evs]
        if event is None and evs:
            event = evs[0].id
        people: list[dict] = []
        items: list[dict] = []
        me = None
        if event is not None:
            people = [{"id": p.id, "name": p.name} for p in sch.participants(s, actor, event)]
            if participant is None and people:
                participant = people[0]["id"]
            if participant is not None and people:
                me = next((p for p in people if p["id"] == participant), None)
                items = _agenda_rows(sch.agenda(s, actor, event, participant), lang)
    form = Form({"event": str(event or ""), "participant": str(participant or "")})
    return render(
        request,
        "hub_meetings.html",
        {
            "form": form,
            "event_options": event_options,
            "participant_options": [(str(p["id"]), p["name"]) for p in people],
            "items": items,
            "me": me,
            "event_id": event,
        },
    )


@router.get("/meetings/{event_id}/{participant_id}.ics")
def agenda_ics(request: Request, event_id: int, participant_id: int) -> Response:
    """A participant's agenda as iCalendar."""
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        ev = events_svc.get_event(s, actor, event_id)
        items = sch.agenda(s, actor, event_id, participant_id)
        me = next(p for p in sch.participants(s, actor, event_id) if p.id == participant_id)
        data = sch.agenda_ics(ev, me, items)
    return Response(
        data,
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="agenda-{participant_id}.ics"'},
    )
