"""Organisations: government bodies, SOEs, enterprises, chambers of commerce, service providers.

Each organisation has a type, names in Chinese and English, a country and region, ISIC rev.4
sectors, languages, size, contacts, the services it offers (service providers) and its
cooperation offers and requests. An organisation owns itself: its members may edit it.

Every rule lives here (the API, the web forms and the CLI call these functions); errors carry
message keys (``org.name_needed`` …) rendered per language by each interface.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from silkhub.data.storage.models.accounts import User
from silkhub.data.storage.models.hub import OfferRequest, Organisation, OrganisationSector
from silkhub.data.storage.models.hub import ServiceOffering as ServiceRow
from silkhub.errors import ConflictError, UnknownChoiceError, ValidationError
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    Page,
    delete_audited,
    keyset_page,
)
from silkhub.hub.money import check_amount
from silkhub.hub.organisations import queries
from silkhub.hub.organisations.schemas import (
    OFFER_KINDS,
    ORGANISATION_KINDS,
    SERVICES,
    SIZES,
    OfferCreate,
    OrganisationCreate,
    OrganisationUpdate,
    ServiceCreate,
)
from silkhub.hub.policy import (
    Actor,
    can_read,
    can_write,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    ensure_role,
    not_found,
    read_scope,
)
from silkhub.hub.policy import check_visibility as policy_visibility
from silkhub.hub.sectors import check_sector, codes_under
from silkhub.hub.validation import choice as check_choice
from silkhub.hub.validation import choice_error
from silkhub.hub.validation import country as resolve_country
from silkhub.hub.validation import region as resolve_region

logger = logging.getLogger(__name__)


def check_visibility(value: str) -> str:
    """public, operators or private (``validation.choice`` otherwise)."""
    try:
        return policy_visibility(value)
    except UnknownChoiceError as exc:
        raise choice_error(exc) from None


def _languages(values: list[str]) -> str | None:
    out = []
    for v in values:
        c = v.strip().lower()
        if not c:
            continue
        if not (2 <= len(c) <= 3 and c.isascii() and c.isalpha()):
            raise ValidationError(
                key="org.language_invalid", params={"value": v}, field="languages"
            )
        out.append(c)
    return ",".join(dict.fromkeys(out)) or None


def _countries(session: Session, values: list[str], field: str) -> str | None:
    codes = [resolve_country(session, v, field=field) for v in values if v and v.strip()]
    return ",".join(dict.fromkeys(c for c in codes if c)) or None


def _services(session: Session, items: list[ServiceCreate]) -> list[ServiceRow]:
    seen: set[str] = set()
    out = []
    for s in items:
        service = check_choice(s.service, SERVICES, "service", "services.service")
        assert service is not None
        if service in seen:
            raise ValidationError(
                key="org.service_twice", params={"service": service}, field="services"
            )
        seen.add(service)
        out.append(
            ServiceRow(
                service=service,
                countries=_countries(session, s.countries, "services.countries"),
                description_en=s.description_en,
                description_zh=s.description_zh,
            )
        )
    return out


def _check_names(name_en: str | None, name_zh: str | None) -> None:
    if not (name_en or "").strip() and not (name_zh or "").strip():
        raise ValidationError(key="org.name_needed", field="name_zh")


def _sectors(codes: list[str]) -> list[str]:
    return [c for c in dict.fromkeys(check_sector(c, field="sectors") for c in codes) if c]


def create_organisation(
    session: Session,
    actor: Actor,
    data: OrganisationCreate,
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
    if data.external_id and queries.external_id_taken(session, data.external_id):
        raise ConflictError(
            key="org.external_id_taken", params={"value": data.external_id}, details={}
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
    org.sectors = [OrganisationSector(isic_code=c) for c in _sectors(data.sectors)]
    org.services = _services(session, data.services)
    session.add(org)
    session.flush()
    audit(session, actor, "organisation.create", "organisation", org.id, after=snapshot(org))
    return org


def _loaded(session: Session, org_id: int) -> Organisation:
    org = queries.load(session, org_id)
    if org is None:
        raise not_found("organisation", org_id)
    return org


def get_organisation(session: Session, actor: Actor, org_id: int) -> Organisation:
    """An organisation the actor may see (NotFoundError otherwise)."""
    org = _loaded(session, org_id)
    ensure_can_read(actor, org.visibility, [org.id], what="organisation", ident=org_id)
    return org


def writable_organisation(session: Session, actor: Actor, org_id: int) -> Organisation:
    """An organisation the actor may change (404 invisible, 401/403 not allowed)."""
    org = _loaded(session, org_id)
    ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=org_id)
    return org


def may_edit(actor: Actor, org: Organisation) -> bool:
    """Whether ``actor`` may change ``org`` (members of it, hub staff); never raises."""
    return can_write(actor, org.visibility, [org.id])


def update_organisation(
    session: Session, actor: Actor, org_id: int, patch: OrganisationUpdate
) -> Organisation:
    """Change an organisation (its members, or hub staff)."""
    org = writable_organisation(session, actor, org_id)
    before = snapshot(org)
    fields = patch.model_dump(exclude_unset=True)
    kind = fields.pop("kind", None)
    if kind is not None:  # null or omitted: unchanged (a kind is always required)
        org.kind = check_choice(  # type: ignore[assignment]
            kind, ORGANISATION_KINDS, "organisation kind", "kind", required=True
        )
    if "size" in fields:
        org.size = check_choice(fields.pop("size"), SIZES, "size", "size")
    if "visibility" in fields:
        org.visibility = check_visibility(fields.pop("visibility") or "public")
    if "iso3" in fields:
        org.iso3 = resolve_country(session, fields.pop("iso3"), "iso3")
    if "region_id" in fields:
        org.region_id, r_iso3 = resolve_region(session, fields.pop("region_id"))
        org.iso3 = org.iso3 or r_iso3
    if "languages" in fields:
        org.languages = _languages(fields.pop("languages") or [])
    if "sectors" in fields:
        codes = _sectors(fields.pop("sectors") or [])
        # keep the rows of codes that stay: a new row for a kept code would be inserted
        # before the old one is deleted and break the (organisation, code) unique key
        kept = {row.isic_code: row for row in org.sectors}
        org.sectors = [kept.get(c) or OrganisationSector(isic_code=c) for c in codes]
    if "services" in fields:
        fields.pop("services")
        new_services = _services(session, patch.services or [])
        org.services = []
        session.flush()
        org.services = new_services
    for k, v in fields.items():
        setattr(org, k, v.strip() if isinstance(v, str) and k.startswith("name") else v)
    _check_names(org.name_en, org.name_zh)
    session.flush()
    audit(session, actor, "organisation.update", "organisation", org.id, before, snapshot(org))
    return org


def delete_organisation(session: Session, actor: Actor, org_id: int) -> None:
    """Delete an organisation (hub staff only; its memberships in projects go with it)."""
    org = writable_organisation(session, actor, org_id)
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
    query = queries.organisations_query(
        read_scope(actor),
        kind=check_choice(kind, ORGANISATION_KINDS, "organisation kind", "kind"),
        iso3=resolve_country(session, country, field="country") if country else None,
        region_id=resolve_region(session, region, "region")[0] if region else None,
        sector_codes=codes_under(check_sector(sector) or sector) if sector else None,
        service=check_choice(service, SERVICES, "service", "service"),
        serves_iso3=resolve_country(session, serves_country, field="serves_country")
        if serves_country
        else None,
        text=q,
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


# -- offers and requests ----------------------------------------------------------------------
def add_offer(session: Session, actor: Actor, org_id: int, data: OfferCreate) -> OfferRequest:
    """Add a cooperation offer or request to an organisation."""
    org = writable_organisation(session, actor, org_id)
    lo, cur = check_amount(data.budget_min, data.currency, field="budget_min")
    hi, cur2 = check_amount(data.budget_max, data.currency, field="budget_max")
    if lo is not None and hi is not None and hi < lo:
        raise ValidationError(
            key="org.budget_order", params={"min": lo, "max": hi}, field="budget_max"
        )
    if not ((data.title_en or "").strip() or (data.title_zh or "").strip()):
        raise ValidationError(key="org.offer_title_needed", field="title_zh")
    item = OfferRequest(
        organisation_id=org.id,
        kind=check_choice(data.kind, OFFER_KINDS, "kind", "kind", required=True),
        title_en=(data.title_en or "").strip() or None,
        title_zh=(data.title_zh or "").strip() or None,
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


def withdraw_offer(session: Session, actor: Actor, offer_id: int) -> OfferRequest:
    """Withdraw (deactivate) an offer or request; it stays in the audit log."""
    item = queries.offer(session, offer_id)
    if item is None or not can_read(actor, item.visibility, [item.organisation_id]):
        raise not_found("offer", offer_id)
    writable_organisation(session, actor, item.organisation_id)
    before = snapshot(item)
    item.active = False
    session.flush()
    audit(session, actor, "offer.withdraw", "offer_request", item.id, before, snapshot(item))
    return item


def list_offers(
    session: Session, actor: Actor, *, kind: str | None = None, organisation_id: int | None = None
) -> list[OfferRequest]:
    """Active offers/requests visible to ``actor``."""
    return queries.offers(
        session,
        read_scope(actor),
        kind=check_choice(kind, OFFER_KINDS, "kind", "kind"),
        organisation_id=organisation_id,
    )


# -- members ----------------------------------------------------------------------------------
def may_see_members(actor: Actor, org_id: int) -> bool:
    """Hub staff and the organisation's own users see its member list."""
    return actor.is_staff or (actor.is_authenticated and actor.organisation_id == org_id)


def list_members(session: Session, actor: Actor, org_id: int) -> list[User]:
    """The user accounts of an organisation (staff and the organisation's own users)."""
    org = get_organisation(session, actor, org_id)
    if not may_see_members(actor, org.id):
        ensure_role(actor, "admin", "operator")
    return queries.members(session, org.id)


def add_member(
    session: Session,
    actor: Actor,
    org_id: int,
    *,
    email: str,
    password: str,
    role: str = "member",
    display_name: str | None = None,
) -> User:
    """Create a user account in the organisation (admins only; see ``hub.accounts``)."""
    from silkhub.hub import accounts

    org = get_organisation(session, actor, org_id)
    return accounts.create_user(
        session,
        actor,
        email,
        password,
        role=role,
        organisation_id=org.id,
        display_name=display_name,
    )
