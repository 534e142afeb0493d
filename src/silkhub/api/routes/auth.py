"""Accounts API: sign-in and sessions, the caller's profile, API tokens, users, the audit log.

* ``POST /auth/login`` checks e-mail and password (rate-limited) and sets the signed session
  cookie for the web (HttpOnly, SameSite=Lax, Secure over https); with ``issue_token`` it also
  returns a personal API token (shown once).
* API clients send ``Authorization: Bearer <token>``; cookie-authenticated writes need the
  ``X-CSRF-Token`` header (the ``csrf_token`` returned by login).
* ``/auth/users`` is for admins (operators may list and read); ``/auth/audit`` for admins and
  operators. Users are never deleted: ``DELETE /auth/users/{id}`` deactivates.
"""

from __future__ import annotations

import secrets
from dataclasses import MISSING
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from typing import Annotated, Literal, get_type_hints

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastPath
from pydantic import BaseModel, ConfigDict, Field, create_model

from silkhub.api.deps import AdminDep, SessionDep, StaffDep, UserDep
from silkhub.api.params import IsoDateTime
from silkhub.data.storage.base import utcnow
from silkhub.hub import accounts, audit
from silkhub.security import csrf

router = APIRouter(prefix="/auth", tags=["auth"])

Role = Literal["admin", "operator", "member", "viewer"]
#: largest id the databases store (PostgreSQL INTEGER); larger ids are invalid, not missing
MAX_ID = 2**31 - 1
UserId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="user id")]
TokenId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="token id")]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str | None
    organisation_id: int | None
    role: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class LoginIn(BaseModel):
    email: str = Field(max_length=254, description="the account's e-mail address")
    password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)
    issue_token: bool = Field(False, description="also create a personal API token")
    token_name: str = Field("login", min_length=1, max_length=100)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="send as X-CSRF-Token on cookie-authenticated writes")
    session_expires_at: datetime
    token: str | None = Field(None, description="the API token (only when issue_token)")


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="what the token is for")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="none: never expires")


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="the secret; shown only this once")


class UserCreate(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)
    role: Role = "member"
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    display_name: str | None = Field(None, max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    active: bool | None = None
    display_name: str | None = Field(None, max_length=200)
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="null removes the organisation"
    )
    password: str | None = Field(None, max_length=accounts.MAX_PASSWORD_LENGTH)


#: the service's :class:`~silkhub.hub.audit.AuditView` as a response model (fields declared once)
AuditOut = create_model(
    "AuditOut",
    __config__=ConfigDict(from_attributes=True),
    **{
        f.name: (hint, ... if f.default is MISSING else f.default)
        for f in dataclass_fields(audit.AuditView)
        for hint in [get_type_hints(audit.AuditView)[f.name]]
        if f.name != "redacted"
    },
    redacted=(bool, Field(False, description="before/after withheld from this reader")),
)


class AuditPageOut(BaseModel):
    items: list[AuditOut]
    next_cursor: int | None = Field(description="pass as cursor to get older entries")


def _client_ip(request: Request) -> str:
    """The peer's address; X-Forwarded-For counts only from SILKHUB_TRUSTED_PROXIES (the
    app's proxy-headers middleware has then already put the client's address here)."""
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    """Sign in: sets the session cookie; optionally returns a new API token."""
    user = accounts.authenticate(session, body.email, body.password, ip=_client_ip(request))
    secret = accounts.start_session(session, user)
    key = request.app.state.runtime.settings.ensure_secret_key()
    cookie = accounts.sign_session(key, secret)
    flags = csrf.cookie_flags(request)
    ttl = int(accounts.SESSION_TTL.total_seconds())
    response.set_cookie(csrf.SESSION_COOKIE, cookie, max_age=ttl, **flags)  # type: ignore[arg-type]
    nonce = request.cookies.get(csrf.CSRF_COOKIE)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        response.set_cookie(
            csrf.CSRF_COOKIE,
            nonce,
            max_age=int(csrf.COOKIE_MAX_AGE.total_seconds()),
            **flags,  # type: ignore[arg-type]
        )
    token = None
    if body.issue_token:
        _row, token = accounts.create_token(
            session, accounts.actor_for(user), user.id, body.token_name
        )
    return LoginOut(
        user=UserOut.model_validate(user),
        csrf_token=csrf.make_token(key, nonce, cookie),
        session_expires_at=utcnow() + accounts.SESSION_TTL,
        token=token,
    )


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep) -> Response:
    """Sign out: revokes the web session and clears the cookie."""
    cookie = request.cookies.get(csrf.SESSION_COOKIE)
    if cookie:
        key = request.app.state.runtime.settings.ensure_secret_key()
        secret = accounts.unsign_session(key, cookie)
        if secret:
            accounts.end_session(session, secret)
    resp = Response(status_code=204)
    resp.delete_cookie(csrf.SESSION_COOKIE, **csrf.cookie_flags(request))  # type: ignore[arg-type]
    return resp


