"""Evaluation of duplicate detection and matchmaking on labelled sets built from the public
tracker files (``shared/data``); figures are reported in ``docs/quality.md``.

Duplicate detection (:func:`duplicate_benchmark`)
    Records: AidData GCDF 3.0 geospatial input (9,404 Chinese development-finance records, en
    titles) and the AEI China Global Investment Tracker (3,335 deals, no titles: an en/zh title
    is composed from entity, counterparty, sector and country). Positive pairs:

    * ``gcdf_linked`` — AidData itself links records of one deal (co-financing tranches, a later
      phase) with "(Linked to Project ID#...)" in the title; the link text is removed before
      detection, so the detector never sees it;
    * ``cgit_repeat`` — CGIT rows recorded twice (same year, month, entity, country, amount);
    * ``en_paraphrase`` — a GCDF record copied with a paraphrased en title (synonyms, no
      bracketed programme prefix), value ×0.85–1.15 and year +0/1;
    * ``zh_paraphrase`` — a CGIT deal copied as a Chinese-only record (different wording),
      value ×0.9–1.1.

    Every other pair that survives blocking is a negative (an unlabelled true duplicate thus
    counts against precision: the figure is a lower bound).

Matchmaking (:func:`matching_benchmark`)
    Leave-one-out on CGIT: each Chinese entity with at least 3 deals is an organisation whose
    profile (sectors, target countries, size, text) is built from its *other* deals; each of its
    deals in turn is a project, and we check whether the entity is in the top 10 suggestions
    (hit rate @10) against a popularity baseline (the 10 entities with the most deals).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from silkhub.core.duplicates import DEFAULT_THRESHOLD, DuplicateDetector, ProjectRecord
from silkhub.core.matching import MatchIndex, Profile

_LINK = re.compile(r"linked to project id\s*#?\s*([^)]*)", re.IGNORECASE)
_SYNONYMS = [
    (r"\bprovides\b", "extends"),
    (r"\bloan\b", "credit facility"),
    (r"\bgrant\b", "aid grant"),
    (r"\bConstruction Project\b", "construction works"),
    (r"\bProject\b", "scheme"),
    (r"\bChina Eximbank\b", "Export-Import Bank of China"),
    (r"\bCDB\b", "China Development Bank"),
    (r"\bmillion\b", "mn"),
    (r"\bRehabilitation\b", "Upgrading"),
    (r"\bdonates\b", "gives"),
]
SECTOR_ZH = {
    "energy": "能源",
    "transport": "交通",
    "metals": "金属",
    "real estate": "房地产",
    "agriculture": "农业",
    "technology": "科技",
    "finance": "金融",
    "chemicals": "化工",
    "entertainment": "娱乐",
    "health": "医疗",
    "logistics": "物流",
    "tourism": "旅游",
    "utilities": "公用事业",
    "other": "其他",
    "hydro": "水电",
    "coal": "煤电",
    "gas": "天然气",
    "oil": "石油",
    "alternative": "新能源",
    "rail": "铁路",
    "autos": "汽车",
    "aviation": "航空",
    "shipping": "航运",
    "steel": "钢铁",
    "aluminum": "铝业",
    "copper": "铜矿",
}


#: CGIT sectors -> ISIC rev.4 sections (for matching profiles)
CGIT_ISIC = {
    "energy": "D",
    "transport": "H",
    "metals": "B",
    "real estate": "L",
    "agriculture": "A",
    "technology": "J",
    "finance": "K",
    "chemicals": "C",
    "entertainment": "R",
    "health": "Q",
    "logistics": "H",
    "tourism": "I",
    "utilities": "E",
    "other": "S",
}


@dataclass
class Scores:
    threshold: float
    records: int
    candidate_pairs: int
    positives: int
    tp: int
    fp: int
    fn: int
    recall_by_kind: dict[str, float]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _money_millions(text: object) -> float | None:
    s = re.sub(r"[\s$.]", "", str(text or ""))
    return float(s) if s.isdigit() else None


def _paraphrase_en(title: str, rng: random.Random) -> str:
    t = re.sub(r"^\s*\[[^\]]*\]\s*", "", title)
    t = re.sub(r"\(?\s*linked to project id[^)]*\)?", "", t, flags=re.IGNORECASE)
    for pat, rep in _SYNONYMS:
        if rng.random() < 0.8:
            t = re.sub(pat, rep, t)
    return " ".join(t.split())


def load_gcdf(shared: Path) -> tuple[list[ProjectRecord], set[frozenset[str]]]:
    """GCDF records and the AidData-linked positive pairs (both records present)."""
    g = pd.read_csv(shared / "aiddata_gcdf" / "gcdf_v3_geospatial_final_input.csv")
    recs, iso_of = [], {}
    for row in g.itertuples(index=False):
        rid = f"g{int(row[3])}"
        iso = row[9] if isinstance(row[9], str) else None
        year = int(row[11]) if pd.notna(row[11]) else None
        end = int(row[13]) if pd.notna(row[13]) else None
        amount = float(row[4]) if pd.notna(row[4]) else None
        recs.append(
            ProjectRecord(
                rid,
                title_en=str(row[5]),
                iso3=iso,
                sector=str(row[7]).lower(),
                start_year=year,
                end_year=end,
                value_usd=amount,
            )
        )
        iso_of[rid] = iso
    pos: set[frozenset[str]] = set()
    for r in recs:
        m = _LINK.search(r.title_en)
        if not m:
            continue
        for num in re.findall(r"\d+", m.group(1)):
            other = f"g{num}"
            if other in iso_of and other != r.id and iso_of[other] == r.iso3:
                pos.add(frozenset((r.id, other)))
    return recs, pos


def load_cgit(shared: Path) -> tuple[pd.DataFrame, list[ProjectRecord], set[frozenset[str]]]:
    """CGIT deals as records with composed en/zh titles, and the rows recorded twice."""
    from silkhub.data.reference.countries import country_records
    from silkhub.data.reference.names import to_iso3

    zh = {c.iso3: c.name_zh for c in country_records()}
    c = pd.read_csv(shared / "bri_projects" / "chitfull.csv", skiprows=5)
    c["usd"] = c["Quantity in Millions"].map(_money_millions) * 1e6
    c["iso3"] = c["Country"].map(lambda n: to_iso3(str(n)))
    recs = []
    for k, row in enumerate(c.itertuples(index=False)):
        sector = str(row.Sector).strip()
        sub = str(row.Subsector).strip() if isinstance(row.Subsector, str) else ""
        party = str(row[5]).strip() if isinstance(row[5], str) else ""
        what = sub or sector
        en = f"{row[2]} {what} {party} {row.Country}".strip()
        zh_t = f"{row[2]} {zh.get(row.iso3) or ''}{SECTOR_ZH.get(what.lower(), '')}项目 {party}"
        recs.append(
            ProjectRecord(
                f"c{k}",
                title_en=en,
                title_zh=zh_t,
                iso3=row.iso3,
                sector=sector.lower(),
                start_year=int(row.Year),
                value_usd=row.usd,
            )
        )
    key = ["Year", "Month", "Chinese Entity", "Country", "Quantity in Millions"]
    pos = set()
    for _k, idx in c.groupby(key).groups.items():
        ids = [f"c{i}" for i in idx]
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pos.add(frozenset((ids[a], ids[b])))
    return c, recs, pos


def duplicate_set(shared: Path, *, seed: int = 9, n_en: int = 300, n_zh: int = 200):  # type: ignore[no-untyped-def]
    """(records, positives by kind) of the duplicate benchmark (deterministic for a seed)."""
    rng = random.Random(seed)
    gcdf, linked = load_gcdf(shared)
    cgit_df, cgit, repeats = load_cgit(shared)
    from silkhub.data.reference.countries import country_records

    zh_names = {c.iso3: c.name_zh for c in country_records()}
    extra: list[ProjectRecord] = []
    kinds: dict[str, set[frozenset[str]]] = {
        "gcdf_linked": linked,
        "cgit_repeat": repeats,
        "en_paraphrase": set(),
        "zh_paraphrase": set(),
    }
    for r in rng.sample([r for r in gcdf if r.start_year], n_en):
        dup = ProjectRecord(
            f"{r.id}p",
            title_en=_paraphrase_en(r.title_en, rng),
            iso3=r.iso3,
            sector=r.sector,
            start_year=(r.start_year or 0) + rng.choice([0, 0, 1]),
            end_year=r.end_year,
            value_usd=r.value_usd * rng.uniform(0.85, 1.15) if r.value_usd else None,
        )
        extra.append(dup)
        kinds["en_paraphrase"].add(frozenset((r.id, dup.id)))
    for k in rng.sample(range(len(cgit)), n_zh):
        r = cgit[k]
        row = cgit_df.iloc[k]
        sub = row["Subsector"] if isinstance(row["Subsector"], str) else row["Sector"]
        what = SECTOR_ZH.get(str(sub).strip().lower(), "")
        party = row["Transaction Party"] if isinstance(row["Transaction Party"], str) else ""
        zh_title = f"{zh_names.get(r.iso3) or ''}{what}工程（{row['Chinese Entity']}承建）{party}"
        dup = ProjectRecord(
            f"{r.id}z",
            title_zh=zh_title,
            iso3=r.iso3,
            sector=r.sector,
            start_year=r.start_year,
            value_usd=(r.value_usd or 0) * rng.uniform(0.9, 1.1) or None,
        )
        extra.append(dup)
        kinds["zh_paraphrase"].add(frozenset((r.id, dup.id)))
    return gcdf + cgit + extra, kinds


def evaluate_duplicates(records, kinds, *, threshold: float = DEFAULT_THRESHOLD) -> Scores:  # type: ignore[no-untyped-def]
    """Precision/recall/F1 of :class:`DuplicateDetector` at ``threshold`` on a labelled set."""
    from silkhub.core.duplicates import candidate_pairs

    det = DuplicateDetector(records, threshold=threshold)
    predicted = {frozenset((p.a, p.b)) for p in det.pairs(threshold)}
    positives = set().union(*kinds.values())
    tp = len(predicted & positives)
    recall_by_kind = {k: (len(predicted & v) / len(v) if v else 0.0) for k, v in kinds.items()}
    return Scores(
        threshold=threshold,
        records=len(records),
        candidate_pairs=len(candidate_pairs(records, year_window=det.year_window)),
        positives=len(positives),
        tp=tp,
        fp=len(predicted - positives),
        fn=len(positives - predicted),
        recall_by_kind=recall_by_kind,
    )


def matching_benchmark(
    shared: Path, *, min_deals: int = 3, top: int = 10, max_queries: int = 300
) -> dict[str, float]:
    """Leave-one-out hit rate @top of the matcher vs. a popularity baseline on CGIT deals."""
    df, recs, _pos = load_cgit(shared)
    df = df.assign(rid=[r.id for r in recs])
    counts = Counter(df["Chinese Entity"])
    entities = sorted(e for e, n in counts.items() if n >= min_deals)
    popular = [e for e, _n in counts.most_common(top)]
    deals_of: dict[str, list[int]] = defaultdict(list)
    for k, e in enumerate(df["Chinese Entity"]):
        deals_of[e].append(k)
    hits = base_hits = n = 0
    for e in entities:
        for held in deals_of[e]:
            pool = [
                _entity_profile(df, recs, x, [k for k in deals_of[x] if k != held])
                for x in entities
            ]
            idx = MatchIndex(pool)
            r = recs[held]
            v = r.value_usd or 0
            subject = Profile(
                id=f"deal:{held}",
                kind="project",
                sectors=(CGIT_ISIC.get(r.sector or "", "S"),),
                needs=("investor", "contractor"),
                country=r.iso3,
                targets=(r.iso3,) if r.iso3 else (),
                size="large" if v >= 1e9 else "medium" if v >= 3e8 else "small",
                text=f"{df.iloc[held]['Sector']} {df.iloc[held]['Subsector']}",
            )
            got = [m.candidate_id for m in idx.top(subject, top)]
            hits += f"org:{e}" in got
            base_hits += e in popular
            n += 1
        if n >= max_queries:  # bounded run time
            break
    return {"queries": n, "hit_rate": hits / n, "baseline_hit_rate": base_hits / n, "top": top}


def _entity_profile(df: pd.DataFrame, recs, entity: str, rows: list[int]) -> Profile:  # type: ignore[no-untyped-def]
    sectors = [CGIT_ISIC.get(recs[k].sector or "", "S") for k in rows]
    countries = [recs[k].iso3 for k in rows if recs[k].iso3]
    vals = [recs[k].value_usd or 0 for k in rows]
    med = sorted(vals)[len(vals) // 2] if vals else 0
    text = " ".join(f"{df.iloc[k]['Sector']} {df.iloc[k]['Subsector']}" for k in rows)
    return Profile(
        id=f"org:{entity}",
        sectors=tuple(dict.fromkeys(sectors)),
        offers=("investor", "contractor"),
        country="CHN",
        targets=tuple(dict.fromkeys(countries)),
        size="large" if med >= 1e9 else "medium" if med >= 3e8 else "small",
        text=text,
    )
