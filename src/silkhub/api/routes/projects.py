"""Projects: CRUD, filtered/sorted cursor lists, dashboard totals, lifecycle transitions and
stage-history queries. Illegal transitions answer 409 with ``allowed_next``."""

from __future__ import annotations

import asyncio
import weakref
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as FPath
from pydantic import TypeAdapter

from silkhub.api.choices import ProjectSort, ProjectSource, ProjectType, Stage, TotalGroup
from silkhub.api.deps import ActorDep, SessionDep, get_actor
from silkhub.api.models import model_of
from silkhub.api.params import IsoDate
from silkhub.data.storage.models.hub import Project
from silkhub.hub import lifecycle
from silkhub.hub import projects as svc
from silkhub.hub.common import MAX_ID
from silkhub.hub.projects.schemas import AwareDatetime as AwareDatetime  # for other routes
from silkhub.hub.projects.schemas import (
    DuplicateWarning,
    ProjectCreated,
    ProjectDetail,
    ProjectPage,
    StageChangeRead,
    TotalRow,
    TransitionIn,
)

#: the durations record of the lifecycle statistics, without the per-project days
DurationsRead = model_of(lifecycle.StageDurations, "DurationsRead", drop=("by_project",))

#: a database id in a path (positive 32-bit integer)
IdPath = Annotated[int, FPath(ge=1, le=MAX_ID)]

PROBLEM = {"content": {"application/problem+json": {}}, "description": "problem+json"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    409: PROBLEM,
    422: PROBLEM,
}

router = APIRouter(prefix="/projects", tags=["projects"], responses=RESPONSES)


def detail(session, project: Project) -> ProjectDetail:  # type: ignore[no-untyped-def]
    out = ProjectDetail.model_validate(project)
    out.allowed_next = list(lifecycle.next_stages(session, project))
    return out


async def filters(
    country: str | None = Query(None, max_length=100, description="ISO3 code or name"),
    region: str | None = Query(None, max_length=100, description="region id or name"),
    sector: str | None = Query(None, max_length=8, description="ISIC rev.4 section or division"),
    stage: list[str] | None = Query(None, description="one or more stages"),
    project_type: ProjectType | None = Query(None, alias="type"),
    source: ProjectSource | None = Query(None),
    organisation_id: int | None = Query(None, ge=1, le=MAX_ID),
    value_min_usd: float | None = Query(None, ge=0),
    value_max_usd: float | None = Query(None, ge=0, description="at least value_min_usd"),
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = Query(None, description="on or after date_from"),
    q: str | None = Query(None, max_length=200, description="text in the zh or en title"),
) -> svc.ProjectFilters:
    return svc.ProjectFilters(
        country=country,
        region=region,
        sector=sector,
        stage=stage,
        project_type=project_type,
        source=source,
        organisation_id=organisation_id,
        value_min_usd=value_min_usd,
        value_max_usd=value_max_usd,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )


#: the project filters as query parameters, parsed in the event loop (no worker-thread hop)
FiltersDep = Annotated[svc.ProjectFilters, Depends(filters)]


