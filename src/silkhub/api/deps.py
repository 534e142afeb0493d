"""FastAPI dependencies shared by every router (``Annotated`` aliases)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from silkhub.bootstrap import Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(request: Request) -> Iterator[Session]:
    """The request's transactional session: committed when the endpoint returns, rolled back
    when it raises.

    Use it only through :data:`SessionDep`, whose ``scope="function"`` makes FastAPI run the
    code after ``yield`` (the COMMIT) as soon as the endpoint has returned and its response
    has been built, *before* that response is sent. With the default request scope the COMMIT
    would run after the client already has its 2xx, so a failed COMMIT (or a crash in
    between) would lose an acknowledged write. A failed COMMIT raises here and becomes a 5xx
    problem response instead.
    """
    runtime: Runtime = request.app.state.runtime
    with runtime.session() as s:
        yield s


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
#: the request's session; committed before the response is sent (see :func:`get_session`)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# --- accounts: who is calling (accounts feature) ------------------------------------------

from silkhub.errors import AuthenticationError  # noqa: E402
from silkhub.hub import accounts as _accounts  # noqa: E402
from silkhub.hub.policy import Actor, ensure_role  # noqa: E402
from silkhub.security import csrf as _csrf  # noqa: E402


def get_actor(request: Request, session: SessionDep) -> Actor:
    """The caller: ``Authorization: Bearer <token>``, else the signed session cookie, else
    anonymous.

    A bad bearer token is an error (401), never a silent fall-back to anonymous. A stale or
    forged session cookie counts as anonymous. Unsafe requests (POST, PUT, PATCH, DELETE)
    authenticated by the cookie must carry the ``X-CSRF-Token`` header (see
    :mod:`silkhub.security.csrf`); token-authenticated requests need none.
    """
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationError("use the header 'Authorization: Bearer <token>'")
        actor = _accounts.actor_for_secret(session, value.strip(), kind="api")
        if actor is None:
            raise AuthenticationError("invalid, expired or revoked API token")
        request.state.actor = actor
        return actor
    cookie = request.cookies.get(_csrf.SESSION_COOKIE)
    if cookie:
        key = request.app.state.runtime.settings.ensure_secret_key()
        secret = _accounts.unsign_session(key, cookie)
        actor = _accounts.actor_for_secret(session, secret, kind="session") if secret else None
        if actor is not None:
            _csrf.verify_csrf(request)
            request.state.actor = actor
            return actor
    request.state.actor = Actor.anonymous()
    return request.state.actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: str):
    """A dependency that returns the actor if its role is one of ``roles`` (else 401/403).

    Use as ``actor: Annotated[Actor, require_role("admin", "operator")]``.
    """

    def _dependency(actor: ActorDep) -> Actor:
        ensure_role(actor, *roles)
        return actor

    return Depends(_dependency)


#: any signed-in user (401 for anonymous callers)
UserDep = Annotated[Actor, require_role("admin", "operator", "member", "viewer")]
#: hub staff: admin or operator
StaffDep = Annotated[Actor, require_role("admin", "operator")]
AdminDep = Annotated[Actor, require_role("admin")]
