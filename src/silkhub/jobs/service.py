"""Jobs for callers: submit, list, show, cancel, download — ownership and audit in one place.

Rules (see ``docs/security.md`` and ``docs/decisions.md``, Jobs):

* submitting needs an account (a job has an owner) and the kind's role (imports: admins);
* owners see their own jobs; hub staff (admin, operator) see every job;
* a job's result and files are shown to its owner, to admins, and to operators of the owner's
  organisation (or to any staff member for jobs of staff without an organisation); nobody
  sees another organisation's results (they read ``result_hidden``);
* a job another user cannot see answers 404, as the hub's records do;
* cancelling: the owner or hub staff; every submit and cancel writes an audit entry.
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.bootstrap import Runtime
from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.jobs import JOB_STATUSES, TERMINAL_STATUSES, Job, JobFile
from silkhub.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    SilkhubError,
    UnknownChoiceError,
    ValidationError,
)
from silkhub.hub._audit import audit
from silkhub.hub.policy import Actor
from silkhub.jobs import state
from silkhub.jobs.engines import Engine, engine_for
from silkhub.jobs.kinds import KINDS
from silkhub.jobs.uploads import uploads_dir

MAX_PAGE = 200


class JobFileView(BaseModel):
    """A file a succeeded job produced (e.g. the report); ``url`` downloads it (API)."""

    model_config = ConfigDict(frozen=True)

    index: int
    filename: str
    media_type: str
    bytes: int
    url: str


class JobView(BaseModel):
    """A job as one reader may see it: the one model of a job for the API (response body),
    the web pages and the CLI. ``result``/``params``/error text are withheld
    (``result_hidden``) from staff of other organisations."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    status: str
    progress_pct: int
    progress_message: str | None
    progress_key: str | None = None
    progress_params: dict[str, Any] | None = None
    params: dict[str, Any]
    owner_user_id: int | None
    owner_organisation_id: int | None
    owner_label: str
    result: dict[str, Any] | None
    result_hidden: bool
    error_code: str | None
    error_message: str | None
    error_details: dict[str, Any] | None
    error_key: str | None = None
    error_params: dict[str, Any] | None = None
    cancel_requested: bool
    attempts: int
    max_attempts: int
    backend: str
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    files: list[JobFileView]

    @property
    def done(self) -> bool:
        """The job ended (succeeded, failed or cancelled)."""
        return self.status in TERMINAL_STATUSES


def _can_see(actor: Actor, job: Job) -> bool:
    if actor.is_staff:
        return True
    return actor.user_id is not None and actor.user_id == job.owner_user_id


def _can_see_result(actor: Actor, job: Job) -> bool:
    if actor.role == "admin" or (actor.user_id is not None and actor.user_id == job.owner_user_id):
        return True
    if not actor.is_staff:
        return False
    if job.owner_organisation_id is None:
        return job.owner_role in ("admin", "operator")
    return actor.organisation_id == job.owner_organisation_id


