"""The pipeline records every step; ranks; coverage rule; config validation."""

from __future__ import annotations

import numpy as np
import pytest

from silkhub.core.index.pipeline import IndexConfig, compute_index
from silkhub.errors import UnknownChoiceError, ValidationError


def test_steps_are_recorded_in_order(toy, toy_raw) -> None:
    r = compute_index(toy, toy_raw, IndexConfig(mc_runs=50))
    names = [s["step"] for s in r.steps]
    assert names == [
        "indicators", "missing_data", "outliers", "normalisation", "weighting", "aggregation",
        "coherence", "monte_carlo",
    ]  # fmt: skip
    assert r.steps[3]["method"] == "minmax" and r.steps[4]["method"] == "user"


def test_scores_and_ranks_by_hand(toy, toy_raw) -> None:
    # default pipeline on complete data = min-max + framework weights + arithmetic:
    # index A 0, B 63.33, C 82.5 (test_weights_aggregate); pillar P1: A 0, B 50, C 87.5;
    # pillar P2: A 0, B 83.33, C 75 -> pillar ranks P1: C 1, B 2, A 3; P2: B 1, C 2, A 3
    r = compute_index(toy, toy_raw)
    t = r.table().set_index("unit")
    assert t.loc[["A", "B", "C"], "score"].round(2).tolist() == [0.0, 63.33, 82.5]
    assert t.loc[["A", "B", "C"], "rank"].tolist() == [3, 2, 1]
    assert t.loc[["A", "B", "C"], "P1_rank"].tolist() == [3, 2, 1]
    assert t.loc[["A", "B", "C"], "P2_rank"].tolist() == [3, 1, 2]


def test_unit_without_scores_has_no_rank(toy, toy_raw) -> None:
    raw = toy_raw.copy()
    raw.loc["D"] = np.nan
    r = compute_index(toy, raw, IndexConfig(imputation="none"))
    assert np.isnan(r.overall["D"]) and r.rank["D"] is None
    assert r.rank[["A", "B", "C"]].tolist() == [3, 2, 1]


def test_sparse_indicators_are_excluded_not_imputed(toy, toy_raw) -> None:
    raw = toy_raw.copy()
    raw.loc[["A", "B"], "i2"] = np.nan  # observed for 1 of 3 units = 33 %
    r = compute_index(toy, raw, IndexConfig(min_coverage=0.5))
    assert r.steps[0]["excluded_low_coverage"] == {"i2": 0.333}
    assert r.scores["i2"].isna().all()


def test_config_is_checked() -> None:
    with pytest.raises(UnknownChoiceError, match="normalisation"):
        IndexConfig(normalisation="cubic").check()
    with pytest.raises(ValidationError):
        IndexConfig(weight_spread=1.5).check()


def test_needs_two_units(toy, toy_raw) -> None:
    with pytest.raises(ValidationError, match="two units"):
        compute_index(toy, toy_raw.iloc[:1])


def test_units_with_too_little_data_are_left_out(toy, toy_raw) -> None:
    raw = toy_raw.copy()
    raw.loc["D"] = [5.0, np.nan, np.nan, np.nan]  # 1 of 4 scored indicators = 25 % < 50 %
    r = compute_index(toy, raw, IndexConfig(mc_runs=50))
    assert r.steps[0]["excluded_units_low_coverage"] == {"D": 0.25}
    assert np.isnan(r.overall["D"]) and r.rank["D"] is None
    assert np.isnan(r.mc.median_rank[3]) and not np.isnan(r.mc.median_rank[:3]).any()
    # the other units are scored exactly as without D (test_scores_and_ranks_by_hand)
    assert r.overall[["A", "B", "C"]].round(2).tolist() == [0.0, 63.33, 82.5]
    kept = compute_index(toy, raw, IndexConfig(min_unit_coverage=0.25))
    assert not np.isnan(kept.overall["D"])


def test_monte_carlo_reports_its_share_done_and_can_be_stopped(toy, toy_raw) -> None:
    """``on_progress`` sees the share of runs done after each chunk (the last call is 1.0); the
    result does not depend on it; an exception it raises (a job's cancel) ends the run."""
    shares: list[float] = []
    cfg = IndexConfig(mc_runs=4500, seed=3)
    with_progress = compute_index(toy, toy_raw, cfg, on_progress=shares.append)
    plain = compute_index(toy, toy_raw, cfg)
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) >= 5
    np.testing.assert_array_equal(with_progress.mc.median_rank, plain.mc.median_rank)

    class Stop(Exception):
        pass

    def stop_halfway(share: float) -> None:
        if share >= 0.5:
            raise Stop

    with pytest.raises(Stop):
        compute_index(toy, toy_raw, cfg, on_progress=stop_halfway)
