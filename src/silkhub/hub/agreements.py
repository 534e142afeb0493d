"""Agreements (MoU, framework, contract) between organisations, the commitments inside them
(who owes what, how much, by when) and milestones with status and evidence.

Dates must be consistent: signed ≤ effective ≤ expiry; amounts non-negative with a currency.
An agreement is owned by its parties (their members may edit it; hub staff may edit all).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import (
    Agreement,
    AgreementParty,
    AgreementProject,
    Commitment,
    Event,
    Milestone,
    Organisation,
    Project,
)
from silkhub.errors import ConflictError, ValidationError
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    MAX_MONEY,
    DbId,
    Page,
    check_choice,
    check_dates_ordered,
    check_org_visible,
    delete_audited,
    keyset_page,
)
from silkhub.hub.money import check_amount
from silkhub.hub.policy import (
    Actor,
    can_read,
    check_visibility,
    checked,
    ensure_can_create,
    ensure_can_write,
    not_found,
    read_scope,
)

logger = logging.getLogger(__name__)

AGREEMENT_KINDS: tuple[str, ...] = ("mou", "framework", "contract")
COMMITMENT_STATUSES: tuple[str, ...] = ("open", "fulfilled", "cancelled")
MILESTONE_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "missed", "cancelled")


class CommitmentIn(BaseModel):
    """Who owes what under an agreement, how much and by when."""

    model_config = ConfigDict(extra="forbid")
    owed_by_id: DbId
    owed_to_id: DbId | None = None
    what_en: str | None = Field(None, max_length=1000)
    what_zh: str | None = Field(None, max_length=1000)
    amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    currency: str | None = Field(None, max_length=3)
    year: int | None = Field(None, ge=1900, le=2100)
    due_on: date | None = None
    status: str = "open"
    fulfilled_on: date | None = None
    fulfilled_amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    due_on: date | None = None
    status: str = "planned"
    done_on: date | None = None
    evidence: str | None = Field(None, max_length=20000)


class AgreementIn(BaseModel):
    """Fields to create an agreement (commitments may be given inline)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="mou, framework or contract")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    signed_on: date | None = None
    effective_on: date | None = None
    expiry_on: date | None = None
    event_id: DbId | None = None
    party_ids: list[DbId] = Field(min_length=1)
    project_ids: list[DbId] = Field(default_factory=list)
    commitments: list[CommitmentIn] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class AgreementPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    signed_on: date | None = None
    effective_on: date | None = None
    expiry_on: date | None = None
    visibility: str | None = None


class FulfilIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fulfilled_on: date
    fulfilled_amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)


def party_ids(a: Agreement) -> list[int]:
    return sorted(p.organisation_id for p in a.parties)


def _check_org(session: Session, oid: int, field: str, actor: Actor | None = None) -> None:
    if actor is not None:
        check_org_visible(session, actor, oid, field)
    elif session.get(Organisation, oid) is None:
        raise ValidationError(f"organisation {oid} does not exist", field=field)


def _commitment(
    session: Session, a: Agreement, parties: list[int], c: CommitmentIn, actor: Actor
) -> Commitment:
    if c.owed_by_id not in parties:
        raise ValidationError(
            f"commitment owed by organisation {c.owed_by_id}, which is not a party "
            f"(parties: {', '.join(map(str, parties))})",
            field="commitments.owed_by_id",
        )
    if c.owed_to_id is not None:
        _check_org(session, c.owed_to_id, "commitments.owed_to_id", actor)
    if not (c.what_en or c.what_zh):
        raise ValidationError(
            "a commitment needs a description (what_en or what_zh)", field="what_en"
        )
    amount, currency = check_amount(c.amount, c.currency, field="commitments.amount")
    famount, _ = check_amount(
        c.fulfilled_amount, currency or c.currency, field="commitments.fulfilled_amount"
    )
    status = check_choice(c.status, COMMITMENT_STATUSES, "commitment status", "status") or "open"
    if status == "fulfilled" and c.fulfilled_on is None:
        raise ValidationError("a fulfilled commitment needs fulfilled_on", field="fulfilled_on")
    if status != "fulfilled" and c.fulfilled_on is not None:
        raise ValidationError("fulfilled_on given but status is not fulfilled", field="status")
    if c.due_on and a.signed_on and c.due_on < a.signed_on:
        raise ValidationError(
            f"due_on ({c.due_on}) is before the agreement was signed ({a.signed_on})",
            field="due_on",
        )
    return Commitment(
        owed_by_id=c.owed_by_id,
        owed_to_id=c.owed_to_id,
        what_en=c.what_en,
        what_zh=c.what_zh,
        amount=amount,
        currency=currency,
        year=c.year or (c.due_on.year if c.due_on else (a.signed_on.year if a.signed_on else None)),
        due_on=c.due_on,
        status=status,
        fulfilled_on=c.fulfilled_on,
        fulfilled_amount=famount,
    )