@router.get("/me", response_model=UserOut)
def me(actor: UserDep, session: SessionDep) -> UserOut:
    """The signed-in user."""
    return UserOut.model_validate(accounts.ensure_active_user(session, actor))


@router.post("/password", status_code=204)
def change_password(body: PasswordChange, actor: UserDep, session: SessionDep) -> Response:
    """Change your own password (other web sessions are signed out)."""
    accounts.change_own_password(session, actor, body.current_password, body.new_password)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    actor: UserDep,
    session: SessionDep,
    include_revoked: bool = Query(False, description="also list revoked tokens"),
) -> list[TokenOut]:
    """Your API tokens (never the secrets)."""
    user = accounts.ensure_active_user(session, actor)
    rows = accounts.list_tokens(session, actor, user.id, include_revoked=include_revoked)
    return [TokenOut.model_validate(t) for t in rows]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, actor: UserDep, session: SessionDep) -> TokenCreated:
    """Create a personal API token; the secret is in the answer and nowhere else."""
    user = accounts.ensure_active_user(session, actor)
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    row, secret = accounts.create_token(session, actor, user.id, body.name, expires_in=expires)
    return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: TokenId, actor: UserDep, session: SessionDep) -> Response:
    """Revoke one of your tokens (admins: any token)."""
    accounts.revoke_token(session, actor, token_id)
    return Response(status_code=204)


@router.get("/users", response_model=UserPage)
def list_users(
    actor: StaffDep,
    session: SessionDep,
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
    role: Role | None = None,
    active: bool | None = None,
    q: str | None = Query(None, max_length=200, description="text in e-mail or name"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> UserPage:
    """Users (admins and operators)."""
    rows, total = accounts.list_users(
        session,
        actor,
        organisation_id=organisation_id,
        role=role,
        active=active,
        q=q,
        limit=limit,
        offset=offset,
    )
    items = [UserOut.model_validate(u) for u in rows]
    return UserPage(items=items, total=total, limit=limit, offset=offset)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, actor: AdminDep, session: SessionDep) -> UserOut:
    """Create a user (admins)."""
    user = accounts.create_user(
        session,
        actor,
        body.email,
        body.password,
        role=body.role,
        organisation_id=body.organisation_id,
        display_name=body.display_name,
    )
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, actor: UserDep, session: SessionDep) -> UserOut:
    """One user (staff: anyone; others: themselves only)."""
    return UserOut.model_validate(accounts.get_user(session, actor, user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserUpdate, actor: AdminDep, session: SessionDep) -> UserOut:
    """Change role, organisation, name, password or active flag (admins)."""
    sent = body.model_fields_set
    user = accounts.update_user(
        session,
        actor,
        user_id,
        role=body.role,
        active=body.active,
        display_name=body.display_name,
        organisation_id=body.organisation_id,
        clear_organisation="organisation_id" in sent and body.organisation_id is None,
        password=body.password,
    )
    return UserOut.model_validate(user)


class UnlockOut(BaseModel):
    user_id: int
    failures_cleared: int = Field(description="failed sign-ins that counted against the account")


@router.post("/users/{user_id}/unlock", response_model=UnlockOut)
def unlock_user(user_id: UserId, actor: AdminDep, session: SessionDep) -> UnlockOut:
    """Lift the sign-in lock of an account after failed attempts (admins; audited)."""
    cleared = accounts.unlock_user(session, actor, user_id)
    return UnlockOut(user_id=user_id, failures_cleared=cleared)


@router.delete("/users/{user_id}", status_code=204)
def deactivate_user(user_id: UserId, actor: AdminDep, session: SessionDep) -> Response:
    """Deactivate a user (admins); accounts are never deleted, the audit log keeps them."""
    accounts.update_user(session, actor, user_id, active=False)
    return Response(status_code=204)


@router.get("/audit", response_model=AuditPageOut)
def list_audit(
    actor: StaffDep,
    session: SessionDep,
    entity: str | None = Query(None, max_length=60),
    entity_id: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=60),
    actor_user_id: int | None = Query(None, ge=1, le=MAX_ID),
    since: IsoDateTime | None = Query(None, description="inclusive, ISO 8601"),
    until: IsoDateTime | None = Query(None, description="exclusive, ISO 8601"),
    limit: int = Query(50, ge=1, le=audit.MAX_PAGE),
    cursor: int | None = Query(
        None, ge=1, le=MAX_ID, description="next_cursor of the previous page"
    ),
) -> AuditPageOut:
    """The audit log, newest first (admins and operators)."""
    page = audit.list_entries(
        session,
        actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        actor_user_id=actor_user_id,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return AuditPageOut(
        items=[AuditOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )
