"""Organisations: government bodies, SOEs, enterprises, chambers of commerce, service providers.

Each organisation has a type, names in Chinese and English, a country and region, ISIC rev.4
sectors, languages, size, contacts, the services it offers (service providers) and its
cooperation offers and requests. An organisation owns itself: its members may edit it.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import (
    OfferRequest,
    Organisation,
    OrganisationSector,
    ServiceOffering,
)
from silkhub.errors import ConflictError, ValidationError
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    MAX_MONEY,
    Page,
    check_choice,
    delete_audited,
    keyset_page,
    resolve_country,
    resolve_region,
)
from silkhub.hub.money import check_amount
from silkhub.hub.policy import (
    Actor,
    check_visibility,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    read_scope,
)
from silkhub.hub.sectors import check_sector, codes_under

logger = logging.getLogger(__name__)

ORGANISATION_KINDS: tuple[str, ...] = (
    "government",
    "soe",
    "private_enterprise",
    "chamber_of_commerce",
    "service_provider",
    "financial_institution",
    "university_research",
    "international_organisation",
)
SERVICES: tuple[str, ...] = (
    "law",
    "audit",
    "accounting",
    "visa",
    "logistics",
    "translation",
    "finance",
    "consulting",
)
SIZES: tuple[str, ...] = ("micro", "small", "medium", "large")
OFFER_KINDS: tuple[str, ...] = ("offer", "request")


class ServiceIn(BaseModel):
    """A service a provider offers and the countries it serves (ISO3 codes or names)."""

    model_config = ConfigDict(extra="forbid")
    service: str = Field(description="law, audit, accounting, visa, logistics, translation, ...")
    countries: list[str] = Field(default_factory=list)
    description_en: str | None = Field(None, max_length=5000)
    description_zh: str | None = Field(None, max_length=5000)


class OrganisationIn(BaseModel):
    """Fields to create an organisation (and, all optional, to update one)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description=", ".join(ORGANISATION_KINDS))
    name_en: str | None = Field(None, max_length=300)
    name_zh: str | None = Field(None, max_length=300)
    iso3: str | None = Field(None, max_length=100, description="country: ISO3 code or name")
    region_id: str | None = Field(None, max_length=100, description="region id or name")
    sectors: list[str] = Field(default_factory=list, description="ISIC rev.4 codes")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes, e.g. zh")
    size: str | None = Field(None, description=", ".join(SIZES))
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=60)
    website: str | None = Field(None, max_length=300)
    services: list[ServiceIn] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class OrganisationPatch(BaseModel):
    """Fields to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    kind: str | None = None
    name_en: str | None = Field(None, max_length=300)
    name_zh: str | None = Field(None, max_length=300)
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    sectors: list[str] | None = None
    languages: list[str] | None = None
    size: str | None = None
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=60)
    website: str | None = Field(None, max_length=300)
    services: list[ServiceIn] | None = None
    visibility: str | None = None


class OfferIn(BaseModel):
    """A cooperation offer or request (what the organisation provides or seeks)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="offer or request")
    title_en: str | None = Field(None, max_length=300)
    title_zh: str | None = Field(None, max_length=300)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    isic_code: str | None = None
    countries: list[str] = Field(default_factory=list)
    budget_min: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    budget_max: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    currency: str | None = Field(None, max_length=3)
    visibility: str = "public"


def _languages(values: list[str]) -> str | None:
    out = []
    for v in values:
        c = v.strip().lower()
        if not c:
            continue
        if not (2 <= len(c) <= 3 and c.isalpha()):
            raise ValidationError(
                f"language {v!r} is not an ISO 639 code such as zh", field="languages"
            )
        out.append(c)
    return ",".join(dict.fromkeys(out)) or None


def _countries(session: Session, values: list[str], field: str) -> str | None:
    codes = [resolve_country(session, v, field=field) for v in values if v and v.strip()]
    return ",".join(dict.fromkeys(c for c in codes if c)) or None


def _services(session: Session, items: list[ServiceIn]) -> list[ServiceOffering]:
    seen: set[str] = set()
    out = []
    for s in items:
        service = check_choice(s.service, SERVICES, "service", "services.service")
        assert service is not None
        if service in seen:
            raise ValidationError(f"service {service} listed twice", field="services")
        seen.add(service)
        out.append(
            ServiceOffering(
                service=service,
                countries=_countries(session, s.countries, "services.countries"),
                description_en=s.description_en,
                description_zh=s.description_zh,
            )
        )
    return out


def _check_names(name_en: str | None, name_zh: str | None) -> None:
    if not (name_en or "").strip() and not (name_zh or "").strip():
        raise ValidationError("an organisation needs a name (name_en or name_zh)", field="name_en")