def _need_user(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise AuthenticationError("sign in to run or see jobs")


def view(session: Session, actor: Actor, job: Job, *, with_files: bool = True) -> JobView:
    shown = _can_see_result(actor, job)
    files: list[JobFileView] = []
    if shown and with_files and job.status == "succeeded":
        rows = session.execute(
            select(JobFile.id, JobFile.filename, JobFile.media_type, JobFile.size_bytes)
            .where(JobFile.job_id == job.id)
            .order_by(JobFile.id)
        )
        files = [
            JobFileView(
                index=i,
                filename=r.filename,
                media_type=r.media_type,
                bytes=r.size_bytes,
                url=f"/api/v1/jobs/{job.id}/files/{i}",
            )
            for i, r in enumerate(rows)
        ]
    return JobView(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress_pct=job.progress_pct,
        progress_message=job.progress_message,
        progress_key=job.progress_key,
        progress_params=job.progress_params,
        params=dict(job.params or {}) if shown else {},
        owner_user_id=job.owner_user_id,
        owner_organisation_id=job.owner_organisation_id,
        owner_label=job.owner_label,
        result=job.result if shown else None,
        result_hidden=not shown,
        error_code=job.error_code,
        error_message=job.error_message if shown else None,
        error_details=job.error_details if shown else None,
        error_key=job.error_key,
        error_params=job.error_params if shown else None,
        cancel_requested=job.cancel_requested,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        backend=job.backend,
        worker=job.worker,
        created_at=job.created_at,
        started_at=job.started_at,
        heartbeat_at=job.heartbeat_at,
        finished_at=job.finished_at,
        files=files,
    )


def validate_params(kind: str, params: dict[str, Any] | None) -> Any:
    """The kind's parameter model, or a ValidationError naming each bad field."""
    k = KINDS.get(kind)
    if k is None:
        raise UnknownChoiceError("job kind", kind, sorted(KINDS), field="kind")
    try:
        return k.params.model_validate(params or {})
    except PydanticValidationError as exc:
        errors = [
            {
                "field": ".".join(["params", *(str(p) for p in e["loc"])]),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "params", "message": "invalid"}
        raise ValidationError(
            f"{first['field']}: {first['message']}", errors=errors, field=first["field"]
        ) from None


class JobService:
    """Job operations over one runtime and its engine."""

    def __init__(self, runtime: Runtime, engine: Engine | None = None) -> None:
        self.runtime = runtime
        self.engine = engine or engine_for(runtime)

    # -- writes --------------------------------------------------------------------------
    def submit(
        self,
        actor: Actor,
        kind: str,
        params: dict[str, Any] | None,
        *,
        max_attempts: int | None = None,
    ) -> JobView:
        """Validate, store the job as queued (audited) and hand it to the engine."""
        _need_user(actor)
        model = validate_params(kind, params)
        k = KINDS[kind]
        if actor.role not in k.roles:
            raise PermissionDeniedError(f"jobs of kind {kind!r} need the role {'/'.join(k.roles)}")
        attempts = max_attempts or k.max_attempts or self.runtime.settings.jobs_max_attempts
        if not 1 <= attempts <= 10:
            raise ValidationError("max_attempts must be between 1 and 10", field="max_attempts")
        with self.runtime.session() as s:
            if k.check is not None:
                k.check(s, actor, model)
            job = Job(
                id=uuid.uuid4().hex,
                kind=kind,
                params=model.model_dump(mode="json"),
                owner_user_id=actor.user_id,
                owner_organisation_id=actor.organisation_id,
                owner_role=actor.role,
                owner_label=(actor.label or actor.role)[:254],
                status="queued",
                progress_pct=0,
                progress_message="queued",
                progress_key="jobs.msg.queued",
                cancel_requested=False,
                attempts=0,
                max_attempts=attempts,
                dispatch_token=1,
                backend=self.engine.backend,
                created_at=utcnow(),
            )
            s.add(job)
            s.flush()
            audit(s, actor, "job.submit", "job", job.id, after={"kind": kind, **job.params})
        try:
            self.engine.dispatch(job.id, 1)
        except state.JobBrokerUnavailableError as exc:
            with self.runtime.session() as s:
                row = s.get(Job, job.id)
                if row is not None and row.status == "queued":
                    row.status = "failed"
                    row.error_code = exc.code
                    row.error_message = exc.message
                    row.finished_at = utcnow()
            raise
        return self.get(actor, job.id)

    def submit_upload(
        self,
        actor: Actor,
        filename: str,
        stream: BinaryIO,
        params: dict[str, Any],
        *,
        max_attempts: int | None = None,
    ) -> JobView:
        """Store an uploaded file for a ``data.import`` job, then submit the job on it.

        The file goes to ``<data dir>/uploads/<random>/<name>`` (job workers share the data
        dir with the API workers, as they share the Parquet store); at most
        ``SILKHUB_MAX_UPLOAD_BODY_BYTES``. The import job removes it when it ends; a job whose
        worker died keeps it for the retry. ``params`` are the import's without ``path``.
        """
        _need_user(actor)
        if actor.role not in KINDS["data.import"].roles:
            raise PermissionDeniedError("jobs of kind 'data.import' need the role admin")
        name = _upload_name(filename)
        if "path" in params:
            raise ValidationError(
                "an upload gives the file; leave out params.path", field="params.path"
            )
        validate_params("data.import", {**params, "path": name})  # bad params: nothing stored
        limit = self.runtime.settings.max_upload_body_bytes
        folder = uploads_dir(self.runtime.settings.data_dir) / uuid.uuid4().hex
        folder.mkdir(parents=True)
        target = folder / name
        try:
            size = 0
            with target.open("wb") as out:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise UploadTooLargeError(
                            key="jobs.upload.too_large", params={"limit": limit}
                        )
                    out.write(chunk)
            if size == 0:
                raise ValidationError(key="jobs.upload.empty", field="file")
            return self.submit(
                actor, "data.import", {**params, "path": str(target)}, max_attempts=max_attempts
            )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def cancel(self, actor: Actor, job_id: str) -> JobView:
        """Cancel a queued job now, or ask a running one to stop at its next progress report."""
        _need_user(actor)
        with self.runtime.session() as s:
            job = self._load(s, actor, job_id)
            if not (actor.is_staff or actor.user_id == job.owner_user_id):
                raise PermissionDeniedError("only the job's owner or hub staff may cancel it")
            if actor.role == "viewer" and actor.user_id != job.owner_user_id:
                raise PermissionDeniedError("viewers cannot cancel jobs")
            if job.status in TERMINAL_STATUSES:
                raise ConflictError(f"job {job_id} is already {job.status}")
            before = {"status": job.status}
            job.cancel_requested = True
            if job.status == "queued":
                job.status = "cancelled"
                job.finished_at = utcnow()
                job.progress_message = "cancelled"
                job.progress_key = "jobs.msg.cancelled"
            s.flush()
            audit(
                s,
                actor,
                "job.cancel",
                "job",
                job.id,
                before=before,
                after={"status": job.status, "cancel_requested": True},
            )
            return view(s, actor, job)

    # -- reads ---------------------------------------------------------------------------
    def _load(self, s: Session, actor: Actor, job_id: str) -> Job:
        job = s.get(Job, job_id) if len(job_id) <= 32 and "\x00" not in job_id else None
        if job is None or not _can_see(actor, job):
            raise NotFoundError(f"job {job_id!r} not found", details={"job": job_id})
        return job

    def get(self, actor: Actor, job_id: str) -> JobView:
        _need_user(actor)
        with self.runtime.session() as s:
            return view(s, actor, self._load(s, actor, job_id))

    def list(
        self,
        actor: Actor,
        *,
        status: str | None = None,
        kind: str | None = None,
        mine: bool = False,
        limit: int = 50,
        before: str | None = None,
    ) -> tuple[list[JobView], str | None]:
        """Newest first; ``before`` is the ``next_cursor`` of the previous page."""
        _need_user(actor)
        if status is not None and status not in JOB_STATUSES:
            raise UnknownChoiceError("status", status, JOB_STATUSES)
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError(f"limit must be between 1 and {MAX_PAGE}", field="limit")
        with self.runtime.session() as s:
            q = select(Job)
            if mine or not actor.is_staff:
                q = q.where(Job.owner_user_id == actor.user_id)
            if status is not None:
                q = q.where(Job.status == status)
            if kind is not None:
                q = q.where(Job.kind == kind)
            if before:
                ref = s.get(Job, before) if len(before) <= 32 else None
                if ref is None:
                    raise NotFoundError(f"cursor {before!r}: no such job", details={"job": before})
                q = q.where(
                    (Job.created_at < ref.created_at)
                    | ((Job.created_at == ref.created_at) & (Job.id < ref.id))
                )
            rows = list(
                s.scalars(q.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1))
            )
            more = len(rows) > limit
            rows = rows[:limit]
            items = [view(s, actor, j, with_files=False) for j in rows]
        return items, (rows[-1].id if more and rows else None)

    def file(self, actor: Actor, job_id: str, index: int = 0) -> tuple[str, str, bytes]:
        """``(filename, media_type, content)`` of a succeeded job's file."""
        _need_user(actor)
        with self.runtime.session() as s:
            job = self._load(s, actor, job_id)
            if not _can_see_result(actor, job):
                raise NotFoundError(f"job {job_id!r} has no file for you")
            if job.status != "succeeded":
                raise ConflictError(
                    f"job {job_id} is {job.status}; its file comes when it succeeds"
                )
            files = list(
                s.scalars(select(JobFile).where(JobFile.job_id == job_id).order_by(JobFile.id))
            )
            if not 0 <= index < len(files):
                raise NotFoundError(f"job {job_id} has no file {index}")
            f = files[index]
            return f.filename, f.media_type, f.content

    def queued_count(self) -> int:
        with self.runtime.session() as s:
            return int(
                s.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) or 0
            )


class UploadTooLargeError(SilkhubError):
    """An uploaded file over ``SILKHUB_MAX_UPLOAD_BODY_BYTES`` (nothing is kept)."""

    status = 413
    code = "body-too-large"
    title = "Request body too large"


#: file types the importers read (CSV, Excel, zipped CSV, Parquet, JSON, text)
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".xls", ".zip", ".parquet", ".json", ".txt")


def _upload_name(filename: str | None) -> str:
    """A safe file name (no folders, no NUL) keeping the suffix the importers look at."""
    name = Path((filename or "").replace("\\", "/")).name.strip().replace("\x00", "")
    name = re.sub(r"[^\w.\-]+", "_", name)[-120:].lstrip(".")
    if not name or not name.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationError(key="jobs.upload.name", field="file")
    return name


def job_service(runtime: Runtime) -> JobService:
    """The service for ``runtime`` (one per runtime, engine included)."""
    svc = runtime.extras.get("jobs_service")
    if svc is None:
        svc = JobService(runtime)
        runtime.extras["jobs_service"] = svc
        from silkhub.jobs import metrics

        metrics.register_depth(runtime.settings.jobs_queue, svc.queued_count)
    return svc  # type: ignore[return-value]
