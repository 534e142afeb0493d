"""Core of the web UI: rendering in the request's language, the dashboard, shared helpers.

Feature pages live in sibling modules (``explore``, ``hub_pages``, ``account``, ``reports``)
registered through ``WEB_FEATURE_PAGES`` in :mod:`silkhub.server`. Pages call services (hub,
data, report builders), never the API.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from silkhub.bootstrap import Runtime
from silkhub.errors import ValidationError
from silkhub.i18n import HTML_LANG, LANGS, gettext, pick, pick_lang
from silkhub.i18n import format as fmt
from silkhub.report.data import StoreReader
from silkhub.report.geo import world_geojson_text
from silkhub.web.session import WebUser, current_actor
from silkhub.web.session import current_user as session_user

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _register_format_filters() -> None:
    """``{{ x | fmt_money('USD') }}`` etc. in the page's language (``silkhub.i18n.format``)."""
    for name in ("fmt_number", "fmt_large", "fmt_percent", "fmt_date", "fmt_axis"):
        func = getattr(fmt, name)

        def _filter(ctx, value, *args, _f=func, **kwargs):
            return _f(value, ctx.get("lang", "en"), *args, **kwargs)

        templates.env.filters[name] = pass_context(_filter)

    def _money(ctx, value, currency="USD", *args, **kwargs):
        return fmt.fmt_money(value, currency, ctx.get("lang", "en"), *args, **kwargs)

    templates.env.filters["fmt_money"] = pass_context(_money)

    from silkhub.web import localize

    for name, func in (
        ("source", localize.source_text),
        ("note", localize.note_html),
        ("col", localize.column_text),
    ):
        templates.env.filters[name] = pass_context(
            lambda ctx, value, _f=func: _f(str(value), ctx.get("lang", "en"))
        )
    templates.env.filters["dataset_title"] = pass_context(
        lambda ctx, name, title: localize.dataset_title(str(name), str(title), ctx.get("lang"))
    )


_register_format_filters()

router = APIRouter(include_in_schema=False)

#: main navigation: (path, i18n key); hub entries are grouped under "nav.hub"
NAV: list[tuple[str, str]] = [
    ("/", "nav.dashboard"),
    ("/countries", "nav.countries"),
    ("/regions", "nav.regions"),
    ("/benchmark", "nav.benchmark"),
    ("/partners", "nav.partners"),
    ("/hub/projects", "nav.hub"),
    ("/reports", "nav.reports"),
]
HUB_NAV: list[tuple[str, str]] = [
    ("/hub/organisations", "nav.organisations"),
    ("/hub/projects", "nav.projects"),
    ("/hub/events", "nav.events"),
    ("/hub/agreements", "nav.agreements"),
    ("/hub/match", "nav.match"),
    ("/hub/meetings", "nav.meetings"),
]


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


def request_lang(request: Request) -> str:
    runtime = runtime_of(request)
    return pick_lang(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
        runtime.settings.default_lang,
    )


def translator(lang: str):
    """``t(key, **params)`` bound to ``lang``."""

    def t(key: str, **params: object) -> str:
        return gettext(key, lang, **params)

    return t


def store_reader(request: Request) -> StoreReader:
    """A reader over the analytics store of this app (closed by the caller)."""
    return StoreReader(runtime_of(request).settings.analytics_dir)


def lang_switch_url(request: Request, lang: str, path: str | None = None) -> str:
    """The current URL with ``lang`` chosen (other query parameters kept); ``path`` replaces
    the path of a POST response (whose URL cannot be fetched with GET)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return (path or request.url.path) + "?" + urlencode(params)


def current_user(request: Request) -> WebUser | None:
    """The logged-in user, or None."""
    return session_user(request)


def csrf_token(request: Request) -> str:
    from silkhub.web.forms import csrf_token as _token

    return _token(request)


def _tojson_attr(value: Any) -> Markup:
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render ``template`` in the request's language; remembers an explicit ``?lang=`` choice."""
    lang = request_lang(request)
    other = "en" if lang == "zh" else "zh"
    ctx = {
        "request": request,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "_": translator(lang),
        "pick": lambda en, zh: pick(en, zh, lang),
        "nav": NAV,
        "hub_nav": HUB_NAV,
        "path": request.url.path,
        "switch_url": lang_switch_url(request, other, context.get("canonical_path")),
        "other_lang": other,
        "user": current_user(request),
        "csrf_token": lambda: csrf_token(request),
        "tojson": _tojson_attr,
        **context,
    }
    resp = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    from silkhub.web.forms import set_csrf_cookie

    set_csrf_cookie(request, resp)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("lang", lang, max_age=3600 * 24 * 365, samesite="lax")
    return resp


