"""Sign-in, sign-out, the account page, API tokens and user administration (web).

The session cookie ``silkhub_session`` carries a session secret signed with the app key
(:func:`silkhub.hub.accounts.sign_session`); who is signed in is resolved in
:mod:`silkhub.web.session` (re-exported here for the page modules).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import (
    AuthenticationError,
    ConflictError,
    RateLimitedError,
    ValidationError,
)
from silkhub.hub import accounts
from silkhub.hub.policy import ROLES
from silkhub.security import csrf
from silkhub.web.forms import Form
from silkhub.web.pages import demo_signin, render, request_lang, runtime_of, translator
from silkhub.web.session import (  # noqa: F401 - re-exported for the page modules
    WebUser,
    current_actor,
    current_user,
    require_user,
    secret_key,
)

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

SESSION_COOKIE = csrf.SESSION_COOKIE
_secret_key = secret_key


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


def _absorb(
    form: Form, exc: ValidationError, default_field: str, rename: dict[str, str] | None = None
) -> None:
    """A service error as a field error (the service's field names mapped by ``rename``),
    translated when the service gives a message key."""
    rename = rename or {}
    for e in exc.details.get("errors") or []:
        field = e.get("field") or default_field
        field = rename.get(field, field)
        if e.get("key"):
            form.error(field, e["key"])
        else:
            form.error(field, "form.service", message=e.get("message", ""))
    if not exc.details.get("errors"):
        field = rename.get(exc.field or default_field, exc.field or default_field)
        form.error(field, "form.service", message=exc.message)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(
        request, "login.html", {"form": Form({"next": next}), "demo": demo_signin(request)}
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await Form.from_request(request)
    email = form.text("email", required=True, max_len=254)
    password = form.value("password")
    if not password:
        form.error("password", "form.required")
    if form.ok:
        runtime = runtime_of(request)
        ip = request.client.host if request.client else "unknown"
        try:
            with runtime.session() as s:
                user = accounts.authenticate(s, email or "", password, ip=ip)
                secret = accounts.start_session(s, user)
        except RateLimitedError:
            form.error("__all__", "login.rate_limited")
        except AuthenticationError:
            form.error("password", "login.failed")
        else:
            resp = RedirectResponse(_safe_next(form.value("next")), status_code=303)
            resp.set_cookie(
                SESSION_COOKIE,
                accounts.sign_session(_secret_key(request), secret),
                max_age=int(accounts.SESSION_TTL.total_seconds()),
                **csrf.cookie_flags(request),  # type: ignore[arg-type]
            )
            return resp
    return render(
        request, "login.html", {"form": form, "demo": demo_signin(request)}, status_code=422
    )


@router.post("/logout")
async def logout(request: Request) -> Response:
    await Form.from_request(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    secret = accounts.unsign_session(_secret_key(request), cookie) if cookie else None
    if secret:
        with runtime_of(request).session() as s:
            accounts.end_session(s, secret)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# -- account ------------------------------------------------------------------------------
def _account_page(request: Request, **ctx) -> HTMLResponse:
    user = require_user(request)
    with runtime_of(request).session() as s:
        tokens = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.date().isoformat() if t.created_at else "",
                "expires_at": t.expires_at.date().isoformat() if t.expires_at else "",
                "last_used_at": t.last_used_at.date().isoformat() if t.last_used_at else "",
            }
            for t in accounts.list_tokens(s, user.actor, user.id)
        ]
    ctx.setdefault("pw_form", Form())
    ctx.setdefault("token_form", Form({"expires_in_days": "90"}))
    status = ctx.pop("status_code", 200)
    ctx.setdefault("canonical_path", "/account")
    return render(request, "account.html", {"tokens": tokens, **ctx}, status_code=status)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> HTMLResponse:
    return _account_page(request)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request) -> HTMLResponse:
    return _account_page(request)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    current = form.value("current_password")
    new = form.value("new_password")
    if not current:
        form.error("current_password", "form.required")
    if not new:
        form.error("new_password", "form.required")
    elif new != form.value("new_password2"):
        form.error("new_password2", "account.mismatch")
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                accounts.change_own_password(s, user.actor, current, new)
        except ValidationError as exc:
            _absorb(form, exc, "new_password", {"password": "new_password"})
        else:
            return RedirectResponse("/login?next=/account", status_code=303)
    form.data = {}  # never echo passwords
    return _account_page(request, pw_form=form, status_code=422)


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    name = form.text("name", required=True, max_len=100)
    days = form.integer("expires_in_days")
    if days is not None and not 1 <= days <= 3650:
        form.error("expires_in_days", "account.days_range")
    new_secret = None
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                _tok, new_secret = accounts.create_token(
                    s,
                    user.actor,
                    user.id,
                    name or "",
                    expires_in=timedelta(days=days) if days else None,
                )
        except ValidationError as exc:
            form.absorb(exc, "name")
    if not form.ok:
        return _account_page(request, token_form=form, status_code=422)
    return _account_page(request, new_secret=new_secret)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Response:
    user = require_user(request)
    await Form.from_request(request)
    with runtime_of(request).session() as s:
        accounts.revoke_token(s, user.actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


# -- admin of users ---------------------------------------------------------------------
def _users_page(request: Request, form: Form | None = None, status: int = 200) -> HTMLResponse:
    user = require_user(request)
    t = translator(request_lang(request))
    with runtime_of(request).session() as s:
        items, _total = accounts.list_users(s, user.actor, limit=500)
        from silkhub.hub.organisations import list_organisations
        from silkhub.i18n import pick

        lang = request_lang(request)
        orgs = {
            o.id: pick(o.name_en, o.name_zh, lang)
            for o in list_organisations(s, user.actor, limit=500).items
        }
        users = [
            {
                "id": u.id,
                "email": u.email,
                "display_name": u.display_name or "",
                "role": u.role,
                "active": u.active,
                "organisation_id": u.organisation_id,
                "organisation": orgs.get(u.organisation_id, "") if u.organisation_id else "",
                "last_login_at": u.last_login_at.date().isoformat() if u.last_login_at else "",
            }
            for u in items
        ]
    return render(
        request,
        "admin_users.html",
        {
            "users": users,
            "form": form or Form({"role": "member"}),
            "roles": ROLES,
            "role_options": [(r, t(f"role.{r}")) for r in ROLES],
            "org_options": [("", "–")] + [(str(k), v) for k, v in orgs.items()],
        },
        status_code=status,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> HTMLResponse:
    return _users_page(request)


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    email = form.text("email", required=True, max_len=254)
    password = form.value("password")
    if not password:
        form.error("password", "form.required")
    role = form.choice("role", ROLES, required=True)
    org = form.integer("organisation_id")
    display = form.text("display_name", max_len=200)
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                accounts.create_user(
                    s,
                    user.actor,
                    email or "",
                    password,
                    role=role or "member",
                    organisation_id=org,
                    display_name=display,
                )
        except ConflictError as exc:
            form.error("email", "form.service", message=exc.message)
        except ValidationError as exc:
            _absorb(form, exc, "email")
    if not form.ok:
        form.data.pop("password", None)
        return _users_page(request, form, 422)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/unlock")
async def unlock_user(request: Request, user_id: int) -> Response:
    """Lift the sign-in lock of an account (admins; see docs/security.md)."""
    user = require_user(request)
    await Form.from_request(request)
    with runtime_of(request).session() as s:
        accounts.unlock_user(s, user.actor, user_id)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
async def update_user(request: Request, user_id: int) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    t = translator("en")
    changes: dict[str, object] = {}
    role = form.choice("role", ROLES)
    if role:
        changes["role"] = role
    if form.value("active") in ("0", "1"):
        changes["active"] = form.value("active") == "1"
    if form.ok and changes:
        with runtime_of(request).session() as s:
            accounts.update_user(s, user.actor, user_id, **changes)
    elif not form.ok:
        raise ValidationError(t("form.has_errors"), field="role")
    return RedirectResponse("/admin/users", status_code=303)
