"""Thin bridge to the audit log (:mod:`silkhub.hub.audit`, owned by the accounts feature).

Hub services call :func:`audit` after every write; if the audit module is not installed the
call is a no-op, so the hub works on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from silkhub.hub.policy import Actor


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Append an audit entry in the caller's transaction (no-op without the audit module)."""
    try:
        from silkhub.hub import audit as audit_log
    except ImportError:  # pragma: no cover - accounts feature absent
        return
    audit_log.record(session, actor, action, entity, entity_id, before=before, after=after)


def snapshot(obj: object) -> dict[str, Any]:
    """Column values of an ORM object, JSON-safe (via the audit module when present)."""
    try:
        from silkhub.hub import audit as audit_log
    except ImportError:  # pragma: no cover
        from sqlalchemy import inspect

        return {a.key: str(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs}
    return audit_log.snapshot(obj)
