"""Explainable matchmaking: a match score that is a transparent, weighted sum of parts.

For a subject profile ``s`` (an organisation or a project) and a candidate ``c``::

    score(s, c) = Σ_k  w_k · p_k(s, c)          with  p_k ∈ [0, 1],  Σ_k w_k = 1

so the score is in [0, 1] and each part's *contribution* ``w_k · p_k`` is shown with a reason.
The parts (keys of :data:`DEFAULT_WEIGHTS`):

``sector``
    Sector fit on the ISIC rev.4 hierarchy (section letter > 2-digit division), best pair of
    codes: same division 1.0; one side gives only the section 0.75; same section, other
    division 0.5; different sections 0.
``complementarity``
    Offer↔request fit: the share of what one side requests that the other offers, mean of the
    two directions that have requests. Tags are ISIC codes or service names (``legal``, ``EPC``).
``geography``
    Country/region preference: 1 if the candidate is in a country the subject targets (or, when
    the subject states no target, in the subject's own region), mean with the reverse direction.
``membership``
    B&R / SCO membership of the candidate's country: 1 if it is in either group, else 0.
``trade``
    Country trade complementarity / potential for the pair of countries, a number in [0, 1]
    passed in (e.g. a normalised trade-complementarity index from the analytics); 0 if unknown.
``size``
    Size/stage compatibility ``1 - |rank_s - rank_c| / 3`` on micro < small < medium < large.
``language``
    1 if the two share a working language, else 0.
``text``
    TF-IDF cosine of the zh/en descriptions (:mod:`silkhub.core.text_similarity`).

Weights can be re-weighted from accept/decline feedback (:func:`reweight`).
Pure code: no database, no settings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from silkhub.core.text_similarity import (
    TextIndex,
    fit_tfidf,
    normalise,
    tokenize,
    transform_tfidf,
)
from silkhub.errors import ValidationError

PARTS: tuple[str, ...] = (
    "sector",
    "complementarity",
    "geography",
    "membership",
    "trade",
    "size",
    "language",
    "text",
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "sector": 0.20,
    "complementarity": 0.20,
    "geography": 0.10,
    "membership": 0.05,
    "trade": 0.10,
    "size": 0.10,
    "language": 0.05,
    "text": 0.20,
}

SIZE_RANK: dict[str, int] = {"micro": 0, "small": 1, "medium": 2, "large": 3}

#: ISIC rev.4 sections by 2-digit division ranges (inclusive)
_ISIC_SECTIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip
_ISIC_RE = re.compile(r"^\s*([A-Ua-u])?[\s\-.]*(\d{2,4})?\s*$")


def isic_section(division: int) -> str | None:
    """ISIC rev.4 section letter of a 2-digit division (``10 -> 'C'``), None if unknown."""
    for letter, lo, hi in _ISIC_SECTIONS:
        if lo <= division <= hi:
            return letter
    return None


@lru_cache(maxsize=4096)
def parse_isic(code: str) -> tuple[str, str | None]:
    """Normalise an ISIC code to ``(section, division or None)``.

    Accepts ``'C'``, ``'C10'``, ``'c-10'``, ``'10'``, ``'1010'`` (class; truncated to the division).

    >>> parse_isic("1010"), parse_isic("H"), parse_isic("h52")
    (('C', '10'), ('H', None), ('H', '52'))
    """
    m = _ISIC_RE.match(code or "")
    if not m or not (m.group(1) or m.group(2)):
        raise ValidationError(f"{code!r} is not an ISIC rev.4 code (e.g. C, C10, 10)", field="isic")
    letter = m.group(1).upper() if m.group(1) else None
    division = m.group(2)[:2] if m.group(2) else None
    if division is not None:
        sec = isic_section(int(division))
        if sec is None or (letter is not None and letter != sec):
            raise ValidationError(
                f"{code!r}: division {division} is not in ISIC rev.4", field="isic"
            )
        letter = sec
    assert letter is not None
    return letter, division


def sector_similarity(a: str, b: str) -> float:
    """Similarity of two ISIC codes on the section > division hierarchy.

    1.0 same division (or both the same bare section); 0.75 same section where one side gives
    only the section; 0.5 same section, different divisions; 0.0 different sections.
    """
    (sa, da), (sb, db) = parse_isic(a), parse_isic(b)
    if sa != sb:
        return 0.0
    if da == db:
        return 1.0
    if da is None or db is None:
        return 0.75
    return 0.5


def sector_fit(a: Iterable[str], b: Iterable[str]) -> float:
    """Best :func:`sector_similarity` over all pairs of codes (0 when either side is empty)."""
    a, b = list(a), list(b)
    return max((sector_similarity(x, y) for x in a for y in b), default=0.0)


def _norm_tag(tag: str) -> str:
    t = tag.strip()
    try:
        sec, div = parse_isic(t)
        return f"isic:{sec}{div or ''}"
    except ValidationError:
        return t.lower()


def coverage(requested: Iterable[str], offered: Iterable[str]) -> float | None:
    """Share of ``requested`` tags found in ``offered`` (None when nothing is requested).

    An ISIC request is covered by an offer of the same division, or (half) by the same section.
    """
    req = {_norm_tag(t) for t in requested if t and t.strip()}
    if not req:
        return None
    off = {_norm_tag(t) for t in offered if t and t.strip()}
    off_sections = {t[:6] for t in off if t.startswith("isic:")}
    total = 0.0
    for t in req:
        if t in off:
            total += 1.0
        elif t.startswith("isic:") and t[:6] in off_sections:
            total += 0.5
    return total / len(req)


def complementarity(
    s_offers: Iterable[str], s_needs: Iterable[str], c_offers: Iterable[str], c_needs: Iterable[str]
) -> float:
    """Mean of the two directions' :func:`coverage` that have requests (0 when neither has)."""
    parts = [x for x in (coverage(s_needs, c_offers), coverage(c_needs, s_offers)) if x is not None]
    return sum(parts) / len(parts) if parts else 0.0


