"""The life cycle of a job row: claim, progress, finish, fail, reap.

The SQL row is the truth; a broker message only says "run job X (dispatch token T)". Two
numbers keep concurrent deliveries honest:

* ``dispatch_token`` grows each time the job is (re)queued. A message whose token is not the
  row's current one is stale (the reaper re-queued the job meanwhile) and is dropped.
* ``attempts`` grows each time a run claims the job. Every later write of that run says
  ``WHERE attempts = <its attempt> AND status = 'running'``: a run that lost its claim (another
  worker took over after its heartbeat went stale) can no longer change the row, and stops.

A delivery of a job that is already ``running`` takes it over only when the previous run is
known dead: the broker says the message was redelivered (RabbitMQ: the consumer that held it
went away without acking) or the row's heartbeat is older than ``stale_after``. After
``max_attempts`` runs the job is marked failed with ``job-lost`` instead, never left hanging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.jobs import TERMINAL_STATUSES, Job, JobFile
from silkhub.errors import SilkhubError

logger = logging.getLogger(__name__)


class JobBrokerUnavailableError(SilkhubError):
    """The job could not be handed to the broker (it is marked failed, nothing runs)."""

    status = 503
    code = "job-broker-unavailable"
    title = "Job queue unavailable"


class JobCancelled(Exception):
    """Raised inside a running job when its owner asked to cancel it."""


class JobClaimLost(Exception):
    """Raised inside a running job when another run took the job over (stop, write nothing)."""


@dataclass(frozen=True)
class Claim:
    """A run's right to work on a job: the attempt number fences its writes."""

    job_id: str
    attempt: int
    kind: str
    params: dict[str, Any]
    owner_user_id: int | None
    owner_organisation_id: int | None
    owner_role: str
    owner_label: str
    max_attempts: int


def _fenced(job_id: str, attempt: int):  # type: ignore[no-untyped-def]
    return and_(Job.id == job_id, Job.attempts == attempt, Job.status == "running")


