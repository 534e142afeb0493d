"""The job row's life cycle: claim rules, fencing, reaper (SQLite; no broker, no threads)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.jobs import Job
from silkhub.jobs import state


@pytest.fixture(scope="module")
def _module_rt(tmp_path_factory):
    from silkhub.bootstrap import make_runtime, prepare
    from silkhub.settings import Settings

    tmp = tmp_path_factory.mktemp("job-state")
    runtime = make_runtime(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 's.sqlite'}"))
    prepare(runtime)
    yield runtime
    runtime.dispose()


@pytest.fixture
def rt(_module_rt):
    """One migrated database for the module; each test starts with no jobs."""
    from sqlalchemy import delete

    from silkhub.data.storage.models.jobs import JobFile

    with _module_rt.session() as s:
        s.execute(delete(JobFile))
        s.execute(delete(Job))
    return _module_rt


def _job(rt, **kw) -> str:
    values = dict(
        id="a" * 32, kind="probe", params={}, owner_role="admin", owner_label="t",
        status="queued", progress_pct=0, cancel_requested=False, attempts=0, max_attempts=2,
        dispatch_token=1, backend="amqp", created_at=utcnow(),
    ) | kw  # fmt: skip
    with rt.session() as s:
        s.add(Job(**values))
    return values["id"]


def _claim(rt, job_id, token=1, **kw):
    with rt.session() as s:
        return state.claim(s, job_id, token, "w1", **kw)


def _row(rt, job_id) -> Job:
    with rt.session() as s:
        return s.get(Job, job_id)


def test_claim_once_then_duplicates_and_stale_tokens_are_dropped(rt):
    j = _job(rt)
    assert _claim(rt, j, token=2) is None  # not this dispatch
    c = _claim(rt, j)
    assert c is not None and c.attempt == 1
    assert _claim(rt, j) is None  # duplicate delivery while the run is alive
    with rt.session() as s:
        assert state.succeed(s, c, {"ok": 1}, [])
    assert _claim(rt, j, redelivered=True) is None  # finished: nothing to do
    assert _row(rt, j).status == "succeeded"


def test_redelivery_takes_over_then_fails_when_no_attempt_is_left(rt):
    j = _job(rt)
    first = _claim(rt, j)
    second = _claim(rt, j, redelivered=True)  # the first worker died (unacked message)
    assert second is not None and second.attempt == 2
    with rt.session() as s, pytest.raises(state.JobClaimLost):
        state.beat(s, first, pct=50)  # the dead run's writes are fenced off
    with rt.session() as s:
        assert state.fail(s, first, "x", "y") is False
    assert _claim(rt, j, redelivered=True) is None
    row = _row(rt, j)
    assert row.status == "failed" and row.error_code == "job-lost" and row.attempts == 2


def test_stale_heartbeat_counts_as_dead(rt):
    j = _job(rt)
    _claim(rt, j)
    assert _claim(rt, j, stale_after=30) is None
    later = utcnow() + timedelta(seconds=31)
    assert _claim(rt, j, stale_after=30, now=later).attempt == 2


def test_progress_reads_the_cancel_flag(rt):
    j = _job(rt)
    c = _claim(rt, j)
    with rt.session() as s:
        assert state.beat(s, c, pct=10, message="m") is False
        s.get(Job, j).cancel_requested = True
    with rt.session() as s:
        assert state.beat(s, c, pct=20) is True
        assert state.cancelled(s, c)
    assert _row(rt, j).status == "cancelled"


def test_reaper_requeues_with_a_new_token_then_fails(rt):
    j = _job(rt, max_attempts=2)
    _claim(rt, j)
    later = utcnow() + timedelta(seconds=60)
    with rt.session() as s:
        assert state.reap(s, stale_after=30, now=later) == [(j, 2)]
    assert _row(rt, j).status == "queued"
    assert _claim(rt, j, token=1) is None  # the old message is stale now
    assert _claim(rt, j, token=2).attempt == 2
    with rt.session() as s:
        assert state.reap(s, stale_after=30, now=later + timedelta(seconds=60)) == []
    row = _row(rt, j)
    assert row.status == "failed" and row.error_code == "job-lost"
    assert "no retry left" in row.error_message


def test_inline_engine_runs_queued_orphans_on_start(rt):
    from silkhub.jobs.engines import InlineEngine

    j = _job(rt, backend="inline", params={"seconds": 0, "steps": 1})
    eng = InlineEngine(rt, 1)
    eng._start()
    eng.join()
    eng.close()
    row = _row(rt, j)
    assert row.status == "succeeded" and row.dispatch_token == 2
