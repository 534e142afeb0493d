"""Organisations: CRUD, filtered cursor lists, offers/requests, members and commitment
performance. Thin: the models and every rule are in :mod:`silkhub.hub.organisations`."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from pydantic import Field

from silkhub.api.choices import (
    OfferKind,
    OrganisationKind,
    OrganisationService,
    OrganisationSize,
    OrganisationVisibility,
)
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.hub import organisations as svc
from silkhub.hub import performance as perf
from silkhub.hub.agreements.schemas import PerformanceRead
from silkhub.hub.organisations import (
    MemberRead,
    OfferCreate,
    OfferRead,
    OrganisationCreate,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
)

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=RESPONSES)


class OrganisationCreateBody(OrganisationCreate):
    """The API's body: ``kind`` is the closed list (stated as an enum in the document; the
    service still normalises what the web form and file imports send)."""

    kind: OrganisationKind = Field(description="kind of organisation")  # type: ignore[valid-type]
    size: OrganisationSize | None = None  # type: ignore[valid-type]
    visibility: OrganisationVisibility = "public"  # type: ignore[valid-type]


class OrganisationUpdateBody(OrganisationUpdate):
    """The API's body: ``kind`` is the closed list (null: unchanged)."""

    kind: OrganisationKind | None = None  # type: ignore[valid-type]
    size: OrganisationSize | None = None  # type: ignore[valid-type]
    visibility: OrganisationVisibility | None = None  # type: ignore[valid-type]


@router.get("", response_model=OrganisationPage)
def list_organisations(
    session: SessionDep,
    actor: ActorDep,
    kind: OrganisationKind | None = Query(None, description=", ".join(svc.ORGANISATION_KINDS)),
    country: str | None = Query(None, max_length=100),
    region: str | None = Query(None, max_length=100),
    sector: str | None = Query(None, max_length=8),
    service: OrganisationService | None = Query(None, description=", ".join(svc.SERVICES)),
    serves_country: str | None = Query(None, max_length=100),
    q: str | None = Query(None, max_length=200, description="text in the zh or en name"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> OrganisationPage:
    """Organisations visible to the caller (ordered by id)."""
    page = svc.list_organisations(
        session,
        actor,
        kind=kind,
        country=country,
        region=region,
        sector=sector,
        service=service,
        serves_country=serves_country,
        q=q,
        cursor=cursor,
        limit=limit,
    )
    return OrganisationPage(
        items=[OrganisationRead.of(o) for o in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/offers", response_model=list[OfferRead])
def list_offers(
    session: SessionDep,
    actor: ActorDep,
    kind: OfferKind | None = Query(None, description="offer or request"),
) -> list[OfferRead]:
    """Active cooperation offers and requests visible to the caller."""
    return [OfferRead.model_validate(x) for x in svc.list_offers(session, actor, kind=kind)]


@router.post("", response_model=OrganisationRead, status_code=201)
def create_organisation(
    session: SessionDep, actor: ActorDep, body: OrganisationCreateBody
) -> OrganisationRead:
    """Register an organisation (hub staff)."""
    return OrganisationRead.of(svc.create_organisation(session, actor, body))


@router.get("/{org_id}", response_model=OrganisationRead)
def get_organisation(session: SessionDep, actor: ActorDep, org_id: IdPath) -> OrganisationRead:
    return OrganisationRead.of(svc.get_organisation(session, actor, org_id))


@router.patch("/{org_id}", response_model=OrganisationRead)
def update_organisation(
    session: SessionDep, actor: ActorDep, org_id: IdPath, body: OrganisationUpdateBody
) -> OrganisationRead:
    return OrganisationRead.of(svc.update_organisation(session, actor, org_id, body))


@router.delete("/{org_id}", status_code=204, response_class=Response)
def delete_organisation(session: SessionDep, actor: ActorDep, org_id: IdPath) -> Response:
    svc.delete_organisation(session, actor, org_id)
    return Response(status_code=204)


@router.post("/{org_id}/offers", response_model=OfferRead, status_code=201)
def add_offer(session: SessionDep, actor: ActorDep, org_id: IdPath, body: OfferCreate) -> OfferRead:
    """Add a cooperation offer or request of the organisation."""
    return OfferRead.model_validate(svc.add_offer(session, actor, org_id, body))


@router.get("/{org_id}/members", response_model=list[MemberRead])
def list_members(session: SessionDep, actor: ActorDep, org_id: IdPath) -> list[MemberRead]:
    """User accounts of the organisation (hub staff and the organisation's own users)."""
    return [MemberRead.model_validate(u) for u in svc.list_members(session, actor, org_id)]


@router.get("/{org_id}/performance", response_model=PerformanceRead)
def organisation_performance(
    session: SessionDep, actor: ActorDep, org_id: IdPath, as_of: IsoDate | None = None
) -> PerformanceRead:
    """Performance of the commitments the organisation owes."""
    p = perf.organisation_performance(session, actor, org_id, as_of)
    return PerformanceRead(**p.__dict__)
