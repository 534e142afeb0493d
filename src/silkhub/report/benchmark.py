"""City-internationalisation index of a region against its peers (pages and reports): pillar
radar, index score bar, ranks with Monte Carlo intervals, strengths and gaps, and the
one-glance summary that opens the region report."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics import index_service as ix
from silkhub.core.index.pipeline import IndexConfig
from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.reference import Region
from silkhub.data.store_reader import StoreReader
from silkhub.errors import SilkhubError
from silkhub.i18n import error_text, pick
from silkhub.i18n.format import fmt_number
from silkhub.report.common import region_labels
from silkhub.report.figures import Figure
from silkhub.report.model import Benchmark, Section, Table, Translate, source_line

#: Monte Carlo runs behind the rank intervals of the benchmark (web and reports)
MC_RUNS = 100
#: strengths / gaps named in the summary
SUMMARY_TOP = 3


def index_benchmark(
    session: Session,
    reader: StoreReader,
    region: Region,
    peers: Sequence[Region],
    lang: str,
    t: Translate,
) -> Benchmark:
    """City-internationalisation index of ``region`` vs ``peers``: pillar radar, ranks with
    Monte Carlo intervals (5th–95th percentile), strengths and weaknesses (standardised gap
    to the peer median), and what it would take to reach the median.

    Data: the regional dataset of the store when imported (over the shipped demo city data),
    else the demo data alone (and the section says so).
    """
    sec = Section(id="index", title=t("bench.index"))
    names = region_labels(session, lang)
    bm = Benchmark(section=sec, focus=names.get(region.region_id, region.region_id))
    if not peers:
        sec.missing.append(t("bench.need_peers"))
        return bm
    fw = ix.load_framework("city-internationalization")
    data = ix.load_data(fw, session=session)
    src = ["silkhub demo city data (analytics/demo_data/city_indicators.csv; 'recalled' values)"]
    regional = reader.regional_all()
    if not regional.empty:
        data = ix.merge_sources(data, ix.regional_long(regional))
        src.append(source_line("regional", reader.info("regional")))
    try:
        rep = ix.benchmark(
            fw,
            data,
            region.region_id,
            [p.region_id for p in peers],
            config=IndexConfig(mc_runs=MC_RUNS),
            resolver=lambda n: find_region(session, n).region_id,
            names=names,
        )
    except SilkhubError as exc:
        sec.missing.append(error_text(exc, lang))
        return bm
    bm.year = rep.run.year
    bm.framework = pick(fw.name_en, fw.name_zh, lang)
    src.append(f"silkhub.analytics.index_service: {fw.code}, {rep.run.year}")
    pillars = [(p.code, pick(p.name_en, p.name_zh, lang)) for p in fw.pillars]
    series: dict[str, list[float]] = {}
    for row in rep.scores.itertuples():
        vals = [getattr(row, code, None) for code, _ in pillars]
        series[names.get(row.unit, row.unit)] = [
            round(float(v), 1) if v is not None and pd.notna(v) else 0.0 for v in vals
        ]
    sec.figures.append(
        Figure(
            id="index-radar",
            kind="radar",
            title=t("fig.pillars", year=rep.run.year),
            axes=[label for _, label in pillars],
            series=series,
            max_value=100.0,
            sources=src,
            note=t("note.pillars"),
        )
    )
    scored = [r for r in rep.scores.sort_values("score", ascending=False).itertuples()]
    unscored = [names.get(r.unit, r.unit) for r in scored if pd.isna(r.score)]
    sec.figures.append(
        Figure(
            id="index-score",
            kind="bar",
            title=t("fig.index_score", year=rep.run.year),
            items=[
                (names.get(r.unit, r.unit), round(float(r.score), 1))
                for r in scored
                if pd.notna(r.score)
            ],
            highlight=[bm.focus],
            sources=src,
            note=t("note.no_data_for", names=t("list.sep").join(unscored)) if unscored else "",
        )
    )
    sec.figures.reverse()  # the score bar (small) first, then the pillar radar
    bm.universe = len(rep.run.result.units)
    for r in rep.scores.itertuples():
        bm.ranks.append(
            {
                "name": names.get(r.unit, r.unit),
                "score": round(float(r.score), 1) if pd.notna(r.score) else None,
                "rank": int(r.rank) if pd.notna(r.rank) else None,
                "low": _int_or_none(getattr(r, "mc_rank_p05", None)),
                "high": _int_or_none(getattr(r, "mc_rank_p95", None)),
                "coverage": round(float(r.coverage_pct), 0)
                if "coverage_pct" in rep.scores.columns and pd.notna(r.coverage_pct)
                else None,
            }
        )
    for g in rep.gaps.itertuples():
        if pd.isna(g.standardised_gap):
            continue
        label = pick(g.name_en, g.name_zh, lang)
        target = bm.strengths if g.status == "strength" else bm.weaknesses
        if g.status in ("strength", "weakness"):
            target.append((label, round(float(g.standardised_gap), 2)))
    bm.strengths.sort(key=lambda x: -x[1])
    bm.weaknesses.sort(key=lambda x: x[1])
    for n in rep.needs.itertuples():
        bm.needs.append(
            {
                "indicator": pick(n.name_en, n.name_zh, lang),
                "value": n.value,
                "value_needed": n.value_needed,
                "change_pct": n.change_pct,
                "inputs": n.inputs,
                "input_now": n.input_now,
                "input_needed": n.input_needed,
            }
        )
    if len(rep.run.lagged):
        sec.note = t("note.lagged", n=len(rep.run.lagged))
    return bm


def benchmark_tables(bm: Benchmark, t: Translate) -> list[Table]:
    """The ranks table (score, rank, Monte Carlo interval, coverage) and the strengths and
    gaps table of a benchmark (none without ranks)."""
    src = bm.section.figures[0].sources if bm.section.figures else []
    tables: list[Table] = []
    if bm.ranks:
        tables.append(
            Table(
                id="index-ranks",
                title=t("bench.ranks"),
                columns=[
                    t("field.unit"),
                    t("bench.score"),
                    t("bench.rank"),
                    t("bench.interval"),
                    t("bench.coverage"),
                ],
                rows=[
                    [
                        r["name"],
                        r["score"],
                        r["rank"],
                        f"{r['low']}–{r['high']}" if r["low"] else "–",
                        r["coverage"],
                    ]
                    for r in bm.ranks
                ],
                sources=src,
            )
        )
    if bm.strengths or bm.weaknesses:
        tables.append(
            Table(
                id="index-gaps",
                title=t("bench.strengths_weaknesses"),
                columns=[t("field.indicator"), t("field.status"), t("bench.gap_z")],
                rows=[[k, t("bench.strengths"), v] for k, v in bm.strengths]
                + [[k, t("bench.weaknesses"), v] for k, v in bm.weaknesses],
                sources=src,
            )
        )
    return tables


def summary_section(bm: Benchmark, lang: str, t: Translate) -> Section:
    """What the report found, in a few lines: the index result of the focus region, its rank
    of N among itself and its peers (by score), its rank among every unit the index is computed
    over (with the 5th–95th percentile of the Monte Carlo rank), its largest strengths and its
    largest gaps to the peer median (at most :data:`SUMMARY_TOP` each)."""
    sec = Section(id="summary", title=t("report.summary"))
    me = bm.focus_rank()
    if me is None or me.get("score") is None:
        sec.missing.extend(bm.section.missing or [t("bench.need_peers")])
        return sec
    scores = [float(r["score"]) for r in bm.ranks if r.get("score") is not None]
    among = 1 + sum(1 for v in scores if v > float(me["score"]))  # type: ignore[arg-type]
    sec.facts.append(
        (
            t("summary.index", year=bm.year or "–"),
            t("summary.score", score=fmt_number(me["score"], lang, 1), framework=bm.framework),
        )
    )
    sec.facts.append((t("summary.rank"), t("summary.rank_of", rank=among, n=len(scores))))
    if me.get("rank") is not None and bm.universe:
        overall = t("summary.rank_of", rank=me["rank"], n=bm.universe)
        if me.get("low") and me.get("high"):
            overall += t("summary.interval", low=me["low"], high=me["high"])
        sec.facts.append((t("summary.rank_all", n=bm.universe), overall))
    sep = t("list.sep")
    strengths = [k for k, _ in bm.strengths[:SUMMARY_TOP]]
    gaps = [k for k, _ in bm.weaknesses[:SUMMARY_TOP]]
    sec.facts.append((t("bench.strengths"), sep.join(strengths) or t("summary.none")))
    sec.facts.append((t("bench.weaknesses"), sep.join(gaps) or t("summary.none")))
    sec.note = t("summary.note")
    return sec


def _int_or_none(v: object) -> int | None:
    try:
        return None if v is None or pd.isna(v) else round(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
