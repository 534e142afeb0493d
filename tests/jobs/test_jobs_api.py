"""``/api/v1/jobs`` on the embedded engine (inline threads), SQLite and PostgreSQL (one
database per backend for the module): submit, watch progress, download, ownership across
organisations, validation, cancel, audit."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from silkhub.hub.audit import list_entries
from silkhub.hub.policy import Actor
from tests.api._accounts import make_account, make_org


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def mod_runtime(request, tmp_path_factory):
    """One migrated database per backend for the module (migrations are the slow part)."""
    from silkhub.bootstrap import make_runtime, prepare
    from silkhub.settings import Settings
    from tests.conftest import _pg_schema_runtime

    tmp = tmp_path_factory.mktemp(f"jobs-api-{request.param}")
    if request.param == "sqlite":
        rt = make_runtime(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 't.sqlite'}"))
        prepare(rt)
        yield rt
        rt.dispose()
    else:
        gen = _pg_schema_runtime(tmp)
        rt = next(gen)
        prepare(rt)
        yield rt
        gen.close()


@pytest.fixture(scope="module")
def accounts(mod_runtime):
    rt = mod_runtime
    a, b = make_org(rt, "Org A"), make_org(rt, "Org B")
    return {
        "member_a": make_account(rt, "a@example.org", "member", a),
        "member_b": make_account(rt, "b@example.org", "member", b),
        "operator_b": make_account(rt, "op@example.org", "operator", b),
        "admin": make_account(rt, "admin@example.org", "admin", None),
    }


@pytest.fixture(scope="module")
def api(mod_runtime):
    from silkhub.server import create_app

    with TestClient(create_app(runtime=mod_runtime, init=False)) as c:
        yield c
    eng = mod_runtime.extras.get("jobs_engine")
    if eng is not None:
        eng.close()


def wait_done(api: TestClient, job_id: str, headers: dict, timeout: float = 60) -> tuple[dict, set]:
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        seen.add(body["progress_pct"])
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body, seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {body}")


def test_region_report_job_and_who_sees_it(api, accounts):
    a = accounts["member_a"]
    r = api.post(
        "/api/v1/jobs",
        json={"kind": "report.region", "params": {"unit": "Jinan", "peers": "Hangzhou"}},
        headers=a.headers,
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and r.headers["location"].endswith(job["id"])
    body, _seen = wait_done(api, job["id"], a.headers)
    assert body["status"] == "succeeded", body
    assert body["progress_pct"] == 100 and body["attempts"] == 1
    assert body["result"]["title"] == "Region report: Jinan"
    (f,) = body["files"]
    got = api.get(f["url"], headers=a.headers)
    assert got.status_code == 200 and b"Region report: Jinan" in got.content
    assert "attachment" in got.headers["content-disposition"]
    # the owner's list has it; another organisation's member does not even see it
    assert [j["id"] for j in api.get("/api/v1/jobs", headers=a.headers).json()["items"]] == [
        job["id"]
    ]
    b = accounts["member_b"]
    assert api.get("/api/v1/jobs", headers=b.headers).json()["items"] == []
    assert api.get(f"/api/v1/jobs/{job['id']}", headers=b.headers).status_code == 404
    assert api.get(f["url"], headers=b.headers).status_code == 404
    # staff of another organisation see the job, not its result
    op = api.get(f"/api/v1/jobs/{job['id']}", headers=accounts["operator_b"].headers).json()
    assert op["result_hidden"] is True and op["result"] is None and op["files"] == []
    assert api.get(f["url"], headers=accounts["operator_b"].headers).status_code == 404
    adm = api.get(f"/api/v1/jobs/{job['id']}", headers=accounts["admin"].headers).json()
    assert adm["result"]["title"] == "Region report: Jinan"
    # job durations and queue depth reach the shared Prometheus objects
    metrics = api.get("/metrics").text
    assert 'silkhub_job_duration_seconds_count{kind="report.region"}' in metrics
    assert "silkhub_job_queue_depth" in metrics


BAD_JOBS = [
    ({"kind": "report.region", "params": {}}, "params.unit"),
    ({"kind": "report.region", "params": {"unit": "Jinan", "format": "doc"}}, "params.format"),
    ({"kind": "report.region", "params": {"unit": "Jinan", "colour": "red"}}, "params.colour"),
    ({"kind": "nope", "params": {}}, "kind"),
]


def test_bad_job_is_a_problem_with_the_field(api, accounts):
    for payload, field in BAD_JOBS:
        r = api.post("/api/v1/jobs", json=payload, headers=accounts["member_a"].headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.text, (field, r.text)
    # well-formed, but the region does not exist: 404 naming it (before anything is queued)
    r = api.post(
        "/api/v1/jobs",
        json={"kind": "report.region", "params": {"unit": "Atlantis"}},
        headers=accounts["member_a"].headers,
    )
    assert r.status_code == 404 and r.json()["code"] == "unknown-region"
    assert "Atlantis" in r.json()["detail"]


def test_who_may_submit(api, accounts, tmp_path):
    body = {"kind": "report.region", "params": {"unit": "Jinan"}}
    assert api.post("/api/v1/jobs", json=body).status_code == 401
    imp = {"kind": "data.import", "params": {"source": "wdi", "path": str(tmp_path)}}
    assert (
        api.post("/api/v1/jobs", json=imp, headers=accounts["member_a"].headers).status_code == 403
    )
    missing = {"kind": "data.import", "params": {"source": "wdi", "path": "/no/such/file.csv"}}
    r = api.post("/api/v1/jobs", json=missing, headers=accounts["admin"].headers)
    assert r.status_code == 404 and "no such file" in r.json()["detail"]


def test_cancel_a_running_job_is_audited(api, accounts, mod_runtime):
    adm = accounts["admin"]
    r = api.post(
        "/api/v1/jobs", json={"kind": "probe", "params": {"seconds": 20, "steps": 200}},
        headers=adm.headers,
    )  # fmt: skip
    job_id = r.json()["id"]
    deadline = time.monotonic() + 30
    while api.get(f"/api/v1/jobs/{job_id}", headers=adm.headers).json()["progress_pct"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # another organisation's member cannot cancel it (it does not exist for them)
    assert (
        api.post(f"/api/v1/jobs/{job_id}/cancel", headers=accounts["member_b"].headers).status_code
        == 404
    )
    c = api.post(f"/api/v1/jobs/{job_id}/cancel", headers=adm.headers)
    assert c.status_code == 200 and c.json()["cancel_requested"] is True
    body, _ = wait_done(api, job_id, adm.headers, timeout=15)
    assert body["status"] == "cancelled" and body["progress_pct"] < 100
    assert api.post(f"/api/v1/jobs/{job_id}/cancel", headers=adm.headers).status_code == 409
    with mod_runtime.session() as s:
        entries = list_entries(s, Actor.system(), entity="job", entity_id=job_id).items
    actions = [e.action for e in entries]
    assert actions == ["job.cancel", "job.submit"]


def test_kinds_list_their_parameters(api):
    kinds = {k["name"]: k for k in api.get("/api/v1/jobs/kinds").json()}
    assert {"report.region", "report.hub", "data.import", "probe"} <= set(kinds)
    assert "unit" in kinds["report.region"]["params_schema"]["properties"]
    assert kinds["data.import"]["roles"] == ["admin"]
