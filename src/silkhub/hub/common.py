"""Helpers shared by hub services: reference look-ups, keyset (cursor) pagination, pages."""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from silkhub.data.reference.queries import find_region, get_country
from silkhub.errors import UnknownCountryError, ValidationError
from silkhub.hub.policy import Actor

T = TypeVar("T")

#: database integer ids (32-bit, positive)
MAX_ID = 2_147_483_647
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: largest amount the Money column (NUMERIC(20, 2)) holds, with a margin
MAX_MONEY = Decimal("1e17")
#: an amount given as text: plain digits with up to 2 decimals (no sign, exponent or commas)
AMOUNT_TEXT = r"^[0-9]{1,17}(\.[0-9]{1,2})?$"


def _amount_in(value: object) -> object:
    if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(AMOUNT_TEXT, value)):
        raise PydanticCustomError(
            "decimal_parsing", "an amount such as 1500000 or 1500000.50 (digits, up to 2 decimals)"
        )
    return value


#: a money amount in a body: a JSON number in [0, 10^17], or text of digits with up to 2
#: decimals; the OpenAPI document states both forms with their limits
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount_in),
    Field(ge=0, le=MAX_MONEY),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(MAX_MONEY)},
                {"type": "string", "pattern": AMOUNT_TEXT},
            ]
        },
        mode="validation",
    ),
    # answers carry the stored NUMERIC(20, 2) as text, e.g. "1500000.00"
    WithJsonSchema({"type": "string", "pattern": AMOUNT_TEXT}, mode="serialization"),
]

MAX_LIMIT = 500


@dataclass
class Page(Generic[T]):
    """One page of results; pass ``next_cursor`` back to get the following page."""

    items: list[T]
    next_cursor: str | None
    limit: int


def resolve_country(session: Session, value: str | None, *, field: str = "iso3") -> str | None:
    """ISO3 code for a code or name (UnknownCountryError if unknown); None stays None."""
    if value is None or not str(value).strip():
        return None
    try:
        return get_country(session, str(value).strip()).iso3
    except UnknownCountryError as exc:
        exc.field = field  # type: ignore[attr-defined]
        exc.details.setdefault("errors", [{"field": field, "message": exc.message}])
        raise


def resolve_region(session: Session, value: str | None) -> tuple[str | None, str | None]:
    """(region_id, iso3) for a region id or name; (None, None) when empty."""
    if value is None or not str(value).strip():
        return None, None
    r = find_region(session, str(value).strip())
    return r.region_id, r.iso3


def check_org_visible(session: Session, actor: object, org_id: int, field: str) -> None:
    """Raise ValidationError unless organisation ``org_id`` exists *and* ``actor`` may see it
    (an invisible organisation is reported exactly like a missing one)."""
    from silkhub.data.storage.models.hub import Organisation
    from silkhub.hub.policy import can_read

    org = session.get(Organisation, org_id)
    if org is None or not can_read(actor, org.visibility, [org.id]):  # type: ignore[arg-type]
        raise ValidationError(f"organisation {org_id} does not exist", field=field)


def delete_or_conflict(session: Session, obj: object, what: str, ident: object) -> None:
    """Delete ``obj``; if other records still refer to it, raise ConflictError (409)."""
    from sqlalchemy.exc import IntegrityError

    from silkhub.errors import ConflictError

    nested = session.begin_nested()
    try:
        session.delete(obj)
        session.flush()
    except IntegrityError:
        nested.rollback()
        raise ConflictError(
            f"{what} {ident} is still referenced by other records (users, commitments ...); "
            "remove those first"
        ) from None
    nested.commit()


