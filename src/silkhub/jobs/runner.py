"""Run one delivery of a job: claim it, keep its heartbeat, do the work, record the outcome.

The same function runs in the inline engine's threads and in ``silkhub jobs worker``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import TYPE_CHECKING

from pydantic import ValidationError as PydanticValidationError

from silkhub.errors import SilkhubError
from silkhub.hub.policy import Actor
from silkhub.jobs import metrics, state
from silkhub.jobs.kinds import KINDS, JobContext

if TYPE_CHECKING:
    from silkhub.bootstrap import Runtime

logger = logging.getLogger(__name__)

#: progress writes are throttled to one per this many seconds (the cancel flag is read then)
PROGRESS_EVERY_S = 0.5


def worker_label(engine: str) -> str:
    return f"{engine}@{socket.gethostname()}:{os.getpid()}/{threading.current_thread().name}"


def _owner_actor(runtime: Runtime, claim: state.Claim) -> Actor:
    """The owner as an actor, re-read from the database (a deactivated user runs nothing)."""
    if claim.owner_user_id is None:
        return Actor(None, claim.owner_organisation_id, claim.owner_role, claim.owner_label)
    from silkhub.data.storage.models.accounts import User
    from silkhub.errors import PermissionDeniedError
    from silkhub.hub.accounts import actor_for

    with runtime.session() as s:
        user = s.get(User, claim.owner_user_id)
        if user is None or not user.active:
            raise PermissionDeniedError("the owner of this job is no longer an active user")
        return actor_for(user)


class _Heart:
    """Heartbeat thread of a run; also reads the cancel flag between progress reports."""

    def __init__(self, runtime: Runtime, claim: state.Claim, every: float) -> None:
        self.runtime, self.claim, self.every = runtime, claim, every
        self.cancel = False
        self.lost = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last = 0.0
        #: the latest progress report that the throttle held back (the heartbeat writes it)
        self._pending: tuple[int, str | None, str | None, dict | None] | None = None
        self._thread = threading.Thread(target=self._loop, name="job-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        tick = min(self.every, PROGRESS_EVERY_S)
        while not self._stop.wait(tick):
            pending = self._pending
            if pending is not None:
                self._write(*pending)
            elif time.monotonic() - self._last >= self.every:
                self._write(None, None)

    def _write(
        self,
        pct: int | None,
        message: str | None,
        key: str | None = None,
        params: dict | None = None,
    ) -> None:
        with self._lock:
            if pct is not None:
                self._pending = None
            try:
                with self.runtime.session() as s:
                    flag = state.beat(
                        s, self.claim, pct=pct, message=message, key=key, params=params
                    )
                    self.cancel = flag or self.cancel
            except state.JobClaimLost:
                self.lost = True
            except Exception:  # a database blip must not kill the job; the next beat retries
                logger.exception("job %s: heartbeat failed", self.claim.job_id)
            self._last = time.monotonic()

    def progress(
        self, pct: float, message: str | None, key: str | None = None, params: dict | None = None
    ) -> None:
        now = time.monotonic()
        if pct <= 0 or pct >= 100 or now - self._last >= PROGRESS_EVERY_S:
            self._write(int(pct), message, key, params)
        else:  # throttled: the heartbeat thread writes it within PROGRESS_EVERY_S
            self._pending = (int(pct), message, key, params)
        if self.lost:
            raise state.JobClaimLost(self.claim.job_id)
        if self.cancel:
            raise state.JobCancelled(self.claim.job_id)


def execute(
    runtime: Runtime, job_id: str, token: int, *, engine: str, redelivered: bool = False
) -> str | None:
    """Run one delivery of ``job_id``; returns the final status (None: nothing to do)."""
    settings = runtime.settings
    with runtime.session() as s:
        claim = state.claim(
            s,
            job_id,
            token,
            worker_label(engine),
            redelivered=redelivered,
            stale_after=settings.jobs_stale_seconds,
        )
    if claim is None:
        return None
    kind = KINDS.get(claim.kind)
    heart = _Heart(runtime, claim, settings.jobs_heartbeat_seconds)
    heart.start()
    started = time.monotonic()
    status = "failed"
    try:
        if kind is None:
            raise SilkhubError(f"unknown job kind {claim.kind!r}")
        params = kind.params.model_validate(claim.params)
        ctx = JobContext(runtime, job_id, _owner_actor(runtime, claim), heart.progress)
        result = kind.run(ctx, params)
        heart.stop()
        if heart.cancel:  # asked to cancel after its last progress check: honour it
            raise state.JobCancelled(job_id)
        with runtime.session() as s:
            ok = state.succeed(s, claim, result, ctx.files, message="done")
        status = "succeeded" if ok else "lost-claim"
    except state.JobCancelled:
        with runtime.session() as s:
            state.cancelled(s, claim)
        status = "cancelled"
    except state.JobClaimLost:
        logger.warning("job %s attempt %d: another run took over; stopped", job_id, claim.attempt)
        status = "lost-claim"
    except SilkhubError as exc:
        with runtime.session() as s:
            state.fail(
                s, claim, exc.code, exc.message, _details(exc), key=exc.key, params=exc.params
            )
    except PydanticValidationError as exc:
        with runtime.session() as s:
            state.fail(
                s,
                claim,
                "validation-error",
                f"invalid job parameters: {exc}",
                key="jobs.error.params",
            )
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, claim.kind)
        with runtime.session() as s:
            state.fail(
                s,
                claim,
                "job-internal-error",
                f"{type(exc).__name__}: {exc}",
                key="jobs.error.internal",
                params={"error": type(exc).__name__},
            )
    finally:
        heart.stop()
    metrics.observe_run(claim.kind, status, time.monotonic() - started)
    logger.info("job %s (%s) attempt %d: %s", job_id, claim.kind, claim.attempt, status)
    return status


def _details(exc: SilkhubError) -> dict:
    from silkhub.hub.audit import to_jsonable

    return {k: to_jsonable(v) for k, v in exc.details.items()} if exc.details else {}