def create_agreement(
    session: Session,
    actor: Actor,
    data: AgreementIn,
    *,
    source_dataset: str | None = None,
    source_row: str | None = None,
) -> Agreement:
    """Create an agreement with its parties, linked projects and commitments."""
    parties = list(dict.fromkeys(data.party_ids))
    ensure_can_create(actor, parties, what="agreement")
    for oid in parties:
        _check_org(session, oid, "party_ids", actor)
    if not (data.title_en or data.title_zh):
        raise ValidationError("an agreement needs a title (title_en or title_zh)", field="title_en")
    check_dates_ordered(
        ("signed_on", data.signed_on),
        ("effective_on", data.effective_on),
        ("expiry_on", data.expiry_on),
    )
    if data.external_id and session.scalar(
        select(Agreement.id).where(Agreement.external_id == data.external_id)
    ):
        raise ConflictError(f"an agreement with external_id {data.external_id!r} exists")
    if data.event_id is not None:
        event = session.get(Event, data.event_id)
        if event is None or not can_read(
            actor, event.visibility, [o.organisation_id for o in event.organisers]
        ):
            raise ValidationError(f"event {data.event_id} does not exist", field="event_id")
    for pid in data.project_ids:
        project = session.get(Project, pid)
        if project is None or not can_read(
            actor, project.visibility, [x.organisation_id for x in project.parties]
        ):
            raise ValidationError(f"project {pid} does not exist", field="project_ids")
    a = Agreement(
        kind=check_choice(data.kind, AGREEMENT_KINDS, "agreement kind", "kind", required=True),
        title_en=data.title_en,
        title_zh=data.title_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        signed_on=data.signed_on,
        effective_on=data.effective_on,
        expiry_on=data.expiry_on,
        event_id=data.event_id,
        visibility=check_visibility(data.visibility),
        external_id=data.external_id,
        source_dataset=source_dataset,
        source_row=source_row,
    )
    a.parties = [AgreementParty(organisation_id=o) for o in parties]
    a.projects = [AgreementProject(project_id=p) for p in dict.fromkeys(data.project_ids)]
    a.commitments = [_commitment(session, a, parties, c, actor) for c in data.commitments]
    session.add(a)
    session.flush()
    audit(session, actor, "agreement.create", "agreement", a.id, after=snapshot(a))
    return a


def _load(session: Session, agreement_id: int) -> Agreement | None:
    return session.scalars(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.parties),
            selectinload(Agreement.projects),
            selectinload(Agreement.commitments).selectinload(Commitment.milestones),
        )
    ).first()


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    return checked(
        _load(session, agreement_id), actor, party_ids, what="agreement", ident=agreement_id
    )


def writable_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    loaded = _load(session, agreement_id)
    return checked(loaded, actor, party_ids, what="agreement", ident=agreement_id, write=True)


def update_agreement(
    session: Session, actor: Actor, agreement_id: int, patch: AgreementPatch
) -> Agreement:
    a = writable_agreement(session, actor, agreement_id)
    before = snapshot(a)
    fields = patch.model_dump(exclude_unset=True)
    if "visibility" in fields:
        a.visibility = check_visibility(fields.pop("visibility") or "public")
    for k, v in fields.items():
        setattr(a, k, v)
    check_dates_ordered(
        ("signed_on", a.signed_on), ("effective_on", a.effective_on), ("expiry_on", a.expiry_on)
    )
    session.flush()
    audit(session, actor, "agreement.update", "agreement", a.id, before, snapshot(a))
    return a


def delete_agreement(session: Session, actor: Actor, agreement_id: int) -> None:
    a = writable_agreement(session, actor, agreement_id)
    delete_audited(session, actor, a, "agreement", agreement_id)


def add_commitment(
    session: Session, actor: Actor, agreement_id: int, data: CommitmentIn
) -> Commitment:
    a = writable_agreement(session, actor, agreement_id)
    c = _commitment(session, a, party_ids(a), data, actor)
    c.agreement_id = a.id
    session.add(c)
    session.flush()
    audit(session, actor, "commitment.create", "commitment", c.id, after=snapshot(c))
    return c


