"""Talent profiles and positions: ``/api/v1/talent`` and ``/api/v1/positions``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.routes.projects import IdPath
from silkhub.hub import talent as svc
from silkhub.hub.common import MAX_ID
from silkhub.hub.talent.schemas import (
    FeedbackCreate,
    PartRead,
    PositionCreate,
    PositionRead,
    PositionStatus,
    ProfileCreate,
    ProfileRead,
    ProfileUpdate,
    SuggestionRead,
)

router = APIRouter(tags=["talent"])

#: response models (the read variants of the talent contract, :mod:`silkhub.hub.talent.schemas`)
TalentOut = ProfileRead
PositionOut = PositionRead


def _talent(p: Any) -> ProfileRead:
    return svc.read_profile(p)


def _position(p: Any) -> PositionRead:
    return svc.read_position(p)


@router.get("/talent", response_model=list[TalentOut])
def list_talent(
    session: SessionDep,
    actor: ActorDep,
    nationality: str | None = None,
    sector: str | None = None,
    language: str | None = Query(None, max_length=3),
    region: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[TalentOut]:
    """Profiles the caller may see (public; members-only when signed in; all for staff)."""
    rows = svc.list_profiles(
        session,
        actor,
        nationality=nationality,
        sector=sector,
        language=language,
        region=region,
        limit=limit,
        offset=offset,
    )
    return [_talent(p) for p in rows]


@router.post("/talent", response_model=TalentOut, status_code=201)
def create_talent(session: SessionDep, actor: ActorDep, body: ProfileCreate) -> TalentOut:
    """Create your own profile (``link_to_me``) or, as staff, someone's with consent."""
    return _talent(svc.create_profile(session, actor, body))


@router.get("/talent/me", response_model=TalentOut)
def my_talent(session: SessionDep, actor: ActorDep) -> TalentOut:
    return _talent(svc.my_profile(session, actor))


@router.get("/talent/{talent_id}", response_model=TalentOut)
def show_talent(session: SessionDep, actor: ActorDep, talent_id: IdPath) -> TalentOut:
    return _talent(svc.get_profile(session, actor, talent_id))


@router.patch("/talent/{talent_id}", response_model=TalentOut)
def update_talent(
    session: SessionDep,
    actor: ActorDep,
    talent_id: IdPath,
    body: ProfileUpdate,  # type: ignore[valid-type]
) -> TalentOut:
    return _talent(svc.update_profile(session, actor, talent_id, body))


@router.get("/talent/{talent_id}/export")
def export_talent(session: SessionDep, actor: ActorDep, talent_id: IdPath) -> dict[str, Any]:
    """Everything held about the person, as JSON (the person or an admin only)."""
    from silkhub.hub.audit import to_jsonable

    return to_jsonable(svc.export_profile(session, actor, talent_id))


@router.delete("/talent/{talent_id}", status_code=204)
def delete_talent(session: SessionDep, actor: ActorDep, talent_id: IdPath) -> Response:
    """Erase the personal data of a profile (anonymised audit trail kept)."""
    svc.delete_profile(session, actor, talent_id)
    return Response(status_code=204)


@router.get("/positions", response_model=list[PositionOut])
def list_positions(
    session: SessionDep,
    actor: ActorDep,
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
    project_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = "open",
    limit: int = Query(100, ge=1, le=500),
) -> list[PositionOut]:
    rows = svc.list_positions(
        session,
        actor,
        organisation_id=organisation_id,
        project_id=project_id,
        status=status,
        limit=limit,
    )
    return [_position(p) for p in rows]


@router.post("/positions", response_model=PositionOut, status_code=201)
def create_position(session: SessionDep, actor: ActorDep, body: PositionCreate) -> PositionOut:
    return _position(svc.create_position(session, actor, body))


@router.get("/positions/{position_id}", response_model=PositionOut)
def show_position(session: SessionDep, actor: ActorDep, position_id: IdPath) -> PositionOut:
    return _position(svc.get_position(session, actor, position_id))


@router.post("/positions/{position_id}/status", response_model=PositionOut)
def set_position_status(
    session: SessionDep, actor: ActorDep, position_id: IdPath, body: PositionStatus
) -> PositionOut:
    return _position(svc.close_position(session, actor, position_id, body.status))


@router.get("/positions/{position_id}/suggestions", response_model=list[SuggestionRead])
def suggest(
    session: SessionDep, actor: ActorDep, position_id: IdPath, top: int = Query(10, ge=1, le=100)
) -> list[SuggestionRead]:
    """Ranked talent with the explainable parts of each score (reasons as message key, codes
    and English text) and the latest accept/decline of each person."""
    decided = svc.decisions(session, actor, position_id)
    return [
        SuggestionRead(
            talent_id=prof.id,
            name=prof.name_en or prof.name_zh,
            score=m.score,
            parts=[
                PartRead(
                    name=p.name,
                    value=p.value,
                    weight=p.weight,
                    contribution=p.contribution,
                    key=p.key,
                    params=dict(p.params),
                    reason=p.reason,
                )
                for p in m.parts
            ],
            decision=decided.get(prof.id),  # type: ignore[arg-type]
        )
        for prof, m in svc.suggest_talent(session, actor, position_id, top=top)
    ]


@router.post("/positions/{position_id}/feedback", status_code=201)
def feedback(
    session: SessionDep, actor: ActorDep, position_id: IdPath, body: FeedbackCreate
) -> dict[str, Any]:
    """Accept or decline a suggested person (stored with the score parts; re-weights the
    organisation's suggestions)."""
    fb = svc.record_feedback(session, actor, position_id, body.talent_id, body.accepted)
    return {"id": fb.id, "accepted": fb.accepted, "parts": fb.parts}
