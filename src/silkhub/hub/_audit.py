"""Thin bridge to the audit log (:mod:`silkhub.hub.audit`, owned by the accounts feature).

Hub services call :func:`audit` after every write, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from silkhub.hub import audit as audit_log
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
    """Append an audit entry in the caller's transaction."""
    audit_log.record(session, actor, action, entity, entity_id, before=before, after=after)


def snapshot(obj: object) -> dict[str, Any]:
    """Column values of an ORM object, JSON-safe (:func:`silkhub.hub.audit.snapshot`)."""
    return audit_log.snapshot(obj)
