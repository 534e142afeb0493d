"""Coherence statistics, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from silkhub.core.index.coherence import coherence, cronbach_alpha, pca_variance
from silkhub.core.index.weights import Structure


def test_cronbach_alpha_extremes() -> None:
    # perfectly correlated pair: var(z1 + z2) = 4 -> alpha = 2 * (1 - 2/4) = 1
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    assert cronbach_alpha(a) == pytest.approx(1.0)
    # uncorrelated pair (centred 1.5 .5 -.5 -1.5 vs 1 -1 -1 1): var(z1 + z2) = 2 -> alpha = 0
    b = np.array([[1.0, 2.0], [2.0, 0.0], [3.0, 0.0], [4.0, 2.0]])
    assert cronbach_alpha(b) == pytest.approx(0.0, abs=1e-12)


def test_pca_variance() -> None:
    # correlation [[1,1,0],[1,1,0],[0,0,1]]: eigenvalues 2, 1, 0 -> first share 2/3, one > 1
    x = np.array([[1, 2, 2], [2, 4, 0], [3, 6, 0], [4, 8, 2]], dtype=float)
    share, n = pca_variance(x)
    assert share == pytest.approx(2 / 3) and n == 1


def test_negative_correlation_flag(toy) -> None:
    st = Structure.of(toy)
    scores = np.array([[0, 100, 0, 0], [50, 50, 50, 50], [100, 0, 100, 100.0], [20, 80, 30, 10]])
    pillars = np.column_stack([scores[:, 0] * 0.9 + scores[:, 1] * 0.1, scores[:, 2:].mean(1)])
    coh = coherence(scores, pillars, pillars.mean(1), st)
    fit = coh.indicator_fit.set_index("indicator")
    assert bool(fit.loc["i2", "negative_flag"]) and not bool(fit.loc["i1", "negative_flag"])
    assert any("i2 correlates negatively" in f for f in coh.flags)
