"""Reference data: countries, country groups with dated membership, sub-national regions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from silkhub.data.storage.base import Base


class Country(Base):
    """A country or territory (ISO 3166-1)."""

    __tablename__ = "country"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str | None] = mapped_column(String(2), unique=True)
    numeric: Mapped[str | None] = mapped_column(String(3))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    official_name_en: Mapped[str | None] = mapped_column(String(300))
    wb_region: Mapped[str | None] = mapped_column(String(100))
    wb_income: Mapped[str | None] = mapped_column(String(100))
    continent: Mapped[str | None] = mapped_column(String(50))


class CountryGroup(Base):
    """A named group of countries (bri, route65, sco, asean, rcep, eu)."""

    __tablename__ = "country_group"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(String(2000))
    description_zh: Mapped[str | None] = mapped_column(String(2000))

    memberships: Mapped[list[GroupMembership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )


class GroupMembership(Base):
    """One interval of a country's membership in a group.

    ``joined`` is the first day the country counts as a member; ``left`` the first day it no
    longer does (``None``: still a member). ``joined_precision`` is ``day`` or ``year``; a
    year-precision date is stored as 1 January of that year. ``role`` distinguishes e.g. SCO
    members, observers and dialogue partners.
    """

    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_code", "iso3", "role", "joined"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("country_group.code", ondelete="CASCADE"))
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"))
    role: Mapped[str] = mapped_column(String(32), default="member")
    joined: Mapped[date] = mapped_column(Date)
    joined_precision: Mapped[str] = mapped_column(String(8), default="day")
    left: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))

    group: Mapped[CountryGroup] = relationship(back_populates="memberships")


class Region(Base):
    """A sub-national unit (province, city, district) with a stable ``region_id``."""

    __tablename__ = "region"

    region_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"))
    level: Mapped[str] = mapped_column(String(16))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("region.region_id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(500))
    user_defined: Mapped[bool] = mapped_column(default=False)
