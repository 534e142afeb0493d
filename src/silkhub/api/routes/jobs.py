"""``/api/v1/jobs``: submit long work (reports, imports ...), watch progress, cancel, download."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, create_model

from silkhub.api.deps import ActorDep, RuntimeDep
from silkhub.jobs.kinds import KINDS
from silkhub.jobs.service import JobView, job_service

router = APIRouter(prefix="/jobs", tags=["jobs"])

JobId = PathParam(..., pattern=r"^[0-9a-f]{32}$", description="job id")


def _submit_model(name: str, params: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        "Submit_" + name.replace(".", "_"),
        __doc__=f"Submit a {name} job.",
        kind=(Literal[name], Field(description="job kind")),  # type: ignore[valid-type]
        params=(params, Field(default_factory=params)) if not _required(params) else (params, ...),
        max_attempts=(int | None, Field(default=None, ge=1, le=10)),
    )


def _required(model: type[BaseModel]) -> bool:
    return any(f.is_required() for f in model.model_fields.values())


_VARIANTS = tuple(_submit_model(k.name, k.params) for k in KINDS.values())
#: the body of ``POST /jobs``: the kind picks the parameter model (``GET /jobs/kinds``)
JobSubmit = Annotated[Union[_VARIANTS], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007


class JobFileOut(BaseModel):
    index: int
    filename: str
    media_type: str
    bytes: int
    url: str


class JobOut(BaseModel):
    """A job's state; ``result``/``params`` are withheld (``result_hidden``) from staff of
    other organisations."""

    id: str
    kind: str
    status: str
    progress_pct: int
    progress_message: str | None
    params: dict[str, Any]
    owner_user_id: int | None
    owner_organisation_id: int | None
    owner_label: str
    result: dict[str, Any] | None
    result_hidden: bool
    error_code: str | None
    error_message: str | None
    error_details: dict[str, Any] | None
    cancel_requested: bool
    attempts: int
    max_attempts: int
    backend: str
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    files: list[JobFileOut]


class JobList(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class JobKindOut(BaseModel):
    name: str
    title: str
    roles: list[str]
    params_schema: dict[str, Any]


def _out(v: JobView) -> JobOut:
    d = {k: getattr(v, k) for k in JobOut.model_fields if k != "files"}
    files = [JobFileOut(**f, url=f"/api/v1/jobs/{v.id}/files/{f['index']}") for f in v.files]
    return JobOut(**d, files=files)


@router.get("/kinds", response_model=list[JobKindOut], summary="Kinds of jobs")
def list_kinds() -> list[JobKindOut]:
    """Every job kind with the JSON schema of its parameters and who may submit it."""
    return [
        JobKindOut(
            name=k.name,
            title=k.title,
            roles=sorted(k.roles),
            params_schema=k.params.model_json_schema(),
        )
        for k in KINDS.values()
    ]


@router.post(
    "", response_model=JobOut, status_code=202, summary="Submit a job", responses={503: {}}
)
def submit_job(body: JobSubmit, rt: RuntimeDep, actor: ActorDep, response: Response) -> JobOut:
    """Queue a job (202 with its state and ``Location``); poll ``GET /jobs/{id}``."""
    job = job_service(rt).submit(
        actor, body.kind, body.params.model_dump(mode="json"), max_attempts=body.max_attempts
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return _out(job)


@router.get("", response_model=JobList, summary="List jobs")
def list_jobs(
    rt: RuntimeDep,
    actor: ActorDep,
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"] | None = Query(None),
    kind: str | None = Query(None, max_length=40),
    mine: bool = Query(False, description="staff: only my own jobs"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, pattern=r"^[0-9a-f]{32}$"),
) -> JobList:
    """Newest first: your own jobs (hub staff: everyone's)."""
    items, nxt = job_service(rt).list(
        actor, status=status, kind=kind, mine=mine, limit=limit, before=cursor
    )
    return JobList(items=[_out(v) for v in items], next_cursor=nxt)


@router.get("/{job_id}", response_model=JobOut, summary="Show a job")
def show_job(rt: RuntimeDep, actor: ActorDep, job_id: str = JobId) -> JobOut:
    """Status, progress (0–100 % with a message), result or error, and result files."""
    return _out(job_service(rt).get(actor, job_id))


@router.post("/{job_id}/cancel", response_model=JobOut, summary="Cancel a job")
def cancel_job(rt: RuntimeDep, actor: ActorDep, job_id: str = JobId) -> JobOut:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    return _out(job_service(rt).cancel(actor, job_id))


@router.get(
    "/{job_id}/files/{index}",
    summary="Download a job's file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def job_file(
    rt: RuntimeDep, actor: ActorDep, job_id: str = JobId, index: int = PathParam(..., ge=0, le=99)
) -> Response:
    """The file a succeeded job produced (e.g. the report)."""
    name, media_type, content = job_service(rt).file(actor, job_id, index)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
