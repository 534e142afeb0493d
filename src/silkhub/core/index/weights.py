"""Weighting: equal, user (the framework's), PCA-derived and budget allocation.

Weights are held per level: indicators within their sub-pillar, sub-pillars within their pillar
and pillars in the overall index; each group sums to 1. The effective weight of indicator ``i``
in the overall index is ``w_pillar * w_sub * w_i``.

* ``equal``: ``1 / (number of siblings)`` at every level.
* ``user``: the weights written in the framework (equal where the file gives none).
* ``pca``: within each pillar, the first principal component of the correlation matrix of its
  normalised indicators; indicator weight ``w_i = l_i^2 / sum_j l_j^2`` (squared loadings),
  following the factor-analysis recipe of the OECD/JRC Handbook (2008, section 6.1). The
  sub-pillar weight becomes the sum of its indicators' weights, so that
  ``pillar = sum_i w_i x_i``. Pillars keep the framework weights. Pillars with fewer than two
  indicators or fewer than three units with data keep their framework weights.
* ``budget``: budget allocation — each expert spreads points over indicators; an indicator's
  weight within its pillar is its mean share of points over experts, and pillar weights are the
  mean share of points given to the pillar's indicators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from silkhub.core.index.framework import Framework
from silkhub.errors import ValidationError

WEIGHTINGS = ("equal", "user", "pca", "budget")


@dataclass
class Structure:
    """Index arrays of a framework: which sub-pillar each indicator is in, and so on."""

    indicators: list[str]
    sub_pillars: list[str]
    pillars: list[str]
    ind_sub: np.ndarray  # (k,) sub-pillar index of each indicator
    sub_pil: np.ndarray  # (s,) pillar index of each sub-pillar

    @classmethod
    def of(cls, fw: Framework) -> Structure:
        subs = fw.sub_pillars
        pil_index = {p.code: n for n, p in enumerate(fw.pillars)}
        sub_index = {s.code: n for n, s in enumerate(subs)}
        return cls(
            indicators=fw.indicator_codes,
            sub_pillars=[s.code for s in subs],
            pillars=[p.code for p in fw.pillars],
            ind_sub=np.array([sub_index[i.sub_pillar] for i in fw.indicators], dtype=int),
            sub_pil=np.array([pil_index[s.pillar] for s in subs], dtype=int),
        )

    @property
    def ind_pil(self) -> np.ndarray:
        return self.sub_pil[self.ind_sub]


@dataclass
class Weights:
    """Weights per level, each group summing to 1."""

    indicator: np.ndarray  # (k,) within sub-pillar
    sub_pillar: np.ndarray  # (s,) within pillar
    pillar: np.ndarray  # (p,) overall
    method: str = "user"

    def effective(self, st: Structure) -> np.ndarray:
        """Weight of each indicator in the overall index (sums to 1)."""
        return self.pillar[st.ind_pil] * self.sub_pillar[st.ind_sub] * self.indicator

    def as_rows(self, st: Structure) -> list[dict[str, object]]:
        eff = self.effective(st)
        return [
            {
                "indicator": c,
                "sub_pillar": st.sub_pillars[st.ind_sub[j]],
                "pillar": st.pillars[st.ind_pil[j]],
                "weight_in_sub_pillar": float(self.indicator[j]),
                "sub_pillar_weight": float(self.sub_pillar[st.ind_sub[j]]),
                "pillar_weight": float(self.pillar[st.ind_pil[j]]),
                "effective_weight": float(eff[j]),
            }
            for j, c in enumerate(st.indicators)
        ]


def group_normalise(w: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Scale ``w`` so that it sums to 1 within each group (equal shares if a group sums to 0)."""
    w = np.asarray(w, dtype=float)
    tot = np.bincount(groups, weights=w)
    cnt = np.bincount(groups)
    out = np.where(tot[groups] > 0, w / np.where(tot[groups] > 0, tot[groups], 1), 1.0)
    return np.where(tot[groups] > 0, out, 1.0 / cnt[groups])


