"""/api/v1/data: catalog list and show; 404 problem for an unknown dataset."""

from __future__ import annotations

from silkhub.data.demo import load_into
from silkhub.data.store import AnalyticsStore


def test_list_and_show(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/data")
    assert r.status_code == 200 and r.json() == {"items": [], "total": 0}
    store = AnalyticsStore(client.app.state.runtime.settings.analytics_dir)
    load_into(store)
    body = client.get("/api/v1/data").json()
    assert body["total"] == 3
    assert {i["name"] for i in body["items"]} == {"wdi", "china_br65_trade", "air_connectivity"}
    d = client.get("/api/v1/data/wdi").json()
    assert d["columns"] == {
        "iso3": "VARCHAR",
        "indicator": "VARCHAR",
        "year": "INTEGER",
        "value": "DOUBLE",
    }
    assert d["years"] == [2010, 2019] and len(d["versions"]) == 1 and len(d["sha256"]) == 64


def test_unknown_dataset_is_a_404_problem(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/data/baci")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "data-missing"
    assert client.get("/api/v1/data/Bad-Name").status_code == 422
