"""Untapped trade potential and a transparent, complementarity-weighted target score.

Given trade predicted by a gravity model and actual trade for each partner of a reporter:

* ``ratio = predicted / actual`` — the potential ratio; > 1 means trade is below what
  gravity predicts (room to grow), < 1 means the pair already trades more than predicted.
  Undefined (NaN) when actual trade is 0.
* ``gap = predicted - actual`` (US$) — the absolute untapped potential; negative = over-trading.
* ``ratio_rel = ratio / (sum predicted / sum actual)`` — the ratio relative to the average of
  the partners considered; it removes a common level shift (e.g. predicting a later year with a
  model fitted on an earlier one) and keeps only the partner-specific part.
* ``rank`` — 1 = largest gap (most room to grow).

The target score combines parts scaled to 0–1 across the candidate partners (min–max)::

    score = sum_k w_k * part_k / sum_k w_k      (over the parts that are known for the partner)

with parts ``potential`` (the gap), ``complementarity`` (trade complementarity index of the
reporter's exports with the partner's imports, 0–100) and ``rca_fit`` (share of the partner's
imports in products where the reporter has RCA > 1). Every part and weight is returned so the
score can be checked by hand. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from silkhub.errors import ValidationError

__all__ = [
    "DEFAULT_WEIGHTS",
    "HS_SECTIONS",
    "hs_section",
    "minmax",
    "potential_table",
    "target_scores",
]

#: HS sections (WCO): roman numeral -> (first chapter, last chapter, short title)
HS_SECTIONS: dict[str, tuple[int, int, str]] = {
    "I": (1, 5, "Live animals; animal products"),
    "II": (6, 14, "Vegetable products"),
    "III": (15, 15, "Fats and oils"),
    "IV": (16, 24, "Prepared foodstuffs, beverages, tobacco"),
    "V": (25, 27, "Mineral products"),
    "VI": (28, 38, "Chemical products"),
    "VII": (39, 40, "Plastics and rubber"),
    "VIII": (41, 43, "Hides, skins, leather"),
    "IX": (44, 46, "Wood and articles of wood"),
    "X": (47, 49, "Pulp, paper"),
    "XI": (50, 63, "Textiles"),
    "XII": (64, 67, "Footwear, headgear"),
    "XIII": (68, 70, "Stone, ceramics, glass"),
    "XIV": (71, 71, "Pearls, precious metals"),
    "XV": (72, 83, "Base metals"),
    "XVI": (84, 85, "Machinery and electrical equipment"),
    "XVII": (86, 89, "Vehicles, aircraft, vessels"),
    "XVIII": (90, 92, "Optical, medical, precision instruments"),
    "XIX": (93, 93, "Arms and ammunition"),
    "XX": (94, 96, "Miscellaneous manufactured articles"),
    "XXI": (97, 99, "Works of art; special codes"),
}


def hs_section(code: str) -> str | None:
    """HS section (roman numeral) of an HS code from its first two digits; ``None`` if the
    code is not an HS code (e.g. ``TOTAL``).

    >>> hs_section("010121"), hs_section("8471"), hs_section("TOTAL")
    ('I', 'XVI', None)
    """
    head = str(code).strip()[:2]
    if len(head) < 2 or not head.isdigit():
        return None
    ch = int(head)
    for sec, (lo, hi, _) in HS_SECTIONS.items():
        if lo <= ch <= hi:
            return sec
    return None


DEFAULT_WEIGHTS: dict[str, float] = {"potential": 0.5, "complementarity": 0.3, "rca_fit": 0.2}


def potential_table(
    frame: pd.DataFrame,
    *,
    partner: str = "partner",
    predicted: str = "predicted_usd",
    actual: str = "actual_usd",
) -> pd.DataFrame:
    """Potential ratio, gap and rank per partner.

    Parameters
    ----------
    frame:
        One row per partner with predicted and actual trade (US$). Rows with a missing
        prediction are kept at the bottom with NaN measures and no rank.

    Returns
    -------
    DataFrame
        ``partner, predicted_usd, actual_usd, ratio, ratio_rel, gap_usd, rank`` sorted by rank.

    Example: predicted 150, actual 100 -> ratio 1.5, gap 50; predicted 50, actual 100 -> ratio
    0.5, gap -50; the group ratio is 200/200 = 1, so ratio_rel equals ratio.
    """
    for c in (partner, predicted, actual):
        if c not in frame.columns:
            raise ValidationError(key="gravity.potential_column", params={"column": c}, field=c)
    out = pd.DataFrame(
        {
            "partner": frame[partner].to_numpy(),
            "predicted_usd": pd.to_numeric(frame[predicted], errors="coerce").to_numpy(),
            "actual_usd": pd.to_numeric(frame[actual], errors="coerce").to_numpy(),
        }
    )
    p, a = out["predicted_usd"], out["actual_usd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = np.where(a > 0, p / a.where(a > 0, 1.0), np.nan)
    ok = p.notna() & a.notna()
    level = p[ok].sum() / a[ok].sum() if ok.any() and a[ok].sum() > 0 else np.nan
    out["ratio_rel"] = out["ratio"] / level
    out["gap_usd"] = p - a
    out["rank"] = out["gap_usd"].rank(ascending=False, method="min")
    out["rank"] = out["rank"].astype("Int64")
    return out.sort_values(["rank", "partner"], na_position="last").reset_index(drop=True)


def minmax(values: pd.Series) -> pd.Series:
    """Scale to 0–1: ``(v - min) / (max - min)``; all-equal values -> 1.0; NaN stays NaN."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    lo, hi = v.min(skipna=True), v.max(skipna=True)
    if pd.isna(lo):
        return v
    if hi == lo:
        return v.where(v.isna(), 1.0)
    return (v - lo) / (hi - lo)


