"""The append-only audit log: who changed what, when, with the record before and after.

Every hub service that writes calls :func:`record` inside the same transaction as the change,
so an entry exists exactly when the change was committed. Entries are never changed or deleted
(an ORM guard and database triggers enforce it); there is no update or delete function here.

Reading the log (:func:`list_entries`) is for hub staff (admin, operator); entries about
records an operator cannot read (private ones, and child rows of them) are shown to admins
only, and are hidden entirely from operators (:func:`view_for`).
"""

from __future__ import annotations

import base64
import enum
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.errors import ValidationError
from silkhub.hub.policy import VISIBILITIES, Actor, can_read, ensure_role

logger = logging.getLogger(__name__)

#: keys whose values never reach the audit log (they are replaced by ``"***"``)
SECRET_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})
REDACTED = "***"
MAX_PAGE = 500


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry (flushed, committed with the caller's transaction).

    Parameters
    ----------
    actor
        Who did it (``Actor.system()`` for CLI commands and imports).
    action
        A verb, conventionally ``<entity>.<verb>``: ``project.create``, ``project.transition``,
        ``user.set_role`` ...
    entity, entity_id
        The table or domain name of the record and its id (stored as text).
    before, after
        The record's fields before and after the change (``None`` for a create / delete).
        Values are made JSON-safe (dates as ISO strings, decimals as strings); secrets are
        redacted. Use :func:`snapshot` to build them from an ORM object.
    """
    entry = AuditEntry(
        actor_user_id=actor.user_id,
        actor_label=(actor.label or actor.role)[:254],
        actor_role=actor.role,
        action=action[:60],
        entity=entity[:60],
        entity_id=None if entity_id is None else str(entity_id)[:100],
        before=None if before is None else _jsonable_dict(before),
        after=None if after is None else _jsonable_dict(after),
        at=utcnow(),
    )
    session.add(entry)
    session.flush()
    logger.info("audit %s %s %s by %s", action, entity, entity_id, entry.actor_label)
    return entry


def snapshot(obj: object, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The column values of an ORM object as a JSON-safe dict (secrets redacted)."""
    skip = set(exclude)
    mapper = sa_inspect(obj).mapper
    values = {
        attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs if attr.key not in skip
    }
    return _jsonable_dict(values)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The keys whose value differs between two snapshots, with the new value."""
    return {k: v for k, v in after.items() if before.get(k) != v}


def to_jsonable(value: Any) -> Any:
    """Convert a value to something ``json.dumps`` accepts, without losing information."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return _jsonable_dict(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


def _jsonable_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k): (REDACTED if str(k).lower() in SECRET_KEYS and v is not None else to_jsonable(v))
        for k, v in values.items()
    }


@dataclass(frozen=True)
class AuditView:
    """An audit entry as one reader may see it (``redacted``: before/after withheld)."""

    id: int
    at: datetime
    actor_user_id: int | None
    actor_label: str
    actor_role: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    redacted: bool = False


@dataclass(frozen=True)
class AuditPage:
    """One page of audit entries, newest first; ``next_cursor`` fetches the next (older) page."""

    items: list[AuditView]
    next_cursor: int | None


#: entities whose entries operators read in full (accounts are staff-readable)
STAFF_ENTITIES = frozenset({"user", "api_token"})
#: visibilities an operator may see (see silkhub.hub.policy)
_OPERATOR_VISIBLE = frozenset({"public", "operators"})