def create_organisation(
    session: Session,
    actor: Actor,
    data: OrganisationIn,
    *,
    source_dataset: str | None = None,
    source_row: str | None = None,
) -> Organisation:
    """Create an organisation (hub staff, or the system for imports)."""
    ensure_can_create(actor, (), what="organisation")
    if not actor.is_staff:
        # members belong to an existing organisation; new organisations are registered by staff
        ensure_can_create(actor, (-1,), what="organisation")
    _check_names(data.name_en, data.name_zh)
    if data.external_id and session.scalar(
        select(Organisation.id).where(Organisation.external_id == data.external_id)
    ):
        raise ConflictError(
            f"an organisation with external_id {data.external_id!r} exists", details={}
        )
    region_id, region_iso3 = resolve_region(session, data.region_id)
    iso3 = resolve_country(session, data.iso3) or region_iso3
    org = Organisation(
        kind=check_choice(
            data.kind, ORGANISATION_KINDS, "organisation kind", "kind", required=True
        ),
        name_en=(data.name_en or "").strip() or None,
        name_zh=(data.name_zh or "").strip() or None,
        iso3=iso3,
        region_id=region_id,
        languages=_languages(data.languages),
        size=check_choice(data.size, SIZES, "size", "size"),
        description_en=data.description_en,
        description_zh=data.description_zh,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        website=data.website,
        visibility=check_visibility(data.visibility),
        external_id=data.external_id,
        source_dataset=source_dataset,
        source_row=source_row,
    )
    codes = [check_sector(c, field="sectors") for c in data.sectors]
    org.sectors = [OrganisationSector(isic_code=c) for c in dict.fromkeys(codes) if c]
    org.services = _services(session, data.services)
    session.add(org)
    session.flush()
    audit(session, actor, "organisation.create", "organisation", org.id, after=snapshot(org))
    return org


def _load(session: Session, org_id: int) -> Organisation | None:
    return session.scalars(
        select(Organisation)
        .where(Organisation.id == org_id)
        .options(
            selectinload(Organisation.sectors),
            selectinload(Organisation.services),
            selectinload(Organisation.offers),
        )
    ).first()


def get_organisation(session: Session, actor: Actor, org_id: int) -> Organisation:
    """An organisation the actor may see (NotFoundError otherwise)."""
    org = _load(session, org_id)
    if org is None:
        _raise_missing(actor, org_id)
    assert org is not None
    ensure_can_read(actor, org.visibility, [org.id], what="organisation", ident=org_id)
    return org


def _raise_missing(actor: Actor, org_id: int) -> None:
    from silkhub.hub.policy import not_found

    raise not_found("organisation", org_id)


def update_organisation(
    session: Session, actor: Actor, org_id: int, patch: OrganisationPatch
) -> Organisation:
    """Change an organisation (its members, or hub staff)."""
    org = _load(session, org_id)
    if org is None:
        _raise_missing(actor, org_id)
    assert org is not None
    ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=org_id)
    before = snapshot(org)
    fields = patch.model_dump(exclude_unset=True)
    if "kind" in fields:
        org.kind = check_choice(
            fields.pop("kind"), ORGANISATION_KINDS, "organisation kind", "kind", required=True
        )
    if "size" in fields:
        org.size = check_choice(fields.pop("size"), SIZES, "size", "size")
    if "visibility" in fields:
        org.visibility = check_visibility(fields.pop("visibility") or "public")
    if "iso3" in fields:
        org.iso3 = resolve_country(session, fields.pop("iso3"))
    if "region_id" in fields:
        org.region_id, r_iso3 = resolve_region(session, fields.pop("region_id"))
        org.iso3 = org.iso3 or r_iso3
    if "languages" in fields:
        org.languages = _languages(fields.pop("languages") or [])
    if "sectors" in fields:
        codes = [check_sector(c, field="sectors") for c in fields.pop("sectors") or []]
        # keep the rows of codes that stay: a new row for a kept code would be inserted
        # before the old one is deleted and break the (organisation, code) unique key
        kept = {row.isic_code: row for row in org.sectors}
        org.sectors = [
            kept.get(c) or OrganisationSector(isic_code=c) for c in dict.fromkeys(codes) if c
        ]
    if "services" in fields:
        fields.pop("services")
        org.services = []
        session.flush()
        org.services = _services(session, patch.services or [])
    for k, v in fields.items():
        setattr(org, k, v.strip() if isinstance(v, str) and k.startswith("name") else v)
    _check_names(org.name_en, org.name_zh)
    session.flush()
    audit(session, actor, "organisation.update", "organisation", org.id, before, snapshot(org))
    return org


