"""Accounts: users, argon2 hashing with rehash-on-login, sign-in rate limit, tokens, sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from silkhub.data.storage.models.accounts import ApiToken, AuditEntry, LoginAttempt, User
from silkhub.data.storage.models.hub import Organisation
from silkhub.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnknownChoiceError,
    ValidationError,
)
from silkhub.hub import accounts, ratelimit
from silkhub.hub.policy import Actor

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PW = "correct horse battery"
SYSTEM = Actor.system()


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_DEFAULT_HASHER", FAST)


def make_org(session, name: str = "Qingdao SOE") -> int:
    org = Organisation(kind="soe", name_en=name)
    session.add(org)
    session.flush()
    return org.id


def test_create_user_hashes_password_and_audits(runtime) -> None:
    with runtime.session() as s:
        org = make_org(s)
        user = accounts.create_user(s, SYSTEM, " Alice@Example.ORG ", PW, organisation_id=org)
        uid = user.id
    with runtime.session() as s:
        user = s.get(User, uid)
        assert user.email == "alice@example.org"
        assert user.password_hash.startswith("$argon2id$") and PW not in user.password_hash
        assert user.role == "member" and user.active
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
        assert entry.entity_id == str(uid) and entry.actor_label == "system"
        assert entry.after["password_hash"] == "***"
        assert entry.after["email"] == "alice@example.org"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        pytest.param({"password": "short"}, ValidationError, "password", id="short-password"),
        pytest.param({"password": " " * 20}, ValidationError, "password", id="blank-password"),
        pytest.param({"email": "not-an-email"}, ValidationError, "email", id="bad-email"),
        pytest.param({"role": "root"}, UnknownChoiceError, "role", id="bad-role"),
        pytest.param({"org": None}, ValidationError, "organisation_id", id="member-without-org"),
        pytest.param({"org": 999_999}, ValidationError, "organisation_id", id="unknown-org"),
    ],
)
def test_create_user_rejects_bad_input(sqlite_runtime, kwargs, error, field) -> None:
    with sqlite_runtime.session() as s:
        org = make_org(s)
        args = {"email": "bob@example.org", "password": PW, "role": "member", "org": org}
        args.update(kwargs)
        with pytest.raises(error) as exc:
            accounts.create_user(
                s,
                SYSTEM,
                args["email"],
                args["password"],
                role=args["role"],
                organisation_id=args["org"],
            )
        assert exc.value.field == field


def test_short_password_message_is_clear(sqlite_runtime) -> None:
    with pytest.raises(ValidationError, match="at least 12 characters \\(it has 5\\)"):
        accounts.check_password("abcde")


def test_staff_may_have_no_organisation_and_duplicates_conflict(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        accounts.create_user(s, SYSTEM, "op@hub.cn", PW, role="operator")
        with pytest.raises(ConflictError):
            accounts.create_user(s, SYSTEM, "OP@hub.cn", PW, role="operator")


def test_only_admins_create_users(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        org = make_org(s)
        for role in ("operator", "member", "viewer"):
            with pytest.raises(PermissionDeniedError):
                accounts.create_user(s, Actor(1, org, role), "x@y.cn", PW, organisation_id=org)
        with pytest.raises(AuthenticationError):
            accounts.create_user(s, Actor.anonymous(), "x@y.cn", PW, organisation_id=org)


def test_authenticate_and_generic_errors(runtime) -> None:
    with runtime.session() as s:
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
    with runtime.session() as s:
        user = accounts.authenticate(s, "A@B.cn", PW, ip="10.0.0.1")
        assert user.last_login_at is not None
    for email, pw in [("a@b.cn", "wrong password!!"), ("nobody@b.cn", PW)]:
        with runtime.session() as s, pytest.raises(AuthenticationError) as exc:
            accounts.authenticate(s, email, pw, ip="10.0.0.1")
        assert exc.value.message == "wrong e-mail address or password"
    with runtime.session() as s:
        # the failures were committed although the errors rolled the caller back
        assert (
            len(list(s.scalars(select(LoginAttempt).where(LoginAttempt.success.is_(False))))) == 2
        )


def test_rehash_on_login_when_parameters_change(sqlite_runtime) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    with sqlite_runtime.session() as s:
        user = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin", hasher=old)
        first_hash = user.password_hash
        assert "m=512" in first_hash
    with sqlite_runtime.session() as s:
        user = accounts.authenticate(s, "a@b.cn", PW, hasher=FAST)
        assert user.password_hash != first_hash and "m=1024" in user.password_hash
    with sqlite_runtime.session() as s:
        assert "m=1024" in accounts.find_user(s, "a@b.cn").password_hash
        # and the new hash still verifies; no rehash when parameters are current
        same = accounts.authenticate(s, "a@b.cn", PW, hasher=FAST).password_hash
        assert "m=1024" in same


def test_deactivated_user_cannot_sign_in_and_loses_tokens(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        accounts.create_user(s, SYSTEM, "root@hub.cn", PW, role="admin")
        org = make_org(s)
        u = accounts.create_user(s, SYSTEM, "m@x.cn", PW, organisation_id=org)
        _tok, secret = accounts.create_token(s, SYSTEM, u.id, "laptop")
        assert accounts.actor_for_secret(s, secret) == Actor(u.id, org, "member")
        accounts.update_user(s, SYSTEM, u.id, active=False)
        assert accounts.actor_for_secret(s, secret) is None
    with sqlite_runtime.session() as s, pytest.raises(AuthenticationError, match="deactivated"):
        accounts.authenticate(s, "m@x.cn", PW)


def test_last_admin_cannot_be_removed(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        admin = accounts.create_user(s, SYSTEM, "root@hub.cn", PW, role="admin")
        with pytest.raises(ConflictError, match="last active admin"):
            accounts.update_user(s, SYSTEM, admin.id, role="operator")
        with pytest.raises(ConflictError):
            accounts.update_user(s, SYSTEM, admin.id, active=False)
        accounts.create_user(s, SYSTEM, "root2@hub.cn", PW, role="admin")
        accounts.update_user(s, SYSTEM, admin.id, role="operator")
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-1] == "user.set_role"


def test_rate_limit_per_account_and_client(runtime) -> None:
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with runtime.session() as s:
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
    for _i in range(5):
        with runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(s, "a@b.cn", "bad password x", ip="10.0.0.1", now=t0)
    # 6th attempt from that client (even with the right password) within 15 minutes: refused
    with runtime.session() as s, pytest.raises(RateLimitedError) as exc:
        accounts.authenticate(s, "a@b.cn", PW, ip="10.0.0.1", now=t0 + timedelta(minutes=5))
    # the oldest failure leaves the window at t0 + 15 min -> 10 min = 600 s to wait
    assert exc.value.details["retry_after"] == 600
    assert "10 minutes" in exc.value.message
    # the owner, from another client, is not locked out by the guesser
    with runtime.session() as s:
        accounts.authenticate(s, "a@b.cn", PW, ip="10.9.9.9", now=t0 + timedelta(minutes=5))
    with runtime.session() as s:
        accounts.authenticate(
            s, "a@b.cn", PW, ip="10.0.0.1", now=t0 + timedelta(minutes=15, seconds=1)
        )


def test_rate_limit_per_ip_and_reset_on_success(sqlite_runtime) -> None:
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    limits = ratelimit.LoginLimits(pair_failures=3, ip_failures=4)
    with sqlite_runtime.session() as s:
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
    for _i in range(2):
        with sqlite_runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(
                s, "a@b.cn", "bad password x", ip="1.1.1.1", now=t0, limits=limits
            )
    with sqlite_runtime.session() as s:  # success clears the account's count ...
        accounts.authenticate(s, "a@b.cn", PW, ip="1.1.1.1", now=t0, limits=limits)
    with sqlite_runtime.session() as s, pytest.raises(AuthenticationError):
        accounts.authenticate(s, "a@b.cn", "bad password x", ip="1.1.1.1", now=t0, limits=limits)
    with sqlite_runtime.session() as s, pytest.raises(AuthenticationError):
        accounts.authenticate(s, "a@b.cn", "bad password x", ip="1.1.1.1", now=t0, limits=limits)
    # ... but not the address's: 4 failures from 1.1.1.1, other accounts are refused too
    with sqlite_runtime.session() as s, pytest.raises(RateLimitedError):
        accounts.authenticate(s, "other@b.cn", PW, ip="1.1.1.1", now=t0, limits=limits)
    with sqlite_runtime.session() as s:  # another address may still sign in
        accounts.authenticate(s, "a@b.cn", PW, ip="2.2.2.2", now=t0, limits=limits)


def test_tokens_hashed_at_rest_listed_and_revoked(runtime) -> None:
    with runtime.session() as s:
        org = make_org(s)
        u = accounts.create_user(s, SYSTEM, "m@x.cn", PW, organisation_id=org)
        other = accounts.create_user(s, SYSTEM, "o@x.cn", PW, organisation_id=org)
        me = accounts.actor_for(u)
        tok, secret = accounts.create_token(s, me, u.id, "ci", expires_in=timedelta(days=30))
        assert secret.startswith("shk_") and tok.prefix == secret[:12]
        stored = s.get(ApiToken, tok.id)
        assert stored.token_hash != secret and secret not in stored.token_hash
        assert len(stored.token_hash) == 64
        assert [t.id for t in accounts.list_tokens(s, me, u.id)] == [tok.id]
        with pytest.raises(PermissionDeniedError):
            accounts.list_tokens(s, me, other.id)
        with pytest.raises(PermissionDeniedError):
            accounts.create_token(s, me, other.id, "steal")
        with pytest.raises(NotFoundError):
            accounts.revoke_token(s, accounts.actor_for(other), tok.id)
        assert accounts.actor_for_secret(s, secret).user_id == u.id
        accounts.revoke_token(s, me, tok.id)
        assert accounts.actor_for_secret(s, secret) is None
        assert accounts.list_tokens(s, me, u.id) == []


def test_expired_token_and_wrong_kind_rejected(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        u = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
        _t, secret = accounts.create_token(s, SYSTEM, u.id, "x", expires_in=timedelta(hours=1))
        later = datetime.now(UTC) + timedelta(hours=2)
        assert accounts.actor_for_secret(s, secret, now=later) is None
        assert accounts.actor_for_secret(s, secret, kind="session") is None
        assert accounts.actor_for_secret(s, "shk_made_up") is None


def test_sessions_signed_cookie_and_logout(sqlite_runtime) -> None:
    key = "k" * 40
    with sqlite_runtime.session() as s:
        u = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
        secret = accounts.start_session(s, u)
        cookie = accounts.sign_session(key, secret)
        assert accounts.unsign_session(key, cookie) == secret
        assert accounts.unsign_session("other-key" * 5, cookie) is None
        assert accounts.unsign_session(key, cookie[:-2] + "xx") is None
        assert accounts.actor_for_secret(s, secret, kind="session").role == "admin"
        assert accounts.actor_for_secret(s, secret, kind="api") is None  # a session is no token
        assert accounts.list_tokens(s, SYSTEM, u.id) == []  # sessions are not listed as tokens
        accounts.end_session(s, secret)
        assert accounts.actor_for_secret(s, secret, kind="session") is None


def test_change_own_password_signs_out_sessions(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        u = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
        secret = accounts.start_session(s, u)
        me = accounts.actor_for(u)
        with pytest.raises(ValidationError) as exc:
            accounts.change_own_password(s, me, "not it at all", "another long password")
        assert exc.value.field == "current_password"
        accounts.change_own_password(s, me, PW, "another long password")
        assert accounts.actor_for_secret(s, secret, kind="session") is None
    with sqlite_runtime.session() as s:
        accounts.authenticate(s, "a@b.cn", "another long password")


def test_list_users_staff_only(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        org = make_org(s)
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin", display_name="Ann")
        accounts.create_user(s, SYSTEM, "m@b.cn", PW, organisation_id=org)
        rows, total = accounts.list_users(s, Actor(9, None, "operator"), organisation_id=org)
        assert total == 1 and rows[0].email == "m@b.cn"
        rows, total = accounts.list_users(s, SYSTEM, q="ann")
        assert [r.email for r in rows] == ["a@b.cn"]
        with pytest.raises(PermissionDeniedError):
            accounts.list_users(s, Actor(9, org, "member"))