def size_compatibility(a: str | None, b: str | None) -> float:
    """``1 - |rank_a - rank_b| / 3`` on micro(0) < small(1) < medium(2) < large(3); 0.5 unknown."""
    ra, rb = SIZE_RANK.get((a or "").lower()), SIZE_RANK.get((b or "").lower())
    if ra is None or rb is None:
        return 0.5
    return 1.0 - abs(ra - rb) / 3.0


@dataclass(frozen=True)
class Profile:
    """What matchmaking knows of an organisation, offer/request or project.

    ``needs`` and ``offers`` are tags (ISIC codes or service names); ``targets`` are the ISO3
    countries it wants to work with; ``groups`` are the groups its country belongs to (``bri``,
    ``sco`` ...); ``roles`` are what it can be for a project (investor, contractor ...).
    """

    id: str
    kind: str = "organisation"
    name: str = ""
    sectors: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    country: str | None = None
    region_id: str | None = None
    targets: tuple[str, ...] = ()
    groups: frozenset[str] = frozenset()
    size: str | None = None
    languages: frozenset[str] = frozenset()
    text: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why a part has its value, as a catalog message key and its parameters.

    Parameters are codes, not text (``sector="52"``, ``country="KAZ"``, ``languages=["en"]``),
    so each interface renders the reason in its user's language
    (:mod:`silkhub.hub.matching.reasons`): ``Reason("reason.sector.same", {"sector": "52"})``
    reads "Both work in Warehousing …" in English and "两者都从事仓储和运输支持活动" in Chinese.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """One part of a score: its value in [0, 1], weight, contribution and a reason.

    The reason is structured (``key`` + ``params``); :attr:`reason` is its English default.
    """

    name: str
    value: float
    weight: float
    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, value: float, weight: float, why: Reason) -> Part:
        return cls(name, value, weight, why.key, dict(why.params))

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    @property
    def reason(self) -> str:
        """The English catalog text of the reason (codes left as codes)."""
        from silkhub.errors import english

        return english(self.key, _flat(self.params))


