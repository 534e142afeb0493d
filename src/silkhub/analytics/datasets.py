"""Checks shared by the analytics services: datasets present, columns, years, countries, groups.

Every failure is a :class:`~silkhub.errors.SilkhubError` with a message that says what to do
(import the dataset, pick a year in range, fix the ISO3 code, …), so the CLI prints one line and
the API answers 4xx.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.reference.queries import get_country, member_iso3s
from silkhub.data.registry import preference
from silkhub.data.storage.models.reference import Country
from silkhub.errors import DataMissingError, UnknownChoiceError, ValidationError

#: columns every bilateral trade dataset has (store contract)
BILATERAL_COLUMNS = ("year", "exporter", "importer", "product", "value_usd")
#: columns every export-by-product dataset has (bilateral datasets have them too)
EXPORT_COLUMNS = ("year", "exporter", "product", "value_usd")
#: product code of all-goods totals
TOTAL = "TOTAL"
#: aggregate partner codes that are never ranked as partners (WLD = world)
AGGREGATES = ("WLD", "W00", "ALL", "_X", "EUN")

GROUP_ROLE = "member"


def quote(name: str) -> str:
    """A DuckDB identifier (dataset names are checked lower-case identifiers)."""
    return '"' + name.replace('"', '""') + '"'


def view_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def columns(con: duckdb.DuckDBPyConnection, dataset: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f"DESCRIBE {quote(dataset)}").fetchall()]


def require_dataset(
    con: duckdb.DuckDBPyConnection, dataset: str, needed: Iterable[str] = ()
) -> list[str]:
    """Check that ``dataset`` is a view with the ``needed`` columns; return its columns."""
    names = view_names(con)
    if dataset not in names:
        have = ", ".join(names) or "none"
        raise DataMissingError(
            key="analytics.dataset_not_imported",
            params={"dataset": dataset, "available": have},
            details={"dataset": dataset, "available": names},
        )
    cols = columns(con, dataset)
    lacking = [c for c in needed if c not in cols]
    if lacking:
        raise ValidationError(
            key="analytics.dataset_lacks_columns",
            params={"dataset": dataset, "lacking": ", ".join(lacking), "has": ", ".join(cols)},
            field="dataset",
        )
    return cols


def year_range(con: duckdb.DuckDBPyConnection, dataset: str) -> tuple[int, int] | None:
    lo, hi = con.execute(f"SELECT min(year), max(year) FROM {quote(dataset)}").fetchall()[0]
    return None if lo is None else (int(lo), int(hi))


def check_year(con: duckdb.DuckDBPyConnection, dataset: str, year: int) -> int:
    """``year`` must be within the dataset's years, else a ValidationError naming the range."""
    require_dataset(con, dataset, ("year",))
    rng = year_range(con, dataset)
    if rng is None:
        raise DataMissingError(
            key="analytics.dataset_empty", params={"dataset": dataset}, details={"dataset": dataset}
        )
    if not rng[0] <= year <= rng[1]:
        raise ValidationError(
            key="analytics.year_out_of_range",
            params={"year": year, "dataset": dataset, "first": rng[0], "last": rng[1]},
            field="year",
        )
    return year


def check_level(level: int | None) -> int | None:
    """HS digits: 2, 4 or 6 (None = as stored)."""
    if level is not None and level not in (2, 4, 6):
        raise UnknownChoiceError("product level", str(level), ["2", "4", "6"], field="level")
    return level


def country_code(session: Session, code: str) -> str:
    """ISO3 of a code or name (UnknownCountryError with suggestions otherwise)."""
    return get_country(session, code).iso3


def all_countries(session: Session) -> list[str]:
    """ISO3 codes of every country in the reference table (aggregates excluded)."""
    return list(session.scalars(select(Country.iso3).order_by(Country.iso3)))


def group_as_of(year: int, as_of: date | None = None) -> date:
    """The date a group is taken for a year: 31 December of that year unless given."""
    return as_of or date(year, 12, 31)


def group_members(session: Session, group: str, year: int, as_of: date | None = None) -> list[str]:
    """Members of ``group`` as of the year's end (or ``as_of``); empty group -> ValidationError."""
    day = group_as_of(year, as_of)
    members = member_iso3s(session, group, day, role=GROUP_ROLE)
    if not members:
        raise ValidationError(
            key="analytics.group_empty",
            params={"group": group, "date": day.isoformat()},
            field="group",
        )
    return members


#: preference orders when no dataset is named (from the dataset registry)
BILATERAL_PREFERENCE = preference("partners")
PRODUCT_PREFERENCE = preference("products")
COMPLEMENTARITY_PREFERENCE = preference("complementarity")


def pick_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset: str | None,
    year: int,
    preference: Iterable[str],
) -> str:
    """``dataset`` if given (and not ``auto``), else the first preferred view covering ``year``."""
    if dataset and dataset != "auto":
        return dataset
    preference = tuple(preference)
    names = set(view_names(con))
    ranges: list[str] = []
    for name in preference:
        if name in names:
            rng = year_range(con, name)
            if rng and rng[0] <= year <= rng[1]:
                return name
            if rng:
                ranges.append(f"{name} {rng[0]}–{rng[1]}")
    if ranges:
        raise ValidationError(
            key="analytics.year_not_covered",
            params={"year": year, "ranges": "; ".join(ranges)},
            field="year",
        )
    raise DataMissingError(
        key="analytics.no_dataset_imported",
        params={"datasets": ", ".join(preference)},
        details={"year": year},
    )
