"""Normalisation methods on the 3 x 4 example, worked out by hand (see conftest)."""

from __future__ import annotations

import numpy as np
import pytest

from silkhub.core.index.normalise import normalise
from silkhub.errors import ValidationError
from tests.core.index.conftest import SIGNS, X


def test_minmax_by_hand() -> None:
    # i1: (x - 1) / (4 - 1) * 100 -> 0, 33.33, 100
    # i2: (x - 10) / 20 * 100 -> 0, 100, 50 ; i3 the same pattern
    # i4 lower is better: y = -x = -4, -2, -1 -> (y + 4) / 3 * 100 -> 0, 66.67, 100
    z = normalise(X, SIGNS, "minmax")
    expected = np.array(
        [[0, 0, 0, 0], [100 / 3, 100, 100, 200 / 3], [100, 50, 50, 100]], dtype=float
    )
    np.testing.assert_allclose(z, expected)


def test_zscore_by_hand() -> None:
    # i1: mean 7/3, sample var ((4/3)^2 + (1/3)^2 + (5/3)^2) / 2 = 7/3, sd = 1.52753
    #     z = (-4/3, -1/3, 5/3) / 1.52753 = -0.87287, -0.21822, 1.09109
    # i2: mean 20, sd = sqrt((100 + 100 + 0) / 2) = 10 -> -1, 1, 0
    # i4: y = -4, -2, -1 -> mean -7/3, deviations -5/3, 1/3, 4/3 -> -1.09109, 0.21822, 0.87287
    z = normalise(X, SIGNS, "zscore")
    np.testing.assert_allclose(z[:, 0], [-0.87287, -0.21822, 1.09109], atol=1e-5)
    np.testing.assert_allclose(z[:, 1], [-1, 1, 0])
    np.testing.assert_allclose(z[:, 3], [-1.09109, 0.21822, 0.87287], atol=1e-5)


def test_rank_by_hand() -> None:
    # i1 ascending -> 1, 2, 3; i2: 10 < 20 < 30 -> A 1, C 2, B 3; i4 lower: 4 worst -> A 1, B 2, C 3
    z = normalise(X, SIGNS, "rank")
    np.testing.assert_array_equal(z[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(z[:, 1], [1, 3, 2])
    np.testing.assert_array_equal(z[:, 3], [1, 2, 3])


def test_frontier_by_hand() -> None:
    # i1: 100 * x / max = 100 * (1, 2, 4) / 4 = 25, 50, 100
    # i4 lower: 100 * min / x = 100 * 1 / (4, 2, 1) = 25, 50, 100
    z = normalise(X, SIGNS, "frontier")
    np.testing.assert_allclose(z[:, 0], [25, 50, 100])
    np.testing.assert_allclose(z[:, 3], [25, 50, 100])


def test_target_by_hand() -> None:
    # i1 target 2: 100 * min(x / 2, 1) = 50, 100, 100; others fall back to the frontier
    z = normalise(X, SIGNS, "target", targets=[2.0, None, None, None])
    np.testing.assert_allclose(z[:, 0], [50, 100, 100])
    np.testing.assert_allclose(z[:, 1], [100 / 3, 100, 200 / 3])


def test_missing_stays_missing_and_constant_columns() -> None:
    x = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, 5.0]])
    z = normalise(x, np.array([1.0, 1.0]), "minmax")
    assert np.isnan(z[1, 0])
    np.testing.assert_allclose(z[[0, 2], 0], [0, 100])
    np.testing.assert_allclose(z[:, 1], [50, 50, 50])  # constant -> 50
    np.testing.assert_allclose(normalise(x, np.ones(2), "zscore")[:, 1], [0, 0, 0])


def test_ratio_methods_need_positive_values() -> None:
    with pytest.raises(ValidationError, match="positive"):
        normalise(np.array([[0.0], [1.0]]), np.ones(1), "frontier", indicators=["x"])