def _writable_commitment(session: Session, actor: Actor, commitment_id: int) -> Commitment:
    c = session.get(Commitment, commitment_id)
    if c is None:
        raise not_found("commitment", commitment_id)
    a = _load(session, c.agreement_id)
    assert a is not None
    if not _readable(actor, a):
        raise not_found("commitment", commitment_id)
    ensure_can_write(actor, party_ids(a), a.visibility, what="commitment", ident=commitment_id)
    return c


def _readable(actor: Actor, a: Agreement) -> bool:
    from silkhub.hub.policy import can_read

    return can_read(actor, a.visibility, party_ids(a))


def fulfil_commitment(
    session: Session, actor: Actor, commitment_id: int, data: FulfilIn
) -> Commitment:
    """Mark a commitment fulfilled on a date (with the amount actually delivered)."""
    c = _writable_commitment(session, actor, commitment_id)
    if c.status == "cancelled":
        raise ConflictError(f"commitment {c.id} is cancelled")
    before = snapshot(c)
    famount, _ = check_amount(data.fulfilled_amount, c.currency or "USD", field="fulfilled_amount")
    c.status, c.fulfilled_on, c.fulfilled_amount = "fulfilled", data.fulfilled_on, famount
    session.flush()
    audit(session, actor, "commitment.fulfil", "commitment", c.id, before, snapshot(c))
    return c


def add_milestone(
    session: Session, actor: Actor, commitment_id: int, data: MilestoneIn
) -> Milestone:
    c = _writable_commitment(session, actor, commitment_id)
    status = check_choice(data.status, MILESTONE_STATUSES, "milestone status", "status")
    if status == "done" and data.done_on is None:
        raise ValidationError("a done milestone needs done_on", field="done_on")
    if not (data.title_en or data.title_zh):
        raise ValidationError("a milestone needs a title", field="title_en")
    m = Milestone(
        commitment_id=c.id,
        title_en=data.title_en,
        title_zh=data.title_zh,
        due_on=data.due_on,
        status=status or "planned",
        done_on=data.done_on,
        evidence=data.evidence,
    )
    session.add(m)
    session.flush()
    audit(session, actor, "milestone.create", "milestone", m.id, after=snapshot(m))
    return m


def update_milestone(
    session: Session,
    actor: Actor,
    milestone_id: int,
    status: str,
    done_on: date | None = None,
    evidence: str | None = None,
) -> Milestone:
    """Change a milestone's status (done needs a date; evidence is kept)."""
    m = session.get(Milestone, milestone_id)
    if m is None:
        raise not_found("milestone", milestone_id)
    try:
        _writable_commitment(session, actor, m.commitment_id)
    except Exception as exc:
        if getattr(exc, "status", None) == 404:
            raise not_found("milestone", milestone_id) from None
        raise
    before = snapshot(m)
    m.status = check_choice(status, MILESTONE_STATUSES, "milestone status", "status") or m.status
    if m.status == "done" and done_on is None and m.done_on is None:
        raise ValidationError("a done milestone needs done_on", field="done_on")
    m.done_on = done_on or m.done_on
    if evidence is not None:
        m.evidence = evidence
    session.flush()
    audit(session, actor, "milestone.update", "milestone", m.id, before, snapshot(m))
    return m


def visible_agreements(actor: Actor) -> ColumnElement[bool] | None:
    """SQL condition: agreements visible to ``actor`` (None = all)."""
    scope = read_scope(actor)
    if scope.everything:
        return None
    cond = Agreement.visibility.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(
            cond,
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(
                    AgreementParty.organisation_id == scope.organisation_id
                )
            ),
        )
    return cond


def list_agreements(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    organisation_id: int | None = None,
    event_id: int | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Agreement]:
    """Agreements visible to ``actor``, newest signing first."""
    query = select(Agreement).options(
        selectinload(Agreement.parties),
        selectinload(Agreement.projects),
        selectinload(Agreement.commitments),
    )
    cond = visible_agreements(actor)
    if cond is not None:
        query = query.where(cond)
    if kind:
        query = query.where(
            Agreement.kind == check_choice(kind, AGREEMENT_KINDS, "agreement kind", "kind")
        )
    if organisation_id is not None:
        query = query.where(
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(
                    AgreementParty.organisation_id == organisation_id
                )
            )
        )
    if event_id is not None:
        query = query.where(Agreement.event_id == event_id)
    if signed_from:
        query = query.where(Agreement.signed_on >= signed_from)
    if signed_to:
        query = query.where(Agreement.signed_on <= signed_to)
    return keyset_page(
        session,
        query,
        Agreement.signed_on,
        Agreement.id,
        descending=True,
        cursor=cursor,
        limit=limit,
        kind="date",
    )
