"""API: projects (filters, sorting, cursor pagination, totals, lifecycle 409, privacy)."""

from __future__ import annotations

import pytest

from tests.api._accounts import make_account, make_org, use_fast_hashing


@pytest.fixture
def accounts(runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    a, b = make_org(runtime, "Org A"), make_org(runtime, "Org B")
    return {
        "admin": make_account(runtime, "admin@example.org", "admin", None),
        "a": make_account(runtime, "a@example.org", "member", a),
        "b": make_account(runtime, "b@example.org", "member", b),
        "viewer_a": make_account(runtime, "va@example.org", "viewer", a),
        "org_a": a,
        "org_b": b,
    }


def _create(client, headers, **body):
    body.setdefault("title_en", "Project")
    r = client.post("/api/v1/projects", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_anonymous_cannot_write(client):
    r = client.post("/api/v1/projects", json={"title_en": "x"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_create_list_filter_sort_paginate(client, accounts):
    h = accounts["admin"].headers
    for i, (iso3, usd) in enumerate([("KAZ", 30), ("KAZ", 10), ("UZB", 20), ("KAZ", None)]):
        body = {"title_en": f"p{i}", "iso3": iso3, "isic_code": "42"}
        if usd:
            body |= {"value_amount": usd, "value_currency": "USD"}
        _create(client, h, **body)
    r = client.get("/api/v1/projects", params={"country": "KAZ", "sort": "-value_usd", "limit": 2})
    assert r.status_code == 200
    page = r.json()
    assert [p["value_usd"] for p in page["items"]] == [30, 10]
    r2 = client.get(
        "/api/v1/projects",
        params={"country": "KAZ", "sort": "-value_usd", "limit": 2, "cursor": page["next_cursor"]},
    )
    assert [p["title_en"] for p in r2.json()["items"]] == ["p3"]
    assert r2.json()["next_cursor"] is None
    r = client.get("/api/v1/projects", params={"value_min_usd": 15, "sector": "F", "sort": "id"})
    assert [p["title_en"] for p in r.json()["items"]] == ["p0", "p2"]
    r = client.get("/api/v1/projects/totals", params={"group_by": "iso3"})
    rows = {x["key"]: x for x in r.json()}
    assert rows["KAZ"]["projects"] == 3 and rows["KAZ"]["value_usd"] == 40


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"cursor": "nonsense"}, id="cursor"),
        pytest.param({"sort": "colour"}, id="sort"),
        pytest.param({"country": "Atlantis"}, id="country"),
        pytest.param({"limit": 0}, id="limit"),
        pytest.param({"value_min_usd": -1}, id="negative"),
        pytest.param({"stage": "built"}, id="stage"),
    ],
)
def test_bad_list_parameters_are_4xx(client, params):
    r = client.get("/api/v1/projects", params=params)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["status"] == r.status_code


