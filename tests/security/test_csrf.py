"""CSRF helpers (signed double submit bound to the session cookie)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from silkhub.errors import SilkhubError
from silkhub.security import csrf

KEY = "s" * 48


def test_token_bound_to_nonce_session_and_key() -> None:
    t = csrf.make_token(KEY, "nonce1", "session-a")
    assert csrf.check_token(KEY, t, "nonce1", "session-a")
    assert not csrf.check_token(KEY, t, "nonce2", "session-a")  # another browser's cookie
    assert not csrf.check_token(KEY, t, "nonce1", "session-b")  # issued to another session
    assert not csrf.check_token("k" * 48, t, "nonce1", "session-a")  # forged without the key
    assert not csrf.check_token(KEY, t[:-1] + ("A" if t[-1] != "A" else "B"), "nonce1", "session-a")
    assert not csrf.check_token(KEY, "", "nonce1", "session-a")
    assert not csrf.check_token(KEY, t, None, "session-a")


def test_token_expires() -> None:
    t = csrf.make_token(KEY, "n", "")
    assert not csrf.check_token(KEY, t, "n", "", max_age=timedelta(seconds=-1))


class _Runtime:
    class settings:
        @staticmethod
        def ensure_secret_key() -> str:
            return KEY


@pytest.fixture
def app_client(request) -> TestClient:
    app = FastAPI()
    app.state.runtime = _Runtime()
    base = getattr(request, "param", "http://testserver")

    @app.exception_handler(SilkhubError)
    async def _err(_request: Request, exc: SilkhubError):
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.get("/form")
    def form(req: Request) -> HTMLResponse:
        resp = HTMLResponse(f"<form>{csrf.csrf_input(req)}</form>")
        csrf.set_csrf_cookie(req, resp)
        return resp

    @app.post("/submit", dependencies=[Depends(csrf.csrf_protect)])
    def submit() -> dict:
        return {"ok": True}

    return TestClient(app, base_url=base)


def _token(html: str) -> str:
    return html.split('value="')[1].split('"')[0]


def test_form_roundtrip(app_client: TestClient) -> None:
    r = app_client.get("/form")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    token = _token(r.text)
    assert app_client.post("/submit", data={"csrf_token": token}).json() == {"ok": True}
    assert app_client.post("/submit", headers={csrf.CSRF_HEADER: token}).status_code == 200
    # the same page again reuses the nonce cookie (no new cookie)
    assert "set-cookie" not in app_client.get("/form").headers


def test_missing_or_wrong_token_is_403(app_client: TestClient) -> None:
    token = _token(app_client.get("/form").text)
    r = app_client.post("/submit", data={"x": "1"})
    assert r.status_code == 403 and "missing CSRF token" in r.json()["detail"]
    assert app_client.post("/submit", data={"csrf_token": token + "x"}).status_code == 403
    # after signing in (a new session cookie) the old token no longer verifies
    app_client.cookies.set(csrf.SESSION_COOKIE, "new-session")
    assert app_client.post("/submit", data={"csrf_token": token}).status_code == 403
    fresh = _token(app_client.get("/form").text)
    assert app_client.post("/submit", data={"csrf_token": fresh}).status_code == 200


def test_cross_site_post_without_cookie_fails(app_client: TestClient) -> None:
    token = _token(app_client.get("/form").text)
    app_client.cookies.clear()  # the attacker's page cannot send the victim's cookies' values
    assert app_client.post("/submit", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("app_client", ["https://hub.example"], indirect=True)
def test_cookie_secure_over_https(app_client: TestClient) -> None:
    assert "secure" in app_client.get("/form").headers["set-cookie"].lower()
