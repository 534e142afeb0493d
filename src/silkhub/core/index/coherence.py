"""Statistical coherence of a framework on the data (OECD/JRC Handbook, step 4).

* Pearson correlations between normalised indicators (pairwise complete observations), within
  and across pillars, and between pillar scores.
* Correlation of each indicator with its own pillar score and with the index; an indicator that
  correlates negatively with its pillar is flagged (it pulls against its pillar: check direction,
  data or placement).
* Cronbach's alpha per pillar on standardised indicators (complete cases, indicators with data):
  ``alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i))``; >= 0.7 is the usual bar.
* PCA per pillar on the correlation matrix: share of variance of the first component and the
  number of components with eigenvalue > 1 (Kaiser).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from silkhub.core.index.weights import Structure


@dataclass
class Coherence:
    correlations: pd.DataFrame
    indicator_fit: pd.DataFrame  # indicator, pillar, r_pillar, r_index, negative_flag
    pillars: pd.DataFrame  # pillar, n_indicators, n_units, cronbach_alpha, pca_first_share, n_eig>1
    flags: list[str] = field(default_factory=list)
    pillar_correlations: pd.DataFrame | None = None  # across pillars (pillar scores)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``x`` (complete rows, each column standardised)."""
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2 or n < 3:
        return float("nan")
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        return float("nan")
    z = (x - x.mean(axis=0)) / sd
    total = z.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - z.var(axis=0, ddof=1).sum() / total))


def pca_variance(x: np.ndarray) -> tuple[float, int]:
    """Share of variance of the first principal component, and components with eigenvalue > 1."""
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[1] < 2 or x.shape[0] < 3 or (x.std(axis=0) == 0).any():
        return float("nan"), 0
    vals = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))[::-1]
    return float(vals[0] / vals.sum()), int((vals > 1).sum())


def coherence(
    scores: np.ndarray, pillar_scores: np.ndarray, overall: np.ndarray, st: Structure
) -> Coherence:
    """Coherence statistics of normalised ``scores`` (n x k) and the aggregated scores."""
    df = pd.DataFrame(scores, columns=st.indicators)
    corr = df.corr(method="pearson", min_periods=3)
    fit = []
    flags = []
    for j, code in enumerate(st.indicators):
        p = int(st.ind_pil[j])
        rp = _corr(scores[:, j], pillar_scores[:, p])
        ri = _corr(scores[:, j], overall)
        neg = bool(rp < 0) if not np.isnan(rp) else False
        if neg:
            flags.append(f"{code} correlates negatively with pillar {st.pillars[p]} (r={rp:.2f})")
        fit.append(
            {
                "indicator": code,
                "pillar": st.pillars[p],
                "r_pillar": rp,
                "r_index": ri,
                "negative_flag": neg,
            }
        )
    prow = []
    for p, code in enumerate(st.pillars):
        # indicators without any score (no data, or excluded) carry no information here
        cols = np.flatnonzero((st.ind_pil == p) & ~np.isnan(scores).all(axis=0))
        x = scores[:, cols]
        share, n_eig = pca_variance(x)
        alpha = cronbach_alpha(x)
        prow.append(
            {
                "pillar": code,
                "n_indicators": len(cols),
                "n_complete_units": int((~np.isnan(x).any(axis=1)).sum()),
                "cronbach_alpha": alpha,
                "pca_first_share": share,
                "pca_eigen_gt_1": n_eig,
            }
        )
        if not np.isnan(alpha) and alpha < 0.7:
            flags.append(f"pillar {code}: Cronbach's alpha {alpha:.2f} < 0.7")
    pcorr = pd.DataFrame(pillar_scores, columns=st.pillars).corr(min_periods=3)
    return Coherence(corr, pd.DataFrame(fit), pd.DataFrame(prow), flags, pcorr)
