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
