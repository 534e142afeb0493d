"""One overdue rule and one traffic-light rule for agreements, used by the API, the web pages,
the CLI and the reports (issue 14: the web kept its own rules).

Before: the web's light ignored overdue milestones (an agreement whose only problem was a
missed milestone was listed as overdue and shown green), the API had no light at all, and the
web offered only seven currencies while the service accepts any ISO 4217 code.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from silkhub.core.commitments import CommitmentFact, Performance, performance, traffic_light
from silkhub.hub import agreements as ag
from silkhub.hub import performance as perf
from silkhub.hub.policy import Actor
from tests.api._accounts import make_account, use_fast_hashing

SYSTEM = Actor.system()
TODAY = date.today()


@pytest.fixture
def admin(runtime, monkeypatch):
    use_fast_hashing(monkeypatch)
    return make_account(runtime, "admin@example.org", "admin", None).headers


def _setup(client, headers) -> dict:
    """Two organisations, an event and an agreement whose commitment is fulfilled on time
    and whose only overdue item is a milestone (due 10 days ago)."""

    def post(path, body):
        r = client.post(f"/api/v1{path}", json=body, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()

    a = post("/organisations", {"kind": "soe", "name_en": "COSCO", "name_zh": "中远海运"})["id"]
    b = post("/organisations", {"kind": "chamber_of_commerce", "name_en": "KZ chamber"})["id"]
    ev = post("/events", {"kind": "conference", "title_en": "Signing", "start_on": "2024-03-01"})
    signed = TODAY - timedelta(days=200)
    agr = post(
        "/agreements",
        {
            "kind": "mou",
            "title_en": "Logistics MoU",
            "title_zh": "物流合作备忘录",
            "signed_on": signed.isoformat(),
            "event_id": ev["id"],
            "party_ids": [a, b],
            "commitments": [
                {
                    "owed_by_id": a,
                    "what_en": "open an office",
                    "due_on": (TODAY - timedelta(days=30)).isoformat(),
                    "status": "fulfilled",
                    "fulfilled_on": (TODAY - timedelta(days=40)).isoformat(),
                },
                {
                    "owed_by_id": b,
                    "what_en": "host a roadshow",
                    "due_on": (TODAY + timedelta(days=60)).isoformat(),
                },
            ],
        },
    )
    late = agr["commitments"][1]["id"]
    post(
        f"/agreements/commitments/{late}/milestones",
        {"title_en": "book the venue", "due_on": (TODAY - timedelta(days=10)).isoformat()},
    )
    return {"agreement": agr["id"], "event": ev["id"], "orgs": (a, b)}


def test_same_agreement_same_light_and_overdue_everywhere(client, admin, runtime, monkeypatch):
    ids = _setup(client, admin)
    aid = ids["agreement"]

    # API: the light is part of the performance answer; the milestone is the overdue item
    api = client.get(f"/api/v1/agreements/{aid}/performance", headers=admin).json()
    assert api["traffic_light"] == "red"
    assert (api["overdue"], api["overdue_milestones"]) == (0, 1)
    api_overdue = client.get("/api/v1/agreements/overdue", headers=admin).json()
    assert [(o["kind"], o["days_overdue"]) for o in api_overdue] == [("milestone", 10)]

    # web list and detail page
    page = client.get("/hub/agreements?lang=en", headers=admin).text
    assert re.search(r'data-light="red"', page)
    assert 'data-testid="overdue"' in page and "book the venue" in page
    detail = client.get(f"/hub/agreements/{aid}?lang=zh", headers=admin).text
    assert 'data-testid="agreement-light" data-light="red"' in detail
    assert detail.count('data-overdue="yes"') == 1  # the milestone, not its commitment

    # CLI (same database)
    from silkhub.cli import hub as cli_hub

    monkeypatch.setattr(cli_hub, "runtime", lambda: runtime)
    res = CliRunner().invoke(cli_hub.app, ["performance", "--format", "json"])
    assert res.exit_code == 0, res.output
    import json

    rows = {r["agreement"]: r for r in json.loads(res.output)}
    assert rows[aid]["traffic_light"] == "red"
    res = CliRunner().invoke(cli_hub.app, ["overdue", "--format", "json"])
    assert [r["kind"] for r in json.loads(res.output)] == ["milestone"]

    # report of the event where it was signed
    from silkhub.report.builders import hub_report

    with runtime.session() as s:
        prof = hub_report(s, SYSTEM, ids["event"], "zh")
    table = next(t for sec in prof.sections for t in sec.tables if t.id == "event-agreements")
    assert table.rows[0][-1] == "逾期"  # light.red in zh
    assert table.rows[0][-2] == 1


def test_commitment_overdue_rule_is_the_core_rule(session, two_orgs):
    a, b = two_orgs
    C = ag.CommitmentIn
    agr = ag.create_agreement(
        session,
        SYSTEM,
        ag.AgreementIn(
            kind="mou",
            title_en="x",
            party_ids=[a, b],
            commitments=[
                C(owed_by_id=a, what_en="due yesterday", due_on=TODAY - timedelta(days=1)),
                C(owed_by_id=a, what_en="due today", due_on=TODAY),
            ],
        ),
    )
    st = perf.agreement_statuses(session, SYSTEM, [agr], TODAY)[0]
    yesterday, today = agr.commitments
    assert st.overdue_commitments == {yesterday.id}
    assert perf.commitment_overdue(yesterday, TODAY) and not perf.commitment_overdue(today, TODAY)
    items = perf.overdue_items(session, SYSTEM, TODAY, agreement_id=agr.id)
    assert [(i.id, i.days_overdue) for i in items] == [(yesterday.id, 1)]
    assert st.light == "red" == st.performance.traffic_light


@pytest.mark.parametrize(
    ("facts", "light"),
    [
        pytest.param([], "grey", id="nothing-evaluated"),
        pytest.param([CommitmentFact(1, "open", TODAY + timedelta(days=5))], "grey", id="pending"),
        pytest.param(
            [CommitmentFact(1, "fulfilled", TODAY, TODAY - timedelta(days=1))], "green", id="ok"
        ),
        pytest.param(
            [
                CommitmentFact(1, "fulfilled", TODAY - timedelta(days=9), TODAY),
                CommitmentFact(2, "fulfilled", TODAY, TODAY),
            ],
            "amber",
            id="half-late",
        ),
        pytest.param(
            [
                CommitmentFact(
                    1,
                    "fulfilled",
                    TODAY,
                    TODAY,
                    milestones=(("planned", TODAY - timedelta(days=1)),),
                )
            ],
            "red",
            id="milestone-overdue",
        ),
        pytest.param(
            [
                CommitmentFact(
                    1, "cancelled", TODAY, milestones=(("planned", TODAY - timedelta(days=1)),)
                )
            ],
            "grey",
            id="cancelled-commitment-milestones-do-not-count",
        ),
    ],
)
def test_traffic_light_rule(facts, light):
    p = performance(facts, TODAY)
    assert p.traffic_light == light == traffic_light(p)


def test_light_green_from_80_percent():
    assert traffic_light(Performance(evaluated=5, on_time=4, on_time_rate=0.8)) == "green"
    assert traffic_light(Performance(evaluated=5, on_time=3, on_time_rate=0.6)) == "amber"
