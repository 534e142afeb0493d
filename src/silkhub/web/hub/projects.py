"""Project pages: list with filters, totals and maps; the new-project form; a project with its
lifecycle timeline and the stage-change form.

The form is validated by the API's own model (:class:`silkhub.hub.projects.ProjectCreate`)
and saved by the same service call as the API (:func:`silkhub.hub.projects.create_unless_similar`
runs the repeated-construction check of ``create_with_warnings``): a project that looks like
one already in the hub is not saved until the user has seen the similar projects next to the
fields and confirmed. Service errors are shown next to their field in the page's language,
from their message key.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import ConflictError, NotFoundError, SilkhubError
from silkhub.hub import lifecycle
from silkhub.hub import organisations as orgs_svc
from silkhub.hub import projects as svc
from silkhub.hub.validation import parse as validate
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_money, fmt_percent
from silkhub.report.common import country_labels, project_points
from silkhub.report.figures import Figure
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.session import current_actor, require_user

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/hub", include_in_schema=False)

FILTER_FIELDS = ("q", "country", "stage", "project_type", "sector", "source")
#: service field names -> the form's field names
FORM_FIELDS = {
    "parties.0.organisation_id": "organisation_id",
    "parties.organisation_id": "organisation_id",
    "parties.0.role": "party_role",
    "parties.role": "party_role",
    "region": "region_id",
    "country": "iso3",
    "currency": "value_currency",
    "dated_on": "stage_on",
}
#: the confirmation checkbox shown with the repeated-construction warning
CONFIRM_FIELD = "confirm_similar"


def options(
    values: tuple[str, ...] | list[str], prefix: str, t, *, blank: str | None = None
) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(value, label) options of a select, labels from the catalog ``prefix.value``."""
    out = [("", blank)] if blank is not None else []
    return out + [(v, t(f"{prefix}.{v}")) for v in values]


def absorb(form: Form, exc: SilkhubError, default: str, fields: dict[str, str]) -> None:
    """Attach a service error to the form's fields, each entry by its message key (the
    page's language; the English text only when the catalog lacks the key)."""
    from silkhub.i18n import has

    entries = exc.details.get("errors") or [
        {"field": getattr(exc, "field", None), "key": exc.key, "params": exc.params}
    ]
    for e in entries:
        name = e.get("field") or default
        name = fields.get(name, name)
        if name not in form.data and name != "__all__":
            name = default
        key, params = e.get("key"), e.get("params") or {}
        if key and has(key, "en") and not {"name", "key"} & set(params):
            form.error(name, key, **params)
        else:
            form.error(name, "form.service", message=e.get("message") or exc.message)


def money(amount: Any, currency: str | None, lang: str) -> str:
    """An amount with its currency in the page's language ('' when there is none)."""
    return "" if amount is None else fmt_money(amount, currency or "", lang)


def project_row(p: Any, lang: str, labels: dict[str, str]) -> dict:
    """What a project list or card shows of a project."""
    return {
        "id": p.id,
        "identifier": p.identifier,
        "title": pick(p.title_en, p.title_zh, lang) or p.identifier,
        "stage": p.stage,
        "stage_on": p.stage_on.isoformat() if p.stage_on else "",
        "country": labels.get(p.iso3 or "", p.iso3 or ""),
        "iso3": p.iso3 or "",
        "value": money(p.value_amount, p.value_currency, lang),
        "value_usd": p.value_usd,
        "value_usd_text": money(p.value_usd, "USD", lang) if p.value_usd is not None else "",
        "project_type": p.project_type or "",
        "source": p.source,
    }


