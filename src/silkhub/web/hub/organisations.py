"""Organisation pages: list, profile, register (staff), edit with services (members of the
organisation, staff), members, and cooperation offers/requests.

Thin: forms are validated through :class:`OrganisationCreate` / :class:`OrganisationUpdate` /
:class:`OfferCreate` (the API's request bodies) and the service's rules; their errors carry
message keys shown next to the fields in the page's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import SilkhubError
from silkhub.hub import agreements as agr_svc
from silkhub.hub import organisations as svc
from silkhub.hub import performance as perf
from silkhub.hub import projects as projects_svc
from silkhub.hub.money import CURRENCIES
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_money
from silkhub.report.common import country_labels
from silkhub.web.forms import Form
from silkhub.web.hub._shared import absorb, keep_fields, options, page_error, split_list, validate
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.session import current_actor, require_user

router = APIRouter(prefix="/hub", include_in_schema=False)

TEXT_FIELDS = (
    "name_zh",
    "name_en",
    "iso3",
    "region_id",
    "size",
    "description_zh",
    "description_en",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
)
#: service error fields -> this form's fields
RENAME = {
    "country": "iso3",
    "region": "region_id",
    "services.service": "services",
    "services.countries": "services",
}


# -- list and profile -------------------------------------------------------------------------
@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, q: str = "", kind: str = "", country: str = ""):
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    form = Form({"q": q, "kind": kind, "country": country})
    items: list[dict] = []
    try:
        with runtime_of(request).session() as s:
            page = svc.list_organisations(
                s, actor, kind=kind or None, country=country or None, q=q or None, limit=200
            )
            labels = country_labels(s, lang)
            for o in page.items:
                items.append(
                    {
                        "id": o.id,
                        "name": pick(o.name_en, o.name_zh, lang),
                        "kind": o.kind,
                        "country": labels.get(o.iso3 or "", o.iso3 or ""),
                        "description": pick(o.description_en, o.description_zh, lang),
                        "services": [t(f"orgsvc.{sv.service}") for sv in o.services],
                    }
                )
    except SilkhubError as exc:
        absorb(form, exc, "q")
    return render(
        request,
        "hub_organisations.html",
        {
            "form": form,
            "items": items,
            "kind_options": options(svc.ORGANISATION_KINDS, "orgkind", t, blank=t("all")),
            "can_create": actor.is_staff,
            "filtered": bool(q or kind or country),
        },
        status_code=200 if form.ok else 422,
    )


def _money(amount: Any, currency: str | None, lang: str) -> str:
    return "" if amount is None else fmt_money(amount, currency or "", lang)


@router.get("/organisations/new", response_class=HTMLResponse)
def new_organisation_form(request: Request) -> HTMLResponse:
    require_user(request)
    return _org_form(request, Form({"visibility": "public", "kind": ""}))


@router.post("/organisations/new", response_class=HTMLResponse)
async def create_organisation(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    try:
        data = validate(svc.OrganisationCreate, _org_raw(form))
        with runtime_of(request).session() as s:
            oid = svc.create_organisation(s, user.actor, data).id
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "__all__", fields=RENAME)
        return _org_form(request, form, status=422)
    return RedirectResponse(f"/hub/organisations/{oid}", status_code=303)


@router.get("/organisations/{org_id}", response_class=HTMLResponse)
def organisation_page(request: Request, org_id: int) -> HTMLResponse:
    """An organisation: profile, services, offers and requests, agreements, projects."""
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        o = svc.get_organisation(s, actor, org_id)
        labels = country_labels(s, lang)

        def countries(codes: str | None) -> str:
            return "、".join(labels.get(c, c) for c in split_list(codes)) if codes else ""

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
                {"service": sv.service, "countries": countries(sv.countries)} for sv in o.services
            ],
            "contact": ", ".join(
                x for x in (o.contact_name, o.contact_email, o.contact_phone) if x
            ),
        }
        editable = svc.may_edit(actor, o)
        offers = [
            {
                "id": x.id,
                "kind": x.kind,
                "title": pick(x.title_en, x.title_zh, lang),
                "description": pick(x.description_en, x.description_zh, lang),
                "countries": countries(x.countries),
                "budget": _budget(x, lang),
            }
            for x in svc.list_offers(s, actor, organisation_id=o.id)
        ]
        page = projects_svc.list_projects(
            s, actor, projects_svc.ProjectFilters(organisation_id=o.id), limit=100
        )
        projects = [
            {
                "id": p.id,
                "title": pick(p.title_en, p.title_zh, lang) or p.identifier,
                "stage": p.stage,
                "country": labels.get(p.iso3 or "", p.iso3 or ""),
                "value": _money(p.value_amount, p.value_currency, lang),
            }
            for p in page.items
        ]
        agreements = [
            {
                "id": st.agreement.id,
                "title": pick(st.agreement.title_en, st.agreement.title_zh, lang),
                "light": st.light,
            }
            for st in perf.agreement_statuses(
                s, actor, agr_svc.list_agreements(s, actor, organisation_id=o.id, limit=100).items
            )
        ]
    return render(
        request,
        "hub_organisation.html",
        {
            "o": org,
            "offers": offers,
            "projects": projects,
            "agreements": agreements,
            "can_edit": editable,
            "can_see_members": svc.may_see_members(actor, o.id),
            "t_kind": t(f"orgkind.{o.kind}"),
            "canonical_path": f"/hub/organisations/{org_id}",
        },
    )


def _budget(x: Any, lang: str) -> str:
    lo = _money(x.budget_min, x.currency, lang)
    hi = _money(x.budget_max, x.currency, lang)
    if lo and hi and lo != hi:
        return f"{lo} – {hi}"
    return hi or lo


# -- create / edit ----------------------------------------------------------------------------
def _org_raw(form: Form) -> dict[str, Any]:
    """The submitted organisation form as the contract's fields."""
    raw: dict[str, Any] = {k: form.value(k) for k in TEXT_FIELDS}
    raw["kind"] = form.value("kind")
    raw["visibility"] = form.value("visibility") or "public"
    raw["sectors"] = split_list(form.value("sectors"))
    raw["languages"] = split_list(form.value("languages"))
    raw["services"] = [
        {"service": sv, "countries": split_list(form.value(f"svc_{sv}_countries"))}
        for sv in svc.SERVICES
        if form.value(f"svc_{sv}")
    ]
    keep_fields(form, [*TEXT_FIELDS, "kind", "visibility", "sectors", "languages", "services"])
    return raw


