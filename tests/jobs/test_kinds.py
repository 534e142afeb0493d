"""The long-work job kinds through ``/api/v1/jobs`` (embedded engine, one SQLite database for
the module): index Monte Carlo, gravity fit, meeting scheduling, duplicate scan — each calls
the existing service; strict parameters, who may submit, progress, result and file, and a
cancel asked for during a solve stores nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from silkhub.bootstrap import make_runtime, prepare
from silkhub.data.storage.models.matching import Meeting
from silkhub.hub import events as ev
from silkhub.hub import projects as pj
from silkhub.hub import scheduling as sch
from silkhub.hub.policy import Actor
from silkhub.settings import Settings
from tests.api._accounts import make_account, make_org

SYSTEM = Actor.system()
T0 = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rt(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kinds")
    runtime = make_runtime(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'k.sqlite'}"))
    prepare(runtime)
    yield runtime
    eng = runtime.extras.get("jobs_engine")
    if eng is not None:
        eng.close()
    runtime.dispose()


@pytest.fixture(scope="module")
def api(rt):
    from silkhub.server import create_app

    with TestClient(create_app(runtime=rt, init=False)) as c:
        yield c


@pytest.fixture(scope="module")
def who(rt):
    a, b = make_org(rt, "Org A"), make_org(rt, "Org B")
    return {
        "member_a": make_account(rt, "ka@example.org", "member", a),
        "member_b": make_account(rt, "kb@example.org", "member", b),
        "operator": make_account(rt, "kop@example.org", "operator", a),
        "admin": make_account(rt, "kadmin@example.org", "admin", None),
    }


def submit(api, account, kind: str, params: dict, status: int = 202) -> dict:
    r = api.post("/api/v1/jobs", json={"kind": kind, "params": params}, headers=account.headers)
    assert r.status_code == status, r.text
    return r.json()


def finish(api, account, job_id: str, timeout: float = 60) -> tuple[dict, list]:
    """Poll until the job ends; returns its last state and the (pct, message) pairs seen."""
    seen: list[tuple[int, str | None]] = []
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(f"/api/v1/jobs/{job_id}", headers=account.headers).json()
        seen.append((body["progress_pct"], body["progress_message"]))
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body, seen
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def file_of(api, account, body: dict) -> bytes:
    (f,) = body["files"]
    got = api.get(f["url"], headers=account.headers)
    assert got.status_code == 200
    return got.content


def test_index_monte_carlo_job(api, who):
    a = who["member_a"]
    job = submit(api, a, "index.compute", {"mc_runs": 300, "seed": 7})
    body, _seen = finish(api, a, job["id"])
    assert body["status"] == "succeeded", body
    res = body["result"]
    assert res["framework"] == "city-internationalization" and res["mc_runs"] == 300
    jinan = next(u for u in res["units"] if u["unit"] == "CN-SD-jinan")
    assert jinan["name"] == "Jinan" and jinan["mc_rank_p05"] <= jinan["mc_rank_p95"]
    full = json.loads(file_of(api, a, body))
    mc = next(s for s in full["steps"] if s["step"] == "monte_carlo")
    assert mc["runs"] == 300 and mc["seed"] == 7 and "coherence" in full
    # strict parameters: a string is not a number, no unknown keys, shipped frameworks only
    for params, field in [
        ({"mc_runs": "300"}, "params.mc_runs"),
        ({"mc_runs": 0}, "params.mc_runs"),
        ({"mc_runs": 300.5}, "params.mc_runs"),
        ({"mc_runs": True}, "params.mc_runs"),
        ({"mc_runs": 10, "colour": 1}, "params.colour"),
        ({"framework": "../etc/passwd"}, "params.framework"),
        ({"framework": "no-such-framework"}, "params.framework"),
        ({"normalisation": "cubic"}, "params.normalisation"),
    ]:
        r = submit(api, a, "index.compute", params, status=422)
        assert field in json.dumps(r), (params, r)


def test_gravity_fit_job_is_for_staff(api, who, shared_data):
    spec = {"spec": "agtpa_table1_ols", "save": True}
    assert submit(api, who["member_a"], "gravity.fit", spec, status=403)["code"] == "forbidden"
    both = {"spec": "agtpa_table1_ols", "spec_yaml": "name: x"}
    assert submit(api, who["operator"], "gravity.fit", both, status=422)
    path = {"spec": "../../etc/passwd"}
    assert submit(api, who["operator"], "gravity.fit", path, status=422)
    op = who["operator"]
    body, seen = finish(api, op, submit(api, op, "gravity.fit", spec)["id"])
    assert body["status"] == "succeeded", body
    # progress only moves forward (which steps a poll catches depends on the machine's speed:
    # on an idle one the fit takes less than the 0.5 s write throttle)
    assert [pct for pct, _m in seen] == sorted(pct for pct, _m in seen), seen
    res = body["result"]
    assert res["spec"] == "agtpa_table1_ols" and res["run_id"].startswith("agtpa_table1_ols-")
    coef = {c["name"]: c for c in res["coefficients"]}
    assert round(coef["log_dist"]["estimate"], 2) == round(coef["log_dist"]["published"], 2)
    # the run is stored like one from `silkhub gravity fit` (the same service)
    runs = api.get("/api/v1/gravity/runs").json()
    assert res["run_id"] in [r["run_id"] for r in runs]


@pytest.fixture(scope="module")
def event_id(rt, who):
    with rt.session() as s:
        e = ev.create_event(
            s,
            SYSTEM,
            ev.EventIn(kind="exhibition", title_en="B2B day", start_on=date(2025, 6, 10)),
        )
        slots = [
            sch.SlotIn(
                starts_at=T0 + timedelta(minutes=30 * k),
                ends_at=T0 + timedelta(minutes=30 * k + 25),
            )
            for k in range(4)
        ]
        people = [sch.ParticipantIn(name=f"P{i}") for i in range(6)]
        reqs = [
            sch.RequestIn(requester=i, target=j, priority=1 + (i + j) % 3)
            for i in range(6)
            for j in range(6)
            if i < j
        ]
        sch.load_programme(
            s,
            SYSTEM,
            e.id,
            sch.ProgrammeIn(slots=slots, tables=["T1", "T2"], participants=people, requests=reqs),
        )
        return e.id


def test_schedule_job_stores_the_schedule(api, who, rt, event_id):
    # a member of an organisation that does not organise the event may not schedule it
    r = submit(api, who["member_b"], "event.schedule", {"event_id": event_id}, status=403)
    assert r["code"] == "forbidden"
    assert submit(api, who["admin"], "event.schedule", {"event_id": 10**6}, status=404)
    bad = {"event_id": event_id, "time_limit_s": 0}
    assert "params.time_limit_s" in json.dumps(
        submit(api, who["admin"], "event.schedule", bad, 422)
    )
    adm = who["admin"]
    job = submit(api, adm, "event.schedule", {"event_id": event_id, "time_limit_s": 5})
    body, _seen = finish(api, adm, job["id"])
    assert body["status"] == "succeeded", body
    res = body["result"]
    assert res["meetings"] > 0 and res["saved"] is True
    doc = json.loads(file_of(api, adm, body))
    assert len(doc["meetings"]) == res["meetings"]
    with rt.session() as s:
        stored = s.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.event_id == event_id)
        )
    assert stored == res["meetings"]


def test_cancel_during_the_solve_stores_nothing(rt, event_id):
    """A cancel read at the progress report after the solve rolls the schedule back."""
    from silkhub.jobs import kinds, state

    with rt.session() as s:
        s.execute(Meeting.__table__.delete().where(Meeting.event_id == event_id))

    def progress(pct: float, *_message: object) -> None:
        if pct >= 95:
            raise state.JobCancelled("j")

    ctx = kinds.JobContext(rt, "j", SYSTEM, progress)
    with pytest.raises(state.JobCancelled):
        kinds._run_schedule(ctx, kinds.ScheduleParams(event_id=event_id, time_limit_s=2))
    with rt.session() as s:
        assert not s.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.event_id == event_id)
        )
    assert ctx.files == []


def test_duplicate_scan_job(api, who, rt):
    with rt.session() as s:
        for city, zh in (("jinan", "济南"), ("zibo", "淄博")):
            pj.create_project(
                s,
                SYSTEM,
                pj.ProjectIn(
                    title_en=f"{city.title()} International Logistics Park",
                    title_zh=f"{zh}国际物流园",
                    region_id=f"CN-SD-{city}",
                    isic_code="52",
                    dated_on=date(2020, 3, 1),
                ),
            )
    a = who["member_a"]
    assert submit(api, a, "hub.duplicates", {"region": "Atlantis"}, status=404)
    assert submit(api, a, "hub.duplicates", {"threshold": 2}, status=422)
    body, _ = finish(
        api, a, submit(api, a, "hub.duplicates", {"region": "Shandong", "threshold": 0.6})["id"]
    )
    assert body["status"] == "succeeded", body
    res = body["result"]
    assert res["clusters"] >= 1 and res["across_localities"] >= 1
    clusters = json.loads(file_of(api, a, body))
    titles = {p["title"] for c in clusters for p in c["projects"]}
    assert {"Jinan International Logistics Park", "Zibo International Logistics Park"} <= titles


def test_kinds_are_listed_with_their_roles(api):
    kinds = {k["name"]: k for k in api.get("/api/v1/jobs/kinds").json()}
    assert {"index.compute", "gravity.fit", "event.schedule", "hub.duplicates"} <= set(kinds)
    assert kinds["gravity.fit"]["roles"] == ["admin", "operator"]
    assert "mc_runs" in kinds["index.compute"]["params_schema"]["properties"]


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "fixtures"


def test_upload_an_import_file(api, who, rt):
    """``POST /jobs/imports``: a file the server does not have, imported as a job."""
    from silkhub.data.store import AnalyticsStore

    url = "/api/v1/jobs/imports"
    data = (FIXTURES / "wdi_wide.csv").read_bytes()
    files = {"file": ("wdi_wide.csv", data, "text/csv")}
    uploads = rt.settings.data_dir / "uploads"
    # members may not import; a name the importers cannot read is refused; nothing is kept
    r = api.post(url, files=files, data={"source": "wdi"}, headers=who["member_a"].headers)
    assert r.status_code == 403, r.text
    bad = {"file": ("run.exe", data, "application/octet-stream")}
    r = api.post(url, files=bad, data={"source": "wdi"}, headers=who["admin"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file", r.text
    r = api.post(url, files=files, data={"source": "nope"}, headers=who["admin"].headers)
    assert r.status_code == 422, r.text
    limit = rt.settings.max_upload_body_bytes
    rt.settings.max_upload_body_bytes = 100
    try:
        r = api.post(url, files=files, data={"source": "wdi"}, headers=who["admin"].headers)
        assert r.status_code == 413 and r.json()["code"] == "body-too-large", r.text
    finally:
        rt.settings.max_upload_body_bytes = limit
    assert not uploads.exists() or not any(uploads.iterdir())
    adm = who["admin"]
    r = api.post(url, files=files, data={"source": "wdi"}, headers=adm.headers)
    assert r.status_code == 202, r.text
    assert r.json()["params"]["path"].endswith("/wdi_wide.csv")
    body, _ = finish(api, adm, r.json()["id"])
    assert body["status"] == "succeeded", body
    assert body["result"]["datasets"][0]["dataset"] == "wdi"
    assert AnalyticsStore(rt.settings.analytics_dir).entry("wdi").version >= 1
    assert not any(uploads.iterdir())  # the uploaded file went with its job


def test_integer_params_take_a_json_number_without_fraction():
    """JSON Schema counts 124.0 as an integer, so the job parameters do too (strict otherwise)."""
    from pydantic import ValidationError

    from silkhub.jobs.kinds import HubReportParams, IndexParams

    assert HubReportParams.model_validate({"event_id": 124.0}).event_id == 124
    assert IndexParams.model_validate({"mc_runs": 300.0, "year": 2020.0}).mc_runs == 300
    for bad in [124.5, "124", True]:
        with pytest.raises(ValidationError):
            HubReportParams.model_validate({"event_id": bad})


def test_cancel_during_the_monte_carlo_ends_it_early(rt):
    """The index job reports progress through the Monte Carlo runs (10 → 90 %), so a cancel
    takes effect mid-run, not only after the whole computation; nothing is stored."""
    from silkhub.jobs import kinds, state

    seen: list[float] = []

    def progress(pct: float, *_message: object) -> None:
        seen.append(pct)
        if 30 <= pct < 90:
            raise state.JobCancelled("j")

    ctx = kinds.JobContext(rt, "j", SYSTEM, progress)
    with pytest.raises(state.JobCancelled):
        kinds._run_index(ctx, kinds.IndexParams(mc_runs=20_000, seed=11))
    assert seen[0] == 2 and seen[1] == 10 and 10 < seen[-1] < 90, seen
    assert ctx.files == []


def test_gravity_fit_job_reports_its_steps(rt, shared_data):
    """The fit job names its long step (spec, estimator, rows) before fitting."""
    from silkhub.jobs import kinds

    steps: list[tuple[float, str]] = []
    ctx = kinds.JobContext(rt, "j", SYSTEM, lambda pct, msg, *_: steps.append((pct, msg)))
    kinds._run_gravity(ctx, kinds.GravityFitParams(spec="agtpa_table1_ols", save=False))
    assert [pct for pct, _m in steps] == [2, 20, 95], steps
    assert steps[1][1].startswith("fitting agtpa_table1_ols (OLS)"), steps
