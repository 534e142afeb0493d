"""Positions: the list, the new-position form, and one position with ranked, explained talent
suggestions (plain-language reasons per locale, accept / decline state)."""

from __future__ import annotations

import pydantic
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import NotFoundError, SilkhubError, ValidationError
from silkhub.hub import talent as talent_svc
from silkhub.hub.matching.reasons import ReasonText, country_names, region_names, sector_name
from silkhub.hub.talent.schemas import POSITION_VISIBILITIES, WORK_MODES, PositionCreate
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_date
from silkhub.web.account import current_actor, current_user, require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.talent.common import (
    TALENT_PART_KEYS,
    absorb,
    items,
    languages_label,
    parse_languages,
)

router = APIRouter(include_in_schema=False)

POSITION_FIELDS = (
    "organisation_id",
    "project_id",
    "role_en",
    "role_zh",
    "description_en",
    "description_zh",
    "sector",
    "languages",
    "countries",
    "start_on",
    "end_on",
    "location",
    "work_mode",
    "visibility",
)


def position_row(
    pos,  # type: ignore[no-untyped-def]
    lang: str,
    countries: dict[str, str],
    regions: dict[str, str],
    orgs: dict[int, tuple],
) -> dict:
    """A position as the list and the position page show it (names in ``lang``)."""
    en, zh = orgs.get(pos.organisation_id, (None, None))
    return {
        "id": pos.id,
        "role": pick(pos.role_en, pos.role_zh, lang) or f"#{pos.id}",
        "organisation": pick(en, zh, lang) or str(pos.organisation_id),
        "organisation_id": pos.organisation_id,
        "project_id": pos.project_id,
        "description": pick(pos.description_en, pos.description_zh, lang) or "",
        "sector": sector_name(pos.isic_code, lang) if pos.isic_code else "",
        "languages": languages_label(pos.languages, lang),
        "countries": ", ".join(countries.get(c, c) for c in (pos.countries or "").split(",") if c),
        "period": " – ".join(fmt_date(x, lang) if x else "…" for x in (pos.start_on, pos.end_on))
        if (pos.start_on or pos.end_on)
        else "",
        "location": regions.get(pos.region_id or "", pos.region_id or ""),
        "work_mode": pos.work_mode,
        "status": pos.status,
    }


@router.get("/talent/positions", response_class=HTMLResponse)
def positions_page(request: Request) -> HTMLResponse:
    """Open positions the visitor may see."""
    lang = request_lang(request)
    with runtime_of(request).session() as s:
        found = talent_svc.list_positions(s, current_actor(request), limit=500)
        labels, regions = country_names(s, lang), region_names(s, lang)
        orgs = talent_svc.organisation_names(s, found)
        rows = [position_row(p, lang, labels, regions, orgs) for p in found]
    user = current_user(request)
    can_post = bool(user and (user.organisation_id or user.actor.is_staff))
    return render(request, "talent_positions.html", {"rows": rows, "can_post": can_post})


def _position_form(request: Request, form: Form, status: int = 200) -> HTMLResponse:
    from silkhub.hub import organisations as orgs_svc
    from silkhub.hub import projects as projects_svc

    user = require_user(request)
    lang = request_lang(request)
    t = translator(lang)
    with runtime_of(request).session() as s:
        orgs = orgs_svc.list_organisations(s, user.actor, limit=500).items
        if not user.actor.is_staff:
            orgs = [o for o in orgs if o.id == user.organisation_id]
        org_options = [(str(o.id), pick(o.name_en, o.name_zh, lang)) for o in orgs]
        page = projects_svc.list_projects(s, user.actor, projects_svc.ProjectFilters(), limit=500)
        project_options = [("", "–")] + [
            (str(p.id), pick(p.title_en, p.title_zh, lang) or p.identifier) for p in page.items
        ]
    return render(
        request,
        "talent_position_form.html",
        {
            "form": form,
            "org_options": org_options,
            "project_options": project_options,
            "mode_options": [(m, t(f"workmode.{m}")) for m in WORK_MODES],
            "visibility_options": [(v, t(f"visibility.{v}")) for v in POSITION_VISIBILITIES],
        },
        status_code=status,
    )


@router.get("/talent/positions/new", response_class=HTMLResponse)
def new_position_form(request: Request, project: int | None = None) -> HTMLResponse:
    user = require_user(request)
    data = {
        "organisation_id": str(user.organisation_id or ""),
        "project_id": str(project or ""),
        "work_mode": "onsite",
        "visibility": "public",
    }
    return _position_form(request, Form(data))


