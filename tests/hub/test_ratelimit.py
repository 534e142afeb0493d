"""Sign-in rate limit: atomic under parallel attempts, per (account, client) plus a global
brake, the documented way back in (unlock, password reset), weak passwords refused."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.errors import AuthenticationError, RateLimitedError, ValidationError
from silkhub.hub import accounts, ratelimit
from silkhub.hub.policy import Actor

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PW = "correct horse battery"
SYSTEM = Actor.system()


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_DEFAULT_HASHER", FAST)


def counting_verifications(monkeypatch: pytest.MonkeyPatch, delay: float = 0.05) -> list[int]:
    """Count the real password verifications (each made slow, like argon2 in production)."""
    calls: list[int] = []
    lock = threading.Lock()
    real = accounts.verify_password

    def verify(stored_hash, password, hasher=None):
        with lock:
            calls.append(1)
        time.sleep(delay)
        return real(stored_hash, password, hasher)

    monkeypatch.setattr(accounts, "verify_password", verify)
    return calls


def test_30_parallel_wrong_passwords_run_5_checks(runtime, monkeypatch) -> None:
    with runtime.session() as s:
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
    calls = counting_verifications(monkeypatch)
    start = threading.Barrier(30)

    def attempt(_i: int) -> str:
        start.wait()
        try:
            with runtime.session() as s:
                accounts.authenticate(s, "a@b.cn", "bad password x", ip="10.0.0.1")
        except RateLimitedError:
            return "429"
        except AuthenticationError:
            return "401"
        return "200"

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(attempt, range(30)))
    assert len(calls) == 5
    assert results.count("401") == 5 and results.count("429") == 25
    # the owner, from another client, still signs in
    with runtime.session() as s:
        assert accounts.authenticate(s, "a@b.cn", PW, ip="10.0.0.2").email == "a@b.cn"


def test_global_account_brake_and_admin_unlock(runtime) -> None:
    t0 = datetime.now(UTC)
    limits = ratelimit.LoginLimits(pair_failures=2, account_failures=4, ip_failures=2)
    with runtime.session() as s:
        user = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
        uid = user.id
    for ip in ("1.0.0.1", "1.0.0.1", "1.0.0.2", "1.0.0.2"):
        with runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(s, "a@b.cn", "bad password x", ip=ip, now=t0, limits=limits)
    # four failures from all clients: the account is braked everywhere, right password too
    with runtime.session() as s, pytest.raises(RateLimitedError):
        accounts.authenticate(s, "a@b.cn", PW, ip="9.9.9.9", now=t0, limits=limits)
    with runtime.session() as s:
        assert accounts.unlock_user(s, SYSTEM, uid) == 4
    with runtime.session() as s:
        accounts.authenticate(s, "a@b.cn", PW, ip="9.9.9.9", now=t0, limits=limits)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "user.unlock"))
        assert entry.entity_id == str(uid) and entry.after == {"failures_cleared": 4}
    # the guessing clients' own counts are kept: 1.0.0.1 is still refused
    with runtime.session() as s, pytest.raises(RateLimitedError):
        accounts.authenticate(s, "a@b.cn", PW, ip="1.0.0.1", now=t0, limits=limits)


def test_password_reset_lifts_the_lock(sqlite_runtime) -> None:
    t0 = datetime.now(UTC)
    with sqlite_runtime.session() as s:
        uid = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin").id
    for _ in range(5):
        with sqlite_runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(s, "a@b.cn", "bad password x", ip="1.1.1.1", now=t0)
    with sqlite_runtime.session() as s:
        accounts.update_user(s, SYSTEM, uid, password="a brand new passphrase")
    with sqlite_runtime.session() as s:
        accounts.authenticate(
            s, "a@b.cn", "a brand new passphrase", ip="1.1.1.1", now=t0 + timedelta(seconds=1)
        )


def test_unlock_is_for_admins(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        uid = accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="operator").id
        op = Actor(uid, None, "operator")
        with pytest.raises(Exception, match="admin"):
            accounts.unlock_user(s, op, uid)


def test_refused_attempts_do_not_extend_the_lock(sqlite_runtime) -> None:
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with sqlite_runtime.session() as s:
        accounts.create_user(s, SYSTEM, "a@b.cn", PW, role="admin")
    for _ in range(5):
        with sqlite_runtime.session() as s, pytest.raises(AuthenticationError):
            accounts.authenticate(s, "a@b.cn", "bad password x", ip="1.1.1.1", now=t0)
    for minute in range(1, 15):
        with sqlite_runtime.session() as s, pytest.raises(RateLimitedError):
            accounts.authenticate(
                s, "a@b.cn", "x" * 12, ip="1.1.1.1", now=t0 + timedelta(minutes=minute)
            )
    with sqlite_runtime.session() as s:
        accounts.authenticate(s, "a@b.cn", PW, ip="1.1.1.1", now=t0 + timedelta(minutes=16))


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("aaaaaaaaaaaa", id="repeat"),
        pytest.param("password1234", id="common"),
        pytest.param("qwertyuiop12", id="keyboard"),
        pytest.param("123456789012", id="sequence"),
        pytest.param("Password1234", id="common-capitalised"),
    ],
)
def test_weak_passwords_refused_with_field_error(password) -> None:
    with pytest.raises(ValidationError, match="too easy to guess") as exc:
        accounts.check_password(password, email="a@b.cn")
    assert exc.value.field == "password"
    assert exc.value.details["errors"] == [
        {"field": "password", "message": exc.value.message, "key": "password.weak"}
    ]


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "a long enough passphrase",
        "x7#Lq9!vB2@m",
        "丝路 合作 项目 青岛 港口",
    ],
)
def test_good_passwords_accepted(password) -> None:
    accounts.check_password(password, email="a@b.cn")
    accounts.check_password(password + "y" * 1000, email="a@b.cn")  # long: head is checked
