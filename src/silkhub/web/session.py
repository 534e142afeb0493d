"""Who is signed in: the web session cookie resolved to a :class:`WebUser` and an
:class:`~silkhub.hub.policy.Actor`.

The session cookie ``silkhub_session`` carries a session secret signed with the app key
(:func:`silkhub.hub.accounts.sign_session`). Every page module (the shared rendering in
:mod:`silkhub.web.pages` included) asks here, so page modules need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from silkhub.data.storage.models.accounts import User
from silkhub.errors import AuthenticationError
from silkhub.hub import accounts
from silkhub.hub.policy import Actor
from silkhub.security import csrf

SESSION_COOKIE = csrf.SESSION_COOKIE


@dataclass(frozen=True)
class WebUser:
    """What templates need to know about the signed-in user."""

    id: int
    email: str
    display: str
    role: str
    organisation_id: int | None
    actor: Actor

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def secret_key(request: Request) -> str:
    """The app's signing key (generated on first use)."""
    return request.app.state.runtime.settings.ensure_secret_key()


def current_user(request: Request) -> WebUser | None:
    """The user of this request's session cookie (None: anonymous); cached per request."""
    if hasattr(request.state, "web_user"):
        return request.state.web_user
    user: WebUser | None = None
    cookie = request.cookies.get(SESSION_COOKIE)
    secret = accounts.unsign_session(secret_key(request), cookie) if cookie else None
    if secret:
        with request.app.state.runtime.session() as s:
            actor = accounts.actor_for_secret(s, secret, kind="session")
            if actor is not None and actor.user_id is not None:
                u = s.get(User, actor.user_id)
                if u is not None:
                    user = WebUser(
                        u.id,
                        u.email,
                        u.display_name or u.email,
                        u.role,
                        u.organisation_id,
                        actor,
                    )
    request.state.web_user = user
    return user


def current_actor(request: Request) -> Actor:
    """The policy actor of this request (anonymous when not signed in)."""
    u = current_user(request)
    return u.actor if u else Actor.anonymous()


def require_user(request: Request) -> WebUser:
    """The signed-in user, or AuthenticationError (rendered as a page with a login link)."""
    u = current_user(request)
    if u is None:
        raise AuthenticationError("please sign in first: /login")
    return u
