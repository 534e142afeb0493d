"""Weighting and aggregation on the 3 x 4 example, worked out by hand (see conftest)."""

from __future__ import annotations

import numpy as np
import pytest

from silkhub.core.index.aggregate import aggregate, positive_scores, ranks
from silkhub.core.index.framework import parse_framework
from silkhub.core.index.normalise import normalise
from silkhub.core.index.weights import (
    Structure,
    budget_weights,
    equal_weights,
    pca_weights,
    user_weights,
)
from silkhub.errors import ValidationError
from tests.core.index.conftest import SIGNS, X


def test_equal_weights(toy) -> None:
    # two indicators per sub-pillar (1/2 each), one sub-pillar per pillar (1), two pillars (1/2)
    w = equal_weights(Structure.of(toy))
    np.testing.assert_allclose(w.effective(Structure.of(toy)), [0.25] * 4)


def test_user_weights(toy) -> None:
    # effective = pillar * sub * indicator: 0.6*0.75, 0.6*0.25, 0.4*0.5, 0.4*0.5
    st = Structure.of(toy)
    np.testing.assert_allclose(user_weights(toy).effective(st), [0.45, 0.15, 0.2, 0.2])


def test_budget_weights(toy) -> None:
    # expert 1 shares .6 .2 .2 0, expert 2 .2 .2 .4 .2 -> mean .4 .2 .3 .1
    # pillars: P1 = .6, P2 = .4; within P1: 2/3, 1/3; within P2: .75, .25
    st = Structure.of(toy)
    w = budget_weights(st, toy.budget)
    np.testing.assert_allclose(w.pillar, [0.6, 0.4])
    np.testing.assert_allclose(w.indicator, [2 / 3, 1 / 3, 0.75, 0.25])
    np.testing.assert_allclose(w.effective(st), [0.4, 0.2, 0.3, 0.1])
    with pytest.raises(ValidationError, match="budget"):
        budget_weights(st, [])


def test_pca_weights_by_hand() -> None:
    # one pillar of three indicators over four units: a and b perfectly correlated, c uncorrelated
    # with both (centred a = -1.5 -.5 .5 1.5, centred c = 1 -1 -1 1: dot product 0).
    # Correlation matrix [[1,1,0],[1,1,0],[0,0,1]]: eigenvalues 2, 1, 0; first component
    # (1,1,0)/sqrt 2, loadings sqrt(2) * that = (1, 1, 0) -> squared (1, 1, 0) -> weights .5 .5 0
    fw = parse_framework(
        {
            "code": "p",
            "name_en": "p",
            "pillars": [
                {
                    "code": "P",
                    "name_en": "P",
                    "sub_pillars": [
                        {
                            "code": "S",
                            "name_en": "S",
                            "indicators": [{"code": c, "name_en": c} for c in ("a", "b", "c")],
                        }
                    ],
                }
            ],
        }
    )
    x = np.array([[1, 2, 2], [2, 4, 0], [3, 6, 0], [4, 8, 2]], dtype=float)
    st = Structure.of(fw)
    w = pca_weights(st, x, user_weights(fw))
    np.testing.assert_allclose(w.effective(st), [0.5, 0.5, 0.0], atol=1e-9)


def test_arithmetic_aggregation_by_hand(toy) -> None:
    # min-max scores (test_normalise): A 0 0 0 0 | B 33.33 100 100 66.67 | C 100 50 50 100
    # B: S1 = .75*33.33 + .25*100 = 50;  S2 = .5*100 + .5*66.67 = 83.33
    #    index = .6*50 + .4*83.33 = 63.33
    # C: S1 = .75*100 + .25*50 = 87.5;   S2 = .5*50 + .5*100 = 75; index = 52.5 + 30 = 82.5
    st = Structure.of(toy)
    w = user_weights(toy)
    z = normalise(X, SIGNS, "minmax")
    sub, pil, tot = aggregate(z, st, w.indicator, w.sub_pillar, w.pillar, "arithmetic")
    np.testing.assert_allclose(sub, [[0, 0], [50, 250 / 3], [87.5, 75]])
    np.testing.assert_allclose(pil, sub)  # one sub-pillar per pillar
    np.testing.assert_allclose(tot, [0, 190 / 3, 82.5])
    np.testing.assert_array_equal(ranks(tot), [3, 2, 1])


def test_geometric_aggregation_by_hand(toy) -> None:
    # rank scores: A 1 1 1 1 | B 2 3 3 2 | C 3 2 2 3
    # B: S1 = 2^.75 * 3^.25 = 2.21336, S2 = sqrt(3*2) = 2.44949,
    #    index = 2.21336^.6 * 2.44949^.4 = exp(.6*.794513 + .4*.895880) = exp(.835060) = 2.30495
    # C: S1 = 3^.75 * 2^.25 = 2.71081, S2 = 2.44949,
    #    index = exp(.6*.997246 + .358352) = exp(.956700) = 2.60309
    st = Structure.of(toy)
    w = user_weights(toy)
    z = normalise(X, SIGNS, "rank")
    sub, _, tot = aggregate(z, st, w.indicator, w.sub_pillar, w.pillar, "geometric")
    np.testing.assert_allclose(sub[1], [2.21336, 2.44949], atol=1e-5)
    np.testing.assert_allclose(tot, [1.0, 2.30495, 2.60309], atol=1e-5)


def test_positive_scores_for_geometric() -> None:
    # min-max column 0, 33.33, 100 -> 1 + 99 * (x - 0) / 100 = 1, 34, 100; positive columns kept
    s = positive_scores(np.array([[0.0, 2.0], [100 / 3, 3.0], [100.0, 4.0]]))
    np.testing.assert_allclose(s, [[1, 2], [34, 3], [100, 4]])


def test_missing_scores_reweight_available(toy) -> None:
    # B lacks i1: S1 = i2 alone = 100 (weight .25 rescaled to 1)
    st = Structure.of(toy)
    w = user_weights(toy)
    z = normalise(X, SIGNS, "minmax")
    z[1, 0] = np.nan
    sub, _, _ = aggregate(z, st, w.indicator, w.sub_pillar, w.pillar)
    assert sub[1, 0] == pytest.approx(100)


def test_vectorised_runs_match_single(toy) -> None:
    st = Structure.of(toy)
    w = user_weights(toy)
    z = normalise(X, SIGNS, "minmax")
    z[0, 1] = np.nan
    _, _, one = aggregate(z, st, w.indicator, w.sub_pillar, w.pillar)
    wi = np.stack([w.indicator] * 3)
    ws = np.stack([w.sub_pillar] * 3)
    wp = np.stack([w.pillar] * 3)
    _, _, many = aggregate(z, st, wi, ws, wp)
    np.testing.assert_allclose(many, np.stack([one] * 3))
