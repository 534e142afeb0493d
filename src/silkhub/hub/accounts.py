"""User accounts: creation, argon2 password hashing, sign-in, web sessions and API tokens.

* Passwords: argon2id (argon2-cffi). When the hashing parameters change, a stored hash is
  upgraded the next time its owner signs in (``check_needs_rehash``).
* Sign-in is rate-limited (:mod:`silkhub.hub.ratelimit`); the error never says whether the
  e-mail address exists.
* API tokens and web sessions are random secrets; only their SHA-256 is stored
  (:class:`~silkhub.data.storage.models.accounts.ApiToken`), the secret is shown once.
  A web session cookie carries the session secret signed with the application's secret key
  (itsdangerous), so a forged or stale cookie is rejected before the database is asked.
* Every change is written to the audit log.

Who may do what is in ``docs/security.md``: admins manage users; everyone manages their own
tokens; hub staff (admin, operator) may list users.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.accounts import ApiToken, User
from silkhub.data.storage.models.hub import Organisation
from silkhub.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnknownChoiceError,
    ValidationError,
)
from silkhub.hub import audit, ratelimit
from silkhub.hub.policy import ROLES, STAFF_ROLES, Actor, ensure_role

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
#: lifetime of a web session (also the max age of the signed cookie)
SESSION_TTL = timedelta(days=14)
#: ``last_used_at`` of a token is written at most this often (saves a write per request)
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_KINDS = ("api", "session")
API_TOKEN_PREFIX = "shk_"
SESSION_SALT = "silkhub.session"

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
#: argon2id with the OWASP Password Storage Cheat Sheet parameters (19 MiB, 2 passes, 1 lane):
#: ~40 ms per verify on the 2-core project machine under load, where argon2-cffi's defaults
#: (64 MiB, 3 passes, 4 lanes) took ~550 ms (see docs/performance.md, "accounts").
ARGON2_PARAMETERS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
_DEFAULT_HASHER = PasswordHasher(**ARGON2_PARAMETERS)
_DUMMY_HASH: str | None = None


# --- passwords ---------------------------------------------------------------------------


def check_text(value: str | None, field: str) -> str | None:
    """Reject NUL characters, which PostgreSQL cannot store or compare (ValidationError)."""
    if value is not None and "\x00" in value:
        raise ValidationError(f"{field} must not contain NUL characters", field=field)
    return value


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address; raise ValidationError naming ``email``."""
    value = (email or "").strip().lower()
    check_text(value, "email")
    if len(value) > 254 or not _EMAIL_RE.match(value):
        raise ValidationError(
            f"{email!r} is not an e-mail address (expected name@example.org)", field="email"
        )
    return value


def check_password(password: str, *, email: str | None = None) -> None:
    """Raise ValidationError (field ``password``) if ``password`` is not acceptable."""
    n = len(password or "")
    if n < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"password too short: it must have at least {MIN_PASSWORD_LENGTH} characters "
            f"(it has {n}); a few unrelated words make a good one",
            field="password",
        )
    if n > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"password too long: at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    if not password.strip():
        raise ValidationError("password must not be only spaces", field="password")
    if email and password.strip().lower() == email.strip().lower():
        raise ValidationError("password must not be the e-mail address", field="password")
    _check_guessable(password, email)


#: zxcvbn score below which a password is refused: 0 and 1 mean fewer than about 10^6
#: guesses (common passwords and their variants, repeats, keyboard walks, sequences)
MIN_PASSWORD_SCORE = 2
#: zxcvbn looks at this many characters (longer input is slow; the head decides anyway)
_ZXCVBN_MAX = 72


def _check_guessable(password: str, email: str | None) -> None:
    """Refuse passwords found in (or close to) common-password lists (ValidationError).

    The estimate is zxcvbn's (its frequency lists ship with the package, no network). The
    error carries the message key ``password.weak`` for translated forms.
    """
    from zxcvbn import zxcvbn

    hints = [email, email.split("@")[0]] if email else []
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=hints, max_length=_ZXCVBN_MAX)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return
    why = result["feedback"].get("warning") or "it is too easy to guess"
    message = (
        f"password too easy to guess: {why.rstrip('.')}; a few unrelated words make a good one"
    )
    raise ValidationError(
        message,
        field="password",
        errors=[{"field": "password", "message": message, "key": "password.weak"}],
    )


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """The argon2id hash of ``password`` (with a random salt)."""
    return (hasher or _DEFAULT_HASHER).hash(password)


