"""Talent and living-environment pages (issue 11): the talent directory, "my talent profile"
(create, edit, JSON export, delete with confirmation), positions with ranked and explained
talent suggestions (accept / decline), and the living-environment directory with a map.

Pages call :mod:`silkhub.hub.talent` and :mod:`silkhub.hub.places` with the signed-in user's
:class:`~silkhub.hub.policy.Actor`, so the directory shows only the profiles the visitor may
see (anonymous visitors: public ones). Forms re-render with field messages and the typed input.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import pydantic
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import NotFoundError, SilkhubError, UnknownCountryError
from silkhub.hub import places as places_svc
from silkhub.hub import talent as talent_svc
from silkhub.i18n import pick
from silkhub.report.figures import Figure
from silkhub.web.account import current_actor, current_user, require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: talent score parts (core.talent_matching.TALENT_PARTS) -> i18n key
TALENT_PART_KEYS = {
    "expertise": "tpart.expertise",
    "language": "tpart.language",
    "country": "tpart.country",
    "availability": "tpart.availability",
    "location": "tpart.location",
    "text": "tpart.text",
}
#: fields of the profile form, in order (lists are typed comma-separated)
PROFILE_FIELDS = (
    "name_en",
    "name_zh",
    "email",
    "nationality",
    "based_in",
    "languages",
    "sectors",
    "skills_en",
    "skills_zh",
    "countries_experience",
    "education",
    "available_from",
    "available_to",
    "preferred_regions",
    "visibility",
)
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


def _items(value: str) -> list[str]:
    """Comma/semicolon/、-separated items of a text field."""
    for sep in (";", "，", "、"):
        value = value.replace(sep, ",")
    return [v.strip() for v in value.split(",") if v.strip()]


def _languages_text(items: list[dict] | None) -> str:
    return ", ".join(f"{x['code']}:{x['level']}" for x in items or [])


def _parse_languages(form: Form, name: str) -> list[talent_svc.LanguageIn]:
    """``ru:C1, en:B2, zh`` -> LanguageIn items (level B2 when omitted)."""
    out = []
    for item in _items(form.value(name)):
        code, _, level = item.partition(":")
        out.append(talent_svc.LanguageIn(code=code.strip(), level=level.strip() or "B2"))
    return out


def _field_of(exc: SilkhubError, default: str) -> str:
    """The form field a service error names (``languages[1].code`` -> ``languages``)."""
    field = getattr(exc, "field", None)
    if not field:
        errs = (exc.details or {}).get("errors") or [{}]
        field = errs[0].get("field")
    return str(field or default).split("[", 1)[0].split(".", 1)[0]


def _check_places(form: Form, session, countries: tuple[str, ...], regions: tuple[str, ...]):
    """Field errors for unknown countries / regions (one message per field, naming the value)."""
    from silkhub.data.reference.queries import find_region, get_country

    for name in countries:
        for v in _items(form.value(name)):
            try:
                get_country(session, v)
            except SilkhubError:
                form.error(name, "form.unknown_country", value=v)
                break
    for name in regions:
        for v in _items(form.value(name)):
            try:
                find_region(session, v)
            except SilkhubError:
                form.error(name, "form.unknown_region", value=v)
                break


def _absorb(form: Form, exc: Exception, default: str) -> None:
    if isinstance(exc, pydantic.ValidationError):
        for e in exc.errors():
            loc = str(e["loc"][0]) if e["loc"] else default
            form.error(loc if loc in form.data else default, "form.service", message=e["msg"])
        return
    assert isinstance(exc, SilkhubError)
    if exc.status in (401, 403):
        raise exc
    if isinstance(exc, UnknownCountryError):
        form.error(_field_of(exc, default), "form.unknown_country", value=exc.value)
        return
    form.error(_field_of(exc, default), "form.service", message=exc.message)


def _region_names(session, lang: str) -> dict[str, str]:
    from silkhub.data.storage.models.reference import Region

    return {r.region_id: pick(r.name_en, r.name_zh, lang) for r in session.query(Region).all()}


def _profile_row(p, lang: str, countries: dict[str, str], regions: dict[str, str]) -> dict:
    d = talent_svc.profile_dict(p)
    return {
        "id": p.id,
        "name": pick(p.name_en, p.name_zh, lang) or f"#{p.id}",
        "other_name": pick(p.name_zh, p.name_en, lang) if p.name_en and p.name_zh else "",
        "nationality": countries.get(p.nationality or "", p.nationality or ""),
        "based_in": regions.get(p.based_in_region_id or "", p.based_in_region_id or ""),
        "languages": _languages_text(p.languages),
        "sectors": ", ".join(d["sectors"]),
        "skills": pick(p.skills_en, p.skills_zh, lang) or "",
        "countries_experience": ", ".join(countries.get(c, c) for c in d["countries_experience"]),
        "education": p.education or "",
        "available": " – ".join(
            x.isoformat() if x else "…" for x in (p.available_from, p.available_to)
        )
        if (p.available_from or p.available_to)
        else "",
        "preferred_regions": ", ".join(regions.get(r, r) for r in d["preferred_regions"]),
        "visibility": p.visibility,
    }


def _visibility_options(t) -> list[tuple[str, str]]:
    return [(v, t(f"tvis.{v}")) for v in talent_svc.TALENT_VISIBILITIES]


# -- directory -------------------------------------------------------------------------------
@router.get("/talent", response_class=HTMLResponse)
def talent_directory(
    request: Request, nationality: str = "", sector: str = "", language: str = "", region: str = ""
) -> HTMLResponse:
    """Talent profiles the visitor may see, filtered by nationality, sector, language, region."""
    from silkhub.report.profiles import country_labels

    lang = request_lang(request)
    form = Form(
        {"nationality": nationality, "sector": sector, "language": language, "region": region}
    )
    rows: list[dict] = []
    with runtime_of(request).session() as s:
        _check_places(form, s, ("nationality",), ("region",))
        code = language.strip().lower()
        if code:
            import pycountry

            if pycountry.languages.get(alpha_2=code) is None:
                form.error("language", "talent.unknown_language", value=language)
        if form.ok:
            try:
                found = talent_svc.list_profiles(
                    s,
                    current_actor(request),
                    nationality=nationality.strip() or None,
                    sector=sector.strip() or None,
                    language=code or None,
                    region=region.strip() or None,
                    limit=500,
                )
            except SilkhubError as exc:
                _absorb(form, exc, "sector")
                found = []
            labels = country_labels(s, lang)
            regions = _region_names(s, lang)
            rows = [_profile_row(p, lang, labels, regions) for p in found]
    return render(
        request,
        "talent_directory.html",
        {"form": form, "rows": rows},
        status_code=200 if form.ok else 422,
    )


@router.get("/talent/profiles/{talent_id}", response_class=HTMLResponse)
def talent_profile_page(request: Request, talent_id: int) -> HTMLResponse:
    """One profile (404 beyond its visibility)."""
    from silkhub.report.profiles import country_labels

    lang = request_lang(request)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        p = talent_svc.get_profile(s, actor, talent_id)
        row = _profile_row(p, lang, country_labels(s, lang), _region_names(s, lang))
        mine = talent_svc.owns_profile(actor, p)
    return render(request, "talent_profile.html", {"p": row, "mine": mine})


# -- my profile ------------------------------------------------------------------------------
def _my_form_data(p) -> dict[str, Any]:
    d = talent_svc.profile_dict(p)
    return {
        "name_en": p.name_en or "",
        "name_zh": p.name_zh or "",
        "email": p.email or "",
        "nationality": p.nationality or "",
        "based_in": p.based_in_region_id or "",
        "languages": _languages_text(p.languages),
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


@router.post("/talent/me", response_class=HTMLResponse)
async def save_my_profile(request: Request) -> Response:
    """Create or update the signed-in user's own profile."""
    user = require_user(request)
    form = await Form.from_request(request)
    for name in ("name_en", "name_zh"):
        form.text(name, max_len=200)
    if not (form.value("name_en") or form.value("name_zh")):
        form.error("name_en", "talent.name_needed")
    email = form.text("email", max_len=254)
    if email and ("@" not in email or " " in email):
        form.error("email", "talent.bad_email")
    for name in ("skills_en", "skills_zh"):
        form.text(name, max_len=5000)
    form.text("education", max_len=500)
    start = form.date("available_from")
    end = form.date("available_to")
    for name, d in (("available_from", start), ("available_to", end)):
        if d is not None and not date(1950, 1, 1) <= d <= date(2100, 12, 31):
            form.error(name, "talent.implausible_date")
    if start and end and end < start:
        form.error("available_to", "talent.end_before_start")
    visibility = form.choice("visibility", talent_svc.TALENT_VISIBILITIES, required=True)
    try:
        languages = _parse_languages(form, "languages")
    except pydantic.ValidationError:
        form.error("languages", "talent.bad_languages")
        languages = []
    with runtime_of(request).session() as s:
        _check_places(form, s, ("nationality", "countries_experience"), ("based_in",))
        _check_places(form, s, (), ("preferred_regions",))
    if form.ok:
        values: dict[str, Any] = {
            "name_en": form.value("name_en") or None,
            "name_zh": form.value("name_zh") or None,
            "email": email,
            "nationality": form.value("nationality") or None,
            "based_in": form.value("based_in") or None,
            "languages": languages,
            "sectors": _items(form.value("sectors")),
            "skills_en": form.value("skills_en") or None,
            "skills_zh": form.value("skills_zh") or None,
            "countries_experience": _items(form.value("countries_experience")),
            "education": form.value("education") or None,
            "available_from": start,
            "available_to": end,
            "preferred_regions": _items(form.value("preferred_regions")),
            "visibility": visibility,
        }
        try:
            with runtime_of(request).session() as s:
                try:
                    p = talent_svc.my_profile(s, user.actor)
                except NotFoundError:
                    talent_svc.create_profile(
                        s, user.actor, talent_svc.TalentIn(**values, link_to_me=True)
                    )
                    done = "created"
                else:
                    talent_svc.update_profile(s, user.actor, p.id, talent_svc.TalentPatch(**values))
                    done = "saved"
        except (SilkhubError, pydantic.ValidationError) as exc:
            _absorb(form, exc, "name_en")
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