@router.post("/talent/positions/new", response_class=HTMLResponse)
async def create_position(request: Request) -> Response:
    """Post a position (validated by the talent contract and service, like the API)."""
    user = require_user(request)
    form = await Form.from_request(request)
    org_id = form.integer("organisation_id", required=True)
    project_id = form.integer("project_id")
    values = {
        "organisation_id": org_id or 0,
        "project_id": project_id,
        "role_en": form.value("role_en") or None,
        "role_zh": form.value("role_zh") or None,
        "description_en": form.value("description_en") or None,
        "description_zh": form.value("description_zh") or None,
        "sector": form.value("sector") or None,
        "languages": parse_languages(form, "languages"),
        "countries": items(form.value("countries")),
        "start_on": form.date("start_on"),
        "end_on": form.date("end_on"),
        "location": form.value("location") or None,
        "work_mode": form.value("work_mode") or "onsite",
        "visibility": form.value("visibility") or "public",
    }
    if form.ok:
        try:
            data = PositionCreate(**values)
            with runtime_of(request).session() as s:
                pid = talent_svc.create_position(s, user.actor, data).id
        except (SilkhubError, pydantic.ValidationError) as exc:
            absorb(form, exc, "role_en", POSITION_FIELDS)
        else:
            return RedirectResponse(f"/talent/positions/{pid}", status_code=303)
    return _position_form(request, form, 422)


@router.get("/talent/positions/{position_id}", response_class=HTMLResponse)
def position_page(request: Request, position_id: int, done: str = "") -> HTMLResponse:
    """A position with ranked talent suggestions (score parts and plain-language reasons)
    for its organisation's members and hub staff."""
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    suggestions: list[dict] = []
    can_rank = False
    with runtime_of(request).session() as s:
        pos = talent_svc.get_position(s, actor, position_id)
        labels, regions = country_names(s, lang), region_names(s, lang)
        row = position_row(pos, lang, labels, regions, talent_svc.organisation_names(s, [pos]))
        if row["project_id"]:
            from silkhub.hub.projects import get_project

            try:
                proj = get_project(s, actor, row["project_id"])
                row["project"] = pick(proj.title_en, proj.title_zh, lang) or proj.identifier
            except NotFoundError:
                row["project_id"] = None
        can_rank = actor.is_staff or actor.belongs_to([pos.organisation_id])
        if can_rank:
            why = ReasonText(s, lang)
            decided = talent_svc.decisions(s, actor, position_id)
            for prof, m in talent_svc.suggest_talent(s, actor, position_id, top=10):
                suggestions.append(
                    {
                        "id": prof.id,
                        "name": pick(prof.name_en, prof.name_zh, lang) or f"#{prof.id}",
                        "nationality": labels.get(prof.nationality or "", prof.nationality or ""),
                        "score": round(m.score, 3),
                        "decision": decided.get(prof.id),
                        "summary": why.summary(m.parts, limit=2),
                        "parts": [
                            {
                                "part": t(TALENT_PART_KEYS.get(p.name, p.name)),
                                "value": p.value,
                                "weight": p.weight,
                                "contribution": p.contribution,
                                "reason": why.of(p),
                            }
                            for p in sorted(m.parts, key=lambda p: -p.contribution)
                        ],
                    }
                )
    flash = t(f"talent.flash_{done}") if done in ("accept", "decline") else None
    return render(
        request,
        "talent_position.html",
        {
            "pos": row,
            "suggestions": suggestions,
            "can_rank": can_rank,
            "flash": flash,
            "canonical_path": f"/talent/positions/{position_id}",
        },
    )


@router.post("/talent/positions/{position_id}/feedback")
async def position_feedback(request: Request, position_id: int) -> Response:
    """Accept or decline a suggested person (stored with the score parts; it re-weights)."""
    user = require_user(request)
    form = await Form.from_request(request)
    talent_id = form.integer("talent_id", required=True)
    decision = form.choice("decision", ("accept", "decline"), required=True)
    if not form.ok:
        raise ValidationError(key="talent.feedback_incomplete", field=next(iter(form.errors)))
    with runtime_of(request).session() as s:
        talent_svc.record_feedback(
            s, user.actor, position_id, talent_id or 0, accepted=decision == "accept"
        )
    return RedirectResponse(
        f"/talent/positions/{position_id}?done={decision}#sg-{talent_id}", status_code=303
    )