def _flat(params: Mapping[str, object]) -> dict[str, object]:
    """Lists joined with commas, for the English fallback text."""
    return {
        k: ", ".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v
        for k, v in params.items()
    }


@dataclass(frozen=True)
class Match:
    """A candidate with its total score and the parts it is the sum of."""

    candidate_id: str
    score: float
    parts: tuple[Part, ...] = field(default_factory=tuple)

    def explain(self) -> str:
        """One line per part: ``sector 0.20 × 1.00 = 0.200  Both work in 52`` (English)."""
        return "\n".join(
            f"{p.name:16s} {p.weight:.2f} × {p.value:.2f} = {p.contribution:.3f}  {p.reason}"
            for p in sorted(self.parts, key=lambda p: -p.contribution)
        )

    def part_values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parts}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate and normalise weights to sum 1 (missing parts get 0)."""
    unknown = set(weights) - set(PARTS)
    if unknown:
        raise ValidationError(f"unknown score parts {sorted(unknown)}; use {list(PARTS)}")
    w = {k: float(weights.get(k, 0.0)) for k in PARTS}
    if any(v < 0 or math.isnan(v) for v in w.values()):
        raise ValidationError("weights must be non-negative numbers", field="weights")
    total = sum(w.values())
    if total <= 0:
        raise ValidationError("at least one weight must be positive", field="weights")
    return {k: v / total for k, v in w.items()}


def _geo(s: Profile, c: Profile) -> tuple[float, Reason]:
    def one(a: Profile, b: Profile) -> float | None:
        if a.targets:
            return 1.0 if b.country in a.targets else 0.0
        return None

    vals = [v for v in (one(s, c), one(c, s)) if v is not None]
    if vals:
        v = sum(vals) / len(vals)
        if c.country and c.country in s.targets:
            return v, Reason("reason.geo.target", {"country": c.country})
        if s.country and s.country in c.targets:
            return v, Reason("reason.geo.they_target", {"country": s.country})
        if c.country and s.targets:
            return v, Reason(
                "reason.geo.not_target", {"country": c.country, "countries": list(s.targets)}
            )
        return v, Reason("reason.geo.elsewhere", {"countries": list(c.targets or s.targets)})
    if s.region_id and c.region_id and s.region_id == c.region_id:
        return 1.0, Reason("reason.geo.same_region", {"region": s.region_id})
    if s.country and s.country == c.country:
        return 0.5, Reason("reason.geo.same_country", {"country": s.country})
    return 0.0, Reason("reason.geo.none")


def _membership(c: Profile) -> tuple[float, Reason]:
    hit = sorted(g for g in c.groups if g in ("bri", "sco"))
    if not c.country:
        return (1.0 if hit else 0.0), Reason("reason.member.unknown")
    if hit == ["bri", "sco"]:
        return 1.0, Reason("reason.member.both", {"country": c.country})
    if hit:
        return 1.0, Reason(f"reason.member.{hit[0]}", {"country": c.country})
    return 0.0, Reason("reason.member.neither", {"country": c.country})


def _size_reason(a: str | None, b: str | None) -> Reason:
    a, b = (a or "").lower() or None, (b or "").lower() or None
    if a not in SIZE_RANK or b not in SIZE_RANK:
        return Reason("reason.size.unknown")
    if a == b:
        return Reason("reason.size.same", {"size": a})
    return Reason("reason.size.compare", {"size": a, "other_size": b})


def score_pair(
    s: Profile,
    c: Profile,
    *,
    weights: Mapping[str, float] | None = None,
    trade: Mapping[tuple[str, str], float] | None = None,
    text_similarity: float | None = None,
) -> Match:
    """Score one candidate ``c`` for subject ``s``; see the module docstring for the parts.

    ``trade[(s.country, c.country)]`` is the country-pair trade complementarity in [0, 1];
    ``text_similarity`` is the precomputed cosine (computed on the two texts when None).
    Each part carries a structured :class:`Reason` (message key + codes as parameters).
    """
    w = check_weights(weights or DEFAULT_WEIGHTS)
    parts: list[Part] = []
    sf = sector_fit(s.sectors, c.sectors)
    parts.append(Part.of("sector", sf, w["sector"], _sector_reason(s.sectors, c.sectors, sf)))
    comp = complementarity(s.offers, s.needs, c.offers, c.needs)
    covered = sorted({_norm_tag(t) for t in s.needs} & {_norm_tag(t) for t in c.offers})
    they_need = sorted({_norm_tag(t) for t in c.needs} & {_norm_tag(t) for t in s.offers})
    if covered:
        why = Reason("reason.offer.covers", {"tags": covered})
    elif they_need:
        why = Reason("reason.offer.they_need", {"tags": they_need})
    elif comp > 0:
        why = Reason("reason.offer.partial")
    else:
        why = Reason("reason.offer.none")
    parts.append(Part.of("complementarity", comp, w["complementarity"], why))
    g, greason = _geo(s, c)
    parts.append(Part.of("geography", g, w["geography"], greason))
    m, mreason = _membership(c)
    parts.append(Part.of("membership", m, w["membership"], mreason))
    t = 0.0
    known = False
    if trade and s.country and c.country and (s.country, c.country) in trade:
        t, known = float(trade[(s.country, c.country)]), True
    t = min(1.0, max(0.0, t))
    parts.append(
        Part.of(
            "trade",
            t,
            w["trade"],
            Reason(
                "reason.trade.value", {"country": s.country, "other_country": c.country, "value": t}
            )
            if known
            else Reason("reason.trade.unknown"),
        )
    )
    sz = size_compatibility(s.size, c.size)
    parts.append(Part.of("size", sz, w["size"], _size_reason(s.size, c.size)))
    shared = sorted(s.languages & c.languages)
    lang = 1.0 if shared else 0.0
    parts.append(
        Part.of(
            "language",
            lang,
            w["language"],
            Reason("reason.lang.shared", {"languages": shared})
            if shared
            else Reason("reason.lang.none"),
        )
    )
    if text_similarity is None:
        from silkhub.core.text_similarity import cosine_similarity

        text_similarity = cosine_similarity(s.text, c.text)
    ts = min(1.0, max(0.0, float(text_similarity)))
    common = sorted(set(tokenize(s.text)) & set(tokenize(c.text)))[:5]
    parts.append(
        Part.of(
            "text",
            ts,
            w["text"],
            Reason("reason.text.similar", {"words": common})
            if common
            else Reason("reason.text.similar_plain" if ts >= 0.1 else "reason.text.differ"),
        )
    )
    total = sum(p.contribution for p in parts)
    return Match(c.id, round(total, 6), tuple(parts))


def _sector_reason(a: Sequence[str], b: Sequence[str], v: float) -> Reason:
    if v == 0:
        return Reason("reason.sector.different")
    best = max(((x, y) for x in a for y in b), key=lambda p: sector_similarity(*p))
    (sa, da), (sb, db) = parse_isic(best[0]), parse_isic(best[1])
    if v == 1.0:
        return Reason("reason.sector.same", {"sector": da or sa})
    if v == 0.75:
        return Reason("reason.sector.same", {"sector": sa})
    return Reason("reason.sector.related", {"sector": da or sa, "other_sector": db or sb})


def rank(
    subject: Profile,
    candidates: Sequence[Profile],
    *,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    trade: Mapping[tuple[str, str], float] | None = None,
) -> list[Match]:
    """Score every candidate (except the subject) and return the best ``top``, best first.

    Ties are broken by candidate id so the order is deterministic.
    """
    pool = [c for c in candidates if c.id != subject.id]
    if not pool:
        return []
    return MatchIndex(pool).top(subject, top, weights=weights, trade=trade)


# ------------------------------------------------------------------------------------------
# feedback
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """A user's decision on a suggestion, with the part values it was shown with."""

    parts: Mapping[str, float]
    accepted: bool


