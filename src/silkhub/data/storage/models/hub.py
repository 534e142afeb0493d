"""Cooperation hub: organisations, projects with a dated lifecycle, events and signings,
agreements with commitments and milestones, exchange rates.

Conventions
-----------
* Money is always ``amount`` + ISO 4217 ``currency`` + ``year``; US$ values are derived through
  :class:`ExchangeRate` (never implicitly), see :mod:`silkhub.hub.money`.
* ``visibility`` is ``public``, ``private`` (its organisations + hub operators) or ``operators``.
* Rows that came from a file keep ``source_dataset`` and ``source_row`` (provenance).
* Text users see comes as ``*_en`` and ``*_zh``; either may be empty.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.data.storage.base import Base, utcnow

#: amounts: up to 10^16 with 2 decimals (CNY billions fit comfortably)
Money = Numeric(20, 2)


class _Provenance:
    """Columns that record where an imported row came from."""

    source_dataset: Mapped[str | None] = mapped_column(String(200))
    source_row: Mapped[str | None] = mapped_column(String(200))


class Organisation(_Provenance, Base):
    """A government body, SOE, enterprise, chamber of commerce, service provider ...

    ``kind`` is one of :data:`silkhub.hub.organisations.ORGANISATION_KINDS`.
    """

    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("external_id", name="uq_organisation_external_id"),
        Index("ix_organisation_iso3_kind", "iso3", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_zh: Mapped[str | None] = mapped_column(String(300))
    iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    region_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    languages: Mapped[str | None] = mapped_column(String(200))  # comma-separated ISO 639-1
    size: Mapped[str | None] = mapped_column(String(20))  # micro|small|medium|large
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    website: Mapped[str | None] = mapped_column(String(300))
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    sectors: Mapped[list[OrganisationSector]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    services: Mapped[list[ServiceOffering]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    offers: Mapped[list[OfferRequest]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class OrganisationSector(Base):
    """A sector an organisation works in (ISIC rev.4 section letter or 2-digit division)."""

    __tablename__ = "organisation_sector"
    __table_args__ = (UniqueConstraint("organisation_id", "isic_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    isic_code: Mapped[str] = mapped_column(String(8), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="sectors")


class ServiceOffering(Base):
    """A service a provider offers (law, audit, accounting, visa ...) and the countries served."""

    __tablename__ = "service_offering"
    __table_args__ = (UniqueConstraint("organisation_id", "service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(String(40), index=True)
    countries: Mapped[str | None] = mapped_column(String(1000))  # comma-separated ISO3
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(back_populates="services")


class OfferRequest(Base):
    """A cooperation offer (what an organisation provides) or request (what it seeks)."""

    __tablename__ = "offer_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # offer|request
    title_en: Mapped[str | None] = mapped_column(String(300))
    title_zh: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    isic_code: Mapped[str | None] = mapped_column(String(8), index=True)
    countries: Mapped[str | None] = mapped_column(String(1000))  # comma-separated ISO3
    budget_min: Mapped[Decimal | None] = mapped_column(Money)
    budget_max: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="offers")
