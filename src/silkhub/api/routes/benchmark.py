"""Peer benchmarking (``/benchmark``): a unit against chosen peers on a composite index.

Same content as ``silkhub benchmark``: pillar scores, ranks with Monte Carlo 5–95 % intervals,
strengths and weaknesses by standardised gap, and the "what would it take" table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from silkhub.analytics import index_service as svc
from silkhub.analytics.index_inputs import pipeline_config
from silkhub.api.choices import FrameworkCode
from silkhub.api.deps import RuntimeDep, SessionDep
from silkhub.api.routes.index import MAX_MC, _shipped, run_index
from silkhub.core.index import IndexConfig
from silkhub.errors import ValidationError

router = APIRouter(prefix="/benchmark", tags=["index"])


class BenchmarkOut(BaseModel):
    framework: str
    year: int
    unit: str
    peers: list[str]
    units_in_index: int
    units_in_data: int
    config: dict[str, Any]
    scores: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    what_it_takes: list[dict[str, Any]]
    sensitivity: dict[str, float | None]
    steps: list[dict[str, Any]]
    values_carried_forward: list[dict[str, Any]]


_Imp = Literal["none", "mean", "em"]
_Norm = Literal["minmax", "zscore", "rank", "frontier", "target"]
_W = Literal["user", "equal", "pca", "budget"]
_Agg = Literal["arithmetic", "geometric"]


@dataclass(frozen=True)
class _Options:
    """The query parameters of both benchmark routes, besides the unit."""

    peers: str
    framework: str
    year: int | None
    config: IndexConfig
    max_lag: int
    lang: str


def _options(
    peers: str = Query(..., min_length=1, max_length=2000, description="e.g. Hangzhou,Qingdao"),
    framework: FrameworkCode = "city-internationalization",
    year: int | None = Query(None, ge=1900, le=2100),
    mc: int = Query(1000, ge=0, le=MAX_MC),
    seed: int = Query(1, ge=0, le=2**63 - 1, description="Monte Carlo seed"),
    imputation: _Imp = "em",
    normalisation: _Norm = "minmax",
    weighting: _W = "user",
    aggregation: _Agg = "arithmetic",
    max_lag: int = Query(svc.DEFAULT_MAX_LAG, ge=0, le=50),
    min_coverage: float = Query(0.3, ge=0, le=1),
    min_unit_coverage: float = Query(0.5, ge=0, le=1),
    lang: Literal["en", "zh"] = "en",
) -> _Options:
    cfg = pipeline_config(
        imputation=imputation, normalisation=normalisation, weighting=weighting,
        aggregation=aggregation, mc=mc, seed=seed, min_coverage=min_coverage,
        min_unit_coverage=min_unit_coverage,
    )  # fmt: skip
    return _Options(peers, framework, year, cfg, max_lag, lang)


OptionsDep = Annotated[_Options, Depends(_options)]


def _run(rt: Any, session: Any, unit: str, o: _Options) -> BenchmarkOut:
    peer_list = [p.strip() for p in o.peers.split(",") if p.strip()]
    if not peer_list or len(peer_list) > 50:
        raise ValidationError("peers: give 1–50 comma-separated names", field="peers")
    fw, long, names, resolve = run_index(
        rt, session, _shipped(o.framework), year=o.year, config=o.config, max_lag=o.max_lag,
        lang=o.lang,
    )  # fmt: skip
    rep = svc.benchmark(
        fw,
        long,
        unit,
        peer_list,
        year=o.year,
        config=o.config,
        max_lag=o.max_lag,
        resolver=resolve,
        names=names,
    )
    return BenchmarkOut(**rep.to_dict())


@router.get("", response_model=BenchmarkOut)
def benchmark(
    rt: RuntimeDep,
    session: SessionDep,
    unit: Annotated[str, Query(min_length=1, max_length=100, description="e.g. Jinan")],
    options: OptionsDep,
) -> BenchmarkOut:
    """Benchmark ``unit`` against ``peers`` (the index is computed over all units in the data)."""
    return _run(rt, session, unit, options)


@router.get("/{unit}", response_model=BenchmarkOut)
def benchmark_unit(
    rt: RuntimeDep, session: SessionDep, unit: str, options: OptionsDep
) -> BenchmarkOut:
    """The same as ``GET /benchmark?unit=...``, with the unit in the path."""
    if len(unit) > 100:
        raise ValidationError("unit must be at most 100 characters", field="unit")
    return _run(rt, session, unit, options)
