"""Talent directory, one profile, and "my talent profile" (create, edit, export, delete)."""

from __future__ import annotations

import json
from typing import Any

import pydantic
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import NotFoundError, SilkhubError
from silkhub.hub import talent as talent_svc
from silkhub.hub.matching.reasons import country_names, region_names
from silkhub.hub.talent.schemas import TALENT_VISIBILITIES, ProfileCreate, ProfileUpdate
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_date
from silkhub.web.account import current_actor, require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.talent.common import (
    absorb,
    items,
    languages_label,
    languages_text,
    parse_languages,
)

router = APIRouter(include_in_schema=False)

#: fields of the profile form: those of the create model it validates through (a model or
#: service error is shown at one of them)
PROFILE_FIELDS = tuple(ProfileCreate.model_fields)


def _period(a, b, lang: str) -> str:  # type: ignore[no-untyped-def]
    if not (a or b):
        return ""
    return " – ".join(fmt_date(x, lang) if x else "…" for x in (a, b))


def profile_row(p, lang: str, countries: dict[str, str], regions: dict[str, str]) -> dict:  # type: ignore[no-untyped-def]
    """A profile as the directory and profile page show it (names in ``lang``)."""
    d = talent_svc.profile_dict(p)
    return {
        "id": p.id,
        "name": pick(p.name_en, p.name_zh, lang) or f"#{p.id}",
        "other_name": pick(p.name_zh, p.name_en, lang) if p.name_en and p.name_zh else "",
        "nationality": countries.get(p.nationality or "", p.nationality or ""),
        "based_in": regions.get(p.based_in_region_id or "", p.based_in_region_id or ""),
        "languages": languages_label(p.languages, lang),
        "sectors": ", ".join(d["sectors"]),
        "skills": pick(p.skills_en, p.skills_zh, lang) or "",
        "countries_experience": ", ".join(countries.get(c, c) for c in d["countries_experience"]),
        "education": p.education or "",
        "available": _period(p.available_from, p.available_to, lang),
        "preferred_regions": ", ".join(regions.get(r, r) for r in d["preferred_regions"]),
        "visibility": p.visibility,
    }


def _visibility_options(t) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(v, t(f"tvis.{v}")) for v in TALENT_VISIBILITIES]


# -- directory -------------------------------------------------------------------------------
@router.get("/talent", response_class=HTMLResponse)
def talent_directory(
    request: Request, nationality: str = "", sector: str = "", language: str = "", region: str = ""
) -> HTMLResponse:
    """Talent profiles the visitor may see, filtered by nationality, sector, language, region."""
    lang = request_lang(request)
    form = Form(
        {"nationality": nationality, "sector": sector, "language": language, "region": region}
    )
    rows: list[dict] = []
    with runtime_of(request).session() as s:
        filters = {
            "nationality": nationality.strip() or None,
            "sector": sector.strip() or None,
            "language": language.strip() or None,
            "region": region.strip() or None,
        }
        try:
            talent_svc.check_profile_filters(s, **filters)
            found = talent_svc.list_profiles(s, current_actor(request), **filters, limit=500)
        except SilkhubError as exc:
            absorb(form, exc, "sector")
            found = []
        labels, regions = country_names(s, lang), region_names(s, lang)
        rows = [profile_row(p, lang, labels, regions) for p in found]
    return render(
        request,
        "talent_directory.html",
        {"form": form, "rows": rows},
        status_code=200 if form.ok else 422,
    )


@router.get("/talent/profiles/{talent_id}", response_class=HTMLResponse)
def talent_profile_page(request: Request, talent_id: int) -> HTMLResponse:
    """One profile (404 beyond its visibility)."""
    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        p = talent_svc.get_profile(s, actor, talent_id)
        row = profile_row(p, lang, country_names(s, lang), region_names(s, lang))
        mine = talent_svc.owns_profile(actor, p)
    return render(request, "talent_profile.html", {"p": row, "mine": mine})


# -- my profile ------------------------------------------------------------------------------
def _my_form_data(p) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    d = talent_svc.profile_dict(p)
    return {
        "name_en": p.name_en or "",
        "name_zh": p.name_zh or "",
        "email": p.email or "",
        "nationality": p.nationality or "",
        "based_in": p.based_in_region_id or "",
        "languages": languages_text(p.languages),
        "sectors": ", ".join(d["sectors"]),
        "skills_en": p.skills_en or "",
        "skills_zh": p.skills_zh or "",
        "countries_experience": ", ".join(d["countries_experience"]),
        "education": p.education or "",
        "available_from": p.available_from.isoformat() if p.available_from else "",
        "available_to": p.available_to.isoformat() if p.available_to else "",
        "preferred_regions": ", ".join(d["preferred_regions"]),
        "visibility": p.visibility,
    }