def verify_password(stored_hash: str, password: str, hasher: PasswordHasher | None = None) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a bad hash."""
    try:
        return (hasher or _DEFAULT_HASHER).verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_verify(password: str, hasher: PasswordHasher) -> None:
    """Spend the time of one verification, so unknown addresses are not faster to reject."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
    verify_password(_DUMMY_HASH, password, hasher)


# --- users -------------------------------------------------------------------------------


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UnknownChoiceError("role", role, ROLES)
    return role


def _check_organisation(session: Session, role: str, organisation_id: int | None) -> None:
    if organisation_id is None:
        if role not in STAFF_ROLES:
            raise ValidationError(
                f"a {role} must belong to an organisation: give organisation_id "
                "(only admins and operators may have none)",
                field="organisation_id",
            )
        return
    if session.get(Organisation, organisation_id) is None:
        raise ValidationError(
            f"organisation {organisation_id} does not exist", field="organisation_id"
        )


def create_user(
    session: Session,
    actor: Actor,
    email: str,
    password: str,
    *,
    role: str = "member",
    organisation_id: int | None = None,
    display_name: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Create an account (admins only). Raises ConflictError for a known e-mail address."""
    ensure_role(actor, "admin")
    email = normalise_email(email)
    check_role(role)
    check_password(password, email=email)
    check_text(display_name, "display_name")
    _check_organisation(session, role, organisation_id)
    if find_user(session, email) is not None:
        raise ConflictError(
            f"a user with e-mail {email} already exists", details={"field": "email"}
        )
    user = User(
        email=email,
        display_name=(display_name or "").strip()[:200] or None,
        password_hash=hash_password(password, hasher),
        organisation_id=organisation_id,
        role=role,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None, audit.snapshot(user))
    logger.info("user %s created with role %s", user.id, role)
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or None."""
    email = email.strip().lower()
    if "\x00" in email:
        return None
    return session.scalar(select(User).where(User.email == email))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """One user: staff see everyone, other users only themselves (404 otherwise)."""
    user = session.get(User, user_id)
    if user is None or not (actor.is_staff or actor.user_id == user_id):
        raise NotFoundError(f"user {user_id} not found")
    return user


def resolve_user(session: Session, actor: Actor, email_or_id: str | int) -> User:
    """A user by id or e-mail address (for the CLI)."""
    if isinstance(email_or_id, int) or str(email_or_id).isdigit():
        return get_user(session, actor, int(email_or_id))
    user = find_user(session, str(email_or_id))
    if user is None or not (actor.is_staff or actor.user_id == user.id):
        raise NotFoundError(f"no user with e-mail {email_or_id}")
    return user


def list_users(
    session: Session,
    actor: Actor,
    *,
    organisation_id: int | None = None,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[User], int]:
    """Users matching the filters, by id, with the total count (hub staff only)."""
    ensure_role(actor, "admin", "operator")
    stmt = select(User)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if role is not None:
        stmt = stmt.where(User.role == check_role(role))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        check_text(q, "q")
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            User.email.like(like) | func.lower(func.coalesce(User.display_name, "")).like(like)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(User.id).limit(limit).offset(offset)))
    return rows, total


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    role: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    organisation_id: int | None = None,
    clear_organisation: bool = False,
    password: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Change a user (admins only). Deactivating revokes every token and session.

    The last active admin cannot be demoted or deactivated (ConflictError).
    """
    ensure_role(actor, "admin")
    user = get_user(session, actor, user_id)
    before = audit.snapshot(user)
    new_role = check_role(role) if role is not None else user.role
    new_org = None if clear_organisation else (organisation_id or user.organisation_id)
    if role is not None or organisation_id is not None or clear_organisation:
        _check_organisation(session, new_role, new_org)
    losing_admin = user.role == "admin" and user.active and (new_role != "admin" or active is False)
    if losing_admin and _active_admins(session) <= 1:
        raise ConflictError("cannot remove the last active admin; make another admin first")
    user.role = new_role
    user.organisation_id = new_org
    if display_name is not None:
        user.display_name = (check_text(display_name, "display_name") or "").strip()[:200] or None
    if password is not None:
        check_password(password, email=user.email)
        user.password_hash = hash_password(password, hasher)
        _revoke_all(session, user.id, kinds=("session",))
        ratelimit.record_reset(session, user.email)  # a reset also lifts a sign-in lock
    if active is not None:
        user.active = active
        if not active:
            _revoke_all(session, user.id, kinds=TOKEN_KINDS)
    session.flush()
    after = audit.snapshot(user)
    if before != after or password is not None:
        audit.record(session, actor, _update_action(before, after), "user", user.id, before, after)
    return user


def unlock_user(session: Session, actor: Actor, user_id: int) -> int:
    """Lift the sign-in lock of an account (admins only); returns the failures it cleared.

    The documented way back in for an owner whose account was locked by someone guessing
    its password (``silkhub users unlock``, ``POST /auth/users/{id}/unlock``): the account's
    failure counts (all clients, and each client for this account) start again from zero;
    the per-address counts of the guessing clients (any account) stay.
    """
    ensure_role(actor, "admin")
    user = get_user(session, actor, user_id)
    cleared = ratelimit.failures(session, user.email)
    ratelimit.record_reset(session, user.email)
    audit.record(
        session, actor, "user.unlock", "user", user.id, None, {"failures_cleared": cleared}
    )
    return cleared


def _update_action(before: dict, after: dict) -> str:
    changed = set(audit.changes(before, after))
    if changed == {"role"}:
        return "user.set_role"
    if changed == {"active"}:
        return "user.activate" if after["active"] else "user.deactivate"
    return "user.update"


def _active_admins(session: Session) -> int:
    stmt = select(func.count()).where(User.role == "admin", User.active.is_(True))
    return session.scalar(stmt) or 0


def change_own_password(
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    hasher: PasswordHasher | None = None,
) -> None:
    """A signed-in user changes their password; other web sessions are signed out."""
    if actor.user_id is None:
        raise AuthenticationError("sign in to change your password")
    user = session.get(User, actor.user_id)
    if user is None or not verify_password(user.password_hash, current_password, hasher):
        raise ValidationError("the current password is wrong", field="current_password")
    check_password(new_password, email=user.email)
    user.password_hash = hash_password(new_password, hasher)
    _revoke_all(session, user.id, kinds=("session",))
    ratelimit.record_reset(session, user.email)
    audit.record(session, actor, "user.change_password", "user", user.id, None, None)


# --- sign-in -----------------------------------------------------------------------------


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str = "unknown",
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
    limits: ratelimit.LoginLimits = ratelimit.DEFAULT_LIMITS,
) -> User:
    """Check e-mail and password; return the user or raise.

    Raises
    ------
    RateLimitedError
        Too many recent failures for this address or client.
    AuthenticationError
        Wrong e-mail or password (the message does not say which), or a deactivated account.

    Notes
    -----
    The attempt is reserved (checked against the limits and recorded as a failure) and
    committed *before* the password is checked (:func:`ratelimit.reserve`), so that parallel
    attempts cannot run more password checks than the limit allows and a failure counts even
    though the caller's transaction is rolled back by the error. This commits the session.
    """
    hasher = hasher or _DEFAULT_HASHER
    now = now or utcnow()
    key = (email or "").strip().lower()[:254].replace("\x00", "")
    ip = (ip or "unknown")[:64].replace("\x00", "")
    attempt = ratelimit.reserve(session, key, ip, now=now, limits=limits)
    user = find_user(session, key) if key else None
    if user is None:
        _dummy_verify(password or "", hasher)
        ok = False
    else:
        ok = verify_password(user.password_hash, password or "", hasher)
    if not ok or user is None:
        raise AuthenticationError("wrong e-mail address or password")
    if not user.active:
        raise AuthenticationError("this account is deactivated; ask a hub admin")
    ratelimit.record_success(session, attempt)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        logger.info("password hash of user %s upgraded to current parameters", user.id)
    user.last_login_at = now
    session.flush()
    return user


def actor_for(user: User) -> Actor:
    """The policy actor of a user account."""
    return Actor(user.id, user.organisation_id, user.role, label=user.email)


# --- tokens and sessions -----------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    actor: Actor,
    user_id: int,
    name: str,
    *,
    expires_in: timedelta | None = None,
    kind: str = "api",
) -> tuple[ApiToken, str]:
    """Create an API token (or web session) for ``user_id``; returns the row and the secret.

    Users create their own tokens; admins (and the CLI) may create tokens for anyone.
    The secret is returned once and never stored.
    """
    if kind not in TOKEN_KINDS:
        raise UnknownChoiceError("kind", kind, TOKEN_KINDS)
    if actor.user_id != user_id:
        ensure_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    if not user.active:
        raise ConflictError(f"user {user.email} is deactivated")
    name = (check_text(name, "name") or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("token name must have 1 to 100 characters", field="name")
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValidationError("expiry must be in the future", field="expires_in_days")
    secret = (API_TOKEN_PREFIX if kind == "api" else "") + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user_id,
        kind=kind,
        name=name,
        token_hash=_digest(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
    session.add(token)
    session.flush()
    if kind == "api":
        after = {"user_id": user_id, "name": name, "prefix": token.prefix}
        after["expires_at"] = token.expires_at
        audit.record(session, actor, "token.create", "api_token", token.id, None, after)
    return token, secret


def list_tokens(
    session: Session, actor: Actor, user_id: int, *, include_revoked: bool = False
) -> list[ApiToken]:
    """The API tokens of ``user_id`` (own tokens; admins any user's)."""
    if actor.user_id != user_id:
        ensure_role(actor, "admin")
    q = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind == "api")
    if not include_revoked:
        q = q.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(q.order_by(ApiToken.id)))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke an API token: own tokens, or any token for admins (404 for others' tokens)."""
    token = session.get(ApiToken, token_id)
    if (
        token is None
        or token.kind != "api"
        or not (actor.user_id == token.user_id or actor.role == "admin")
    ):
        raise NotFoundError(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor,
            "token.revoke",
            "api_token",
            token.id,
            {"revoked_at": None},
            {"revoked_at": token.revoked_at, "prefix": token.prefix},
        )
    return token


def _revoke_all(session: Session, user_id: int, *, kinds: Sequence[str]) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.kind.in_(kinds), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def actor_for_secret(
    session: Session, secret: str, *, kind: str = "api", now: datetime | None = None
) -> Actor | None:
    """The actor owning a live token or session secret, or None (unknown, revoked, expired,
    deactivated user). Updates ``last_used_at`` at most once a minute."""
    if not secret or len(secret) > 200:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.kind == kind)
    ).first()
    if row is None:
        return None
    token, user = row
    now = now or utcnow()
    if token.revoked_at is not None or not user.active:
        return None
    if token.expires_at is not None and ratelimit.aware(token.expires_at) <= now:
        return None
    if token.last_used_at is None or ratelimit.aware(token.last_used_at) < now - TOUCH_EVERY:
        token.last_used_at = now
    return actor_for(user)


