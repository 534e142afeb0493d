"""silkhub.core.potential on hand-computed examples."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from silkhub.core.potential import minmax, potential_table, target_scores
from silkhub.errors import ValidationError


def test_potential_table_by_hand() -> None:
    df = pd.DataFrame(
        {
            "partner": ["A", "B", "C", "D"],
            "predicted_usd": [150.0, 50.0, 40.0, float("nan")],
            "actual_usd": [100.0, 100.0, 0.0, 10.0],
        }
    )
    t = potential_table(df).set_index("partner")
    # A: 150/100 = 1.5, gap 50; B: 0.5, gap -50; C: actual 0 -> ratio NaN, gap 40
    assert t.loc["A", "ratio"] == 1.5 and t.loc["A", "gap_usd"] == 50
    assert t.loc["B", "ratio"] == 0.5 and t.loc["B", "gap_usd"] == -50
    assert math.isnan(t.loc["C", "ratio"]) and t.loc["C", "gap_usd"] == 40
    # group level = (150 + 50 + 40) / (100 + 100 + 0) = 1.2 -> ratio_rel A = 1.5 / 1.2 = 1.25
    assert t.loc["A", "ratio_rel"] == pytest.approx(1.25)
    # ranks by gap: A (50) 1, C (40) 2, B (-50) 3, D unranked and last
    assert t["rank"].tolist()[:3] == [1, 2, 3]
    assert pd.isna(t.loc["D", "rank"])
    assert potential_table(df)["partner"].tolist() == ["A", "C", "B", "D"]


def test_potential_table_needs_columns() -> None:
    with pytest.raises(ValidationError, match="predicted_usd"):
        potential_table(pd.DataFrame({"partner": ["A"], "actual_usd": [1.0]}))


def test_minmax() -> None:
    # (v - 2) / (6 - 2)
    assert minmax(pd.Series([2.0, 4.0, 6.0, None])).tolist()[:3] == [0.0, 0.5, 1.0]
    assert minmax(pd.Series([3.0, 3.0])).tolist() == [1.0, 1.0]


def test_target_scores_by_hand() -> None:
    df = pd.DataFrame(
        {
            "partner": ["A", "B", "C"],
            "gap_usd": [100.0, 0.0, 50.0],  # scaled 1, 0, 0.5
            "complementarity": [20.0, 60.0, None],  # scaled 0, 1, NaN
            "rca_fit": [0.3, 0.1, 0.5],  # scaled 0.5, 0, 1
        }
    )
    t = target_scores(df).set_index("partner")
    # A: (0.5*1 + 0.3*0 + 0.2*0.5) / 1.0 = 0.60
    assert t.loc["A", "score"] == pytest.approx(0.60)
    # B: (0.5*0 + 0.3*1 + 0.2*0) / 1.0 = 0.30
    assert t.loc["B", "score"] == pytest.approx(0.30)
    # C: no TCI -> (0.5*0.5 + 0.2*1) / 0.7 = 0.642857
    assert t.loc["C", "score"] == pytest.approx(0.45 / 0.7)
    assert t.loc["C", "parts_used"] == "potential+rca_fit"
    assert t.loc["A", "parts_used"] == "potential+complementarity+rca_fit"
    assert t["score_rank"].to_dict() == {"C": 1, "A": 2, "B": 3}
    assert t.loc["A", "weight_complementarity"] == 0.3


def test_target_scores_weights_validated_and_missing_columns() -> None:
    df = pd.DataFrame({"partner": ["A", "B"], "gap_usd": [1.0, 2.0]})
    t = target_scores(df, {"potential": 1.0}).set_index("partner")
    assert t["score"].to_dict() == {"B": 1.0, "A": 0.0}
    with pytest.raises(ValidationError, match="unknown score part"):
        target_scores(df, {"luck": 1.0})
    with pytest.raises(ValidationError, match="weights"):
        target_scores(df, {"potential": 0.0})


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("010121", "I"),
        ("0601", "II"),
        ("15", "III"),
        ("271000", "V"),
        ("8471", "XVI"),
        ("9701", "XXI"),
        ("TOTAL", None),
        ("9", None),
    ],
)
def test_hs_section(code: str, section: str | None) -> None:
    from silkhub.core.potential import hs_section

    assert hs_section(code) == section
