"""Jobs on a real broker (no mocks).

* RabbitMQ, real ``silkhub jobs worker`` processes, PostgreSQL when configured (CI): a region
  report, an index Monte Carlo run, an import and a probe enqueued through the API; the report
  and the index run and the report's file is served; the import's progress shows while it
  stages its files; then the worker is SIGKILLed in the middle of the import: the import's
  previous version stays current,
  RabbitMQ redelivers the unacked messages to the next worker, which retries the import (it
  succeeds, attempt 2) and marks the probe that had no attempt left failed (``job-lost``).
  One test, two worker processes: starting a worker is the expensive part.
* Redis: a region report through the API on a Dramatiq worker running in this process (the
  same ``run_worker`` as the CLI command) over the real Redis broker.
"""

from __future__ import annotations

import threading
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


def _wait(api, job_id, headers, until, timeout=90.0) -> dict:
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


def test_rabbitmq_report_import_and_a_sigkilled_worker(shared_runtime, tmp_path, queue_name):
    url = broker_url("amqp")
    rt = shared_runtime
    store = AnalyticsStore(rt.settings.analytics_dir)
    v1 = next(r for r in run_import(store, "wdi", FIXTURES / "gdp.csv") if r.dataset == "wdi")
    before = store.read("wdi")
    admin = make_account(rt, "admin@example.org", "admin", None)
    w = Workers(rt, url, queue_name, tmp_path)
    try:
        # each import on this worker sleeps half-way into staging, so that it can be killed
        slow = w.start(threads=4, slow=60)
        with _client(rt, url, queue_name) as api:
            post = lambda body: api.post("/api/v1/jobs", json=body, headers=admin.headers)  # noqa: E731
            r = post({"kind": "report.region", "params": {"unit": "Jinan", "peers": ["Qingdao"]}})
            assert r.status_code == 202, r.text
            report = r.json()
            assert report["backend"] == "amqp" and report["status"] == "queued"
            index = post({"kind": "index.compute", "params": {"mc_runs": 100}}).json()
            new = {"source": "wdi", "path": str(FIXTURES / "wdi_wide.csv")}
            imp = post({"kind": "data.import", "max_attempts": 2, "params": new}).json()
            probe = post(
                {"kind": "probe", "max_attempts": 1, "params": {"seconds": 120, "steps": 600}}
            ).json()
            w.wait_ready(slow)
            # the report runs on the worker; its file is served by the API
            body = _wait(api, report["id"], admin.headers, _done)
            assert body["status"] == "succeeded", body
            assert body["worker"].startswith("amqp@") and body["progress_pct"] == 100
            f = api.get(body["files"][0]["url"], headers=admin.headers)
            assert f.status_code == 200 and b"Region report: Jinan" in f.content
            # a long-work kind runs there too (the same service as `silkhub index compute`)
            body = _wait(api, index["id"], admin.headers, _done)
            assert body["status"] == "succeeded" and body["worker"].startswith("amqp@"), body
            assert body["result"]["mc_runs"] == 100 and body["files"], body
            # the import shows its progress while the new version stages (not yet visible)
            staging = rt.settings.analytics_dir / ".staging"
            deadline = time.monotonic() + 60
            while not (staging.is_dir() and list(staging.rglob("*.parquet"))):
                assert time.monotonic() < deadline, "import never reached staging"
                time.sleep(0.1)
            running = _wait(api, imp["id"], admin.headers, lambda b: b["progress_pct"] >= 2)
            assert running["status"] == "running" and running["progress_message"], running
            _wait(api, probe["id"], admin.headers, lambda b: b["progress_pct"] >= 1)
            # every message is held by the slow worker now: the next one may start (its
            # start-up overlaps the rest; it gets work only when the slow one dies)
            nxt = w.start(threads=2)
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
            w.wait_ready(nxt)
            done = _wait(api, imp["id"], admin.headers, _done)
            assert done["status"] == "succeeded" and done["attempts"] == 2, done
            assert done["result"]["datasets"][0]["dataset"] == "wdi"
            lost = _wait(api, probe["id"], admin.headers, _done)
            assert lost["status"] == "failed" and lost["error_code"] == "job-lost", lost
            assert "no retry left" in lost["error_message"]
            assert lost["error_key"] == "jobs.error.lost"
        assert store.entry("wdi").version == v1.version + 1
    finally:
        w.kill_all()
        delete_queue(url, queue_name)


def test_redis_report_on_an_in_process_worker(sqlite_runtime, queue_name):
    from silkhub.jobs.worker import run_worker

    url = broker_url("redis")
    rt = sqlite_runtime
    admin = make_account(rt, "admin@example.org", "admin", None)
    ready, stop = threading.Event(), threading.Event()
    rt.settings.jobs_queue = queue_name
    worker = threading.Thread(
        target=run_worker,
        kwargs={"runtime": rt, "threads": 1, "broker_url": url, "on_ready": ready.set,
                "stop": stop},
        daemon=True,
    )  # fmt: skip
    worker.start()
    try:
        assert ready.wait(30), "worker did not start"
        with _client(rt, url, queue_name) as api:
            r = api.post(
                "/api/v1/jobs",
                json={"kind": "report.region", "params": {"unit": "Jinan", "peers": ["Qingdao"]}},
                headers=admin.headers,
            )
            assert r.status_code == 202 and r.json()["backend"] == "redis", r.text
            body = _wait(api, r.json()["id"], admin.headers, _done)
            assert body["status"] == "succeeded", body
            assert body["worker"].startswith("redis@") and body["progress_pct"] == 100
            assert body["result"]["title"] == "Region report: Jinan"
    finally:
        stop.set()
        worker.join(30)
        delete_queue(url, queue_name)
