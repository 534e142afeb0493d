"""Monte Carlo uncertainty and sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkhub.core.index.normalise import normalise
from silkhub.core.index.pipeline import IndexConfig, compute_index
from silkhub.core.index.uncertainty import monte_carlo
from silkhub.core.index.weights import Structure, user_weights
from tests.core.index.conftest import SIGNS, X


def test_no_uncertainty_collapses_to_nominal_rank(toy) -> None:
    st = Structure.of(toy)
    z = normalise(X, SIGNS, "minmax")
    mc = monte_carlo(
        {("none", "minmax"): z}, st, user_weights(toy), runs=50, spread=0.0,
        aggregations=("arithmetic",),
    )  # fmt: skip
    # nominal ranks (test_weights_aggregate): A 3, B 2, C 1
    np.testing.assert_array_equal(mc.median_rank, [3, 2, 1])
    np.testing.assert_array_equal(mc.rank_p05, mc.rank_p95)
    assert mc.sensitivity == {}


def test_seeded_and_reproducible(toy, toy_raw) -> None:
    cfg = IndexConfig(mc_runs=500, seed=7)
    a = compute_index(toy, toy_raw, cfg).mc
    b = compute_index(toy, toy_raw, cfg).mc
    np.testing.assert_array_equal(a.median_rank, b.median_rank)
    assert a.sensitivity == b.sensitivity
    assert set(a.sensitivity) <= {"imputation", "normalisation", "aggregation", "weights"}
    assert all(0 <= v <= 1 for v in a.sensitivity.values())
    assert (a.rank_p05 <= a.median_rank).all() and (a.median_rank <= a.rank_p95).all()


def test_sensitivity_finds_the_choice_that_matters(toy) -> None:
    # only the aggregation varies: unit U is balanced, V is extreme (worst on i3)
    raw = pd.DataFrame(
        {"i1": [60, 100, 0], "i2": [60, 100, 0], "i3": [60, 0, 100], "i4": [40, 0, 100]},
        index=["U", "V", "W"],
    )
    cfg = IndexConfig(
        mc_runs=2000,
        weighting="equal",
        imputation="none",
        outliers="none",
        weight_spread=0.0,
        mc_imputations=("none",),
        mc_normalisations=("minmax",),
    )
    mc = compute_index(toy, raw, cfg).mc
    # min-max: U 60 60 60 60 | V 100 100 0 100 | W 0 0 100 0 (i4 lower is better)
    # arithmetic, equal weights: U 60; V (100 + (0 + 100)/2) / 2 = 75 -> V first
    # geometric on [1, 100]: U 60.4; V sqrt(100 * sqrt(1 * 100)) = 31.6 -> U first
    assert mc.sensitivity["aggregation"] > 0.9
    assert mc.rank_p05[0] == 1 and mc.rank_p95[0] == 2


def test_mc_with_missing_data_matches_deterministic(toy, toy_raw) -> None:
    raw = toy_raw.copy()
    raw.iloc[0, 1] = np.nan
    cfg = IndexConfig(
        imputation="none", mc_runs=20, weight_spread=0.0, mc_imputations=("none",),
        mc_normalisations=("minmax",), mc_aggregations=("arithmetic",),
    )  # fmt: skip
    r = compute_index(toy, raw, cfg)
    np.testing.assert_array_equal(r.mc.median_rank, r.rank.to_numpy())
