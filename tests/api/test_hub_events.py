"""API: events, signings and the seed 003 totals."""

from __future__ import annotations

from silkhub.hub import demo


def test_seed_003_totals_over_the_api(client, runtime):
    demo.load(runtime)
    events = client.get("/api/v1/events").json()["items"]
    assert len(events) == 1 and events[0]["kind"] == "online_conference"
    r = client.get(f"/api/v1/events/{events[0]['id']}/totals")
    assert r.status_code == 200
    body = r.json()
    assert body["text_en"] == "10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced"
    assert body["signed"]["projects"] == 10
    assert body["announced"]["projects"] == 20
    links = client.get(f"/api/v1/events/{events[0]['id']}/projects").json()
    assert len(links) == 30


def test_unknown_event_is_404(client):
    r = client.get("/api/v1/events/999999/totals")
    assert r.status_code == 404
    assert r.json()["status"] == 404


def test_event_errors_carry_message_keys(client, runtime, monkeypatch):
    from tests.api._accounts import make_account, use_fast_hashing

    use_fast_hashing(monkeypatch)
    op = make_account(runtime, "op-events@hub.org", "operator", None)
    body = {
        "kind": "roadshow",
        "title_zh": "路演",
        "start_on": "2025-05-02",
        "end_on": "2025-05-01",
    }
    r = client.post("/api/v1/events", json=body, headers=op.headers)
    assert r.status_code == 422
    problem = r.json()
    assert problem["key"] == "event.end_before_start"
    assert problem["errors"][0]["field"] == "end_on"
    r = client.post(
        "/api/v1/events", json={"kind": "roadshow", "start_on": "2025-05-02"}, headers=op.headers
    )
    assert r.status_code == 422 and r.json()["key"] == "event.title_needed"
