"""SQL of agreements, commitments, milestones and their performance (no rules: those are in
``service`` and :mod:`silkhub.hub.performance`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import (
    Agreement,
    AgreementParty,
    Commitment,
    Event,
    Milestone,
    Organisation,
    Project,
)
from silkhub.data.storage.models.reference import Region
from silkhub.hub.policy import ReadScope


def load(session: Session, agreement_id: int) -> Agreement | None:
    """An agreement with parties, projects, commitments and milestones (no visibility check)."""
    return session.scalars(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.parties),
            selectinload(Agreement.projects),
            selectinload(Agreement.commitments).selectinload(Commitment.milestones),
        )
    ).first()


def external_id_taken(session: Session, external_id: str) -> bool:
    return (
        session.scalar(select(Agreement.id).where(Agreement.external_id == external_id)) is not None
    )


def organisation(session: Session, org_id: int) -> Organisation | None:
    return session.get(Organisation, org_id)


def event(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def project(session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def commitment(session: Session, commitment_id: int) -> Commitment | None:
    return session.get(Commitment, commitment_id)


def milestone(session: Session, milestone_id: int) -> Milestone | None:
    return session.get(Milestone, milestone_id)


def _with_party(org_id: int) -> ColumnElement[bool]:
    return Agreement.id.in_(
        select(AgreementParty.agreement_id).where(AgreementParty.organisation_id == org_id)
    )


def visible(scope: ReadScope) -> ColumnElement[bool] | None:
    """SQL condition: agreements visible in ``scope`` (None = all)."""
    if scope.everything:
        return None
    cond = Agreement.visibility.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(cond, _with_party(scope.organisation_id))
    return cond


def agreements_query(
    scope: ReadScope,
    *,
    kind: str | None = None,
    organisation_id: int | None = None,
    event_id: int | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
) -> Select:
    """Agreements visible in ``scope`` matching the (already checked) filters."""
    query = select(Agreement).options(
        selectinload(Agreement.parties),
        selectinload(Agreement.projects),
        selectinload(Agreement.commitments).selectinload(Commitment.milestones),
    )
    cond = visible(scope)
    if cond is not None:
        query = query.where(cond)
    if kind:
        query = query.where(Agreement.kind == kind)
    if organisation_id is not None:
        query = query.where(_with_party(organisation_id))
    if event_id is not None:
        query = query.where(Agreement.event_id == event_id)
    if signed_from:
        query = query.where(Agreement.signed_on >= signed_from)
    if signed_to:
        query = query.where(Agreement.signed_on <= signed_to)
    return query


def commitment_rows(
    session: Session, scope: ReadScope, *conds: Any
) -> list[tuple[Commitment, Agreement, Organisation]]:
    """(commitment with milestones, its agreement, the organisation that owes it) of the
    agreements visible in ``scope``, by commitment id."""
    q = (
        select(Commitment, Agreement, Organisation)
        .join(Agreement, Agreement.id == Commitment.agreement_id)
        .join(Organisation, Organisation.id == Commitment.owed_by_id)
        .options(selectinload(Commitment.milestones))
    )
    cond = visible(scope)
    if cond is not None:
        q = q.where(cond)
    for c in conds:
        q = q.where(c)
    return [tuple(r) for r in session.execute(q.order_by(Commitment.id))]  # type: ignore[misc]


def by_agreement(agreement_ids: Sequence[int]) -> ColumnElement[bool]:
    return Commitment.agreement_id.in_(list(agreement_ids))


def owed_by(org_id: int) -> ColumnElement[bool]:
    return Commitment.owed_by_id == org_id


def owed_in_regions(region_ids: Sequence[str]) -> ColumnElement[bool]:
    return Organisation.region_id.in_(list(region_ids))


def child_regions(session: Session, region_id: str) -> list[str]:
    return list(session.scalars(select(Region.region_id).where(Region.parent_id == region_id)))
