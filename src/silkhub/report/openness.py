"""Openness over time (trade, FDI, R&D, high-tech) of countries or regions, one line each,
from the analytics openness service over ``wdi`` (countries) or ``regional`` (regions)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.openness import openness
from silkhub.data.storage.models.reference import Region
from silkhub.data.store_reader import StoreReader, missing_hint
from silkhub.errors import SilkhubError
from silkhub.report.figures import Figure
from silkhub.report.model import Translate, source_line

logger = logging.getLogger(__name__)

#: openness measures of :func:`silkhub.analytics.openness.openness` -> i18n label key
OPENNESS_MEASURES = {
    "gdp_usd": "ind.gdp",
    "trade_dependence_pct": "ind.trade_gdp",
    "fdi_gdp_pct": "ind.fdi_gdp",
    "rd_gdp_pct": "ind.rd_gdp",
    "high_tech_share_pct": "ind.hightech",
}


def no_data_note(missing: Sequence[str], t: Translate) -> str:
    """ "No data for A, B" (empty when nothing is missing)."""
    return t("note.no_data_for", names=t("list.sep").join(missing)) if missing else ""


def openness_figures(
    session: Session, reader: StoreReader, places: Sequence[tuple[str, str]], t: Translate
) -> tuple[list[Figure], list[str]]:
    """Openness over time of ``places`` (id, label): one line figure per measure that any
    place has, with a "no data for …" note naming the places without it; and the hints of
    datasets to import."""
    con = reader.connection()
    if con is None:
        return [], [missing_hint("wdi")]
    series: dict[str, dict[str, list[tuple[int, float]]]] = {m: {} for m in OPENNESS_MEASURES}
    datasets: set[str] = set()
    hints: list[str] = []
    for place, label in places:
        ds = "regional" if session.get(Region, place) is not None else "wdi"
        yrs = reader.years(ds)
        if yrs is None:
            if missing_hint(ds) not in hints:
                hints.append(missing_hint(ds))
            continue
        try:
            res = openness(con, session, place=place, start=yrs[0], end=yrs[1])
        except SilkhubError as exc:
            logger.info("no openness for %s: %s", place, exc.message)
            continue
        datasets.add(res.dataset)
        for m in OPENNESS_MEASURES:
            pts = [
                (int(r.year), round(float(v), 3))
                for r, v in zip(res.rows.itertuples(), res.rows[m], strict=True)
                if pd.notna(v)
            ]
            if pts:
                series[m][label] = pts
    sources = [source_line(ds, reader.info(ds)) for ds in sorted(datasets)]
    sources.append("silkhub.analytics.openness (formulas in docs)")
    figs = [
        Figure(
            id=f"open-{m}",
            kind="line",
            title=t(key),
            series=series[m],
            sources=sources,
            note=no_data_note([label for _, label in places if label not in series[m]], t),
        )
        for m, key in OPENNESS_MEASURES.items()
        if series[m]
    ]
    if not figs and not hints:
        hints.append(missing_hint("wdi"))
    return figs, hints
