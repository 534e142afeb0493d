"""Sign-in limits through a real HTTP server, as ``silkhub serve`` runs it: parallel attempts,
rotated X-Forwarded-For headers (believed only from SILKHUB_TRUSTED_PROXIES), the admin's
unlock, weak passwords refused by the API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from silkhub.errors import ConfigurationError
from silkhub.hub import accounts
from silkhub.hub.policy import Actor
from silkhub.server import create_app
from silkhub.settings import Settings
from tests.api._accounts import PASSWORD, make_account, use_fast_hashing

WRONG = "not the password at all"


def counting_verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    lock = threading.Lock()
    real = accounts.verify_password

    def verify(stored_hash, password, hasher=None):
        with lock:
            calls.append(1)
        time.sleep(0.03)  # argon2's time, so that parallel requests overlap
        return real(stored_hash, password, hasher)

    monkeypatch.setattr(accounts, "verify_password", verify)
    return calls


@contextmanager
def serve(runtime) -> Iterator[str]:
    """The app on a real uvicorn server in a thread, configured like ``silkhub serve``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=runtime, init=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,  # as silkhub serve: the app decides whom to believe
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def login(base: str, email: str, password: str, xff: str | None = None) -> int:
    headers = {"X-Forwarded-For": xff} if xff else {}
    r = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=headers,
        timeout=30,
    )
    return r.status_code


def test_parallel_attempts_with_rotated_forwarded_headers(runtime, monkeypatch) -> None:
    use_fast_hashing(monkeypatch)
    make_account(runtime, "m@a.cn", "admin", None)
    calls = counting_verifications(monkeypatch)
    with serve(runtime) as base, ThreadPoolExecutor(30) as pool:
        # 30 parallel wrong passwords, each claiming another client: one client, 5 checks
        codes = list(pool.map(lambda i: login(base, "m@a.cn", WRONG, f"198.51.100.{i}"), range(30)))
        assert len(calls) == 5
        assert sorted(codes) == [401] * 5 + [429] * 25
        # 40 addresses guessed from one client with rotated headers: the per-client limit (20)
        calls.clear()
        codes = list(
            pool.map(
                lambda i: login(base, f"u{i}@x.cn", WRONG, f"203.0.113.{i}, 10.0.0.{i}"),
                range(40),
            )
        )
        assert len(calls) == 15  # 20 per client, 5 of them spent above
        assert codes.count(401) == 15 and codes.count(429) == 25
        # the owner, locked out on this client, is let back in by an admin's unlock
        assert login(base, "m@a.cn", PASSWORD) == 429
    with runtime.session() as s:
        accounts.unlock_user(s, Actor.system(), accounts.find_user(s, "m@a.cn").id)
    # (127.0.0.1 itself keeps its 20 failures and stays refused for any account for now)
    with TestClient(create_app(runtime=runtime, init=False)) as c:  # another client
        r = c.post("/api/v1/auth/login", json={"email": "m@a.cn", "password": PASSWORD})
        assert r.status_code == 200, r.text


def test_forwarded_for_believed_from_trusted_proxy_only(runtime, monkeypatch) -> None:
    use_fast_hashing(monkeypatch)
    make_account(runtime, "op@hub.cn", "operator", None)
    monkeypatch.setattr(runtime.settings, "trusted_proxies", "127.0.0.1/32, ::1")
    with serve(runtime) as base:
        for _ in range(5):
            assert login(base, "op@hub.cn", WRONG, "203.0.113.7") == 401
        # the proxy says the client is 203.0.113.7: that client is limited ...
        assert login(base, "op@hub.cn", PASSWORD, "203.0.113.7") == 429
        # ... another client behind the same proxy is not, nor is the owner's
        assert login(base, "op@hub.cn", PASSWORD, "203.0.113.8") == 200


def test_untrusted_peer_forwarded_for_is_ignored_by_the_app(runtime, monkeypatch) -> None:
    use_fast_hashing(monkeypatch)
    make_account(runtime, "op@hub.cn", "operator", None)
    monkeypatch.setattr(runtime.settings, "trusted_proxies", "10.1.0.0/16")
    app = create_app(runtime=runtime, init=False)
    with TestClient(app, client=("192.0.2.1", 4000)) as c:  # not a configured proxy
        for i in range(5):
            r = c.post(
                "/api/v1/auth/login",
                json={"email": "op@hub.cn", "password": WRONG},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            assert r.status_code == 401
        r = c.post(
            "/api/v1/auth/login",
            json={"email": "op@hub.cn", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    with TestClient(app, client=("10.1.2.3", 4000)) as c:  # the proxy: header believed
        r = c.post(
            "/api/v1/auth/login",
            json={"email": "op@hub.cn", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
        assert r.status_code == 200, r.text


def test_trusted_proxies_setting_is_checked() -> None:
    assert Settings(trusted_proxies="").trusted_proxy_list == []
    assert Settings(trusted_proxies=" 10.0.0.1, 10.2.0.0/16 ").trusted_proxy_list == [
        "10.0.0.1",
        "10.2.0.0/16",
    ]
    with pytest.raises(ConfigurationError, match="SILKHUB_TRUSTED_PROXIES"):
        _ = Settings(trusted_proxies="proxy.local").trusted_proxy_list


def test_unlock_endpoint_and_weak_password(client, runtime, monkeypatch) -> None:
    use_fast_hashing(monkeypatch)
    admin = make_account(runtime, "admin@hub.cn", "admin", None)
    op = make_account(runtime, "op@hub.cn", "operator", None)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": "op@hub.cn", "password": WRONG})
    r = client.post("/api/v1/auth/login", json={"email": "op@hub.cn", "password": PASSWORD})
    assert r.status_code == 429
    r = client.post(f"/api/v1/auth/users/{op.user_id}/unlock", headers=op.headers)
    assert r.status_code == 403
    r = client.post(f"/api/v1/auth/users/{op.user_id}/unlock", headers=admin.headers)
    assert r.status_code == 200 and r.json() == {"user_id": op.user_id, "failures_cleared": 5}
    r = client.post("/api/v1/auth/login", json={"email": "op@hub.cn", "password": PASSWORD})
    assert r.status_code == 200
    for weak in ("aaaaaaaaaaaa", "password1234"):
        r = client.post(
            "/api/v1/auth/users",
            json={"email": "new@hub.cn", "password": weak, "role": "operator"},
            headers=admin.headers,
        )
        assert r.status_code == 422
        err = r.json()["errors"][0]
        assert err["field"] == "password" and err["key"] == "password.weak"
