"""SQL of the matchmaking service (organisations it may read, feedback rows of one bucket).

A *bucket* is the set of feedback rows that count for an actor: those of its organisation
(hub staff without an organisation share the ``organisation_id IS NULL`` bucket); anonymous
visitors have none (:func:`bucket`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import Organisation
from silkhub.data.storage.models.matching import MatchFeedback
from silkhub.hub.policy import Actor, read_scope


def visible_organisations(session: Session, actor: Actor) -> list[Organisation]:
    """Organisations ``actor`` may read, with sectors, services and offers loaded."""
    query = (
        select(Organisation)
        .options(
            selectinload(Organisation.sectors),
            selectinload(Organisation.services),
            selectinload(Organisation.offers),
        )
        .execution_options(populate_existing=True)  # collections may be stale in the session
    )
    scope = read_scope(actor)
    if not scope.everything:
        cond = Organisation.visibility.in_(scope.visibilities)
        if scope.organisation_id is not None:
            cond = or_(cond, Organisation.id == scope.organisation_id)
        query = query.where(cond)
    return list(session.scalars(query.order_by(Organisation.id)))


def bucket(actor: Actor | None) -> ColumnElement[bool] | None:
    """The condition selecting the feedback rows that count for ``actor`` (None: anonymous)."""
    if actor is None or not actor.is_authenticated:
        return None
    if actor.organisation_id is None:
        return MatchFeedback.organisation_id.is_(None)
    return MatchFeedback.organisation_id == actor.organisation_id


def decisions(
    session: Session, actor: Actor, subject_kind: str, subject_id: int
) -> dict[int, MatchFeedback]:
    """Latest decision of the actor's organisation per candidate organisation of a subject."""
    cond = bucket(actor)
    if cond is None:
        return {}
    rows = session.scalars(
        select(MatchFeedback)
        .where(
            MatchFeedback.subject_kind == subject_kind,
            MatchFeedback.subject_id == subject_id,
            MatchFeedback.candidate_kind == "organisation",
            cond,
        )
        .order_by(MatchFeedback.at, MatchFeedback.id)
    )
    return {fb.candidate_id: fb for fb in rows}


def feedback_of_bucket(session: Session, actor: Actor, *, limit: int = 500) -> list[MatchFeedback]:
    """Every decision of the actor's organisation, newest first."""
    cond = bucket(actor)
    if cond is None:
        return []
    return list(
        session.scalars(
            select(MatchFeedback)
            .where(cond)
            .order_by(MatchFeedback.at.desc(), MatchFeedback.id.desc())
            .limit(limit)
        )
    )


def part_feedback(session: Session, actor: Actor) -> list[tuple[dict[str, Any] | None, str]]:
    """(parts, decision) of every decision in the actor's bucket (for re-weighting)."""
    cond = bucket(actor)
    if cond is None:
        return []
    rows = session.execute(select(MatchFeedback.parts, MatchFeedback.decision).where(cond))
    return [(parts, decision) for parts, decision in rows]


def own_feedback(
    session: Session,
    actor: Actor,
    subject_kind: str,
    subject_id: int,
    candidate_kind: str,
    candidate_id: int,
) -> MatchFeedback | None:
    """The actor's own earlier decision on this pair (re-decisions replace it)."""
    return session.scalars(
        select(MatchFeedback).where(
            MatchFeedback.subject_kind == subject_kind,
            MatchFeedback.subject_id == subject_id,
            MatchFeedback.candidate_kind == candidate_kind,
            MatchFeedback.candidate_id == candidate_id,
            MatchFeedback.user_id.is_(None)
            if actor.user_id is None
            else MatchFeedback.user_id == actor.user_id,
        )
    ).first()


def bucket_feedback_on(
    session: Session,
    actor: Actor,
    subject_kind: str,
    subject_id: int,
    candidate_kind: str,
    candidate_id: int,
) -> Sequence[MatchFeedback]:
    """Decisions of the actor's organisation on this pair (any of its users)."""
    cond = bucket(actor)
    if cond is None:
        return []
    return list(
        session.scalars(
            select(MatchFeedback).where(
                MatchFeedback.subject_kind == subject_kind,
                MatchFeedback.subject_id == subject_id,
                MatchFeedback.candidate_kind == candidate_kind,
                MatchFeedback.candidate_id == candidate_id,
                cond,
            )
        )
    )


def delete_feedback(session: Session, ids: Sequence[int]) -> None:
    """Remove feedback rows by id."""
    if ids:
        session.execute(delete(MatchFeedback).where(MatchFeedback.id.in_(list(ids))))
