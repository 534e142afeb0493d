"""First run of a demo install: demo accounts with passwords printed once, hashes only stored;
the landing page says how to sign in; production (SILKHUB_DEMO=0, PostgreSQL) creates none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from silkhub.bootstrap import make_runtime, prepare
from silkhub.data.storage.models.accounts import User
from silkhub.hub import demo
from silkhub.settings import Settings
from tests.web.conftest import csrf_of


@pytest.fixture
def demo_runtime(tmp_path):
    rt = make_runtime(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'demo.sqlite'}")
    )
    prepare(rt)
    demo.load(rt)
    yield rt
    rt.dispose()


def test_demo_accounts_created_once_with_hashes_only(demo_runtime):
    made = demo.create_demo_accounts(demo_runtime)
    assert made is not None
    assert [(r, e) for r, e, _ in made] == [
        ("admin", demo.DEMO_ADMIN_EMAIL),
        ("member", demo.DEMO_MEMBER_EMAIL),
    ]
    passwords = [p for _, _, p in made]
    assert all(len(p) >= 16 for p in passwords) and passwords[0] != passwords[1]
    with demo_runtime.session() as s:
        users = {u.email: u for u in s.scalars(select(User))}
        admin, member = users[demo.DEMO_ADMIN_EMAIL], users[demo.DEMO_MEMBER_EMAIL]
        assert admin.role == "admin" and admin.organisation_id is None
        assert member.role == "member" and member.organisation_id is not None
        for u, p in ((admin, passwords[0]), (member, passwords[1])):
            assert u.password_hash.startswith("$argon2id$") and p not in u.password_hash
    # a second start creates nothing and prints no password
    assert demo.create_demo_accounts(demo_runtime) is None


def test_printed_password_signs_in_and_landing_says_how(demo_runtime):
    from fastapi.testclient import TestClient

    from silkhub.server import create_app

    made = demo.create_demo_accounts(demo_runtime)
    assert made
    _, email, password = made[1]
    with TestClient(create_app(runtime=demo_runtime, init=False)) as c:
        landing = c.get("/?lang=zh")
        assert 'data-testid="demo-signin"' in landing.text
        assert demo.DEMO_ADMIN_EMAIL in landing.text and "终端" in landing.text
        assert 'data-testid="demo-hint"' in c.get("/login?lang=en").text
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:500]
        assert 'data-testid="demo-signin"' not in c.get("/").text  # signed in: no hint


def test_serve_prints_the_passwords_once(demo_runtime, capsys):
    from silkhub.cli.serve import _print_demo_accounts

    _print_demo_accounts(demo_runtime)
    out = capsys.readouterr().out
    assert demo.DEMO_ADMIN_EMAIL in out and demo.DEMO_MEMBER_EMAIL in out and "password" in out
    _print_demo_accounts(demo_runtime)
    assert "password" not in capsys.readouterr().out


def test_silkhub_demo_0_creates_no_accounts(tmp_path):
    rt = make_runtime(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.sqlite'}", demo=False)
    )
    prepare(rt)
    try:
        assert demo.create_demo_accounts(rt) is None
        with rt.session() as s:
            assert s.scalars(select(User)).first() is None
    finally:
        rt.dispose()


def test_env_var_turns_demo_off(monkeypatch):
    monkeypatch.setenv("SILKHUB_DEMO", "0")
    assert Settings().demo is False


def test_postgresql_url_creates_no_accounts(runtime):
    """Runs on SQLite (a demo install) and PostgreSQL (production: none)."""
    if runtime.engine.dialect.name == "sqlite":
        assert demo.demo_accounts_enabled(runtime)
        return
    assert not demo.demo_accounts_enabled(runtime)
    assert demo.create_demo_accounts(runtime) is None