def view_for(
    actor: Actor, entry: AuditEntry, readable: Callable[[AuditEntry], bool | None] | None = None
) -> AuditView | None:
    """The entry as ``actor`` may see it, or None when it must stay hidden.

    Admins see everything; account entries (users, tokens) are staff-readable. For operators:

    * an entry about a record the operator cannot read is hidden, id, actor and time included:
      ``readable(entry)`` (see :class:`_Readability`) says whether the record, or for child
      rows (commitments, milestones, event links) the record they belong to, is visible to
      the operator now, or was when it was deleted (its last snapshot in the log); a record
      whose visibility cannot be established is hidden;
    * an entry whose own snapshot says ``private`` is hidden even if the record is visible now
      (the snapshot shows what was private then);
    * entries about records without a visibility (reference data such as places, import
      summaries) are shown in full when their snapshots say public/operators, else without
      before/after (``redacted``).
    """
    full = AuditView(
        entry.id,
        entry.at,
        entry.actor_user_id,
        entry.actor_label,
        entry.actor_role,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.before,
        entry.after,
    )
    if actor.role == "admin" or entry.entity in STAFF_ENTITIES:
        return full
    snaps = [x for x in (entry.before, entry.after) if isinstance(x, dict)]
    if any(x.get("visibility") == "private" for x in snaps):
        return None
    verdict = readable(entry) if readable is not None else None
    if verdict is not None:
        return full if verdict else None
    if snaps and all(x.get("visibility") in _OPERATOR_VISIBLE for x in snaps):
        return full
    return AuditView(*[getattr(full, f) for f in _HEAD], None, None, True)


def _owners_project(session: Session, row: Any) -> list[int]:
    from silkhub.data.storage.models.hub import ProjectParty

    q = select(ProjectParty.organisation_id).where(ProjectParty.project_id == row.id)
    return list(session.scalars(q))


def _owners_event(session: Session, row: Any) -> list[int]:
    from silkhub.data.storage.models.hub import EventOrganiser

    q = select(EventOrganiser.organisation_id).where(EventOrganiser.event_id == row.id)
    return list(session.scalars(q))


def _owners_agreement(session: Session, row: Any) -> list[int]:
    from silkhub.data.storage.models.hub import AgreementParty

    q = select(AgreementParty.organisation_id).where(AgreementParty.agreement_id == row.id)
    return list(session.scalars(q))


def _roots() -> dict[str, tuple[type, Callable[[Session, Any], list[int]]]]:
    """Records with a visibility of their own: entity -> (model, owning organisations)."""
    from silkhub.data.storage.models import hub as m

    roots: dict[str, tuple[type, Callable[[Session, Any], list[int]]]] = {
        "project": (m.Project, _owners_project),
        "organisation": (m.Organisation, lambda _s, o: [o.id]),
        "event": (m.Event, _owners_event),
        "agreement": (m.Agreement, _owners_agreement),
        "offer_request": (m.OfferRequest, lambda _s, o: [o.organisation_id]),
    }
    from silkhub.data.storage.models.talent import Position

    roots["position"] = (Position, lambda _s, o: [o.organisation_id])
    return roots


#: child rows: entity -> [(parent entity, foreign-key attribute / snapshot key)]
_CHILDREN: dict[str, list[tuple[str, str]]] = {
    "commitment": [("agreement", "agreement_id")],
    "milestone": [("commitment", "commitment_id")],
    "event_project": [("event", "event_id"), ("project", "project_id")],
}


