"""Trade part of matchmaking: country-pair trade complementarity from the analytics store.

``fit = TCI / 100`` (clipped to [0, 1]) of the subject country's exports with each candidate
country's imports, :func:`silkhub.analytics.partners.complementarity` on the first bilateral
dataset of :data:`~silkhub.analytics.datasets.BILATERAL_PREFERENCE` that is loaded (the one
preference order of the analytics layer), latest year. The matchmaking service
(:mod:`silkhub.hub.matching`) takes the result as a plain mapping; it runs no DuckDB SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
from sqlalchemy.orm import Session

from silkhub.analytics import partners
from silkhub.analytics.datasets import BILATERAL_PREFERENCE, view_names, year_range
from silkhub.errors import SilkhubError


def trade_fit(
    con: duckdb.DuckDBPyConnection | None,
    session: Session,
    subject_iso3: str | None,
    candidate_iso3s: Iterable[str],
    *,
    dataset: str | None = None,
    year: int | None = None,
) -> dict[tuple[str, str], float]:
    """``{(subject, candidate): TCI / 100}``; empty when no bilateral dataset is loaded.

    A pair without data is left out (its trade part is then 0 with an "unknown" reason).
    """
    if not subject_iso3 or con is None:
        return {}
    views = set(view_names(con))
    ds = dataset or next((d for d in BILATERAL_PREFERENCE if d in views), None)
    if ds is None or ds not in views:
        return {}
    if year is None:
        rng = year_range(con, ds)
        if rng is None:
            return {}
        year = rng[1]
    out: dict[tuple[str, str], float] = {}
    for iso in sorted(set(candidate_iso3s) - {subject_iso3}):
        try:
            r = partners.complementarity(
                con, session, dataset=ds, exporter=subject_iso3, importer=iso, year=int(year)
            )
        except SilkhubError:
            continue
        tci = r.get("tci")
        if isinstance(tci, float) and tci == tci:
            out[subject_iso3, iso] = max(0.0, min(1.0, tci / 100.0))
    return out
