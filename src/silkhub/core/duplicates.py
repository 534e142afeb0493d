"""Repeated-construction warning: near-duplicate projects across localities.

Seed 004 warns against "repeated construction" (重复建设): several localities planning the same
logistics park or industrial zone. Given project records, this module

1. **blocks** — only pairs that share a location block (the same region, a neighbouring region,
   or, without regions, the same country), a sector (ISIC section, or the normalised sector
   label) and an overlapping period (start years within ``year_window``) are compared, never
   all pairs;
2. **scores** each candidate pair as a weighted sum of parts in [0, 1]::

       score = 0.55·text + 0.20·value + 0.20·period + 0.05·location

   text = max(TF-IDF cosine of title + description over zh/en words and character n-grams,
   best over the language fields en-en, zh-zh, en-zh; rapidfuzz ``token_sort_ratio`` of the
   normalised titles when it is at least 0.9, i.e. near-identical titles with typos or
   reordered words);
   value = ``min(v1, v2) / max(v1, v2)`` (0.5 when either value is unknown);
   period = 1 if the periods overlap, else ``max(0, 1 - gap_years / year_window)``;
   location = 1 same region (or same country when neither has a region), 0.7 neighbouring
   region, 0.5 same province/area or same country only;
3. returns pairs with ``score ≥ threshold`` and the **reasons**, and **clusters** them
   (connected components) into groups of similar projects, flagging groups that span
   several localities.

Pure code: records in, pairs and clusters out.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from silkhub.core.text_similarity import TextIndex, normalise

logger = logging.getLogger(__name__)

#: default score threshold and weights, chosen on the labelled tracker set (docs/quality.md)
DEFAULT_THRESHOLD = 0.76
WEIGHTS: dict[str, float] = {"text": 0.55, "value": 0.20, "period": 0.20, "location": 0.05}

#: rapidfuzz counts only for near-identical titles (token_sort_ratio >= this, in %)
FUZZY_CUTOFF = 90.0
#: rapidfuzz runs only on pairs whose TF-IDF cosine reaches this (below it cannot matter much)
FUZZY_MIN_TFIDF = 0.25

_NOISE = re.compile(r"\(?\s*linked to project id[^)]*\)?", re.IGNORECASE)


@dataclass(frozen=True)
class ProjectRecord:
    """What duplicate detection needs to know about a project."""

    id: str
    title_en: str = ""
    title_zh: str = ""
    description_en: str = ""
    description_zh: str = ""
    iso3: str | None = None
    region_id: str | None = None
    sector: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    value_usd: float | None = None


@dataclass(frozen=True)
class DuplicatePair:
    """Two projects that look like the same thing, with the score's parts and reasons."""

    a: str
    b: str
    score: float
    parts: Mapping[str, float]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    """Connected projects above the threshold; ``localities`` are their distinct places."""

    ids: tuple[str, ...]
    localities: tuple[str, ...]
    max_score: float
    pairs: tuple[DuplicatePair, ...] = field(default_factory=tuple)

    @property
    def across_localities(self) -> bool:
        return len(self.localities) > 1


def clean_title(text: str | None) -> str:
    """Normalise a title for comparison, dropping AidData's "(Linked to Project ID#...)"."""
    return normalise(_NOISE.sub(" ", text or ""))


def sector_key(sector: str | None) -> str:
    """Blocking key of a sector: ISIC section letter when it parses, else the lower-cased label."""
    if not sector:
        return ""
    from silkhub.core.matching import parse_isic
    from silkhub.errors import ValidationError

    try:
        return parse_isic(sector)[0]
    except ValidationError:
        return normalise(sector)


def _loc_key(r: ProjectRecord, parent: Mapping[str, str | None]) -> str:
    """The location block: a region's parent (so neighbouring cities meet) or the country."""
    if r.region_id:
        return parent.get(r.region_id) or r.region_id
    return r.iso3 or ""