# -- positions -------------------------------------------------------------------------------
def _position_row(pos, lang: str, countries: dict[str, str], regions: dict[str, str]) -> dict:
    org = pos_org_name(pos, lang)
    return {
        "id": pos.id,
        "role": pick(pos.role_en, pos.role_zh, lang) or f"#{pos.id}",
        "organisation": org,
        "organisation_id": pos.organisation_id,
        "project_id": pos.project_id,
        "description": pick(pos.description_en, pos.description_zh, lang) or "",
        "sector": pos.isic_code or "",
        "languages": _languages_text(pos.languages),
        "countries": ", ".join(countries.get(c, c) for c in (pos.countries or "").split(",") if c),
        "period": " – ".join(x.isoformat() if x else "…" for x in (pos.start_on, pos.end_on))
        if (pos.start_on or pos.end_on)
        else "",
        "location": regions.get(pos.region_id or "", pos.region_id or ""),
        "work_mode": pos.work_mode,
        "status": pos.status,
    }


def pos_org_name(pos, lang: str) -> str:
    from sqlalchemy.orm import object_session

    from silkhub.data.storage.models.hub import Organisation

    s = object_session(pos)
    o = s.get(Organisation, pos.organisation_id) if s is not None else None
    return pick(o.name_en, o.name_zh, lang) if o is not None else str(pos.organisation_id)


