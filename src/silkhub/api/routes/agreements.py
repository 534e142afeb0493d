"""Agreements, commitments and milestones; performance per agreement, organisation, region.
Thin: the models and every rule are in :mod:`silkhub.hub.agreements` and
:mod:`silkhub.hub.performance`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from silkhub.api.choices import AgreementKind, PerformanceGroup
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.hub import agreements as svc
from silkhub.hub import performance as perf
from silkhub.hub.agreements import (
    AgreementCreate,
    AgreementPage,
    AgreementRead,
    AgreementUpdate,
    CommitmentCreate,
    CommitmentFulfil,
    CommitmentRead,
    MilestoneCreate,
    MilestoneRead,
    MilestoneUpdate,
    OverdueRead,
    PerformanceRead,
)
from silkhub.hub.common import MAX_ID

router = APIRouter(prefix="/agreements", tags=["agreements"], responses=RESPONSES)


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
        items=[AgreementRead.of(a) for a in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.get("/performance", response_model=list[dict[str, Any]])
def performance_table(
    session: SessionDep,
    actor: ActorDep,
    by: PerformanceGroup = Query("agreement", description="agreement, organisation or region"),
    as_of: IsoDate | None = None,
) -> list[dict[str, Any]]:
    """On-time rate, fulfilled amount, overdue items and traffic light per agreement,
    organisation or region."""
    return perf.performance_table(session, actor, by, as_of)


@router.get("/overdue", response_model=list[OverdueRead])
def overdue(
    session: SessionDep,
    actor: ActorDep,
    as_of: IsoDate | None = None,
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> list[OverdueRead]:
    """Open commitments and milestones past their due date, most overdue first."""
    return perf.overdue_items(session, actor, as_of, organisation_id=organisation_id)


@router.get("/regions/{region}/performance", response_model=PerformanceRead)
def region_performance(
    session: SessionDep, actor: ActorDep, region: str, as_of: IsoDate | None = None
) -> PerformanceRead:
    """Performance of commitments owed by organisations in a region (and its sub-regions)."""
    p = perf.region_performance(session, actor, region[:100], as_of)
    return PerformanceRead(**p.__dict__)


@router.post("", response_model=AgreementRead, status_code=201)
def create_agreement(session: SessionDep, actor: ActorDep, body: AgreementCreate) -> AgreementRead:
    return AgreementRead.of(svc.create_agreement(session, actor, body))


@router.get("/{agreement_id}", response_model=AgreementRead)
def get_agreement(session: SessionDep, actor: ActorDep, agreement_id: IdPath) -> AgreementRead:
    return AgreementRead.of(svc.get_agreement(session, actor, agreement_id))


@router.patch("/{agreement_id}", response_model=AgreementRead)
def update_agreement(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, body: AgreementUpdate
) -> AgreementRead:
    return AgreementRead.of(svc.update_agreement(session, actor, agreement_id, body))


@router.delete("/{agreement_id}", status_code=204, response_class=Response)
def delete_agreement(session: SessionDep, actor: ActorDep, agreement_id: IdPath) -> Response:
    svc.delete_agreement(session, actor, agreement_id)
    return Response(status_code=204)


@router.get("/{agreement_id}/performance", response_model=PerformanceRead)
def agreement_performance(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, as_of: IsoDate | None = None
) -> PerformanceRead:
    """Performance and traffic light of the agreement (overdue milestones turn it red)."""
    p = perf.agreement_performance(session, actor, agreement_id, as_of)
    return PerformanceRead(**p.__dict__)


@router.post("/{agreement_id}/commitments", response_model=CommitmentRead, status_code=201)
def add_commitment(
    session: SessionDep, actor: ActorDep, agreement_id: IdPath, body: CommitmentCreate
) -> CommitmentRead:
    return CommitmentRead.model_validate(svc.add_commitment(session, actor, agreement_id, body))


@router.post("/commitments/{commitment_id}/fulfil", response_model=CommitmentRead)
def fulfil_commitment(
    session: SessionDep, actor: ActorDep, commitment_id: IdPath, body: CommitmentFulfil
) -> CommitmentRead:
    """Mark a commitment fulfilled (date, amount delivered and evidence)."""
    return CommitmentRead.model_validate(svc.fulfil_commitment(session, actor, commitment_id, body))


@router.post(
    "/commitments/{commitment_id}/milestones", response_model=MilestoneRead, status_code=201
)
def add_milestone(
    session: SessionDep, actor: ActorDep, commitment_id: IdPath, body: MilestoneCreate
) -> MilestoneRead:
    return MilestoneRead.model_validate(svc.add_milestone(session, actor, commitment_id, body))


@router.patch("/milestones/{milestone_id}", response_model=MilestoneRead)
def update_milestone(
    session: SessionDep, actor: ActorDep, milestone_id: IdPath, body: MilestoneUpdate
) -> MilestoneRead:
    m = svc.update_milestone(session, actor, milestone_id, body.status, body.done_on, body.evidence)
    return MilestoneRead.model_validate(m)
