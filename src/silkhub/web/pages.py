"""Page routes of the web UI (HTML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from silkhub.data.reference.queries import count_members
from silkhub.web.i18n import gettext, pick_lang

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

router = APIRouter(include_in_schema=False)


def request_lang(request: Request) -> str:
    runtime = request.app.state.runtime
    return pick_lang(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
        runtime.settings.default_lang,
    )


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render ``template`` in the request's language; remembers an explicit ``?lang=`` choice."""
    lang = request_lang(request)
    ctx = {"request": request, "lang": lang, "_": lambda key: gettext(key, lang), **context}
    resp = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if request.query_params.get("lang") in ("en", "zh"):
        resp.set_cookie("lang", lang, max_age=3600 * 24 * 365, samesite="lax")
    return resp


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    runtime = request.app.state.runtime
    today = date.today()
    with runtime.session() as s:
        n = count_members(s, "bri", today)
    return render(request, "landing.html", {"bri_count": n, "today": today.isoformat()})
