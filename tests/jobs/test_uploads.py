"""Upload folders: removed by their job, and swept by the reaper when no live job needs them
(a job lost on its last attempt never runs again)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from silkhub.data.storage.models.jobs import Job
from silkhub.jobs import uploads


def _upload(data_dir: Path, name: str, age_s: float) -> Path:
    folder = uploads.uploads_dir(data_dir) / name
    folder.mkdir(parents=True)
    f = folder / "trade.csv"
    f.write_text("a,b\n1,2\n")
    t = time.time() - age_s
    os.utime(folder, (t, t))
    return f


def _job(session, job_id: str, path: Path, status: str) -> None:
    session.add(
        Job(
            id=job_id, kind="data.import", params={"source": "csv", "path": str(path)},
            owner_role="admin", owner_label="a@example.org", backend="amqp", status=status,
        )
    )  # fmt: skip


def test_sweep_keeps_what_live_jobs_and_fresh_uploads_need(sqlite_runtime):
    rt = sqlite_runtime
    data = Path(rt.settings.data_dir)
    queued = _upload(data, "q", 7200)
    running = _upload(data, "r", 7200)
    lost = _upload(data, "lost", 7200)  # its job failed with job-lost
    orphan = _upload(data, "orphan", 7200)  # no job at all (a crash between upload and submit)
    fresh = _upload(data, "fresh", 10)  # its job may not be submitted yet
    with rt.session() as s:
        _job(s, "j1", queued, "queued")
        _job(s, "j2", running, "running")
        _job(s, "j3", lost, "failed")
    with rt.session() as s:
        assert uploads.sweep(s, data) == 2
    assert queued.exists() and running.exists() and fresh.exists()
    assert not lost.parent.exists() and not orphan.parent.exists()
    with rt.session() as s:
        assert uploads.sweep(s, data) == 0


def test_drop_upload_leaves_files_outside_the_uploads_folder(tmp_path):
    outside = tmp_path / "mine" / "trade.csv"
    outside.parent.mkdir()
    outside.write_text("x")
    uploads.drop_upload(tmp_path, outside)
    assert outside.exists()
    inside = _upload(tmp_path, "u1", 0)
    uploads.drop_upload(tmp_path, inside)
    assert not inside.parent.exists() and uploads.uploads_dir(tmp_path).is_dir()
