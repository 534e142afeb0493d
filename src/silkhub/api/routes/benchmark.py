"""Peer benchmarking (``/benchmark``): a unit against chosen peers on a composite index.

Same content as ``silkhub benchmark``: pillar scores, ranks with Monte Carlo 5–95 % intervals,
strengths and weaknesses by standardised gap, and the "what would it take" table.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from silkhub.analytics import index_service as svc
from silkhub.api.choices import FrameworkCode
from silkhub.api.deps import RuntimeDep, SessionDep
from silkhub.api.routes.index import MAX_MC, ConfigIn, _shipped, run_index
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


def _run(
    rt: Any,
    session: Any,
    unit: str,
    peers: str,
    framework: str,
    year: int | None,
    mc: int,
    seed: int,
    imputation: str,
    normalisation: str,
    weighting: str,
    aggregation: str,
    max_lag: int,
    min_coverage: float,
    min_unit_coverage: float,
    lang: str,
) -> BenchmarkOut:
    peer_list = [p.strip() for p in peers.split(",") if p.strip()]
    if not peer_list or len(peer_list) > 50:
        raise ValidationError("peers: give 1–50 comma-separated names", field="peers")
    cfg = ConfigIn(
        imputation=imputation,
        normalisation=normalisation,
        weighting=weighting,
        aggregation=aggregation,
        mc_runs=mc,
        seed=seed,
        min_coverage=min_coverage,
        min_unit_coverage=min_unit_coverage,
    ).to_config()
    fw, long, names, resolve = run_index(
        rt, session, _shipped(framework), year=year, config=cfg, max_lag=max_lag, lang=lang
    )
    rep = svc.benchmark(
        fw,
        long,
        unit,
        peer_list,
        year=year,
        config=cfg,
        max_lag=max_lag,
        resolver=resolve,
        names=names,
    )
    return BenchmarkOut(**rep.to_dict())


_Imp = Literal["none", "mean", "em"]
_Norm = Literal["minmax", "zscore", "rank", "frontier", "target"]
_W = Literal["user", "equal", "pca", "budget"]
_Agg = Literal["arithmetic", "geometric"]


@router.get("", response_model=BenchmarkOut)
def benchmark(
    rt: RuntimeDep,
    session: SessionDep,
    unit: str = Query(..., min_length=1, max_length=100, description="e.g. Jinan"),
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
) -> BenchmarkOut:
    """Benchmark ``unit`` against ``peers`` (the index is computed over all units in the data)."""
    return _run(
        rt, session, unit, peers, framework, year, mc, seed, imputation, normalisation,
        weighting, aggregation, max_lag, min_coverage, min_unit_coverage, lang,
    )  # fmt: skip


@router.get("/{unit}", response_model=BenchmarkOut)
def benchmark_unit(
    rt: RuntimeDep,
    session: SessionDep,
    unit: str,
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
) -> BenchmarkOut:
    """The same as ``GET /benchmark?unit=...``, with the unit in the path."""
    if len(unit) > 100:
        raise ValidationError("unit must be at most 100 characters", field="unit")
    return _run(
        rt, session, unit, peers, framework, year, mc, seed, imputation, normalisation,
        weighting, aggregation, max_lag, min_coverage, min_unit_coverage, lang,
    )  # fmt: skip
