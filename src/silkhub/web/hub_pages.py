"""Cooperation-hub pages: organisations, projects (filters, map, lifecycle timeline), events
with signing totals, agreements with commitment performance, matchmaking and meetings.

Pages call the hub services with the signed-in user's :class:`Actor` (anonymous visitors see
public records only) and re-render forms with field messages on a validation error.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pydantic
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import ConflictError, NotFoundError, SilkhubError, UnknownCountryError
from silkhub.hub import events as events_svc
from silkhub.hub import lifecycle
from silkhub.hub import organisations as orgs_svc
from silkhub.hub import projects as projects_svc
from silkhub.i18n import pick
from silkhub.report.figures import Figure
from silkhub.report.profiles import project_points
from silkhub.web.account import current_actor, require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/hub", include_in_schema=False)

CURRENCIES = ("CNY", "USD", "EUR", "RUB", "KZT", "GBP", "JPY")
FILTER_FIELDS = ("q", "country", "stage", "project_type", "sector", "source")


def _t(request: Request):
    return translator(request_lang(request))


def _opts(values, prefix: str, t, blank: bool = True, blank_label: str | None = None):
    """(value, label) options of a select; ``blank`` adds an empty choice first."""
    out = [("", blank_label or t("all"))] if blank else []
    return out + [(v, t(f"{prefix}.{v}")) for v in values]


def traffic_light(p: Any) -> str:
    """green: nothing overdue and on-time rate ≥ 80 %; red: something overdue; amber:
    otherwise; grey: nothing evaluated yet."""
    if getattr(p, "overdue", 0):
        return "red"
    rate = getattr(p, "on_time_rate", None)
    if not getattr(p, "evaluated", 0) or rate is None:
        return "grey"
    return "green" if rate >= 0.8 else "amber"


# -- organisations --------------------------------------------------------------------
@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, q: str = "", kind: str = "", country: str = ""):
    lang = request_lang(request)
    t = _t(request)
    form = Form({"q": q, "kind": kind, "country": country})
    items: list[dict] = []
    try:
        with runtime_of(request).session() as s:
            page = orgs_svc.list_organisations(
                s,
                current_actor(request),
                kind=kind or None,
                country=country or None,
                q=q or None,
                limit=200,
            )
            for o in page.items:
                items.append(
                    {
                        "id": o.id,
                        "name": pick(o.name_en, o.name_zh, lang),
                        "kind": o.kind,
                        "iso3": o.iso3 or "",
                        "region_id": o.region_id or "",
                        "description": pick(o.description_en, o.description_zh, lang),
                        "services": [sv.service for sv in o.services],
                        "website": o.website or "",
                    }
                )
    except SilkhubError as exc:
        form.absorb(exc, "q")
    return render(
        request,
        "hub_organisations.html",
        {
            "form": form,
            "items": items,
            "kind_options": _opts(orgs_svc.ORGANISATION_KINDS, "orgkind", t),
        },
        status_code=200 if form.ok else 422,
    )


@router.get("/organisations/{org_id}", response_class=HTMLResponse)
def organisation_page(request: Request, org_id: int) -> HTMLResponse:
    """An organisation: profile, services, offers and requests, its projects."""
    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        o = orgs_svc.get_organisation(s, actor, org_id)
        labels = _country_labels(s, lang)
        org = {
            "id": o.id,
            "name": pick(o.name_en, o.name_zh, lang),
            "other_name": pick(o.name_zh, o.name_en, lang),
            "kind": o.kind,
            "country": labels.get(o.iso3 or "", o.iso3 or ""),
            "region_id": o.region_id or "",
            "description": pick(o.description_en, o.description_zh, lang),
            "website": o.website or "",
            "languages": o.languages or "",
            "size": o.size or "",
            "sectors": [sec.isic_code for sec in o.sectors],
            "services": [
                {"service": sv.service, "countries": sv.countries or ""} for sv in o.services
            ],
        }
        offers = [
            {
                "kind": x.kind,
                "title": pick(x.title_en, x.title_zh, lang),
                "description": pick(x.description_en, x.description_zh, lang),
                "countries": x.countries or "",
                "budget": _money(x.budget_max or x.budget_min, x.currency),
            }
            for x in orgs_svc.list_offers(s, actor, organisation_id=o.id)
        ]
        page = projects_svc.list_projects(
            s, actor, projects_svc.ProjectFilters(organisation_id=o.id), limit=100
        )
        projects = [_project_row(p, lang, labels) for p in page.items]
    return render(
        request, "hub_organisation.html", {"o": org, "offers": offers, "projects": projects}
    )


# -- projects -------------------------------------------------------------------------
@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request) -> HTMLResponse:
    """Project list with filters, totals by stage and a map of projects by country."""
    lang = request_lang(request)
    t = _t(request)
    params = {k: request.query_params.get(k, "") for k in FILTER_FIELDS}
    form = Form(params)
    rows: list[dict] = []
    figures: list[Figure] = []
    try:
        filters = projects_svc.ProjectFilters.parse(
            q=params["q"] or None,
            country=params["country"] or None,
            stage=[params["stage"]] if params["stage"] else None,
            project_type=params["project_type"] or None,
            sector=params["sector"] or None,
            source=params["source"] or None,
        )
        with runtime_of(request).session() as s:
            actor = current_actor(request)
            page = projects_svc.list_projects(s, actor, filters, sort="-id", limit=200)
            labels = _country_labels(s, lang)
            for p in page.items:
                rows.append(_project_row(p, lang, labels))
            points = project_points(s, page.items, lang)
            by_stage = projects_svc.project_totals(s, actor, filters, group_by="stage")
            by_country = projects_svc.project_totals(s, actor, filters, group_by="iso3")
    except UnknownCountryError:
        form.error("country", "form.unknown_country", value=params["country"])
    except SilkhubError as exc:
        form.absorb(exc, "q")
    else:
        figures = _project_figures(by_stage, by_country, labels, t, points)
    return render(
        request,
        "hub_projects.html",
        {
            "form": form,
            "rows": rows,
            "figures": figures,
            "stage_options": _opts(lifecycle.STAGES, "stage", t),
            "type_options": _opts(projects_svc.PROJECT_TYPES, "ptype", t),
            "source_options": _opts(("demo", "own", "cgit", "gcdf"), "psource", t),
        },
        status_code=200 if form.ok else 422,
    )


def _country_labels(session, lang: str) -> dict[str, str]:
    from silkhub.report.profiles import country_labels

    return country_labels(session, lang)


def _project_row(p, lang: str, labels: dict[str, str]) -> dict:
    return {
        "id": p.id,
        "identifier": p.identifier,
        "title": pick(p.title_en, p.title_zh, lang) or p.identifier,
        "stage": p.stage,
        "stage_on": p.stage_on.isoformat() if p.stage_on else "",
        "country": labels.get(p.iso3 or "", p.iso3 or ""),
        "iso3": p.iso3 or "",
        "value": _money(p.value_amount, p.value_currency),
        "value_usd": p.value_usd,
        "project_type": p.project_type or "",
        "source": p.source,
    }


def _money(amount, currency) -> str:
    if amount is None:
        return ""
    return f"{float(amount):,.0f} {currency or ''}".strip()


def _project_figures(by_stage, by_country, labels, t, points=()) -> list[Figure]:
    src = ["silkhub hub database: projects (current stage, US$ at the year's rate)"]
    figs = []
    if by_stage:
        figs.append(
            Figure(
                id="projects-by-stage",
                kind="bar",
                title=t("fig.projects_by_stage"),
                items=[(t(f"stage.{r['key']}"), float(r["projects"])) for r in by_stage],
                sources=src,
            )
        )
    if points:
        figs.append(
            Figure(
                id="projects-points",
                kind="points",
                title=t("fig.projects_points"),
                points=list(points),
                sources=[*src, "project coordinates, else the region's centre"],
            )
        )
    if len(by_country) > 1:
        figs.append(
            Figure(
                id="projects-map",
                kind="map",
                title=t("fig.projects_map"),
                values={r["key"]: float(r["projects"]) for r in by_country if r.get("key")},
                labels=labels,
                sources=src,
            )
        )
    return figs


def _project_form_context(request: Request, form: Form, status: int = 200) -> HTMLResponse:
    t = _t(request)
    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        page = orgs_svc.list_organisations(s, actor, limit=500)
        org_options = [("", "–")] + [
            (str(o.id), pick(o.name_en, o.name_zh, lang)) for o in page.items
        ]
    return render(
        request,
        "hub_project_form.html",
        {
            "form": form,
            "stage_options": _opts(lifecycle.STAGES[:6], "stage", t, blank=False),
            "type_options": _opts(projects_svc.PROJECT_TYPES, "ptype", t, blank_label="–"),
            "currency_options": [("", "–")] + [(c, c) for c in CURRENCIES],
            "visibility_options": [
                (v, t(f"visibility.{v}")) for v in ("public", "operators", "private")
            ],
            "role_options": _opts(projects_svc.PARTY_ROLES, "party", t, blank=False),
            "org_options": org_options,
        },
        status_code=status,
    )


@router.get("/projects/new", response_class=HTMLResponse)
def new_project_form(request: Request) -> HTMLResponse:
    user = require_user(request)
    data = {
        "stage": "proposed",
        "stage_on": date.today().isoformat(),
        "visibility": "public",
        "party_role": "owner",
        "organisation_id": str(user.organisation_id or ""),
    }
    return _project_form_context(request, Form(data))


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    title_en = form.text("title_en", max_len=500)
    title_zh = form.text("title_zh", max_len=500)
    if not title_en and not title_zh:
        form.error("title_en", "project.title_needed")
    country = form.text("iso3", max_len=100)
    if country:
        from silkhub.data.reference.queries import get_country

        with runtime_of(request).session() as s:
            try:
                country = get_country(s, country).iso3
            except SilkhubError:
                form.error("iso3", "form.unknown_country", value=country)
    region = form.text("region_id", max_len=100)
    ptype = form.choice("project_type", projects_svc.PROJECT_TYPES)
    sector = form.text("isic_code", max_len=8)
    amount = form.amount("value_amount")
    currency = form.choice("value_currency", CURRENCIES)
    if amount is not None and not currency:
        form.error("value_currency", "project.currency_needed")
    year = form.integer("value_year")
    if year is not None and not 1900 <= year <= 2100:
        form.error("value_year", "form.year_range")
    stage = form.choice("stage", lifecycle.STAGES[:6], required=True)
    stage_on = form.date("stage_on")
    if stage_on and stage_on > date.today():
        form.error("stage_on", "project.future_date")
    visibility = form.choice("visibility", ("public", "operators", "private"), required=True)
    org_id = form.integer("organisation_id")
    role = form.choice("party_role", projects_svc.PARTY_ROLES)
    description_en = form.text("description_en", max_len=20000)
    description_zh = form.text("description_zh", max_len=20000)
    if form.ok:
        try:
            data = projects_svc.ProjectIn(
                title_en=title_en,
                title_zh=title_zh,
                description_en=description_en,
                description_zh=description_zh,
                iso3=country,
                region_id=region,
                project_type=ptype,
                isic_code=sector,
                value_amount=amount,
                value_currency=currency,
                value_year=year,
                stage=stage or "proposed",
                stage_on=stage_on,
                dated_on=stage_on,
                visibility=visibility or "public",
                parties=[projects_svc.PartyIn(organisation_id=org_id, role=role or "owner")]
                if org_id
                else [],
            )
            with runtime_of(request).session() as s:
                p = projects_svc.create_project(s, user.actor, data)
                pid = p.id
        except pydantic.ValidationError as exc:
            for e in exc.errors():
                loc = str(e["loc"][0]) if e["loc"] else "__all__"
                form.error(loc, "form.service", message=e["msg"])
        except UnknownCountryError:
            form.error("iso3", "form.unknown_country", value=country or "")
        except ConflictError as exc:
            form.error("__all__", "form.service", message=exc.message)
        except SilkhubError as exc:
            if exc.status in (401, 403):
                raise
            form.absorb(exc, "__all__")
        else:
            return RedirectResponse(f"/hub/projects/{pid}", status_code=303)
    return _project_form_context(request, form, status=422)


def _project_detail(
    request: Request, project_id: int, form: Form | None = None, status: int = 200
) -> HTMLResponse:
    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        p = projects_svc.get_project(s, actor, project_id)
        labels = _country_labels(s, lang)
        row = _project_row(p, lang, labels)
        row["description"] = pick(p.description_en, p.description_zh, lang)
        row["region_id"] = p.region_id or ""
        row["visibility"] = p.visibility
        row["parties"] = [
            {
                "id": pp.organisation_id,
                "name": pick(pp.organisation.name_en, pp.organisation.name_zh, lang),
                "role": pp.role,
            }
            for pp in p.parties
        ]
        timeline = [
            {
                "from": c.from_stage,
                "to": c.to_stage,
                "at": c.at.isoformat(),
                "note": c.note or "",
                "by": c.by_user_id,
            }
            for c in lifecycle.history(s, p.id)
        ]
        nexts = list(lifecycle.next_stages(s, p))
        can_write = actor.is_authenticated and actor.role != "viewer"
    t = translator(lang)
    form = form or Form({"at": date.today().isoformat()})
    return render(
        request,
        "hub_project.html",
        {
            "p": row,
            "timeline": timeline,
            "form": form,
            "next_options": [(s_, t(f"stage.{s_}")) for s_ in nexts],
            "can_write": can_write,
            "canonical_path": f"/hub/projects/{project_id}",
        },
        status_code=status,
    )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int) -> HTMLResponse:
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/transition", response_class=HTMLResponse)
async def project_transition(request: Request, project_id: int) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    to = form.choice("to", lifecycle.STAGES, required=True)
    at = form.date("at", required=True)
    note = form.text("note", max_len=2000)
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                projects_svc.transition(s, user.actor, project_id, to or "", at, note)
        except ConflictError as exc:
            t = _t(request)
            allowed = exc.details.get("allowed_next")
            if allowed is not None and "current_stage" in exc.details:
                form.error(
                    "to",
                    "project.illegal_move",
                    stage=t(f"stage.{exc.details['current_stage']}"),
                    to=t(f"stage.{to}"),
                    allowed=", ".join(t(f"stage.{a}") for a in allowed) or "–",
                )
            else:
                form.error("to", "form.service", message=exc.message)
        except NotFoundError:
            raise
        except SilkhubError as exc:
            if exc.status in (401, 403):
                raise
            if getattr(exc, "field", None) == "at" and "before" in exc.message:
                form.error("at", "project.date_before")
            elif getattr(exc, "field", None) == "at" and "future" in exc.message:
                form.error("at", "project.future_date")
            else:
                form.absorb(exc, "at")
        else:
            return RedirectResponse(f"/hub/projects/{project_id}#timeline", status_code=303)
    return _project_detail(request, project_id, form, 422)


# -- events ---------------------------------------------------------------------------
@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    lang = request_lang(request)
    actor = current_actor(request)
    items = []
    with runtime_of(request).session() as s:
        page = events_svc.list_events(s, actor, limit=200)
        for e in page.items:
            totals = events_svc.event_totals(s, actor, e.id)
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
        e = events_svc.get_event(s, actor, event_id)
        totals = events_svc.event_totals(s, actor, e.id)
        labels = _country_labels(s, lang)
        links = []
        visible_projects = []
        for link in e.projects:
            try:
                p = projects_svc.get_project(s, actor, link.project_id)
            except NotFoundError:
                continue
            visible_projects.append(p)
            links.append(
                {
                    "kind": link.kind,
                    "amount": _money(link.amount, link.currency),
                    "project": _project_row(p, lang, labels),
                }
            )
        event_points = project_points(s, visible_projects, lang)
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
    by_country: dict[str, float] = {}
    by_stage: dict[str, float] = {}
    for ln in links:
        iso = ln["project"]["iso3"]
        if iso:
            by_country[iso] = by_country.get(iso, 0) + 1
        st = t(f"stage.{ln['project']['stage']}")
        by_stage[st] = by_stage.get(st, 0) + 1
    src = ["silkhub hub database: event projects"]
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
    if event_points:
        figures.append(
            Figure(
                id="event-points",
                kind="points",
                title=t("fig.projects_points"),
                points=event_points,
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
    return render(request, "hub_event.html", {"e": ev, "links": links, "figures": figures})


# -- agreements -----------------------------------------------------------------------
@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    from silkhub.hub import agreements as agr_svc
    from silkhub.hub import performance as perf
    from silkhub.web.pages import parse_as_of

    lang = request_lang(request)
    actor = current_actor(request)
    day = parse_as_of(as_of)
    items = []
    with runtime_of(request).session() as s:
        page = agr_svc.list_agreements(s, actor, limit=200)
        for a in page.items:
            pf = perf.agreement_performance(s, actor, a.id, day)
            items.append(
                {
                    "id": a.id,
                    "title": pick(a.title_en, a.title_zh, lang),
                    "kind": a.kind,
                    "signed_on": a.signed_on.isoformat() if a.signed_on else "",
                    "perf": pf,
                    "light": traffic_light(pf),
                    "commitments": [
                        {
                            "what": pick(c.what_en, c.what_zh, lang),
                            "due_on": c.due_on.isoformat() if c.due_on else "",
                            "status": c.status,
                            "amount": _money(c.amount, c.currency),
                            "overdue": c.status == "open"
                            and c.due_on is not None
                            and c.due_on < day,
                        }
                        for c in a.commitments
                    ],
                }
            )
        overdue = perf.overdue_items(s, actor, day)
    return render(
        request,
        "hub_agreements.html",
        {"items": items, "overdue": overdue, "as_of": day.isoformat()},
    )
