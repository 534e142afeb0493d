"""Odd input answers 2xx/4xx, never 500 (issue 19, defect 8): blank filters on the organisation,
project, totals and duplicate-cluster lists (API and web), saving an organisation's sectors
while keeping one, a long search on the web projects page. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api._accounts import make_account, use_fast_hashing


@pytest.fixture
def admin(runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    return make_account(runtime, "admin@example.org", "admin", None)


@pytest.fixture
def data(client, admin):
    h = admin.headers
    r = client.post(
        "/api/v1/organisations",
        json={"kind": "soe", "name_en": "Qingdao Port", "sectors": ["42", "H"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    org = r.json()
    r = client.post(
        "/api/v1/projects",
        json={"title_en": "Port crane", "iso3": "KAZ", "isic_code": "42"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    return {"org": org, "headers": h}


LISTS = (
    [
        ("/api/v1/organisations", name)
        for name in ("sector", "serves_country", "kind", "country", "region", "service", "q")
    ]
    + [
        (path, name)
        for path in ("/api/v1/projects", "/api/v1/projects/totals")
        for name in ("sector", "country", "region", "stage", "type", "source", "q")
    ]
    + [("/api/v1/match/duplicates/clusters", "region")]
)


def _enum_params(client) -> set[tuple[str, str]]:
    """(path, name) of the query parameters the OpenAPI document declares as enums."""
    doc = client.get("/api/v1/openapi.json").json()
    found = set()
    for path, ops in doc["paths"].items():
        for param in ops.get("get", {}).get("parameters", []):
            schema = param.get("schema", {})
            options = [schema, *schema.get("anyOf", [])]
            if any("enum" in o or "$ref" in o for o in options):
                found.add((path, param["name"]))
    return found


def test_blank_filter_is_no_filter_on_api_lists(client, data) -> None:
    """A blank free-text filter is no filter; a blank value for a parameter the contract
    declares as an enum is a 422 problem (the schema refuses it). Never a 500."""
    h = data["headers"]
    enums = _enum_params(client)
    for path, name in LISTS:
        unfiltered = client.get(path, headers=h)
        assert unfiltered.status_code == 200, (path, unfiltered.text)
        for blank in (" ", "  \t", ""):
            r = client.get(path, params={name: blank}, headers=h)
            if (path, name) in enums:
                assert r.status_code == 422, (path, name, repr(blank), r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                continue
            assert r.status_code == 200, (path, name, repr(blank), r.text)
            assert r.json() == unfiltered.json(), (path, name, repr(blank))


def test_unknown_filter_value_is_still_422(client, data) -> None:
    r = client.get("/api/v1/organisations", params={"sector": " ZZ "}, headers=data["headers"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sector"


def test_saving_sectors_while_keeping_one(client, data) -> None:
    org, h = data["org"], data["headers"]
    assert org["sectors"] == ["42", "H"]
    r = client.patch(
        f"/api/v1/organisations/{org['id']}", json={"sectors": ["42", "43"]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["sectors"] == ["42", "43"]
    # the same list again, reordered and with a duplicate written differently
    r = client.patch(
        f"/api/v1/organisations/{org['id']}", json={"sectors": ["43", "4210", "42"]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["sectors"] == ["42", "43"]
    got = client.get(f"/api/v1/organisations/{org['id']}", headers=h).json()
    assert got["sectors"] == ["42", "43"]


def test_blank_filters_on_web_lists(client, data) -> None:
    for path, params in [
        ("/hub/projects", {"sector": " "}),
        ("/hub/projects", {"q": " "}),
        ("/hub/projects", {"stage": " "}),
        ("/hub/projects", {"country": " ", "type": " "}),
        ("/hub/organisations", {"q": " ", "kind": " ", "country": " "}),
    ]:
        r = client.get(path, params=params)
        assert r.status_code == 200, (path, params, r.text[:300])


def test_long_search_on_web_projects_page_is_a_field_error(client, data) -> None:
    r = client.get("/hub/projects", params={"q": "丝路" * 3000}, headers={"accept-language": "en"})
    assert r.status_code == 422
    assert 'data-testid="error-q"' in r.text and "200" in r.text
    r = client.get("/hub/organisations", params={"q": "x" * 5000})
    assert r.status_code in (200, 422)
