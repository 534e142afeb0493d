"""Creating a project warns when it repeats one that exists (issue 9, repeated construction)."""

from tests.api._accounts import make_account, use_fast_hashing


def test_create_returns_repeated_construction_warning(client, runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    op = make_account(runtime, "op@hub.org", "operator", None)
    first = {
        "title_en": "Jinan International Logistics Park for China-Europe freight trains",
        "title_zh": "济南中欧班列国际物流园",
        "iso3": "CHN",
        "region_id": "Jinan",
        "isic_code": "52",
        "value_amount": "1000000000",
        "value_currency": "CNY",
        "value_year": 2020,
    }
    r = client.post("/api/v1/projects", json=first, headers=op.headers)
    assert r.status_code == 201, r.text
    assert r.json()["repeated_construction"] == []
    again = dict(first, title_en="International logistics park for China-Europe trains, Jinan")
    r = client.post("/api/v1/projects", json=again, headers=op.headers)
    assert r.status_code == 201, r.text
    warnings = r.json()["repeated_construction"]
    assert warnings, "expected the first project as a near-duplicate"
    assert warnings[0]["reasons"] and 0 < warnings[0]["score"] <= 1
    other = dict(first, title_en="Solar farm", title_zh="光伏电站", isic_code="35")
    r = client.post("/api/v1/projects", json=other, headers=op.headers)
    assert r.json()["repeated_construction"] == []
