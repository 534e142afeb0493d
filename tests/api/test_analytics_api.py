"""/api/v1/indicators, /partners and /complexity over a store with tiny hand-made datasets."""

from __future__ import annotations

import pytest

from tests.analytics.sample_store import publish_samples


@pytest.fixture
def api(client, runtime):
    publish_samples(runtime.settings.analytics_dir)
    return client


def test_partners_rank_route65(api) -> None:
    r = api.get(
        "/api/v1/partners/rank",
        params={"reporter": "CHN", "year": 2016, "group": "route65", "flow": "total", "top": 10},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dataset"] == "china_br65_trade"  # picked automatically for 2016
    assert [i["partner"] for i in body["items"]] == ["KAZ", "RUS", "SGP"]
    kaz = body["items"][0]
    assert kaz["share_pct"] == pytest.approx(100 * 55 / 315)
    assert kaz["growth_pct"] == pytest.approx(10.0)
    assert body["items"][2]["growth_pct"] is None  # SGP: no 2015 row -> null + note
    assert body["items"][2]["growth_note"] == "no data for the previous year"
    side = api.get("/api/v1/partners/rank", params={"reporter": "CHN", "year": 2016, "flow": "all"})
    assert side.status_code == 200, side.text
    assert side.json()["items"][0]["total_partner"] == "Germany"
    bal = api.get("/api/v1/partners/balance", params={"reporter": "CHN", "year": 2016}).json()
    assert bal["items"][0]["partner"] == "KAZ"  # largest deficit: 5 - 50
    assert bal["meta"]["total"]["balance_usd"] == pytest.approx(155 - 160)


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        pytest.param({"reporter": "XXQ", "year": 2016}, 404, "unknown country", id="unknown-iso3"),
        pytest.param({"reporter": "CHN", "year": 2030}, 422, "out of range", id="year-range"),
        pytest.param({"reporter": "CHN", "year": 1800}, 422, "year", id="year-bounds"),
        pytest.param(
            {"reporter": "CHN", "year": 2016, "group": "route65", "as_of": "2012-01-01"},
            422,
            "no members",
            id="empty-group",
        ),
        pytest.param(
            {"reporter": "CHN", "year": 2016, "group": "xyz"}, 422, "unknown group", id="bad-group"
        ),
        pytest.param({"reporter": "CHN", "year": 2016, "flow": "x"}, 422, "flow", id="bad-flow"),
        pytest.param(
            {"reporter": "CHN", "year": 2016, "dataset": "nope"},
            404,
            "not been imported",
            id="no-dataset",
        ),
    ],
)
def test_partners_rank_errors_are_problems(api, params, status, fragment) -> None:
    r = api.get("/api/v1/partners/rank", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert fragment in r.text


def test_indicators_endpoints(api) -> None:
    o = api.get("/api/v1/indicators/openness", params={"place": "CHN", "start": 2013, "end": 2015})
    assert o.status_code == 200, o.text
    rows = {i["year"]: i for i in o.json()["items"]}
    assert rows[2013]["trade_dependence_pct"] == pytest.approx(30.0)
    assert rows[2015]["trade_dependence_pct"] is None and "exports" in rows[2015]["missing"]
    g = api.get("/api/v1/indicators/group-share", params={"group": "route65", "year": 2015})
    assert g.status_code == 200, g.text
    pop = next(i for i in g.json()["items"] if i["measure"] == "population")
    assert pop["share_pct"] == pytest.approx(60.0)
    assert pop["world_basis"] == "sum of 4 countries"
    assert g.json()["meta"]["world_basis"]["population"] == "sum of 4 countries"
    assert any(n.startswith("world total:") for n in g.json()["notes"])
    r = api.get("/api/v1/indicators/rca", params={"year": 2017, "country": "CHN", "level": 2})
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["rca"] == pytest.approx(1.5)
    assert api.get("/api/v1/indicators/rca", params={"year": 2017, "level": 3}).status_code == 422
    t = api.get(
        "/api/v1/indicators/complementarity",
        params={"exporter": "CHN", "importer": "DEU", "year": 2017},
    )
    assert t.json()["result"]["tci"] == pytest.approx(100 * (1 - (5 / 7 - 0.25)))
    s = api.get("/api/v1/indicators/similarity", params={"a": "CHN", "b": "VNM", "year": 2017})
    assert s.json()["result"]["esi"] == pytest.approx(100 * (0.25 + 1 / 3))
    c = api.get(
        "/api/v1/indicators/concentration",
        params={"country": "CHN", "year": 2017, "by": "partner"},
    )
    assert c.json()["result"]["hhi"] == pytest.approx(0.625)
    i = api.get(
        "/api/v1/indicators/intensity", params={"exporter": "CHN", "importer": "DEU", "year": 2017}
    )
    assert i.json()["result"]["tii"] == pytest.approx(0.25 / 0.7)
    bad = api.get("/api/v1/indicators/group-share", params={"group": "route65", "year": 2011})
    assert bad.status_code == 422 and "no members" in bad.text


def test_complexity_endpoints(api) -> None:
    ds = {"dataset": "world_trade_2017_hs4"}
    e = api.get("/api/v1/complexity/eci", params={"year": 2017, "top": 5, **ds})
    assert e.status_code == 200, e.text
    assert e.json()["dataset"] == "world_trade_2017_hs4"
    assert len(e.json()["items"]) == 5
    p = api.get("/api/v1/complexity/pci", params={"year": 2017, **ds})
    assert p.status_code == 200 and len(p.json()["items"]) == 30
    n = api.get("/api/v1/complexity/next", params={"country": "CHN", "year": 2017, "top": 3, **ds})
    assert n.status_code == 200, n.text
    assert n.json()["meta"]["country"]["iso3"] == "CHN"
    assert len(n.json()["items"]) <= 3
    assert (
        api.get(
            "/api/v1/complexity/next", params={"country": "AUS", "year": 2017, **ds}
        ).status_code
        == 422
    )
    assert (
        api.get("/api/v1/complexity/eci", params={"year": 2017, "threshold": 0, **ds}).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/partners/rank", {"reporter": "中国", "year": 2016}),
        ("/api/v1/partners/rank", {"reporter": "CHN", "year": 2016, "dataset": "wdi"}),
        ("/api/v1/partners/balance", {"reporter": "CHN", "year": 2017, "dataset": "baci"}),
        ("/api/v1/indicators/rca", {"year": 2016, "dataset": "china_br65_trade"}),
        ("/api/v1/indicators/rca", {"year": 2017, "level": 5, "dataset": "baci"}),
        ("/api/v1/indicators/openness", {"place": "CHN", "start": 2015, "end": 2013}),
        ("/api/v1/indicators/openness", {"place": "CHN", "start": 1990, "end": 1991}),
        ("/api/v1/indicators/concentration", {"country": "USA", "year": 2017, "by": "partner"}),
        ("/api/v1/indicators/intensity", {"exporter": "CHN", "importer": "chn", "year": 2017}),
        ("/api/v1/indicators/similarity", {"a": "CHN", "b": "CHN", "year": 2017, "market": "JPN"}),
        ("/api/v1/indicators/group-share", {"group": "eu", "year": 2015, "world": "wld"}),
        ("/api/v1/complexity/eci", {"year": 2017, "dataset": "wdi"}),
        ("/api/v1/complexity/next", {"country": "zz", "year": 2017}),
    ],
)
def test_odd_inputs_are_4xx_never_5xx(api, path: str, params: dict) -> None:
    r = api.get(path, params=params)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.json()["detail"]


@pytest.mark.parametrize("bare_runtime", ["sqlite"], indirect=True)
def test_indicator_labels_from_the_registry(client) -> None:
    zh = client.get("/api/v1/indicators/labels", params={"lang": "zh"})
    assert zh.status_code == 200, zh.text
    by_code = {r["code"]: r for r in zh.json()}
    assert by_code["EXPORTS"]["label"] == "货物出口额（亿元）"
    assert by_code["AIR_COUNTRIES_REACHED"]["unit_label"] == "个"
    en = {r["code"]: r for r in client.get("/api/v1/indicators/labels").json()}
    assert en["EXPORTS"]["label"] == "Exports of goods (CNY 100 million)"
    assert en["NY.GDP.MKTP.CD"]["source"] == "wdi"
    assert client.get("/api/v1/indicators/labels", params={"lang": "fr"}).status_code == 422
