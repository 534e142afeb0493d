"""Jobs on a real broker with real ``silkhub jobs worker`` processes (no mocks).

* a region report and an import enqueued through the API run on a worker; the API shows
  their progress and result (RabbitMQ; the report also on Redis);
* a worker SIGKILLed in the middle of an import: the import's previous version stays current,
  RabbitMQ redelivers the unacked message to the next worker, which retries the import (it
  succeeds) and marks the job that had no attempt left failed (``job-lost``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkhub.bootstrap import prepare
from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore
from tests.api._accounts import make_account
from tests.jobs.conftest import Workers, broker_url, delete_queue

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"


def _client(runtime, url: str, queue: str) -> TestClient:
    from silkhub.server import create_app

    runtime.settings.jobs_broker = url
    runtime.settings.jobs_queue = queue
    return TestClient(create_app(runtime=runtime, init=False))


def _wait(api, job_id, headers, until, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if until(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def _done(body: dict) -> bool:
    return body["status"] in ("succeeded", "failed", "cancelled")


@pytest.fixture
def workers(sqlite_runtime, tmp_path, queue_name):
    made: list[tuple[Workers, str]] = []

    def make(runtime, url):  # type: ignore[no-untyped-def]
        w = Workers(runtime, url, queue_name, tmp_path)
        made.append((w, url))
        return w

    yield make
    for w, url in made:
        w.stop_all()
        delete_queue(url, queue_name)


@pytest.mark.parametrize("broker", ["amqp", "redis"])
def test_report_and_import_through_the_api_on_a_worker(broker, sqlite_runtime, workers, queue_name):
    url = broker_url(broker)
    rt = sqlite_runtime
    admin = make_account(rt, "admin@example.org", "admin", None)
    w = workers(rt, url)
    p = w.start(threads=2)
    with _client(rt, url, queue_name) as api:
        r = api.post(
            "/api/v1/jobs",
            json={"kind": "report.region", "params": {"unit": "Jinan", "peers": ["Qingdao"]}},
            headers=admin.headers,
        )
        assert r.status_code == 202, r.text
        report = r.json()
        assert report["backend"] == broker and report["status"] == "queued"
        jobs = [report["id"]]
        if broker == "amqp":
            imp = api.post(
                "/api/v1/jobs",
                json={"kind": "data.import",
                      "params": {"source": "wdi", "path": str(FIXTURES / "wdi_wide.csv")}},
                headers=admin.headers,
            )  # fmt: skip
            assert imp.status_code == 202, imp.text
            jobs.append(imp.json()["id"])
        w.wait_ready(p)
        for job_id in jobs:
            body = _wait(api, job_id, admin.headers, _done)
            assert body["status"] == "succeeded", body
            assert body["worker"].startswith(f"{broker}@") and body["progress_pct"] == 100
        f = api.get(f"/api/v1/jobs/{report['id']}/files/0", headers=admin.headers)
        assert f.status_code == 200 and b"Region report: Jinan" in f.content
        if broker == "amqp":
            body = api.get(f"/api/v1/jobs/{jobs[1]}", headers=admin.headers).json()
            assert body["result"]["datasets"][0]["dataset"] == "wdi"
            assert AnalyticsStore(rt.settings.analytics_dir).entry("wdi").version == 1


@pytest.fixture
def shared_runtime(request, tmp_path):
    """PostgreSQL when configured (CI: the production set-up), else SQLite: one run, not two."""
    from tests.conftest import PG_URL, _pg_schema_runtime

    if PG_URL:
        gen = _pg_schema_runtime(tmp_path)
        rt = next(gen)
        prepare(rt)
        yield rt
        gen.close()
    else:
        yield request.getfixturevalue("sqlite_runtime")


def test_sigkilled_worker_job_is_retried_or_failed_and_import_stays_atomic(
    shared_runtime, workers, queue_name
):
    url = broker_url("amqp")
    rt = shared_runtime
    store = AnalyticsStore(rt.settings.analytics_dir)
    v1 = next(r for r in run_import(store, "wdi", FIXTURES / "gdp.csv") if r.dataset == "wdi")
    before = store.read("wdi")
    admin = make_account(rt, "admin@example.org", "admin", None)
    w = workers(rt, url)
    slow = w.start(threads=2, slow=60)
    with _client(rt, url, queue_name) as api:
        post = lambda body: api.post("/api/v1/jobs", json=body, headers=admin.headers).json()  # noqa: E731
        new = {"source": "wdi", "path": str(FIXTURES / "wdi_wide.csv")}
        imp = post({"kind": "data.import", "max_attempts": 2, "params": new})
        probe = post({"kind": "probe", "max_attempts": 1, "params": {"seconds": 120, "steps": 600}})
        w.wait_ready(slow)
        staging = rt.settings.analytics_dir / ".staging"
        deadline = time.monotonic() + 60
        # kill while the new version's files are half-way into the staging area
        while not (staging.is_dir() and list(staging.rglob("*.parquet"))):
            assert time.monotonic() < deadline, "import never reached staging"
            time.sleep(0.1)
        _wait(api, probe["id"], admin.headers, lambda b: b["progress_pct"] >= 1)
        slow.kill()
        slow.wait(10)
        # the previous version is current and readable, the job is not silently finished
        assert store.entry("wdi").version == v1.version
        assert store.read("wdi").equals(before)
        assert (
            api.get(f"/api/v1/jobs/{imp['id']}", headers=admin.headers).json()["status"]
            == "running"
        )
        # the next worker gets both messages again (unacked -> redelivered)
        w.wait_ready(w.start(threads=2))
        done = _wait(api, imp["id"], admin.headers, _done)
        assert done["status"] == "succeeded" and done["attempts"] == 2, done
        lost = _wait(api, probe["id"], admin.headers, _done)
        assert lost["status"] == "failed" and lost["error_code"] == "job-lost", lost
        assert "no retry left" in lost["error_message"]
    assert store.entry("wdi").version == v1.version + 1