def _my_page(
    request: Request, form: Form | None = None, status: int = 200, flash: str | None = None
) -> HTMLResponse:
    user = require_user(request)
    t = translator(request_lang(request))
    profile_id = None
    with runtime_of(request).session() as s:
        try:
            p = talent_svc.my_profile(s, user.actor)
            profile_id = p.id
            if form is None:
                form = Form(_my_form_data(p))
        except NotFoundError:
            if form is None:
                form = Form({"visibility": "operators", "email": user.email})
    return render(
        request,
        "talent_me.html",
        {
            "form": form,
            "profile_id": profile_id,
            "visibility_options": _visibility_options(t),
            "flash": flash,
            "canonical_path": "/talent/me",
        },
        status_code=status,
    )


@router.get("/talent/me", response_class=HTMLResponse)
def my_profile_page(request: Request, done: str = "") -> HTMLResponse:
    t = translator(request_lang(request))
    flash = t(f"talent.flash_{done}") if done in ("created", "saved", "deleted") else None
    return _my_page(request, flash=flash)


def profile_values(form: Form) -> dict[str, Any]:
    """The profile form's typed values as the fields of the talent contract (dates parsed,
    lists split); the models and the service validate them."""
    return {
        "name_en": form.value("name_en") or None,
        "name_zh": form.value("name_zh") or None,
        "email": form.value("email") or None,
        "nationality": form.value("nationality") or None,
        "based_in": form.value("based_in") or None,
        "languages": parse_languages(form, "languages"),
        "sectors": items(form.value("sectors")),
        "skills_en": form.value("skills_en") or None,
        "skills_zh": form.value("skills_zh") or None,
        "countries_experience": items(form.value("countries_experience")),
        "education": form.value("education") or None,
        "available_from": form.date("available_from"),
        "available_to": form.date("available_to"),
        "preferred_regions": items(form.value("preferred_regions")),
        "visibility": form.value("visibility") or "operators",
    }


@router.post("/talent/me", response_class=HTMLResponse)
async def save_my_profile(request: Request) -> Response:
    """Create or update the signed-in user's own profile (validated by the talent contract
    and service, like the API)."""
    user = require_user(request)
    form = await Form.from_request(request)
    values = profile_values(form)
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                try:
                    p = talent_svc.my_profile(s, user.actor)
                except NotFoundError:
                    talent_svc.create_profile(
                        s, user.actor, ProfileCreate(**values, link_to_me=True)
                    )
                    done = "created"
                else:
                    talent_svc.update_profile(s, user.actor, p.id, ProfileUpdate(**values))
                    done = "saved"
        except (SilkhubError, pydantic.ValidationError) as exc:
            absorb(form, exc, "name_en", PROFILE_FIELDS)
        else:
            return RedirectResponse(f"/talent/me?done={done}", status_code=303)
    return _my_page(request, form, 422)


@router.get("/talent/me/export")
def export_my_profile(request: Request) -> Response:
    """Everything held about the signed-in user's profile, as a JSON download."""
    user = require_user(request)
    with runtime_of(request).session() as s:
        p = talent_svc.my_profile(s, user.actor)
        data = talent_svc.export_profile(s, user.actor, p.id)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="talent-profile-{p.id}.json"'},
    )


@router.get("/talent/me/delete", response_class=HTMLResponse)
def confirm_delete_page(request: Request) -> HTMLResponse:
    """Ask before deleting: what is erased and what stays."""
    user = require_user(request)
    with runtime_of(request).session() as s:
        p = talent_svc.my_profile(s, user.actor)
        name = pick(p.name_en, p.name_zh, request_lang(request)) or f"#{p.id}"
    return render(request, "talent_delete.html", {"name": name, "form": Form()})


@router.post("/talent/me/delete")
async def delete_my_profile(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    if form.value("confirm") != "yes":
        form.error("confirm", "talent.confirm_needed")
        with runtime_of(request).session() as s:
            p = talent_svc.my_profile(s, user.actor)
            name = pick(p.name_en, p.name_zh, request_lang(request)) or f"#{p.id}"
        return render(request, "talent_delete.html", {"name": name, "form": form}, 422)
    with runtime_of(request).session() as s:
        p = talent_svc.my_profile(s, user.actor)
        talent_svc.delete_profile(s, user.actor, p.id)
    return RedirectResponse("/talent/me?done=deleted", status_code=303)