def reweight(
    weights: Mapping[str, float],
    feedback: Sequence[Feedback],
    *,
    learning_rate: float = 1.0,
    min_feedback: int = 5,
    floor: float = 0.01,
) -> dict[str, float]:
    """Re-weight the parts from accept/decline feedback (multiplicative update).

    With ``Δ_k = mean(p_k | accepted) - mean(p_k | declined)``::

        w'_k = max(floor, w_k · exp(η · Δ_k)),  then normalised to Σ w'_k = 1

    Parts that separate accepted from declined suggestions gain weight; parts that accepted
    suggestions had *less* of lose weight. Needs ``min_feedback`` decisions including at
    least one of each kind; otherwise the weights are returned unchanged (normalised).
    """
    return reweight_parts(
        weights,
        feedback,
        parts=PARTS,
        normalise=check_weights,
        learning_rate=learning_rate,
        min_feedback=min_feedback,
        floor=floor,
    )


def reweight_parts(
    weights: Mapping[str, float],
    feedback: Sequence[Feedback],
    *,
    parts: Sequence[str],
    normalise: Callable[[Mapping[str, float]], dict[str, float]],
    learning_rate: float = 1.0,
    min_feedback: int = 5,
    floor: float = 0.01,
) -> dict[str, float]:
    """:func:`reweight` over any set of ``parts`` (the talent matcher has its own parts)."""
    w = normalise(weights)
    acc = [f for f in feedback if f.accepted]
    dec = [f for f in feedback if not f.accepted]
    if len(feedback) < min_feedback or not acc or not dec:
        return w
    new = {}
    for k in parts:
        ma = sum(float(f.parts.get(k, 0.0)) for f in acc) / len(acc)
        md = sum(float(f.parts.get(k, 0.0)) for f in dec) / len(dec)
        new[k] = max(floor, w[k] * math.exp(learning_rate * (ma - md))) if w[k] > 0 else 0.0
    return normalise(new)


