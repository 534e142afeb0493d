"""Report builders: ``silkhub report region`` and ``silkhub report hub`` (and the web
downloads) call these to assemble a :class:`~silkhub.report.model.Profile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from silkhub.data.store_reader import StoreReader
from silkhub.errors import ValidationError
from silkhub.i18n import LANGS, gettext, pick
from silkhub.i18n.format import fmt_date
from silkhub.report.common import country_labels, project_points
from silkhub.report.figures import Figure
from silkhub.report.model import Profile, Section, Table
from silkhub.report.region import region_profile, resolve_regions


def _t(lang: str):
    def t(key: str, **params: object) -> str:
        return gettext(key, lang, **params)

    return t


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("language", lang, LANGS, field="lang")
    return lang


def region_report(
    session: Session,
    reader: StoreReader,
    unit: str,
    peers: Sequence[str],
    lang: str = "en",
    as_of: date | None = None,
) -> Profile:
    """A region against its peers: facts, openness, regional indicators, index benchmark
    (pillar radar, ranks with intervals, strengths/weaknesses), air connectivity."""
    check_lang(lang)
    if not unit or not unit.strip():
        raise ValidationError(key="report.unit_required", field="unit")
    t = _t(lang)
    region, peer_regions = resolve_regions(
        session, unit.strip(), [p.strip() for p in peers if p.strip()]
    )
    prof = region_profile(session, reader, region, peer_regions, lang, t, as_of or date.today())
    prof.title = t("report.region_title", name=prof.title)
    return prof


def hub_report(session: Session, actor, event_id: int, lang: str = "en") -> Profile:
    """An event: signed and announced totals, its projects (table, by stage, by country),
    agreements signed there with their commitment performance."""
    from silkhub.hub import agreements as agr_svc
    from silkhub.hub import events as events_svc
    from silkhub.hub import performance as perf
    from silkhub.hub import projects as projects_svc
    from silkhub.hub.events import LINK_KINDS

    check_lang(lang)
    t = _t(lang)
    e = events_svc.get_event(session, actor, event_id)
    totals = events_svc.event_totals(session, actor, e.id)
    labels = country_labels(session, lang)
    title = pick(e.title_en, e.title_zh, lang)
    prof = Profile(
        title=t("report.hub_title", name=title),
        subtitle=f"{fmt_date(e.start_on, lang)} · {e.place or ''}",
    )
    prof.kpis = [
        (t("link.signed"), totals.signed.describe(lang)),
        (t("link.announced"), totals.announced.describe(lang)),
    ]
    src = [
        t("report.source_event", id=e.id) + (f" ({e.source_dataset})" if e.source_dataset else "")
    ]
    facts = Section(id="event", title=t("event.facts"))
    facts.facts = [
        (t("field.kind"), t(f"eventkind.{e.kind}")),
        (t("field.date"), fmt_date(e.start_on, lang)),
        (
            t("event.organisers"),
            "; ".join(
                pick(o.organisation.name_en, o.organisation.name_zh, lang) for o in e.organisers
            )
            or "–",
        ),
        (t("event.totals"), totals.describe(lang)),
    ]
    prof.sections.append(facts)

    proj = Section(id="projects", title=t("event.projects"))
    rows, by_stage, by_country, visible = [], {}, {}, []
    for link in sorted(e.projects, key=lambda x: (LINK_KINDS.index(x.kind), x.id)):
        try:
            p = projects_svc.get_project(session, actor, link.project_id)
        except Exception:  # not visible to this actor
            continue
        visible.append(p)
        rows.append(
            [
                t(f"link.{link.kind}"),
                pick(p.title_en, p.title_zh, lang) or p.identifier,
                labels.get(p.iso3 or "", p.iso3 or ""),
                float(link.amount) if link.amount is not None else None,
                link.currency or "",
                t(f"stage.{p.stage}"),
                p.source_row or p.identifier,
            ]
        )
        by_stage[t(f"stage.{p.stage}")] = by_stage.get(t(f"stage.{p.stage}"), 0) + 1
        if p.iso3:
            by_country[p.iso3] = by_country.get(p.iso3, 0) + 1
    if by_stage:
        proj.figures.append(
            Figure(
                id="event-stages",
                kind="bar",
                title=t("fig.projects_by_stage"),
                items=sorted(((k, float(v)) for k, v in by_stage.items()), key=lambda x: -x[1]),
                sources=src,
            )
        )
    points = project_points(session, visible, lang)
    if points:
        proj.figures.append(
            Figure(
                id="event-points",
                kind="points",
                title=t("fig.projects_points"),
                points=points,
                sources=[*src, t("report.source_points")],
            )
        )
    if len(by_country) > 1:
        proj.figures.append(
            Figure(
                id="event-map",
                kind="map",
                title=t("fig.event_map"),
                values={k: float(v) for k, v in by_country.items()},
                labels=labels,
                sources=src,
            )
        )
    proj.tables.append(
        Table(
            id="event-projects",
            title=t("event.projects"),
            columns=[
                t("field.kind"),
                t("field.title"),
                t("field.country"),
                t("field.amount"),
                t("field.currency"),
                t("field.stage"),
                t("report.record"),
            ],
            rows=rows,
            sources=src,
        )
    )
    prof.sections.append(proj)

    agr = Section(id="agreements", title=t("nav.agreements"))
    page = agr_svc.list_agreements(session, actor, event_id=e.id, limit=500)
    arows = []
    for a in page.items:
        pf = perf.agreement_performance(session, actor, a.id)
        arows.append(
            [
                pick(a.title_en, a.title_zh, lang),
                t(f"akind.{a.kind}"),
                fmt_date(a.signed_on, lang) if a.signed_on else "",
                pf.commitments,
                f"{pf.on_time_rate:.0%}" if pf.on_time_rate is not None else "–",
                pf.overdue + pf.overdue_milestones,
                t(f"light.{pf.traffic_light}"),
            ]
        )
    if arows:
        agr.tables.append(
            Table(
                id="event-agreements",
                title=t("agreements.performance"),
                columns=[
                    t("field.title"),
                    t("field.kind"),
                    t("field.signed_on"),
                    t("agreements.commitments"),
                    t("agreements.on_time"),
                    t("agreements.overdue_n"),
                    t("field.status"),
                ],
                rows=arows,
                sources=src,
            )
        )
    else:
        agr.note = t("hub.empty")
    prof.sections.append(agr)
    return prof