@router.get("", response_model=ProjectPage)
async def list_projects(
    request: Request,
    f: FiltersDep,
    sort: ProjectSort = Query("-id", description="id, value_usd, dated_on, stage_on; -desc"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """Projects visible to the caller, filtered, sorted and cursor-paginated."""
    # the hot path: one worker-thread hop for session, caller and query together (as sync
    # dependencies they would cost three more), rows without ORM objects, serialised once;
    # at most LIST_THREADS pages at a time per process (more threads only fight for the GIL
    # and open more database connections), the others wait in the event loop
    return await to_thread.run_sync(
        _project_page, request, f, sort, cursor, limit, limiter=_list_limiter()
    )


#: concurrent project-list pages per process (the rest queue, in arrival order)
LIST_THREADS = 8
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _list_limiter() -> CapacityLimiter:
    """The limiter of the running event loop (a limiter must not be shared between loops,
    e.g. of several test clients)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(LIST_THREADS)
    return limiter


#: validates and serialises a whole page in pydantic-core (the documented ProjectPage schema)
_PAGE = TypeAdapter(ProjectPage)


def _project_page(
    request: Request, f: svc.ProjectFilters, sort: str, cursor: str | None, limit: int
) -> Response:
    runtime = request.app.state.runtime
    with runtime.read_session() as session:
        actor = get_actor(request, session)
        page = svc.list_project_rows(session, actor, f, sort=sort, cursor=cursor, limit=limit)
    body = {"items": page.items, "next_cursor": page.next_cursor, "limit": limit}
    return Response(_PAGE.dump_json(_PAGE.validate_python(body)), media_type="application/json")


@router.get("/totals", response_model=list[TotalRow])
def project_totals(
    session: SessionDep,
    actor: ActorDep,
    f: FiltersDep,
    group_by: TotalGroup = Query("stage", description=", ".join(svc.TOTAL_GROUPS)),
) -> list[TotalRow]:
    """Number of projects and total US$ value per stage, country, sector, type, source or year."""
    rows = svc.project_totals(session, actor, f, group_by=group_by)
    return [TotalRow(**r) for r in rows]


@router.get("/stages/reached", response_model=list[int])
def reached(
    session: SessionDep,
    actor: ActorDep,
    stage: Stage = Query(...),
    year: int | None = Query(None, ge=1900, le=2100),
    start_on: IsoDate | None = None,
    end_on: IsoDate | None = None,
) -> list[int]:
    """Ids of visible projects that first reached ``stage`` in a year or period."""
    return svc.reached(session, actor, stage, year=year, start_on=start_on, end_on=end_on)


@router.get("/stages/durations", response_model=DurationsRead)
def durations(
    session: SessionDep,
    actor: ActorDep,
    from_stage: Stage = Query("signed", alias="from"),
    to_stage: Stage = Query("operational", alias="to"),
) -> DurationsRead:
    """Days from first reaching one stage to another (e.g. signed → operational)."""
    d = svc.durations(session, actor, from_stage, to_stage)
    return DurationsRead.model_validate(d, from_attributes=True)


@router.post("", response_model=ProjectCreated, status_code=201)
def create_project(session: SessionDep, actor: ActorDep, body: svc.ProjectCreate) -> ProjectCreated:
    """Create a project (staff, or members for a project their organisation is party to).

    The answer lists ``repeated_construction``: similar projects already in the hub (same or
    neighbouring region, sector, period, similar zh/en title and value), each with its score and
    reasons, so that a locality sees when it repeats what another already builds.
    """
    project, warnings = svc.create_with_warnings(session, actor, body)
    out = ProjectCreated(**detail(session, project).model_dump())
    out.repeated_construction = [DuplicateWarning(**w) for w in warnings]
    return out


@router.get("/{project_id}", response_model=ProjectDetail)
def get_project(session: SessionDep, actor: ActorDep, project_id: IdPath) -> ProjectDetail:
    return detail(session, svc.get_project(session, actor, project_id))


@router.patch("/{project_id}", response_model=ProjectDetail)
def update_project(
    session: SessionDep, actor: ActorDep, project_id: IdPath, body: svc.ProjectUpdate
) -> ProjectDetail:
    return detail(session, svc.update_project(session, actor, project_id, body))


@router.delete("/{project_id}", status_code=204, response_class=Response)
def delete_project(session: SessionDep, actor: ActorDep, project_id: IdPath) -> Response:
    svc.delete_project(session, actor, project_id)
    return Response(status_code=204)


@router.post("/{project_id}/transitions", response_model=ProjectDetail)
def transition(
    session: SessionDep, actor: ActorDep, project_id: IdPath, body: TransitionIn
) -> ProjectDetail:
    """Move the project to another stage; 409 with ``allowed_next`` when not allowed."""
    p = svc.transition(session, actor, project_id, body.to, body.at, body.note)
    return detail(session, p)


@router.get("/{project_id}/stages", response_model=list[StageChangeRead])
def stage_history(
    session: SessionDep, actor: ActorDep, project_id: IdPath
) -> list[StageChangeRead]:
    """The project's stage changes, oldest first."""
    return [StageChangeRead.model_validate(c) for c in svc.history(session, actor, project_id)]
