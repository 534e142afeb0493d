"""The region report's living-environment and talent section (issue 11): directory counts
(international schools, hospitals, consulates, foreign experts) of a region and its peers on a
map (one point per city, sized by the number of places and experts) and in a table, with the
date they were counted and their source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.orm import Session

from silkhub.data.storage.models.reference import Region
from silkhub.hub.places import region_counts
from silkhub.i18n import pick
from silkhub.report.figures import Figure
from silkhub.report.model import Section, Table

#: indicator codes of :func:`silkhub.hub.places.region_counts`, in column order
DIRECTORY_INDICATORS: tuple[str, ...] = (
    "INTL_SCHOOLS",
    "INTL_HOSPITALS",
    "CONSULATES",
    "FOREIGN_EXPERTS",
)
DIRECTORY_SOURCE = (
    "silkhub hub directory: living-environment places (source per place) and live talent "
    "profiles (foreign nationality, based in the city)"
)


def directory_section(
    session: Session,
    regions: Sequence[Region],
    lang: str,
    t: Callable[..., str],
    as_of: date,
) -> Section:
    """Counts per region of the directory records on ``as_of`` (a section with a point map
    and a table; a note when no region has any record).

    Each city's point is sized by the sum of its four counts; the table gives each count.
    """
    sec = Section(id="directory", title=t("report.directory"))
    wanted = {r.region_id: r for r in regions}
    counts: dict[str, dict[str, float]] = {rid: {} for rid in wanted}
    counted_on = as_of
    for c in region_counts(session, as_of):
        if c.region_id in wanted and c.indicator in DIRECTORY_INDICATORS:
            counts[c.region_id][c.indicator] = c.value
            counted_on = c.counted_on
    src = [f"{DIRECTORY_SOURCE}; {t('report.counted_on', date=counted_on.isoformat())}"]
    if not any(counts.values()):
        sec.note = t("report.directory_empty")
        sec.missing.append("silkhub places import FILE")
        return sec
    columns = [t(f"ind.{code.lower()}") for code in DIRECTORY_INDICATORS]
    rows: list[list[object]] = []
    points: list[tuple[str, float, float, float]] = []
    for rid, r in wanted.items():
        name = pick(r.name_en, r.name_zh, lang)
        values = [int(counts[rid].get(code, 0)) for code in DIRECTORY_INDICATORS]
        rows.append([name, *values, counted_on.isoformat()])
        total = float(sum(values))
        if total > 0 and r.lat is not None and r.lon is not None:
            detail = ", ".join(f"{col} {v}" for col, v in zip(columns, values, strict=True) if v)
            points.append((f"{name} ({detail})", float(r.lon), float(r.lat), total))
    sec.facts = [(t("report.counted_on_label"), counted_on.isoformat())]
    if points:
        sec.figures.append(
            Figure(
                id="directory-map",
                kind="points",
                title=t("fig.directory_map"),
                points=points,
                sources=src,
            )
        )
    sec.tables.append(
        Table(
            id="directory-counts",
            title=t("report.directory_table"),
            columns=[t("field.unit"), *columns, t("report.counted_on_label")],
            rows=rows,
            sources=src,
        )
    )
    sec.note = t("report.directory_note")
    return sec
