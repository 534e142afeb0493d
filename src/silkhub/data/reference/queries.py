"""Read-side queries over reference data: countries, groups as of a date, regions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from silkhub.data.reference.names import suggest, to_iso3
from silkhub.data.storage.models.reference import Country, CountryGroup, GroupMembership, Region
from silkhub.errors import UnknownChoiceError, UnknownCountryError, ValidationError

LANGS = ("en", "zh")
ROLES = ("member", "observer", "dialogue_partner", "all")


@dataclass(frozen=True)
class CountryRow:
    """A country as listed: with its membership interval when listed for a group."""

    iso3: str
    iso2: str | None
    name: str
    name_en: str
    name_zh: str | None
    joined: str | None = None
    left: str | None = None
    role: str | None = None
    wb_region: str | None = None
    wb_income: str | None = None
    continent: str | None = None
    #: ``day`` or ``year`` (a year-only date is stored as 1 January and shown as the year)
    joined_precision: str | None = None
    source: str | None = None


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UnknownChoiceError("language", lang, LANGS, field="lang")
    return lang


def group_codes(session: Session) -> list[str]:
    return list(session.scalars(select(CountryGroup.code).order_by(CountryGroup.code)))


def check_group(session: Session, group: str) -> str:
    codes = group_codes(session)
    if group not in codes:
        raise UnknownChoiceError("group", group, codes, field="group")
    return group


def _display(c: Country, lang: str) -> str:
    if lang == "zh":
        return c.name_zh or c.name_en
    return c.name_en or c.name_zh or c.iso3


def _fmt_joined(m: GroupMembership) -> str:
    return str(m.joined.year) if m.joined_precision == "year" else m.joined.isoformat()


def members_as_of(
    session: Session, group: str, as_of: date, role: str = "member"
) -> list[tuple[Country, GroupMembership]]:
    """Countries in ``group`` on ``as_of``: ``joined <= as_of < left`` (left open = still in)."""
    check_group(session, group)
    if role not in ROLES:
        raise UnknownChoiceError("role", role, ROLES, field="role")
    q = (
        select(Country, GroupMembership)
        .join(GroupMembership, GroupMembership.iso3 == Country.iso3)
        .where(GroupMembership.group_code == group)
        .where(GroupMembership.joined <= as_of)
        .where(or_(GroupMembership.left.is_(None), GroupMembership.left > as_of))
        .order_by(Country.iso3)
    )
    if role != "all":
        q = q.where(GroupMembership.role == role)
    return [(c, m) for c, m in session.execute(q).all()]


def member_iso3s(session: Session, group: str, as_of: date, role: str = "member") -> list[str]:
    """ISO3 codes of the members of ``group`` on ``as_of`` (analytics use this)."""
    return sorted({c.iso3 for c, _ in members_as_of(session, group, as_of, role)})


def list_countries(
    session: Session,
    *,
    group: str | None = None,
    as_of: date | None = None,
    role: str = "member",
    lang: str = "en",
) -> list[CountryRow]:
    """All countries, or the members of ``group`` as of ``as_of`` (default today)."""
    check_lang(lang)
    if group is None:
        return [_row(c, lang) for c in session.scalars(select(Country).order_by(Country.iso3))]
    rows = members_as_of(session, group, as_of or date.today(), role)
    return [_row(c, lang, m) for c, m in rows]


def _row(c: Country, lang: str, m: GroupMembership | None = None) -> CountryRow:
    """``c`` as listed, with its membership interval ``m`` when listed for a group."""
    interval = {}
    if m is not None:
        interval = {
            "joined": _fmt_joined(m),
            "left": m.left.isoformat() if m.left else None,
            "role": m.role,
            "joined_precision": m.joined_precision,
            "source": m.source,
        }
    return CountryRow(
        iso3=c.iso3,
        iso2=c.iso2,
        name=_display(c, lang),
        name_en=c.name_en,
        name_zh=c.name_zh,
        wb_region=c.wb_region,
        wb_income=c.wb_income,
        continent=c.continent,
        **interval,
    )


def year_only_on(
    session: Session, group: str, as_of: date, role: str = "member"
) -> list[tuple[str, int]]:
    """Members on ``as_of`` whose membership that day rests on a year-only date.

    A signing known only to the year ``Y`` is stored as 1 January ``Y``; on a day of ``Y``
    before 31 December the country is counted although it may have signed later that year.
    Returns ``(iso3, Y)`` pairs; empty when the answer does not depend on year-only dates.
    """
    if as_of == date(as_of.year, 12, 31):
        return []
    return sorted(
        (c.iso3, m.joined.year)
        for c, m in members_as_of(session, group, as_of, role)
        if m.joined_precision == "year" and m.joined.year == as_of.year
    )


def year_only_note(group: str, as_of: date, pairs: list[tuple[str, int]]) -> str | None:
    """One sentence for CLI / API / web when an as-of answer rests on year-only dates."""
    if not pairs:
        return None
    codes = ", ".join(c for c, _ in pairs)
    return (
        f"{len(pairs)} of the {group} members on {as_of.isoformat()} ({codes}) have a signing "
        f"date known to the year only ({as_of.year}); they are counted from 1 January, so the "
        "list may include countries that signed later that year"
    )


def group_start(session: Session, group: str) -> date | None:
    """The first day any country was a member of ``group`` (None for an empty group)."""
    check_group(session, group)
    q = select(func.min(GroupMembership.joined)).where(GroupMembership.group_code == group)
    return session.execute(q).scalar_one_or_none()


def get_country(session: Session, code: str) -> Country:
    """A country by ISO3 (any case) or by a name the harmoniser knows."""
    if not code or len(code) > 100:
        raise ValidationError("country code must be 1–100 characters", field="iso3")
    c = session.get(Country, code.upper())
    if c is None:
        iso3 = to_iso3(code)
        c = session.get(Country, iso3) if iso3 else None
    if c is None:
        raise UnknownCountryError(code, suggest(code))
    return c


def country_memberships(session: Session, iso3: str) -> list[GroupMembership]:
    q = (
        select(GroupMembership)
        .where(GroupMembership.iso3 == iso3)
        .order_by(GroupMembership.group_code, GroupMembership.joined)
    )
    return list(session.scalars(q))


def count_members(session: Session, group: str, as_of: date) -> int:
    """Number of distinct member countries of ``group`` on ``as_of``."""
    check_group(session, group)
    q = (
        select(func.count(func.distinct(GroupMembership.iso3)))
        .where(GroupMembership.group_code == group, GroupMembership.role == "member")
        .where(GroupMembership.joined <= as_of)
        .where(or_(GroupMembership.left.is_(None), GroupMembership.left > as_of))
    )
    return int(session.execute(q).scalar_one())


def find_region(session: Session, name_or_id: str) -> Region:
    """A region by id, or by English/Chinese name (case-insensitive)."""
    r = session.get(Region, name_or_id)
    if r is not None:
        return r
    key = name_or_id.strip().casefold()
    q = select(Region).where(
        or_(
            func.lower(Region.name_en) == key,
            Region.name_zh == name_or_id.strip(),
            Region.name_zh == name_or_id.strip() + "市",
        )
    )
    hits = list(session.scalars(q))
    if len(hits) >= 1:
        # a city wins over a province of the same name
        return sorted(hits, key=lambda r: r.level != "city")[0]
    ids = list(session.scalars(select(Region.name_en).order_by(Region.name_en)))
    raise UnknownChoiceError("region", name_or_id, ids, field="region")


def list_regions(
    session: Session, *, iso3: str | None = None, level: str | None = None
) -> list[Region]:
    q = select(Region).order_by(Region.region_id)
    if iso3:
        q = q.where(Region.iso3 == iso3.upper())
    if level:
        q = q.where(Region.level == level)
    return list(session.scalars(q))


# -- listings for pages and reports (silkhub.report) --------------------------------------
def all_countries(session: Session) -> list[Country]:
    """Every country, by ISO3."""
    return list(session.scalars(select(Country).order_by(Country.iso3)))


def all_groups(session: Session) -> list[CountryGroup]:
    """Every country group, by code."""
    return list(session.scalars(select(CountryGroup).order_by(CountryGroup.code)))


def all_regions(session: Session) -> list[Region]:
    """Every region, by id."""
    return list(session.scalars(select(Region).order_by(Region.region_id)))


def count_regions(session: Session) -> int:
    """Number of regions in the reference data."""
    return int(session.scalar(select(func.count()).select_from(Region)) or 0)


def first_join_years(session: Session, group: str) -> dict[str, int]:
    """ISO3 -> the year each member first joined ``group`` (re-joins ignored), oldest first."""
    rows = session.execute(
        select(GroupMembership.iso3, GroupMembership.joined)
        .where(GroupMembership.group_code == group, GroupMembership.role == "member")
        .order_by(GroupMembership.joined)
    ).all()
    first: dict[str, int] = {}
    for iso3, joined in rows:
        first.setdefault(iso3, joined.year)
    return first
