"""Explainable talent ↔ position matching (issue 11), built on the matchmaking engine's parts.

The score of a candidate person ``t`` for a position (or project need) ``p`` is a transparent sum

    score = Σ_k w_k · v_k,   Σ_k w_k = 1,   v_k ∈ [0, 1]

over these parts (each returned as a :class:`~silkhub.core.matching.Part` with its reason):

``expertise``
    best ISIC similarity between the position's sector and the person's sectors
    (:func:`~silkhub.core.matching.sector_similarity`: 1 same division, 0.75/0.5 same section);
    0.5 when the position names no sector.
``language``
    mean over required languages of 1 (level ≥ required), 0.5 (speaks it, lower level) or 0;
    1 when nothing is required. Levels are CEFR A1 < A2 < B1 < B2 < C1 < C2 < native.
``country``
    share of the position's countries the person has worked in (nationality counts);
    0.5 when the position names no country.
``availability``
    share of the position's period ``[start, end]`` inside the person's availability window;
    0.5 when either side gives no dates.
``location``
    1 remote work or a preferred/based-in region; 0.5 no stated preference or same province;
    0 otherwise.
``text``
    TF-IDF cosine (zh + en, :mod:`silkhub.core.text_similarity`) between the position's text and
    the person's skills.

Pure: no I/O. Inputs are plain dataclasses built by the service layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from silkhub.core.matching import Match, Part, Reason, sector_similarity
from silkhub.core.text_similarity import TextIndex
from silkhub.errors import ValidationError

LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
TALENT_PARTS: tuple[str, ...] = (
    "expertise",
    "language",
    "country",
    "availability",
    "location",
    "text",
)
TALENT_WEIGHTS: dict[str, float] = {
    "expertise": 0.25,
    "language": 0.20,
    "country": 0.15,
    "availability": 0.15,
    "location": 0.05,
    "text": 0.20,
}


def level_rank(level: str) -> int:
    """Position of a CEFR level (or ``native``) in :data:`LEVELS`; ValidationError if unknown."""
    key = level.strip()
    key = "native" if key.lower() == "native" else key.upper()
    if key not in LEVELS:
        raise ValidationError(
            f"unknown language level {level!r}; use one of {', '.join(LEVELS)}", field="level"
        )
    return LEVELS.index(key)


@dataclass(frozen=True)
class Person:
    """What matching knows of a talent profile."""

    id: str
    sectors: tuple[str, ...] = ()
    languages: Mapping[str, str] = field(default_factory=dict)  # code -> level
    countries: frozenset[str] = frozenset()  # experience, nationality included
    available_from: date | None = None
    available_to: date | None = None
    regions: frozenset[str] = frozenset()  # preferred + based-in region ids
    text: str = ""


@dataclass(frozen=True)
class Need:
    """What matching knows of a position or a project's expertise need."""

    id: str
    sector: str | None = None
    languages: Mapping[str, str] = field(default_factory=dict)  # code -> minimum level
    countries: frozenset[str] = frozenset()
    start: date | None = None
    end: date | None = None
    region_id: str | None = None
    province_id: str | None = None
    remote: bool = False
    text: str = ""


def expertise_fit(need: Need, person: Person) -> tuple[float, Reason]:
    if not need.sector:
        return 0.5, Reason("reason.talent.no_sector")
    best = max((sector_similarity(need.sector, s) for s in person.sectors), default=0.0)
    if best == 0:
        return 0.0, Reason("reason.talent.no_expertise", {"sector": need.sector})
    return best, Reason("reason.talent.expertise", {"sector": need.sector})


def language_fit(need: Need, person: Person) -> tuple[float, Reason]:
    """Mean over required languages of 1 (meets level), 0.5 (lower level) or 0 (missing).

    The reason lists one sub-reason per required language (``items``).

    >>> v, why = language_fit(Need("p", languages={"ru": "B2", "en": "C1"}),
    ...                       Person("t", languages={"ru": "C1", "en": "B1"}))
    >>> v, [i["key"] for i in why.params["items"]]
    (0.75, ['reason.talent.lang_ok', 'reason.talent.lang_low'])
    """
    if not need.languages:
        return 1.0, Reason("reason.talent.no_language")
    vals: list[float] = []
    items: list[dict[str, object]] = []
    for code, req in need.languages.items():
        have = person.languages.get(code)
        params = {"language": code, "have": have, "required": req}
        if have is None:
            vals.append(0.0)
            items.append({"key": "reason.talent.lang_missing", "params": params})
        elif level_rank(have) >= level_rank(req):
            vals.append(1.0)
            ok = "lang_native" if have.strip().lower() == "native" else "lang_ok"
            items.append({"key": f"reason.talent.{ok}", "params": params})
        else:
            vals.append(0.5)
            items.append({"key": "reason.talent.lang_low", "params": params})
    return sum(vals) / len(vals), Reason("reason.talent.languages", {"items": items})


