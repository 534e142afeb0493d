"""Missing-data treatment and winsorisation, by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from silkhub.core.index.missing import impute
from silkhub.core.index.outliers import skew_kurt, winsorise


def test_mean_imputation_counts() -> None:
    # column 2 observed 2, 6 -> mean 4 fills the gap
    x = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 6.0]])
    out, rep = impute(x, "mean", indicators=["a", "b"], units=["u", "v", "w"])
    assert out[1, 1] == 4.0
    assert (rep.n_missing, rep.n_imputed) == (1, 1)
    assert rep.per_indicator == {"b": 1} and rep.per_unit == {"v": 1}


def test_none_leaves_gaps() -> None:
    x = np.array([[1.0, np.nan], [2.0, 3.0]])
    out, rep = impute(x, "none")
    assert np.isnan(out[0, 1]) and rep.n_imputed == 0 and rep.n_missing == 1


def test_em_follows_the_regression() -> None:
    # one gap in b: the EM fixed point is the complete-case regression prediction.
    # complete rows a = 1 2 3, b = 2 4 6.5: means 2 and 4.1667; slope = (2.1667 + 2.3333) / 2
    # = 2.25; intercept 4.1667 - 4.5 = -0.3333; at a = 4: 9 - 0.3333 = 8.6667 (mean says 4.1667)
    x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.5], [4.0, np.nan]])
    out, rep = impute(x, "em", shrink=0.0, tol=1e-10, max_iter=2000)
    assert abs(out[3, 1] - 26 / 3) < 1e-6
    assert rep.iterations > 1


def test_empty_column_is_reported_not_imputed() -> None:
    x = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]])
    out, rep = impute(x, "em", indicators=["a", "b"])
    assert np.isnan(out[:, 1]).all() and rep.not_imputable == ["b"]


def test_winsorise_skewed_column() -> None:
    # nine 1s and a 100: skewness 3.16 > 2, excess kurtosis 10 > 3.5 -> 100 becomes 1, then the
    # column is constant and the rule stops
    col = np.array([1.0] * 9 + [100.0])
    sk, ku = skew_kurt(col)
    assert abs(sk - 3.1623) < 1e-3 and abs(ku - 10.0) < 1e-6
    out, rep = winsorise(col[:, None], indicators=["a"])
    assert out.max() == 1.0 and rep.winsorised == {"a": 1}


def test_winsorise_leaves_regular_columns() -> None:
    col = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    out, rep = winsorise(col)
    np.testing.assert_array_equal(out, col)
    assert not rep.winsorised


@example(  # ill-conditioned: in CI hypothesis found such a case where pinv did not converge
    np.array([[0.0, 1e3], [5.0, np.nan], [0.0, -1.1e-308], [1e3, 0.0]]), 0, "em"
)
@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 9), st.integers(1, 6)),
           elements=st.floats(-1e3, 1e3, allow_nan=False)),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["none", "mean", "em"]),
)  # fmt: skip
def test_impute_never_fails_and_fills_what_it_can(x, seed, method) -> None:
    rng = np.random.default_rng(seed)
    x = x.copy()
    x[rng.random(x.shape) < 0.3] = np.nan
    out, rep = impute(x, method)
    observed = ~np.isnan(x)
    np.testing.assert_array_equal(out[observed], x[observed])  # observed values untouched
    if method != "none":
        imputable = observed.any(axis=0)
        assert not np.isnan(out[:, imputable]).any()
        assert np.isfinite(out[:, imputable]).all()
    assert rep.n_missing == int((~observed).sum())