@router.get("/talent/positions", response_class=HTMLResponse)
def positions_page(request: Request) -> HTMLResponse:
    """Open positions the visitor may see."""
    from silkhub.report.profiles import country_labels

    lang = request_lang(request)
    with runtime_of(request).session() as s:
        labels, regions = country_labels(s, lang), _region_names(s, lang)
        rows = [
            _position_row(p, lang, labels, regions)
            for p in talent_svc.list_positions(s, current_actor(request), limit=500)
        ]
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
            "mode_options": [(m, t(f"workmode.{m}")) for m in talent_svc.WORK_MODES],
            "visibility_options": [
                (v, t(f"visibility.{v}")) for v in ("public", "operators", "private")
            ],
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
    user = require_user(request)
    form = await Form.from_request(request)
    org_id = form.integer("organisation_id", required=True)
    project_id = form.integer("project_id")
    for name in ("role_en", "role_zh"):
        form.text(name, max_len=300)
    if not (form.value("role_en") or form.value("role_zh")):
        form.error("role_en", "talent.role_needed")
    start = form.date("start_on")
    end = form.date("end_on")
    if start and end and end < start:
        form.error("end_on", "talent.end_before_start")
    mode = form.choice("work_mode", talent_svc.WORK_MODES, required=True)
    visibility = form.choice("visibility", ("public", "operators", "private"), required=True)
    try:
        languages = _parse_languages(form, "languages")
    except pydantic.ValidationError:
        form.error("languages", "talent.bad_languages")
        languages = []
    with runtime_of(request).session() as s:
        _check_places(form, s, ("countries",), ("location",))
    if form.ok:
        try:
            data = talent_svc.PositionIn(
                organisation_id=org_id or 0,
                project_id=project_id,
                role_en=form.value("role_en") or None,
                role_zh=form.value("role_zh") or None,
                description_en=form.value("description_en") or None,
                description_zh=form.value("description_zh") or None,
                sector=form.value("sector") or None,
                languages=languages,
                countries=_items(form.value("countries")),
                start_on=start,
                end_on=end,
                location=form.value("location") or None,
                work_mode=mode or "onsite",
                visibility=visibility or "public",
            )
            with runtime_of(request).session() as s:
                pid = talent_svc.create_position(s, user.actor, data).id
        except (SilkhubError, pydantic.ValidationError) as exc:
            _absorb(form, exc, "role_en")
        else:
            return RedirectResponse(f"/talent/positions/{pid}", status_code=303)
    return _position_form(request, form, 422)


