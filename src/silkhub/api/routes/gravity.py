"""Gravity models (``/gravity/...``) and partner potential (``/partners/potential``,
``/partners/targets``).

Reading specs, runs and potentials is public; running an estimation (``POST /gravity/fit``,
``POST /gravity/policy``) costs CPU and writes a run, so it needs hub staff (admin/operator).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from silkhub.analytics.gravity_service import (
    GravityService,
    Run,
    RunSummary,
    group_partners,
    joined_years,
    load_spec,
    packaged_specs,
    parse_spec,
    reporter_iso3,
)
from silkhub.api.choices import GroupCode
from silkhub.api.deps import RuntimeDep, SessionDep, StaffDep
from silkhub.api.models import model_of
from silkhub.bootstrap import Runtime
from silkhub.core.gravity import Coefficient, GravityResult
from silkhub.data.reference.queries import check_group
from silkhub.errors import ValidationError

router = APIRouter(tags=["gravity"])


def _service(rt: Runtime) -> GravityService:
    s = rt.settings
    return GravityService(s.analytics_dir / "gravity", s.shared_data, s.analytics_dir)


# --------------------------------------------------------------------------------------------
# models


class SpecOut(BaseModel):
    name: str
    dataset: str
    estimator: str
    formula: str
    description: str
    reference: str


CoefficientOut = model_of(
    Coefficient,
    "CoefficientOut",
    extra={"published": (float | None, None), "difference": (float | None, None)},
)
RunSummaryOut = model_of(RunSummary, "RunSummaryOut")
RunOut = model_of(
    GravityResult,
    "RunOut",
    drop=("spec", "coefficients", "vcov", "fitted"),
    extra={
        "run_id": (str, ...),
        "created": (str, ...),
        "spec": (dict[str, Any], ...),
        "coefficients": (list[CoefficientOut], ...),  # type: ignore[valid-type]
        "policy_effect": (dict[str, Any] | None, None),
    },
)


class FitIn(BaseModel):
    spec: str | None = Field(None, description="Name of a packaged spec, e.g. agtpa_table3_endg.")
    spec_yaml: str | None = Field(
        None, max_length=20_000, description="A full spec as YAML text (instead of `spec`)."
    )
    save: bool = True


#: a lead or lag of the policy model, in years
Years = Annotated[int, Field(ge=1, le=10)]


class PolicyIn(BaseModel):
    group: GroupCode = Field(..., description="bri, sco, asean, rcep or eu")
    dataset: str = Field("china_br65_panel", description="china_br65_panel or agtpa_applications")
    leads: list[Years] = Field(default_factory=list, max_length=5)
    lags: list[Years] = Field(default_factory=list, max_length=5)


class PolicyOut(BaseModel):
    summary: str
    pct: float
    ci_low_pct: float
    ci_high_pct: float
    beta: float
    std_error: float
    p_value: float
    terms: list[str]
    run: RunOut  # type: ignore[valid-type]


class PotentialRow(BaseModel):
    rank: int | None
    partner: str
    section: str | None = Field(None, description="HS section (with by_section=true)")
    section_title: str | None = None
    predicted_usd: float | None
    actual_usd: float | None
    ratio: float | None
    ratio_rel: float | None
    gap_usd: float | None
    predicted_exports_usd: float | None = None
    actual_exports_usd: float | None = None
    predicted_imports_usd: float | None = None
    actual_imports_usd: float | None = None


class PotentialOut(BaseModel):
    reporter: str
    year: int
    group: str | None
    model: str
    actual_source: str
    notes: list[str]
    items: list[PotentialRow]


class TargetRow(BaseModel):
    score_rank: int | None
    partner: str
    score: float | None
    parts_used: str
    gap_usd: float | None
    part_potential: float | None
    complementarity: float | None
    part_complementarity: float | None
    rca_fit: float | None
    part_rca_fit: float | None
    weight_potential: float
    weight_complementarity: float
    weight_rca_fit: float


class TargetsOut(BaseModel):
    reporter: str
    year: int
    group: str | None
    notes: list[str]
    items: list[TargetRow]


def _run_out(run: Run) -> Any:
    return RunOut(**run.record())


def _nan_none(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if hasattr(v, "item") and not isinstance(v, str):
            v = v.item()
        if v is None or (isinstance(v, float) and v != v) or str(v) == "<NA>":
            out[k] = None
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------------------------
# /gravity


@router.get("/gravity/specs", response_model=list[SpecOut])
def list_specs() -> list[SpecOut]:
    """The gravity specs shipped with silkhub (textbook reproductions, potential model)."""
    out = []
    for name in packaged_specs():
        s = load_spec(name)
        out.append(
            SpecOut(
                name=s.name,
                dataset=s.dataset,
                estimator=s.estimator,
                formula=s.formula,
                description=s.description,
                reference=s.reference,
            )
        )
    return out


@router.get("/gravity/runs", response_model=list[RunSummaryOut])
def list_runs(
    rt: RuntimeDep,
    spec: str | None = Query(None, max_length=80, description="only runs of this spec"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[RunSummaryOut]:
    """Stored gravity runs, newest first."""
    return [
        RunSummaryOut(**dataclasses.asdict(r)) for r in _service(rt).list_runs(spec=spec)[:limit]
    ]


@router.get("/gravity/runs/{run_id}", response_model=RunOut)
def show_run(rt: RuntimeDep, run_id: str) -> RunOut:
    """One stored run (or the latest run of a spec when given a spec name)."""
    if len(run_id) > 200:
        raise ValidationError("run id too long (at most 200 characters)", field="run_id")
    return _run_out(_service(rt).get_run(run_id))


@router.post("/gravity/fit", response_model=RunOut, status_code=201)
def fit(rt: RuntimeDep, body: FitIn, actor: StaffDep) -> RunOut:
    """Estimate a packaged spec (``spec``) or a YAML spec (``spec_yaml``); hub staff only."""
    if (body.spec is None) == (body.spec_yaml is None):
        raise ValidationError("give exactly one of spec (a name) or spec_yaml", field="spec")
    spec = (
        parse_spec(body.spec_yaml, "spec_yaml")
        if body.spec_yaml is not None
        else load_spec(_packaged_name(body.spec or ""))
    )
    return _run_out(_service(rt).fit(spec, save=body.save))


def _packaged_name(name: str) -> str:
    # never treat an API string as a server-side file path
    if name not in packaged_specs():
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("spec", name, packaged_specs(), field="spec")
    return name


@router.post("/gravity/policy", response_model=PolicyOut, status_code=201)
def policy(rt: RuntimeDep, session: SessionDep, body: PolicyIn, actor: StaffDep) -> PolicyOut:
    """Effect of joining a group, with leads/lags and a plain-language summary; staff only."""
    check_group(session, body.group)
    if any(k <= 0 or k > 10 for k in [*body.leads, *body.lags]):
        raise ValidationError("leads and lags must be between 1 and 10 years", field="lags")
    svc = _service(rt)
    frame = svc.load_data(body.dataset)
    joined = joined_years(session, body.group, frame["year"].unique())
    kw: dict[str, Any] = (
        {"fixed_effects": "exporter^importer + direction^year", "formula_rest": "log_gdp_partner"}
        if body.dataset == "china_br65_panel"
        else {"fixed_effects": "exporter^year + importer^year + pair_id"}
    )
    eff, run = svc.policy_effect(
        body.group,
        joined,
        dataset=body.dataset,
        data=frame,
        leads=body.leads,
        lags=body.lags,
        **kw,
    )
    return PolicyOut(
        summary=eff.summary,
        pct=eff.pct,
        ci_low_pct=eff.ci_low_pct,
        ci_high_pct=eff.ci_high_pct,
        beta=eff.beta,
        std_error=eff.std_error,
        p_value=eff.p_value,
        terms=list(eff.terms),
        run=_run_out(run),
    )


# --------------------------------------------------------------------------------------------
# /partners


@router.get("/partners/potential", response_model=PotentialOut, tags=["partners"])
def partner_potential(
    rt: RuntimeDep,
    session: SessionDep,
    reporter: str = Query(..., min_length=2, max_length=100, description="ISO3 or name, e.g. CHN"),
    year: int = Query(..., ge=1990, le=2100, description="CHN: 2013–2019; any reporter: 2009"),
    group: GroupCode | None = Query(None, description="e.g. route65, bri, sco"),
    by_section: bool = Query(
        False, description="per partner and HS section (needs product-level trade in the store)"
    ),
    limit: int = Query(100, ge=1, le=500),
) -> PotentialOut:
    """Gravity-predicted vs actual trade per partner: ratio, gap (US$) and rank (1 = most
    room to grow)."""
    iso3 = reporter_iso3(reporter)
    svc = _service(rt)
    members = group_partners(session, group, year)
    if by_section:
        table, meta = svc.potential_by_section(iso3, year, members)
    else:
        table, meta = svc.potential(iso3, year, members)
    rows = [PotentialRow(**_nan_none(r)) for r in table.head(limit).to_dict("records")]
    return PotentialOut(
        reporter=iso3,
        year=year,
        group=group,
        model=meta["model"],
        actual_source=meta["actual_source"],
        notes=meta["notes"],
        items=rows,
    )


@router.get("/partners/targets", response_model=TargetsOut, tags=["partners"])
def partner_targets(
    rt: RuntimeDep,
    session: SessionDep,
    reporter: str = Query(..., min_length=2, max_length=100),
    year: int = Query(..., ge=1990, le=2100),
    group: GroupCode | None = Query(None),
    w_potential: float = Query(0.5, ge=0, le=1),
    w_complementarity: float = Query(0.3, ge=0, le=1),
    w_rca_fit: float = Query(0.2, ge=0, le=1),
    limit: int = Query(100, ge=1, le=500),
) -> TargetsOut:
    """Complementarity-weighted target list with every part and weight shown."""
    iso3 = reporter_iso3(reporter)
    weights = {
        "potential": w_potential,
        "complementarity": w_complementarity,
        "rca_fit": w_rca_fit,
    }
    table, meta = _service(rt).targets(iso3, year, group_partners(session, group, year), weights)
    cols = list(TargetRow.model_fields)
    rows = [
        TargetRow(**_nan_none({c: r.get(c) for c in cols}))
        for r in table.head(limit).to_dict("records")
    ]
    return TargetsOut(reporter=iso3, year=year, group=group, notes=meta["notes"], items=rows)
