"""What can run as a job: parameters (pydantic), who may submit, and the work itself.

Each kind calls the existing services (report builders, the import runner, the index,
gravity, scheduling and duplicate services); nothing is reimplemented here.
``ctx.step(pct, key, **params)`` (a catalog message) or ``ctx.progress(pct, text)`` reports
progress and is where a cancel request stops the job (cooperative cancellation): a service
that offers no progress hook (the Monte Carlo, a CP-SAT solve, a PPML fit) is not interrupted
inside; the cancel takes effect at the next report, before anything is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
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
        progress: Callable[..., None],
    ) -> None:
        self.runtime = runtime
        self.job_id = job_id
        self.actor = actor
        self._progress = progress
        self.files: list[OutputFile] = []

    def progress(self, pct: float, message: str | None = None) -> None:
        """Report progress (0–100) with a free text (e.g. an importer's task); raises
        JobCancelled when a cancel was requested."""
        self._progress(pct, message)

    def step(self, pct: float, key: str, **params: Any) -> None:
        """Report progress with a catalog message (``jobs.msg.*``): English in
        ``progress_message``, the key and params for other languages; raises JobCancelled
        when a cancel was requested."""
        from silkhub.i18n import gettext

        self._progress(pct, gettext(key, "en", **params), key, params)

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


def _integral(value: Any) -> Any:
    """A JSON number with no fraction (``124.0``) is an integer, as JSON Schema says; other
    values go on to the strict check unchanged (``124.5``, ``"124"`` and ``true`` fail)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: an integer parameter: strict, except that ``124.0`` counts as 124
Int = Annotated[int, BeforeValidator(_integral)]
#: an optional one (not ``Int | None``: pydantic would then write a Field's bounds into the
#: JSON schema as "ge"/"le" instead of "minimum"/"maximum")
OptInt = Annotated[int | None, BeforeValidator(_integral)]


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
    from silkhub.report.region import resolve_regions

    try:
        resolve_regions(session, p.unit.strip(), p.peers)
    except UnknownChoiceError as exc:
        raise UnknownRegionError(exc.message, exc.value) from None


def _run_region(ctx: JobContext, p: RegionReportParams) -> dict[str, Any]:
    from silkhub.report.builders import region_report
    from silkhub.report.data import StoreReader
    from silkhub.report.render import MEDIA_TYPES, render

    ctx.step(5, "jobs.msg.collecting_figures")
    reader = StoreReader(ctx.runtime.settings.analytics_dir)
    try:
        with ctx.runtime.session() as s:
            profile = region_report(s, reader, p.unit, p.peers, p.lang)
    finally:
        reader.close()
    ctx.step(50, "jobs.msg.rendering", format=p.format.upper())
    cmd = f"silkhub report region --unit {p.unit}"
    if p.peers:
        cmd += f" --peers {','.join(p.peers)}"
    data = render(profile, p.format, p.lang, command=cmd + f" --format {p.format}")
    ctx.step(95, "jobs.msg.storing_report")
    slug = p.unit.strip().lower().replace(" ", "-")
    ctx.add_file(f"silkhub-region-{slug}.{p.format}", MEDIA_TYPES[p.format], data)
    return {"title": profile.title, "format": p.format, "bytes": len(data)}


# -- hub (event) report ----------------------------------------------------------------------
class HubReportParams(_Params):
    """An event of the hub, as ``silkhub report hub`` (visibility of the job's owner)."""

    event_id: Int = Field(ge=1, le=2**31 - 1)
    format: ReportFormat = "html"
    lang: Lang = "en"


def _check_event(session: Session, actor: Actor, p: HubReportParams) -> None:
    from silkhub.hub import events

    events.get_event(session, actor, p.event_id)


def _run_hub(ctx: JobContext, p: HubReportParams) -> dict[str, Any]:
    from silkhub.report.builders import hub_report
    from silkhub.report.render import MEDIA_TYPES, render

    ctx.step(5, "jobs.msg.collecting_event")
    with ctx.runtime.session() as s:
        profile = hub_report(s, ctx.actor, p.event_id, p.lang)
    ctx.step(50, "jobs.msg.rendering", format=p.format.upper())
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

    ctx.step(1, "jobs.msg.import_start")
    store = AnalyticsStore(ctx.runtime.settings.analytics_dir)
    options: dict[str, Any] = {}
    if p.indicator:
        options["indicator"] = p.indicator
    cmd = f"silkhub jobs submit data.import (job {ctx.job_id})"
    try:
        if p.source == "regional":
            with ctx.runtime.session() as s:
                options["session"] = s
                results = _do_import(run_import, store, p, options, cmd, ctx)
        else:
            results = _do_import(run_import, store, p, options, cmd, ctx)
    finally:  # an uploaded file is removed once its job ended (kept when the worker died)
        from silkhub.jobs.uploads import drop_upload

        drop_upload(ctx.runtime.settings.data_dir, p.path)
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
    steps: Int = Field(default=10, ge=1, le=1000)


def _run_probe(ctx: JobContext, p: ProbeParams) -> dict[str, Any]:
    for i in range(p.steps):
        ctx.step(100 * i / p.steps, "jobs.msg.step", i=i + 1, n=p.steps)
        time.sleep(p.seconds / p.steps)
    return {"slept_s": p.seconds}


# -- index with Monte Carlo uncertainty -----------------------------------------------------
#: Monte Carlo runs of an index job (the synchronous API stops at 20,000; a job may run longer)
MAX_JOB_MC = 200_000
STAFF = frozenset({"admin", "operator"})


_ANALYTICS = Path(__file__).resolve().parents[1] / "analytics"
#: shipped index frameworks and gravity specs (file names; read without importing pandas)
FrameworkCode = Literal.__getitem__(  # type: ignore[misc]
    tuple(sorted(p.stem for p in (_ANALYTICS / "frameworks").glob("*.yaml")))
)
PackagedSpec = Literal.__getitem__(  # type: ignore[misc]
    tuple(sorted(p.stem for p in (_ANALYTICS / "gravity_specs").glob("*.yaml")))
)


class IndexParams(_Params):
    """An internationalization index with Monte Carlo rank intervals, as ``silkhub index
    compute --mc N`` (shipped frameworks and the default data: demo, store, hub)."""

    framework: FrameworkCode = Field(  # type: ignore[valid-type]
        default="city-internationalization", description="a shipped framework"
    )
    year: OptInt = Field(default=None, ge=1900, le=2100)
    max_lag: Int = Field(default=5, ge=0, le=50, description="years a value may be carried")
    mc_runs: Int = Field(default=1000, ge=1, le=MAX_JOB_MC, description="Monte Carlo runs")
    seed: Int = Field(default=1, ge=0, le=2**63 - 1)
    weight_spread: float = Field(default=0.25, ge=0, lt=1)
    imputation: Literal["none", "mean", "em"] = "em"
    outliers: Literal["winsorise", "none"] = "winsorise"
    normalisation: Literal["minmax", "zscore", "rank", "frontier", "target"] = "minmax"
    weighting: Literal["user", "equal", "pca", "budget"] = "user"
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic"
    min_coverage: float = Field(default=0.3, ge=0, le=1)
    min_unit_coverage: float = Field(default=0.5, ge=0, le=1)
    lang: Lang = "en"

    def config(self) -> Any:
        from silkhub.core.index.pipeline import IndexConfig

        return IndexConfig(
            imputation=self.imputation,
            outliers=self.outliers,
            normalisation=self.normalisation,
            weighting=self.weighting,
            aggregation=self.aggregation,
            mc_runs=self.mc_runs,
            seed=self.seed,
            weight_spread=self.weight_spread,
            min_coverage=self.min_coverage,
            min_unit_coverage=self.min_unit_coverage,
        ).check()


def _check_index(session: Session, actor: Actor, p: IndexParams) -> None:
    from silkhub.analytics import index_service as svc
    from silkhub.errors import UnknownChoiceError

    files = svc.framework_files()  # shipped frameworks only: never a path on the server
    if p.framework not in files:
        raise UnknownChoiceError("framework", p.framework, list(files), field="params.framework")
    p.config()


def _run_index(ctx: JobContext, p: IndexParams) -> dict[str, Any]:
    import json

    from silkhub.analytics import index_service as svc
    from silkhub.data.store import AnalyticsStore

    ctx.step(2, "jobs.msg.index_loading")
    fw = svc.load_framework(p.framework)
    with ctx.runtime.session() as s:
        names, _resolve = svc.reference_helpers(s, fw, p.lang)
        store = AnalyticsStore(ctx.runtime.settings.analytics_dir)
        long = svc.load_data(fw, session=s, store=store)
    ctx.step(10, "jobs.msg.index_computing", framework=fw.code, runs=p.mc_runs)

    def computing(share: float) -> None:
        # progress through the Monte Carlo runs (10 → 90 %); a cancel ends the run here
        ctx.step(10 + 80 * share, "jobs.msg.index_computing", framework=fw.code, runs=p.mc_runs)

    run = svc.compute(
        fw, long, year=p.year, config=p.config(), max_lag=p.max_lag, names=names,
        on_progress=computing,
    )  # fmt: skip
    ctx.step(90, "jobs.msg.storing_result")
    full = svc.run_to_dict(run, details=True)
    ctx.add_file(
        f"silkhub-index-{fw.code}-{run.year}.json",
        "application/json",
        json.dumps(full, ensure_ascii=False, indent=1).encode("utf-8"),
    )
    brief = svc.run_to_dict(run, details=False)
    return {
        "framework": brief["framework"],
        "year": brief["year"],
        "mc_runs": p.mc_runs,
        "units": brief["units"],
        "sensitivity": brief.get("sensitivity"),
    }


# -- gravity fit -----------------------------------------------------------------------------
class GravityFitParams(_Params):
    """Estimate a gravity spec (a packaged one by name, or YAML text), as ``silkhub gravity
    fit`` / ``POST /gravity/fit``; hub staff only, like the synchronous route."""

    spec: PackagedSpec | None = Field(  # type: ignore[valid-type]
        default=None, description="a packaged spec (GET /gravity/specs)"
    )
    spec_yaml: str | None = Field(default=None, min_length=1, max_length=20_000, pattern=NO_NUL)
    save: bool = True

    def load(self) -> Any:
        from silkhub.analytics.gravity_service import load_spec, packaged_specs, parse_spec
        from silkhub.errors import UnknownChoiceError, ValidationError

        if (self.spec is None) == (self.spec_yaml is None):
            raise ValidationError(
                "give exactly one of spec (a name) or spec_yaml", field="params.spec"
            )
        if self.spec_yaml is not None:
            return parse_spec(self.spec_yaml, "spec_yaml")
        if self.spec not in packaged_specs():  # never a file path on the server
            raise UnknownChoiceError("spec", self.spec or "", packaged_specs(), field="params.spec")
        return load_spec(self.spec or "")


def _check_gravity(session: Session, actor: Actor, p: GravityFitParams) -> None:
    p.load()


def _gravity_service(ctx: JobContext) -> Any:
    from silkhub.analytics.gravity_service import GravityService

    s = ctx.runtime.settings
    return GravityService(s.analytics_dir / "gravity", s.shared_data, s.analytics_dir)


def _run_gravity(ctx: JobContext, p: GravityFitParams) -> dict[str, Any]:
    svc = _gravity_service(ctx)
    spec = p.load()
    ctx.step(2, "jobs.msg.gravity_loading", dataset=spec.dataset)
    frame = svc.load_data(spec.dataset)
    ctx.step(
        20,
        "jobs.msg.gravity_fitting",
        spec=spec.name,
        estimator=spec.estimator.upper(),
        rows=len(frame),
    )
    run = svc.fit(spec, frame, save=False)
    # a cancel asked for during the fit is honoured here, before the run is stored
    ctx.step(95, "jobs.msg.storing_run" if p.save else "jobs.msg.done")
    if p.save:
        svc.runs.save(run)  # the service's atomic write (temp folder + rename), as fit(save=True)
    from silkhub.analytics.index_service import plain

    summary = run.summary()
    return plain(
        {
            "run_id": run.run_id if p.save else None,
            "spec": summary.spec,
            "dataset": summary.dataset,
            "estimator": summary.estimator,
            "nobs": summary.nobs,
            "converged": summary.converged,
            "elapsed_s": summary.elapsed_s,
            "coefficients": run.coefficient_rows(),
        }
    )


# -- meeting scheduling ----------------------------------------------------------------------
class ScheduleParams(_Params):
    """Solve an event's B2B meeting schedule (CP-SAT) and store it, as ``silkhub event
    schedule`` / ``POST /events/{id}/schedule`` (the owner must be allowed to edit the event)."""

    event_id: Int = Field(ge=1, le=2**31 - 1)
    time_limit_s: float = Field(default=20.0, ge=1, le=600, description="CP-SAT seconds")
    max_consecutive: OptInt = Field(default=None, ge=1, le=50)
    save: bool = True


def _check_schedule(session: Session, actor: Actor, p: ScheduleParams) -> None:
    from silkhub.hub import events

    if p.save:
        events.writable_event(session, actor, p.event_id)
    else:
        events.get_event(session, actor, p.event_id)


def _run_schedule(ctx: JobContext, p: ScheduleParams) -> dict[str, Any]:
    import json

    from silkhub.hub import scheduling as sch

    ctx.step(5, "jobs.msg.solving", seconds=f"{p.time_limit_s:g}")
    with ctx.runtime.session() as s:
        res = sch.schedule_event(
            s,
            ctx.actor,
            p.event_id,
            time_limit_s=p.time_limit_s,
            max_consecutive=p.max_consecutive,
            save=p.save,
        )
        # a cancel asked for during the solve is honoured here, before the schedule is stored
        ctx.step(95, "jobs.msg.storing_schedule" if p.save else "jobs.msg.done")
    doc = {"meetings": res.meetings, "unmet": res.unmet}
    ctx.add_file(
        f"silkhub-event-{p.event_id}-schedule.json",
        "application/json",
        json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"),
    )
    return {
        "event_id": res.event_id,
        "status": res.status,
        "meetings": len(res.meetings),
        "unmet": len(res.unmet),
        "objective": res.objective,
        "lp_bound": res.lp_bound,
        "gap": res.gap,
        "solve_seconds": res.solve_seconds,
        "saved": p.save,
    }


# -- duplicate scan --------------------------------------------------------------------------
class DuplicateScanParams(_Params):
    """Repeated-construction clusters over the projects the owner may read, as ``silkhub hub
    duplicates`` / ``GET /match/duplicates/clusters``."""

    region: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    threshold: float | None = Field(default=None, ge=0.01, le=1.0)


def _check_duplicates(session: Session, actor: Actor, p: DuplicateScanParams) -> None:
    from silkhub.errors import UnknownChoiceError
    from silkhub.hub.common import resolve_region

    try:
        resolve_region(session, p.region)
    except UnknownChoiceError as exc:  # 404 naming the region, as report.region
        raise UnknownRegionError(exc.message, exc.value) from None


def _run_duplicates(ctx: JobContext, p: DuplicateScanParams) -> dict[str, Any]:
    import json

    from silkhub.hub import duplicates as dup

    if p.region and p.region.strip():
        ctx.step(2, "jobs.msg.comparing_in", region=p.region.strip())
    else:
        ctx.step(2, "jobs.msg.comparing")
    with ctx.runtime.session() as s:
        clusters = dup.region_report(s, ctx.actor, region=p.region, threshold=p.threshold)
    ctx.step(95, "jobs.msg.storing_clusters")
    ctx.add_file(
        "silkhub-duplicates.json",
        "application/json",
        json.dumps(clusters, ensure_ascii=False, indent=1).encode("utf-8"),
    )
    return {
        "clusters": len(clusters),
        "projects": sum(c["size"] for c in clusters),
        "across_localities": sum(1 for c in clusters if c["across_localities"]),
        "largest": [
            {"size": c["size"], "max_score": c["max_score"], "projects": c["projects"][:10]}
            for c in clusters[:10]
        ],
    }


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
        JobKind(
            "index.compute", "Index with Monte Carlo", IndexParams, _run_index, check=_check_index
        ),
        JobKind(
            "gravity.fit",
            "Gravity fit",
            GravityFitParams,
            _run_gravity,
            roles=STAFF,
            check=_check_gravity,
        ),
        JobKind(
            "event.schedule",
            "Meeting schedule",
            ScheduleParams,
            _run_schedule,
            check=_check_schedule,
        ),
        JobKind(
            "hub.duplicates",
            "Duplicate scan",
            DuplicateScanParams,
            _run_duplicates,
            check=_check_duplicates,
        ),
    )
}
