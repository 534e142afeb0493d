"""API: /match/..., /events/{id}/programme|schedule|agendas, /projects/{id}/duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from silkhub.hub import events as ev
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor
from tests.api._accounts import make_account, use_fast_hashing

SYSTEM = Actor.system()


@pytest.fixture
def seeded(runtime) -> dict[str, int]:
    with runtime.session() as s:
        a = orgs.create_organisation(
            s,
            SYSTEM,
            orgs.OrganisationIn(
                kind="soe",
                name_en="Jinan Logistics",
                iso3="CHN",
                sectors=["52"],
                description_en="rail freight logistics park",
            ),
        )
        b = orgs.create_organisation(
            s,
            SYSTEM,
            orgs.OrganisationIn(
                kind="private_enterprise",
                name_en="Almaty Rail",
                iso3="KAZ",
                sectors=["49"],
                description_en="rail freight",
            ),
        )
        hidden = orgs.create_organisation(
            s,
            SYSTEM,
            orgs.OrganisationIn(
                kind="private_enterprise",
                name_en="Hidden Rail",
                iso3="KAZ",
                sectors=["49"],
                visibility="private",
            ),
        )
        p = pj.create_project(
            s,
            SYSTEM,
            pj.ProjectIn(
                title_en="Jinan International Logistics Park",
                region_id="CN-SD-jinan",
                isic_code="52",
                dated_on=date(2020, 1, 1),
            ),
        )
        q = pj.create_project(
            s,
            SYSTEM,
            pj.ProjectIn(
                title_en="Zibo International Logistics Park",
                region_id="CN-SD-zibo",
                isic_code="52",
                dated_on=date(2020, 6, 1),
            ),
        )
        e = ev.create_event(
            s, SYSTEM, ev.EventIn(kind="exhibition", title_en="Expo", start_on=date(2025, 6, 10))
        )
        return {"a": a.id, "b": b.id, "hidden": hidden.id, "p": p.id, "q": q.id, "e": e.id}


def test_match_organisation_anonymous_sees_public_only(client, seeded) -> None:
    r = client.get(f"/api/v1/match/organisations/{seeded['a']}", params={"top": 5})
    assert r.status_code == 200
    body = r.json()
    ids = [x["id"] for x in body]
    assert ids[0] == seeded["b"] and seeded["hidden"] not in ids
    parts = body[0]["parts"]
    assert abs(sum(p["contribution"] for p in parts) - body[0]["score"]) < 1e-3
    assert client.get(f"/api/v1/match/organisations/{seeded['hidden']}").status_code == 404
    assert client.get("/api/v1/match/organisations/1", params={"top": 0}).status_code == 422


def test_match_project_and_feedback(client, runtime, seeded, monkeypatch) -> None:
    r = client.get(f"/api/v1/match/projects/{seeded['p']}")
    assert r.status_code == 200 and r.json()
    body = {
        "subject_kind": "organisation",
        "subject_id": seeded["a"],
        "candidate_id": seeded["b"],
        "decision": "accept",
    }
    assert client.post("/api/v1/match/feedback", json=body).status_code == 401  # anonymous
    use_fast_hashing(monkeypatch)
    acc = make_account(runtime, "m@example.org", "member", seeded["a"])
    r = client.post("/api/v1/match/feedback", json=body, headers=acc.headers)
    assert r.status_code == 201, r.text
    assert r.json()["decision"] == "accept" and r.json()["parts"]
    bad = {**body, "decision": "maybe"}
    assert client.post("/api/v1/match/feedback", json=bad, headers=acc.headers).status_code == 422
    w = client.get("/api/v1/match/weights").json()
    assert abs(sum(w.values()) - 1) < 1e-6


def test_duplicates_endpoints(client, seeded) -> None:
    r = client.get(f"/api/v1/projects/{seeded['p']}/duplicates", params={"threshold": 0.6})
    assert r.status_code == 200
    assert [x["project_id"] for x in r.json()] == [seeded["q"]]
    assert r.json()[0]["reasons"]
    r = client.post(
        "/api/v1/match/duplicates/check",
        json={
            "title_zh": "济南国际物流园",
            "title_en": "Jinan logistics park",
            "region_id": "Jinan",
            "isic_code": "52",
            "year": 2021,
        },
        params={"threshold": 0.6},
    )
    assert r.status_code == 200 and r.json()[0]["project_id"] == seeded["p"]
    r = client.get(
        "/api/v1/match/duplicates/clusters", params={"region": "Shandong", "threshold": 0.6}
    )
    assert r.status_code == 200 and r.json()[0]["size"] == 2
    assert (
        client.get("/api/v1/match/duplicates/clusters", params={"threshold": 2}).status_code == 422
    )
    assert client.get("/api/v1/projects/999999/duplicates").status_code == 404


def test_programme_schedule_and_agendas(client, runtime, seeded, monkeypatch) -> None:
    prog = {
        "slots": [
            {"starts_at": "2025-06-10T09:00:00Z", "ends_at": "2025-06-10T09:25:00Z"},
            {"starts_at": "2025-06-10T09:30:00Z", "ends_at": "2025-06-10T09:55:00Z"},
        ],
        "tables": ["T1"],
        "participants": [{"name": "A"}, {"name": "B"}, {"name": "C", "available": [1]}],
        "requests": [{"requester": 0, "target": 1}, {"requester": 0, "target": 2}],
    }
    url = f"/api/v1/events/{seeded['e']}"
    assert client.put(f"{url}/programme", json=prog).status_code == 401
    use_fast_hashing(monkeypatch)
    op = make_account(runtime, "op@example.org", "operator", None)
    r = client.put(f"{url}/programme", json=prog, headers=op.headers)
    assert r.status_code == 200, r.text
    bad = {**prog, "requests": [{"requester": 0, "target": 7}]}
    assert client.put(f"{url}/programme", json=bad, headers=op.headers).status_code == 422
    r = client.post(f"{url}/schedule", headers=op.headers, params={"time_limit": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["meetings"]) == 2 and body["unmet"] == []
    assert body["gap"] is not None and body["gap"] <= 1e-9
    a_id = next(m["a_id"] for m in body["meetings"] if m["a"] == "A")
    ics = client.get(f"{url}/participants/{a_id}/agenda.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == 2
    page = client.get(f"{url}/participants/{a_id}/agenda.html")
    assert page.status_code == 200 and "<table>" in page.text
    assert client.get(f"{url}/participants/999999/agenda.ics").status_code == 404


def test_decision_state_undo_and_my_matches(client, runtime, seeded, monkeypatch) -> None:
    use_fast_hashing(monkeypatch)
    acc = make_account(runtime, "d@example.org", "member", seeded["a"])
    other = make_account(runtime, "o@example.org", "member", seeded["b"])
    key = {"subject_kind": "organisation", "subject_id": seeded["a"], "candidate_id": seeded["b"]}
    url = f"/api/v1/match/organisations/{seeded['a']}"
    assert client.post("/api/v1/match/feedback/undo", json=key).status_code == 401
    r = client.post("/api/v1/match/feedback/undo", json=key, headers=acc.headers)
    assert r.status_code == 404 and r.json()["key"] == "match.nothing_to_undo"
    r = client.post(
        "/api/v1/match/feedback", json={**key, "decision": "accept"}, headers=acc.headers
    )
    assert r.status_code == 201
    card = next(x for x in client.get(url, headers=acc.headers).json() if x["id"] == seeded["b"])
    assert card["decision"] == "accept"
    assert all(p["key"].startswith("reason.") for p in card["parts"])
    geo = next(p for p in card["parts"] if p["part"] == "sector")
    assert geo["params"] and "?" not in geo["reason"]
    # other organisations see no decision and may not undo it
    card = next(x for x in client.get(url, headers=other.headers).json() if x["id"] == seeded["b"])
    assert card["decision"] is None
    assert client.get("/api/v1/match/decisions", headers=other.headers).json() == []
    r = client.post("/api/v1/match/feedback/undo", json=key, headers=other.headers)
    assert r.status_code == 403
    mine = client.get("/api/v1/match/decisions", headers=acc.headers).json()
    assert [(d["candidate_id"], d["decision"]) for d in mine] == [(seeded["b"], "accept")]
    r = client.post("/api/v1/match/feedback/undo", json=key, headers=acc.headers)
    assert r.status_code == 200 and r.json() == {"undone": "accept"}
    assert client.get("/api/v1/match/decisions", headers=acc.headers).json() == []
