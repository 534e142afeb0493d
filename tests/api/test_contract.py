"""The API contract beyond schemathesis's random cases: 405 + ``Allow`` for undeclared methods
(silkhub.api.methods), closed lists as enums, unknown names in a path segment as 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkhub.api.methods import compile_paths, resolve
from silkhub.server import create_app


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from silkhub.bootstrap import make_runtime, prepare
    from silkhub.settings import Settings

    tmp: Path = tmp_path_factory.mktemp("contract")
    rt = make_runtime(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'c.sqlite'}"))
    prepare(rt)
    with TestClient(create_app(runtime=rt, init=False)) as c:
        yield c
    rt.dispose()


def _allow(r) -> set[str]:
    return {m.strip() for m in r.headers["allow"].split(",")}


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "FOO"])
def test_undeclared_method_is_405_with_every_declared_method(api: TestClient, method) -> None:
    r = api.request(method, "/api/v1/projects")
    assert r.status_code == 405, r.text
    assert _allow(r) == {"GET", "POST"}
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 405


def test_literal_path_wins_over_template(api: TestClient) -> None:
    # PATCH /organisations/{org_id} exists, but /organisations/offers is its own path
    r = api.patch("/api/v1/organisations/offers")
    assert r.status_code == 405, r.text
    assert _allow(r) == {"GET"}
    r = api.options("/api/v1/organisations/1")
    assert r.status_code == 405
    assert {"GET", "PATCH", "DELETE"} <= _allow(r)


def test_declared_methods_and_unknown_paths_pass_through(api: TestClient) -> None:
    assert api.get("/api/v1/countries").status_code == 200
    assert api.head("/api/v1/countries").status_code == 405  # no implicit HEAD in FastAPI
    assert api.options("/api/v1/no-such-thing").status_code == 404


def test_resolve_prefers_literal_segments() -> None:
    spec = {
        "paths": {
            "/a/{x}": {"get": {}, "patch": {}},
            "/a/b": {"get": {}},
            "/a/{x}/c": {"post": {}},
        }
    }
    templates = compile_paths(spec)
    assert resolve(templates, "/a/b").allow == "GET"
    assert resolve(templates, "/a/7").allow == "GET, PATCH"
    assert resolve(templates, "/a/b/c").allow == "POST"
    assert resolve(templates, "/z") is None


def test_closed_lists_are_enums_and_answer_like_unknown_choices(api: TestClient) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/countries"]["get"]["parameters"]}
    schema = params["group"]["schema"]
    enum = next(s["enum"] for s in schema.get("anyOf", [schema]) if "enum" in s)
    assert set(enum) == {"asean", "bri", "eu", "rcep", "route65", "sco"}
    r = api.get("/api/v1/countries", params={"group": "xyz"})
    assert r.status_code == 422
    assert "unknown group 'xyz'; valid choices: asean, bri" in r.json()["detail"]


def test_unknown_name_in_path_is_404(api: TestClient) -> None:
    r = api.get("/api/v1/index/frameworks/no-such-framework")
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "unknown-choice"


def test_bounds_are_json_schema_keywords(api: TestClient) -> None:
    """Every bound in the document is a JSON Schema keyword (``minimum``…): pydantic writes a
    Field's ``ge``/``le`` literally when they land outside the constrained type (an optional
    validated type), and clients and schemathesis then ignore them."""
    spec = api.get("/api/v1/openapi.json").json()
    raw = {"ge", "le", "gt", "lt", "min_length", "max_length", "multiple_of"}
    found: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("integer", "number", "string") and raw & set(node):
                found.append(path)
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(spec, "")
    assert not found, found
