"""SQL of organisations, offers/requests and members (no rules: those are in ``service``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.accounts import User
from silkhub.data.storage.models.hub import (
    OfferRequest,
    Organisation,
    OrganisationSector,
    ServiceOffering,
)
from silkhub.hub.policy import ReadScope


def load(session: Session, org_id: int) -> Organisation | None:
    """An organisation with its sectors, services and offers (no visibility check)."""
    return session.scalars(
        select(Organisation)
        .where(Organisation.id == org_id)
        .options(
            selectinload(Organisation.sectors),
            selectinload(Organisation.services),
            selectinload(Organisation.offers),
        )
    ).first()


def external_id_taken(session: Session, external_id: str) -> bool:
    return (
        session.scalar(select(Organisation.id).where(Organisation.external_id == external_id))
        is not None
    )


def visible(scope: ReadScope, visibility_col, org_id_col) -> ColumnElement[bool] | None:  # type: ignore[no-untyped-def]
    """SQL condition: rows visible in ``scope`` (None = everything)."""
    if scope.everything:
        return None
    cond = visibility_col.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(cond, org_id_col == scope.organisation_id)
    return cond


def organisations_query(
    scope: ReadScope,
    *,
    kind: str | None = None,
    iso3: str | None = None,
    region_id: str | None = None,
    sector_codes: list[str] | None = None,
    service: str | None = None,
    serves_iso3: str | None = None,
    text: str | None = None,
) -> Select:
    """Organisations visible in ``scope`` matching the (already checked) filters."""
    query = select(Organisation).options(
        selectinload(Organisation.sectors), selectinload(Organisation.services)
    )
    cond = visible(scope, Organisation.visibility, Organisation.id)
    if cond is not None:
        query = query.where(cond)
    if kind:
        query = query.where(Organisation.kind == kind)
    if iso3:
        query = query.where(Organisation.iso3 == iso3)
    if region_id:
        query = query.where(Organisation.region_id == region_id)
    if sector_codes is not None:
        query = query.where(
            Organisation.id.in_(
                select(OrganisationSector.organisation_id).where(
                    OrganisationSector.isic_code.in_(sector_codes)
                )
            )
        )
    if service or serves_iso3:
        sq = select(ServiceOffering.organisation_id)
        if service:
            sq = sq.where(ServiceOffering.service == service)
        if serves_iso3:
            sq = sq.where(ServiceOffering.countries.contains(serves_iso3, autoescape=True))
        query = query.where(Organisation.id.in_(sq))
    if text:
        query = query.where(
            or_(
                func.lower(Organisation.name_en).contains(text.lower(), autoescape=True),
                Organisation.name_zh.contains(text, autoescape=True),
            )
        )
    return query


def offers(
    session: Session, scope: ReadScope, *, kind: str | None, organisation_id: int | None
) -> list[OfferRequest]:
    """Active offers/requests visible in ``scope``, by id."""
    query = select(OfferRequest).where(OfferRequest.active.is_(True))
    cond = visible(scope, OfferRequest.visibility, OfferRequest.organisation_id)
    if cond is not None:
        query = query.where(cond)
    if kind:
        query = query.where(OfferRequest.kind == kind)
    if organisation_id is not None:
        query = query.where(OfferRequest.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(OfferRequest.id)))


def offer(session: Session, offer_id: int) -> OfferRequest | None:
    return session.get(OfferRequest, offer_id)


def members(session: Session, org_id: int) -> list[User]:
    """User accounts of an organisation, by id."""
    return list(
        session.scalars(select(User).where(User.organisation_id == org_id).order_by(User.id))
    )