# ------------------------------------------------------------------------------------------
# vectorised index for large candidate pools
# ------------------------------------------------------------------------------------------


class _Vocab:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        i = self.ids.get(key)
        if i is None:
            i = self.ids[key] = len(self.ids)
        return i

    def __len__(self) -> int:
        return len(self.ids)


def _csr(rows: list[list[int]], ncols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), max(ncols, 1)))


class MatchIndex:
    """Candidate pool encoded as arrays so that one query scores every candidate at once.

    Build once (``MatchIndex(profiles)``), then :meth:`top` answers in milliseconds even for a
    million candidates. It computes exactly the parts of :func:`score_pair` (the text part uses
    the index's own TF-IDF vocabulary; above ``word_only_above`` candidates only word features
    are kept, no character n-grams, to bound memory).
    """

    def __init__(
        self,
        profiles: Iterable[Profile],
        *,
        word_only_above: int = 200_000,
        keep_profiles: bool = True,
    ) -> None:
        self.ids: list[str] = []
        sec_v, tag_v, cty_v = _Vocab(), _Vocab(), _Vocab()
        self._sec_v, self._tag_v, self._cty_v = sec_v, tag_v, cty_v
        cty_v("")  # id 0 = unknown country
        sectors: list[list[int]] = []
        offers: list[list[int]] = []
        needs: list[list[int]] = []
        targets: list[list[int]] = []
        country: list[int] = []
        region: list[str | None] = []
        size: list[int] = []
        langs: list[int] = []
        groups: list[int] = []
        texts: list[str] = []
        self._lang_bits: dict[str, int] = {}
        self._profiles: dict[str, Profile] = {}
        for p in profiles:
            self.ids.append(p.id)
            sectors.append(sorted({sec_v(_sec_key(code)) for code in p.sectors}))
            offers.append(sorted({tag_v(_norm_tag(t)) for t in p.offers}))
            needs.append(sorted({tag_v(_norm_tag(t)) for t in p.needs}))
            targets.append(sorted({cty_v(t) for t in p.targets}))
            country.append(cty_v(p.country or ""))
            region.append(p.region_id)
            size.append(SIZE_RANK.get((p.size or "").lower(), -1))
            langs.append(self._lang_mask(p.languages))
            groups.append((1 if "bri" in p.groups else 0) | (2 if "sco" in p.groups else 0))
            texts.append(p.text)
            if keep_profiles:
                self._profiles[p.id] = p
        n = len(self.ids)
        self.sectors = _csr(sectors, len(sec_v))
        self.offers = _csr(offers, len(tag_v))
        self.needs = _csr(needs, len(tag_v))
        self.targets = _csr(targets, len(cty_v))
        self._offers_csc = self.offers.tocsc()
        self._needs_csc = self.needs.tocsc()
        self._targets_csc = self.targets.tocsc()
        # sectors as a dense (n, k) matrix of sector ids padded with -1 (k = most per profile)
        k = max((len(r) for r in sectors), default=0)
        self._sector_ids = np.full((max(k, 1), len(sectors)), -1, dtype=np.int32)
        for i, r in enumerate(sectors):
            self._sector_ids[: len(r), i] = r
        self.n_needs = np.asarray(self.needs.sum(axis=1)).ravel().astype(np.float32)
        self.has_targets = np.diff(self.targets.indptr) > 0
        self.country = np.asarray(country, dtype=np.int32)
        reg_v = _Vocab()
        reg_v("")
        self.region = np.asarray([reg_v(r or "") for r in region], dtype=np.int32)
        self._reg_v = reg_v
        self.size = np.asarray(size, dtype=np.int8)
        self.langs = np.asarray(langs, dtype=np.int64)
        self.groups = np.asarray(groups, dtype=np.int8)
        self._membership = (self.groups > 0).astype(np.float32)  # independent of the subject
        self.text = _WordTfidf(texts, words_only=n > word_only_above)
        self._row = {pid: i for i, pid in enumerate(self.ids)}

    def _lang_mask(self, languages: Iterable[str]) -> int:
        m = 0
        for lang in languages:
            b = self._lang_bits.setdefault(lang.lower(), len(self._lang_bits))
            if b < 63:
                m |= 1 << b
        return m

    def __len__(self) -> int:
        return len(self.ids)

    def memory_bytes(self) -> int:
        """Approximate memory held by the index arrays (bytes)."""
        total = 0
        for m in (
            self.sectors,
            self.offers,
            self.needs,
            self.targets,
            self.text.matrix,
            self._offers_csc,
            self._targets_csc,
            self.text.csc,
        ):
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        total += self._sector_ids.nbytes
        for a in (
            self.n_needs,
            self.has_targets,
            self.country,
            self.region,
            self.size,
            self.langs,
            self.groups,
        ):
            total += a.nbytes
        return total

    def scores(
        self,
        s: Profile,
        *,
        weights: Mapping[str, float] | None = None,
        trade: Mapping[tuple[str, str], float] | None = None,
    ) -> dict[str, np.ndarray]:
        """Part values of every candidate for subject ``s``: ``{part: array(len(self))}``."""
        n = len(self)
        out: dict[str, np.ndarray] = {}
        # sector: max over the candidate's sector keys of the fit to s's sectors
        keys = list(self._sec_v.ids)
        if s.sectors and keys:
            table = np.array([sector_fit(s.sectors, [k]) for k in keys] + [0.0], np.float32)
            # id -1 (padding) reads the trailing 0.0; rows of _sector_ids are contiguous
            best = table[self._sector_ids[0]]
            for row in self._sector_ids[1:]:
                np.maximum(best, table[row], out=best)
            out["sector"] = best
        else:
            out["sector"] = np.zeros(n, np.float32)
        out["complementarity"] = self._complementarity(s)
        out["geography"] = self._geography(s)
        out["membership"] = self._membership
        if trade and s.country:
            tvec = np.zeros(len(self._cty_v), np.float32)
            for iso, i in self._cty_v.ids.items():
                tvec[i] = min(1.0, max(0.0, float(trade.get((s.country, iso), 0.0))))
            out["trade"] = tvec[self.country]
        else:
            out["trade"] = np.zeros(n, np.float32)
        rs = SIZE_RANK.get((s.size or "").lower(), -1)
        if rs < 0:
            out["size"] = np.full(n, 0.5, np.float32)
        else:  # lookup by candidate rank; index 0 = unknown size (-1) -> 0.5
            table = np.array([0.5] + [1.0 - abs(r - rs) / 3.0 for r in range(4)], np.float32)
            out["size"] = table[self.size + 1]
        qmask = 0
        for lang in s.languages:
            b = self._lang_bits.get(lang.lower())
            if b is not None and b < 63:
                qmask |= 1 << b
        out["language"] = ((self.langs & qmask) != 0).astype(np.float32)
        out["text"] = self.text.similarity_to(s.text)
        return out

    def _complementarity(self, s: Profile) -> np.ndarray:
        n = len(self)
        s_off = {_norm_tag(t) for t in s.offers if t.strip()}
        s_need = {_norm_tag(t) for t in s.needs if t.strip()}

        def vec(tags: set[str], half_sections: bool) -> np.ndarray:
            v = np.zeros(self.offers.shape[1], np.float32)
            sections = {x[:6] for x in tags if x.startswith("isic:")} if half_sections else set()
            for t, i in self._tag_v.ids.items():
                if t in tags:
                    v[i] = 1.0
                elif sections and t[:6] in sections and t.startswith("isic:"):
                    v[i] = 0.5
            return v

        # direction 1: share of s's needs offered by the candidate
        d1 = None
        if s_need:
            need_ids = {t: self._tag_v.ids.get(t) for t in s_need}
            acc = np.zeros(n, np.float32)
            for t, i in need_ids.items():
                exact = self._col(self._offers_csc, i) if i is not None else np.zeros(n, np.float32)
                if t.startswith("isic:"):
                    sec_cols = [
                        j
                        for u, j in self._tag_v.ids.items()
                        if u.startswith("isic:") and u[:6] == t[:6]
                    ]
                    part = (
                        np.minimum(1.0, np.asarray(self.offers[:, sec_cols].sum(axis=1)).ravel())
                        if sec_cols
                        else np.zeros(n, np.float32)
                    )
                    acc += np.maximum(exact, 0.5 * part)
                else:
                    acc += exact
            d1 = acc / len(s_need)
        # direction 2: share of the candidate's needs offered by s
        covered = np.zeros(n, np.float32)
        if s_off:
            v = vec(s_off, True)
            for j in np.flatnonzero(v).tolist():  # posting lists of the offered tags
                covered[self._rows(self._needs_csc, j)] += v[j]
        has_needs = self.n_needs > 0
        d2 = np.divide(covered, self.n_needs, out=np.zeros(n, np.float32), where=has_needs)
        if d1 is None:
            return np.where(has_needs, d2, 0.0).astype(np.float32)
        return np.where(has_needs, (d1 + d2) / 2.0, d1).astype(np.float32)

    @staticmethod
    def _rows(csc: sp.csc_matrix, j: int) -> np.ndarray:
        """Row indices of the non-zeros of column ``j`` (a posting list)."""
        return csc.indices[csc.indptr[j] : csc.indptr[j + 1]]

    def _col(self, csc: sp.csc_matrix, j: int) -> np.ndarray:
        """Dense 0/1 column ``j`` of a binary matrix (from its CSC copy)."""
        v = np.zeros(csc.shape[0], np.float32)
        v[self._rows(csc, j)] = 1.0
        return v

    def _geography(self, s: Profile) -> np.ndarray:
        n = len(self)
        fwd = None
        if s.targets:
            tvec = np.zeros(len(self._cty_v), bool)
            for t in s.targets:
                i = self._cty_v.ids.get(t)
                if i is not None:
                    tvec[i] = True
            fwd = tvec[self.country].astype(np.float32)
        ci = self._cty_v.ids.get(s.country or "\0")
        rev = (
            self._col(self._targets_csc, ci)
            if ci is not None and ci > 0
            else np.zeros(n, np.float32)
        )
        if fwd is not None:
            return np.where(self.has_targets, (fwd + rev) / 2.0, fwd).astype(np.float32)
        # subject has no targets: reverse direction where stated, else proximity
        ri = self._reg_v.ids.get(s.region_id or "\0")
        prox = np.zeros(n, np.float32)
        if ci is not None and ci > 0:
            prox[self.country == ci] = 0.5
        if ri is not None and ri > 0:
            prox[self.region == ri] = 1.0
        return np.where(self.has_targets, rev, prox).astype(np.float32)

    def top(
        self,
        s: Profile,
        k: int = 10,
        *,
        weights: Mapping[str, float] | None = None,
        trade: Mapping[tuple[str, str], float] | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Match]:
        """The ``k`` best candidates for ``s`` with their explained parts (ties by id)."""
        w = check_weights(weights or DEFAULT_WEIGHTS)
        parts = self.scores(s, weights=w, trade=trade)
        total = np.zeros(len(self), np.float32)
        tmp = np.empty(len(self), np.float32)
        for name in PARTS:
            if w[name]:
                np.multiply(parts[name], np.float32(w[name]), out=tmp)
                total += tmp
        for pid in {s.id, *exclude}:
            r = self._row.get(pid)
            if r is not None:
                total[r] = -1.0
        k = min(k, len(self))
        if k <= 0:
            return []
        cand = np.argpartition(-total, k - 1)[:k] if k < len(self) else np.arange(len(self))
        # include ties at the cut-off for a deterministic (id) order
        cut = total[cand].min()
        at_least = total >= cut
        if np.count_nonzero(at_least) < 10 * k:
            cand = np.flatnonzero(at_least)
        order = sorted(cand.tolist(), key=lambda i: (-float(total[i]), self.ids[i]))[:k]
        res = []
        for i in order:
            if total[i] < 0:
                continue
            cand_p = self._profiles.get(self.ids[i])
            if cand_p is not None:  # full reasons from the scalar scorer (same part values)
                exact = score_pair(
                    s, cand_p, weights=w, trade=trade, text_similarity=float(parts["text"][i])
                )
                res.append(Match(self.ids[i], round(float(total[i]), 6), exact.parts))
                continue
            res.append(
                Match(
                    self.ids[i],
                    round(float(total[i]), 6),
                    tuple(
                        Part(
                            name,
                            float(parts[name][i]),
                            w[name],
                            "reason.part_value",
                            {"part": name, "value": float(parts[name][i])},
                        )
                        for name in PARTS
                    ),
                )
            )
        return res