@router.get("/talent/positions/{position_id}", response_class=HTMLResponse)
def position_page(request: Request, position_id: int, done: str = "") -> HTMLResponse:
    """A position with ranked talent suggestions (score parts and reasons) for its
    organisation's members and hub staff."""
    from silkhub.report.profiles import country_labels

    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    suggestions: list[dict] = []
    can_rank = False
    with runtime_of(request).session() as s:
        pos = talent_svc.get_position(s, actor, position_id)
        labels, regions = country_labels(s, lang), _region_names(s, lang)
        row = _position_row(pos, lang, labels, regions)
        if row["project_id"]:
            from silkhub.hub.projects import get_project

            try:
                proj = get_project(s, actor, row["project_id"])
                row["project"] = pick(proj.title_en, proj.title_zh, lang) or proj.identifier
            except NotFoundError:
                row["project_id"] = None
        can_rank = actor.is_staff or actor.belongs_to([pos.organisation_id])
        if can_rank:
            for prof, m in talent_svc.suggest_talent(s, actor, position_id, top=10):
                suggestions.append(
                    {
                        "id": prof.id,
                        "name": pick(prof.name_en, prof.name_zh, lang) or f"#{prof.id}",
                        "nationality": labels.get(prof.nationality or "", prof.nationality or ""),
                        "score": round(m.score, 3),
                        "parts": [
                            {
                                "part": t(TALENT_PART_KEYS.get(p.name, p.name)),
                                "value": p.value,
                                "weight": p.weight,
                                "contribution": p.contribution,
                                "reason": p.reason,
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
        from silkhub.errors import ValidationError

        raise ValidationError("incomplete feedback form", field=next(iter(form.errors)))
    with runtime_of(request).session() as s:
        talent_svc.record_feedback(
            s, user.actor, position_id, talent_id or 0, accepted=decision == "accept"
        )
    return RedirectResponse(
        f"/talent/positions/{position_id}?done={decision}#sg-{talent_id}", status_code=303
    )


# -- living environment ----------------------------------------------------------------------
def place_points(
    places, lang: str, regions: dict[str, str]
) -> list[tuple[str, float, float, float]]:
    """Map points of places; places at the same spot (e.g. entered without coordinates, so at
    their city's centre) are pooled: (label, lon, lat, number of places)."""
    pooled: dict[tuple[float, float], list] = {}
    for p in places:
        if p.lat is None or p.lon is None:
            continue
        key = (round(float(p.lon), 3), round(float(p.lat), 3))
        pooled.setdefault(key, []).append(p)
    out = []
    for (lon, lat), group in sorted(pooled.items()):
        if len(group) == 1:
            p = group[0]
            kind = pick(*places_svc.KIND_NAMES.get(p.kind, (p.kind, p.kind)), lang)
            label = f"{pick(p.name_en, p.name_zh, lang) or p.kind} ({kind})"
        else:
            city = regions.get(group[0].region_id, group[0].region_id)
            label = translator(lang)("places.pooled", city=city, n=len(group))
        out.append((label, lon, lat, float(len(group))))
    return out


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, region: str = "", kind: str = "") -> HTMLResponse:
    """International schools, hospitals, hotels, consulates and service centres by city and
    kind, on a map and in a table."""
    from silkhub.report.profiles import country_labels

    lang = request_lang(request)
    t = translator(lang)
    form = Form({"region": region, "kind": kind})
    rows: list[dict] = []
    figures: list[Figure] = []
    with runtime_of(request).session() as s:
        _check_places(form, s, (), ("region",))
        form.choice("kind", places_svc.KINDS)
        if form.ok:
            found = places_svc.list_places(
                s, region=region.strip() or None, kind=kind or None, limit=2000
            )
            regions, labels = _region_names(s, lang), country_labels(s, lang)
            for p in found:
                rows.append(
                    {
                        "id": p.id,
                        "name": pick(p.name_en, p.name_zh, lang) or "",
                        "other_name": pick(p.name_zh, p.name_en, lang)
                        if p.name_en and p.name_zh
                        else "",
                        "kind": pick(*places_svc.KIND_NAMES.get(p.kind, (p.kind, p.kind)), lang),
                        "city": regions.get(p.region_id, p.region_id),
                        "country_served": labels.get(p.country_served or "", "")
                        if p.country_served
                        else "",
                        "languages": (p.languages or "").replace(",", ", "),
                        "services": p.services or "",
                        "address": p.address or "",
                        "source": p.source,
                    }
                )
            points = place_points(found, lang, regions)
            if points:
                figures.append(
                    Figure(
                        id="places-map",
                        kind="points",
                        title=t("places.map"),
                        points=points,
                        sources=["silkhub living-environment directory (source per place)"],
                    )
                )
    kind_options = [("", t("all"))] + [
        (k, pick(*places_svc.KIND_NAMES[k], lang)) for k in places_svc.KINDS
    ]
    return render(
        request,
        "places.html",
        {"form": form, "rows": rows, "figures": figures, "kind_options": kind_options},
        status_code=200 if form.ok else 422,
    )
