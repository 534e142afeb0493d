"""Hand-computed examples for silkhub.core.trade (2–3 countries, 2–4 products)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from silkhub.core import trade

# A: p1=10, p2=30 (total 40); B: p1=40, p2=20 (total 60); world 100, p1=50, p2=50
EXPORTS = pd.DataFrame(
    {
        "exporter": ["A", "A", "B", "B"],
        "product": ["p1", "p2", "p1", "p2"],
        "value_usd": [10.0, 30.0, 40.0, 20.0],
    }
)


def test_balassa_rca_by_hand() -> None:
    r = trade.balassa_rca(EXPORTS).set_index(["exporter", "product"])["rca"]
    # A,p1 = (10/40)/(50/100) = 0.25/0.5 = 0.5 ; A,p2 = (30/40)/0.5 = 1.5
    # B,p1 = (40/60)/0.5 = 1.3333 ; B,p2 = (20/60)/0.5 = 0.6667
    assert r[("A", "p1")] == pytest.approx(0.5)
    assert r[("A", "p2")] == pytest.approx(1.5)
    assert r[("B", "p1")] == pytest.approx(4 / 3)
    assert r[("B", "p2")] == pytest.approx(2 / 3)


def test_balassa_rca_missing_value_counts_as_zero_and_zero_country_is_nan() -> None:
    df = pd.concat(
        [
            EXPORTS,
            pd.DataFrame({"exporter": ["C", "C"], "product": ["p1", "p2"], "value_usd": [None, 0]}),
        ]
    )
    r = trade.balassa_rca(df).set_index(["exporter", "product"])
    # C exports nothing: its shares are undefined (NaN), not 0; A, B unchanged
    assert math.isnan(r.loc[("C", "p1"), "rca"])
    assert r.loc[("A", "p2"), "rca"] == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("rca", "expected"),
    [
        pytest.param(0.5, -1 / 3, id="0.5 -> (0.5-1)/(0.5+1) = -1/3"),
        pytest.param(1.5, 0.2, id="1.5 -> 0.5/2.5 = 0.2"),
        pytest.param(1.0, 0.0, id="neutral"),
        pytest.param(0.0, -1.0, id="absent"),
    ],
)
def test_symmetric_rca(rca: float, expected: float) -> None:
    assert trade.symmetric_rca(rca) == pytest.approx(expected)


def test_trade_complementarity_by_hand() -> None:
    # A exports shares p1 .25, p2 .75; B imports p1=30, p2=10 -> .75, .25
    # sum |m - x| = .5 + .5 = 1 -> TCI = 100 * (1 - 1/2) = 50
    x = pd.Series({"p1": 10.0, "p2": 30.0})
    m = pd.Series({"p1": 30.0, "p2": 10.0})
    assert trade.trade_complementarity(x, m) == pytest.approx(50.0)
    # identical profiles -> 100; disjoint products -> 0 (p3 absent on one side = share 0)
    assert trade.trade_complementarity(x, x * 2) == pytest.approx(100.0)
    assert trade.trade_complementarity(pd.Series({"p1": 1.0}), pd.Series({"p3": 5.0})) == 0.0
    assert math.isnan(trade.trade_complementarity(x, pd.Series({"p1": 0.0})))


def test_export_similarity_by_hand() -> None:
    # A (.25, .75) vs B (40/60, 20/60): min = .25 + 1/3 = 0.58333 -> 58.333
    a = pd.Series({"p1": 10.0, "p2": 30.0})
    b = pd.Series({"p1": 40.0, "p2": 20.0})
    assert trade.export_similarity(a, b) == pytest.approx(100 * (0.25 + 1 / 3))


def test_hhi_by_hand() -> None:
    # shares .25, .75 -> .0625 + .5625 = .625 ; normalised (.625 - .5)/(1 - .5) = .25
    assert trade.hhi([10, 30]) == pytest.approx(0.625)
    assert trade.hhi([10, 30], normalised=True) == pytest.approx(0.25)
    assert trade.hhi([5, 5, 5, 5]) == pytest.approx(0.25)
    assert math.isnan(trade.hhi([]))
    assert math.isnan(trade.hhi([7], normalised=True))


def test_trade_intensity_by_hand() -> None:
    # x_ij=20 of X_i=100 (0.2); M_j=50 of M_w=1000 (0.05) -> 4
    assert trade.trade_intensity(20, 100, 50, 1000) == pytest.approx(4.0)
    # WITS form removes i's own imports (200) from the world: 0.2 / (50/800) = 3.2
    assert trade.trade_intensity(20, 100, 50, 1000, x_wi=200) == pytest.approx(3.2)
    assert math.isnan(trade.trade_intensity(20, 0, 50, 1000))


def test_rank_partners_table1_style() -> None:
    cur = pd.DataFrame(
        {
            "partner": ["K", "R", "S"],
            "exports_usd": [30.0, 5.0, 20.0],
            "imports_usd": [10.0, 50.0, 0.0],
        }
    )
    prev = pd.DataFrame(
        {"partner": ["K", "R"], "exports_usd": [20.0, 5.0], "imports_usd": [12.0, 45.0]}
    )
    out = trade.rank_partners(cur, prev, flow="total", reporter_total={"total": 200.0})
    assert list(out["partner"]) == ["R", "K", "S"]  # totals 55, 40, 20
    r = out.set_index("partner")
    assert r.loc["R", "share_pct"] == pytest.approx(27.5)  # 55/200
    assert r.loc["K", "share_of_selection_pct"] == pytest.approx(100 * 40 / 115)
    assert r.loc["R", "balance_usd"] == -45.0  # 5 - 50: deficit with R
    assert r.loc["K", "growth_pct"] == pytest.approx(25.0)  # 40/32 - 1
    assert r.loc["R", "growth_pct"] == pytest.approx(10.0)  # 55/50 - 1
    assert math.isnan(r.loc["S", "growth_pct"])
    assert r.loc["S", "growth_note"] == "no data for the previous year"
    exp = trade.rank_partners(cur, None, flow="exports", top=2)
    assert list(exp["partner"]) == ["K", "S"]
    assert exp["share_pct"].iloc[0] == pytest.approx(100 * 30 / 55)


def test_safe_div_never_zero() -> None:
    assert math.isnan(trade.safe_div(1.0, 0.0))
    out = trade.safe_div(np.array([1.0, 2.0]), np.array([0.0, 4.0]))
    assert math.isnan(out[0]) and out[1] == 0.5
