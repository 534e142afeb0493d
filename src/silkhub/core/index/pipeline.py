"""The composite-indicator pipeline: each step selectable and recorded with the result.

    raw inputs -> indicator values (transform) -> missing-data treatment -> outliers
    -> normalisation -> weights -> aggregation (sub-pillar, pillar, index) -> ranks
    -> coherence -> Monte Carlo uncertainty and sensitivity (optional)

Indicators observed for fewer than ``min_coverage`` of the units (default 30 %) are excluded
from scoring (reported, not imputed): imputing most of a column invents the indicator. Units
with values for fewer than ``min_unit_coverage`` of the scored indicators (default 50 %) are
left out of the ranking (reported; their scores and ranks are empty) for the same reason.

Pure: takes a framework and a DataFrame, returns an :class:`IndexResult`; no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from silkhub.core.index.aggregate import AGGREGATIONS, aggregate, positive_scores
from silkhub.core.index.coherence import Coherence, coherence
from silkhub.core.index.framework import Framework
from silkhub.core.index.missing import IMPUTATIONS, impute
from silkhub.core.index.normalise import NORMALISATIONS, normalise
from silkhub.core.index.outliers import OUTLIER_METHODS, winsorise
from silkhub.core.index.transform import indicator_values
from silkhub.core.index.uncertainty import MonteCarloResult, monte_carlo
from silkhub.core.index.weights import (
    WEIGHTINGS,
    Structure,
    Weights,
    budget_weights,
    equal_weights,
    pca_weights,
    user_weights,
)
from silkhub.errors import UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

#: choices the Monte Carlo varies by default (frontier/target need positive data)
MC_NORMALISATIONS = ("minmax", "zscore", "rank")


@dataclass(frozen=True)
class IndexConfig:
    """The choices of one run of the pipeline."""

    imputation: str = "em"
    outliers: str = "winsorise"
    normalisation: str = "minmax"
    weighting: str = "user"
    aggregation: str = "arithmetic"
    mc_runs: int = 0
    seed: int = 1
    weight_spread: float = 0.25
    min_coverage: float = 0.3
    min_unit_coverage: float = 0.5
    mc_imputations: tuple[str, ...] = IMPUTATIONS
    mc_normalisations: tuple[str, ...] = MC_NORMALISATIONS
    mc_aggregations: tuple[str, ...] = AGGREGATIONS

    def check(self) -> IndexConfig:
        for what, value, choices in (
            ("imputation", self.imputation, IMPUTATIONS),
            ("outliers", self.outliers, OUTLIER_METHODS),
            ("normalisation", self.normalisation, NORMALISATIONS),
            ("weighting", self.weighting, WEIGHTINGS),
            ("aggregation", self.aggregation, AGGREGATIONS),
        ):
            if value not in choices:
                raise UnknownChoiceError(what, value, choices, field=what)
        for v in self.mc_imputations:
            if v not in IMPUTATIONS:
                raise UnknownChoiceError("imputation", v, IMPUTATIONS, field="mc_imputations")
        for v in self.mc_normalisations:
            if v not in NORMALISATIONS:
                raise UnknownChoiceError("normalisation", v, NORMALISATIONS)
        for v in self.mc_aggregations:
            if v not in AGGREGATIONS:
                raise UnknownChoiceError("aggregation", v, AGGREGATIONS)
        if not 0 <= self.mc_runs <= 1_000_000:
            raise ValidationError("mc runs must be between 0 and 1,000,000", field="mc")
        if not 0 <= self.min_coverage <= 1:
            raise ValidationError("min coverage must be in [0, 1]", field="min_coverage")
        if not 0 <= self.min_unit_coverage <= 1:
            raise ValidationError("min unit coverage must be in [0, 1]", field="min_unit_coverage")
        if self.seed < 0:
            raise ValidationError("the seed must be a non-negative integer", field="seed")
        if not 0 <= self.weight_spread < 1:
            raise ValidationError("weight spread must be in [0, 1)", field="weight_spread")
        return self


@dataclass
class IndexResult:
    """Everything a run produced, with the record of the steps taken."""

    framework: Framework
    config: IndexConfig
    units: list[str]
    values: pd.DataFrame  # indicator values (observed, transformed), units x indicators
    treated: pd.DataFrame  # after imputation and outlier treatment
    scores: pd.DataFrame  # normalised
    sub_pillars: pd.DataFrame
    pillars: pd.DataFrame
    overall: pd.Series
    rank: pd.Series
    weights: Weights
    structure: Structure
    coherence: Coherence
    steps: list[dict[str, Any]] = field(default_factory=list)
    coverage: pd.Series | None = None
    mc: MonteCarloResult | None = None

    @property
    def pillar_ranks(self) -> pd.DataFrame:
        """Rank of each unit on each pillar (1 = best; None without a score)."""
        return self.pillars.apply(_rank_desc)

    def table(self) -> pd.DataFrame:
        """One row per unit: overall score, rank, MC interval, pillar scores and ranks,
        coverage."""
        df = pd.DataFrame({"unit": self.units, "score": self.overall.values})
        df["rank"] = self.rank.values
        if self.mc is not None:
            df["mc_median_rank"] = self.mc.median_rank
            df["mc_rank_p05"] = self.mc.rank_p05
            df["mc_rank_p95"] = self.mc.rank_p95
        for p in self.pillars.columns:
            df[p] = self.pillars[p].values
        for p in self.pillars.columns:
            df[f"{p}_rank"] = self.pillar_ranks[p].values
        if self.coverage is not None:
            df["coverage_pct"] = self.coverage.values
        df = df.sort_values(["score", "unit"], ascending=[False, True], na_position="last")
        return df.reset_index(drop=True)


def _expand_mc(mc: MonteCarloResult, keep: np.ndarray) -> MonteCarloResult:
    """Monte Carlo rank statistics for all units (NaN for units left out)."""

    def full(a: np.ndarray) -> np.ndarray:
        out = np.full(len(keep), np.nan)
        out[keep] = a
        return out

    mc.median_rank = full(mc.median_rank)
    mc.rank_p05 = full(mc.rank_p05)
    mc.rank_p95 = full(mc.rank_p95)
    mc.mean_rank = full(mc.mean_rank)
    return mc


def _rank_desc(v: pd.Series) -> pd.Series:
    """1 = highest; ties share the best rank; a missing score has no rank (None)."""
    x = v.to_numpy(dtype=float)
    r = stats.rankdata(np.where(np.isnan(x), np.inf, -x), method="min")
    return pd.Series(
        [None if np.isnan(xi) else int(ri) for xi, ri in zip(x, r, strict=True)],
        index=v.index,
        dtype=object,
    )


def _treat(
    x: np.ndarray, imputation: str, outliers: str, fw: Framework, units: list[str]
) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
    codes = fw.indicator_codes
    xi, irep = impute(x, imputation, indicators=codes, units=units)
    xo, orep = winsorise(xi, outliers, indicators=codes)
    return xo, irep.__dict__, orep.__dict__


def _normalise(x: np.ndarray, fw: Framework, method: str) -> np.ndarray:
    return normalise(
        x,
        np.array([i.sign for i in fw.indicators]),
        method,
        targets=[i.target for i in fw.indicators],
        indicators=fw.indicator_codes,
    )


def _weights(fw: Framework, st: Structure, method: str, scores: np.ndarray) -> Weights:
    if method == "equal":
        return equal_weights(st)
    if method == "user":
        return user_weights(fw)
    if method == "pca":
        return pca_weights(st, scores, user_weights(fw))
    return budget_weights(st, fw.budget)


def compute_index(
    framework: Framework,
    raw: pd.DataFrame,
    config: IndexConfig | None = None,
    *,
    on_progress: Callable[[float], None] | None = None,
) -> IndexResult:
    """Run the pipeline.

    Parameters
    ----------
    framework
        A validated framework.
    raw
        One row per unit (index = unit id), one column per raw input code (NaN = missing).
    config
        The choices; defaults: EM imputation, winsorisation, min-max, framework weights,
        arithmetic mean, no Monte Carlo.
    on_progress
        The Monte Carlo's share done (0–1], after each chunk (see
        :func:`silkhub.core.index.uncertainty.monte_carlo`).
    """
    cfg = (config or IndexConfig()).check()
    if raw.shape[0] < 2:
        raise ValidationError("an index needs at least two units with data", field="data")
    fw = framework
    st = Structure.of(fw)
    units = [str(u) for u in raw.index]
    values = indicator_values(fw, raw)
    x = values.to_numpy(dtype=float)
    observed = ~np.isnan(x)
    coverage = pd.Series(100.0 * observed.mean(axis=1), index=units)
    share = observed.mean(axis=0)
    low = (share < cfg.min_coverage) & observed.any(axis=0)
    x[:, low] = np.nan  # too sparse to score: excluded, not imputed
    scored = observed.any(axis=0) & ~low
    unit_share = (~np.isnan(x[:, scored])).mean(axis=1) if scored.any() else np.zeros(len(units))
    keep = unit_share >= cfg.min_unit_coverage
    if keep.sum() < 2:
        raise ValidationError(
            f"fewer than two units have values for at least {cfg.min_unit_coverage:.0%} of the "
            "scored indicators; add data or lower the minimum unit coverage",
            field="min_unit_coverage",
        )
    steps: list[dict[str, Any]] = [
        {
            "step": "indicators",
            "method": "transform",
            "units": len(units),
            "indicators": len(st.indicators),
            "observed": int(observed.sum()),
            "missing": int((~observed).sum()),
            "indicators_without_data": [
                c for c, o in zip(st.indicators, observed.any(0), strict=True) if not o
            ],
            "excluded_low_coverage": {
                c: round(float(v), 3)
                for c, v, lo in zip(st.indicators, share, low, strict=True)
                if lo
            },
            "min_coverage": cfg.min_coverage,
            "excluded_units_low_coverage": {
                u: round(float(v), 3)
                for u, v, k in zip(units, unit_share, keep, strict=True)
                if not k
            },
            "min_unit_coverage": cfg.min_unit_coverage,
        }
    ]
    all_units = units
    units = [u for u, k in zip(all_units, keep, strict=True) if k]
    x = x[keep]
    treated_by: dict[str, np.ndarray] = {}
    treated, irep, orep = _treat(x, cfg.imputation, cfg.outliers, fw, units)
    treated_by[cfg.imputation] = treated
    steps.append({"step": "missing_data", **irep})
    steps.append({"step": "outliers", **orep})
    z = _normalise(treated, fw, cfg.normalisation)
    steps.append({"step": "normalisation", "method": cfg.normalisation})
    w = _weights(fw, st, cfg.weighting, z)
    steps.append({"step": "weighting", "method": w.method, "weights": w.as_rows(st)})
    za = positive_scores(z) if cfg.aggregation == "geometric" else z
    sub, pil, tot = aggregate(za, st, w.indicator, w.sub_pillar, w.pillar, cfg.aggregation)
    steps.append(
        {
            "step": "aggregation",
            "method": cfg.aggregation,
            "note": "geometric: scores <= 0 mapped to [1, 100] per indicator"
            if cfg.aggregation == "geometric"
            else "arithmetic: fully compensatory",
        }
    )
    coh = coherence(z, pil, tot, st)
    steps.append({"step": "coherence", "flags": coh.flags})
    mc = None
    if cfg.mc_runs > 0:
        variants = {}
        for imp in cfg.mc_imputations:
            if imp not in treated_by:
                treated_by[imp] = _treat(x, imp, cfg.outliers, fw, units)[0]
            t = treated_by[imp]
            for norm in cfg.mc_normalisations:
                variants[(imp, norm)] = _normalise(t, fw, norm)
        mc = monte_carlo(
            variants,
            st,
            w,
            runs=cfg.mc_runs,
            seed=cfg.seed,
            spread=cfg.weight_spread,
            aggregations=cfg.mc_aggregations,
            on_progress=on_progress,
        )
        steps.append(
            {
                "step": "monte_carlo",
                "runs": cfg.mc_runs,
                "seed": cfg.seed,
                "weight_spread": cfg.weight_spread,
                **mc.choices,
                "sensitivity": mc.sensitivity,
            }
        )
    logger.info("index %s: %d units, %d indicators", fw.code, len(units), len(st.indicators))
    if mc is not None and len(units) < len(all_units):
        mc = _expand_mc(mc, keep)

    def frame(a: np.ndarray, cols: list[str]) -> pd.DataFrame:
        return pd.DataFrame(a, index=units, columns=cols).reindex(all_units)

    overall = pd.Series(tot, index=units).reindex(all_units)
    return IndexResult(
        framework=fw,
        config=cfg,
        units=all_units,
        values=values,
        treated=frame(treated, st.indicators),
        scores=frame(z, st.indicators),
        sub_pillars=frame(sub, st.sub_pillars),
        pillars=frame(pil, st.pillars),
        overall=overall,
        rank=_rank_desc(overall),
        weights=w,
        structure=st,
        coherence=coh,
        steps=steps,
        coverage=coverage,
        mc=mc,
    )
