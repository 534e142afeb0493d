"""Event pages: the list with signing totals, and one event with its announced and signed
projects, charts by stage and country, and a link to its meeting programme."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silkhub.hub import events as svc
from silkhub.i18n import pick
from silkhub.report.common import country_labels, project_points
from silkhub.report.figures import Figure
from silkhub.web.hub.projects import money, project_row
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.session import current_actor

router = APIRouter(prefix="/hub", include_in_schema=False)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    lang = request_lang(request)
    actor = current_actor(request)
    items = []
    with runtime_of(request).session() as s:
        page = svc.list_events(s, actor, limit=200)
        for e in page.items:
            totals = svc.event_totals(s, actor, e.id)
            items.append(
                {
                    "id": e.id,
                    "title": pick(e.title_en, e.title_zh, lang),
                    "kind": e.kind,
                    "start_on": e.start_on.isoformat(),
                    "place": e.place or "",
                    "totals": totals.describe(lang),
                    "signed_usd": totals.signed.usd,
                    "announced_usd": totals.announced.usd,
                }
            )
    return render(request, "hub_events.html", {"items": items})


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: int) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        e = svc.get_event(s, actor, event_id)
        totals = svc.event_totals(s, actor, e.id)
        labels = country_labels(s, lang)
        links = svc.event_projects(s, actor, e.id)
        projects = svc.visible_projects(s, actor, links)
        by_id = {p.id: p for p in projects}
        rows = [
            {
                "kind": link.kind,
                "amount": money(link.amount, link.currency, lang),
                "project": project_row(by_id[link.project_id], lang, labels),
            }
            for link in links
            if link.project_id in by_id
        ]
        event_points = project_points(s, projects, lang)
        ev = {
            "id": e.id,
            "title": pick(e.title_en, e.title_zh, lang),
            "description": pick(e.description_en, e.description_zh, lang),
            "kind": e.kind,
            "start_on": e.start_on.isoformat(),
            "place": e.place or "",
            "organisers": [
                pick(o.organisation.name_en, o.organisation.name_zh, lang) for o in e.organisers
            ],
            "totals": totals.describe(lang),
        }
    return render(
        request,
        "hub_event.html",
        {"e": ev, "links": rows, "figures": _figures(rows, event_points, labels, t)},
    )


def _figures(rows: list[dict], points, labels: dict[str, str], t) -> list[Figure]:  # type: ignore[no-untyped-def]
    by_country: dict[str, float] = {}
    by_stage: dict[str, float] = {}
    for ln in rows:
        iso = ln["project"]["iso3"]
        if iso:
            by_country[iso] = by_country.get(iso, 0) + 1
        st = t(f"stage.{ln['project']['stage']}")
        by_stage[st] = by_stage.get(st, 0) + 1
    src = [t("source.event_projects")]
    figures = []
    if by_stage:
        figures.append(
            Figure(
                id="event-stages",
                kind="bar",
                title=t("fig.projects_by_stage"),
                items=sorted(by_stage.items(), key=lambda x: -x[1]),
                sources=src,
            )
        )
    if points:
        figures.append(
            Figure(
                id="event-points",
                kind="points",
                title=t("fig.projects_points"),
                points=points,
                sources=src,
            )
        )
    if len(by_country) > 1:
        figures.append(
            Figure(
                id="event-map",
                kind="map",
                title=t("fig.event_map"),
                values=by_country,
                labels=labels,
                sources=src,
            )
        )
    return figures
