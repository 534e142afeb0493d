"""Organisations: CRUD, filtered cursor lists, offers/requests and commitment performance."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from silkhub.api.choices import OfferKind, OrganisationKind, OrganisationService
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import RESPONSES, AwareDatetime, IdPath
from silkhub.data.storage.models.hub import Organisation
from silkhub.hub import organisations as svc
from silkhub.hub import performance as perf

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=RESPONSES)


class ServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    service: str
    countries: list[str]
    description_en: str | None
    description_zh: str | None


class OrganisationOut(BaseModel):
    id: int
    kind: str
    name_en: str | None
    name_zh: str | None
    iso3: str | None
    region_id: str | None
    sectors: list[str]
    languages: list[str]
    size: str | None
    description_en: str | None
    description_zh: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    website: str | None
    services: list[ServiceOut]
    visibility: str
    external_id: str | None
    updated_at: AwareDatetime


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    next_cursor: str | None
    limit: int


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    organisation_id: int
    kind: str
    title_en: str | None
    title_zh: str | None
    description_en: str | None
    description_zh: str | None
    isic_code: str | None
    countries: str | None
    budget_min: Decimal | None
    budget_max: Decimal | None
    currency: str | None
    visibility: str


class PerformanceOut(BaseModel):
    """On-time rate, fulfilled amount and overdue items (see silkhub.core.commitments)."""

    commitments: int
    evaluated: int
    on_time: int
    late: int
    overdue: int
    pending: int
    cancelled: int
    on_time_rate: float | None
    committed_usd: float
    fulfilled_usd: float
    fulfilment_rate: float | None
    overdue_ids: list[int] = Field(default_factory=list)
    max_days_overdue: int


def _split(v: str | None) -> list[str]:
    return [x for x in (v or "").split(",") if x]


def to_out(o: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=o.id,
        kind=o.kind,
        name_en=o.name_en,
        name_zh=o.name_zh,
        iso3=o.iso3,
        region_id=o.region_id,
        sectors=sorted(s.isic_code for s in o.sectors),
        languages=_split(o.languages),
        size=o.size,
        description_en=o.description_en,
        description_zh=o.description_zh,
        contact_name=o.contact_name,
        contact_email=o.contact_email,
        contact_phone=o.contact_phone,
        website=o.website,
        services=[
            ServiceOut(
                service=s.service,
                countries=_split(s.countries),
                description_en=s.description_en,
                description_zh=s.description_zh,
            )
            for s in o.services
        ],
        visibility=o.visibility,
        external_id=o.external_id,
        updated_at=o.updated_at,
    )


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
        items=[to_out(o) for o in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.get("/offers", response_model=list[OfferOut])
def list_offers(
    session: SessionDep,
    actor: ActorDep,
    kind: OfferKind | None = Query(None, description="offer or request"),
) -> list[OfferOut]:
    """Active cooperation offers and requests visible to the caller."""
    return [OfferOut.model_validate(x) for x in svc.list_offers(session, actor, kind=kind)]


@router.post("", response_model=OrganisationOut, status_code=201)
def create_organisation(
    session: SessionDep, actor: ActorDep, body: svc.OrganisationIn
) -> OrganisationOut:
    """Register an organisation (hub staff)."""
    return to_out(svc.create_organisation(session, actor, body))


@router.get("/{org_id}", response_model=OrganisationOut)
def get_organisation(session: SessionDep, actor: ActorDep, org_id: IdPath) -> OrganisationOut:
    return to_out(svc.get_organisation(session, actor, org_id))


@router.patch("/{org_id}", response_model=OrganisationOut)
def update_organisation(
    session: SessionDep, actor: ActorDep, org_id: IdPath, body: svc.OrganisationPatch
) -> OrganisationOut:
    return to_out(svc.update_organisation(session, actor, org_id, body))


@router.delete("/{org_id}", status_code=204, response_class=Response)
def delete_organisation(session: SessionDep, actor: ActorDep, org_id: IdPath) -> Response:
    svc.delete_organisation(session, actor, org_id)
    return Response(status_code=204)


@router.post("/{org_id}/offers", response_model=OfferOut, status_code=201)
def add_offer(session: SessionDep, actor: ActorDep, org_id: IdPath, body: svc.OfferIn) -> OfferOut:
    """Add a cooperation offer or request of the organisation."""
    return OfferOut.model_validate(svc.add_offer(session, actor, org_id, body))


@router.get("/{org_id}/performance", response_model=PerformanceOut)
def organisation_performance(
    session: SessionDep, actor: ActorDep, org_id: IdPath, as_of: IsoDate | None = None
) -> PerformanceOut:
    """Performance of the commitments the organisation owes."""
    p = perf.organisation_performance(session, actor, org_id, as_of)
    return PerformanceOut(**p.__dict__)
