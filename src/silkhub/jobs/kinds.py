"""What can run as a job: parameters (pydantic), who may submit, and the work itself.

Each kind calls the existing services (report builders, the import runner); nothing is
reimplemented here. ``ctx.progress(pct, message)`` reports progress and is where a cancel
request stops the job (cooperative cancellation).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from silkhub.errors import NotFoundError
from silkhub.hub.policy import Actor

if TYPE_CHECKING:
    from silkhub.bootstrap import Runtime
    from silkhub.jobs.state import OutputFile

ReportFormat = Literal["html", "pdf", "xlsx"]
Lang = Literal["en", "zh"]
#: text fields: no NUL characters (PostgreSQL cannot store them)
NO_NUL = r"^[^\x00]*$"
ANY_USER = frozenset({"admin", "operator", "member", "viewer"})
ADMINS = frozenset({"admin"})


class JobContext:
    """What a running job sees: the runtime, its owner as an actor, progress and outputs."""

    def __init__(
        self,
        runtime: Runtime,
        job_id: str,
        actor: Actor,
        progress: Callable[[float, str | None], None],
    ) -> None:
        self.runtime = runtime
        self.job_id = job_id
        self.actor = actor
        self._progress = progress
        self.files: list[OutputFile] = []

    def progress(self, pct: float, message: str | None = None) -> None:
        """Report progress (0–100); raises JobCancelled when a cancel was requested."""
        self._progress(pct, message)

    def add_file(self, filename: str, media_type: str, content: bytes) -> None:
        from silkhub.jobs.state import OutputFile

        self.files.append(OutputFile(filename, media_type, content))

    def import_progress(self, lo: float, hi: float) -> _ImportProgress:
        """An importer progress object mapping its tasks onto ``lo``–``hi`` percent."""
        return _ImportProgress(self, lo, hi)


class _ImportTask:
    def __init__(self, owner: _ImportProgress, description: str, total: float | None) -> None:
        self.owner, self.description, self.total, self.done = owner, description, total, 0.0

    def advance(self, n: float = 1) -> None:
        self.update(self.done + n)

    def update(self, completed: float) -> None:
        self.done = completed
        frac = min(1.0, completed / self.total) if self.total else 0.0
        o = self.owner
        o.ctx.progress(o.lo + (o.hi - o.lo) * frac, self.description)


class _ImportProgress:
    def __init__(self, ctx: JobContext, lo: float, hi: float) -> None:
        self.ctx, self.lo, self.hi = ctx, lo, hi

    def task(self, description: str, total: float | None) -> _ImportTask:
        self.ctx.progress(self.lo, description)
        return _ImportTask(self, description, total)


class _Params(BaseModel):
    # strict: ``false`` is not 0 seconds, ``"5"`` is not 5 (the CLI decodes JSON values)
    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass(frozen=True)
class JobKind:
    """A kind of job: ``run(ctx, params) -> result dict``; ``check`` validates at submit."""

    name: str
    title: str
    params: type[_Params]
    run: Callable[[JobContext, Any], dict[str, Any]]
    roles: frozenset[str] = ANY_USER
    check: Callable[[Session, Actor, Any], None] | None = None
    max_attempts: int | None = None
    tags: tuple[str, ...] = field(default=())


# -- region report ---------------------------------------------------------------------------
class RegionReportParams(_Params):
    """A region against its peers, as ``silkhub report region``."""

    unit: str = Field(
        min_length=1, max_length=100, pattern=NO_NUL, description="region id or name, e.g. Jinan"
    )
    peers: list[Annotated[str, Field(max_length=100, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=30, description="peer regions"
    )
    format: ReportFormat = "html"
    lang: Lang = "en"

    @field_validator("peers", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [p.strip() for p in v.split(",") if p.strip()]
        return v


class UnknownRegionError(NotFoundError):
    """A region of a report job that the reference data does not know (404, names the field)."""

    code = "unknown-region"

    def __init__(self, message: str, value: str) -> None:
        super().__init__(message, details={"field": "region", "value": value})
        self.field = "region"
        self.value = value


def _check_region(session: Session, actor: Actor, p: RegionReportParams) -> None:
    from silkhub.errors import UnknownChoiceError
    from silkhub.report.profiles import resolve_regions

    try:
        resolve_regions(session, p.unit.strip(), p.peers)
    except UnknownChoiceError as exc:
        raise UnknownRegionError(exc.message, exc.value) from None


def _run_region(ctx: JobContext, p: RegionReportParams) -> dict[str, Any]:
    from silkhub.report.builders import region_report
    from silkhub.report.data import StoreReader
    from silkhub.report.render import MEDIA_TYPES, render

    ctx.progress(5, "collecting the figures")
    reader = StoreReader(ctx.runtime.settings.analytics_dir)
    try:
        with ctx.runtime.session() as s:
            profile = region_report(s, reader, p.unit, p.peers, p.lang)
    finally:
        reader.close()
    ctx.progress(50, f"rendering {p.format}")
    cmd = f"silkhub report region --unit {p.unit}"
    if p.peers:
        cmd += f" --peers {','.join(p.peers)}"
    data = render(profile, p.format, p.lang, command=cmd + f" --format {p.format}")
    ctx.progress(95, "storing the report")
    slug = p.unit.strip().lower().replace(" ", "-")
    ctx.add_file(f"silkhub-region-{slug}.{p.format}", MEDIA_TYPES[p.format], data)
    return {"title": profile.title, "format": p.format, "bytes": len(data)}


# -- hub (event) report ----------------------------------------------------------------------
class HubReportParams(_Params):
    """An event of the hub, as ``silkhub report hub`` (visibility of the job's owner)."""

    event_id: int = Field(ge=1, le=2**31 - 1)
    format: ReportFormat = "html"
    lang: Lang = "en"


def _check_event(session: Session, actor: Actor, p: HubReportParams) -> None:
    from silkhub.hub import events

    events.get_event(session, actor, p.event_id)


def _run_hub(ctx: JobContext, p: HubReportParams) -> dict[str, Any]:
    from silkhub.report.builders import hub_report
    from silkhub.report.render import MEDIA_TYPES, render

    ctx.progress(5, "collecting the event")
    with ctx.runtime.session() as s:
        profile = hub_report(s, ctx.actor, p.event_id, p.lang)
    ctx.progress(50, f"rendering {p.format}")
    cmd = f"silkhub report hub --event {p.event_id} --format {p.format}"
    data = render(profile, p.format, p.lang, command=cmd)
    ctx.add_file(f"silkhub-event-{p.event_id}.{p.format}", MEDIA_TYPES[p.format], data)
    return {"title": profile.title, "format": p.format, "bytes": len(data)}


# -- data import -----------------------------------------------------------------------------
ImportSource = Literal[
    "wdi", "baci", "wits", "comtrade", "openflights", "cgit", "gcdf", "beltandroad",
    "econcomplexity", "regional",
]  # fmt: skip


class ImportParams(_Params):
    """Import a file or folder on the server into the analytics store (admins only)."""

    source: ImportSource = Field(description="importer, e.g. wdi")
    path: str = Field(
        min_length=1, max_length=1000, pattern=NO_NUL, description="file or folder on the server"
    )
    name: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,62}$")
    indicator: str | None = Field(default=None, max_length=60, pattern=NO_NUL)
    force: bool = False
    skip_invalid: bool = False
    dry_run: bool = False