def start_session(session: Session, user: User, *, ttl: timedelta = SESSION_TTL) -> str:
    """Open a web session for ``user``; returns the session secret (to sign into a cookie)."""
    actor = actor_for(user)
    _token, secret = create_token(
        session, actor, user.id, "web session", expires_in=ttl, kind="session"
    )
    audit.record(session, actor, "user.login", "user", user.id, None, None)
    return secret


def end_session(session: Session, secret: str) -> None:
    """Revoke a web session (sign out); unknown secrets are ignored."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret), ApiToken.kind == "session")
    )
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()


def sign_session(secret_key: str, session_secret: str) -> str:
    """The cookie value: the session secret signed (and timestamped) with the app key."""
    return TimestampSigner(secret_key, salt=SESSION_SALT).sign(session_secret).decode("ascii")


def unsign_session(secret_key: str, cookie: str, *, max_age: timedelta = SESSION_TTL) -> str | None:
    """The session secret inside a cookie, or None if forged, tampered with or too old."""
    try:
        raw = TimestampSigner(secret_key, salt=SESSION_SALT).unsign(
            cookie, max_age=int(max_age.total_seconds())
        )
    except (BadSignature, SignatureExpired, UnicodeError, ValueError):
        return None
    return raw.decode("ascii", errors="replace")


def ensure_active_user(session: Session, actor: Actor) -> User:
    """The account behind ``actor`` (raises AuthenticationError for anonymous/system)."""
    if actor.user_id is None:
        raise AuthenticationError("authentication required: send a bearer token or sign in")
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDeniedError("this account is deactivated")
    return user