def _org_form(
    request: Request, form: Form, *, org_id: int | None = None, status: int = 200
) -> HTMLResponse:
    t = translator(request_lang(request))
    return render(
        request,
        "hub_organisation_form.html",
        {
            "form": form,
            "org_id": org_id,
            "action": f"/hub/organisations/{org_id}/edit" if org_id else "/hub/organisations/new",
            "kind_options": options(svc.ORGANISATION_KINDS, "orgkind", t, blank="–"),
            "size_options": options(svc.SIZES, "orgsize", t, blank="–"),
            "visibility_options": options(svc.VISIBILITIES, "visibility", t),
            "services": [(sv, t(f"orgsvc.{sv}")) for sv in svc.SERVICES],
        },
        status_code=status,
    )


@router.get("/organisations/{org_id}/edit", response_class=HTMLResponse)
def edit_organisation_form(request: Request, org_id: int) -> HTMLResponse:
    user = require_user(request)
    with runtime_of(request).session() as s:
        o = svc.writable_organisation(s, user.actor, org_id)
        data: dict[str, Any] = {k: getattr(o, k) or "" for k in TEXT_FIELDS}
        data.update(
            kind=o.kind,
            visibility=o.visibility,
            sectors=", ".join(sorted(x.isic_code for x in o.sectors)),
            languages=(o.languages or "").replace(",", ", "),
        )
        for sv in o.services:
            data[f"svc_{sv.service}"] = "1"
            data[f"svc_{sv.service}_countries"] = (sv.countries or "").replace(",", ", ")
    return _org_form(request, Form(data), org_id=org_id)


@router.post("/organisations/{org_id}/edit", response_class=HTMLResponse)
async def update_organisation(request: Request, org_id: int) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    try:
        data = validate(svc.OrganisationUpdate, _org_raw(form), keep_blank=True)
        with runtime_of(request).session() as s:
            svc.update_organisation(s, user.actor, org_id, data)
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "__all__", fields=RENAME)
        return _org_form(request, form, org_id=org_id, status=422)
    return RedirectResponse(f"/hub/organisations/{org_id}", status_code=303)


# -- members ----------------------------------------------------------------------------------
MEMBER_ROLES = ("member", "viewer")


