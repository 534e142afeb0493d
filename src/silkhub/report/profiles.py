"""Builders of profiles (dashboard, country, region) as sections of :class:`Figure` s.

The web pages and the reports call the same builders, so a figure on screen and in a PDF is
the same data with the same sources. Builders take a SQL session (reference data), a
:class:`~silkhub.report.data.StoreReader` (analytics store) and a translation function.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.data.reference.queries import (
    count_members,
    country_memberships,
    find_region,
    members_as_of,
)
from silkhub.data.storage.models.reference import Country, CountryGroup, GroupMembership, Region
from silkhub.errors import SilkhubError
from silkhub.i18n import pick
from silkhub.report.data import StoreReader, missing_hint
from silkhub.report.figures import Figure

logger = logging.getLogger(__name__)
Translate = Callable[..., str]
REFERENCE_SOURCE = "silkhub reference data: group_membership (dated intervals with sources)"


@dataclass
class Section:
    """A titled group of figures; ``missing`` holds 'import X first' hints."""

    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


@dataclass
class Table:
    """A titled table (shown under a section, one sheet in XLSX)."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    sources: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """A page or report: title, sections, and the provenance of everything in it."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    def sources(self) -> list[str]:
        seen: list[str] = []
        for f in self.figures():
            for s in f.sources:
                if s not in seen:
                    seen.append(s)
        return seen


def country_labels(session: Session, lang: str) -> dict[str, str]:
    """ISO3 -> display name in ``lang``."""
    return {c.iso3: pick(c.name_en, c.name_zh, lang) for c in session.scalars(select(Country))}


# -- reference figures (work without any import) ------------------------------------------
def group_map(session: Session, group: str, as_of: date, lang: str, t: Translate) -> Figure:
    """Countries coloured by membership of ``group`` on ``as_of`` (China marked apart)."""
    labels = country_labels(session, lang)
    cats = {c.iso3: "member" for c, _ in members_as_of(session, group, as_of)}
    if group in ("bri", "route65"):
        cats["CHN"] = "china"
    g = session.get(CountryGroup, group)
    gname = pick(g.name_en, g.name_zh, lang) if g else group
    return Figure(
        id=f"map-{group}",
        kind="map",
        title=t("fig.group_map", group=gname, date=as_of.isoformat()),
        categories=cats,
        colors={"member": "#b3261e", "china": "#f2b705"},
        legend={"member": t("legend.member"), "china": t("legend.china")},
        labels=labels,
        sources=[REFERENCE_SOURCE],
    )


def joins_by_year(session: Session, group: str, t: Translate) -> Figure:
    """Cumulative number of members of ``group`` by the year they joined."""
    rows = session.execute(
        select(GroupMembership.iso3, GroupMembership.joined)
        .where(GroupMembership.group_code == group, GroupMembership.role == "member")
        .order_by(GroupMembership.joined)
    ).all()
    first: dict[str, int] = {}
    for iso3, joined in rows:
        first.setdefault(iso3, joined.year)
    per_year: dict[int, int] = {}
    for y in first.values():
        per_year[y] = per_year.get(y, 0) + 1
    total, pts = 0, []
    for y in sorted(per_year):
        total += per_year[y]
        pts.append((y, total))
    return Figure(
        id=f"joins-{group}",
        kind="line",
        title=t("fig.joins", group=group.upper()),
        series={t("legend.cumulative"): pts},
        sources=[REFERENCE_SOURCE],
    )


def members_by_continent(session: Session, group: str, as_of: date, t: Translate) -> Figure:
    """Members of ``group`` on ``as_of`` per continent."""
    counts: dict[str, int] = {}
    for c, _ in members_as_of(session, group, as_of):
        key = c.continent or "?"
        counts[key] = counts.get(key, 0) + 1
    items = sorted(
        ((t(f"continent.{k}"), float(v)) for k, v in counts.items()), key=lambda x: -x[1]
    )
    return Figure(
        id=f"continents-{group}",
        kind="bar",
        title=t("fig.by_continent", group=group.upper()),
        items=items,
        sources=[REFERENCE_SOURCE],
    )


