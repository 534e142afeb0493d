"""Shared helpers of the project trackers (CGIT, GCDF) -> ``tracker_projects``."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from silkhub.data.importers.schemas import TRACKER_COLUMNS, TRACKER_SCHEMA, validate

MONTHS = {
    m: i
    for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"],
        start=1,
    )
}  # fmt: skip


def record_json(frame: pd.DataFrame) -> list[str]:
    """Each source row as compact JSON (non-empty fields only, UTF-8 text)."""
    cols = list(frame.columns)
    out = []
    for values in frame.itertuples(index=False, name=None):
        rec = {c: v for c, v in zip(cols, values, strict=True) if isinstance(v, str) and v.strip()}
        out.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
    return out


def stable_ids(prefix: str, keys: pd.DataFrame) -> list[str]:
    """Ids from a hash of identifying fields (stable across file versions); repeats get -2, -3."""
    seen: dict[str, int] = {}
    out = []
    for values in keys.astype(str).itertuples(index=False, name=None):
        h = hashlib.sha1("\x1f".join(values).encode()).hexdigest()[:12]
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(f"{prefix}-{h}" if n == 1 else f"{prefix}-{h}-{n}")
    return out


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Type the canonical columns and validate."""
    out = frame[TRACKER_COLUMNS].copy()
    out["year"] = pd.array(out["year"].to_numpy(dtype="float64"), dtype="Int32")
    out["month"] = pd.array(out["month"].to_numpy(dtype="float64"), dtype="Int32")
    out["amount_usd"] = out["amount_usd"].astype("float64")
    out["bri"] = pd.array(
        [
            None if v is None or (isinstance(v, float) and np.isnan(v)) else bool(v)
            for v in out["bri"]
        ],
        dtype="boolean",
    )
    for c in ("source", "source_id", "record_json"):
        out[c] = out[c].astype(str)
    for c in ("iso3", "country_name", "sector", "subsector", "investor", "counterparty",
              "project_type", "status", "title", "region_name"):  # fmt: skip
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return validate(TRACKER_SCHEMA, out.reset_index(drop=True))