def parse_as_of(value: str | None) -> date:
    """``as_of`` query parameter (YYYY-MM-DD; default today)."""
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"as_of: {value!r} is not a date; use YYYY-MM-DD", field="as_of"
        ) from None


GROUPS = ("bri", "route65", "sco", "asean", "rcep", "eu")


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, as_of: str | None = None, group: str = "bri") -> HTMLResponse:
    """Dashboard: KPIs, membership map and charts from reference data; data status."""
    from silkhub.report.dashboard import dashboard as build

    lang = request_lang(request)
    day = parse_as_of(as_of)
    if group not in GROUPS:
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("group", group, GROUPS, field="group")
    reader = store_reader(request)
    try:
        with runtime_of(request).session() as s:
            profile = build(s, reader, day, group, lang, translator(lang))
            hub = _hub_section(request, s, lang, day)
            if hub is not None:
                profile.sections.append(hub)
        datasets = [reader.info(n) for n in reader.names()]
    finally:
        reader.close()
    return render(
        request,
        "dashboard.html",
        {
            "profile": profile,
            "as_of": day.isoformat(),
            "group": group,
            "groups": GROUPS,
            "datasets": datasets,
            "bri_count": profile.kpis[0][1],
            "demo": None if current_user(request) else demo_signin(request),
        },
    )


def demo_signin(request: Request) -> dict[str, str] | None:
    """The demo accounts' addresses on a demo install that has them (else None): the landing
    and login pages say how to sign in."""
    from silkhub.hub import demo

    runtime = runtime_of(request)
    if not demo.demo_accounts_enabled(runtime):
        return None
    with runtime.session() as s:
        if not demo.demo_accounts_exist(s):
            return None
    return {"admin": demo.DEMO_ADMIN_EMAIL, "member": demo.DEMO_MEMBER_EMAIL}


def _hub_section(request: Request, session, lang: str, day: date):
    """Hub KPIs and projects by stage and country for the dashboard (None without projects)."""
    from silkhub.hub import performance, projects
    from silkhub.report.common import country_labels
    from silkhub.report.figures import Figure
    from silkhub.report.model import Section

    t = translator(lang)
    actor = current_actor(request)
    by_stage = projects.project_totals(session, actor, group_by="stage")
    if not by_stage:
        return None
    by_country = projects.project_totals(session, actor, group_by="iso3")
    overdue = performance.overdue_items(session, actor, day)
    sec = Section(id="hub", title=t("dash.hub"))
    n = sum(r["projects"] for r in by_stage)
    usd = sum(r["value_usd"] or 0 for r in by_stage)
    sec.facts = [
        (t("dash.projects"), str(n)),
        (t("dash.projects_value"), fmt.fmt_money(usd, "USD", lang)),
        (t("dash.overdue"), str(len(overdue))),
    ]
    src = ["silkhub hub database: projects (current stage; US$ at the year's exchange rate)"]
    sec.figures.append(
        Figure(
            id="dash-stages",
            kind="bar",
            title=t("fig.projects_by_stage"),
            items=[(t(f"stage.{r['key']}"), float(r["projects"])) for r in by_stage],
            sources=src,
        )
    )
    if sum(1 for r in by_country if r["key"]) < 2:
        return sec  # a one-country map says nothing
    sec.figures.append(
        Figure(
            id="dash-projects-map",
            kind="map",
            title=t("fig.projects_map"),
            values={r["key"]: float(r["projects"]) for r in by_country if r["key"]},
            labels=country_labels(session, lang),
            sources=src,
        )
    )
    return sec


@router.get("/geo/world.json")
def world_geo() -> Response:
    """World boundaries (world-atlas 1:110m) as GeoJSON named by ISO3, for the maps."""
    return Response(
        world_geojson_text(),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )
