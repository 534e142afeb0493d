"""Agreements (MoU, framework, contract) between organisations, the commitments inside them
(who owes what, how much, by when) and milestones with status and evidence.

Dates must be consistent: signed ≤ effective ≤ expiry; amounts non-negative with a currency.
An agreement is owned by its parties (their members may edit it; hub staff may edit all).
Every rule lives here; errors carry message keys (``agreement.*``, ``commitment.*``,
``milestone.*``) rendered per language by each interface.
"""

from __future__ import annotations

import itertools
import logging
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import (
    Agreement,
    AgreementParty,
    AgreementProject,
    Commitment,
    Milestone,
)
from silkhub.errors import ConflictError, NotFoundError, ValidationError
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.agreements import queries
from silkhub.hub.agreements.schemas import (
    AGREEMENT_KINDS,
    COMMITMENT_STATUSES,
    MILESTONE_STATUSES,
    AgreementCreate,
    AgreementUpdate,
    CommitmentCreate,
    CommitmentFulfil,
    MilestoneCreate,
)
from silkhub.hub.common import Page, delete_audited, keyset_page
from silkhub.hub.money import check_amount
from silkhub.hub.organisations.service import check_visibility
from silkhub.hub.policy import (
    Actor,
    can_read,
    can_write,
    checked,
    ensure_can_create,
    ensure_can_write,
    not_found,
    read_scope,
)
from silkhub.hub.validation import choice as check_choice

logger = logging.getLogger(__name__)


def party_ids(a: Agreement) -> list[int]:
    return sorted(p.organisation_id for p in a.parties)


def _check_org(session: Session, oid: int, field: str, actor: Actor) -> None:
    """The organisation exists and ``actor`` sees it (an invisible one reads as missing)."""
    org = queries.organisation(session, oid)
    if org is None or not can_read(actor, org.visibility, [org.id]):
        raise ValidationError(key="agreement.org_missing", params={"id": oid}, field=field)


def check_dates(*pairs: tuple[str, date | None]) -> None:
    """ValidationError ``agreement.date_order`` unless the (name, date) pairs never decrease."""
    known = [(n, d) for n, d in pairs if d is not None]
    for (n1, d1), (n2, d2) in itertools.pairwise(known):
        if d2 < d1:  # type: ignore[operator]
            raise ValidationError(
                key="agreement.date_order",
                params={"later": n2, "later_date": d2, "earlier": n1, "earlier_date": d1},
                field=n2,
            )


def _commitment(
    session: Session, a: Agreement, parties: list[int], c: CommitmentCreate, actor: Actor
) -> Commitment:
    if c.owed_by_id not in parties:
        raise ValidationError(
            key="commitment.not_party",
            params={"org": c.owed_by_id, "parties": ", ".join(map(str, parties))},
            field="commitments.owed_by_id",
        )
    if c.owed_to_id is not None:
        _check_org(session, c.owed_to_id, "commitments.owed_to_id", actor)
    if not ((c.what_en or "").strip() or (c.what_zh or "").strip()):
        raise ValidationError(key="commitment.what_needed", field="what_zh")
    amount, currency = check_amount(c.amount, c.currency, field="commitments.amount")
    famount, _ = check_amount(
        c.fulfilled_amount, currency or c.currency, field="commitments.fulfilled_amount"
    )
    status = check_choice(c.status, COMMITMENT_STATUSES, "commitment status", "status") or "open"
    if status == "fulfilled" and c.fulfilled_on is None:
        raise ValidationError(key="commitment.fulfilled_on_needed", field="fulfilled_on")
    if status != "fulfilled" and c.fulfilled_on is not None:
        raise ValidationError(key="commitment.fulfilled_on_not_fulfilled", field="status")
    if c.due_on and a.signed_on and c.due_on < a.signed_on:
        raise ValidationError(
            key="commitment.due_before_signing",
            params={"due": c.due_on, "signed": a.signed_on},
            field="due_on",
        )
    return Commitment(
        owed_by_id=c.owed_by_id,
        owed_to_id=c.owed_to_id,
        what_en=(c.what_en or "").strip() or None,
        what_zh=(c.what_zh or "").strip() or None,
        amount=amount,
        currency=currency,
        year=c.year or (c.due_on.year if c.due_on else (a.signed_on.year if a.signed_on else None)),
        due_on=c.due_on,
        status=status,
        fulfilled_on=c.fulfilled_on,
        fulfilled_amount=famount,
        evidence=c.evidence,
    )


