"""``/api/v1/jobs``: submit long work (reports, imports ...), watch progress, cancel, download."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, create_model

from silkhub.api.deps import ActorDep, RuntimeDep
from silkhub.jobs.kinds import KINDS, ImportSource
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


class JobList(BaseModel):
    items: list[JobView]
    next_cursor: str | None


class JobKindOut(BaseModel):
    name: str
    title: str
    roles: list[str]
    params_schema: dict[str, Any]


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
    "", response_model=JobView, status_code=202, summary="Submit a job", responses={503: {}}
)
def submit_job(body: JobSubmit, rt: RuntimeDep, actor: ActorDep, response: Response) -> JobView:
    """Queue a job (202 with its state and ``Location``); poll ``GET /jobs/{id}``."""
    job = job_service(rt).submit(
        actor, body.kind, body.params.model_dump(mode="json"), max_attempts=body.max_attempts
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job


@router.post(
    "/imports",
    response_model=JobView,
    status_code=202,
    summary="Upload a file and import it as a job",
    responses={413: {}, 503: {}},
)
def upload_import(
    rt: RuntimeDep,
    actor: ActorDep,
    response: Response,
    file: Annotated[UploadFile, File(description="the data file (CSV, Excel, zip ...)")],
    source: Annotated[ImportSource, Form(description="importer, e.g. wdi")],
    name: Annotated[str | None, Form(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = None,
    indicator: Annotated[str | None, Form(max_length=60, pattern=r"^[^\x00]*$")] = None,
    force: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
    # not nullable in the document: a multipart field has no null (omit it for the default)
    max_attempts: Annotated[int, Form(ge=1, le=10)] = None,  # type: ignore[assignment]  # noqa: RUF013
) -> JobView:
    """A ``data.import`` job on a file sent with the request (multipart, admins; at most
    ``SILKHUB_MAX_UPLOAD_BODY_BYTES``): for files the server does not have."""
    params: dict[str, Any] = {"source": source, "force": force, "skip_invalid": skip_invalid,
                              "dry_run": dry_run}  # fmt: skip
    if name is not None:
        params["name"] = name
    if indicator:
        params["indicator"] = indicator
    job = job_service(rt).submit_upload(
        actor, file.filename or "", file.file, params, max_attempts=max_attempts
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job


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
    return JobList(items=items, next_cursor=nxt)


@router.get("/{job_id}", response_model=JobView, summary="Show a job")
def show_job(rt: RuntimeDep, actor: ActorDep, job_id: str = JobId) -> JobView:
    """Status, progress (0–100 % with a message), result or error, and result files."""
    return job_service(rt).get(actor, job_id)


@router.post("/{job_id}/cancel", response_model=JobView, summary="Cancel a job")
def cancel_job(rt: RuntimeDep, actor: ActorDep, job_id: str = JobId) -> JobView:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    return job_service(rt).cancel(actor, job_id)


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
