"""API: agreements, commitments, milestones and performance; organisations."""

from __future__ import annotations

import pytest

from tests.api._accounts import make_account, use_fast_hashing


@pytest.fixture
def admin(runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    return make_account(runtime, "admin@example.org", "admin", None).headers


def _org(client, h, name, **kw):
    r = client.post("/api/v1/organisations", json={"kind": "soe", "name_en": name, **kw}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_agreement_performance_flow(client, admin):
    a = _org(client, admin, "COSCO", iso3="CHN", region_id="Qingdao")
    b = _org(client, admin, "Kazakh chamber", iso3="KAZ")
    body = {
        "kind": "mou",
        "title_en": "MoU",
        "signed_on": "2020-06-29",
        "party_ids": [a, b],
        "commitments": [
            {
                "owed_by_id": a,
                "what_en": "roadshow",
                "due_on": "2020-12-31",
                "status": "fulfilled",
                "fulfilled_on": "2020-11-20",
            },
            {"owed_by_id": b, "what_en": "office", "due_on": "2021-06-30"},
        ],
    }
    r = client.post("/api/v1/agreements", json=body, headers=admin)
    assert r.status_code == 201, r.text
    agr = r.json()
    perf = client.get(
        f"/api/v1/agreements/{agr['id']}/performance", params={"as_of": "2022-01-01"}
    ).json()
    # roadshow on time, office overdue since 2021-06-30 (185 days) → on-time rate 1/2
    assert perf["on_time_rate"] == 0.5 and perf["overdue"] == 1
    assert perf["max_days_overdue"] == 185
    overdue = client.get("/api/v1/agreements/overdue", params={"as_of": "2022-01-01"}).json()
    assert [o["what"] for o in overdue] == ["office"]
    cid = agr["commitments"][1]["id"]
    r = client.post(
        f"/api/v1/agreements/commitments/{cid}/milestones",
        json={"title_en": "lease signed", "due_on": "2021-03-01"},
        headers=admin,
    )
    assert r.status_code == 201
    r = client.patch(
        f"/api/v1/agreements/milestones/{r.json()['id']}",
        json={"status": "done", "done_on": "2021-02-20", "evidence": "lease"},
        headers=admin,
    )
    assert r.json()["status"] == "done"
    r = client.post(
        f"/api/v1/agreements/commitments/{cid}/fulfil",
        json={"fulfilled_on": "2022-02-01"},
        headers=admin,
    )
    assert r.json()["status"] == "fulfilled"
    rows = client.get(
        "/api/v1/agreements/performance", params={"by": "organisation", "as_of": "2022-03-01"}
    ).json()
    assert {r["name"]: r["late"] for r in rows} == {"COSCO": 0, "Kazakh chamber": 1}
    region = client.get("/api/v1/agreements/regions/Qingdao/performance").json()
    assert region["commitments"] == 1
    org_perf = client.get(f"/api/v1/organisations/{b}/performance").json()
    assert org_perf["late"] == 1


def test_agreement_date_order_is_validated(client, admin):
    a = _org(client, admin, "A")
    r = client.post(
        "/api/v1/agreements",
        json={
            "kind": "contract",
            "title_en": "x",
            "party_ids": [a],
            "signed_on": "2021-01-01",
            "effective_on": "2020-01-01",
        },
        headers=admin,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "effective_on"


def test_organisation_crud_and_filters(client, admin):
    oid = _org(
        client,
        admin,
        "Law firm",
        kind="service_provider",
        services=[{"service": "law", "countries": ["KAZ"]}],
        sectors=["69"],
    )
    r = client.get("/api/v1/organisations", params={"service": "law", "serves_country": "KAZ"})
    assert [o["id"] for o in r.json()["items"]] == [oid]
    r = client.patch(f"/api/v1/organisations/{oid}", json={"name_zh": "律师事务所"}, headers=admin)
    assert r.json()["name_zh"] == "律师事务所"
    r = client.post(
        f"/api/v1/organisations/{oid}/offers",
        json={"kind": "offer", "title_en": "Legal due diligence"},
        headers=admin,
    )
    assert r.status_code == 201
    assert len(client.get("/api/v1/organisations/offers").json()) == 1
    assert client.delete(f"/api/v1/organisations/{oid}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/organisations/{oid}").status_code == 404
