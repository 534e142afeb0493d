"""Load the shipped reference data (countries, groups, memberships, regions) into SQL.

Idempotent: countries and regions are merged by key; the memberships of each built-in group are
replaced as a whole in one transaction. User-defined regions are left untouched.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from silkhub.data.reference.countries import country_records
from silkhub.data.storage.models.reference import Country, CountryGroup, GroupMembership, Region
from silkhub.errors import ValidationError


@dataclass(frozen=True)
class LoadSummary:
    countries: int
    groups: int
    memberships: int
    regions: int


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


MEMBERSHIP_FIELDS = (
    "group_code",
    "iso3",
    "role",
    "joined",
    "joined_precision",
    "left",
    "source",
    "note",
)
ROLES = ("member", "observer", "dialogue_partner")
PRECISIONS = ("day", "year")


@dataclass(frozen=True)
class MembershipUpdate:
    """What ``silkhub ref update FILE`` changed, per group."""

    groups: dict[str, tuple[int, int]]  # group -> (rows before, rows after)
    year_only: int
    rows: int


def check_memberships(
    records: list[dict[str, str]],
    *,
    file: str,
    groups: set[str],
    countries: set[str],
) -> list[dict[str, object]]:
    """Validate membership rows; every problem is ``file:row:column: reason`` (header = row 1).

    Rules: known group and ISO3 country, a role of :data:`ROLES`, ``joined`` an ISO date
    (``YYYY`` or ``YYYY-01-01`` with precision ``year``), precision ``day`` or ``year``, ``left``
    empty or an ISO date after ``joined``, a non-empty ``source`` (where the fact comes from),
    no two rows for the same group, country and role that overlap in time. Raises
    :class:`DataImportError` listing all problems; returns typed rows otherwise.
    """
    from silkhub.data.importers.base import Problems

    problems = Problems()
    out: list[dict[str, object]] = []
    for n, r in enumerate(records, start=2):

        def bad(col: str, reason: str, n: int = n) -> None:
            problems.add(file, n, col, reason)

        g = (r.get("group_code") or "").strip()
        iso3 = (r.get("iso3") or "").strip().upper()
        role = (r.get("role") or "member").strip()
        prec = (r.get("joined_precision") or "").strip() or "day"
        joined_text = (r.get("joined") or "").strip()
        left_text = (r.get("left") or "").strip()
        source = (r.get("source") or "").strip()
        if g not in groups:
            bad("group_code", f"unknown group {g!r} (known: {', '.join(sorted(groups))})")
        if iso3 not in countries:
            bad("iso3", f"unknown country code {iso3!r}")
        if role not in ROLES:
            bad("role", f"{role!r} is not one of {', '.join(ROLES)}")
        if prec not in PRECISIONS:
            bad("joined_precision", f"{prec!r} is not day or year")
        joined: date | None = None
        if prec == "year" and len(joined_text) == 4 and joined_text.isdigit():
            joined = date(int(joined_text), 1, 1)
        else:
            try:
                joined = date.fromisoformat(joined_text)
            except ValueError:
                bad("joined", f"{joined_text!r} is not a date (YYYY-MM-DD, or YYYY with year)")
        if joined is not None and prec == "year" and (joined.month, joined.day) != (1, 1):
            bad("joined", f"{joined_text!r}: a year-precision date is written YYYY or YYYY-01-01")
        left: date | None = None
        if left_text:
            try:
                left = date.fromisoformat(left_text)
            except ValueError:
                bad("left", f"{left_text!r} is not a date (YYYY-MM-DD)")
        if joined is not None and left is not None and left <= joined:
            bad("left", f"{left_text} is not after joined {joined.isoformat()}")
        if not source:
            bad("source", "empty: say where the fact comes from (URL, document, date)")
        out.append(
            {
                "group_code": g,
                "iso3": iso3,
                "role": role,
                "joined": joined,
                "joined_precision": prec,
                "left": left,
                "source": source[:500],
                "note": (r.get("note") or "").strip()[:500] or None,
                "_row": n,
            }
        )
    by_key: dict[tuple[object, ...], list[dict[str, object]]] = {}
    for m in out:
        if m["joined"] is not None:
            by_key.setdefault((m["group_code"], m["iso3"], m["role"]), []).append(m)
    for (g, iso3, role), ms in by_key.items():
        ms.sort(key=lambda m: m["joined"])  # type: ignore[arg-type,return-value]
        for a, b in itertools.pairwise(ms):
            if a["left"] is None or a["left"] > b["joined"]:  # type: ignore[operator]
                problems.add(
                    file,
                    int(b["_row"]),  # type: ignore[call-overload]
                    "joined",
                    f"{g} {iso3} {role}: overlaps the interval of row {a['_row']}",
                )
    problems.raise_if_any(f"{file}: membership file rejected")
    for m in out:
        m.pop("_row")
    return out


def update_memberships(session: Session, path: Path) -> MembershipUpdate:
    """Replace the memberships of the groups in a reviewed CSV (``silkhub ref update FILE``).

    The file has the columns of the shipped ``group_memberships.csv`` and goes through the same
    checks (:func:`check_memberships`); only the groups it names are replaced, in the caller's
    transaction, so a rejected file changes nothing. ``silkhub ref load`` restores the shipped
    rows.
    """
    import io

    from silkhub.data.importers.base import check_encoding, check_header

    enc = check_encoding(path, None)
    text = path.read_text(enc)
    reader = csv.DictReader(io.StringIO(text))
    check_header(path.name, list(reader.fieldnames or []), (*MEMBERSHIP_FIELDS[:5], "source"))
    records = list(reader)
    if not records:
        raise ValidationError(f"{path.name}: no membership rows", field="file")
    groups = set(session.scalars(select(CountryGroup.code)))
    countries = set(session.scalars(select(Country.iso3)))
    rows = check_memberships(records, file=path.name, groups=groups, countries=countries)
    touched = sorted({str(r["group_code"]) for r in rows})
    before = {
        g: len(
            list(session.scalars(select(GroupMembership.id).where(GroupMembership.group_code == g)))
        )
        for g in touched
    }
    session.execute(delete(GroupMembership).where(GroupMembership.group_code.in_(touched)))
    for r in rows:
        session.add(GroupMembership(**r))
    session.flush()
    after = {g: sum(1 for r in rows if r["group_code"] == g) for g in touched}
    return MembershipUpdate(
        groups={g: (before[g], after[g]) for g in touched},
        year_only=sum(1 for r in rows if r["joined_precision"] == "year"),
        rows=len(rows),
    )


def shipped_memberships() -> list[dict[str, str]]:
    """The shipped membership rows (``group_memberships.csv``) as text."""
    return _csv("group_memberships.csv")


def load_reference(session: Session) -> LoadSummary:
    """Merge every shipped reference table into the database (caller commits)."""
    for rec in country_records():
        session.merge(Country(**rec.__dict__))
    session.flush()
    groups = _csv("groups.csv")
    for g in groups:
        session.merge(CountryGroup(**g))
    session.flush()
    memberships = _csv("group_memberships.csv")
    session.execute(
        delete(GroupMembership).where(GroupMembership.group_code.in_([g["code"] for g in groups]))
    )
    for m in memberships:
        session.add(
            GroupMembership(
                group_code=m["group_code"],
                iso3=m["iso3"],
                role=m["role"],
                joined=_date(m["joined"]),
                joined_precision=m["joined_precision"],
                left=_date(m["left"]),
                source=m["source"],
                note=m["note"] or None,
            )
        )
    regions = _csv("regions.csv")
    for r in sorted(regions, key=lambda r: r["parent_id"] != ""):
        session.merge(
            Region(
                region_id=r["region_id"],
                iso3=r["iso3"],
                level=r["level"],
                name_en=r["name_en"],
                name_zh=r["name_zh"] or None,
                parent_id=r["parent_id"] or None,
                lat=float(r["lat"]) if r["lat"] else None,
                lon=float(r["lon"]) if r["lon"] else None,
                source=r["source"] or None,
                user_defined=False,
            )
        )
        session.flush()
    return LoadSummary(
        countries=len(country_records()),
        groups=len(groups),
        memberships=len(memberships),
        regions=len(regions),
    )


def reference_loaded(session: Session) -> bool:
    """True once countries have been loaded."""
    return session.execute(select(Country.iso3).limit(1)).first() is not None
