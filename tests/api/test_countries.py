def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_countries_group_as_of(client):
    r = client.get(
        "/api/v1/countries", params={"group": "bri", "as_of": "2020-01-01", "limit": 500}
    )
    assert r.status_code == 200
    iso3s = {c["iso3"] for c in r.json()["items"]}
    assert "ITA" in iso3s
    r = client.get(
        "/api/v1/countries", params={"group": "bri", "as_of": "2024-06-01", "limit": 500}
    )
    assert "ITA" not in {c["iso3"] for c in r.json()["items"]}


def test_countries_pagination(client):
    r = client.get("/api/v1/countries", params={"limit": 10, "offset": 5})
    body = r.json()
    assert len(body["items"]) == 10 and body["total"] > 200 and body["offset"] == 5


def test_country_detail_zh(client):
    r = client.get("/api/v1/countries/DEU", params={"lang": "zh"})
    assert r.status_code == 200
    assert r.json()["name"] == "德国"
    assert any(m["group"] == "eu" for m in r.json()["memberships"])


def test_unknown_country_is_problem_json(client):
    r = client.get("/api/v1/countries/XXX")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "unknown-country"


def test_unknown_group_is_422_with_choices(client):
    r = client.get("/api/v1/countries", params={"group": "nato"})
    assert r.status_code == 422
    assert "route65" in r.json()["detail"]


def test_bad_date_is_422(client):
    r = client.get("/api/v1/countries", params={"group": "bri", "as_of": "2020-13-45"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "as_of"


def test_openapi(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/countries" in r.json()["paths"]


def test_unknown_route_is_problem_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_bri_mid_2025_and_year_only_field(client):
    r = client.get(
        "/api/v1/countries", params={"group": "bri", "as_of": "2025-06-01", "limit": 500}
    )
    body = r.json()
    items = {c["iso3"]: c for c in body["items"]}
    assert "PAN" not in items and "COL" in items
    assert items["COL"]["joined"] == "2025-05-14" and items["COL"]["joined_precision"] == "day"
    assert items["AGO"]["joined_precision"] == "year" and items["AGO"]["source"]
    assert body["year_only"] == [] and body["note"] is None
    r = client.get(
        "/api/v1/countries", params={"group": "bri", "as_of": "2018-06-01", "limit": 500}
    )
    assert "AGO" in r.json()["year_only"] and "year only" in r.json()["note"]
