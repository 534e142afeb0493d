"""Peer benchmarking: a unit against chosen peers, indicator by indicator.

For indicator ``i`` with direction sign ``s`` (+1 higher is better), unit value ``x``, peer
values ``p_1..p_m`` and the standard deviation ``sd_i`` of the indicator over all units in the
data (sample, ddof = 1):

* best peer: the peer with the best value, ``b = p_argmax(s * p)``;
* gap to best ``= s * (x - b)`` and gap to the peer median ``= s * (x - median(p))``:
  negative = behind, positive = ahead (in the indicator's unit);
* standardised gap ``z = s * (x - median(p)) / sd_i``; strengths are the indicators with the
  largest ``z``, weaknesses the most negative ones;
* "what would it take": for every indicator where the unit is behind the peer median, the value
  needed (the peer median), the change and the change in per cent; the caller adds the raw
  input needed by inverting the indicator's transformation.

Values are observed values (before imputation): a benchmark should not argue from imputed data;
an indicator the unit or all peers lack is listed with status ``missing``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from silkhub.core.index.framework import Framework


def peer_gaps(
    values: pd.DataFrame, framework: Framework, unit: str, peers: Sequence[str]
) -> pd.DataFrame:
    """One row per indicator with the gaps, standardised gap and status (see module doc).

    ``values`` has one row per unit (index) and one column per indicator code.
    """
    rows = []
    for ind in framework.indicators:
        col = values[ind.code].astype(float) if ind.code in values else pd.Series(dtype=float)
        x = float(col.get(unit, np.nan))
        pv = col.reindex(list(peers)).dropna()
        sd = float(col.dropna().std(ddof=1)) if col.notna().sum() > 1 else float("nan")
        row: dict[str, object] = {
            "indicator": ind.code,
            "name_en": ind.name_en,
            "name_zh": ind.name_zh,
            "pillar": ind.pillar,
            "unit_of_measure": ind.unit,
            "direction": ind.direction,
            "value": x,
            "best_peer": None,
            "best_peer_value": np.nan,
            "peer_median": np.nan,
            "gap_to_best": np.nan,
            "gap_to_median": np.nan,
            "standardised_gap": np.nan,
            "status": "missing",
        }
        if not np.isnan(x) and len(pv):
            best = (pv * ind.sign).idxmax()
            med = float(pv.median())
            gap_med = ind.sign * (x - med)
            row.update(
                best_peer=best,
                best_peer_value=float(pv[best]),
                peer_median=med,
                gap_to_best=ind.sign * (x - float(pv[best])),
                gap_to_median=gap_med,
                standardised_gap=gap_med / sd if sd and sd > 0 else 0.0,
                status="strength" if gap_med > 0 else ("weakness" if gap_med < 0 else "par"),
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    out = out.sort_values("standardised_gap", ascending=False, na_position="last")
    return out.reset_index(drop=True)


def what_it_takes(gaps: pd.DataFrame) -> pd.DataFrame:
    """Indicators where the unit trails the peer median: value needed and change needed."""
    behind = gaps[gaps["status"] == "weakness"].copy()
    behind["value_needed"] = behind["peer_median"]
    behind["change_needed"] = behind["peer_median"] - behind["value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        behind["change_pct"] = np.where(
            behind["value"] != 0, 100.0 * behind["change_needed"] / behind["value"].abs(), np.nan
        )
    cols = [
        "indicator", "name_en", "name_zh", "pillar", "unit_of_measure", "direction", "value",
        "value_needed", "change_needed", "change_pct", "standardised_gap",
    ]  # fmt: skip
    return behind.sort_values("standardised_gap")[cols].reset_index(drop=True)