class _Readability:
    """Whether an operator may read the record an entry is about (cached per record).

    True / False for records with a visibility (directly or through their parent); None for
    entities that have none (the caller falls back to the entry's snapshots).
    """

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.roots = _roots()
        self.cache: dict[tuple[str, str], bool] = {}

    def __call__(self, entry: AuditEntry) -> bool | None:
        if entry.entity_id is None:
            return None
        if entry.entity not in self.roots and entry.entity not in _CHILDREN:
            return None
        snaps = [x for x in (entry.after, entry.before) if isinstance(x, dict)]
        return self.record(entry.entity, entry.entity_id, snaps)

    def record(self, entity: str, ident: str, snaps: list[dict[str, Any]] | None = None) -> bool:
        key = (entity, ident)
        if key not in self.cache:
            self.cache[key] = False  # a cycle or a failure below must not reveal anything
            self.cache[key] = self._decide(entity, ident, snaps or [])
        return self.cache[key]

    def _decide(self, entity: str, ident: str, snaps: list[dict[str, Any]]) -> bool:
        if not ident.isdigit() or int(ident) > 2**31 - 1:
            return False
        if entity in self.roots:
            model, owners = self.roots[entity]
            row = self.session.get(model, int(ident))
            if row is not None:
                return can_read(self.actor, row.visibility, owners(self.session, row))
            vis = self._last_known(entity, ident, "visibility", snaps)
            return vis in VISIBILITIES and can_read(self.actor, str(vis), [])
        for parent, fk in _CHILDREN[entity]:
            parent_id = self._parent_id(entity, ident, fk, snaps)
            if parent_id is None or not self.record(parent, str(parent_id)):
                return False
        return True

    def _parent_id(self, entity: str, ident: str, fk: str, snaps: list[dict[str, Any]]):
        from silkhub.data.storage.models import hub as m

        model = {"commitment": m.Commitment, "milestone": m.Milestone}.get(entity)
        if entity == "event_project":
            model = m.EventProject
        row = self.session.get(model, int(ident)) if model is not None else None
        if row is not None:
            return getattr(row, fk)
        return self._last_known(entity, ident, fk, snaps)

    def _last_known(self, entity: str, ident: str, key: str, snaps: list[dict[str, Any]]):
        """The newest value of ``key`` in the snapshots of this record's log entries."""
        for snap in snaps:
            if snap.get(key) is not None:
                return snap[key]
        q = (
            select(AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == ident)
            .order_by(AuditEntry.id.desc())
        )
        for before, after in self.session.execute(q):
            for snap in (after, before):
                if isinstance(snap, dict) and snap.get(key) is not None:
                    return snap[key]
        return None


_HEAD = ("id", "at", "actor_user_id", "actor_label", "actor_role", "action", "entity", "entity_id")


def list_entries(
    session: Session,
    actor: Actor,
    *,
    entity: str | None = None,
    entity_id: object = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: int | None = None,
) -> AuditPage:
    """Audit entries matching the filters, newest first (hub staff only).

    ``since`` is inclusive and ``until`` exclusive. ``cursor`` is the ``next_cursor`` of the
    previous page (entries with a smaller id).
    """
    ensure_role(actor, "admin", "operator")
    since = _aware(since)
    until = _aware(until)
    for field, value in (("entity", entity), ("entity_id", entity_id), ("action", action)):
        if value is not None and "\x00" in str(value):
            raise ValidationError(f"{field} must not contain NUL characters", field=field)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if since is not None and until is not None and since >= until:
        raise ValidationError("since must be before until", field="since")
    q = select(AuditEntry)
    if entity is not None:
        q = q.where(AuditEntry.entity == entity)
    if entity_id is not None:
        q = q.where(AuditEntry.entity_id == str(entity_id))
    if action is not None:
        q = q.where(AuditEntry.action == action)
    if actor_user_id is not None:
        q = q.where(AuditEntry.actor_user_id == actor_user_id)
    if since is not None:
        q = q.where(AuditEntry.at >= since)
    if until is not None:
        q = q.where(AuditEntry.at < until)
    readable = None if actor.role == "admin" else _Readability(session, actor)
    rows: list[AuditView] = []
    scan = cursor
    while len(rows) <= limit:
        batch_q = q if scan is None else q.where(AuditEntry.id < scan)
        batch = list(session.scalars(batch_q.order_by(AuditEntry.id.desc()).limit(limit + 1)))
        rows.extend(v for e in batch if (v := view_for(actor, e, readable)) is not None)
        if len(batch) <= limit:
            break
        scan = batch[-1].id
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, rows[-1].id if more and rows else None)


def _aware(dt: datetime | None) -> datetime | None:
    """Naive datetimes are taken as UTC (every stored time is UTC)."""
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def history(session: Session, actor: Actor, entity: str, entity_id: object) -> list[AuditView]:
    """All entries of one record, oldest first (hub staff only)."""
    ensure_role(actor, "admin", "operator")
    if "\x00" in f"{entity}{entity_id}":
        return []
    q = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    readable = None if actor.role == "admin" else _Readability(session, actor)
    return [v for e in session.scalars(q) if (v := view_for(actor, e, readable)) is not None]