def dashboard(
    session: Session, reader: StoreReader, as_of: date, group: str, lang: str, t: Translate
) -> Profile:
    """The dashboard: KPIs, the membership map, growth and continents; data status."""
    n_bri = count_members(session, "bri", as_of)
    other = "route65" if group == "bri" else group
    n_group = count_members(session, other, as_of)
    p = Profile(title=t("dash.title"), subtitle=t("dash.subtitle", date=as_of.isoformat()))
    p.kpis = [
        (t("kpi.bri_count"), str(n_bri)),
        (t("kpi.group_count", group=t(f"group.{other}")), str(n_group)),
        (t("kpi.regions"), str(len(list(session.scalars(select(Region.region_id)))))),
        (t("kpi.datasets"), str(len(reader.names()))),
    ]
    main = Section(id="membership", title=t("dash.membership"))
    main.figures = [
        group_map(session, group, as_of, lang, t),
        joins_by_year(session, group, t),
        members_by_continent(session, group, as_of, t),
    ]
    p.sections.append(main)
    return p


# -- country profile --------------------------------------------------------------------
def _line_per_indicator(
    df: pd.DataFrame, key_col: str, labels: dict[str, str], title: str, fig_id: str, src: str
) -> Figure:
    series = {
        labels.get(k, k): [(int(r.year), float(r.value)) for r in g.itertuples()]
        for k, g in df.groupby(key_col, sort=False)
    }
    return Figure(id=fig_id, kind="line", title=title, series=series, sources=[src])


def country_profile(
    session: Session, reader: StoreReader, iso3: str, lang: str, t: Translate, as_of: date
) -> Profile:
    """Openness over time (WDI), B&R partner ranking, trade map, memberships."""
    c = session.get(Country, iso3)
    assert c is not None
    labels = country_labels(session, lang)
    p = Profile(title=pick(c.name_en, c.name_zh, lang), subtitle=iso3)
    facts = Section(id="facts", title=t("profile.facts"))
    facts.facts = [
        (t("field.iso3"), c.iso3),
        (t("field.name_en"), c.name_en),
        (t("field.name_zh"), c.name_zh or "–"),
        (t("field.continent"), t(f"continent.{c.continent or '?'}")),
        (t("field.income"), c.wb_income or "–"),
    ]
    groups = {
        g.code: pick(g.name_en, g.name_zh, lang) for g in session.scalars(select(CountryGroup))
    }
    for m in country_memberships(session, iso3):
        when = str(m.joined.year) if m.joined_precision == "year" else m.joined.isoformat()
        if m.left:
            when += f" – {m.left.isoformat()}"
        role = "" if m.role == "member" else f" ({t('role.' + m.role)})"
        facts.facts.append((groups.get(m.group_code, m.group_code) + role, when))
    p.sections.append(facts)

    bri = set(iso for iso, _ in ((c2.iso3, m) for c2, m in members_as_of(session, "bri", as_of)))
    open_sec = Section(id="openness", title=t("profile.openness"))
    open_sec.figures, hints = openness_figures(session, reader, [(iso3, p.title)], t)
    open_sec.missing.extend(hints)
    p.sections.append(open_sec)

    trade = Section(id="partners", title=t("profile.partners"))
    df, year, ds = partner_ranking(session, reader, iso3, lang)
    if df.empty:
        trade.missing.append(missing_hint("trade"))
    else:
        info = reader.info(ds)
        src = f"{ds}: " + (info.line() if info else ds)
        names = [labels.get(x, x) for x in df.partner]
        trade.figures.append(
            Figure(
                id="partners-bar",
                kind="bar",
                title=t("fig.partners", year=year),
                items=[(n, float(v)) for n, v in zip(names, df.total_usd, strict=True)],
                highlight=[labels.get(x, x) for x in df.partner if x in bri],
                sources=[src],
                note=t("note.bri_highlight"),
            )
        )
        trade.figures.append(
            Figure(
                id="partners-map",
                kind="map",
                title=t("fig.trade_map", year=year),
                values={x: float(v) for x, v in zip(df.partner, df.total_usd, strict=True)},
                labels=labels,
                sources=[src],
            )
        )
    p.sections.append(trade)

    nxt = Section(id="what-next", title=t("profile.what_next"))
    fig, hint = what_next_figure(session, reader, iso3, t)
    if fig is None:
        nxt.missing.append(hint or missing_hint("trade"))
    else:
        nxt.figures.append(fig)
    p.sections.append(nxt)
    return p


