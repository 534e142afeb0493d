"""Talent, positions and places over HTTP, including the privacy rules."""

import pytest

from tests.api._accounts import make_account, make_org, use_fast_hashing


@pytest.fixture
def people(runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    a, b = make_org(runtime, "Org A"), make_org(runtime, "Org B")
    return {
        "alice": make_account(runtime, "alice@a.org", "member", a),
        "bob": make_account(runtime, "bob@b.org", "member", b),
        "op": make_account(runtime, "op@hub.org", "operator", None),
        "org_a": a,
    }


PROFILE = {
    "name_en": "Alice Expert",
    "nationality": "RUS",
    "based_in": "Qingdao",
    "languages": [{"code": "ru", "level": "native"}],
    "sectors": ["52"],
    "skills_en": "rail logistics",
    "link_to_me": True,
}


def test_profile_privacy_export_delete(client, people):
    alice, bob = people["alice"], people["bob"]
    r = client.post("/api/v1/talent", json=PROFILE, headers=alice.headers)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert r.json()["visibility"] == "operators"
    assert client.get(f"/api/v1/talent/{tid}", headers=bob.headers).status_code == 404
    assert client.get(f"/api/v1/talent/{tid}").status_code == 404
    assert client.get(f"/api/v1/talent/{tid}", headers=people["op"].headers).status_code == 200
    assert (
        client.patch(
            f"/api/v1/talent/{tid}", json={"skills_en": "x"}, headers=bob.headers
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/talent/{tid}", headers=bob.headers).status_code == 404
    exp = client.get(f"/api/v1/talent/{tid}/export", headers=alice.headers)
    assert exp.status_code == 200 and exp.json()["profile"]["name_en"] == "Alice Expert"
    assert client.delete(f"/api/v1/talent/{tid}", headers=alice.headers).status_code == 204
    assert client.get("/api/v1/talent/me", headers=alice.headers).status_code == 404


def test_field_level_errors(client, people):
    bad = dict(PROFILE, languages=[{"code": "zz", "level": "B2"}])
    r = client.post("/api/v1/talent", json=bad, headers=people["alice"].headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "languages[0].code"
    bad = dict(PROFILE, available_from="2027-05-01", available_to="2027-01-01")
    r = client.post("/api/v1/talent", json=bad, headers=people["alice"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "available_to"
    assert client.post("/api/v1/talent", json=PROFILE).status_code == 401


def test_position_suggestions(client, people):
    client.post(
        "/api/v1/talent", json=dict(PROFILE, visibility="members"), headers=people["alice"].headers
    )
    pos = {
        "organisation_id": people["org_a"],
        "role_en": "Rail coordinator",
        "sector": "52",
        "languages": [{"code": "ru", "level": "B2"}],
        "location": "Qingdao",
    }
    r = client.post("/api/v1/positions", json=pos, headers=people["alice"].headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert client.post(
        "/api/v1/positions", json=pos, headers=people["bob"].headers
    ).status_code in (403, 404)
    s = client.get(f"/api/v1/positions/{pid}/suggestions", headers=people["alice"].headers)
    assert s.status_code == 200
    top = s.json()[0]
    assert top["name"] == "Alice Expert"
    assert abs(top["score"] - sum(p["contribution"] for p in top["parts"])) < 1e-6


def test_places_api(client, people):
    body = {"kind": "international_school", "name_en": "S", "region": "Jinan", "source": "t"}
    assert (
        client.post("/api/v1/places", json=body, headers=people["alice"].headers).status_code == 403
    )
    r = client.post("/api/v1/places", json=body, headers=people["op"].headers)
    assert r.status_code == 201
    assert client.get("/api/v1/places", params={"region": "Jinan"}).json()[0]["name_en"] == "S"
    counts = client.get("/api/v1/places/counts").json()
    assert {"region_id": "CN-SD-jinan", "indicator": "INTL_SCHOOLS"}.items() <= counts[0].items()
    assert (
        client.post(
            "/api/v1/places", json=dict(body, kind="zoo"), headers=people["op"].headers
        ).status_code
        == 422
    )
