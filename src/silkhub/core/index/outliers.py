"""Outlier treatment: winsorisation by the skewness/kurtosis rule (JRC COIN practice).

An indicator is treated when ``|skewness| > 2`` **and** ``kurtosis > 3.5`` (sample-adjusted
skewness and excess kurtosis, as Excel's SKEW/KURT). The most extreme value on the side of the
skew is replaced by the next most extreme value, one point at a time, until the rule no longer
fires or ``max_points`` values have been replaced. Needs at least 4 observed values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OUTLIER_METHODS = ("none", "winsorise")


@dataclass
class OutlierReport:
    method: str
    winsorised: dict[str, int] = field(default_factory=dict)
    skew_kurtosis: dict[str, tuple[float, float]] = field(default_factory=dict)


def skew_kurt(v: np.ndarray) -> tuple[float, float]:
    """Sample-adjusted skewness G1 and excess kurtosis G2 of the observed values.

    ``G1 = sqrt(n (n - 1)) / (n - 2) * m3 / m2^1.5`` and
    ``G2 = (n - 1) / ((n - 2)(n - 3)) * ((n + 1) m4 / m2^2 - 3 (n - 1))`` with central moments
    ``m_r`` (as Excel's SKEW and KURT, scipy ``bias=False``).
    """
    v = v[~np.isnan(v)]
    n = len(v)
    if n < 4:
        return 0.0, 0.0
    d = v - v.mean()
    m2 = float((d**2).mean())
    if m2 <= 1e-300 or np.all(v == v[0]):
        return 0.0, 0.0
    m3 = float((d**3).mean())
    m4 = float((d**4).mean())
    g1 = np.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5
    g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * m4 / m2**2 - 3 * (n - 1))
    return float(g1), float(g2)


def needs_treatment(v: np.ndarray, max_skew: float = 2.0, max_kurt: float = 3.5) -> bool:
    sk, ku = skew_kurt(v)
    return abs(sk) > max_skew and ku > max_kurt


def winsorise(
    x: np.ndarray,
    method: str = "winsorise",
    *,
    indicators: list[str] | None = None,
    max_points: int = 5,
    max_skew: float = 2.0,
    max_kurt: float = 3.5,
) -> tuple[np.ndarray, OutlierReport]:
    """Winsorise the columns of ``x`` (units x indicators) that break the rule."""
    if method not in OUTLIER_METHODS:
        raise ValueError(f"unknown outlier method {method!r}")
    x = np.array(x, dtype=float, copy=True)
    indicators = indicators or [f"i{j}" for j in range(x.shape[1])]
    report = OutlierReport(method=method)
    if method == "none":
        return x, report
    for j, code in enumerate(indicators):
        col = x[:, j]
        count = 0
        while count < max_points and needs_treatment(col, max_skew, max_kurt):
            obs = col[~np.isnan(col)]
            sk, _ = skew_kurt(col)
            ordered = np.unique(obs)
            if len(ordered) < 2:
                break
            if sk > 0:
                extreme, nxt = ordered[-1], ordered[-2]
            else:
                extreme, nxt = ordered[0], ordered[1]
            hit = col == extreme
            col[hit] = nxt
            count += int(hit.sum())
        if count:
            report.winsorised[code] = count
        report.skew_kurtosis[code] = skew_kurt(col)
        x[:, j] = col
    return x, report
