"""Aggregation of normalised scores up the hierarchy: arithmetic or geometric means.

For unit ``u`` and a group ``G`` (a sub-pillar, pillar or the index) with weights ``w_i``
summing to 1:

* arithmetic: ``A_u = sum_i w_i x_ui``
* geometric:  ``G_u = prod_i x_ui ** w_i = exp(sum_i w_i ln x_ui)``

Missing scores are skipped and the remaining weights re-scaled to sum to 1 (available-case);
a group with no score is missing.

Compensability. The arithmetic mean is fully compensatory: a shortfall of ``d`` points on
indicator ``i`` is exactly offset by ``d * w_i / w_j`` points on indicator ``j``, whatever the
levels, so a city can hide a very weak pillar behind strong ones. The geometric mean is only
partially compensatory: the rate of substitution ``(w_i / w_j) * (x_j / x_i)`` grows as ``x_i``
falls, so weak spots cost more and balanced profiles are rewarded; a score of 0 cannot be
compensated at all. The geometric mean needs positive scores, so before it is applied every
indicator with a score <= 0 (min-max gives 0 to the worst unit, z-scores are negative) is mapped
linearly onto [1, 100] (:func:`positive_scores`); rank and frontier scores are used as they are.
"""

from __future__ import annotations

import numpy as np

from silkhub.core.index.weights import Structure

AGGREGATIONS = ("arithmetic", "geometric")


def positive_scores(scores: np.ndarray) -> np.ndarray:
    """Map each column with a value <= 0 linearly onto [1, 100] (constant columns -> 50)."""
    s = np.array(scores, dtype=float, copy=True)
    for j in range(s.shape[1]):
        col = s[:, j]
        ok = ~np.isnan(col)
        if not ok.any() or col[ok].min() > 0:
            continue
        lo, hi = col[ok].min(), col[ok].max()
        s[ok, j] = 50.0 if hi == lo else 1.0 + 99.0 * (col[ok] - lo) / (hi - lo)
    return s


def _onehot(groups: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n)[groups]


def _level(values: np.ndarray, w: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted available-case mean of ``values`` (R, n, k) within groups -> (R, n, g)."""
    m = _onehot(groups, n_groups)  # (k, g)
    avail = ~np.isnan(values)
    v0 = np.where(avail, values, 0.0)
    r, n, k = values.shape
    num = ((v0 * w[:, None, :]).reshape(r * n, k) @ m).reshape(r, n, n_groups)
    if avail.all():
        den = np.broadcast_to((w @ m)[:, None, :], num.shape)
    else:
        den = ((avail * w[:, None, :]).reshape(r * n, k) @ m).reshape(r, n, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def aggregate(
    scores: np.ndarray,
    st: Structure,
    w_ind: np.ndarray,
    w_sub: np.ndarray,
    w_pil: np.ndarray,
    method: str = "arithmetic",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sub-pillar, pillar and overall scores.

    Parameters
    ----------
    scores
        Normalised scores, (n, k) or (R, n, k) for R Monte Carlo runs.
    w_ind, w_sub, w_pil
        Weights within groups, (k,), (s,), (p,) or with a leading R dimension.
    method
        ``arithmetic`` or ``geometric`` (scores must then be positive; see
        :func:`positive_scores`).

    Returns
    -------
    (sub, pillar, overall) with shapes (..., n, s), (..., n, p), (..., n).
    """
    if method not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {method!r}")
    single = scores.ndim == 2 and np.ndim(w_ind) == 1
    x = scores[None] if scores.ndim == 2 else scores
    wi, ws, wp = (np.atleast_2d(np.asarray(w, dtype=float)) for w in (w_ind, w_sub, w_pil))
    r = max(x.shape[0], wi.shape[0])
    x = np.broadcast_to(x, (r, *x.shape[1:]))
    geo = method == "geometric"
    if geo:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.log(x)
    sub = _level(x, np.broadcast_to(wi, (r, wi.shape[1])), st.ind_sub, len(st.sub_pillars))
    pil = _level(sub, np.broadcast_to(ws, (r, ws.shape[1])), st.sub_pil, len(st.pillars))
    ones = np.zeros(len(st.pillars), dtype=int)
    tot = _level(pil, np.broadcast_to(wp, (r, wp.shape[1])), ones, 1)[..., 0]
    if geo:
        sub, pil, tot = np.exp(sub), np.exp(pil), np.exp(tot)
    if single:
        return sub[0], pil[0], tot[0]
    return sub, pil, tot


def ranks(scores: np.ndarray) -> np.ndarray:
    """Rank along the last axis, 1 = highest score; missing scores rank last (ties: order)."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-s, axis=-1, kind="stable")
    out = np.empty_like(order)
    np.put_along_axis(out, order, np.arange(1, s.shape[-1] + 1), axis=-1)
    return out
