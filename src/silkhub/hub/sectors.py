"""Sectors: ISIC rev.4 sections (A–U) and divisions (01–99) with English and Chinese names.

The classification ships as ``reference/isic_rev4.csv`` (UN Statistics Division, ISIC Rev.4;
Chinese names after the official UN Chinese edition, lightly shortened).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from silkhub.errors import UnknownChoiceError

ISIC_CSV = Path(__file__).parent / "reference" / "isic_rev4.csv"


@dataclass(frozen=True)
class Sector:
    """One ISIC rev.4 section (letter) or division (two digits)."""

    code: str
    level: str
    parent: str | None
    name_en: str
    name_zh: str

    def name(self, lang: str = "en") -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


@cache
def sectors() -> dict[str, Sector]:
    """All sections and divisions keyed by code."""
    with ISIC_CSV.open(encoding="utf-8") as fh:
        return {
            r["code"]: Sector(
                r["code"], r["level"], r["parent"] or None, r["name_en"], r["name_zh"]
            )
            for r in csv.DictReader(fh)
        }


def check_sector(code: str | None, *, field: str = "sector") -> str | None:
    """Normalise an ISIC code (``f``, ``F``, ``42``, ``4210`` -> ``42``) or raise.

    Four-digit classes are cut to their division; unknown codes raise UnknownChoiceError.
    """
    if code is None or not str(code).strip():
        return None
    c = str(code).strip().upper()
    if c.isdigit() and len(c) == 1:
        c = "0" + c
    if c.isdigit() and len(c) > 2:
        c = c[:2]
    if c not in sectors():
        raise UnknownChoiceError("ISIC rev.4 sector", str(code), sorted(sectors()), field=field)
    return c


def section_of(code: str) -> str:
    """The section letter of a section or division code."""
    s = sectors()[code]
    return s.code if s.level == "section" else (s.parent or s.code)


def codes_under(code: str) -> list[str]:
    """A section and its divisions (for filters: sector=F matches F, 41, 42, 43)."""
    code = check_sector(code) or code
    s = sectors()[code]
    if s.level == "division":
        return [code]
    return [code, *(c for c, x in sectors().items() if x.parent == code)]
