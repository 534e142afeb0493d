"""Policy effects: membership dummies, leads/lags, and the total effect of joining a group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from silkhub.core.gravity.results import GravityResult, percent_effect
from silkhub.core.gravity.specs import GravitySpecError


def membership_dummy(
    frame: pd.DataFrame,
    joined_year: Mapping[str, int],
    *,
    hub: str | None = None,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str = "year",
) -> pd.Series:
    """1 when a pair is "in" a group in that year, else 0 (intra-national rows are 0).

    ``joined_year`` maps ISO3 -> first year counted as a member. With ``hub`` (e.g. ``CHN`` for
    B&R cooperation documents, which are signed *with China*), a pair is treated when it joins
    the hub and a member from the member's joining year on; without a hub, when *both* sides
    are members (``year >= max(joined_i, joined_j)``), as for an RTA or SCO.

    Example: joined = {KAZ: 2014, PAK: 2015}, hub CHN -> CHN->KAZ 2013: 0, 2014: 1;
    KAZ->PAK: 0 (no hub). Without hub -> KAZ->PAK 2014: 0, 2015: 1.
    """
    big = 10**6
    jy_o = frame[exporter].map(joined_year).astype(float).fillna(big)
    jy_d = frame[importer].map(joined_year).astype(float).fillna(big)
    yr = frame[year].astype(float)
    if hub:
        start = np.where(frame[exporter] == hub, jy_d, np.where(frame[importer] == hub, jy_o, big))
    else:
        start = np.maximum(jy_o, jy_d)
    out = (yr >= start) & (frame[exporter] != frame[importer])
    return out.astype("int64")


def add_leads_lags(
    frame: pd.DataFrame,
    column: str,
    *,
    leads: Sequence[int] = (),
    lags: Sequence[int] = (),
    pair: Sequence[str] = ("exporter", "importer"),
    year: str = "year",
) -> tuple[pd.DataFrame, list[str]]:
    """Add ``{column}_lead{k}`` (the dummy k years ahead: anticipation) and ``{column}_lag{k}``
    (k years back: phasing-in) per pair, looked up by calendar year so gaps in the panel are
    safe; outside the panel the value is taken from the nearest known state (a dummy that is 1
    stays 1 later, 0 stays 0 earlier).

    Returns the frame and the new column names (leads first).
    """
    out = frame.copy()
    key = list(pair)
    lookup = out.set_index([*key, year])[column]
    lookup = lookup[~lookup.index.duplicated()]
    names: list[str] = []
    for sign, ks, suffix in ((+1, leads, "lead"), (-1, lags, "lag")):
        for k in ks:
            if k <= 0:
                raise GravitySpecError(
                    key=f"gravity.{suffix}s_positive", params={"k": k}, field=suffix
                )
            name = f"{column}_{suffix}{k}"
            target = out[year] + sign * k
            idx = pd.MultiIndex.from_arrays([*(out[c] for c in key), target])
            val = lookup.reindex(idx).to_numpy(dtype=float)
            missing = np.isnan(val)
            if missing.any():
                # beyond the panel: a lead takes the last known state, a lag is 0 before entry
                grp = out.groupby(key, sort=False)[column]
                fill = grp.transform("last") if sign > 0 else pd.Series(0, index=out.index)
                val[missing] = fill.to_numpy(dtype=float)[missing]
            out[name] = val.astype("int64")
            names.append(name)
    return out, names


@dataclass(frozen=True)
class PolicyEffect:
    """The total effect of joining a group, in log points and percent, with a sentence."""

    group: str
    terms: tuple[str, ...]
    beta: float
    std_error: float
    pct: float
    ci_low_pct: float
    ci_high_pct: float
    p_value: float
    anticipation: tuple[tuple[str, float, float], ...]
    summary: str


def policy_effect(
    result: GravityResult,
    group_label: str,
    terms: Sequence[str],
    leads: Sequence[str] = (),
    event: str = "signing",
) -> PolicyEffect:
    """Sum the treatment terms (contemporaneous + lags), convert to percent, and say it plainly.

    ``beta = sum_k b_k``, ``se = sqrt(1' V 1)``; effect ``100 (exp(beta) - 1)`` %, 95 % CI from
    ``beta ± 1.96 se``. Lead terms are reported separately (anticipation / reverse causality).
    """
    beta, se = result.combination(terms)
    pct, lo, hi = percent_effect(beta, se)
    p = float(2 * stats.norm.sf(abs(beta / se))) if se > 0 else float("nan")
    verb = "rose" if pct >= 0 else "fell"
    text = (
        f"Trade between {group_label} {verb} by {abs(pct):.1f} % "
        f"(95 % CI {lo:.1f} % to {hi:.1f} %) after {event}"
    )
    if len(terms) > 1:
        text += f", summing {' + '.join(terms)}"
    text += "."
    if lo <= 0 <= hi:
        text += " The change is not statistically different from zero at the 5 % level."
    ant = []
    for name in leads:
        c = result.coef(name)
        ant.append((name, c.estimate, c.p_value))
        if c.p_value < 0.05:
            text += (
                f" The lead {name} is significant ({c.estimate:+.3f}, p = {c.p_value:.3f}): "
                f"trade moved before {event} (anticipation or reverse causality)."
            )
    return PolicyEffect(
        group=group_label,
        terms=tuple(terms),
        beta=beta,
        std_error=se,
        pct=pct,
        ci_low_pct=lo,
        ci_high_pct=hi,
        p_value=p,
        anticipation=tuple(ant),
        summary=text,
    )