def test_illegal_transition_is_409_with_allowed_states(client, accounts):
    h = accounts["admin"].headers
    p = _create(client, h, stage="signed", stage_on="2020-06-29")
    assert p["allowed_next"] == ["under_construction", "operational", "suspended", "cancelled"]
    r = client.post(f"/api/v1/projects/{p['id']}/transitions", json={"to": "proposed"}, headers=h)
    assert r.status_code == 409
    assert r.json()["allowed_next"] == p["allowed_next"]
    r = client.post(
        f"/api/v1/projects/{p['id']}/transitions",
        json={"to": "under_construction", "at": "2020-09-01", "note": "ground broken"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["stage"] == "under_construction"
    hist = client.get(f"/api/v1/projects/{p['id']}/stages").json()
    assert [(x["from_stage"], x["to_stage"], x["at"]) for x in hist] == [
        (None, "signed", "2020-06-29"),
        ("signed", "under_construction", "2020-09-01"),
    ]
    assert hist[1]["by_user_id"] == accounts["admin"].user_id
    reached = client.get(
        "/api/v1/projects/stages/reached", params={"stage": "signed", "year": 2020}
    )
    assert reached.json() == [p["id"]]


def test_private_project_is_404_for_other_organisations(client, accounts):
    a, b = accounts["a"], accounts["b"]
    p = _create(
        client,
        a.headers,
        visibility="private",
        parties=[{"organisation_id": accounts["org_a"], "role": "owner"}],
    )
    assert client.get(f"/api/v1/projects/{p['id']}", headers=a.headers).status_code == 200
    for headers in (b.headers, {}):
        assert client.get(f"/api/v1/projects/{p['id']}", headers=headers).status_code == 404
        r = client.patch(f"/api/v1/projects/{p['id']}", json={"title_en": "x"}, headers=headers)
        assert r.status_code in (401, 404)
        listed = client.get("/api/v1/projects", headers=headers).json()["items"]
        assert p["id"] not in [x["id"] for x in listed]
    r = client.patch(
        f"/api/v1/projects/{p['id']}", json={"title_en": "x"}, headers=accounts["viewer_a"].headers
    )
    assert r.status_code == 403
    assert client.delete(f"/api/v1/projects/{p['id']}", headers=a.headers).status_code == 204


def test_validation_errors_name_the_field(client, accounts):
    h = accounts["admin"].headers
    r = client.post("/api/v1/projects", json={"title_en": "x", "value_amount": 5}, headers=h)
    assert r.status_code == 422
    # the field named is the body's field (it was "currency", a name the body does not have)
    assert r.json()["errors"][0]["field"] == "value_currency"
    assert r.json()["errors"][0]["key"] == "project.currency_needed"
    r = client.post("/api/v1/projects", json={"title_en": "x", "value_amount": -5}, headers=h)
    assert r.status_code == 422
    _create(client, h, source="cgit", external_id="X")
    r = client.post(
        "/api/v1/projects", json={"title_en": "x", "source": "cgit", "external_id": "X"}, headers=h
    )
    assert r.status_code == 409


def test_future_start_date_is_rejected_by_the_api_as_by_the_web(client, accounts):
    """#14: the web refused a future start date, the API stored it; the service rule wins."""
    from datetime import date, timedelta

    h = accounts["admin"].headers
    later = (date.today() + timedelta(days=30)).isoformat()
    r = client.post("/api/v1/projects", json={"title_en": "Later", "stage_on": later}, headers=h)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["key"] == "project.start_in_future" and body["params"] == {"date": later}
    assert body["errors"][0]["field"] == "stage_on"
    listed = client.get("/api/v1/projects", params={"q": "Later"}, headers=h).json()["items"]
    assert listed == []  # nothing stored
    today = date.today().isoformat()
    r = client.post("/api/v1/projects", json={"title_en": "Now", "stage_on": today}, headers=h)
    assert r.status_code == 201


def test_unknown_region_is_a_short_keyed_error_on_region_id(client, accounts):
    h = accounts["admin"].headers
    r = client.post("/api/v1/projects", json={"title_en": "x", "region_id": "Atlantis"}, headers=h)
    assert r.status_code == 422
    body = r.json()
    assert body["key"] == "project.unknown_region" and body["params"] == {"value": "Atlantis"}
    assert body["errors"][0]["field"] == "region_id"
    assert len(body["detail"]) < 120  # no list of every region in the message
    assert "CN-SD-jinan" in body["valid_choices"] or body["valid_choices"]


def test_stage_durations_answer_the_lifecycle_record(client, accounts):
    """``/stages/durations`` is the service's StageDurations record without the per-project
    days: signed 2020-06-29 → operational 2021-06-29 is 365 days."""
    h = accounts["admin"].headers
    p = _create(client, h, stage="signed", stage_on="2020-06-29")
    r = client.post(
        f"/api/v1/projects/{p['id']}/transitions",
        json={"to": "operational", "at": "2021-06-29"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    d = client.get("/api/v1/projects/stages/durations", params={"from": "signed"}).json()
    assert d == {
        "from_stage": "signed", "to_stage": "operational", "count": 1, "mean_days": 365.0,
        "median_days": 365.0, "min_days": 365, "max_days": 365,
    }  # fmt: skip