def candidate_pairs(
    records: Sequence[ProjectRecord],
    *,
    parent: Mapping[str, str | None] | None = None,
    year_window: int = 2,
    max_block: int = 5000,
) -> list[tuple[int, int]]:
    """Blocking: index pairs ``(i, j)``, ``i < j``, sharing location block, sector and period.

    Within a block records are sorted by start year and compared only with those at most
    ``year_window`` years later (a sliding window), so the cost is linear in the block size
    times the window's occupancy. Records without a start year are compared with the whole
    block (capped at ``max_block``).
    """
    parent = parent or {}
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        blocks[_loc_key(r, parent), sector_key(r.sector)].append(i)
    out: list[tuple[int, int]] = []
    for (loc, _sec), idx in blocks.items():
        if len(idx) < 2 or not loc:
            continue
        dated = sorted((i for i in idx if records[i].start_year is not None),
                       key=lambda i: records[i].start_year or 0)  # fmt: skip
        undated = [i for i in idx if records[i].start_year is None]
        years = [records[i].start_year or 0 for i in dated]
        for p, i in enumerate(dated):
            q = p + 1
            while q < len(dated) and years[q] - years[p] <= year_window:
                j = dated[q]
                out.append((min(i, j), max(i, j)))
                q += 1
        if undated:
            for p, i in enumerate(undated[:max_block]):
                for j in undated[p + 1 : max_block] + dated[:max_block]:
                    out.append((min(i, j), max(i, j)))
    return out