def _sec_key(code: str) -> str:
    sec, div = parse_isic(code)
    return f"{sec}{div or ''}"


class _WordTfidf:
    """TF-IDF over words (+ character n-grams unless ``words_only``), with inverted-list queries."""

    def __init__(self, texts: Sequence[str], *, words_only: bool) -> None:
        self.words_only = words_only
        if words_only:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer = TfidfVectorizer(
                analyzer=lambda t: tokenize(t), sublinear_tf=True, dtype=np.float32
            )
            self.matrix = fit_tfidf(self.vectorizer, [normalise(t) for t in texts])
            self.index: TextIndex | None = None
        else:
            self.index = TextIndex(list(texts))
            self.matrix = self.index.matrix
            self.vectorizer = self.index.vectorizer
        self.csc = self.matrix.tocsc()

    def similarity_to(self, text: str) -> np.ndarray:
        """Cosine to every document, accumulated over the query terms' posting lists."""
        q = transform_tfidf(self.vectorizer, [normalise(text)])
        n = self.csc.shape[0]
        sims = np.zeros(n, np.float32)
        ptr, idx, data = self.csc.indptr, self.csc.indices, self.csc.data
        for j, w in zip(q.indices.tolist(), q.data.tolist(), strict=True):
            lo, hi = ptr[j], ptr[j + 1]
            sims[idx[lo:hi]] += data[lo:hi] * np.float32(w)  # rows unique within a column
        return sims
