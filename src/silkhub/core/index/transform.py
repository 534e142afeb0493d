"""From raw inputs to indicator values: sums of inputs, per-capita, per-GDP and log.

``value = T_k(... T_1(sum(inputs)))`` with the transformations of :data:`framework.TRANSFORMS`:

* ``per_capita``: ``x / population``
* ``per_gdp``:    ``x / gdp``
* ``log``:        ``ln(1 + x)`` (defined at 0, so counts such as consulates = 0 stay finite)

A sum with a missing input is missing (no silent partial sums).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkhub.core.index.framework import Framework, Indicator
from silkhub.errors import ValidationError


def indicator_values(framework: Framework, raw: pd.DataFrame) -> pd.DataFrame:
    """Indicator values per unit.

    Parameters
    ----------
    framework
        The validated framework.
    raw
        One row per unit (index = unit id), one column per raw input code; missing = NaN.
        Columns the framework needs but ``raw`` lacks are treated as all missing.

    Returns
    -------
    DataFrame
        index = units, columns = indicator codes in framework order.
    """
    out = {}
    for ind in framework.indicators:
        out[ind.code] = _one(framework, ind, raw)
    return pd.DataFrame(out, index=raw.index)


def _col(raw: pd.DataFrame, code: str) -> pd.Series:
    if code in raw.columns:
        return pd.to_numeric(raw[code], errors="coerce").astype(float)
    return pd.Series(np.nan, index=raw.index, dtype=float)


def _one(framework: Framework, ind: Indicator, raw: pd.DataFrame) -> pd.Series:
    parts = [_col(raw, c) for c in ind.inputs]
    x = parts[0].copy()
    for p in parts[1:]:
        x = x + p  # NaN propagates: a sum with a missing input is missing
    for t in ind.transform:
        if t == "per_capita":
            x = x / _col(raw, framework.denominators["population"]).replace(0, np.nan)
        elif t == "per_gdp":
            x = x / _col(raw, framework.denominators["gdp"]).replace(0, np.nan)
        elif t == "log":
            bad = x[x <= -1].index.tolist()
            if bad:
                raise ValidationError(
                    f"indicator {ind.code}: log(1+x) needs x > -1; units {bad[:5]} are lower",
                    field=ind.code,
                )
            x = np.log1p(x)
    return x


def input_needed(
    framework: Framework, ind: Indicator, value: float, raw_row: pd.Series
) -> float | None:
    """Invert the transformations: the raw input sum that gives indicator ``value``.

    Used by the "what would it take" table; ``None`` when a denominator is missing.
    """
    x = float(value)
    for t in reversed(ind.transform):
        if t == "log":
            x = float(np.expm1(x))
        else:
            den_code = framework.denominators["population" if t == "per_capita" else "gdp"]
            den = raw_row.get(den_code, np.nan)
            if den is None or not np.isfinite(den):
                return None
            x = x * float(den)
    return x