def _members_page(
    request: Request, org_id: int, form: Form | None = None, status: int = 200
) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    user = require_user(request)
    with runtime_of(request).session() as s:
        o = svc.get_organisation(s, user.actor, org_id)
        members = [
            {
                "name": u.display_name or u.email,
                "email": u.email,
                "role": u.role,
                "active": u.active,
            }
            for u in svc.list_members(s, user.actor, org_id)
        ]
        name = pick(o.name_en, o.name_zh, lang)
    return render(
        request,
        "hub_organisation_members.html",
        {
            "org_id": org_id,
            "name": name,
            "members": members,
            "can_add": user.role == "admin",
            "form": form or Form({"role": "member"}),
            "role_options": options(MEMBER_ROLES, "role", t),
        },
        status_code=status,
    )


@router.get("/organisations/{org_id}/members", response_class=HTMLResponse)
def members_page(request: Request, org_id: int) -> HTMLResponse:
    return _members_page(request, org_id)


@router.post("/organisations/{org_id}/members", response_class=HTMLResponse)
async def add_member(request: Request, org_id: int) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    email = form.text("email", required=True, max_len=200)
    password = form.text("password", required=True, max_len=200)
    role = form.choice("role", MEMBER_ROLES, required=True)
    name = form.text("display_name", max_len=200)
    if form.ok:
        try:
            with runtime_of(request).session() as s:
                svc.add_member(
                    s,
                    user.actor,
                    org_id,
                    email=email or "",
                    password=password or "",
                    role=role or "member",
                    display_name=name,
                )
        except SilkhubError as exc:
            if page_error(exc):
                raise
            absorb(form, exc, "email", fields={"organisation_id": "email"})
        else:
            return RedirectResponse(f"/hub/organisations/{org_id}/members", status_code=303)
    form.data.pop("password", None)
    return _members_page(request, org_id, form, 422)


# -- offers and requests ----------------------------------------------------------------------
OFFER_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "isic_code",
    "budget_min",
    "budget_max",
    "currency",
    "visibility",
)


def _offer_form(request: Request, org_id: int, form: Form, status: int = 200) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    user = require_user(request)
    with runtime_of(request).session() as s:
        o = svc.writable_organisation(s, user.actor, org_id)
        name = pick(o.name_en, o.name_zh, lang)
    return render(
        request,
        "hub_offer_form.html",
        {
            "form": form,
            "org_id": org_id,
            "name": name,
            "kind_options": options(svc.OFFER_KINDS, "offer", t),
            "visibility_options": options(svc.VISIBILITIES, "visibility", t),
            "currencies": CURRENCIES,
        },
        status_code=status,
    )


@router.get("/organisations/{org_id}/offers/new", response_class=HTMLResponse)
def new_offer_form(request: Request, org_id: int) -> HTMLResponse:
    return _offer_form(
        request, org_id, Form({"kind": "offer", "visibility": "public", "currency": "CNY"})
    )


@router.post("/organisations/{org_id}/offers/new", response_class=HTMLResponse)
async def create_offer(request: Request, org_id: int) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    raw: dict[str, Any] = {k: form.value(k) for k in OFFER_FIELDS}
    raw["countries"] = split_list(form.value("countries"))
    keep_fields(form, [*OFFER_FIELDS, "countries"])
    if not raw["budget_min"] and not raw["budget_max"]:
        raw["currency"] = ""  # a currency alone says nothing
    for k in ("budget_min", "budget_max"):
        raw[k] = raw[k].replace(",", "").replace(" ", "")
    try:
        data = validate(svc.OfferCreate, raw)
        with runtime_of(request).session() as s:
            svc.add_offer(s, user.actor, org_id, data)
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "__all__", fields={"country": "countries"})
        return _offer_form(request, org_id, form, 422)
    return RedirectResponse(f"/hub/organisations/{org_id}#h-offers", status_code=303)


@router.post("/offers/{offer_id}/withdraw", response_class=HTMLResponse)
async def withdraw_offer(request: Request, offer_id: int) -> Response:
    user = require_user(request)
    await Form.from_request(request)
    with runtime_of(request).session() as s:
        org_id = svc.withdraw_offer(s, user.actor, offer_id).organisation_id
    return RedirectResponse(f"/hub/organisations/{org_id}#h-offers", status_code=303)
