"""Login rate limit, stored in the database so that every API worker shares it.

Three sliding windows (``window``, 15 minutes by default) count failed sign-ins:

* ``pair_failures`` (5) for one e-mail address *from one client address*: what stops a
  password guesser, without letting that guesser lock the owner out from elsewhere;
* ``ip_failures`` (20) from one client address, whatever the e-mail address;
* ``account_failures`` (50) for one e-mail address from all client addresses together: a slower,
  global brake for guessing spread over many addresses.

When a count is reached, further attempts are refused with
:class:`~silkhub.errors.RateLimitedError` (HTTP 429 with ``Retry-After``) *before* the password
is checked, until the oldest of those failures leaves the window. A successful sign-in, an
admin's unlock (:func:`record_reset`, ``silkhub users unlock``) or a password reset ends the
account's counts (not the address's: an attacker could otherwise reset it with an account of
their own). Attempts older than a day are pruned as new ones are recorded.

Atomicity: :func:`reserve` checks the counts and records the attempt (as a failure, until
:func:`record_success` says otherwise) in one short transaction that holds a lock on the
e-mail and client keys, so N parallel attempts run at most the limit of password checks:
PostgreSQL takes transaction-scoped advisory locks (``pg_advisory_xact_lock``); SQLite
serialises writers, and the attempt row is the transaction's first statement.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.accounts import LoginAttempt
from silkhub.errors import RateLimitedError

KEEP = timedelta(days=1)
#: ``ip`` of the marker row written by an admin's unlock or a password reset
RESET_MARK = "reset"


@dataclass(frozen=True)
class LoginLimits:
    """Thresholds of the login rate limit (failures within ``window``)."""

    pair_failures: int = 5
    ip_failures: int = 20
    account_failures: int = 50
    window: timedelta = timedelta(minutes=15)


DEFAULT_LIMITS = LoginLimits()


def aware(dt: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.sha256(f"silkhub.login:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(session: Session, email: str, ip: str) -> None:
    """Serialise reservations for this e-mail address and this client address."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the INSERT that follows takes the database's single write lock
    for key in sorted({_lock_key("email", email), _lock_key("ip", ip)}):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def reserve(
    session: Session,
    email: str,
    ip: str,
    *,
    now: datetime | None = None,
    limits: LoginLimits = DEFAULT_LIMITS,
) -> int:
    """Check the limits and record this attempt as a failure, atomically; return its id.

    Commits the session first (any earlier work of the caller included) and again after the
    reservation, so that parallel attempts see each other. Raises RateLimitedError (and
    records nothing) when a limit is reached; the password must not be checked then.
    """
    now = now or utcnow()
    session.commit()
    _lock(session, email, ip)
    attempt = LoginAttempt(email=email, ip=ip, success=False, at=now)
    session.add(attempt)
    session.flush()  # first statement of the transaction: on SQLite it takes the write lock
    try:
        wait = _wait_for(session, email, ip, attempt.id, now, limits)
        if wait > 0:
            session.delete(attempt)  # a refused attempt is not a failure: no lock extension
            session.commit()
            minutes = max(1, math.ceil(wait / 60))
            raise RateLimitedError(
                f"too many failed sign-ins; try again in {minutes} "
                f"minute{'s' if minutes > 1 else ''}",
                details={"retry_after": wait},
            )
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
        session.commit()
    except RateLimitedError:
        raise
    except BaseException:
        session.rollback()
        raise
    return attempt.id


def record_success(session: Session, attempt_id: int) -> None:
    """Mark a reserved attempt as a successful sign-in (in the caller's transaction)."""
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True))


def record_reset(session: Session, email: str, *, now: datetime | None = None) -> None:
    """End the account's counts (admin unlock, password reset), in the caller's transaction.

    Writes a marker row (``ip`` = ``reset``, success) that counts like a successful sign-in
    for the account, and leaves the counts of client addresses alone.
    """
    session.add(LoginAttempt(email=email, ip=RESET_MARK, success=True, at=now or utcnow()))
    session.flush()


def failures(session: Session, email: str, *, now: datetime | None = None) -> int:
    """Failed sign-ins of ``email`` counted now (all client addresses)."""
    now = now or utcnow()
    start = _account_start(session, email, now - DEFAULT_LIMITS.window)
    stmt = select(func.count()).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at > start
    )
    return session.scalar(stmt) or 0


def _account_start(session: Session, email: str, start: datetime) -> datetime:
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.success.is_(True)
        )
    )
    return max(start, aware(last_ok)) if last_ok is not None else start


def _wait_for(
    session: Session, email: str, ip: str, own_id: int, now: datetime, limits: LoginLimits
) -> int:
    start = now - limits.window
    acc_start = _account_start(session, email, start)
    checks = [
        ((LoginAttempt.email == email) & (LoginAttempt.ip == ip), acc_start, limits.pair_failures),
        (LoginAttempt.email == email, acc_start, limits.account_failures),
        (LoginAttempt.ip == ip, start, limits.ip_failures),
    ]
    return max(_wait(session, who, since, n, own_id, limits, now) for who, since, n in checks)


def _wait(
    session: Session,
    who: object,
    start: datetime,
    limit: int,
    own_id: int,
    limits: LoginLimits,
    now: datetime,
) -> int:
    """Seconds until fewer than ``limit`` other failures remain in the window (0: allowed)."""
    times = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(
                who,  # type: ignore[arg-type]
                LoginAttempt.success.is_(False),
                LoginAttempt.at > start,
                LoginAttempt.id != own_id,
            )
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(times) < limit:
        return 0
    unlock = aware(times[-1]) + limits.window
    return max(1, math.ceil((unlock - now).total_seconds()))