def project_figures(by_stage, by_country, labels, t, points=()) -> list[Figure]:  # type: ignore[no-untyped-def]
    """Bar chart by stage, points map and country map of a project list."""
    src = [t("source.hub_projects")]
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
                sources=[*src, t("source.project_coordinates")],
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


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request) -> HTMLResponse:
    """Project list with filters, totals by stage and a map of projects by country."""
    lang = request_lang(request)
    t = translator(lang)
    params = {k: request.query_params.get(k, "") for k in FILTER_FIELDS}
    form = Form(params)
    rows: list[dict] = []
    figures: list[Figure] = []
    try:
        filters = svc.ProjectFilters.parse(
            q=params["q"],
            country=params["country"],
            stage=[params["stage"]] if params["stage"] else None,
            project_type=params["project_type"],
            sector=params["sector"],
            source=params["source"],
        )
        with runtime_of(request).session() as s:
            actor = current_actor(request)
            page = svc.list_projects(s, actor, filters, sort="-id", limit=200)
            labels = country_labels(s, lang)
            rows = [project_row(p, lang, labels) for p in page.items]
            points = project_points(s, page.items, lang)
            by_stage = svc.project_totals(s, actor, filters, group_by="stage")
            by_country = svc.project_totals(s, actor, filters, group_by="iso3")
    except SilkhubError as exc:
        absorb(form, exc, "q", {"iso3": "country"})
    else:
        figures = project_figures(by_stage, by_country, labels, t, points)
    return render(
        request,
        "hub_projects.html",
        {
            "form": form,
            "rows": rows,
            "figures": figures,
            "stage_options": options(lifecycle.STAGES, "stage", t, blank=t("all")),
            "type_options": options(svc.PROJECT_TYPES, "ptype", t, blank=t("all")),
            "source_options": options(
                ("demo", "own", "cgit", "gcdf"), "psource", t, blank=t("all")
            ),
        },
        status_code=200 if form.ok else 422,
    )


# -- the new-project form ------------------------------------------------------------------


def form_data(form: Form) -> dict[str, Any]:
    """The submitted form as the input of :class:`ProjectCreate` (blank = not given).

    Only presentation is adapted here: thousands separators in the amount are dropped, the
    organisation and role become the one party, the stage date is also the project's date.
    """
    amount = form.value("value_amount").replace(",", "").replace("，", "").replace(" ", "")
    org = form.value("organisation_id")
    raw: dict[str, Any] = {
        name: form.value(name)
        for name in (
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "project_type",
            "isic_code",
            "iso3",
            "region_id",
            "value_currency",
            "value_year",
            "stage",
            "stage_on",
            "visibility",
        )
    }
    raw["value_amount"] = amount
    raw["dated_on"] = raw["stage_on"]
    if org:
        raw["parties"] = [{"organisation_id": org, "role": form.value("party_role") or "owner"}]
    return raw


def _validated(request: Request, raw: dict[str, Any]) -> svc.ProjectCreate:
    """``raw`` validated by the API's model; when the model rejects some fields, the
    service's field rules still run on the others, so that every problem shows at once."""
    from silkhub.errors import ValidationError

    try:
        return validate(svc.ProjectCreate, raw)
    except ValidationError as exc:
        entries = list(exc.details.get("errors") or [])
        bad = {str(e.get("field") or "").split(".")[0] for e in entries}
        rest = {k: v for k, v in raw.items() if k not in bad}
        try:
            partial = validate(svc.ProjectCreate, rest)
            with runtime_of(request).session() as s:
                svc.check_fields(s, partial)
        except SilkhubError as more:
            entries += svc.field_errors(more)
        exc.details["errors"] = entries
        raise


def _warnings(warnings: list[dict], lang: str, t) -> list[dict]:  # type: ignore[no-untyped-def]
    """The repeated-construction warning as the form shows it (score parts, per language)."""
    out = []
    for w in warnings:
        parts = [
            t(f"project.rc_part.{k}", pct=fmt_percent(v, lang, 0))
            for k, v in sorted(w.get("parts", {}).items(), key=lambda kv: -kv[1])
            if k in ("text", "location", "value", "period") and v > 0
        ]
        out.append(
            {
                "id": w["project_id"],
                "title": pick(w.get("title_en"), w.get("title_zh"), lang) or w["title"],
                "score": t("project.rc_score", score=fmt_percent(w["score"], lang, 0)),
                "parts": parts,
            }
        )
    return out


