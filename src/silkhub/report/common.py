"""Helpers shared by the profile builders and the hub pages: display names of countries and
regions, and map points of projects."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from silkhub.data.reference.queries import all_countries, all_regions
from silkhub.i18n import pick

#: provenance of every figure built from reference data alone
REFERENCE_SOURCE = "silkhub reference data: group_membership (dated intervals with sources)"


def country_labels(session: Session, lang: str) -> dict[str, str]:
    """ISO3 -> display name in ``lang``."""
    return {c.iso3: pick(c.name_en, c.name_zh, lang) for c in all_countries(session)}


def region_labels(session: Session, lang: str) -> dict[str, str]:
    """Region id -> display name in ``lang``."""
    return {r.region_id: pick(r.name_en, r.name_zh, lang) for r in all_regions(session)}


def project_points(
    session: Session, projects: Sequence[object], lang: str
) -> list[tuple[str, float, float, float]]:
    """Map points of projects: their own coordinates, else their region's centre; projects at
    the same place are pooled (label, lon, lat, number of projects)."""
    regions = {r.region_id: r for r in all_regions(session)}
    pooled: dict[tuple[float, float], list] = {}
    for p in projects:
        lat, lon = getattr(p, "lat", None), getattr(p, "lon", None)
        label = ""
        if lat is None or lon is None:
            r = regions.get(getattr(p, "region_id", None) or "")
            if r is None or getattr(r, "lat", None) is None:
                continue
            lat, lon, label = r.lat, r.lon, pick(r.name_en, r.name_zh, lang)
        else:
            label = pick(getattr(p, "title_en", None), getattr(p, "title_zh", None), lang)
        key = (round(float(lon), 3), round(float(lat), 3))
        entry = pooled.setdefault(key, [label, 0])
        entry[1] += 1
    return [(lbl, lon, lat, float(n)) for (lon, lat), (lbl, n) in sorted(pooled.items())]
