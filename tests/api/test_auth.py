"""Accounts API: login (cookie + CSRF), tokens, users admin, audit log, rate limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from silkhub.security import csrf
from silkhub.server import create_app
from tests.api._accounts import PASSWORD, make_account, make_org, use_fast_hashing


@pytest.fixture
def world(runtime, monkeypatch):
    """Two organisations; an admin, an operator, a member and a viewer of org A."""
    use_fast_hashing(monkeypatch)
    a = make_org(runtime, "Org A")
    b = make_org(runtime, "Org B")
    return {
        "org_a": a,
        "org_b": b,
        "admin": make_account(runtime, "admin@hub.cn", "admin", None),
        "operator": make_account(runtime, "op@hub.cn", "operator", None),
        "member": make_account(runtime, "m@a.cn", "member", a),
        "viewer": make_account(runtime, "v@a.cn", "viewer", a),
        "member_b": make_account(runtime, "m@b.cn", "member", b),
    }


def test_me_with_token_and_anonymous(client, world) -> None:
    r = client.get("/api/v1/auth/me", headers=world["member"].headers)
    assert r.status_code == 200
    assert r.json()["email"] == "m@a.cn" and r.json()["organisation_id"] == world["org_a"]
    assert "password_hash" not in r.json()
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "header",
    ["Bearer shk_not_a_real_token", "Basic dXNlcjpwYXNz", "Bearer ", "shk_no_scheme"],
)
def test_bad_authorization_header_is_401(client, world, header) -> None:
    r = client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert r.status_code == 401


def test_login_sets_secure_cookie_and_csrf_protects_writes(runtime, world) -> None:
    with TestClient(create_app(runtime=runtime, init=False), base_url="https://hub.test") as c:
        r = c.post("/api/v1/auth/login", json={"email": "M@A.cn", "password": PASSWORD})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["user"]["email"] == "m@a.cn" and body["token"] is None
        cookies = r.headers.get_list("set-cookie")
        session_cookie = next(h for h in cookies if h.startswith(csrf.SESSION_COOKIE + "="))
        flags = session_cookie.lower()
        assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags
        # the cookie authenticates reads
        assert c.get("/api/v1/auth/me").json()["email"] == "m@a.cn"
        # writes with the cookie need the CSRF header ...
        r = c.post("/api/v1/auth/tokens", json={"name": "no csrf"})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
        r = c.post(
            "/api/v1/auth/tokens",
            json={"name": "forged"},
            headers={csrf.CSRF_HEADER: body["csrf_token"][:-3] + "abc"},
        )
        assert r.status_code == 403
        r = c.post(
            "/api/v1/auth/tokens",
            json={"name": "with csrf"},
            headers={csrf.CSRF_HEADER: body["csrf_token"]},
        )
        assert r.status_code == 201, r.text
        # logout revokes the session server-side: replaying the old cookie fails
        old = c.cookies.get(csrf.SESSION_COOKIE)
        assert c.post("/api/v1/auth/logout").status_code == 204
        c.cookies.set(csrf.SESSION_COOKIE, old)
        assert c.get("/api/v1/auth/me").status_code == 401


def test_cookie_not_secure_over_http(client, world) -> None:
    r = client.post("/api/v1/auth/login", json={"email": "m@a.cn", "password": PASSWORD})
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(csrf.SESSION_COOKIE))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


def test_forged_session_cookie_is_anonymous(client, world) -> None:
    client.cookies.set(csrf.SESSION_COOKIE, "abc.def.ghi")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_can_issue_token(client, world) -> None:
    r = client.post(
        "/api/v1/auth/login",
        json={"email": "v@a.cn", "password": PASSWORD, "issue_token": True, "token_name": "cli"},
    )
    token = r.json()["token"]
    client.cookies.clear()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "viewer"


def test_login_errors_and_rate_limit(client, world) -> None:
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/login", json={"email": "m@a.cn", "password": "nope nope nope"}
        )
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong e-mail address or password"
    r = client.post("/api/v1/auth/login", json={"email": "m@a.cn", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    # unknown address: same message as a wrong password
    r = client.post("/api/v1/auth/login", json={"email": "x@y.cn", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["detail"] == "wrong e-mail address or password"
    r = client.post("/api/v1/auth/login", json={"email": "x@y.cn"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"


def test_token_crud(client, world) -> None:
    h = world["member"].headers
    r = client.post("/api/v1/auth/tokens", json={"name": "ci", "expires_in_days": 30}, headers=h)
    assert r.status_code == 201
    created = r.json()
    assert created["token"].startswith("shk_") and created["prefix"] == created["token"][:12]
    listed = client.get("/api/v1/auth/tokens", headers=h).json()
    assert {t["name"] for t in listed} == {"tests", "ci"}
    assert all("token" not in t for t in listed)
    new_h = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/auth/me", headers=new_h).status_code == 200
    # someone else cannot revoke it (404), its owner can
    r = client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=world["member_b"].headers)
    assert r.status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=new_h).status_code == 401
    r = client.post("/api/v1/auth/tokens", json={"name": ""}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"


def test_users_admin_crud(client, world) -> None:
    admin = world["admin"].headers
    body = {
        "email": "new@b.cn",
        "password": PASSWORD,
        "role": "viewer",
        "organisation_id": world["org_b"],
    }
    r = client.post("/api/v1/auth/users", json=body, headers=admin)
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert client.post("/api/v1/auth/users", json=body, headers=admin).status_code == 409
    short = {**body, "email": "x@b.cn", "password": "short"}
    r = client.post("/api/v1/auth/users", json=short, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password" and "at least 12" in r.json()["detail"]
    r = client.patch(f"/api/v1/auth/users/{uid}", json={"role": "member"}, headers=admin)
    assert r.json()["role"] == "member"
    r = client.patch(f"/api/v1/auth/users/{uid}", json={"organisation_id": None}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organisation_id"
    assert client.delete(f"/api/v1/auth/users/{uid}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/auth/users/{uid}", headers=admin).json()["active"] is False
    r = client.post("/api/v1/auth/login", json={"email": "new@b.cn", "password": PASSWORD})
    assert r.status_code == 401
    page = client.get(
        "/api/v1/auth/users", params={"organisation_id": world["org_a"]}, headers=admin
    )
    assert {u["email"] for u in page.json()["items"]} == {"m@a.cn", "v@a.cn"}


@pytest.mark.parametrize("who", ["operator", "member", "viewer"])
def test_only_admins_write_users(client, world, who) -> None:
    h = world[who].headers
    body = {"email": "z@a.cn", "password": PASSWORD, "role": "admin"}
    assert client.post("/api/v1/auth/users", json=body, headers=h).status_code == 403
    uid = world["member"].user_id
    assert (
        client.patch(f"/api/v1/auth/users/{uid}", json={"role": "admin"}, headers=h).status_code
        == 403
    )
    assert client.delete(f"/api/v1/auth/users/{uid}", headers=h).status_code == 403


def test_user_read_rules(client, world) -> None:
    me = world["member"]
    assert client.get(f"/api/v1/auth/users/{me.user_id}", headers=me.headers).status_code == 200
    other = world["member_b"].user_id
    assert client.get(f"/api/v1/auth/users/{other}", headers=me.headers).status_code == 404
    assert client.get("/api/v1/auth/users", headers=me.headers).status_code == 403
    op = world["operator"].headers
    assert client.get(f"/api/v1/auth/users/{other}", headers=op).status_code == 200


def test_audit_endpoint(client, world) -> None:
    admin = world["admin"].headers
    client.patch(
        f"/api/v1/auth/users/{world['viewer'].user_id}", json={"role": "member"}, headers=admin
    )
    r = client.get(
        "/api/v1/auth/audit", params={"action": "user.set_role"}, headers=world["operator"].headers
    )
    assert r.status_code == 200
    (entry,) = r.json()["items"]
    assert entry["actor_label"] == "admin@hub.cn"
    assert entry["before"]["role"] == "viewer" and entry["after"]["role"] == "member"
    assert entry["after"]["password_hash"] == "***"
    r = client.get("/api/v1/auth/audit", params={"limit": 2}, headers=admin)
    assert len(r.json()["items"]) == 2 and r.json()["next_cursor"]
    nxt = client.get(
        "/api/v1/auth/audit", params={"limit": 2, "cursor": r.json()["next_cursor"]}, headers=admin
    )
    assert nxt.json()["items"][0]["id"] < r.json()["items"][-1]["id"]
    assert client.get("/api/v1/auth/audit", headers=world["member"].headers).status_code == 403
    assert client.get("/api/v1/auth/audit").status_code == 401


def test_change_password(client, world) -> None:
    h = world["member"].headers
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong", "new_password": "a brand new passphrase"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current_password"
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=h,
    )
    assert r.status_code == 204
    r = client.post(
        "/api/v1/auth/login", json={"email": "m@a.cn", "password": "a brand new passphrase"}
    )
    assert r.status_code == 200
