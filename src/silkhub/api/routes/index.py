"""Composite indices (``/index/...``): frameworks, computation with every step recorded.

``GET /index/compute`` runs on the shipped demo city data (city frameworks) or on WDI from the
analytics store (country frameworks); ``POST /index/compute`` takes the data rows in the body
(long form ``unit, year, indicator, value``), e.g. from hub records or a user's own template.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from silkhub.analytics import index_service as svc
from silkhub.analytics.index_inputs import pipeline_config, run_inputs
from silkhub.api.choices import FrameworkCode
from silkhub.api.deps import RuntimeDep, SessionDep
from silkhub.core.index import IndexConfig
from silkhub.data.importers.regional import INDICATORS
from silkhub.data.store import AnalyticsStore

router = APIRouter(prefix="/index", tags=["index"])

MAX_MC = 20_000


class FrameworkSummary(BaseModel):
    code: str
    name_en: str
    name_zh: str
    unit_kind: str
    pillars: int
    sub_pillars: int
    indicators: int
    file: str


class TemplateIndicator(BaseModel):
    code: str
    name_en: str
    name_zh: str
    unit: str
    definition: str


class ConfigIn(BaseModel):
    """Pipeline choices (see ``silkhub.core.index.pipeline.IndexConfig``)."""

    imputation: Literal["none", "mean", "em"] = "em"
    outliers: Literal["winsorise", "none"] = "winsorise"
    normalisation: Literal["minmax", "zscore", "rank", "frontier", "target"] = "minmax"
    weighting: Literal["user", "equal", "pca", "budget"] = "user"
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic"
    mc_runs: int = Field(0, ge=0, le=MAX_MC)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    weight_spread: float = Field(0.25, ge=0, lt=1)
    min_coverage: float = Field(0.3, ge=0, le=1)
    min_unit_coverage: float = Field(0.5, ge=0, le=1)

    def to_config(self) -> IndexConfig:
        return IndexConfig(**self.model_dump()).check()


class DataRow(BaseModel):
    unit: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1900, le=2100)
    indicator: str = Field(min_length=1, max_length=100)
    value: float | None = None


class ComputeIn(BaseModel):
    framework: FrameworkCode = "city-internationalization"
    year: int | None = Field(None, ge=1900, le=2100)
    max_lag: int = Field(svc.DEFAULT_MAX_LAG, ge=0, le=50)
    config: ConfigIn = ConfigIn()
    data: list[DataRow] | None = Field(
        None, max_length=200_000, description="Long-form rows; omitted = the default data."
    )
    extra: list[DataRow] = Field(
        default_factory=list,
        max_length=200_000,
        description="Extra rows merged over the default data (e.g. hub talent indicators).",
    )
    details: bool = True


class IndexRunOut(BaseModel):
    framework: str
    year: int
    config: dict[str, Any]
    units: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    values_carried_forward: list[dict[str, Any]]
    sensitivity: dict[str, float | None] | None = None
    indicator_scores: list[dict[str, Any]] | None = None
    indicator_values: list[dict[str, Any]] | None = None
    coherence: dict[str, Any] | None = None
    weights: list[dict[str, Any]] | None = None


def _rows(rows: list[DataRow]) -> Any:
    import pandas as pd

    return pd.DataFrame([r.model_dump() for r in rows], columns=svc.LONG_COLUMNS)


def run_index(
    rt: Any,
    session: Any,
    framework: str,
    *,
    year: int | None,
    config: IndexConfig,
    max_lag: int,
    data: list[DataRow] | None = None,
    extra: list[DataRow] | None = None,
    lang: str = "en",
) -> tuple[Any, Any, dict[str, str], Any]:
    """Framework, long data, unit names and resolver for one request (shared with /benchmark)."""
    extras = [_rows(extra)] if extra else []
    if data is not None:
        return run_inputs(session, None, framework, lang=lang, frame=_rows(data), extra=extras)
    store = AnalyticsStore(rt.settings.analytics_dir)
    return run_inputs(session, store, framework, lang=lang, extra=extras)


@router.get("/frameworks", response_model=list[FrameworkSummary])
def frameworks() -> list[FrameworkSummary]:
    """The shipped frameworks."""
    return [FrameworkSummary(**f) for f in svc.list_frameworks()]


@router.get("/frameworks/{code}")
def framework(code: str) -> dict[str, Any]:
    """One framework: pillars, sub-pillars and indicators with weights, inputs and transforms."""
    return svc.framework_tree(svc.load_framework(_shipped(code)))


def _shipped(code: str) -> str:
    """Only shipped frameworks by code over HTTP (no file paths)."""
    from silkhub.errors import UnknownChoiceError

    files = svc.framework_files()
    if code not in files:
        raise UnknownChoiceError("framework", code, list(files), field="framework")
    return code


@router.get("/indicators", response_model=list[TemplateIndicator])
def template_indicators() -> list[TemplateIndicator]:
    """Indicator codes of the regional data template (names zh/en, units)."""
    return [TemplateIndicator(**d.__dict__) for d in INDICATORS.values()]


@router.get("/compute", response_model=IndexRunOut)
def compute_get(
    rt: RuntimeDep,
    session: SessionDep,
    framework: FrameworkCode = Query("city-internationalization", description="framework code"),
    year: int | None = Query(None, ge=1900, le=2100),
    mc: int = Query(0, ge=0, le=MAX_MC, description="Monte Carlo runs"),
    seed: int = Query(1, ge=0, le=2**63 - 1, description="Monte Carlo seed"),
    imputation: Literal["none", "mean", "em"] = "em",
    outliers: Literal["winsorise", "none"] = "winsorise",
    normalisation: Literal["minmax", "zscore", "rank", "frontier", "target"] = "minmax",
    weighting: Literal["user", "equal", "pca", "budget"] = "user",
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic",
    max_lag: int = Query(svc.DEFAULT_MAX_LAG, ge=0, le=50),
    min_coverage: float = Query(0.3, ge=0, le=1),
    min_unit_coverage: float = Query(0.5, ge=0, le=1),
    details: bool = False,
    lang: Literal["en", "zh"] = "en",
) -> IndexRunOut:
    """Compute an index on the default data; ``details`` adds indicator scores and coherence."""
    cfg = pipeline_config(
        imputation=imputation, outliers=outliers, normalisation=normalisation,
        weighting=weighting, aggregation=aggregation, mc=mc, seed=seed,
        min_coverage=min_coverage, min_unit_coverage=min_unit_coverage,
    )  # fmt: skip
    fw, long, names, _ = run_index(
        rt, session, _shipped(framework), year=year, config=cfg, max_lag=max_lag, lang=lang
    )
    run = svc.compute(fw, long, year=year, config=cfg, max_lag=max_lag, names=names)
    return IndexRunOut(**svc.run_to_dict(run, details=details))


@router.post("/compute", response_model=IndexRunOut)
def compute_post(rt: RuntimeDep, session: SessionDep, body: ComputeIn) -> IndexRunOut:
    """Compute an index on rows given in the body (or the default data plus ``extra`` rows)."""
    cfg = body.config.to_config()
    fw, long, names, _ = run_index(
        rt,
        session,
        _shipped(body.framework),
        year=body.year,
        config=cfg,
        max_lag=body.max_lag,
        data=body.data,
        extra=body.extra,
    )
    run = svc.compute(fw, long, year=body.year, config=cfg, max_lag=body.max_lag, names=names)
    return IndexRunOut(**svc.run_to_dict(run, details=body.details))
