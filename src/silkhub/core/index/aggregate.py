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


def _first_level(x: np.ndarray, w: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted available-case means of a shared score matrix ``x`` (n, k) for R weight
    vectors ``w`` (R, k), within groups -> (R, n, g). One small matrix product per group."""
    avail = ~np.isnan(x)
    x0 = np.where(avail, x, 0.0)
    out = np.empty((n_groups, w.shape[0], x.shape[0]))  # contiguous per group
    complete = bool(avail.all())
    for g in range(n_groups):
        cols = np.flatnonzero(groups == g)
        wg = w[:, cols]
        num = wg @ x0[:, cols].T
        den = wg.sum(axis=1)[:, None] if complete else wg @ avail[:, cols].T.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[g] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.moveaxis(out, 0, -1)


def _upper_level(v: np.ndarray, w: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted available-case means of per-run values ``v`` (R, n, k) -> (R, n, g)."""
    out = np.empty((v.shape[0], v.shape[1], n_groups))
    for g in range(n_groups):
        cols = np.flatnonzero(groups == g)
        vg = v[:, :, cols]
        avail = ~np.isnan(vg)
        if avail.all():  # batched matrix-vector products, no masks
            num = (vg @ w[:, cols, None])[..., 0]
            out[:, :, g] = num / w[:, cols].sum(axis=1)[:, None]
            continue
        wg = w[:, None, cols]
        num = (np.where(avail, vg, 0.0) * wg).sum(axis=-1)
        den = (avail * wg).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, :, g] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


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
        Normalised scores, (n, k), or (R, n, k) for R Monte Carlo runs.
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
    wi, ws, wp = (np.atleast_2d(np.asarray(w, dtype=float)) for w in (w_ind, w_sub, w_pil))
    r = max(wi.shape[0], ws.shape[0], wp.shape[0], scores.shape[0] if scores.ndim == 3 else 1)
    wi, ws, wp = (np.broadcast_to(w, (r, w.shape[1])) for w in (wi, ws, wp))
    geo = method == "geometric"
    x = scores
    if geo:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.log(x)
    n_sub = len(st.sub_pillars)
    if x.ndim == 2:
        sub = _first_level(x, wi, st.ind_sub, n_sub)
    else:
        sub = _upper_level(np.broadcast_to(x, (r, *x.shape[1:])), wi, st.ind_sub, n_sub)
    pil = _upper_level(sub, ws, st.sub_pil, len(st.pillars))
    tot = _upper_level(pil, wp, np.zeros(len(st.pillars), dtype=int), 1)[..., 0]
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