def _at_row(index: int, build):  # type: ignore[no-untyped-def]
    """Run ``build``; a ValidationError names the commitment's row (``commitments.0.due_on``)."""
    try:
        return build()
    except ValidationError as exc:

        def where(name: str | None) -> str:
            base = (name or "").removeprefix("commitments.")
            return f"commitments.{index}.{base}"

        exc.field = where(exc.field)
        for e in exc.details.get("errors", []):
            e["field"] = where(e.get("field"))
        exc.params.setdefault("row", index + 1)
        raise


def create_agreement(
    session: Session,
    actor: Actor,
    data: AgreementCreate,
    *,
    source_dataset: str | None = None,
    source_row: str | None = None,
) -> Agreement:
    """Create an agreement with its parties, linked projects and commitments."""
    parties = list(dict.fromkeys(data.party_ids))
    ensure_can_create(actor, parties, what="agreement")
    for oid in parties:
        _check_org(session, oid, "party_ids", actor)
    if not ((data.title_en or "").strip() or (data.title_zh or "").strip()):
        raise ValidationError(key="agreement.title_needed", field="title_zh")
    check_dates(
        ("signed_on", data.signed_on),
        ("effective_on", data.effective_on),
        ("expiry_on", data.expiry_on),
    )
    if data.external_id and queries.external_id_taken(session, data.external_id):
        raise ConflictError(key="agreement.external_id_taken", params={"value": data.external_id})
    if data.event_id is not None:
        event = queries.event(session, data.event_id)
        if event is None or not can_read(
            actor, event.visibility, [o.organisation_id for o in event.organisers]
        ):
            raise ValidationError(
                key="agreement.event_missing", params={"id": data.event_id}, field="event_id"
            )
    for pid in data.project_ids:
        project = queries.project(session, pid)
        if project is None or not can_read(
            actor, project.visibility, [x.organisation_id for x in project.parties]
        ):
            raise ValidationError(
                key="agreement.project_missing", params={"id": pid}, field="project_ids"
            )
    a = Agreement(
        kind=check_choice(data.kind, AGREEMENT_KINDS, "agreement kind", "kind", required=True),
        title_en=(data.title_en or "").strip() or None,
        title_zh=(data.title_zh or "").strip() or None,
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
    a.commitments = [
        _at_row(i, lambda c=c: _commitment(session, a, parties, c, actor))
        for i, c in enumerate(data.commitments)
    ]
    session.add(a)
    session.flush()
    audit(session, actor, "agreement.create", "agreement", a.id, after=snapshot(a))
    return a


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    return checked(
        queries.load(session, agreement_id), actor, party_ids, what="agreement", ident=agreement_id
    )


def writable_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    loaded = queries.load(session, agreement_id)
    return checked(loaded, actor, party_ids, what="agreement", ident=agreement_id, write=True)


def may_edit(actor: Actor, a: Agreement) -> bool:
    """Whether ``actor`` may change ``a`` (members of a party, hub staff); never raises."""
    return can_write(actor, a.visibility, party_ids(a))


def update_agreement(
    session: Session, actor: Actor, agreement_id: int, patch: AgreementUpdate
) -> Agreement:
    a = writable_agreement(session, actor, agreement_id)
    before = snapshot(a)
    fields = patch.model_dump(exclude_unset=True)
    if "visibility" in fields:
        a.visibility = check_visibility(fields.pop("visibility") or "public")
    for k, v in fields.items():
        setattr(a, k, v)
    if not (a.title_en or a.title_zh):
        raise ValidationError(key="agreement.title_needed", field="title_zh")
    check_dates(
        ("signed_on", a.signed_on), ("effective_on", a.effective_on), ("expiry_on", a.expiry_on)
    )
    session.flush()
    audit(session, actor, "agreement.update", "agreement", a.id, before, snapshot(a))
    return a


def delete_agreement(session: Session, actor: Actor, agreement_id: int) -> None:
    a = writable_agreement(session, actor, agreement_id)
    delete_audited(session, actor, a, "agreement", agreement_id)


def add_commitment(
    session: Session, actor: Actor, agreement_id: int, data: CommitmentCreate
) -> Commitment:
    a = writable_agreement(session, actor, agreement_id)
    c = _commitment(session, a, party_ids(a), data, actor)
    c.agreement_id = a.id
    session.add(c)
    session.flush()
    audit(session, actor, "commitment.create", "commitment", c.id, after=snapshot(c))
    return c


def _writable_commitment(session: Session, actor: Actor, commitment_id: int) -> Commitment:
    c = queries.commitment(session, commitment_id)
    if c is None:
        raise not_found("commitment", commitment_id)
    a = queries.load(session, c.agreement_id)
    assert a is not None
    if not can_read(actor, a.visibility, party_ids(a)):
        raise not_found("commitment", commitment_id)
    ensure_can_write(actor, party_ids(a), a.visibility, what="commitment", ident=commitment_id)
    return c


def writable_commitment(session: Session, actor: Actor, commitment_id: int) -> Commitment:
    """A commitment the actor may change (404 when invisible, 401/403 when not allowed)."""
    return _writable_commitment(session, actor, commitment_id)


def writable_milestone(session: Session, actor: Actor, milestone_id: int) -> Milestone:
    """A milestone the actor may change (404 when invisible, 401/403 when not allowed)."""
    m = queries.milestone(session, milestone_id)
    if m is None:
        raise not_found("milestone", milestone_id)
    try:
        _writable_commitment(session, actor, m.commitment_id)
    except NotFoundError:
        raise not_found("milestone", milestone_id) from None
    return m


def fulfil_commitment(
    session: Session, actor: Actor, commitment_id: int, data: CommitmentFulfil
) -> Commitment:
    """Mark a commitment fulfilled on a date, with the amount delivered and the evidence.

    The date must not be in the future nor before the agreement was signed.
    """
    c = _writable_commitment(session, actor, commitment_id)
    if c.status == "cancelled":
        raise ConflictError(key="commitment.cancelled", params={"id": c.id})
    if data.fulfilled_on > date.today():
        raise ValidationError(
            key="commitment.fulfilled_in_future",
            params={"date": data.fulfilled_on},
            field="fulfilled_on",
        )
    signed = c.agreement.signed_on
    if signed is not None and data.fulfilled_on < signed:
        raise ValidationError(
            key="commitment.fulfilled_before_signing",
            params={"date": data.fulfilled_on, "signed": signed},
            field="fulfilled_on",
        )
    before = snapshot(c)
    famount, _ = check_amount(data.fulfilled_amount, c.currency or "USD", field="fulfilled_amount")
    c.status, c.fulfilled_on, c.fulfilled_amount = "fulfilled", data.fulfilled_on, famount
    if data.evidence is not None and data.evidence.strip():
        c.evidence = data.evidence.strip()
    session.flush()
    audit(session, actor, "commitment.fulfil", "commitment", c.id, before, snapshot(c))
    return c


def _check_milestone(status: str | None, done_on: date | None) -> None:
    if status == "done" and done_on is None:
        raise ValidationError(key="milestone.done_on_needed", field="done_on")
    if done_on is not None and done_on > date.today():
        raise ValidationError(
            key="milestone.done_in_future", params={"date": done_on}, field="done_on"
        )


def add_milestone(
    session: Session, actor: Actor, commitment_id: int, data: MilestoneCreate
) -> Milestone:
    c = _writable_commitment(session, actor, commitment_id)
    status = check_choice(data.status, MILESTONE_STATUSES, "milestone status", "status")
    if not ((data.title_en or "").strip() or (data.title_zh or "").strip()):
        raise ValidationError(key="milestone.title_needed", field="title_zh")
    _check_milestone(status, data.done_on)
    m = Milestone(
        commitment_id=c.id,
        title_en=(data.title_en or "").strip() or None,
        title_zh=(data.title_zh or "").strip() or None,
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
    m = writable_milestone(session, actor, milestone_id)
    before = snapshot(m)
    new_status = check_choice(status, MILESTONE_STATUSES, "milestone status", "status")
    _check_milestone(new_status, done_on or m.done_on)
    m.status = new_status or m.status
    m.done_on = done_on or m.done_on
    if evidence is not None and evidence.strip():
        m.evidence = evidence.strip()
    session.flush()
    audit(session, actor, "milestone.update", "milestone", m.id, before, snapshot(m))
    return m


def visible_agreements(actor: Actor) -> ColumnElement[bool] | None:
    """SQL condition: agreements visible to ``actor`` (None = all)."""
    return queries.visible(read_scope(actor))


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
    query = queries.agreements_query(
        read_scope(actor),
        kind=check_choice(kind, AGREEMENT_KINDS, "agreement kind", "kind"),
        organisation_id=organisation_id,
        event_id=event_id,
        signed_from=signed_from,
        signed_to=signed_to,
    )
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