def claim(
    session: Session,
    job_id: str,
    token: int,
    worker: str,
    *,
    redelivered: bool = False,
    stale_after: float = 30.0,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the job for a run, or return None when this delivery must do nothing.

    The caller commits. See the module docstring for the rules.
    """
    now = now or utcnow()
    job = session.get(Job, job_id)
    if job is None:
        logger.warning("job %s: no such job (message dropped)", job_id)
        return None
    if job.dispatch_token != token or job.status in TERMINAL_STATUSES:
        logger.info("job %s: stale delivery (token %s, status %s)", job_id, token, job.status)
        return None
    old = job.attempts
    if job.status == "queued":
        if job.cancel_requested:
            _set(session, job_id, old, "queued", status="cancelled", finished_at=now)
            return None
    elif job.status == "running":
        hb = job.heartbeat_at
        stale = hb is None or hb < now - timedelta(seconds=stale_after)
        if not (redelivered or stale):
            logger.info("job %s: already running on %s (duplicate delivery)", job_id, job.worker)
            return None
        if old >= job.max_attempts:
            _set(
                session,
                job_id,
                old,
                "running",
                status="failed",
                finished_at=now,
                error_code="job-lost",
                error_message=lost_message(old, job.max_attempts, job.worker),
                **lost_key(old, job.max_attempts, job.worker),
            )
            logger.warning("job %s: lost after %d attempts, marked failed", job_id, old)
            return None
        logger.warning("job %s: previous run on %s died; retrying", job_id, job.worker)
    else:  # pragma: no cover - unknown status
        return None
    done = _set(
        session,
        job_id,
        old,
        job.status,
        status="running",
        attempts=old + 1,
        worker=worker[:200],
        started_at=now,
        heartbeat_at=now,
        progress_pct=0,
        progress_message=None,
        progress_key=None,
        progress_params=None,
    )
    if not done:
        return None
    return Claim(
        job_id=job.id,
        attempt=old + 1,
        kind=job.kind,
        params=dict(job.params or {}),
        owner_user_id=job.owner_user_id,
        owner_organisation_id=job.owner_organisation_id,
        owner_role=job.owner_role,
        owner_label=job.owner_label,
        max_attempts=job.max_attempts,
    )


def lost_message(attempts: int, max_attempts: int, worker: str | None) -> str:
    return (
        f"the job worker running this job stopped ({worker or 'unknown worker'}); "
        f"attempt {attempts} of {max_attempts}, no retry left"
    )


def lost_key(attempts: int, max_attempts: int, worker: str | None) -> dict[str, Any]:
    """``error_key``/``error_params`` of :func:`lost_message`."""
    return {
        "error_key": "jobs.error.lost",
        "error_params": {
            "worker": worker or "?",
            "attempts": attempts,
            "max_attempts": max_attempts,
        },
    }


def _set(session: Session, job_id: str, attempts: int, in_status: str, /, **values: Any) -> bool:
    res = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempts, Job.status == in_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount)  # type: ignore[attr-defined]


def beat(
    session: Session,
    claim_: Claim,
    *,
    pct: int | None = None,
    message: str | None = None,
    key: str | None = None,
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Refresh the heartbeat (and progress: English ``message``, catalog ``key`` + ``params``);
    returns the cancel flag.

    Raises :class:`JobClaimLost` when the run no longer holds the job.
    """
    values: dict[str, Any] = {"heartbeat_at": now or utcnow()}
    if pct is not None:
        values["progress_pct"] = max(0, min(100, int(pct)))
        values["progress_message"] = None if message is None else message[:500]
        values["progress_key"] = None if key is None else key[:120]
        values["progress_params"] = _jsonable(params) if key is not None and params else None
    row = session.execute(
        update(Job)
        .where(_fenced(claim_.job_id, claim_.attempt))
        .values(**values)
        .returning(Job.cancel_requested)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise JobClaimLost(claim_.job_id)
    return bool(row[0])


@dataclass(frozen=True)
class OutputFile:
    filename: str
    media_type: str
    content: bytes


def succeed(
    session: Session,
    claim_: Claim,
    result: Mapping[str, Any] | None,
    files: list[OutputFile],
    *,
    message: str | None = None,
) -> bool:
    """Mark the run succeeded and store its result files (in the caller's transaction)."""
    done = _set(
        session,
        claim_.job_id,
        claim_.attempt,
        "running",
        status="succeeded",
        progress_pct=100,
        progress_message=message,
        progress_key="jobs.msg.done",
        progress_params=None,
        result=dict(result or {}),
        finished_at=utcnow(),
    )
    if done:
        for f in files:
            session.add(
                JobFile(
                    job_id=claim_.job_id,
                    filename=f.filename[:200],
                    media_type=f.media_type[:100],
                    size_bytes=len(f.content),
                    content=f.content,
                )
            )
    return done


def fail(
    session: Session,
    claim_: Claim,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    *,
    key: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> bool:
    """Mark the run failed with its error ``code``, a readable (English) message and the
    message's catalog ``key`` + ``params`` (shown per language)."""
    return _set(
        session,
        claim_.job_id,
        claim_.attempt,
        "running",
        status="failed",
        error_code=code[:60],
        error_message=message,
        error_details=dict(details) if details else None,
        error_key=None if key is None else key[:120],
        error_params=_jsonable(params) if params else None,
        finished_at=utcnow(),
    )


def _jsonable(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {
        str(k): v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
        for k, v in params.items()
    }


def cancelled(session: Session, claim_: Claim) -> bool:
    """Mark the run cancelled (it stopped at a progress check after a cancel request)."""
    return _set(
        session,
        claim_.job_id,
        claim_.attempt,
        "running",
        status="cancelled",
        progress_message="cancelled",
        progress_key="jobs.msg.cancelled",
        progress_params=None,
        finished_at=utcnow(),
    )


def reap(
    session: Session,
    *,
    stale_after: float,
    backend: str | None = None,
    now: datetime | None = None,
    limit: int = 100,
) -> list[tuple[str, int]]:
    """Find running jobs whose heartbeat is older than ``stale_after`` seconds.

    Each is re-queued with a new dispatch token (returned as ``(job_id, token)`` for the caller
    to dispatch after commit) while attempts remain, else marked failed (``job-lost``).
    ``backend`` limits the sweep to jobs of one engine.
    """
    now = now or utcnow()
    q = select(Job).where(
        Job.status == "running", Job.heartbeat_at < now - timedelta(seconds=stale_after)
    )
    if backend is not None:
        q = q.where(Job.backend == backend)
    requeue: list[tuple[str, int]] = []
    for job in session.scalars(q.order_by(Job.heartbeat_at).limit(limit)):
        if job.attempts >= job.max_attempts:
            if _set(
                session,
                job.id,
                job.attempts,
                "running",
                status="failed",
                finished_at=now,
                error_code="job-lost",
                error_message=lost_message(job.attempts, job.max_attempts, job.worker),
                **lost_key(job.attempts, job.max_attempts, job.worker),
            ):
                logger.warning("reaper: job %s lost, marked failed", job.id)
        elif _set(
            session,
            job.id,
            job.attempts,
            "running",
            status="queued",
            dispatch_token=job.dispatch_token + 1,
            worker=None,
            progress_message="re-queued: its worker stopped",
            progress_key="jobs.msg.requeued",
            progress_params=None,
        ):
            logger.warning("reaper: job %s re-queued (worker %s stopped)", job.id, job.worker)
            requeue.append((job.id, job.dispatch_token + 1))
    return requeue


def live_import_paths(session: Session) -> list[str]:
    """``params.path`` of the import jobs that are queued or running (their files are needed)."""
    q = select(Job.params).where(Job.kind == "data.import", Job.status.in_(("queued", "running")))
    return [p["path"] for p in session.scalars(q) if isinstance(p, dict) and p.get("path")]


def requeue_orphans(session: Session, *, backend: str) -> list[tuple[str, int]]:
    """Queued jobs of ``backend`` get a new dispatch token (their in-memory queue was lost).

    Used by the inline engine on start-up: a process that died took its queue with it.
    """
    out: list[tuple[str, int]] = []
    for job in session.scalars(select(Job).where(Job.status == "queued", Job.backend == backend)):
        if _set(session, job.id, job.attempts, "queued", dispatch_token=job.dispatch_token + 1):
            out.append((job.id, job.dispatch_token + 1))
    return out


Dispatcher = Callable[[str, int], None]
