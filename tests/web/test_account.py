"""Sign-in, account page, API tokens and user admin through the web forms."""

from __future__ import annotations

import pytest

from tests.web.conftest import ADMIN_EMAIL, csrf_of


def test_login_wrong_password_keeps_email_and_says_why(web):
    token = csrf_of(web.get("/login", headers={"accept-language": "en"}).text)
    r = web.post("/login", data={"email": ADMIN_EMAIL, "password": "nope", "csrf_token": token})
    assert r.status_code == 422
    assert "Wrong e-mail address or password" in r.text
    assert f'value="{ADMIN_EMAIL}"' in r.text  # input kept
    assert 'aria-invalid="true"' in r.text


def test_login_required_field_in_chinese(web):
    token = csrf_of(web.get("/login?lang=zh").text)
    r = web.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert r.status_code == 422
    assert "此项为必填" in r.text


def test_post_without_csrf_is_rejected(web):
    web.get("/login")
    r = web.post("/login", data={"email": ADMIN_EMAIL, "password": "x"})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_login_account_tokens_and_logout(web):
    r = web.login()
    assert r.status_code == 303
    page = web.get("/account")
    assert page.status_code == 200 and ADMIN_EMAIL in page.text
    r = web.post(
        "/account/tokens",
        data={"name": "ci", "expires_in_days": "30", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200 and "shk_" in r.text
    # a bad token form keeps the input and names the field
    r = web.post(
        "/account/tokens",
        data={"name": "x" * 101, "expires_in_days": "0", "csrf_token": csrf_of(r.text)},
    )
    assert r.status_code == 422 and 'data-testid="error-name"' in r.text
    assert 'value="0"' in r.text
    r = web.post("/logout", data={"csrf_token": csrf_of(r.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert web.get("/account").status_code == 401


def test_admin_creates_user_with_field_errors(web):
    web.login()
    page = web.get("/admin/users")
    assert page.status_code == 200
    r = web.post(
        "/admin/users",
        data={
            "email": "new@example.org",
            "password": "short",
            "role": "operator",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422
    assert 'value="new@example.org"' in r.text
    assert 'value="short"' not in r.text  # passwords are never echoed
    r = web.post(
        "/admin/users",
        data={
            "email": "new@example.org",
            "password": "a long enough password",
            "role": "operator",
            "csrf_token": csrf_of(r.text),
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "new@example.org" in r.text


def test_account_needs_login(web):
    r = web.get("/account", headers={"accept-language": "en"})
    assert r.status_code == 401
    assert "/login?next=" in r.text


def test_weak_password_refused_with_translated_field_error(web):
    web.login()
    page = web.get("/admin/users?lang=zh")
    r = web.post(
        "/admin/users",
        data={
            "email": "weak@example.org",
            "password": "password1234",
            "role": "operator",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422 and "密码太容易被猜到" in r.text
    page = web.get("/account?lang=en")
    r = web.post(
        "/account/password",
        data={
            "current_password": "correct horse battery staple",
            "new_password": "aaaaaaaaaaaa",
            "new_password2": "aaaaaaaaaaaa",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422 and "Too easy to guess" in r.text
    assert 'data-testid="error-new_password"' in r.text


def test_admin_unlocks_a_locked_account_from_the_users_page(web):
    from silkhub.errors import AuthenticationError, RateLimitedError
    from silkhub.hub import accounts
    from silkhub.hub.policy import Actor

    with web.runtime.session() as s:
        uid = accounts.create_user(
            s, Actor.system(), "op@hub.cn", "a long enough password", role="operator"
        ).id
    for _ in range(5):
        with web.runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(s, "op@hub.cn", "wrong password!", ip="10.0.0.1")
    with web.runtime.session() as s, pytest.raises(RateLimitedError):
        accounts.authenticate(s, "op@hub.cn", "a long enough password", ip="10.0.0.1")
    web.login()
    page = web.get("/admin/users?lang=en")
    assert f'data-testid="unlock-{uid}"' in page.text and "Unlock sign-in" in page.text
    r = web.post(
        f"/admin/users/{uid}/unlock",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with web.runtime.session() as s:
        accounts.authenticate(s, "op@hub.cn", "a long enough password", ip="10.0.0.1")
