"""Thin bridge to the audit log (:mod:`silkhub.hub.audit`, owned by the accounts feature).

Hub services call :func:`audit` after every write, in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from silkhub.hub import audit as audit_log

#: append an audit entry in the caller's transaction (:func:`silkhub.hub.audit.record`, whose
#: signature it is: one declaration of the parameters)
audit = audit_log.record


def snapshot(obj: object) -> dict[str, Any]:
    """Column values of an ORM object, JSON-safe (:func:`silkhub.hub.audit.snapshot`)."""
    return audit_log.snapshot(obj)
