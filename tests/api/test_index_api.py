"""/api/v1/index/... and /api/v1/benchmark."""

from __future__ import annotations


def test_frameworks(client) -> None:
    r = client.get("/api/v1/index/frameworks")
    assert r.status_code == 200
    assert {f["code"] for f in r.json()} >= {"city-internationalization", "country-openness"}
    tree = client.get("/api/v1/index/frameworks/city-internationalization").json()
    assert next(p["code"] for p in tree["pillars"]) == "export_economy"
    r = client.get("/api/v1/index/frameworks/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert "GDP" in {i["code"] for i in client.get("/api/v1/index/indicators").json()}


def test_compute_on_demo_data(client) -> None:
    r = client.get("/api/v1/index/compute", params={"year": 2019, "mc": 200, "details": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2019 and len(body["units"]) >= 8
    first = body["units"][0]
    assert first["rank"] == 1 and {"mc_rank_p05", "mc_rank_p95", "channels"} <= set(first)
    assert [s["step"] for s in body["steps"]][:4] == [
        "data", "indicators", "missing_data", "outliers",
    ]  # fmt: skip
    assert body["coherence"]["pillars"] and set(body["sensitivity"]) >= {"weights"}
    assert body["coherence"]["correlations"][0]["code"] == "trade_dependence"


def test_benchmark(client) -> None:
    params = {"unit": "Jinan", "peers": "Hangzhou,Qingdao", "year": 2019, "mc": 300}
    r = client.get("/api/v1/benchmark", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unit"] == "CN-SD-jinan" and body["peers"] == ["CN-ZJ-hangzhou", "CN-SD-qingdao"]
    unit = body["scores"][0]
    assert unit["role"] == "unit" and unit["mc_rank_p05"] <= unit["mc_median_rank"]
    assert {g["status"] for g in body["gaps"]} >= {"weakness", "missing"}
    assert body["what_it_takes"] and "input_needed" in body["what_it_takes"][0]
    same = client.get("/api/v1/benchmark/Jinan", params={k: v for k, v in params.items()
                                                        if k != "unit"})  # fmt: skip
    assert same.json()["scores"] == body["scores"]


def test_errors_are_problems_not_500(client) -> None:
    r = client.get("/api/v1/benchmark", params={"unit": "Atlantis", "peers": "Hangzhou"})
    assert r.status_code == 422 and "unknown unit" in r.json()["detail"]
    r = client.get("/api/v1/benchmark", params={"unit": "Jinan", "peers": "Jinan"})
    assert r.status_code == 422
    r = client.get("/api/v1/index/compute", params={"mc": 10**9})
    assert r.status_code == 422
    r = client.get("/api/v1/index/compute", params={"framework": "../../etc/passwd"})
    assert r.status_code == 422
    r = client.get("/api/v1/index/compute", params={"framework": "country-openness"})
    assert r.status_code == 404 and r.json()["code"] == "data-missing"
    r = client.get("/api/v1/index/compute", params={"year": 1990})
    assert r.status_code == 404
    r = client.get("/api/v1/index/compute", params={"normalisation": "cubic"})
    assert r.status_code == 422
    r = client.get("/api/v1/benchmark", params={"unit": "Jinan", "peers": "Qingdao", "seed": -1})
    assert r.status_code == 422


def test_post_compute_with_own_rows(client) -> None:
    rows = [
        {"unit": u, "year": 2020, "indicator": code, "value": v}
        for u, vals in {"CN-SD-jinan": (100, 10, 1000), "CN-SD-qingdao": (300, 20, 1200),
                        "CN-ZJ-hangzhou": (200, 30, 1500)}.items()
        for code, v in zip(("TRADE_TOTAL", "INTL_AIR_ROUTES", "GDP"), vals, strict=True)
    ]  # fmt: skip
    r = client.post("/api/v1/index/compute", json={"data": rows, "details": False})
    assert r.status_code == 200, r.text
    assert next(u["unit"] for u in r.json()["units"]) in {"CN-SD-qingdao", "CN-ZJ-hangzhou"}
    r = client.post("/api/v1/index/compute", json={"data": [{"unit": "x", "year": 1}]})
    assert r.status_code == 422