def _window_pairs(years: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Local index pairs ``(p, q)`` of a block with ``|year_p - year_q| <= window`` (numpy).

    Records without a year (``-1``) pair with every record of the block.
    """
    m = len(years)
    order = np.argsort(years, kind="stable")
    ys = years[order]
    dated = ys >= 0
    first_dated = int(np.argmax(dated)) if dated.any() else m
    pos = np.arange(first_dated, m)
    hi = np.searchsorted(ys, ys[first_dated:] + window, side="right")
    counts = hi - pos - 1
    total = int(counts.sum())
    left = np.repeat(pos, counts)
    # right partner of the r-th pair of position p: p + 1 + (r - offset(p))
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    right = left + 1 + (np.arange(total) - offsets)
    if first_dated:  # undated records (sorted first) pair with every later record
        ui, uj = np.triu_indices(m, k=1)
        sel = ui < first_dated
        left = np.r_[ui[sel], left]
        right = np.r_[uj[sel], right]
    a, b = order[left], order[right]
    return np.minimum(a, b), np.maximum(a, b)


def _value_part(a: float | None, b: float | None) -> float:
    if not a or not b or a <= 0 or b <= 0:
        return 0.5
    return min(a, b) / max(a, b)


def _period_part(a: ProjectRecord, b: ProjectRecord, window: int) -> float:
    if a.start_year is None or b.start_year is None:
        return 0.5
    a_end = a.end_year if a.end_year is not None else a.start_year
    b_end = b.end_year if b.end_year is not None else b.start_year
    gap = max(a.start_year, b.start_year) - min(a_end, b_end)
    if gap <= 0:
        return 1.0
    return max(0.0, 1.0 - gap / max(window, 1))


def _location_part(
    a: ProjectRecord, b: ProjectRecord, neighbours: Mapping[str, frozenset[str]]
) -> tuple[float, str]:
    if a.region_id and b.region_id:
        if a.region_id == b.region_id:
            return 1.0, f"same region {a.region_id}"
        na = neighbours.get(a.region_id, frozenset())
        nb = neighbours.get(b.region_id, frozenset())
        if b.region_id in na or a.region_id in nb:
            return 0.7, f"neighbouring regions {a.region_id} / {b.region_id}"
        return 0.5, f"regions in the same area {a.region_id} / {b.region_id}"
    if a.iso3 and a.iso3 == b.iso3:
        return (1.0 if not a.region_id and not b.region_id else 0.5), f"same country {a.iso3}"
    return 0.0, "different places"


class DuplicateDetector:
    """Index of projects for duplicate search (batch: :meth:`pairs`; one new project: :meth:`find`).

    Parameters
    ----------
    records
        The projects.
    parent
        ``region_id -> parent region_id`` (blocking puts cities of one province together).
    neighbours
        ``region_id -> neighbouring region_ids`` (location part 0.7 instead of "nearby").
    """

    def __init__(
        self,
        records: Sequence[ProjectRecord],
        *,
        parent: Mapping[str, str | None] | None = None,
        neighbours: Mapping[str, frozenset[str]] | None = None,
        year_window: int = 2,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.records = list(records)
        self.parent = dict(parent or {})
        self.neighbours = dict(neighbours or {})
        self.year_window = year_window
        self.threshold = threshold
        self._titles_en = [clean_title(r.title_en) for r in self.records]
        self._titles_zh = [clean_title(r.title_zh) for r in self.records]
        en_docs = [f"{t} {normalise(r.description_en)[:500]}" for t, r in
                   zip(self._titles_en, self.records, strict=True)]  # fmt: skip
        zh_docs = [f"{t} {normalise(r.description_zh)[:300]}" for t, r in
                   zip(self._titles_zh, self.records, strict=True)]  # fmt: skip
        self._n = len(self.records)
        self._reg_code: np.ndarray | None = None
        self._cty_code = np.zeros(0, dtype=np.int64)
        self._neigh_keys = np.zeros(0, dtype=np.int64)
        self._n_regs = 1
        # one TF-IDF space over en and zh documents: rows [0, n) en, [n, 2n) zh
        self.text = TextIndex(en_docs + zh_docs)

    def _text_parts(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self._n
        tf = np.maximum.reduce(
            [
                self.text.pair_similarity(i, j),  # en-en
                self.text.pair_similarity(i + n, j + n),  # zh-zh
                self.text.pair_similarity(i, j + n),  # en-zh
                self.text.pair_similarity(i + n, j),  # zh-en
            ]
        )
        fz = np.zeros(len(i), dtype=np.float64)
        for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
            best = 0.0
            for ta, tb in (
                (self._titles_en[a], self._titles_en[b]),
                (self._titles_zh[a], self._titles_zh[b]),
            ):
                if ta and tb:
                    best = max(best, fuzz.token_sort_ratio(ta, tb, score_cutoff=FUZZY_CUTOFF))
            best /= 100.0
            fz[k] = best
        return tf, fz

    def score_pairs(self, pairs: Sequence[tuple[int, int]]) -> list[DuplicatePair]:
        """Score index pairs; returns every pair (no threshold), in input order."""
        if not pairs:
            return []
        i = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        j = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
        tf, fz = self._text_parts(i, j)
        out = []
        for k, (a, b) in enumerate(pairs):
            ra, rb = self.records[a], self.records[b]
            text = max(float(tf[k]), float(fz[k]))
            value = _value_part(ra.value_usd, rb.value_usd)
            period = _period_part(ra, rb, self.year_window)
            loc = _location_part(ra, rb, self.neighbours)[0]
            parts = {"text": text, "value": value, "period": period, "location": loc}
            score = sum(WEIGHTS[p] * v for p, v in parts.items())
            reasons = self._reasons(a, b, parts, float(tf[k]), float(fz[k]))
            out.append(DuplicatePair(ra.id, rb.id, round(score, 4), parts, reasons))
        return out

    def _reasons(
        self, a: int, b: int, parts: Mapping[str, float], tf: float, fz: float
    ) -> tuple[str, ...]:
        ra, rb = self.records[a], self.records[b]
        reasons = [
            f"titles/descriptions {round(100 * parts['text'])} % similar "
            f"(fuzzy {round(100 * fz)} %, tf-idf {round(100 * tf)} %)",
            _location_part(ra, rb, self.neighbours)[1],
        ]
        if ra.sector and rb.sector:
            reasons.append(
                f"same sector {ra.sector}"
                if ra.sector == rb.sector
                else f"related sectors {ra.sector} / {rb.sector}"
            )
        if ra.value_usd and rb.value_usd:
            reasons.append(
                f"values {_money(ra.value_usd)} vs {_money(rb.value_usd)} "
                f"({round(100 * parts['value'])} % of the larger)"
            )
        if parts["period"] == 1.0:
            reasons.append(f"overlapping periods ({_years(ra)} / {_years(rb)})")
        elif ra.start_year is not None and rb.start_year is not None:
            reasons.append(f"periods {_years(ra)} / {_years(rb)}")
        return tuple(reasons)

    def _location_vector(self, gi: np.ndarray, gj: np.ndarray) -> np.ndarray:
        """Vectorised :func:`_location_part` values for index pairs."""
        if self._reg_code is None:
            regs = {r: k for k, r in enumerate(sorted({x.region_id for x in self.records
                                                       if x.region_id}))}  # fmt: skip
            ctys = {c: k for k, c in enumerate(sorted({x.iso3 for x in self.records if x.iso3}))}
            self._reg_code = np.array([regs.get(x.region_id or "", -1) for x in self.records])
            self._cty_code = np.array([ctys.get(x.iso3 or "", -1) for x in self.records])
            m = max(len(regs), 1)
            self._neigh_keys = np.array(
                sorted(
                    {
                        min(regs[a], regs[b]) * m + max(regs[a], regs[b])
                        for a, ns in self.neighbours.items()
                        if a in regs
                        for b in ns
                        if b in regs
                    }
                ),
                dtype=np.int64,
            )
            self._n_regs = m
        ra, rb = self._reg_code[gi], self._reg_code[gj]
        ca, cb = self._cty_code[gi], self._cty_code[gj]
        both = (ra >= 0) & (rb >= 0)
        key = np.minimum(ra, rb).astype(np.int64) * self._n_regs + np.maximum(ra, rb)
        neigh = np.isin(key, self._neigh_keys)
        by_region = np.where(ra == rb, 1.0, np.where(neigh, 0.7, 0.5))
        same_cty = (ca == cb) & (ca >= 0)
        by_country = np.where(same_cty, np.where((ra < 0) & (rb < 0), 1.0, 0.5), 0.0)
        return np.where(both, by_region, by_country)

    def pairs(self, threshold: float | None = None) -> list[DuplicatePair]:
        """All candidate pairs (after blocking) scoring at least ``threshold``, best first.

        Works block by block: the TF-IDF similarities of a block come from one sparse matrix
        product, the value/period/location parts are vectorised, and rapidfuzz runs only on
        pairs where it can lift the score over the threshold.
        """
        thr = self.threshold if threshold is None else threshold
        recs = self.records
        n = self._n
        years = np.array([r.start_year if r.start_year is not None else -1 for r in recs])
        ends = np.array(
            [r.end_year if r.end_year is not None else (r.start_year or -1) for r in recs]
        )
        values = np.array([r.value_usd if r.value_usd and r.value_usd > 0 else 0.0 for r in recs])
        blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, r in enumerate(recs):
            blocks[_loc_key(r, self.parent), sector_key(r.sector)].append(k)
        mat = self.text.matrix
        keep: list[tuple[int, int, float, float, float]] = []
        n_cand = 0
        for (loc, _sec), idx in blocks.items():
            if len(idx) < 2 or not loc:
                continue
            ia = np.array(idx, dtype=np.int64)
            la, lb = _window_pairs(years[ia], self.year_window)
            if not len(la):
                continue
            n_cand += len(la)
            en, zh = mat[ia], mat[ia + n]
            sim = (en @ en.T).maximum(zh @ zh.T)
            cross = en @ zh.T
            sim = sim.maximum(cross).maximum(cross.T).toarray()
            gi, gj = ia[la], ia[lb]
            tf = sim[la, lb]
            va, vb = values[gi], values[gj]
            value = np.where(
                (va > 0) & (vb > 0), np.minimum(va, vb) / np.maximum(np.maximum(va, vb), 1e-9), 0.5
            )
            ya, yb = years[gi], years[gj]
            gap = np.maximum(ya, yb) - np.minimum(ends[gi], ends[gj])
            period = np.where(
                (ya < 0) | (yb < 0),
                0.5,
                np.where(gap <= 0, 1.0, np.maximum(0.0, 1.0 - gap / max(self.year_window, 1))),
            )
            loc_part = self._location_vector(gi, gj)
            rest = WEIGHTS["value"] * value + WEIGHTS["period"] * period
            rest += WEIGHTS["location"] * loc_part
            score_tf = rest + WEIGHTS["text"] * tf
            ok = score_tf >= thr
            maybe = ~ok & (rest + WEIGHTS["text"] >= thr) & (tf >= FUZZY_MIN_TFIDF)
            fz = np.zeros(len(la))
            for k in np.flatnonzero(maybe).tolist():
                a, b = int(gi[k]), int(gj[k])
                need = max(FUZZY_CUTOFF, 100.0 * (thr - rest[k]) / WEIGHTS["text"])
                best = 0.0
                for ta, tb in (
                    (self._titles_en[a], self._titles_en[b]),
                    (self._titles_zh[a], self._titles_zh[b]),
                ):
                    if ta and tb:
                        best = max(best, fuzz.token_sort_ratio(ta, tb, score_cutoff=need) / 100)
                fz[k] = best
            score = rest + WEIGHTS["text"] * np.maximum(tf, fz)
            for k in np.flatnonzero(score >= thr - 1e-12).tolist():
                a, b = int(gi[k]), int(gj[k])
                parts = {
                    "text": max(float(tf[k]), float(fz[k])),
                    "value": float(value[k]),
                    "period": float(period[k]),
                    "location": float(loc_part[k]),
                }
                keep.append(
                    DuplicatePair(
                        recs[a].id,
                        recs[b].id,
                        round(float(score[k]), 4),
                        parts,
                        self._reasons(a, b, parts, float(tf[k]), float(fz[k])),
                    )
                )
        logger.info("duplicates: %d records, %d candidate pairs, %d above %.2f",
                    n, n_cand, len(keep), thr)  # fmt: skip
        keep.sort(key=lambda p: (-p.score, p.a, p.b))
        return keep

    def find(self, record: ProjectRecord, threshold: float | None = None) -> list[DuplicatePair]:
        """Near-duplicates of one (new or existing) project among the indexed ones, best first."""
        thr = self.threshold if threshold is None else threshold
        others = [r for r in self.records if r.id != record.id]
        det = DuplicateDetector(
            [record, *others],
            parent=self.parent,
            neighbours=self.neighbours,
            year_window=self.year_window,
        )
        cand = [p for p in candidate_pairs(det.records, parent=self.parent,
                                           year_window=self.year_window) if p[0] == 0]  # fmt: skip
        res = [p for p in det.score_pairs(cand) if p.score >= thr]
        res.sort(key=lambda p: (-p.score, p.b))
        return res

    def clusters(self, threshold: float | None = None) -> list[Cluster]:
        """Connected components of the duplicate graph (≥ 2 projects), largest first."""
        pairs = self.pairs(threshold)
        return cluster_pairs(pairs, {r.id: _locality(r) for r in self.records})


def cluster_pairs(pairs: Iterable[DuplicatePair], locality: Mapping[str, str]) -> list[Cluster]:
    """Union-find over the pairs; each cluster lists its distinct localities."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    plist = list(pairs)
    for p in plist:
        ra, rb = find(p.a), find(p.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        groups[find(x)].append(x)
    by_root: dict[str, list[DuplicatePair]] = defaultdict(list)
    for p in plist:
        by_root[find(p.a)].append(p)
    out = []
    for root, ids in groups.items():
        if len(ids) < 2:
            continue
        locs = tuple(sorted({locality.get(i, "") for i in ids} - {""}))
        ps = tuple(sorted(by_root[root], key=lambda p: -p.score))
        out.append(Cluster(tuple(sorted(ids)), locs, max(p.score for p in ps), ps))
    out.sort(key=lambda c: (-len(c.ids), -c.max_score, c.ids))
    return out


def _locality(r: ProjectRecord) -> str:
    return r.region_id or r.iso3 or ""


def _money(v: float | None) -> str:
    if not v:
        return "?"
    return f"US$ {v / 1e6:,.1f} m"


def _years(r: ProjectRecord) -> str:
    if r.start_year is None:
        return "?"
    if r.end_year and r.end_year != r.start_year:
        return f"{r.start_year}-{r.end_year}"
    return str(r.start_year)
