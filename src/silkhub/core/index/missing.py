"""Missing-data treatment: none, mean substitution, regression/EM-style imputation.

* ``none``: leave gaps; aggregation re-weights over the indicators a unit has (available-case).
* ``mean``: replace a gap by the indicator's mean over units that report it.
* ``em``: iterative conditional-mean imputation under a multivariate normal model (the E-step of
  the EM algorithm): start from the means, then repeat
  ``x_m = mu_m + S_mo S_oo^-1 (x_o - mu_o)`` for each unit's missing block ``m`` given its observed
  block ``o``, re-estimating ``mu`` and ``S`` from the completed data, until the largest change is
  below ``tol`` (relative to each indicator's standard deviation). ``S`` is shrunk towards its
  diagonal (``(1 - shrink) S + shrink diag(S)``) so that it stays invertible with few units.

Indicators with no observed value cannot be imputed; they stay missing and are reported.
Indicators with fewer than three observed values, or constant ones, carry no covariance
information: EM leaves them at mean substitution and does not use them as predictors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IMPUTATIONS = ("none", "mean", "em")


@dataclass
class ImputationReport:
    """What the missing-data step did."""

    method: str
    n_missing: int
    n_imputed: int
    per_indicator: dict[str, int] = field(default_factory=dict)
    per_unit: dict[str, int] = field(default_factory=dict)
    not_imputable: list[str] = field(default_factory=list)
    iterations: int = 0


def impute(
    x: np.ndarray,
    method: str = "em",
    *,
    indicators: list[str] | None = None,
    units: list[str] | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    shrink: float = 0.1,
) -> tuple[np.ndarray, ImputationReport]:
    """Fill gaps (NaN) of a units x indicators matrix.

    Returns the completed matrix (a copy) and an :class:`ImputationReport` with the counts.
    """
    if method not in IMPUTATIONS:
        raise ValueError(f"unknown imputation {method!r}")
    x = np.array(x, dtype=float, copy=True)
    n, k = x.shape
    indicators = indicators or [f"i{j}" for j in range(k)]
    units = units or [f"u{i}" for i in range(n)]
    miss = np.isnan(x)
    empty = miss.all(axis=0)
    report = ImputationReport(
        method=method,
        n_missing=int(miss.sum()),
        n_imputed=0,
        per_indicator={indicators[j]: int(miss[:, j].sum()) for j in range(k) if miss[:, j].any()},
        per_unit={units[i]: int(miss[i].sum()) for i in range(n) if miss[i].any()},
        not_imputable=[indicators[j] for j in range(k) if empty[j]],
    )
    if method == "none" or not miss.any():
        return x, report
    means = np.where(empty, np.nan, np.nanmean(np.where(empty[None, :], 0.0, x), axis=0))
    fill = miss & ~empty[None, :]
    x[fill] = np.broadcast_to(means, x.shape)[fill]
    report.n_imputed = int(fill.sum())
    if method == "mean":
        return x, report
    n_obs = (~miss).sum(axis=0)
    obs_sd = np.array(
        [np.nanstd(np.where(miss[:, j], np.nan, x[:, j])) if n_obs[j] else 0.0 for j in range(k)]
    )
    # too few or constant observations carry no covariance information: mean substitution only
    cols = np.flatnonzero((n_obs >= 3) & (obs_sd > 0))
    if len(cols) < 2 or n < 3:
        return x, report  # nothing to regress on: mean substitution is the EM answer
    sub = x[:, cols]
    m = miss[:, cols]
    scale = sub.std(axis=0)
    scale[scale == 0] = 1.0
    rows = [i for i in range(n) if m[i].any() and not m[i].all()]
    blocks = [(i, np.flatnonzero(m[i]), np.flatnonzero(~m[i])) for i in rows]
    if not blocks:  # the gaps are all in mean-only columns (or whole rows): nothing to regress
        return x, report
    for it in range(1, max_iter + 1):
        mu = sub.mean(axis=0)
        s = np.cov(sub, rowvar=False)
        s = (1 - shrink) * s + shrink * np.diag(np.diag(s))
        # with the precision matrix P = S^-1 the conditional mean is
        # x_m = mu_m - P_mm^-1 P_mo (x_o - mu_o): a solve of the (small) missing block only
        try:
            prec = np.linalg.pinv(s, hermitian=True)
        except np.linalg.LinAlgError:  # eigen-solver failed on an ill-conditioned S: use SVD
            try:
                prec = np.linalg.pinv(s)
            except np.linalg.LinAlgError:
                break  # keep the current fill (mean substitution at worst)
        new = sub.copy()
        for i, mi, oi in blocks:
            rhs = prec[np.ix_(mi, oi)] @ (sub[i, oi] - mu[oi])
            p_mm = prec[np.ix_(mi, mi)]
            try:
                new[i, mi] = mu[mi] - np.linalg.solve(p_mm, rhs)
            except np.linalg.LinAlgError:
                new[i, mi] = mu[mi] - np.linalg.lstsq(p_mm, rhs, rcond=None)[0]
        if not np.all(np.isfinite(new)):
            break  # numerically degenerate: keep the last finite fill
        biggest = float(np.max(np.abs(new - sub)[m] / np.broadcast_to(scale, sub.shape)[m]))
        sub = new
        report.iterations = it
        if biggest < tol:
            break
    x[:, cols] = sub
    return x, report
