"""Peer gaps and the "what would it take" table, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from silkhub.core.index.benchmark import peer_gaps, what_it_takes


def test_peer_gaps_by_hand(toy) -> None:
    values = pd.DataFrame(
        {"i1": [5.0, 11.0, 6.0, 8.0], "i4": [2.0, 4.0, 1.0, 3.0]}, index=["J", "H", "Q", "Z"]
    )
    g = peer_gaps(values, toy, "J", ["H", "Q"]).set_index("indicator")
    # i1 (higher): peers 11, 6 -> best H 11, median 8.5; gap to best 5 - 11 = -6, to median -3.5
    # sd over all units (5, 11, 6, 8): mean 7.5, ss = 6.25 + 12.25 + 2.25 + .25 = 21, var 7,
    # sd 2.64575 -> standardised gap -3.5 / 2.64575 = -1.32288
    r = g.loc["i1"]
    assert (r.best_peer, r.best_peer_value, r.peer_median) == ("H", 11.0, 8.5)
    assert (r.gap_to_best, r.gap_to_median) == (-6.0, -3.5)
    assert r.standardised_gap == pytest.approx(-1.32288, abs=1e-5)
    assert r.status == "weakness"
    # i4 (lower is better): J 2, peers 4 and 1 -> best Q (1); gap to best -(2 - 1) = -1;
    # median 2.5 -> gap to median -(2 - 2.5) = +0.5: a strength
    r = g.loc["i4"]
    assert (r.best_peer, r.gap_to_best, r.gap_to_median, r.status) == ("Q", -1.0, 0.5, "strength")
    # missing values -> status missing
    assert g.loc["i2", "status"] == "missing"
    # strengths first
    assert list(g.index[:2]) == ["i4", "i1"]


def test_what_it_takes_by_hand(toy) -> None:
    values = pd.DataFrame({"i1": [5.0, 11.0, 6.0]}, index=["J", "H", "Q"])
    need = what_it_takes(peer_gaps(values, toy, "J", ["H", "Q"]))
    # to reach the peer median 8.5 from 5: +3.5, i.e. +70 %
    row = need.iloc[0]
    assert (row.indicator, row.value_needed, row.change_needed) == ("i1", 8.5, 3.5)
    assert row.change_pct == pytest.approx(70.0)