def _form_page(
    request: Request, form: Form, status: int = 200, similar: list[dict] | None = None
) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
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
            "similar": _warnings(similar or [], lang, t),
            "confirm_field": CONFIRM_FIELD,
            "stage_options": options(svc.START_STAGES, "stage", t),
            "type_options": options(svc.PROJECT_TYPES, "ptype", t, blank="–"),
            "currency_options": [("", "–")] + [(c, c) for c in svc.FORM_CURRENCIES],
            "visibility_options": options(svc.VISIBILITIES, "visibility", t),
            "role_options": options(svc.PARTY_ROLES, "party", t),
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
    return _form_page(request, Form(data))


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request) -> Response:
    """Validate with the API's model, save with the API's service call; a near-duplicate is
    shown next to the fields and saved only once the user confirms."""
    user = require_user(request)
    form = await Form.from_request(request)
    confirmed = form.value(CONFIRM_FIELD) == "1"
    similar: list[dict] = []
    raw = form_data(form)
    try:
        data = _validated(request, raw)
        with runtime_of(request).session() as s:
            project, similar = svc.create_unless_similar(
                s, user.actor, data, accept_similar=confirmed
            )
            pid = project.id if project is not None else None
    except SilkhubError as exc:
        if exc.status in (401, 403):
            raise
        absorb(form, exc, "__all__", FORM_FIELDS)
        return _form_page(request, form, status=422)
    if pid is None:
        return _form_page(request, form, status=409, similar=similar)
    return RedirectResponse(f"/hub/projects/{pid}", status_code=303)


# -- one project ---------------------------------------------------------------------------


def _detail(
    request: Request, project_id: int, form: Form | None = None, status: int = 200
) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        p = svc.get_project(s, actor, project_id)
        labels = country_labels(s, lang)
        row = project_row(p, lang, labels)
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
            for c in svc.history(s, actor, p.id)
        ]
        nexts = list(lifecycle.next_stages(s, p))
        can_write = actor.is_authenticated and actor.role != "viewer"
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
    return _detail(request, project_id)


@router.post("/projects/{project_id}/transition", response_class=HTMLResponse)
async def project_transition(request: Request, project_id: int) -> Response:
    """Record a stage change with the service's rules (allowed moves, no earlier or future
    date); the reason is shown on the field, from the error's message key."""
    user = require_user(request)
    form = await Form.from_request(request)
    t = translator(request_lang(request))
    try:
        body = validate(
            svc.TransitionIn,
            {"to": form.value("to"), "at": form.value("at"), "note": form.value("note")},
        )
        if body.at is None:
            form.error("at", "form.required")
        else:
            with runtime_of(request).session() as s:
                svc.transition(s, user.actor, project_id, body.to, body.at, body.note)
    except ConflictError as exc:
        allowed = exc.details.get("allowed_next")
        if allowed is not None and "current_stage" in exc.details:
            form.error(
                "to",
                "project.illegal_move",
                stage=t(f"stage.{exc.details['current_stage']}"),
                to=t(f"stage.{form.value('to')}"),
                allowed=", ".join(t(f"stage.{a}") for a in allowed) or "–",
            )
        else:
            absorb(form, exc, "to", {})
    except NotFoundError:
        raise
    except SilkhubError as exc:
        if exc.status in (401, 403):
            raise
        if exc.key == "project.transition_before":
            p = dict(exc.params)
            p["stage"] = t(f"stage.{p.get('stage')}")
            form.error("at", exc.key, **p)
        else:
            absorb(form, exc, "at", {})
    if form.ok:
        return RedirectResponse(f"/hub/projects/{project_id}#timeline", status_code=303)
    return _detail(request, project_id, form, 422)