def user_weights(fw: Framework) -> Weights:
    return Weights(
        indicator=np.array([i.weight for i in fw.indicators]),
        sub_pillar=np.array([s.weight for s in fw.sub_pillars]),
        pillar=np.array([p.weight for p in fw.pillars]),
        method="user",
    )


def equal_weights(st: Structure) -> Weights:
    ones_k = np.ones(len(st.indicators))
    ones_s = np.ones(len(st.sub_pillars))
    return Weights(
        indicator=group_normalise(ones_k, st.ind_sub),
        sub_pillar=group_normalise(ones_s, st.sub_pil),
        pillar=np.full(len(st.pillars), 1.0 / len(st.pillars)),
        method="equal",
    )


def _flatten(st: Structure, within_pillar: np.ndarray, pillar: np.ndarray, method: str) -> Weights:
    """Indicator weights within pillars -> the three-level form."""
    sub_tot = np.bincount(st.ind_sub, weights=within_pillar, minlength=len(st.sub_pillars))
    return Weights(
        indicator=group_normalise(within_pillar, st.ind_sub),
        sub_pillar=group_normalise(sub_tot, st.sub_pil),
        pillar=np.asarray(pillar, dtype=float),
        method=method,
    )


def pca_weights(st: Structure, normalised: np.ndarray, base: Weights) -> Weights:
    """Weights from squared first-component loadings within each pillar (see module doc)."""
    within = base.effective(st) / base.pillar[st.ind_pil]
    for p in range(len(st.pillars)):
        cols = np.flatnonzero(st.ind_pil == p)
        if len(cols) < 2:
            continue
        x = normalised[:, cols]
        x = x[~np.isnan(x).any(axis=1)]
        if x.shape[0] < 3:
            continue
        sd = x.std(axis=0)
        if (sd == 0).any():
            continue
        corr = np.corrcoef(x, rowvar=False)
        vals, vecs = np.linalg.eigh(corr)
        load = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        sq = load**2
        if sq.sum() > 0:
            within[cols] = sq / sq.sum()
    return _flatten(st, within, base.pillar, "pca")


def budget_weights(st: Structure, allocations: Sequence[Mapping[str, float]]) -> Weights:
    """Budget allocation over experts (see module doc). Indicators no expert funds get 0."""
    if not allocations:
        raise ValidationError(
            "budget weighting needs a 'budget' section (points per indicator per expert)",
            field="weighting",
        )
    shares = np.zeros(len(st.indicators))
    for alloc in allocations:
        pts = np.array([float(alloc.get(c, 0.0)) for c in st.indicators])
        if pts.sum() <= 0:
            raise ValidationError("an expert's budget allocates no points", field="budget")
        shares += pts / pts.sum()
    shares /= len(allocations)
    pillar = np.bincount(st.ind_pil, weights=shares, minlength=len(st.pillars))
    den = pillar[st.ind_pil]
    within = np.where(den > 0, shares / np.where(den > 0, den, 1.0), 0.0)
    return _flatten(st, within, pillar, "budget")


def perturb(
    w: Weights, st: Structure, rng: np.random.Generator, runs: int, spread: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random weights around ``w`` for Monte Carlo: each weight times ``U(1-spread, 1+spread)``,
    renormalised within its group. Returns arrays of shape (runs, k), (runs, s), (runs, p)."""

    def draw(base: np.ndarray, groups: np.ndarray) -> np.ndarray:
        f = rng.uniform(1 - spread, 1 + spread, size=(runs, len(base)))
        v = base[None, :] * f
        onehot = np.eye(groups.max() + 1)[groups]  # (n, g)
        t = (v @ onehot)[:, groups]
        return np.where(t > 0, v / np.where(t > 0, t, 1), base[None, :])

    return (
        draw(w.indicator, st.ind_sub),
        draw(w.sub_pillar, st.sub_pil),
        draw(w.pillar, np.zeros(len(st.pillars), dtype=int)),
    )
