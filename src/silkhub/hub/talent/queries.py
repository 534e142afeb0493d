"""SQL of the talent service: profiles, positions and feedback rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Organisation
from silkhub.data.storage.models.talent import Position, TalentFeedback, TalentProfile
from silkhub.hub.policy import Actor, read_scope


def duplicate_person(
    session: Session,
    *,
    email: str | None,
    names: Sequence[str | None],
    nationality: str | None,
    exclude: int | None = None,
) -> int | None:
    """Id of a live profile with the same e-mail, or the same name (en or zh) and nationality."""
    conds = []
    if email:
        conds.append(func.lower(TalentProfile.email) == email.strip().lower())
    name_en, name_zh = [*list(names), None, None][:2]
    for col, name in ((TalentProfile.name_en, name_en), (TalentProfile.name_zh, name_zh)):
        if name and name.strip() and nationality:
            conds.append(
                (func.lower(col) == name.strip().lower())
                & (TalentProfile.nationality == nationality)
            )
    if not conds:
        return None
    q = select(TalentProfile.id).where(or_(*conds), TalentProfile.deleted_at.is_(None))
    if exclude is not None:
        q = q.where(TalentProfile.id != exclude)
    return session.scalar(q)


def profile_of_user(session: Session, user_id: int) -> TalentProfile | None:
    """The live profile linked to a user account."""
    return session.scalar(
        select(TalentProfile).where(
            TalentProfile.user_id == user_id, TalentProfile.deleted_at.is_(None)
        )
    )


def feedback_on_profile(session: Session, talent_id: int) -> list[TalentFeedback]:
    return list(
        session.scalars(
            select(TalentFeedback)
            .where(TalentFeedback.talent_id == talent_id)
            .order_by(TalentFeedback.id)
        )
    )


def profiles(
    session: Session,
    actor: Actor,
    *,
    nationality: str | None = None,
    isic_code: str | None = None,
    region_id: str | None = None,
) -> list[TalentProfile]:
    """Live profiles ``actor`` may see (visibility rule of the service), filtered."""
    q = select(TalentProfile).where(TalentProfile.deleted_at.is_(None))
    if actor.role != "admin":
        vis = ["public"]
        if actor.is_authenticated:
            vis.append("members")
        if actor.is_staff:
            vis.append("operators")
        cond = TalentProfile.visibility.in_(vis)
        if actor.user_id is not None:
            cond = cond | (TalentProfile.user_id == actor.user_id)
        q = q.where(cond)
    if nationality:
        q = q.where(TalentProfile.nationality == nationality)
    if isic_code:
        q = q.where(TalentProfile.isic_codes.contains(isic_code))
    if region_id is not None:
        q = q.where(
            or_(
                TalentProfile.based_in_region_id == region_id,
                TalentProfile.preferred_regions.contains(region_id),
            )
        )
    return list(session.scalars(q.order_by(TalentProfile.id)))


def positions(
    session: Session,
    actor: Actor,
    *,
    organisation_id: int | None = None,
    project_id: int | None = None,
    status: str | None = "open",
    limit: int = 100,
) -> list[Position]:
    """Positions ``actor`` may read, oldest first (``status=None``: every status)."""
    q = select(Position).order_by(Position.id)
    scope = read_scope(actor)
    if not scope.everything:
        cond = Position.visibility.in_(scope.visibilities)
        if scope.organisation_id is not None:
            cond = cond | (Position.organisation_id == scope.organisation_id)
        q = q.where(cond)
    if organisation_id is not None:
        q = q.where(Position.organisation_id == organisation_id)
    if project_id is not None:
        q = q.where(Position.project_id == project_id)
    if status:
        q = q.where(Position.status == status)
    return list(session.scalars(q.limit(limit)))


def feedback_of_organisation(session: Session, organisation_id: int) -> list[TalentFeedback]:
    """Feedback on the positions of one organisation, oldest first (for re-weighting)."""
    return list(
        session.scalars(
            select(TalentFeedback)
            .join(Position, Position.id == TalentFeedback.position_id)
            .where(Position.organisation_id == organisation_id)
            .order_by(TalentFeedback.id)
        )
    )


def latest_decisions(session: Session, position_id: int) -> dict[int, bool]:
    """Latest accepted flag per person for a position."""
    rows = session.execute(
        select(TalentFeedback.talent_id, TalentFeedback.accepted)
        .where(TalentFeedback.position_id == position_id)
        .order_by(TalentFeedback.id)
    )
    return {tid: acc for tid, acc in rows}


def organisation_names(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[str | None, str | None]]:
    """(name_en, name_zh) of organisations by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name_en, Organisation.name_zh).where(
            Organisation.id.in_(list(set(ids)))
        )
    )
    return {i: (en, zh) for i, en, zh in rows}
