"""Cross-checks against reference implementations (scipy, scikit-learn)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from silkhub.core.index.coherence import pca_variance
from silkhub.core.index.normalise import normalise
from silkhub.core.index.outliers import skew_kurt

RNG = np.random.default_rng(42)
X = RNG.lognormal(size=(40, 5))


def test_minmax_matches_sklearn() -> None:
    ours = normalise(X, np.ones(5), "minmax")
    np.testing.assert_allclose(ours, 100 * MinMaxScaler().fit_transform(X))


def test_zscore_matches_sklearn_up_to_ddof() -> None:
    n = X.shape[0]
    ours = normalise(X, np.ones(5), "zscore")
    ref = StandardScaler().fit_transform(X) * np.sqrt((n - 1) / n)  # sklearn uses ddof = 0
    np.testing.assert_allclose(ours, ref)


def test_pca_share_matches_sklearn() -> None:
    share, _ = pca_variance(X)
    ref = PCA().fit(StandardScaler().fit_transform(X)).explained_variance_ratio_[0]
    assert share == pytest.approx(ref)


def test_skew_kurtosis_match_scipy() -> None:
    for j in range(5):
        sk, ku = skew_kurt(X[:, j])
        assert sk == pytest.approx(stats.skew(X[:, j], bias=False))
        assert ku == pytest.approx(stats.kurtosis(X[:, j], fisher=True, bias=False))