def _check_import(session: Session, actor: Actor, p: ImportParams) -> None:
    try:
        found = Path(p.path).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long ...
        found = False
    if not found:
        raise NotFoundError(f"{p.path}: no such file or folder on the server")


def _run_import(ctx: JobContext, p: ImportParams) -> dict[str, Any]:
    from silkhub.data.importers.runner import run_import
    from silkhub.data.store import AnalyticsStore

    ctx.progress(1, "starting the import")
    store = AnalyticsStore(ctx.runtime.settings.analytics_dir)
    options: dict[str, Any] = {}
    if p.indicator:
        options["indicator"] = p.indicator
    cmd = f"silkhub jobs submit data.import (job {ctx.job_id})"
    if p.source == "regional":
        with ctx.runtime.session() as s:
            options["session"] = s
            results = _do_import(run_import, store, p, options, cmd, ctx)
    else:
        results = _do_import(run_import, store, p, options, cmd, ctx)
    return {
        "datasets": [
            {"dataset": r.dataset, "status": r.status, "rows": r.rows, "version": r.version}
            for r in results
        ]
    }


def _do_import(run_import, store, p: ImportParams, options, cmd: str, ctx: JobContext):  # type: ignore[no-untyped-def]
    # the store publishes a version atomically (staging directory, rename, catalog replace):
    # a job killed or cancelled here leaves the previous version current
    return run_import(
        store,
        p.source,
        Path(p.path),
        name=p.name,
        dry_run=p.dry_run,
        progress=ctx.import_progress(2, 98),
        command=cmd,
        options=options,
        skip_invalid=p.skip_invalid,
        force=p.force,
    )


# -- probe -----------------------------------------------------------------------------------
class ProbeParams(_Params):
    """Sleep in steps, reporting progress: checks that job workers run (deployment smoke)."""

    seconds: float = Field(default=1.0, ge=0, le=600)
    steps: int = Field(default=10, ge=1, le=1000)


def _run_probe(ctx: JobContext, p: ProbeParams) -> dict[str, Any]:
    for i in range(p.steps):
        ctx.progress(100 * i / p.steps, f"step {i + 1} of {p.steps}")
        time.sleep(p.seconds / p.steps)
    return {"slept_s": p.seconds}


KINDS: dict[str, JobKind] = {
    k.name: k
    for k in (
        JobKind(
            "report.region", "Region report", RegionReportParams, _run_region, check=_check_region
        ),
        JobKind("report.hub", "Event report", HubReportParams, _run_hub, check=_check_event),
        JobKind(
            "data.import",
            "Data import",
            ImportParams,
            _run_import,
            roles=ADMINS,
            check=_check_import,
        ),
        JobKind("probe", "Probe (job worker check)", ProbeParams, _run_probe, roles=ADMINS),
    )
}