def target_scores(
    frame: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    potential: str = "gap_usd",
    complementarity: str = "complementarity",
    rca_fit: str = "rca_fit",
) -> pd.DataFrame:
    """Combine untapped potential, complementarity and RCA fit into one score per partner.

    Each part is min–max scaled over the rows given (``part_potential``, ``part_complementarity``,
    ``part_rca_fit``), then ``score = sum_k w_k part_k / sum_k w_k`` over the parts known for
    that partner (a missing part drops out and the others are re-weighted; ``parts_used`` says
    which were used). Missing input columns count as missing parts.

    Example (weights 0.5/0.3/0.2): partner A with gaps scaled 1.0, TCI scaled 0.0, fit 0.5 ->
    (0.5*1.0 + 0.3*0.0 + 0.2*0.5) / 1.0 = 0.60; with no TCI known -> (0.5*1.0 + 0.2*0.5) / 0.7
    = 0.857.

    Returns
    -------
    DataFrame
        The input columns plus ``part_*``, ``weight_*``, ``parts_used``, ``score`` and
        ``score_rank`` (1 = best), sorted by score.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(w) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValidationError(
            key="gravity.unknown_parts",
            params={"parts": ", ".join(unknown), "valid": ", ".join(DEFAULT_WEIGHTS)},
            field="weights",
        )
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValidationError(key="gravity.bad_weights", field="weights")
    cols = {"potential": potential, "complementarity": complementarity, "rca_fit": rca_fit}
    out = frame.copy()
    num = pd.Series(0.0, index=out.index)
    den = pd.Series(0.0, index=out.index)
    used = pd.Series("", index=out.index)
    for part, col in cols.items():
        weight = float(w.get(part, 0.0))
        scaled = minmax(out[col]) if col in out.columns else pd.Series(np.nan, index=out.index)
        out[f"part_{part}"] = scaled
        out[f"weight_{part}"] = weight
        known = scaled.notna() & (weight > 0)
        num = num + scaled.fillna(0.0) * weight * known
        den = den + weight * known
        used = used.where(~known, used + np.where(used == "", "", "+") + part)
    out["parts_used"] = used
    out["score"] = (num / den).where(den > 0)
    out["score_rank"] = out["score"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values("score", ascending=False, na_position="last").reset_index(drop=True)
