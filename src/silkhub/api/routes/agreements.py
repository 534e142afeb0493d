"""Agreements, commitments and milestones; performance per agreement, organisation, region."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from silkhub.api.choices import AgreementKind, PerformanceGroup
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.organisations import PerformanceOut
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.data.storage.models.hub import Agreement
from silkhub.hub import agreements as svc
from silkhub.hub import performance as perf
from silkhub.hub.common import MAX_ID

router = APIRouter(prefix="/agreements", tags=["agreements"], responses=RESPONSES)


class MilestoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    commitment_id: int
    title_en: str | None
    title_zh: str | None
    due_on: date | None
    status: str
    done_on: date | None
    evidence: str | None


class CommitmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: int
    owed_by_id: int
    owed_to_id: int | None
    what_en: str | None
    what_zh: str | None
    amount: Decimal | None
    currency: str | None
    year: int | None
    due_on: date | None
    status: str
    fulfilled_on: date | None
    fulfilled_amount: Decimal | None


class AgreementOut(BaseModel):
    id: int
    kind: str
    title_en: str | None
    title_zh: str | None
    description_en: str | None
    description_zh: str | None
    signed_on: date | None
    effective_on: date | None
    expiry_on: date | None
    event_id: int | None
    party_ids: list[int]
    project_ids: list[int]
    commitments: list[CommitmentOut]
    visibility: str
    external_id: str | None


class AgreementPage(BaseModel):
    items: list[AgreementOut]
    next_cursor: str | None
    limit: int


class MilestoneStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str
    done_on: date | None = None
    evidence: str | None = None


class OverdueOut(BaseModel):
    kind: str
    id: int
    agreement_id: int
    owed_by_id: int
    owed_by: str
    what: str
    due_on: date
    days_overdue: int


def to_out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.id,
        kind=a.kind,
        title_en=a.title_en,
        title_zh=a.title_zh,
        description_en=a.description_en,
        description_zh=a.description_zh,
        signed_on=a.signed_on,
        effective_on=a.effective_on,
        expiry_on=a.expiry_on,
        event_id=a.event_id,
        party_ids=svc.party_ids(a),
        project_ids=sorted(p.project_id for p in a.projects),
        commitments=[CommitmentOut.model_validate(c) for c in a.commitments],
        visibility=a.visibility,
        external_id=a.external_id,
    )


@router.get("", response_model=AgreementPage)
def list_agreements(
    session: SessionDep,
    actor: ActorDep,
    kind: AgreementKind | None = Query(None, description="mou, framework or contract"),
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
    event_id: int | None = Query(None, ge=1, le=MAX_ID),
    signed_from: IsoDate | None = None,
    signed_to: IsoDate | None = None,
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> AgreementPage:
    """Agreements visible to the caller, newest signing first."""
    page = svc.list_agreements(
        session,
        actor,
        kind=kind,
        organisation_id=organisation_id,
        event_id=event_id,
        signed_from=signed_from,
        signed_to=signed_to,
        cursor=cursor,
        limit=limit,
    )
    return AgreementPage(
        items=[to_out(a) for a in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.get("/performance", response_model=list[dict[str, Any]])
def performance_table(
    session: SessionDep,
    actor: ActorDep,
    by: PerformanceGroup = Query("agreement", description="agreement, organisation or region"),
    as_of: IsoDate | None = None,
) -> list[dict[str, Any]]:
    """On-time rate, fulfilled amount and overdue items per agreement, organisation or region."""
    return perf.performance_table(session, actor, by, as_of)


@router.get("/overdue", response_model=list[OverdueOut])
def overdue(
    session: SessionDep,
    actor: ActorDep,
    as_of: IsoDate | None = None,
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> list[OverdueOut]:
    """Open commitments and milestones past their due date, most overdue first."""
    items = perf.overdue_items(session, actor, as_of, organisation_id=organisation_id)
    return [OverdueOut(**asdict(i)) for i in items]


@router.get("/regions/{region}/performance", response_model=PerformanceOut)
def region_performance(
    session: SessionDep, actor: ActorDep, region: str, as_of: IsoDate | None = None
) -> PerformanceOut:
    """Performance of commitments owed by organisations in a region (and its sub-regions)."""
    p = perf.region_performance(session, actor, region[:100], as_of)
    return PerformanceOut(**p.__dict__)


@router.post("", response_model=AgreementOut, status_code=201)
def create_agreement(session: SessionDep, actor: ActorDep, body: svc.AgreementIn) -> AgreementOut:
    return to_out(svc.create_agreement(session, actor, body))


@router.get("/{agreement_id}", response_model=AgreementOut)
def get_agreement(session: SessionDep, actor: ActorDep, agreement_id: IdPath) -> AgreementOut:
    return to_out(svc.get_agreement(session, actor, agreement_id))


@router.patch("/{agreement_id}", response_model=AgreementOut)
def update_agreement(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, body: svc.AgreementPatch
) -> AgreementOut:
    return to_out(svc.update_agreement(session, actor, agreement_id, body))


@router.delete("/{agreement_id}", status_code=204, response_class=Response)
def delete_agreement(session: SessionDep, actor: ActorDep, agreement_id: IdPath) -> Response:
    svc.delete_agreement(session, actor, agreement_id)
    return Response(status_code=204)


@router.get("/{agreement_id}/performance", response_model=PerformanceOut)
def agreement_performance(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, as_of: IsoDate | None = None
) -> PerformanceOut:
    p = perf.agreement_performance(session, actor, agreement_id, as_of)
    return PerformanceOut(**p.__dict__)


@router.post("/{agreement_id}/commitments", response_model=CommitmentOut, status_code=201)
def add_commitment(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, body: svc.CommitmentIn
) -> CommitmentOut:
    return CommitmentOut.model_validate(svc.add_commitment(session, actor, agreement_id, body))


@router.post("/commitments/{commitment_id}/fulfil", response_model=CommitmentOut)
def fulfil_commitment(
    session: SessionDep, actor: ActorDep, commitment_id: IdPath, body: svc.FulfilIn
) -> CommitmentOut:
    """Mark a commitment fulfilled (date and amount delivered)."""
    return CommitmentOut.model_validate(svc.fulfil_commitment(session, actor, commitment_id, body))


@router.post(
    "/commitments/{commitment_id}/milestones", response_model=MilestoneOut, status_code=201
)
def add_milestone(
    session: SessionDep, actor: ActorDep, commitment_id: IdPath, body: svc.MilestoneIn
) -> MilestoneOut:
    return MilestoneOut.model_validate(svc.add_milestone(session, actor, commitment_id, body))


@router.patch("/milestones/{milestone_id}", response_model=MilestoneOut)
def update_milestone(
    session: SessionDep, actor: ActorDep, milestone_id: IdPath, body: MilestoneStatusIn
) -> MilestoneOut:
    m = svc.update_milestone(session, actor, milestone_id, body.status, body.done_on, body.evidence)
    return MilestoneOut.model_validate(m)
