"""Trade part of matchmaking: country-pair trade complementarity from the analytics store.

``fit = TCI / 100`` (clipped to [0, 1]) of the subject country's exports with each candidate
country's imports: :func:`silkhub.analytics.partners.complementarity_many` on the dataset and
year of the one complementarity rule (:func:`silkhub.analytics.partners.complementarity_source`:
the registry's ``complementarity`` preference; with no year, the first imported dataset and its
latest year). The matchmaking service (:mod:`silkhub.hub.matching`) takes the result as a plain
mapping; it runs no DuckDB SQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import duckdb
from sqlalchemy.orm import Session

from silkhub.analytics import partners
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
    """``{(subject, candidate): TCI / 100}``; empty when no product-level bilateral dataset is
    loaded. A pair without data is left out (its trade part is then 0 with an "unknown" reason).
    """
    if not subject_iso3 or con is None:
        return {}
    try:
        ds, yr = partners.complementarity_source(con, dataset, year)
        table = partners.complementarity_many(
            con,
            dataset=ds,
            exporter=subject_iso3,
            importers=sorted(set(candidate_iso3s) - {subject_iso3}),
            year=yr,
        )
    except SilkhubError:
        return {}
    out: dict[tuple[str, str], float] = {}
    for iso, tci in zip(table["importer"], table["tci"], strict=True):
        if isinstance(tci, float) and not math.isnan(tci):
            out[subject_iso3, str(iso)] = max(0.0, min(1.0, tci / 100.0))
    return out
