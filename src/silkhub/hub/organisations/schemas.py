"""The contract of organisations, their services and offers/requests: one model family per
resource (base → create / update / read), used alike by the API, the web forms and the CLI.

* ``OrganisationCreate`` / ``OrganisationUpdate`` are the request bodies (and what a web form
  is parsed into); ``OrganisationRead`` is the response, built from a row with :meth:`of`.
* The closed lists (kinds, services, sizes, offer kinds) live here once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from silkhub.hub.common import MAX_MONEY

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
VISIBILITIES: tuple[str, ...] = ("public", "operators", "private")


def _aware(v: datetime) -> datetime:
    from datetime import UTC

    return v if v.tzinfo else v.replace(tzinfo=UTC)


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


def split_codes(v: str | None) -> list[str]:
    """A comma-separated column (``"CHN,KAZ"``) as a list."""
    return [x for x in (v or "").split(",") if x]


# -- services ---------------------------------------------------------------------------------
class ServiceBase(BaseModel):
    """A service a provider offers and the countries it serves (ISO3 codes or names)."""

    service: str = Field(description="law, audit, accounting, visa, logistics, translation, ...")
    countries: list[str] = Field(default_factory=list)
    description_en: str | None = Field(None, max_length=5000)
    description_zh: str | None = Field(None, max_length=5000)


class ServiceCreate(ServiceBase):
    model_config = ConfigDict(extra="forbid")


class ServiceRead(ServiceBase):
    @classmethod
    def of(cls, s: Any) -> ServiceRead:
        return cls(
            service=s.service,
            countries=split_codes(s.countries),
            description_en=s.description_en,
            description_zh=s.description_zh,
        )


# -- organisations ----------------------------------------------------------------------------
class OrganisationBase(BaseModel):
    """Fields shared by every variant of an organisation."""

    name_en: str | None = Field(None, max_length=300)
    name_zh: str | None = Field(None, max_length=300)
    iso3: str | None = Field(None, max_length=100, description="country: ISO3 code or name")
    region_id: str | None = Field(None, max_length=100, description="region id or name")
    size: str | None = Field(None, description=", ".join(SIZES))
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=60)
    website: str | None = Field(None, max_length=300)


class OrganisationCreate(OrganisationBase):
    """Fields to create an organisation."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description=", ".join(ORGANISATION_KINDS))
    sectors: list[str] = Field(default_factory=list, description="ISIC rev.4 codes")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes, e.g. zh")
    services: list[ServiceCreate] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class OrganisationUpdate(OrganisationBase):
    """Fields to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    kind: str | None = None
    sectors: list[str] | None = None
    languages: list[str] | None = None
    services: list[ServiceCreate] | None = None
    visibility: str | None = None


class OrganisationRead(OrganisationBase):
    """An organisation as the API answers it."""

    id: int
    kind: str
    sectors: list[str]
    languages: list[str]
    services: list[ServiceRead]
    visibility: str
    external_id: str | None
    updated_at: AwareDatetime

    @classmethod
    def of(cls, o: Any) -> OrganisationRead:
        return cls(
            id=o.id,
            kind=o.kind,
            name_en=o.name_en,
            name_zh=o.name_zh,
            iso3=o.iso3,
            region_id=o.region_id,
            sectors=sorted(s.isic_code for s in o.sectors),
            languages=split_codes(o.languages),
            size=o.size,
            description_en=o.description_en,
            description_zh=o.description_zh,
            contact_name=o.contact_name,
            contact_email=o.contact_email,
            contact_phone=o.contact_phone,
            website=o.website,
            services=[ServiceRead.of(s) for s in o.services],
            visibility=o.visibility,
            external_id=o.external_id,
            updated_at=o.updated_at,
        )


class OrganisationPage(BaseModel):
    items: list[OrganisationRead]
    next_cursor: str | None
    limit: int


# -- offers and requests ----------------------------------------------------------------------
class OfferBase(BaseModel):
    """A cooperation offer or request (what the organisation provides or seeks)."""

    kind: str = Field(description="offer or request")
    title_en: str | None = Field(None, max_length=300)
    title_zh: str | None = Field(None, max_length=300)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    isic_code: str | None = None
    budget_min: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    budget_max: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    currency: str | None = Field(None, max_length=3)
    visibility: str = "public"


class OfferCreate(OfferBase):
    model_config = ConfigDict(extra="forbid")
    countries: list[str] = Field(default_factory=list)


class OfferRead(OfferBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
    organisation_id: int
    countries: str | None


# -- members ----------------------------------------------------------------------------------
class MemberRead(BaseModel):
    """A user account of an organisation (seen by hub staff and the organisation's members)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    display_name: str | None
    role: str
    active: bool


# names used before the contract was gathered here (callers, tests, the demo)
ServiceIn = ServiceCreate
OrganisationIn = OrganisationCreate
OrganisationPatch = OrganisationUpdate
OfferIn = OfferCreate
