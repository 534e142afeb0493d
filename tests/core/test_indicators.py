"""Hand-computed examples for silkhub.core.indicators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from silkhub.core import indicators as ind


def test_trade_dependence_by_hand() -> None:
    # (X + M) / GDP = (50 + 30) / 200 = 0.4
    assert ind.trade_dependence(50, 30, 200) == pytest.approx(0.4)
    assert ind.export_dependence(50, 200) == pytest.approx(0.25)
    assert ind.import_dependence(30, 200) == pytest.approx(0.15)
    assert math.isnan(ind.trade_dependence(50, 30, 0))
    assert math.isnan(ind.trade_dependence(50, 30, float("nan")))


def test_vectorised_on_series() -> None:
    x = pd.Series([10.0, 20.0], index=[2015, 2016])
    m = pd.Series([10.0, 0.0], index=[2015, 2016])
    gdp = pd.Series([100.0, 0.0], index=[2015, 2016])
    out = ind.trade_dependence(x, m, gdp)
    assert out[2015] == pytest.approx(0.2)  # 20/100
    assert math.isnan(out[2016])


def test_fdi_rd_hightech_by_hand() -> None:
    assert ind.fdi_to_gdp(5, 200) == pytest.approx(0.025)  # 5/200
    assert ind.fdi_to_gdp(-4, 200) == pytest.approx(-0.02)  # disinvestment stays negative
    assert ind.rd_intensity(4.2, 200) == pytest.approx(0.021)  # 4.2/200
    assert ind.high_tech_share(9.6, 100) == pytest.approx(0.096)  # seed 002: Liaoning 9.6 %


def test_yoy_growth_skips_gaps() -> None:
    s = pd.Series({2013: 100.0, 2014: 110.0, 2016: 121.0, 2017: 0.0, 2018: 5.0})
    g = ind.yoy_growth(s)
    assert math.isnan(g[2013])  # no previous year
    assert g[2014] == pytest.approx(0.10)  # 110/100 - 1
    assert math.isnan(g[2016])  # 2015 missing: not a two-year growth
    assert g[2017] == pytest.approx(-1.0)
    assert math.isnan(g[2018])  # previous value 0


def test_cagr_by_hand() -> None:
    # 100 -> 121 over 2 years: sqrt(1.21) - 1 = 0.1
    assert ind.cagr(100, 121, 2) == pytest.approx(0.1)
    # seed 002: 12.4 % a year over 13 years multiplies by 1.124^13 = 4.57
    assert ind.cagr(1.0, 1.124**13, 13) == pytest.approx(0.124)
    assert math.isnan(ind.cagr(0, 10, 3))
    assert math.isnan(ind.cagr(10, -5, 3))
    assert math.isnan(ind.cagr(10, 20, 0))
    s = pd.Series({2013: 100.0, 2015: 121.0})
    assert ind.cagr_between(s, 2013, 2015) == pytest.approx(0.1)
    assert math.isnan(ind.cagr_between(s, 2013, 2019))
    arr = ind.cagr(np.array([100.0, 100.0]), np.array([121.0, 100.0]), 2)
    assert arr == pytest.approx([0.1, 0.0])


def test_group_share_by_hand() -> None:
    v = pd.Series({"A": 10.0, "B": 30.0, "C": 60.0})
    share, g, w, missing = ind.group_share(v, ["A", "B", "D"])
    # (10 + 30) / (10 + 30 + 60) = 0.4 ; D has no value and is reported, not zero
    assert share == pytest.approx(0.4)
    assert (g, w, missing) == (40.0, 100.0, ["D"])
    share2, *_ = ind.group_share(v, ["A", "B"], world_total=200.0)
    assert share2 == pytest.approx(0.2)  # 40 / 200 (an explicit world row such as WLD)
    share3, g3, _, missing3 = ind.group_share(v, ["X"])
    assert math.isnan(share3) and math.isnan(g3) and missing3 == ["X"]