#: openness measures of :func:`silkhub.analytics.openness.openness` -> i18n label key
OPENNESS_MEASURES = {
    "gdp_usd": "ind.gdp",
    "trade_dependence_pct": "ind.trade_gdp",
    "fdi_gdp_pct": "ind.fdi_gdp",
    "rd_gdp_pct": "ind.rd_gdp",
    "high_tech_share_pct": "ind.hightech",
}


def openness_figures(
    session: Session, reader: StoreReader, places: Sequence[tuple[str, str]], t: Translate
) -> tuple[list[Figure], list[str]]:
    """Openness over time (trade, FDI, R&D, high-tech) of ``places`` (id, label), one line
    each, from the analytics openness service over ``wdi`` (countries) or ``regional``."""
    try:
        from silkhub.analytics.openness import openness
    except ImportError:
        return [], [missing_hint("wdi")]
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
    sources = []
    for ds in sorted(datasets):
        info = reader.info(ds)
        sources.append(f"{ds}: " + (info.line() if info else ds))
    sources.append("silkhub.analytics.openness (formulas in docs)")
    figs = [
        Figure(id=f"open-{m}", kind="line", title=t(key), series=series[m], sources=sources)
        for m, key in OPENNESS_MEASURES.items()
        if series[m]
    ]
    if not figs and not hints:
        hints.append(missing_hint("wdi"))
    return figs, hints


def partner_ranking(
    session: Session, reader: StoreReader, iso3: str, lang: str, top: int = 15
) -> tuple[pd.DataFrame, int | None, str]:
    """Largest partners of ``iso3`` in the latest year: ``partner, exports_usd, imports_usd,
    total_usd`` (analytics ranking service when present, else a direct query)."""
    ds = reader.trade_dataset()
    if ds is None:
        return pd.DataFrame(), None, ""
    try:
        from silkhub.analytics.partners import rank_partners
    except ImportError:
        df, year = reader.partners(iso3, top=top)
        return df, year, ds
    yr = reader.sql(
        f'SELECT max(year) AS y FROM "{ds}" WHERE exporter = ? OR importer = ?', [iso3, iso3]
    )
    if yr.empty or pd.isna(yr["y"].iloc[0]):
        return pd.DataFrame(), None, ds
    year = int(yr["y"].iloc[0])
    try:
        r = rank_partners(
            reader.connection(), session, dataset=ds, reporter=iso3, year=year, top=top, lang=lang
        )
    except SilkhubError as exc:
        logger.info("no partner ranking for %s: %s", iso3, exc.message)
        return pd.DataFrame(), None, ds
    return r.rows, year, ds


def what_next_figure(
    session: Session, reader: StoreReader, iso3: str, t: Translate
) -> tuple[Figure | None, str | None]:
    """Products ``iso3`` does not export competitively yet, by complexity outlook gain (COG),
    from the analytics complexity service; falls back to the top RCA products."""
    try:
        from silkhub.analytics import complexity
    except ImportError:
        return None, missing_hint("trade")
    for ds in ("baci", "world_trade_2017_hs4", "comtrade", reader.trade_dataset()):
        if not ds or not reader.has(ds):
            continue
        yrs = reader.years(ds)
        if yrs is None:
            continue
        info = reader.info(ds)
        try:
            # once per dataset version, bounded, shared on disk by every worker (issue 19)
            res = complexity.cached(
                reader.analytics_dir, ds, yrs[1], con=reader.connection(), auto_level=True
            )
            df = complexity.what_next(res, session, iso3, top=12)
        except SilkhubError as exc:
            logger.info("no what-next for %s in %s: %s", iso3, ds, exc.message)
            continue
        if df.empty:
            continue
        return (
            Figure(
                id="what-next",
                kind="bar",
                title=t("fig.what_next", year=yrs[1]),
                items=[(str(r.product), round(float(r.cog), 3)) for r in df.itertuples()],
                sources=[
                    f"{ds}: " + (info.line() if info else ds),
                    "silkhub.analytics.complexity (Hidalgo–Hausmann; ecomplexity conventions)",
                ],
                note=t("note.what_next"),
            ),
            None,
        )
    return None, missing_hint("trade")


