"""Property tests (hypothesis) of the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from silkhub.core.index.framework import parse_framework
from silkhub.core.index.pipeline import IndexConfig, compute_index


def _framework(k: int, lower: tuple[bool, ...]):
    inds = [
        {"code": f"x{j}", "name_en": f"x{j}", "direction": "lower" if lower[j] else "higher"}
        for j in range(k)
    ]
    half = max(1, k // 2)
    return parse_framework(
        {
            "code": "prop",
            "name_en": "prop",
            "pillars": [
                {"code": "P1", "name_en": "a", "sub_pillars": [
                    {"code": "S1", "name_en": "a", "indicators": inds[:half]}]},
                {"code": "P2", "name_en": "b", "sub_pillars": [
                    {"code": "S2", "name_en": "b", "indicators": inds[half:]}]},
            ] if k > 1 else [
                {"code": "P1", "name_en": "a", "sub_pillars": [
                    {"code": "S1", "name_en": "a", "indicators": inds}]},
            ],
        }
    )  # fmt: skip


values = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def matrices(draw):
    n = draw(st.integers(3, 8))
    k = draw(st.integers(2, 5))
    x = draw(arrays(np.float64, (n, k), elements=values))
    lower = tuple(draw(st.lists(st.booleans(), min_size=k, max_size=k)))
    return x, lower


@settings(max_examples=60, deadline=None)
@given(matrices(), st.integers(0, 4), st.floats(-1e4, 1e4, allow_nan=False))
def test_minmax_ranks_invariant_to_adding_a_constant(m, col, c) -> None:
    x, lower = m
    k = x.shape[1]
    col = col % k
    fw = _framework(k, lower)
    cfg = IndexConfig(imputation="none", outliers="none", normalisation="minmax")
    units = [f"u{i}" for i in range(x.shape[0])]
    base = compute_index(fw, pd.DataFrame(x, index=units, columns=fw.indicator_codes), cfg)
    shifted = x.copy()
    shifted[:, col] += round(c, 3)
    moved = compute_index(fw, pd.DataFrame(shifted, index=units, columns=fw.indicator_codes), cfg)
    np.testing.assert_allclose(moved.overall.to_numpy(), base.overall.to_numpy(), atol=1e-6)
    ok = np.abs(base.overall.to_numpy()[:, None] - base.overall.to_numpy()[None, :]) > 1e-6
    same_order = np.sign(np.subtract.outer(moved.overall.to_numpy(), moved.overall.to_numpy()))
    base_order = np.sign(np.subtract.outer(base.overall.to_numpy(), base.overall.to_numpy()))
    np.testing.assert_array_equal(same_order[ok], base_order[ok])


@settings(max_examples=60, deadline=None)
@given(
    matrices(),
    st.lists(st.floats(0.001, 100, allow_nan=False), min_size=5, max_size=5),
    st.sampled_from(["minmax", "zscore", "rank"]),
    st.sampled_from(["equal", "user"]),
)
def test_dominating_unit_never_ranks_below(m, deltas, normalisation, weighting) -> None:
    x, lower = m
    k = x.shape[1]
    fw = _framework(k, lower)
    # unit 1 = unit 0 improved on every indicator (up if higher is better, down if lower)
    signs = np.array([-1.0 if lo else 1.0 for lo in lower])
    x = x.copy()
    x[1] = x[0] + signs * np.array(deltas[:k])
    units = [f"u{i}" for i in range(x.shape[0])]
    cfg = IndexConfig(
        imputation="none", normalisation=normalisation, weighting=weighting,
        aggregation="arithmetic",
    )  # fmt: skip
    r = compute_index(fw, pd.DataFrame(x, index=units, columns=fw.indicator_codes), cfg)
    assert r.overall.iloc[1] >= r.overall.iloc[0] - 1e-9
    assert r.rank.iloc[1] <= r.rank.iloc[0]


@settings(max_examples=60, deadline=None)
@given(
    matrices(),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["none", "mean", "em"]),
    st.sampled_from(["minmax", "zscore", "rank", "frontier", "target"]),
    st.sampled_from(["equal", "user", "pca"]),
    st.sampled_from(["arithmetic", "geometric"]),
)
def test_pipeline_fails_only_with_silkhub_errors(m, seed, imp, norm, weighting, agg) -> None:
    """Random gaps and any combination of choices: a result or a SilkhubError, nothing else."""
    from silkhub.errors import SilkhubError

    x, lower = m
    rng = np.random.default_rng(seed)
    x = x.copy()
    x[rng.random(x.shape) < 0.25] = np.nan
    fw = _framework(x.shape[1], lower)
    units = [f"u{i}" for i in range(x.shape[0])]
    cfg = IndexConfig(
        imputation=imp, normalisation=norm, weighting=weighting, aggregation=agg, mc_runs=20
    )
    try:
        r = compute_index(fw, pd.DataFrame(x, index=units, columns=fw.indicator_codes), cfg)
    except SilkhubError:
        return
    assert len(r.rank) == x.shape[0]
    assert r.mc is not None
    ranked = ~np.isnan(r.mc.rank_p05)  # units left out for low coverage have no interval
    assert (r.mc.rank_p05[ranked] <= r.mc.rank_p95[ranked]).all()
    np.testing.assert_array_equal(ranked, r.overall.notna().to_numpy())
