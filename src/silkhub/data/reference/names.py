"""Map country names and codes (English, Chinese, historical, CEPII/Comtrade codes) to ISO3.

Lookup order: exact ISO3 / ISO2 / numeric code, the reviewed override table
(``country_names_override.csv``), pycountry English and zh_CN names, then country_converter's
regular expressions. Unmatched names come back as ``None`` with suggestions; nothing is dropped
silently.
"""

from __future__ import annotations

import csv
import logging
import re
from functools import lru_cache
from importlib import resources

from silkhub.data.reference.countries import country_records


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold().replace("（", "(").replace("）", ")"))


@lru_cache
def override_table() -> dict[str, str]:
    """Reviewed overrides: normalised name -> ISO3."""
    text = resources.files(__package__).joinpath("country_names_override.csv").read_text("utf-8")
    return {_norm(r["name"]): r["iso3"] for r in csv.DictReader(text.splitlines())}


@lru_cache
def name_index() -> dict[str, str]:
    """Normalised name or code -> ISO3 for every known spelling."""
    idx: dict[str, str] = {}
    for r in country_records():
        for key in (r.iso3, r.iso2, r.numeric, r.name_en, r.name_zh, r.official_name_en):
            if key:
                idx.setdefault(_norm(key), r.iso3)
    import pycountry

    for c in pycountry.countries:
        idx.setdefault(_norm(c.name), c.alpha_3)
    idx.update(override_table())
    return idx


def to_iso3(name: str | int | None) -> str | None:
    """Return the ISO3 code for a name or code, or ``None`` if it cannot be matched.

    >>> to_iso3("Russian Federation"), to_iso3("俄罗斯"), to_iso3("ROM"), to_iso3(156)
    ('RUS', 'RUS', 'ROU', 'CHN')
    """
    if name is None:
        return None
    key = str(name)
    if key.isdigit():
        key = key.zfill(3)
    hit = name_index().get(_norm(key))
    if hit:
        return hit
    return _coco_lookup(key)


@lru_cache(maxsize=4096)
def _coco_lookup(name: str) -> str | None:
    if len(name) < 3:
        return None
    try:
        logging.getLogger("country_converter").setLevel(logging.ERROR)
        out = _converter().convert(name, to="ISO3", not_found=None)
    except Exception:
        return None
    if isinstance(out, str) and len(out) == 3:
        return out
    return None


@lru_cache
def _converter():  # type: ignore[no-untyped-def]
    import country_converter as coco

    return coco.CountryConverter()


def suggest(name: str, limit: int = 3) -> list[str]:
    """Closest known names (``"Name (ISO3)"``) for an unmatched name."""
    from rapidfuzz import process  # only when a name did not match (CLI start-up)

    idx = name_index()
    keys = [k for k in idx if len(k) > 3]
    hits = process.extract(_norm(name), keys, limit=limit)
    return [f"{k} ({idx[k]})" for k, score, _ in hits if score >= 60]