def country_fit(need: Need, person: Person) -> tuple[float, Reason]:
    if not need.countries:
        return 0.5, Reason("reason.talent.no_country")
    hit = sorted(need.countries & person.countries)
    v = len(hit) / len(need.countries)
    if hit:
        return v, Reason("reason.talent.countries", {"countries": hit})
    return v, Reason("reason.talent.no_country_experience")


def availability_fit(need: Need, person: Person) -> tuple[float, Reason]:
    """Share of ``[start, end]`` covered by ``[available_from, available_to]`` (inclusive days).

    >>> availability_fit(Need("p", start=date(2026, 1, 1), end=date(2026, 1, 10)),
    ...                  Person("t", available_from=date(2026, 1, 6)))[0]
    0.5
    """
    if need.start is None or need.end is None:
        return 0.5, Reason("reason.talent.no_period")
    if person.available_from is None and person.available_to is None:
        return 0.5, Reason("reason.talent.no_availability")
    lo = max(need.start, person.available_from or need.start)
    hi = min(need.end, person.available_to or need.end)
    total = (need.end - need.start).days + 1
    covered = max(0, (hi - lo).days + 1)
    return covered / total, Reason("reason.talent.available", {"covered": covered, "total": total})


def location_fit(need: Need, person: Person) -> tuple[float, Reason]:
    if need.remote:
        return 1.0, Reason("reason.talent.remote")
    if need.region_id and need.region_id in person.regions:
        return 1.0, Reason("reason.talent.prefers_region", {"region": need.region_id})
    if not person.regions:
        return 0.5, Reason("reason.talent.no_location")
    if need.province_id and need.province_id in person.regions:
        return 0.5, Reason("reason.talent.prefers_province", {"region": need.province_id})
    return 0.0, Reason("reason.talent.other_places")


def check_talent_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate and normalise weights over :data:`TALENT_PARTS` to sum 1."""
    unknown = set(weights) - set(TALENT_PARTS)
    if unknown:
        raise ValidationError(f"unknown score parts {sorted(unknown)}; use {list(TALENT_PARTS)}")
    w = {k: float(weights.get(k, 0.0)) for k in TALENT_PARTS}
    if any(v < 0 or math.isnan(v) for v in w.values()) or sum(w.values()) <= 0:
        raise ValidationError("weights must be non-negative with a positive sum", field="weights")
    total = sum(w.values())
    return {k: v / total for k, v in w.items()}


def score_talent(
    need: Need,
    person: Person,
    *,
    text_similarity: float = 0.0,
    weights: Mapping[str, float] | None = None,
) -> Match:
    """Score one person for one need; ``text_similarity`` is the precomputed cosine."""
    w = check_talent_weights(weights or TALENT_WEIGHTS)
    parts = []
    for name, fn in (
        ("expertise", expertise_fit),
        ("language", language_fit),
        ("country", country_fit),
        ("availability", availability_fit),
        ("location", location_fit),
    ):
        v, why = fn(need, person)
        parts.append(Part.of(name, v, w[name], why))
    ts = min(1.0, max(0.0, float(text_similarity)))
    parts.append(Part.of("text", ts, w["text"], Reason("reason.talent.text", {"value": ts})))
    return Match(person.id, round(sum(p.contribution for p in parts), 6), tuple(parts))


def rank_talent(
    need: Need,
    people: Sequence[Person],
    *,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
) -> list[Match]:
    """Best ``top`` people for ``need``, best first (ties broken by id)."""
    if not people:
        return []
    sims = TextIndex([p.text for p in people]).similarity_to(need.text)
    scored = [
        score_talent(need, p, text_similarity=float(s), weights=weights)
        for p, s in zip(people, sims, strict=True)
    ]
    scored.sort(key=lambda m: (-m.score, m.candidate_id))
    return scored[:top]
