"""The dashboard: KPIs, the membership map, growth and continents (reference data only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from silkhub.data.reference.queries import (
    all_groups,
    count_members,
    count_regions,
    first_join_years,
    members_as_of,
)
from silkhub.data.store_reader import StoreReader
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_date
from silkhub.report.common import REFERENCE_SOURCE, country_labels
from silkhub.report.figures import Figure
from silkhub.report.model import Profile, Section, Translate


def group_map(session: Session, group: str, as_of: date, lang: str, t: Translate) -> Figure:
    """Countries coloured by membership of ``group`` on ``as_of`` (China marked apart)."""
    labels = country_labels(session, lang)
    cats = {c.iso3: "member" for c, _ in members_as_of(session, group, as_of)}
    if group in ("bri", "route65"):
        cats["CHN"] = "china"
    g = next((g for g in all_groups(session) if g.code == group), None)
    gname = pick(g.name_en, g.name_zh, lang) if g else group
    return Figure(
        id=f"map-{group}",
        kind="map",
        title=t("fig.group_map", group=gname, date=fmt_date(as_of, lang)),
        categories=cats,
        colors={"member": "#b3261e", "china": "#f2b705"},
        legend={"member": t("legend.member"), "china": t("legend.china")},
        labels=labels,
        sources=[REFERENCE_SOURCE],
    )


def joins_by_year(session: Session, group: str, t: Translate) -> Figure:
    """Cumulative number of members of ``group`` by the year they first joined."""
    per_year: dict[int, int] = {}
    for y in first_join_years(session, group).values():
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
        (t("kpi.regions"), str(count_regions(session))),
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
