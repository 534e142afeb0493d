"""Hostile request bodies get a 4xx problem, never a 500 (issue 18 point 4c, issue 19
defect 5): 10 MB bodies, NUL bytes, invalid UTF-8, deeply nested JSON; and the configured size
limit answers 413 before the body is read (Content-Length) or as soon as a streamed body
crosses it.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from silkhub.api.limits import BodyLimitMiddleware, limit_for
from silkhub.bootstrap import make_runtime, prepare
from silkhub.settings import Settings
from tests.api._accounts import FAST_HASHER, make_account

PROBLEM = "application/problem+json"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def app_client(tmp_path_factory):
    """One app over SQLite for the module, with an admin token (``app_client.headers``)."""
    from silkhub.hub import accounts
    from silkhub.server import create_app

    d = tmp_path_factory.mktemp("bodies")
    rt = make_runtime(Settings(data_dir=d, database_url=f"sqlite:///{d / 'b.sqlite'}"))
    prepare(rt)
    saved, accounts._DEFAULT_HASHER = accounts._DEFAULT_HASHER, FAST_HASHER
    try:
        admin = make_account(rt, "admin@example.org", "admin", None)
    finally:
        accounts._DEFAULT_HASHER = saved
    with TestClient(create_app(runtime=rt, init=False), raise_server_exceptions=False) as c:
        c.headers.update(admin.headers)
        yield c
    rt.dispose()


def _problem(r, *statuses: int) -> dict:
    assert r.status_code in statuses, f"{r.status_code}: {r.text[:300]}"
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body = r.json()
    assert body["status"] == r.status_code
    return body


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"title_en": "' + b"x" * (10 * MB) + b'"}', id="10MB-json"),
        pytest.param(b"\x00" * (10 * MB), id="10MB-NUL"),
    ],
)
def test_10_mb_body_is_413_problem(app_client, content):
    body = _problem(app_client.post("/api/v1/projects", content=content, headers=JSON), 413)
    assert body["code"] == "body-too-large" and body["limit_bytes"] == 4 * MB


def test_streamed_body_over_the_limit_is_413(app_client):
    """No Content-Length (chunked): the bytes are counted as they arrive."""
    sent = []

    def chunks():
        for _ in range(10):
            sent.append(1)
            yield b" " * MB

    r = app_client.post("/api/v1/projects", content=chunks(), headers=JSON)
    assert "content-length" not in r.request.headers
    _problem(r, 413)


def test_anonymous_and_web_form_bodies_are_limited_too(app_client):
    big = b"x" * (5 * MB)
    r = app_client.post("/api/v1/projects", content=big, headers={**JSON, "authorization": ""})
    _problem(r, 413)
    form = {"content-type": "application/x-www-form-urlencoded"}
    _problem(app_client.post("/login", content=b"email=" + big, headers=form), 413)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00\x00\x00\x00", id="NUL-bytes"),
        pytest.param(b'{"title_en": "a\x00b"}', id="raw-NUL-in-string"),
        pytest.param(b'{"title_en": "\xff\xfe\xfa"}', id="invalid-utf8"),
        pytest.param(b"\xc3\x28", id="invalid-utf8-only"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-100k-arrays"),
        pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, id="nested-50k-objects"),
        pytest.param(
            json.dumps({"title_en": "x", "parties": [[[[[[[[[[[]]]]]]]]]]]}).encode(),
            id="nested-in-field",
        ),
        pytest.param(b'{"title_en": ', id="truncated"),
    ],
)
def test_hostile_bodies_are_4xx_problems(app_client, content):
    r = app_client.post("/api/v1/projects", content=content, headers=JSON)
    assert 400 <= r.status_code < 500, f"{r.status_code}: {r.text[:300]}"
    _problem(r, r.status_code)


def test_escaped_nul_in_a_field_is_the_same_422_on_every_database(rclient, admin):
    """``\\u0000`` in a text field: PostgreSQL cannot store it, and SQLite refuses it too
    (``data.storage.db``), so both answer 422 ``validation.nul_text``; nothing is stored."""
    before = rclient.get("/api/v1/projects", headers=admin.headers).json()["items"]
    r = rclient.post(
        "/api/v1/projects", content=b'{"title_en": "a\\u0000b"}', headers={**JSON, **admin.headers}
    )
    assert r.status_code == 422, r.text[:300]
    assert _problem(r, 422)["key"] == "validation.nul_text"
    assert rclient.get("/api/v1/projects", headers=admin.headers).json()["items"] == before
    zh = rclient.post(
        "/api/v1/projects?lang=zh",
        content=b'{"title_zh": "\\u0000"}',
        headers={**JSON, **admin.headers, "Accept-Language": "zh-CN"},
    )
    assert zh.status_code == 422 and zh.json()["key"] == "validation.nul_text"


def test_import_paths_get_the_larger_limit():
    assert limit_for("/api/v1/projects", 10, 1000) == 10
    assert limit_for("/api/v1/data/import", 10, 1000) == 1000
    assert limit_for("/api/v1/imports/42", 10, 1000) == 1000
    assert limit_for("/hub/projects/upload", 10, 1000) == 1000
    assert limit_for("/api/v1/importers", 10, 1000) == 10


def test_configured_limit_is_413_before_anything_is_read():
    """At the ASGI level: a Content-Length over the limit is refused without calling the app
    and without one ``receive()``; a streamed body stops at the chunk that crosses it."""
    calls = {"app": 0, "receive": 0}
    sent: list[dict] = []

    async def app(scope, receive, send):
        calls["app"] += 1
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive():
        calls["receive"] += 1
        return {"type": "http.request", "body": b"x" * 600, "more_body": True}

    async def send(message):
        sent.append(message)

    mw = BodyLimitMiddleware(app, max_bytes=1000, upload_max_bytes=5000)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/projects",
        "headers": [(b"content-length", b"400000000")],
    }
    asyncio.run(mw(scope, receive, send))
    assert calls == {"app": 0, "receive": 0}
    assert sent[0]["status"] == 413
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["limit_bytes"] == 1000

    sent.clear()
    asyncio.run(mw({**scope, "headers": []}, receive, send))  # chunked: 600 + 600 > 1000
    assert calls == {"app": 1, "receive": 2}
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [413]
