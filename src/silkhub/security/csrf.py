"""CSRF protection for web forms (and cookie-authenticated API writes): signed double submit.

How it works
------------
* A random *nonce* lives in the ``silkhub_csrf`` cookie (HttpOnly, SameSite=Lax, Secure over
  https). It is created the first time a page asks for a token.
* The token put in forms (hidden field ``csrf_token``) or sent as the ``X-CSRF-Token`` header is
  ``sign(sha256(nonce | session))``: an itsdangerous timestamped signature made with the
  application's secret key over the nonce *and* the current session cookie. An attacker can
  neither read the cookie nor compute the signature, and a token issued before sign-in (or to
  another session) does not verify after it.
* :func:`verify_csrf` recomputes the digest from the request's cookies and checks the signature
  and its age (:data:`MAX_AGE`); failures are :class:`~silkhub.errors.PermissionDeniedError`
  (403) with a message telling the user to reload the form.

Usage in page routes (``silkhub.web.forms`` already does this)::

    token = csrf_token(request)          # in the template: <input name="csrf_token" ...>
    set_csrf_cookie(request, response)   # on the response that rendered the form
    verify_csrf(request, form.get("csrf_token"))   # when the form comes back

This module imports nothing from the rest of silkhub except errors (the API also uses it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from silkhub.errors import PermissionDeniedError

CSRF_COOKIE = "silkhub_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: the web session cookie the token is bound to (set by the sign-in route)
SESSION_COOKIE = "silkhub_session"
#: how long a rendered form stays valid
MAX_AGE = timedelta(hours=12)
COOKIE_MAX_AGE = timedelta(days=7)
SALT = "silkhub.csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _digest(nonce: str, session_cookie: str) -> str:
    return hashlib.sha256(f"{nonce}|{session_cookie}".encode()).hexdigest()[:32]


def make_token(secret_key: str, nonce: str, session_cookie: str = "") -> str:
    """A token for ``nonce`` bound to ``session_cookie`` (pure; used by :func:`csrf_token`)."""
    signer = TimestampSigner(secret_key, salt=SALT)
    return signer.sign(_digest(nonce, session_cookie)).decode("ascii")


def check_token(
    secret_key: str,
    token: str | None,
    nonce: str | None,
    session_cookie: str = "",
    *,
    max_age: timedelta = MAX_AGE,
) -> bool:
    """True when ``token`` was made by :func:`make_token` for this nonce and session."""
    if not token or not nonce or len(token) > 200:
        return False
    signer = TimestampSigner(secret_key, salt=SALT)
    try:
        value = signer.unsign(token, max_age=int(max_age.total_seconds())).decode("ascii")
    except (BadSignature, SignatureExpired, UnicodeError, ValueError):
        return False
    return hmac.compare_digest(value, _digest(nonce, session_cookie))


def _secret_key(request: Request) -> str:
    return request.app.state.runtime.settings.ensure_secret_key()


def _nonce(request: Request) -> str:
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not nonce or len(nonce) > 100:
        nonce = secrets.token_urlsafe(24)
        request.state.new_csrf = nonce
    return nonce


def csrf_token(request: Request) -> str:
    """The token to embed in this response's forms (creates the nonce cookie if needed)."""
    return make_token(
        _secret_key(request), _nonce(request), request.cookies.get(SESSION_COOKIE, "")
    )


def csrf_input(request: Request) -> Markup:
    """``<input type="hidden" name="csrf_token" value="...">`` for a Jinja template."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token(request))
    )


def is_https(request: Request) -> bool:
    """Served over https (directly, or behind a proxy that uvicorn trusts)."""
    return request.url.scheme == "https"


def cookie_flags(request: Request) -> dict[str, object]:
    """Flags of every silkhub cookie: HttpOnly, SameSite=Lax, Secure over https, path /."""
    return {"httponly": True, "samesite": "lax", "secure": is_https(request), "path": "/"}


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the nonce cookie if :func:`csrf_token` created one during this request."""
    nonce = getattr(request.state, "new_csrf", None)
    if nonce:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            max_age=int(COOKIE_MAX_AGE.total_seconds()),
            **cookie_flags(request),  # type: ignore[arg-type]
        )


def verify_csrf(request: Request, submitted: str | None = None) -> None:
    """Check the token of an unsafe request (form field or ``X-CSRF-Token`` header).

    Raises
    ------
    PermissionDeniedError
        The token is missing, forged, for another session, or older than :data:`MAX_AGE`.
    """
    if request.method.upper() in SAFE_METHODS:
        return
    token = submitted or request.headers.get(CSRF_HEADER)
    if not token:
        raise PermissionDeniedError(
            "missing CSRF token: reload the form and submit it again",
            details={"reason": "csrf"},
        )
    ok = check_token(
        _secret_key(request),
        token,
        request.cookies.get(CSRF_COOKIE),
        request.cookies.get(SESSION_COOKIE, ""),
    )
    if not ok:
        raise PermissionDeniedError(
            "invalid or expired CSRF token: reload the form and submit it again",
            details={"reason": "csrf"},
        )


async def csrf_protect(request: Request) -> None:
    """FastAPI dependency for form routes: ``dependencies=[Depends(csrf_protect)]``."""
    if request.method.upper() in SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    verify_csrf(request, submitted)
