"""Builders of profiles (dashboard, country, region) as sections of :class:`Figure` s.

The web pages and the reports call the same builders, so a figure on screen and in a PDF is
the same data with the same sources. Builders take a SQL session (reference data), a
:class:`~silkhub.report.data.StoreReader` (analytics store) and a translation function.
"""

from __future__ import annotations

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
from silkhub.report.data import OPENNESS_INDICATORS, StoreReader, missing_hint
from silkhub.report.figures import Figure
from silkhub.web.i18n import pick

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
    note: str = ""


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
    # openness over time
    open_sec = Section(id="openness", title=t("profile.openness"))
    wdi = reader.wdi([iso3], list(OPENNESS_INDICATORS))
    if wdi.empty:
        open_sec.missing.append(missing_hint("wdi"))
    else:
        src = reader.info("wdi")
        for code, key in OPENNESS_INDICATORS.items():
            sub = wdi[wdi.indicator == code]
            if sub.empty:
                continue
            open_sec.figures.append(
                Figure(
                    id=f"wdi-{code}",
                    kind="line",
                    title=t(key),
                    series={
                        labels.get(iso3, iso3): [
                            (int(r.year), float(r.value)) for r in sub.itertuples()
                        ]
                    },
                    sources=[f"World Bank WDI {code}; " + (src.line() if src else "wdi")],
                )
            )
    p.sections.append(open_sec)

    trade = Section(id="partners", title=t("profile.partners"))
    df, year = reader.partners(iso3)
    if df.empty:
        trade.missing.append(missing_hint("trade"))
    else:
        ds = reader.trade_dataset() or "trade"
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
                unit=" $",
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
    products = _what_next(reader, iso3)
    if products is None:
        nxt.missing.append(missing_hint("trade"))
    else:
        nxt.figures.append(products)
    p.sections.append(nxt)
    return p


def _what_next(reader: StoreReader, iso3: str) -> Figure | None:
    """Products with the highest revealed comparative advantage (RCA) of ``iso3``.

    RCA_cp = (X_cp / X_c) / (X_wp / X_w) (Balassa 1965), over the latest year of the
    export-product dataset; shows the ten largest RCA values with X_cp > 0.
    """
    for ds in ("world_trade_2017_hs4", "baci", "comtrade"):
        if not reader.has(ds):
            continue
        df = reader.sql(
            f"""
            WITH y AS (SELECT max(year) AS y FROM "{ds}"),
            x AS (SELECT exporter, product, sum(value_usd) AS v FROM "{ds}", y
                   WHERE year = y.y AND product <> 'TOTAL' GROUP BY exporter, product),
            c AS (SELECT exporter, sum(v) AS vc FROM x GROUP BY exporter),
            p AS (SELECT product, sum(v) AS vp FROM x GROUP BY product),
            w AS (SELECT sum(v) AS vw FROM x)
            SELECT x.product, (x.v / c.vc) / (p.vp / w.vw) AS rca
              FROM x JOIN c USING (exporter) JOIN p USING (product), w
             WHERE x.exporter = ? AND x.v > 0 ORDER BY rca DESC LIMIT 10
            """,
            [iso3],
        )
        if df.empty:
            return None
        info = reader.info(ds)
        return Figure(
            id="rca",
            kind="bar",
            title="RCA (Balassa)",
            items=[(str(r.product), round(float(r.rca), 2)) for r in df.itertuples()],
            sources=[f"{ds}: " + (info.line() if info else ds)],
        )
    return None


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

    ind = Section(id="indicators", title=t("region.indicators"))
    df = reader.regional([r.region_id for r in regions])
    if df.empty:
        ind.missing.append(missing_hint("regional"))
    else:
        info = reader.info("regional")
        for code, g in df.groupby("indicator", sort=True):
            unit = str(g.unit.dropna().iloc[0]) if g.unit.notna().any() else ""
            srcs = sorted({str(s) for s in g.source.dropna()})
            sources = [*srcs, "regional: " + (info.line() if info else "regional")]
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
        latest = _latest_table(df, rlabels, region.region_id)
        if latest is not None:
            ind.figures.insert(0, latest)
    p.sections.append(ind)

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


def _latest_table(df: pd.DataFrame, rlabels: dict[str, str], focus: str) -> Figure | None:
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
        title="max = 100",
        axes=axes,
        series=series,
        sources=["regional (latest year per indicator; scaled to the best region = 100)"],
    )