def delete_organisation(session: Session, actor: Actor, org_id: int) -> None:
    """Delete an organisation (hub staff only; its memberships in projects go with it)."""
    org = _load(session, org_id)
    if org is None:
        _raise_missing(actor, org_id)
    assert org is not None
    ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=org_id)
    from silkhub.hub.policy import ensure_role

    ensure_role(actor, "admin", "operator")
    delete_audited(session, actor, org, "organisation", org_id)


def clean_filter(value: str | None) -> str | None:
    """A list filter as given, stripped; blank (or absent) -> None (no filter)."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def list_organisations(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    country: str | None = None,
    region: str | None = None,
    sector: str | None = None,
    service: str | None = None,
    serves_country: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Organisation]:
    """Organisations visible to ``actor``, filtered, ordered by id, cursor-paginated.

    Text filters are stripped; a blank one (``""``, ``" "``) means no filter.
    """
    kind, country, region, sector, service, serves_country, q = (
        clean_filter(v) for v in (kind, country, region, sector, service, serves_country, q)
    )
    query = select(Organisation).options(
        selectinload(Organisation.sectors), selectinload(Organisation.services)
    )
    scope = read_scope(actor)
    if not scope.everything:
        cond = Organisation.visibility.in_(scope.visibilities)
        if scope.organisation_id is not None:
            cond = or_(cond, Organisation.id == scope.organisation_id)
        query = query.where(cond)
    if kind:
        query = query.where(
            Organisation.kind == check_choice(kind, ORGANISATION_KINDS, "organisation kind", "kind")
        )
    if country:
        query = query.where(Organisation.iso3 == resolve_country(session, country, field="country"))
    if region:
        rid, _ = resolve_region(session, region)
        query = query.where(Organisation.region_id == rid)
    if sector:
        codes = codes_under(check_sector(sector) or sector)
        query = query.where(
            Organisation.id.in_(
                select(OrganisationSector.organisation_id).where(
                    OrganisationSector.isic_code.in_(codes)
                )
            )
        )
    if service or serves_country:
        sq = select(ServiceOffering.organisation_id)
        if service:
            sq = sq.where(
                ServiceOffering.service == check_choice(service, SERVICES, "service", "service")
            )
        if serves_country:
            iso = resolve_country(session, serves_country, field="serves_country")
            sq = sq.where(ServiceOffering.countries.contains(iso, autoescape=True))
        query = query.where(Organisation.id.in_(sq))
    if q:
        text = q
        query = query.where(
            or_(
                func.lower(Organisation.name_en).contains(text.lower(), autoescape=True),
                Organisation.name_zh.contains(text, autoescape=True),
            )
        )
    return keyset_page(
        session,
        query,
        Organisation.id,
        Organisation.id,
        descending=False,
        cursor=cursor,
        limit=limit,
        nullable=False,
    )


def add_offer(session: Session, actor: Actor, org_id: int, data: OfferIn) -> OfferRequest:
    """Add a cooperation offer or request to an organisation."""
    org = get_organisation(session, actor, org_id)
    ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=org_id)
    lo, cur = check_amount(data.budget_min, data.currency, field="budget_min")
    hi, cur2 = check_amount(data.budget_max, data.currency, field="budget_max")
    if lo is not None and hi is not None and hi < lo:
        raise ValidationError("budget_max must not be below budget_min", field="budget_max")
    if not (data.title_en or data.title_zh):
        raise ValidationError(
            "an offer or request needs a title (title_en or title_zh)", field="title_en"
        )
    item = OfferRequest(
        organisation_id=org.id,
        kind=check_choice(data.kind, OFFER_KINDS, "kind", "kind", required=True),
        title_en=data.title_en,
        title_zh=data.title_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        isic_code=check_sector(data.isic_code, field="isic_code"),
        countries=_countries(session, data.countries, "countries"),
        budget_min=lo,
        budget_max=hi,
        currency=cur or cur2,
        visibility=check_visibility(data.visibility),
    )
    session.add(item)
    session.flush()
    audit(session, actor, "offer.create", "offer_request", item.id, after=snapshot(item))
    return item


def list_offers(
    session: Session, actor: Actor, *, kind: str | None = None, organisation_id: int | None = None
) -> list[OfferRequest]:
    """Active offers/requests visible to ``actor``."""
    query = select(OfferRequest).where(OfferRequest.active.is_(True))
    scope = read_scope(actor)
    if not scope.everything:
        cond = OfferRequest.visibility.in_(scope.visibilities)
        if scope.organisation_id is not None:
            cond = or_(cond, OfferRequest.organisation_id == scope.organisation_id)
        query = query.where(cond)
    if kind:
        query = query.where(OfferRequest.kind == check_choice(kind, OFFER_KINDS, "kind", "kind"))
    if organisation_id is not None:
        query = query.where(OfferRequest.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(OfferRequest.id)))
