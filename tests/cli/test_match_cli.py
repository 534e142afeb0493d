"""CLI: silkhub match org|project|feedback|weights, event schedule, hub duplicates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from silkhub.hub import events as ev
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor

SYSTEM = Actor.system()


@pytest.fixture
def seeded(cli) -> dict[str, int]:
    assert cli("countries", "list", "--format", "csv").exit_code == 0  # migrates the database
    from silkhub.cli.common import runtime

    with runtime().session() as s:
        a = orgs.create_organisation(
            s,
            SYSTEM,
            orgs.OrganisationIn(
                kind="soe",
                name_en="Jinan Logistics",
                iso3="CHN",
                sectors=["52"],
                languages=["en"],
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
                languages=["en"],
                description_en="rail freight to China",
            ),
        )
        c = orgs.create_organisation(
            s,
            SYSTEM,
            orgs.OrganisationIn(
                kind="private_enterprise", name_en="Coffee Co", iso3="BRA", sectors=["01"]
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
        pj.create_project(
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
        return {"a": a.id, "b": b.id, "c": c.id, "p": p.id, "e": e.id}


def test_match_org_and_project(cli, seeded) -> None:
    r = cli("match", "org", str(seeded["a"]), "--top", "2", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == [seeded["b"], seeded["c"]]
    assert "sector" in rows[0]["top_reasons"] or "text" in rows[0]["top_reasons"]
    r = cli("match", "project", str(seeded["p"]), "--format", "csv")
    assert r.exit_code == 0 and "Almaty Rail" in r.stdout
    r = cli("match", "org", "99999")
    assert r.exit_code == 1 and "not found" in r.stderr


def test_feedback_and_weights(cli, seeded) -> None:
    r = cli("match", "feedback", "organisation", str(seeded["a"]), str(seeded["c"]), "decline")
    assert r.exit_code == 0 and "recorded decline" in r.stdout
    rows = json.loads(cli("match", "org", str(seeded["a"]), "--format", "json").stdout)
    assert seeded["c"] not in [x["id"] for x in rows]
    assert cli("match", "feedback", "organisation", "1", "2", "maybe").exit_code == 2
    r = cli("match", "weights", "--format", "json")
    assert abs(sum(x["weight"] for x in json.loads(r.stdout)) - 1.0) < 1e-6


def test_event_schedule_with_agendas(cli, seeded, tmp_path: Path) -> None:
    prog = {
        "slots": [
            {"starts_at": "2025-06-10T09:00:00+08:00", "ends_at": "2025-06-10T09:25:00+08:00"},
            {"starts_at": "2025-06-10T09:30:00+08:00", "ends_at": "2025-06-10T09:55:00+08:00"},
        ],
        "tables": ["T1"],
        "participants": [
            {"name": "A", "organisation_id": seeded["a"]},
            {"name": "B"},
            {"name": "C"},
        ],
        "requests": [
            {"requester": 0, "target": 1, "priority": 2},
            {"requester": 0, "target": 2},
            {"requester": 1, "target": 2},
        ],
    }
    f = tmp_path / "programme.json"
    f.write_text(json.dumps(prog))
    out = tmp_path / "agendas"
    r = cli(
        "event",
        "schedule",
        str(seeded["e"]),
        "--programme",
        str(f),
        "--agendas",
        str(out),
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.stderr
    meetings = json.loads(r.stdout)
    assert len(meetings) == 2  # one table, two slots
    assert "gap" in r.stderr
    assert len(list(out.glob("*.ics"))) == 3 and len(list(out.glob("*.html"))) == 3
    r = cli("event", "schedule", str(seeded["e"]), "--unmet", "--format", "json")
    assert len(json.loads(r.stdout)) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    r = cli("event", "schedule", str(seeded["e"]), "--programme", str(bad))
    assert r.exit_code == 1 and "bad.json" in r.stderr


def test_hub_duplicates(cli, seeded) -> None:
    r = cli("hub", "duplicates", "--region", "Shandong", "--threshold", "0.6", "--format", "json")
    assert r.exit_code == 0, r.stderr
    clusters = json.loads(r.stdout)
    assert clusters and clusters[0]["size"] == 2 and clusters[0]["across_localities"]
    r = cli(
        "hub", "duplicates", "--project", str(seeded["p"]), "--threshold", "0.6", "--format", "csv"
    )
    assert r.exit_code == 0 and "Zibo" in r.stdout
