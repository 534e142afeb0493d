"""Normalisation: put indicators on a common, "higher is better" scale.

For an indicator column ``x`` with direction sign ``s`` (+1 higher is better, -1 lower is
better) and ``y = s * x``, over the units that report it:

* ``minmax``:   ``100 * (y - min y) / (max y - min y)``; a constant column scores 50.
* ``zscore``:   ``(y - mean y) / sd y`` with the sample standard deviation (ddof = 1);
  a constant column scores 0.
* ``rank``:     rank of ``y`` (1 = worst, n = best; ties get the average rank).
* ``frontier``: distance to the frontier (ratio to the best performer),
  ``100 * x / max x`` when higher is better, ``100 * min x / x`` when lower is better.
  Needs positive values.
* ``target``:   distance to a target ``t`` (the indicator's ``target``, else the frontier),
  ``100 * min(x / t, 1)`` (higher is better) or ``100 * min(t / x, 1)`` (lower is better).

Missing values stay missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from silkhub.errors import ValidationError

NORMALISATIONS = ("minmax", "zscore", "rank", "frontier", "target")


def normalise(
    x: np.ndarray,
    signs: np.ndarray,
    method: str = "minmax",
    *,
    targets: Sequence[float | None] | None = None,
    indicators: Sequence[str] | None = None,
) -> np.ndarray:
    """Normalise each column of ``x`` (units x indicators); returns a new array."""
    if method not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {method!r}")
    x = np.asarray(x, dtype=float)
    signs = np.asarray(signs, dtype=float)
    out = np.full_like(x, np.nan)
    for j in range(x.shape[1]):
        col = x[:, j]
        ok = ~np.isnan(col)
        if not ok.any():
            continue
        v = col[ok]
        y = signs[j] * v
        if method == "minmax":
            lo, hi = y.min(), y.max()
            out[ok, j] = 50.0 if hi == lo else 100.0 * (y - lo) / (hi - lo)
        elif method == "zscore":
            sd = y.std(ddof=1) if len(y) > 1 else 0.0
            out[ok, j] = 0.0 if sd == 0 else (y - y.mean()) / sd
        elif method == "rank":
            out[ok, j] = stats.rankdata(y, method="average")
        else:
            code = indicators[j] if indicators else f"column {j}"
            if (v <= 0).any():
                raise ValidationError(
                    f"normalisation {method!r} needs positive values; indicator {code} has "
                    f"{int((v <= 0).sum())} value(s) <= 0 (use minmax, zscore or rank)",
                    field="normalisation",
                )
            t = targets[j] if (method == "target" and targets) else None
            if signs[j] > 0:
                ref = v.max() if t is None else t
                out[ok, j] = 100.0 * np.minimum(v / ref, 1.0)
            else:
                ref = v.min() if t is None else t
                out[ok, j] = 100.0 * np.minimum(ref / v, 1.0)
    return out
