"""Login rate limit, stored in the database so that every API worker shares it.

A sliding window: after ``account_failures`` failed sign-ins for one e-mail address, or
``ip_failures`` from one client address, within ``window``, further attempts are refused with
:class:`~silkhub.errors.RateLimitedError` (HTTP 429 with ``Retry-After``) until the oldest of
those failures leaves the window. A successful sign-in clears the account's count (not the
address's: an attacker could otherwise reset it with an account of their own). Attempts older
than a day are pruned as new ones are recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.accounts import LoginAttempt
from silkhub.errors import RateLimitedError

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class LoginLimits:
    """Thresholds of the login rate limit."""

    account_failures: int = 5
    ip_failures: int = 20
    window: timedelta = timedelta(minutes=15)


DEFAULT_LIMITS = LoginLimits()


def aware(dt: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def check(
    session: Session,
    email: str,
    ip: str,
    *,
    now: datetime | None = None,
    limits: LoginLimits = DEFAULT_LIMITS,
) -> None:
    """Raise RateLimitedError if ``email`` or ``ip`` has too many recent failures."""
    now = now or utcnow()
    start = now - limits.window
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.success.is_(True)
        )
    )
    acc_start = max(start, aware(last_ok)) if last_ok is not None else start
    waits = [
        _wait(
            session, LoginAttempt.email == email, acc_start, limits.account_failures, limits, now
        ),
        _wait(session, LoginAttempt.ip == ip, start, limits.ip_failures, limits, now),
    ]
    wait = max(w for w in waits)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        raise RateLimitedError(
            f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}",
            details={"retry_after": wait},
        )


def _wait(
    session: Session,
    who: object,
    start: datetime,
    limit: int,
    limits: LoginLimits,
    now: datetime,
) -> int:
    """Seconds until fewer than ``limit`` failures remain in the window (0: not limited)."""
    times = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(who, LoginAttempt.success.is_(False), LoginAttempt.at > start)  # type: ignore[arg-type]
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(times) < limit:
        return 0
    unlock = aware(times[-1]) + limits.window
    return max(1, math.ceil((unlock - now).total_seconds()))


def record_attempt(
    session: Session, email: str, ip: str, success: bool, *, now: datetime | None = None
) -> None:
    """Store one attempt and prune attempts older than a day."""
    now = now or utcnow()
    session.add(LoginAttempt(email=email, ip=ip, success=success, at=now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.flush()