# -- region profile ---------------------------------------------------------------------
def resolve_regions(
    session: Session, unit: str, peers: Sequence[str]
) -> tuple[Region, list[Region]]:
    """The region and its peers by id or name (``UnknownChoiceError`` when unknown)."""
    region = find_region(session, unit)
    peer_regions = [find_region(session, p) for p in peers if p.strip()]
    return region, [r for r in peer_regions if r.region_id != region.region_id]


def region_profile(
    session: Session,
    reader: StoreReader,
    region: Region,
    peers: Sequence[Region],
    lang: str,
    t: Translate,
    as_of: date,
) -> Profile:
    """A region against its peers: regional indicators, air connectivity, index pillars."""
    name = pick(region.name_en, region.name_zh, lang)
    regions = [region, *peers]
    rlabels = {r.region_id: pick(r.name_en, r.name_zh, lang) for r in regions}
    p = Profile(
        title=name,
        subtitle=t("region.vs_peers", peers=", ".join(rlabels[r.region_id] for r in peers) or "–"),
    )
    facts = Section(id="facts", title=t("profile.facts"))
    parent = session.get(Region, region.parent_id) if region.parent_id else None
    facts.facts = [
        (t("field.region_id"), region.region_id),
        (t("field.level"), t(f"level.{region.level}")),
        (t("field.parent"), pick(parent.name_en, parent.name_zh, lang) if parent else "–"),
        (t("field.country"), region.iso3),
    ]
    p.sections.append(facts)

    open_sec = Section(id="openness", title=t("profile.openness"))
    open_sec.figures, hints = openness_figures(
        session, reader, [(r.region_id, rlabels[r.region_id]) for r in regions], t
    )
    open_sec.missing.extend(hints)
    p.sections.append(open_sec)

    ind = Section(id="indicators", title=t("region.indicators"))
    df = reader.regional([r.region_id for r in regions])
    demo_note = ""
    if df.empty:
        df = _demo_regional([r.region_id for r in regions])
        demo_note = t("note.demo_regional")
    if df.empty:
        ind.missing.append(missing_hint("regional"))
    else:
        ind.note = demo_note
        info = reader.info("regional")
        for code, g in df.groupby("indicator", sort=True):
            unit = str(g.unit.dropna().iloc[0]) if g.unit.notna().any() else ""
            srcs = sorted({str(s) for s in g.source.dropna()})
            sources = [*srcs, "regional: " + (info.line() if info else "silkhub demo city data")]
            title = f"{code}" + (f" ({unit})" if unit else "")
            if g.year.nunique() > 1:
                fig = _line_per_indicator(g, "region_id", rlabels, title, f"reg-{code}", "")
                fig.sources = sources
            else:
                fig = Figure(
                    id=f"reg-{code}",
                    kind="bar",
                    title=f"{title}, {int(g.year.max())}",
                    items=[(rlabels[r.region_id], float(r.value)) for r in g.itertuples()],
                    highlight=[name],
                    sources=sources,
                )
            ind.figures.append(fig)
        latest = _latest_table(df, rlabels, region.region_id, t)
        if latest is not None:
            ind.figures.insert(0, latest)
    p.sections.append(ind)

    if peers:
        bm = index_benchmark(session, reader, region, peers, lang, t)
        sec = bm.section
        src = sec.figures[0].sources if sec.figures else []
        if bm.ranks:
            sec.tables.append(
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
            sec.tables.append(
                Table(
                    id="index-gaps",
                    title=t("bench.strengths_weaknesses"),
                    columns=[t("field.indicator"), t("field.status"), "z"],
                    rows=[[k, t("bench.strengths"), v] for k, v in bm.strengths]
                    + [[k, t("bench.weaknesses"), v] for k, v in bm.weaknesses],
                    sources=src,
                )
            )
        p.sections.append(sec)

    from silkhub.report.directory import directory_section

    p.sections.append(directory_section(session, regions, lang, t, as_of))

    air = Section(id="air", title=t("region.air"))
    adf = reader.air([r.name_en for r in regions])
    if adf.empty:
        air.missing.append(missing_hint("air_connectivity"))
    elif "intl_destinations" in adf.columns:
        by_city = {r.name_en.lower(): rlabels[r.region_id] for r in regions}
        info = reader.info("air_connectivity")
        air.figures.append(
            Figure(
                id="air-intl",
                kind="bar",
                title=t("fig.air_intl"),
                items=[
                    (by_city.get(str(r.city).lower(), str(r.city)), float(r.intl_destinations))
                    for r in adf.sort_values("intl_destinations", ascending=False).itertuples()
                ],
                highlight=[name],
                sources=["OpenFlights; " + (info.line() if info else "air_connectivity")],
            )
        )
    p.sections.append(air)
    return p


def _demo_regional(region_ids: Sequence[str]) -> pd.DataFrame:
    """The shipped demo city data (regional template) of ``region_ids``, or empty."""
    try:
        from silkhub.analytics.index_service import DEMO_DATA
        from silkhub.data.importers.regional import read_regional
    except ImportError:
        return pd.DataFrame()
    try:
        df = read_regional(DEMO_DATA)
    except SilkhubError:
        return pd.DataFrame()
    df = df[df["region_id"].isin(list(region_ids))]
    return df[["region_id", "year", "indicator", "value", "unit", "source"]].dropna(
        subset=["value"]
    )


def _latest_table(
    df: pd.DataFrame, rlabels: dict[str, str], focus: str, t: Translate
) -> Figure | None:
    """Radar of the latest value of each indicator, scaled to the best region = 100."""
    latest = df.sort_values("year").groupby(["indicator", "region_id"]).tail(1)
    wide = latest.pivot(index="region_id", columns="indicator", values="value")
    if wide.shape[1] < 3:
        return None
    scaled = wide.div(wide.abs().max().replace(0, 1)) * 100
    axes = [str(c) for c in scaled.columns]
    series = {
        rlabels.get(rid, rid): [round(float(v), 1) if pd.notna(v) else 0.0 for v in row]
        for rid, row in scaled.iterrows()
    }
    return Figure(
        id="reg-radar",
        kind="radar",
        title=t("fig.latest_radar"),
        axes=axes,
        series=series,
        sources=["regional (latest year per indicator; scaled to the best region = 100)"],
    )


# -- index & benchmark ------------------------------------------------------------------
#: Monte Carlo runs behind the rank intervals of the benchmark (web and reports)
MC_RUNS = 100


@dataclass
class Benchmark:
    """Index benchmark of a region against peers, ready for pages and reports."""

    section: Section
    ranks: list[dict[str, object]] = field(default_factory=list)
    strengths: list[tuple[str, float]] = field(default_factory=list)
    weaknesses: list[tuple[str, float]] = field(default_factory=list)
    needs: list[dict[str, object]] = field(default_factory=list)
    year: int | None = None
    framework: str = ""


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
    bm = Benchmark(section=sec)
    if not peers:
        sec.missing.append(t("bench.need_peers"))
        return bm
    try:
        from silkhub.analytics import index_service as ix
        from silkhub.core.index.pipeline import IndexConfig
    except ImportError:
        sec.missing.append("silkhub index --help")
        return bm
    fw = ix.load_framework("city-internationalization")
    data = ix.load_data(fw, session=session)
    src = ["silkhub demo city data (analytics/demo_data/city_indicators.csv; 'recalled' values)"]
    regional = reader.regional([])  # just the columns
    if reader.has("regional"):
        regional = reader.sql("SELECT * FROM regional")
        if not regional.empty:
            data = ix.merge_sources(data, ix.regional_long(regional))
            info = reader.info("regional")
            src.append("regional: " + (info.line() if info else "regional"))
    names = {r.region_id: pick(r.name_en, r.name_zh, lang) for r in session.scalars(select(Region))}
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
        sec.missing.append(exc.message)
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
    sec.figures.append(
        Figure(
            id="index-score",
            kind="bar",
            title=t("fig.index_score", year=rep.run.year),
            items=[
                (names.get(r.unit, r.unit), round(float(r.score), 1))
                for r in rep.scores.sort_values("score", ascending=False).itertuples()
                if pd.notna(r.score)
            ],
            highlight=[names.get(region.region_id, region.region_id)],
            sources=src,
        )
    )
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


def _int_or_none(v: object) -> int | None:
    try:
        return None if v is None or pd.isna(v) else round(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def project_points(
    session: Session, projects: Sequence[object], lang: str
) -> list[tuple[str, float, float, float]]:
    """Map points of projects: their own coordinates, else their region's centre; projects at
    the same place are pooled (label, lon, lat, number of projects)."""
    regions = {r.region_id: r for r in session.scalars(select(Region))}
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