def check_choice(
    value: str | None, choices: Sequence[str], what: str, field: str, *, required: bool = False
) -> str | None:
    """Normalise (lower case, ``-``/space → ``_``) and check a value from a closed list."""
    from silkhub.errors import UnknownChoiceError

    if value is None or not str(value).strip():
        if required:
            raise ValidationError(f"{field} is required; one of: {', '.join(choices)}", field=field)
        return None
    v = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"m&a": "m_and_a", "mna": "m_and_a", "epc": "epc_contract"}
    v = aliases.get(v, v)
    if v not in choices:
        raise UnknownChoiceError(what, str(value), list(choices), field=field)
    return v


def check_dates_ordered(*pairs: tuple[str, date | None]) -> None:
    """Raise ValidationError unless the given (name, date) pairs are non-decreasing."""
    known = [(n, d) for n, d in pairs if d is not None]
    for (n1, d1), (n2, d2) in itertools.pairwise(known):
        if d2 < d1:  # type: ignore[operator]
            raise ValidationError(f"{n2} ({d2}) must not be before {n1} ({d1})", field=n2)


# -- keyset pagination ----------------------------------------------------------------------


def _encode(phase: str, value: Any, ident: int) -> str:
    if isinstance(value, date | datetime):
        value = value.isoformat()
    raw = json.dumps([phase, value, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, kind: str) -> tuple[str, Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        phase, value, ident = json.loads(raw)
        if phase not in ("v", "n") or not isinstance(ident, int):
            raise ValueError
        if phase == "v":
            if kind == "date":
                value = date.fromisoformat(value)
            elif kind == "datetime":
                value = datetime.fromisoformat(value)
            elif kind == "number" and not isinstance(value, int | float):
                raise ValueError
            elif kind == "str":
                value = str(value)
        return phase, value, ident
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            "invalid cursor: pass the next_cursor of the previous page unchanged", field="cursor"
        ) from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def keyset_page(
    session: Session,
    query: Select,
    column: InstrumentedAttribute,
    id_column: InstrumentedAttribute,
    *,
    descending: bool,
    cursor: str | None,
    limit: int,
    kind: str = "number",
    nullable: bool = True,
) -> Page:
    """Fetch one page of ``query`` ordered by ``column`` then id, with an opaque cursor.

    NULLs sort as the smallest values (first ascending, last descending). Each phase (non-null
    values, NULLs) is a separate index-friendly query: ``(col, id) > (v, id0)`` on the values,
    ``col IS NULL AND id > id0`` on the NULLs.
    """
    check_limit(limit)
    phases = ["n", "v"] if not descending else ["v", "n"]
    if not nullable:
        phases = ["v"]
    cur = _decode(cursor, kind) if cursor else None
    if cur and cur[0] not in phases:
        raise ValidationError("invalid cursor for this sort order", field="cursor")
    start = phases.index(cur[0]) if cur else 0
    rows: list[Any] = []
    for i, phase in enumerate(phases[start:]):
        after = cur if i == 0 else None
        if phase == "v":
            q = query.where(column.is_not(None)) if nullable else query
            if after is not None:
                key = tuple_(column, id_column)
                q = q.where(
                    key < tuple_(after[1], after[2])
                    if descending
                    else key > tuple_(after[1], after[2])
                )
            order = (column.desc(), id_column.desc()) if descending else (column, id_column)
        else:
            q = query.where(column.is_(None))
            if after is not None:
                q = q.where(id_column < after[2] if descending else id_column > after[2])
            order = (id_column.desc(),) if descending else (id_column,)
        rows.extend(session.scalars(q.order_by(*order).limit(limit + 1 - len(rows))))
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        value = getattr(last, column.key)
        nxt = _encode("n" if value is None else "v", value, getattr(last, id_column.key))
    return Page(rows, nxt, limit)


def delete_audited(session: Session, actor: Actor, obj: object, what: str, ident: object) -> None:
    """Delete ``obj`` (409 while still referenced) and append ``<what>.delete`` to the audit log
    with the record as it was."""
    from silkhub.hub._audit import audit, snapshot

    before = snapshot(obj)
    delete_or_conflict(session, obj, what, ident)
    audit(session, actor, f"{what}.delete", what, ident, before=before)
