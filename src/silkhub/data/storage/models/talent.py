"""International talent and living-environment directory (issue 11).

``TalentProfile`` holds personal data: private by default (visible to the person and to hub
staff), exportable and deletable by its owner. ``Position`` is an organisation's need for a person
(optionally for a project). ``Place`` is a directory entry of the international living
environment (schools, hospitals, hotels, consulates, language and business/visa services).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from silkhub.data.storage.base import Base, utcnow

# foreign-key targets: user_account; organisation, project (hub, which brings country, region)
from silkhub.data.storage.models import accounts, hub  # noqa: F401


class TalentProfile(Base):
    """A person: foreign expert, returnee, international student, professional."""

    __tablename__ = "talent_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    entered_by_user_id: Mapped[int | None] = mapped_column(Integer)
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_note: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    nationality: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    based_in_region_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    languages: Mapped[list | None] = mapped_column(JSON)  # [{"code": "ru", "level": "C1"}]
    isic_codes: Mapped[str | None] = mapped_column(String(200))  # comma-separated
    skills_en: Mapped[str | None] = mapped_column(Text)
    skills_zh: Mapped[str | None] = mapped_column(Text)
    countries_experience: Mapped[str | None] = mapped_column(String(1000))  # comma ISO3
    education: Mapped[str | None] = mapped_column(String(500))
    available_from: Mapped[date | None] = mapped_column(Date)
    available_to: Mapped[date | None] = mapped_column(Date)
    preferred_regions: Mapped[str | None] = mapped_column(String(1000))  # comma region ids
    visibility: Mapped[str] = mapped_column(String(16), default="operators")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Position(Base):
    """A position or expertise need posted by an organisation."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    role_en: Mapped[str | None] = mapped_column(String(300))
    role_zh: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    isic_code: Mapped[str | None] = mapped_column(String(8))
    languages: Mapped[list | None] = mapped_column(JSON)  # [{"code": "ru", "level": "B2"}]
    countries: Mapped[str | None] = mapped_column(String(1000))  # comma ISO3
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    region_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    work_mode: Mapped[str] = mapped_column(String(10), default="onsite")
    status: Mapped[str] = mapped_column(String(10), default="open")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TalentFeedback(Base):
    """Accept/decline of a talent suggestion, with the part values it was shown with."""

    __tablename__ = "talent_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"))
    talent_id: Mapped[int] = mapped_column(ForeignKey("talent_profile.id", ondelete="CASCADE"))
    accepted: Mapped[bool]
    parts: Mapped[dict] = mapped_column(JSON)
    by_user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Place(Base):
    """An entry of the international living-environment directory."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_zh: Mapped[str | None] = mapped_column(String(300))
    region_id: Mapped[str] = mapped_column(ForeignKey("region.region_id"), index=True)
    country_served: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    languages: Mapped[str | None] = mapped_column(String(200))  # comma ISO 639-1
    services: Mapped[str | None] = mapped_column(String(1000))
    address: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    source_dataset: Mapped[str | None] = mapped_column(String(200))
    source_row: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
