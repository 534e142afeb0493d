"""The region profile (page and report): a region against its peers — summary, facts, index
benchmark, regional indicators (radar of the latest values, one chart per indicator), openness,
living environment and talent, air connectivity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.index_service import DEMO_DATA
from silkhub.analytics.registry import indicator_label, indicator_name
from silkhub.data.importers.regional import read_regional
from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.reference import Region
from silkhub.data.store_reader import StoreReader, missing_hint
from silkhub.errors import SilkhubError
from silkhub.i18n import pick
from silkhub.report.benchmark import benchmark_tables, index_benchmark, summary_section
from silkhub.report.common import country_labels
from silkhub.report.directory import directory_section
from silkhub.report.figures import Figure
from silkhub.report.model import Profile, Section, Translate
from silkhub.report.openness import no_data_note, openness_figures


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
    """A region against its peers. With peers the profile opens with a summary (index
    result, rank of N, strengths and gaps) and the index benchmark; then the regional
    indicators, openness, the directory counts and air connectivity."""
    name = pick(region.name_en, region.name_zh, lang)
    regions = [region, *peers]
    rlabels = {r.region_id: pick(r.name_en, r.name_zh, lang) for r in regions}
    p = Profile(
        title=name,
        subtitle=t(
            "region.vs_peers", peers=t("list.sep").join(rlabels[r.region_id] for r in peers) or "–"
        ),
    )
    bm = index_benchmark(session, reader, region, peers, lang, t) if peers else None
    if bm is not None:
        p.sections.append(summary_section(bm, lang, t))

    facts = Section(id="facts", title=t("profile.facts"))
    parent = session.get(Region, region.parent_id) if region.parent_id else None
    facts.facts = [
        (t("field.region_id"), region.region_id),
        (t("field.level"), t(f"level.{region.level}")),
        (t("field.parent"), pick(parent.name_en, parent.name_zh, lang) if parent else "–"),
        (t("field.country"), country_labels(session, lang).get(region.iso3, region.iso3)),
    ]
    p.sections.append(facts)

    if bm is not None:
        bm.section.tables.extend(benchmark_tables(bm, t))
        p.sections.append(bm.section)

    p.sections.append(indicator_section(reader, regions, rlabels, region, lang, t))

    open_sec = Section(id="openness", title=t("profile.openness"))
    open_sec.figures, hints = openness_figures(
        session, reader, [(r.region_id, rlabels[r.region_id]) for r in regions], t
    )
    open_sec.missing.extend(hints)
    p.sections.append(open_sec)

    p.sections.append(directory_section(session, regions, lang, t, as_of))
    p.sections.append(air_section(reader, regions, rlabels, name, t))
    return p


def indicator_section(
    reader: StoreReader,
    regions: Sequence[Region],
    rlabels: dict[str, str],
    focus: Region,
    lang: str,
    t: Translate,
) -> Section:
    """The regional indicators of ``regions``: a radar of the latest values and one chart per
    indicator (a line over the years, or a bar for a single year) titled with the indicator's
    name and unit; each chart names the regions without data for it."""
    ind = Section(id="indicators", title=t("region.indicators"))
    ids = [r.region_id for r in regions]
    df = reader.regional(ids)
    demo_note = ""
    if df.empty:
        df = _demo_regional(ids)
        demo_note = t("note.demo_regional")
    if df.empty:
        ind.missing.append(missing_hint("regional"))
        return ind
    ind.note = demo_note
    info = reader.info("regional")
    name = rlabels[focus.region_id]
    for code, g in df.groupby("indicator", sort=True):
        unit = str(g.unit.dropna().iloc[0]) if g.unit.notna().any() else None
        srcs = sorted({str(s) for s in g.source.dropna()})
        sources = [*srcs, "regional: " + (info.line() if info else "silkhub demo city data")]
        title = indicator_label(str(code), lang, unit)
        note = no_data_note([rlabels[i] for i in ids if i not in set(g.region_id)], t)
        if g.year.nunique() > 1:
            series = {
                rlabels.get(k, k): [(int(r.year), float(r.value)) for r in grp.itertuples()]
                for k, grp in g.groupby("region_id", sort=False)
            }
            fig = Figure(id=f"reg-{code}", kind="line", title=title, series=series, sources=sources)
        else:
            fig = Figure(
                id=f"reg-{code}",
                kind="bar",
                title=t("fig.title_year", title=title, year=int(g.year.max())),
                items=[(rlabels[r.region_id], float(r.value)) for r in g.itertuples()],
                highlight=[name],
                sources=sources,
            )
        fig.note = note
        ind.figures.append(fig)
    radar = _latest_radar(df, rlabels, lang, t)
    if radar is not None:
        ind.figures.insert(0, radar)
    return ind


def air_section(
    reader: StoreReader,
    regions: Sequence[Region],
    rlabels: dict[str, str],
    focus_name: str,
    t: Translate,
) -> Section:
    """International destinations by direct flight (OpenFlights) of each city."""
    air = Section(id="air", title=t("region.air"))
    adf = reader.air([r.name_en for r in regions])
    if adf.empty:
        air.missing.append(missing_hint("air_connectivity"))
    elif "intl_destinations" in adf.columns:
        by_city = {r.name_en.lower(): rlabels[r.region_id] for r in regions}
        items = [
            (by_city.get(str(r.city).lower(), str(r.city)), float(r.intl_destinations))
            for r in adf.sort_values("intl_destinations", ascending=False).itertuples()
        ]
        shown = {label for label, _ in items}
        info = reader.info("air_connectivity")
        air.figures.append(
            Figure(
                id="air-intl",
                kind="bar",
                title=t("fig.air_intl"),
                items=items,
                highlight=[focus_name],
                sources=["OpenFlights; " + (info.line() if info else "air_connectivity")],
                note=no_data_note(
                    [rlabels[r.region_id] for r in regions if rlabels[r.region_id] not in shown], t
                ),
            )
        )
    return air


def _demo_regional(region_ids: Sequence[str]) -> pd.DataFrame:
    """The shipped demo city data (regional template) of ``region_ids``, or empty."""
    try:
        df = read_regional(DEMO_DATA)
    except SilkhubError:
        return pd.DataFrame()
    df = df[df["region_id"].isin(list(region_ids))]
    return df[["region_id", "year", "indicator", "value", "unit", "source"]].dropna(
        subset=["value"]
    )


def _latest_radar(
    df: pd.DataFrame, rlabels: dict[str, str], lang: str, t: Translate
) -> Figure | None:
    """Radar of the latest value of each indicator, scaled to the best region = 100
    (``value / max |value| × 100``); axes named by the indicators' labels."""
    latest = df.sort_values("year").groupby(["indicator", "region_id"]).tail(1)
    wide = latest.pivot(index="region_id", columns="indicator", values="value")
    if wide.shape[1] < 3:
        return None
    scaled = wide.div(wide.abs().max().replace(0, 1)) * 100
    axes = [indicator_name(str(c), lang) for c in scaled.columns]
    series = {
        rlabels.get(rid, rid): [round(float(v), 1) if pd.notna(v) else 0.0 for v in row]
        for rid, row in scaled.iterrows()
    }
    missing = [rlabels.get(rid, rid) for rid, row in wide.iterrows() if row.isna().any()]
    return Figure(
        id="reg-radar",
        kind="radar",
        title=t("fig.latest_radar"),
        axes=axes,
        series=series,
        sources=["regional (latest year per indicator; scaled to the best region = 100)"],
        note=t("note.radar_gaps", names=t("list.sep").join(missing)) if missing else "",
    )
