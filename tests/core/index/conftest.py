"""The 3 units x 4 indicators example used by the hand-computed tests.

Framework: pillar P1 (weight 0.6) = sub-pillar S1 {i1 (0.75), i2 (0.25)};
pillar P2 (weight 0.4) = sub-pillar S2 {i3 (0.5), i4 (0.5)}; i4 is "lower is better".

    unit   i1   i2   i3   i4
    A       1   10  100    4
    B       2   30  300    2
    C       4   20  200    1
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from silkhub.core.index.framework import Framework, parse_framework

DOC = {
    "code": "toy",
    "name_en": "Toy",
    "pillars": [
        {
            "code": "P1",
            "name_en": "Pillar 1",
            "weight": 0.6,
            "sub_pillars": [
                {
                    "code": "S1",
                    "name_en": "Sub 1",
                    "indicators": [
                        {"code": "i1", "name_en": "one", "weight": 0.75, "target": 2},
                        {"code": "i2", "name_en": "two", "weight": 0.25},
                    ],
                }
            ],
        },
        {
            "code": "P2",
            "name_en": "Pillar 2",
            "weight": 0.4,
            "sub_pillars": [
                {
                    "code": "S2",
                    "name_en": "Sub 2",
                    "indicators": [
                        {"code": "i3", "name_en": "three", "weight": 0.5},
                        {"code": "i4", "name_en": "four", "weight": 0.5, "direction": "lower"},
                    ],
                }
            ],
        },
    ],
    "budget": [
        {"i1": 60, "i2": 20, "i3": 20, "i4": 0},
        {"i1": 20, "i2": 20, "i3": 40, "i4": 20},
    ],
}

X = np.array([[1.0, 10.0, 100.0, 4.0], [2.0, 30.0, 300.0, 2.0], [4.0, 20.0, 200.0, 1.0]])
SIGNS = np.array([1.0, 1.0, 1.0, -1.0])


@pytest.fixture
def toy() -> Framework:
    return parse_framework(DOC, source="toy.yaml")


@pytest.fixture
def toy_raw() -> pd.DataFrame:
    return pd.DataFrame(X, index=["A", "B", "C"], columns=["i1", "i2", "i3", "i4"])
