"""Audit coverage (issue 18.2): every state-changing operation of the OpenAPI document
(POST/PUT/PATCH/DELETE under ``/api/v1``) that succeeds leaves at least one audit entry.

The operations are enumerated from ``/api/v1/openapi.json``; each needs a valid example request
in :data:`EXAMPLES` (built from the records of the ``records`` fixture) or an entry in
:data:`NO_AUDIT` with the reason it changes no record. A new write endpoint therefore fails this
test until it is given an example (and, if it writes, an audit entry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.hub.policy import Actor
from tests.api._accounts import PASSWORD, Account, make_account, make_org, use_fast_hashing

SYSTEM = Actor.system()
WRITES = ("post", "put", "patch", "delete")
_FIXTURE_CSV = __import__("pathlib").Path(__file__).parents[1] / "data" / "fixtures" / "gdp.csv"

#: write operations that change no record, with the reason (keep this list short)
NO_AUDIT: dict[str, str] = {
    "POST /api/v1/auth/logout": "ends the caller's own session (the sign-in is audited)",
    "POST /api/v1/index/compute": "stateless computation on the request body; stores nothing",
    "POST /api/v1/match/duplicates/check": "read-only check of a draft project; stores nothing",
    "POST /api/v1/gravity/fit": "staff-only model fit over public trade data, stored in the "
    "analytics run registry, not a hub record (reported to the lead: candidate for auditing)",
    "POST /api/v1/gravity/policy": "staff-only scenario over a stored fit, as gravity/fit",
}


@dataclass
class Records:
    admin: Account
    ids: dict[str, int]


@pytest.fixture
def records(runtime, monkeypatch) -> Records:
    """One record of every kind the write operations need (and spares for the deletes)."""
    from silkhub.hub import accounts, agreements, events, places, projects, talent

    use_fast_hashing(monkeypatch)
    org = make_org(runtime, "Org A")
    org2 = make_org(runtime, "Org B")
    admin = make_account(runtime, "admin@hub.cn", "admin", None)
    other = make_account(runtime, "other@a.cn", "member", org)
    ids: dict[str, int] = {"org": org, "org2": org2, "user": other.user_id}
    with runtime.session() as s:
        spare_org = make_org(runtime, "Spare org")
        ids["spare_org"] = spare_org

        def project(title: str) -> int:
            return projects.create_project(
                s,
                SYSTEM,
                projects.ProjectIn(
                    title_en=title,
                    isic_code="52",
                    parties=[projects.PartyIn(organisation_id=org, role="owner")],
                ),
            ).id

        ids.update(project=project("Port"), spare_project=project("Spare"))
        ids["link_project"] = project("Linked")

        def event(title: str) -> int:
            return events.create_event(
                s,
                SYSTEM,
                events.EventIn(
                    kind="conference", title_en=title, start_on=date(2024, 5, 1),
                    organiser_ids=[org],
                ),
            ).id  # fmt: skip

        ids.update(event=event("Expo"), spare_event=event("Spare expo"))

        def agreement(title: str) -> agreements.Agreement:
            return agreements.create_agreement(
                s,
                SYSTEM,
                agreements.AgreementIn(
                    kind="mou",
                    title_en=title,
                    party_ids=[org, org2],
                    commitments=[
                        agreements.CommitmentIn(
                            owed_by_id=org, what_en="build", amount=Decimal(10), currency="CNY"
                        )
                    ],
                ),
            )

        a = agreement("MoU")
        ids.update(agreement=a.id, commitment=a.commitments[0].id)
        ids["spare_agreement"] = agreement("Spare MoU").id
        ms = agreements.add_milestone(
            s, SYSTEM, ids["commitment"], agreements.MilestoneIn(title_en="phase 1")
        )
        ids["milestone"] = ms.id

        def profile(name: str) -> int:
            return talent.create_profile(
                s,
                SYSTEM,
                talent.TalentIn(name_en=name, visibility="public", consent_on=date(2024, 1, 1)),
            ).id

        ids.update(talent=profile("Engineer"), spare_talent=profile("Spare"))
        ids["position"] = talent.create_position(
            s, SYSTEM, talent.PositionIn(organisation_id=org, role_en="Engineer")
        ).id
        ids["place"] = places.create_place(
            s,
            SYSTEM,
            places.PlaceIn(kind=places.KINDS[0], name_en="School", region="Jinan", source="test"),
        ).id
        tok, _secret = accounts.create_token(s, SYSTEM, admin.user_id, "spare")
        ids["token"] = tok.id
    return Records(admin, ids)


Example = Callable[[dict[str, int], dict[str, Any]], dict[str, Any]]


def _programme(_i: dict[str, int], _r: dict[str, Any]) -> dict[str, Any]:
    return {
        "json": {
            "slots": [{"starts_at": "2024-05-01T09:00:00Z", "ends_at": "2024-05-01T09:30:00Z"}],
            "tables": ["T1"],
            "participants": [{"name": "Ann"}, {"name": "Bo"}],
            "requests": [{"requester": 0, "target": 1}],
        }
    }


#: one valid request per write operation, in the order they run (deletes last); ``i`` are the
#: fixture's ids, ``r`` the JSON answers of the operations run so far (by operation key)
EXAMPLES: dict[str, Example] = {
    "POST /api/v1/auth/login": lambda i, r: {"json": {"email": "other@a.cn", "password": PASSWORD}},
    "POST /api/v1/auth/tokens": lambda i, r: {"json": {"name": "ci"}},
    "POST /api/v1/auth/users": lambda i, r: {
        "json": {"email": "new@a.cn", "password": PASSWORD + "!", "organisation_id": i["org"]}
    },
    "PATCH /api/v1/auth/users/{user_id}": lambda i, r: {
        "path": {"user_id": i["user"]},
        "json": {"display_name": "Other"},
    },
    "POST /api/v1/auth/users/{user_id}/unlock": lambda i, r: {"path": {"user_id": i["user"]}},
    "POST /api/v1/organisations": lambda i, r: {"json": {"kind": "soe", "name_en": "New org"}},
    "PATCH /api/v1/organisations/{org_id}": lambda i, r: {
        "path": {"org_id": i["org"]},
        "json": {"name_en": "Org A2"},
    },
    "POST /api/v1/organisations/{org_id}/offers": lambda i, r: {
        "path": {"org_id": i["org"]},
        "json": {"kind": "offer", "title_en": "EPC"},
    },
    "POST /api/v1/projects": lambda i, r: {"json": {"title_en": "New project"}},
    "PATCH /api/v1/projects/{project_id}": lambda i, r: {
        "path": {"project_id": i["project"]},
        "json": {"title_en": "Port 2"},
    },
    "POST /api/v1/projects/{project_id}/transitions": lambda i, r: {
        "path": {"project_id": i["project"]},
        "json": {"to": "negotiating"},
    },
    "POST /api/v1/events": lambda i, r: {
        "json": {"kind": "conference", "title_en": "New", "start_on": "2024-06-01"}
    },
    "PATCH /api/v1/events/{event_id}": lambda i, r: {
        "path": {"event_id": i["event"]},
        "json": {"place": "Jinan"},
    },
    "POST /api/v1/events/{event_id}/projects": lambda i, r: {
        "path": {"event_id": i["event"]},
        "json": {"project_id": i["link_project"], "kind": "signed"},
    },
    "PUT /api/v1/events/{event_id}/programme": lambda i, r: {
        "path": {"event_id": i["event"]},
        **_programme(i, r),
    },
    "POST /api/v1/events/{event_id}/schedule": lambda i, r: {
        "path": {"event_id": i["event"]},
        "params": {"time_limit": 2},
    },
    "POST /api/v1/agreements": lambda i, r: {
        "json": {"kind": "mou", "title_en": "New MoU", "party_ids": [i["org"]]}
    },
    "PATCH /api/v1/agreements/{agreement_id}": lambda i, r: {
        "path": {"agreement_id": i["agreement"]},
        "json": {"title_en": "MoU 2"},
    },
    "POST /api/v1/agreements/{agreement_id}/commitments": lambda i, r: {
        "path": {"agreement_id": i["agreement"]},
        "json": {"owed_by_id": i["org2"], "what_en": "train"},
    },
    "POST /api/v1/agreements/commitments/{commitment_id}/fulfil": lambda i, r: {
        "path": {"commitment_id": i["commitment"]},
        "json": {"fulfilled_on": "2024-02-01"},
    },
    "POST /api/v1/agreements/commitments/{commitment_id}/milestones": lambda i, r: {
        "path": {"commitment_id": i["commitment"]},
        "json": {"title_en": "phase 2"},
    },
    "PATCH /api/v1/agreements/milestones/{milestone_id}": lambda i, r: {
        "path": {"milestone_id": i["milestone"]},
        "json": {"status": "done", "done_on": "2024-03-01"},
    },
    "POST /api/v1/match/feedback": lambda i, r: {
        "json": {
            "subject_kind": "organisation",
            "subject_id": i["org"],
            "candidate_id": i["org2"],
            "decision": "decline",
        }
    },
    "POST /api/v1/match/feedback/undo": lambda i, r: {
        "json": {"subject_kind": "organisation", "subject_id": i["org"], "candidate_id": i["org2"]}
    },
    "POST /api/v1/talent": lambda i, r: {
        "json": {"name_en": "New talent", "consent_on": "2024-01-01"}
    },
    "PATCH /api/v1/talent/{talent_id}": lambda i, r: {
        "path": {"talent_id": i["talent"]},
        "json": {"skills_en": "ports"},
    },
    "POST /api/v1/positions": lambda i, r: {
        "json": {"organisation_id": i["org"], "role_en": "Lawyer"}
    },
    "POST /api/v1/positions/{position_id}/status": lambda i, r: {
        "path": {"position_id": i["position"]},
        "json": {"status": "closed"},
    },
    "POST /api/v1/positions/{position_id}/feedback": lambda i, r: {
        "path": {"position_id": i["position"]},
        "json": {"talent_id": i["talent"], "accepted": True},
    },
    "POST /api/v1/places": lambda i, r: {
        "json": {
            "kind": "international_school",
            "name_en": "School 2",
            "region": "Jinan",
            "source": "test",
        }
    },
    "POST /api/v1/jobs": lambda i, r: {
        "json": {"kind": "probe", "params": {"seconds": 30, "steps": 300}}
    },
    "POST /api/v1/jobs/imports": lambda i, r: {  # multipart upload
        "data": {"source": "wdi", "dry_run": "true"},
        "files": {"file": ("gdp.csv", _FIXTURE_CSV.read_bytes(), "text/csv")},
    },
    "POST /api/v1/jobs/{job_id}/cancel": lambda i, r: {
        "path": {"job_id": r["POST /api/v1/jobs"]["id"]}
    },
    # deletes (spare records)
    "DELETE /api/v1/auth/tokens/{token_id}": lambda i, r: {"path": {"token_id": i["token"]}},
    "DELETE /api/v1/places/{place_id}": lambda i, r: {"path": {"place_id": i["place"]}},
    "DELETE /api/v1/talent/{talent_id}": lambda i, r: {"path": {"talent_id": i["spare_talent"]}},
    "DELETE /api/v1/agreements/{agreement_id}": lambda i, r: {
        "path": {"agreement_id": i["spare_agreement"]}
    },
    "DELETE /api/v1/events/{event_id}": lambda i, r: {"path": {"event_id": i["spare_event"]}},
    "DELETE /api/v1/projects/{project_id}": lambda i, r: {
        "path": {"project_id": i["spare_project"]}
    },
    "DELETE /api/v1/organisations/{org_id}": lambda i, r: {"path": {"org_id": i["spare_org"]}},
    "DELETE /api/v1/auth/users/{user_id}": lambda i, r: {"path": {"user_id": i["user"]}},
    # last: changes the admin's own password
    "POST /api/v1/auth/password": lambda i, r: {
        "json": {"current_password": PASSWORD, "new_password": PASSWORD + " and more"}
    },
}


def write_operations(spec: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in WRITES
    ]


def test_every_write_operation_has_an_example_or_a_reason(client) -> None:
    ops = write_operations(client.get("/api/v1/openapi.json").json())
    missing = [op for op in ops if op not in EXAMPLES and op not in NO_AUDIT]
    assert not missing, "give these write operations an example in EXAMPLES:\n" + "\n".join(missing)
    stale = sorted((set(EXAMPLES) | set(NO_AUDIT)) - set(ops))
    assert not stale, f"operations no longer in the OpenAPI document: {stale}"


def _audit_total(runtime) -> int:
    with runtime.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_every_successful_write_is_audited(client, runtime, records) -> None:
    ops = set(write_operations(client.get("/api/v1/openapi.json").json()))
    answers: dict[str, Any] = {}
    unaudited: list[str] = []
    failed: list[str] = []
    try:
        for op, example in EXAMPLES.items():
            if op not in ops:
                continue
            method, template = op.split(" ", 1)
            req = example(records.ids, answers)
            url = template
            for k, v in req.get("path", {}).items():
                url = url.replace("{" + k + "}", str(v))
            before = _audit_total(runtime)
            r = client.request(
                method,
                url,
                json=req.get("json"),
                params=req.get("params"),
                data=req.get("data"),
                files=req.get("files"),
                headers=records.admin.headers,
            )
            if not 200 <= r.status_code < 300:
                failed.append(f"{op} -> {r.status_code} {r.text[:300]}")
                continue
            answers[op] = r.json() if r.content and "json" in r.headers["content-type"] else None
            if _audit_total(runtime) <= before:
                unaudited.append(op)
    finally:
        eng = runtime.extras.get("jobs_engine")
        if eng is not None:
            eng.close()
    assert not unaudited, "successful writes without an audit entry:\n" + "\n".join(unaudited)
    assert not failed, "examples that no longer succeed (fix the example):\n" + "\n".join(failed)
