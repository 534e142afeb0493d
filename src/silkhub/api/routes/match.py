"""Matchmaking (``/match/...``), meeting scheduling (``/events/{id}/programme``,
``/events/{id}/schedule``, agendas) and the repeated-construction warning
(``/projects/{id}/duplicates``, ``/match/duplicates/...``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.hub import duplicates as dup
from silkhub.hub import matching as mt
from silkhub.hub import scheduling as sch

router = APIRouter(tags=["matchmaking"], responses=RESPONSES)

Top = Annotated[int, Query(ge=1, le=200, description="How many suggestions.")]
Threshold = Annotated[
    float | None, Query(gt=0, le=1, description="Duplicate score threshold (default 0.70).")
]


class PartOut(BaseModel):
    part: str
    value: float
    weight: float
    contribution: float
    key: str = Field(description="message key of the reason (render it per language)")
    params: dict[str, Any] = Field(description="codes the reason names (ISO3, ISIC, ISO 639-1)")
    reason: str = Field(description="the reason in English")


class SuggestionOut(BaseModel):
    kind: str
    id: int
    name: str
    iso3: str | None
    score: float = Field(description="sum of the parts' contributions, in [0, 1]")
    parts: list[PartOut]
    decision: Literal["accept", "decline"] | None = Field(
        None, description="the caller's organisation's decision on this suggestion"
    )


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_kind: Literal["organisation", "project"]
    subject_id: int = Field(ge=1)
    candidate_id: int = Field(ge=1, description="the suggested organisation")
    decision: Literal["accept", "decline"]


class FeedbackKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_kind: Literal["organisation", "project"]
    subject_id: int = Field(ge=1, le=2_147_483_647)
    candidate_id: int = Field(ge=1, le=2_147_483_647, description="the suggested organisation")


class UndoOut(BaseModel):
    undone: Literal["accept", "decline"] = Field(description="the decision taken back")


class FeedbackOut(BaseModel):
    id: int
    decision: str
    score: float | None
    parts: dict[str, float] | None


class DuplicateOut(BaseModel):
    project_id: int
    title: str
    score: float
    parts: dict[str, float]
    reasons: list[str]


class ClusterProject(BaseModel):
    id: int
    title: str


class ClusterOut(BaseModel):
    size: int
    across_localities: bool
    localities: list[str]
    max_score: float
    projects: list[ClusterProject]


class MeetingOut(BaseModel):
    starts_at: str
    ends_at: str
    table: str
    a: str
    b: str
    a_id: int
    b_id: int
    weight: float
    mutual: bool


class UnmetOut(BaseModel):
    a: str
    b: str
    weight: float
    mutual: bool
    reason: str


class ScheduleOut(BaseModel):
    event_id: int
    status: str
    objective: float
    lp_bound: float | None
    gap: float | None = Field(description="(LP bound - objective) / LP bound")
    solve_seconds: float
    meetings: list[MeetingOut]
    unmet: list[UnmetOut]


def _suggestions(items: list[mt.Suggestion]) -> list[SuggestionOut]:
    return [SuggestionOut.model_validate(s.__dict__) for s in items]


@router.get("/match/organisations/{org_id}", response_model=list[SuggestionOut])
def match_organisation(
    org_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    top: Top = 10,
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> list[SuggestionOut]:
    """Organisations this organisation should meet, each score explained part by part."""
    return _suggestions(mt.suggest_for_organisation(session, actor, org_id, top=top, kind=kind))


@router.get("/match/projects/{project_id}", response_model=list[SuggestionOut])
def match_project(
    project_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    top: Top = 10,
    role: Annotated[str | None, Query(max_length=40, description="investor, contractor …")] = None,
) -> list[SuggestionOut]:
    """Investors, contractors, service providers and chambers to involve in a project."""
    return _suggestions(mt.suggest_for_project(session, actor, project_id, top=top, role=role))


@router.post("/match/feedback", response_model=FeedbackOut, status_code=201)
def match_feedback(body: FeedbackIn, session: SessionDep, actor: ActorDep) -> FeedbackOut:
    """Accept or decline a suggestion for a subject the caller may change (members of the
    subject organisation or of one of the project's parties, or hub staff). Stored, audited;
    hides declined candidates and re-weights the parts for the caller's organisation only."""
    fb = mt.record_feedback(
        session,
        actor,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        candidate_id=body.candidate_id,
        decision=body.decision,
    )
    return FeedbackOut(id=fb.id, decision=fb.decision, score=fb.score, parts=fb.parts)


@router.post("/match/feedback/undo", response_model=UndoOut)
def match_feedback_undo(body: FeedbackKeyIn, session: SessionDep, actor: ActorDep) -> UndoOut:
    """Take back the caller's organisation's accept/decline of a suggestion (same permission
    as deciding; audited). The candidate is suggested again; 404 when there is no decision."""
    undone = mt.undo_feedback(
        session,
        actor,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        candidate_id=body.candidate_id,
    )
    return UndoOut(undone=undone)  # type: ignore[arg-type]


@router.get("/match/decisions", response_model=list[mt.Decided])
def match_decisions(
    session: SessionDep,
    actor: ActorDep,
    decision: Annotated[Literal["accept", "decline"] | None, Query()] = None,
) -> list[mt.Decided]:
    """The caller's organisation's accepted and declined suggestions ("my matches"), newest
    first (anonymous callers: none)."""
    return mt.decided(session, actor, decision=decision)


@router.get("/match/weights", response_model=dict[str, float])
def match_weights(session: SessionDep, actor: ActorDep) -> dict[str, float]:
    """The score weights the caller's suggestions use: the defaults re-fitted from the
    accept/decline feedback of the caller's organisation only (anonymous: the defaults)."""
    return mt.current_weights(session, actor)


@router.get("/projects/{project_id}/duplicates", response_model=list[DuplicateOut])
def project_duplicates(
    project_id: IdPath, session: SessionDep, actor: ActorDep, threshold: Threshold = None
) -> list[dict]:
    """Near-duplicates of a project (repeated-construction warning) with score and reasons."""
    return dup.duplicates_of_project(session, actor, project_id, threshold=threshold)


@router.post("/match/duplicates/check", response_model=list[DuplicateOut])
def check_duplicates(
    draft: dup.DraftProject, session: SessionDep, actor: ActorDep, threshold: Threshold = None
) -> list[dict]:
    """Near-duplicates of a project that is about to be created or imported."""
    return dup.check_draft(session, actor, draft, threshold=threshold)


@router.get("/match/duplicates/clusters", response_model=list[ClusterOut])
def duplicate_clusters(
    session: SessionDep,
    actor: ActorDep,
    region: Annotated[str | None, Query(max_length=100)] = None,
    threshold: Threshold = None,
) -> list[dict]:
    """Clusters of similar projects across localities (optionally within a region)."""
    return dup.region_report(session, actor, region=region, threshold=threshold)


@router.put("/events/{event_id}/programme", response_model=dict[str, int])
def put_programme(
    event_id: IdPath, body: sch.ProgrammeIn, session: SessionDep, actor: ActorDep
) -> dict:
    """Replace the event's meeting programme: slots, tables, participants and requests."""
    return sch.load_programme(session, actor, event_id, body)


@router.post("/events/{event_id}/schedule", response_model=ScheduleOut)
def post_schedule(
    event_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    time_limit: Annotated[float, Query(ge=1, le=120, description="CP-SAT seconds")] = 20.0,
    max_consecutive: Annotated[int | None, Query(ge=1, le=50)] = None,
) -> sch.ScheduleResult:
    """Solve and store the meeting schedule (CP-SAT); unmet requests come with the reason."""
    return sch.schedule_event(
        session, actor, event_id, time_limit_s=time_limit, max_consecutive=max_consecutive
    )


@router.get("/events/{event_id}/participants/{participant_id}/agenda.ics")
def agenda_ics(
    event_id: IdPath, participant_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """One participant's agenda as iCalendar."""
    event, me, items = _agenda(session, actor, event_id, participant_id)
    return Response(sch.agenda_ics(event, me, items), media_type="text/calendar")


@router.get("/events/{event_id}/participants/{participant_id}/agenda.html")
def agenda_html(
    event_id: IdPath, participant_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """One participant's agenda as a printable HTML page."""
    event, me, items = _agenda(session, actor, event_id, participant_id)
    return Response(sch.agenda_html(event, me, items), media_type="text/html; charset=utf-8")


def _agenda(session, actor, event_id: int, participant_id: int):  # type: ignore[no-untyped-def]
    from silkhub.data.storage.models.matching import EventParticipant
    from silkhub.hub.events import get_event

    items = sch.agenda(session, actor, event_id, participant_id)
    event = get_event(session, actor, event_id)
    me = session.get(EventParticipant, participant_id)
    return event, me, items
