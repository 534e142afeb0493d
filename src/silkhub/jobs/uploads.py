"""Uploaded import files: where they wait for their job, and their clean-up.

``POST /api/v1/jobs/imports`` stores a file in ``<data dir>/uploads/<random>/<name>`` and
submits a ``data.import`` job on it. The job removes the folder when it ends; a job whose worker
died keeps it for the retry. A job lost on its last attempt (``job-lost``) never runs again, so
the reapers sweep: a folder no queued or running import job refers to, and older than
``grace_s`` (an upload writes its file before its job row exists), is removed.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from sqlalchemy.orm import Session

from silkhub.jobs import state

logger = logging.getLogger(__name__)

#: an upload folder younger than this is never swept (its job may not be submitted yet)
SWEEP_GRACE_S = 3600.0


def uploads_dir(data_dir: Path | str) -> Path:
    """Where uploaded import files wait for their job."""
    return Path(data_dir) / "uploads"


def drop_upload(data_dir: Path | str, path: Path | str) -> None:
    """Remove the folder of an uploaded file (a path outside the uploads folder is left)."""
    folder = Path(path).resolve().parent
    if folder.parent == uploads_dir(data_dir).resolve():
        shutil.rmtree(folder, ignore_errors=True)


def sweep(
    session: Session,
    data_dir: Path | str,
    *,
    grace_s: float = SWEEP_GRACE_S,
    now: float | None = None,
) -> int:
    """Remove upload folders that no queued or running import job refers to and that are
    older than ``grace_s`` seconds; returns how many were removed."""
    root = uploads_dir(data_dir)
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    old = [d for d in root.iterdir() if d.is_dir() and now - d.stat().st_mtime > grace_s]
    if not old:
        return 0
    live = {Path(p).resolve().parent for p in state.live_import_paths(session)}
    removed = 0
    for folder in old:
        if folder.resolve() not in live:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        logger.info("upload sweep: removed %d folder(s) no job needs", removed)
    return removed
