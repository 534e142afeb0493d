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

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

import silkhub.data.storage.models.reference  # noqa: F401  (foreign-key targets: country, region)
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


class Project(_Provenance, Base):
    """A cooperation project (aligned with OC4IDS ``project``).

    ``stage`` / ``stage_on`` mirror the latest :class:`StageChange` (kept in sync by
    :mod:`silkhub.hub.lifecycle`) so that lists can filter and sort on them with an index.
    ``value_usd`` is derived from ``value_amount`` / ``value_currency`` / ``value_year`` through
    :class:`ExchangeRate` at write time (``None`` when no value or no rate is known).
    ``dated_on`` is the project's reference date (first dated stage or the tracker's date).
    """

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("identifier", name="uq_project_identifier"),
        UniqueConstraint("source", "external_id", name="uq_project_source_external_id"),
        Index("ix_project_value_usd_id", "value_usd", "id"),
        Index("ix_project_iso3_value_usd_id", "iso3", "value_usd", "id"),
        Index("ix_project_iso3_stage_value_usd_id", "iso3", "stage", "value_usd", "id"),
        Index("ix_project_stage_value_usd_id", "stage", "value_usd", "id"),
        Index("ix_project_dated_on_id", "dated_on", "id"),
        Index("ix_project_isic_code", "isic_code"),
        Index("ix_project_region_id", "region_id"),
        Index("ix_project_project_type", "project_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16), default="hub")  # hub|cgit|gcdf|import
    external_id: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(500))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    isic_code: Mapped[str | None] = mapped_column(String(8))
    sector_label: Mapped[str | None] = mapped_column(String(200))  # the source's own sector text
    project_type: Mapped[str | None] = mapped_column(String(20))
    iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    region_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    value_amount: Mapped[Decimal | None] = mapped_column(Money)
    value_currency: Mapped[str | None] = mapped_column(String(3))
    value_year: Mapped[int | None] = mapped_column(Integer)
    value_usd: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str] = mapped_column(String(20), default="proposed")
    stage_on: Mapped[date | None] = mapped_column(Date)
    dated_on: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    record_json: Mapped[dict | None] = mapped_column(JSON)  # original tracker record
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    parties: Mapped[list[ProjectParty]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="StageChange.id"
    )


class ProjectParty(Base):
    """An organisation's role in a project: owner, investor, contractor, financier, operator."""

    __tablename__ = "project_party"
    __table_args__ = (UniqueConstraint("project_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))

    project: Mapped[Project] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class StageChange(Base):
    """One dated lifecycle transition of a project (``from_stage`` is None for the first)."""

    __tablename__ = "stage_change"
    __table_args__ = (Index("ix_stage_change_to_stage_at", "to_stage", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(2000))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship(back_populates="stage_changes")


class Event(_Provenance, Base):
    """A conference, online conference, roadshow, exhibition or delegation visit."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("external_id", name="uq_event_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    title_en: Mapped[str | None] = mapped_column(String(500))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date] = mapped_column(Date, index=True)
    end_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300))
    iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    region_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisers: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    projects: Mapped[list[EventProject]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventOrganiser(Base):
    """An organisation that organises (or co-organises) an event."""

    __tablename__ = "event_organiser"
    __table_args__ = (UniqueConstraint("event_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )

    event: Mapped[Event] = relationship(back_populates="organisers")
    organisation: Mapped[Organisation] = relationship()


class EventProject(Base):
    """A project announced or signed at an event, with the amount quoted there."""

    __tablename__ = "event_project"
    __table_args__ = (UniqueConstraint("event_id", "project_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # announced|signed
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    year: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))

    event: Mapped[Event] = relationship(back_populates="projects")
    project: Mapped[Project] = relationship()


class Agreement(_Provenance, Base):
    """An MoU, framework agreement or contract between organisations."""

    __tablename__ = "agreement"
    __table_args__ = (UniqueConstraint("external_id", name="uq_agreement_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # mou|framework|contract
    title_en: Mapped[str | None] = mapped_column(String(500))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    signed_on: Mapped[date | None] = mapped_column(Date, index=True)
    effective_on: Mapped[date | None] = mapped_column(Date)
    expiry_on: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan"
    )
    projects: Mapped[list[AgreementProject]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Commitment.id"
    )


class AgreementParty(Base):
    """An organisation that is party to an agreement."""

    __tablename__ = "agreement_party"
    __table_args__ = (UniqueConstraint("agreement_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="party")

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class AgreementProject(Base):
    """A project covered by an agreement."""

    __tablename__ = "agreement_project"
    __table_args__ = (UniqueConstraint("agreement_id", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )

    agreement: Mapped[Agreement] = relationship(back_populates="projects")
    project: Mapped[Project] = relationship()


class Commitment(Base):
    """What one party owes under an agreement, by when (amount optional, with currency)."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    owed_by_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    owed_to_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    what_en: Mapped[str | None] = mapped_column(String(1000))
    what_zh: Mapped[str | None] = mapped_column(String(1000))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    year: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|fulfilled|cancelled
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    fulfilled_amount: Mapped[Decimal | None] = mapped_column(Money)
    evidence: Mapped[str | None] = mapped_column(Text)  # of the fulfilment (link, note)

    agreement: Mapped[Agreement] = relationship(back_populates="commitments")
    owed_by: Mapped[Organisation] = relationship(foreign_keys=[owed_by_id])
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Milestone.id"
    )


class Milestone(Base):
    """A step towards fulfilling a commitment, with status and evidence."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    title_en: Mapped[str | None] = mapped_column(String(500))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    done_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")


class ExchangeRate(Base):
    """Annual average exchange rate: US$ per one unit of ``currency`` in ``year``."""

    __tablename__ = "exchange_rate"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    usd_per_unit: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
