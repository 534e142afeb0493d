"""Uncertainty and sensitivity analysis by Monte Carlo (vectorised, seeded).

Each run draws, independently and uniformly,

* an imputation method and a normalisation method (their normalised score matrices are
  precomputed once per combination: the pipeline passes them in ``variants``),
* an aggregation method (arithmetic or geometric),
* weights: every nominal weight times ``U(1 - spread, 1 + spread)``, renormalised in its group,

and ranks the units by the overall score. All runs sharing a (imputation, normalisation,
aggregation) combination are computed together with matrix products, in chunks, with no Python
loop per run. Reported per unit: the median rank and the 5 % and 95 % rank quantiles (inverted
empirical CDF, so they are ranks that occurred).

First-order sensitivity indices ``S_F = Var(E[Y | F]) / Var(Y)`` of the ranks ``Y``, pooled over
units (sum of numerators over sum of variances):

* discrete choices (imputation, normalisation, aggregation): ANOVA between-group variance minus
  its finite-sample bias ``(L - 1) / N * mean within-group variance``, clipped to [0, 1];
* weights (a vector factor): adjusted R^2 of a linear regression of the ranks on all sampled
  weights — the linear part of the first-order effect (a lower bound when effects are
  non-linear).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from silkhub.core.index.aggregate import aggregate, positive_scores, ranks
from silkhub.core.index.weights import Structure, Weights, perturb

CHUNK = 1000


@dataclass
class MonteCarloResult:
    runs: int
    seed: int
    median_rank: np.ndarray
    rank_p05: np.ndarray
    rank_p95: np.ndarray
    mean_rank: np.ndarray
    sensitivity: dict[str, float] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)


def _first_order_discrete(y: np.ndarray, labels: np.ndarray, total_var: float) -> float:
    n = y.shape[0]
    mean = y.mean(axis=0)
    between = np.zeros(y.shape[1])
    within = np.zeros(y.shape[1])
    levels = np.unique(labels)
    for lv in levels:
        g = y[labels == lv]
        between += len(g) / n * (g.mean(axis=0) - mean) ** 2
        within += len(g) / n * g.var(axis=0)
    corrected = between.sum() - (len(levels) - 1) / n * within.sum()
    return float(np.clip(corrected / total_var, 0.0, 1.0))


def _first_order_weights(y: np.ndarray, z: np.ndarray, total_var: float) -> float:
    n = z.shape[0]
    zc = z - z.mean(axis=0)
    yc = y - y.mean(axis=0)
    # normal equations on the small (p x p) cross-product matrix; the weights of one group sum
    # to 1, so Z is rank deficient: the pseudo-inverse gives the least-squares fit anyway
    gram = zc.T @ zc
    vals = np.linalg.eigvalsh(gram)
    rank_z = int((vals > vals.max() * 1e-10).sum()) if vals.size else 0
    beta = np.linalg.pinv(gram, hermitian=True) @ (zc.T @ yc)
    resid_ss = float((yc**2).sum() - (beta * (zc.T @ yc)).sum())
    if n - rank_z - 1 <= 0:
        return float("nan")
    resid_var = max(resid_ss, 0.0) / (n - rank_z - 1)
    adj = 1.0 - resid_var / (total_var * n / (n - 1))
    return float(np.clip(adj, 0.0, 1.0))


def monte_carlo(
    variants: Mapping[tuple[str, str], np.ndarray],
    st: Structure,
    weights: Weights,
    *,
    runs: int = 1000,
    seed: int = 1,
    spread: float = 0.25,
    aggregations: Sequence[str] = ("arithmetic", "geometric"),
    on_progress: Callable[[float], None] | None = None,
) -> MonteCarloResult:
    """Run the Monte Carlo (see module doc).

    Parameters
    ----------
    variants
        Normalised scores (n x k) per (imputation, normalisation) choice.
    st, weights
        Framework structure and nominal weights.
    on_progress
        Called after each chunk of ``CHUNK`` runs with the share done (0–1]; an exception it
        raises (a job's cancel) ends the run. The result does not depend on it.
    """
    rng = np.random.default_rng(seed)
    keys = list(variants)
    n = next(iter(variants.values())).shape[0]
    v_idx = rng.integers(0, len(keys), size=runs)
    a_idx = rng.integers(0, len(aggregations), size=runs)
    wi, ws, wp = perturb(weights, st, rng, runs, spread)
    rk = np.empty((runs, n), dtype=np.int32)
    geo_cache: dict[int, np.ndarray] = {}
    done = 0
    for v, key in enumerate(keys):
        x = variants[key]
        for a, agg in enumerate(aggregations):
            sel = np.flatnonzero((v_idx == v) & (a_idx == a))
            if not len(sel):
                continue
            xa = x
            if agg == "geometric":
                if v not in geo_cache:
                    geo_cache[v] = positive_scores(x)
                xa = geo_cache[v]
            for start in range(0, len(sel), CHUNK):
                idx = sel[start : start + CHUNK]
                rk[idx] = ranks(_overall(xa, st, wi[idx], ws[idx], wp[idx], agg))
                done += len(idx)
                if on_progress is not None:
                    on_progress(done / runs)
    y = rk.astype(float)
    total_var = float(y.var(axis=0).sum())
    sens: dict[str, float] = {}
    if total_var > 0:
        imps = np.array([keys[i][0] for i in v_idx])
        norms = np.array([keys[i][1] for i in v_idx])
        if len({k[0] for k in keys}) > 1:
            sens["imputation"] = _first_order_discrete(y, imps, total_var)
        if len({k[1] for k in keys}) > 1:
            sens["normalisation"] = _first_order_discrete(y, norms, total_var)
        if len(aggregations) > 1:
            sens["aggregation"] = _first_order_discrete(y, a_idx, total_var)
        if spread > 0:
            sens["weights"] = _first_order_weights(y, np.hstack([wi, ws, wp]), total_var)
    return MonteCarloResult(
        runs=runs,
        seed=seed,
        median_rank=np.quantile(y, 0.5, axis=0, method="inverted_cdf"),
        rank_p05=np.quantile(y, 0.05, axis=0, method="inverted_cdf"),
        rank_p95=np.quantile(y, 0.95, axis=0, method="inverted_cdf"),
        mean_rank=y.mean(axis=0),
        sensitivity=sens,
        choices={
            "imputation": sorted({k[0] for k in keys}),
            "normalisation": sorted({k[1] for k in keys}),
            "aggregation": list(aggregations),
        },
    )


def _overall(
    x: np.ndarray, st: Structure, wi: np.ndarray, ws: np.ndarray, wp: np.ndarray, agg: str
) -> np.ndarray:
    """Overall scores (R, n) for R weight draws on one score matrix ``x`` (n, k)."""
    if not np.isnan(x).any():
        # complete data: the hierarchy collapses to effective weights, one matrix product
        eff = wp[:, st.ind_pil] * ws[:, st.ind_sub] * wi  # (R, k)
        if agg == "geometric":
            return np.exp(eff @ np.log(x).T)
        return eff @ x.T
    return aggregate(x, st, wi, ws, wp, agg)[2]
