"""Agreement pages: the list with traffic lights and overdue items, one agreement with its
commitments and milestones, and the workflows — create an agreement with commitments, add a
commitment, mark a commitment fulfilled with evidence, add a milestone, mark it done.

Thin: forms are validated through the API's request bodies (:class:`AgreementCreate`,
:class:`CommitmentCreate`, :class:`CommitmentFulfil`, :class:`MilestoneCreate`,
:class:`MilestoneUpdate`) and the service's rules; overdue items and lights come from
:mod:`silkhub.hub.performance` (the same rule as the API, the CLI and the reports).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import NotFoundError, SilkhubError
from silkhub.hub import agreements as svc
from silkhub.hub import organisations as orgs_svc
from silkhub.hub import performance as perf
from silkhub.hub.money import CURRENCIES
from silkhub.i18n import pick
from silkhub.i18n.format import fmt_date, fmt_money, fmt_percent
from silkhub.web.forms import Form
from silkhub.web.hub._shared import absorb, keep_fields, options, page_error, validate
from silkhub.web.pages import parse_as_of, render, request_lang, runtime_of, translator
from silkhub.web.session import current_actor, require_user

router = APIRouter(prefix="/hub", include_in_schema=False)

#: commitment rows on the new-agreement form
COMMITMENT_ROWS = 3
ROW_FIELDS = ("owed_by_id", "what_zh", "what_en", "amount", "currency", "due_on")
AGREEMENT_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "signed_on",
    "effective_on",
    "expiry_on",
    "visibility",
)


def _money(amount: Any, currency: str | None, lang: str) -> str:
    return "" if amount is None else fmt_money(amount, currency or "", lang)


#: service field names of one commitment -> the add-commitment form's
COMMITMENT_RENAME = {
    "commitments.owed_by_id": "owed_by_id",
    "commitments.owed_to_id": "owed_by_id",
    "commitments.amount": "amount",
    "commitments.fulfilled_amount": "amount",
    "fulfilled_on": "due_on",
    "status": "what_zh",
}


def _rename_rows(form: Form) -> dict[str, str]:
    """Service/model field names of commitment rows -> this form's (``commitments.0.amount``
    -> ``c0_amount``)."""
    out = {"party_ids": "party_ids", "commitments": "__all__"}
    for i in range(COMMITMENT_ROWS):
        for f in ROW_FIELDS:
            out[f"commitments.{i}.{f}"] = f"c{i}_{f}"
        out[f"commitments.{i}.status"] = f"c{i}_what_zh"
        out[f"commitments.{i}.owed_to_id"] = f"c{i}_owed_by_id"
        out[f"commitments.{i}.fulfilled_on"] = f"c{i}_due_on"
        out[f"commitments.{i}"] = f"c{i}_what_zh"
    return out


# -- list -------------------------------------------------------------------------------------
@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    """Agreements with their performance and light, and every overdue item."""
    lang = request_lang(request)
    actor = current_actor(request)
    day = parse_as_of(as_of)
    items = []
    with runtime_of(request).session() as s:
        page = svc.list_agreements(s, actor, limit=200)
        for st in perf.agreement_statuses(s, actor, page.items, day):
            a, pf = st.agreement, st.performance
            items.append(
                {
                    "id": a.id,
                    "title": pick(a.title_en, a.title_zh, lang),
                    "kind": a.kind,
                    "signed_on": fmt_date(a.signed_on, lang) if a.signed_on else "–",
                    "perf": pf,
                    "on_time": fmt_percent(pf.on_time_rate, lang, 0),
                    "fulfilled_share": fmt_percent(pf.fulfilment_rate, lang, 0),
                    "light": st.light,
                }
            )
        overdue = [
            {
                "agreement_id": o.agreement_id,
                "kind": o.kind,
                "what": pick(o.what_en, o.what_zh, lang) or o.what,
                "owed_by": pick(o.owed_by, o.owed_by_zh, lang),
                "due_on": fmt_date(o.due_on, lang),
                "days": o.days_overdue,
            }
            for o in perf.overdue_items(s, actor, day)
        ]
    user = current_actor(request)
    return render(
        request,
        "hub_agreements.html",
        {
            "items": items,
            "overdue": overdue,
            "as_of": day.isoformat(),
            "can_create": user.is_authenticated and user.role != "viewer",
        },
    )


# -- one agreement ----------------------------------------------------------------------------
def _org_names(session, actor, ids: list[int], lang: str) -> dict[int, str]:  # type: ignore[no-untyped-def]
    out = {}
    for oid in ids:
        try:
            o = orgs_svc.get_organisation(session, actor, oid)
            out[oid] = pick(o.name_en, o.name_zh, lang)
        except NotFoundError:
            out[oid] = f"#{oid}"
    return out


@router.get("/agreements/new", response_class=HTMLResponse)
def new_agreement_form(request: Request, party: int | None = None) -> HTMLResponse:
    user = require_user(request)
    data: dict[str, Any] = {"kind": "mou", "visibility": "public"}
    first = party or user.organisation_id
    if first:
        data["party_ids"] = [str(first)]
        for i in range(COMMITMENT_ROWS):
            data[f"c{i}_owed_by_id"] = str(first)
            data[f"c{i}_currency"] = "CNY"
    return _agreement_form(request, Form(data))


def _agreement_form(request: Request, form: Form, status: int = 200) -> HTMLResponse:
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    with runtime_of(request).session() as s:
        orgs = [
            (str(o.id), pick(o.name_en, o.name_zh, lang))
            for o in orgs_svc.list_organisations(s, actor, limit=500).items
        ]
    chosen = set(form.values("party_ids"))
    return render(
        request,
        "hub_agreement_form.html",
        {
            "form": form,
            "kind_options": options(svc.AGREEMENT_KINDS, "akind", t),
            "visibility_options": options(orgs_svc.VISIBILITIES, "visibility", t),
            "org_options": orgs,
            "owed_options": [("", "–"), *orgs],
            "chosen": chosen,
            "rows": range(COMMITMENT_ROWS),
            "currencies": CURRENCIES,
        },
        status_code=status,
    )


def _row_raw(form: Form, prefix: str) -> dict[str, Any]:
    row = {f: form.value(f"{prefix}{f}") for f in ROW_FIELDS}
    row["amount"] = row["amount"].replace(",", "").replace(" ", "")
    if not row["amount"]:
        row["currency"] = ""  # the currency preset of an empty row says nothing
    return {k: v for k, v in row.items() if v}


@router.post("/agreements/new", response_class=HTMLResponse)
async def create_agreement(request: Request) -> Response:
    user = require_user(request)
    form = await Form.from_request(request)
    raw: dict[str, Any] = {k: form.value(k) for k in AGREEMENT_FIELDS}
    raw["party_ids"] = form.values("party_ids")
    form.data.setdefault("party_ids", [])
    keep_fields(
        form,
        [*AGREEMENT_FIELDS, *(f"c{i}_{f}" for i in range(COMMITMENT_ROWS) for f in ROW_FIELDS)],
    )
    rows = []
    for i in range(COMMITMENT_ROWS):
        row = _row_raw(form, f"c{i}_")
        if set(row) - {"owed_by_id", "currency"}:
            rows.append(row)
    raw["commitments"] = rows
    if not raw["party_ids"]:
        form.error("party_ids", "agreement.party_needed")
        return _agreement_form(request, form, 422)
    try:
        data = validate(svc.AgreementCreate, raw)
        with runtime_of(request).session() as s:
            aid = svc.create_agreement(s, user.actor, data).id
    except SilkhubError as exc:
        if page_error(exc) and exc.status != 403:
            raise
        absorb(form, exc, "__all__", fields=_rename_rows(form))
        return _agreement_form(request, form, 422 if exc.status != 403 else 403)
    return RedirectResponse(f"/hub/agreements/{aid}", status_code=303)


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(request: Request, agreement_id: int, as_of: str | None = None) -> HTMLResponse:
    """An agreement: parties, light, commitments with milestones, and the actions."""
    lang = request_lang(request)
    actor = current_actor(request)
    day = parse_as_of(as_of)
    with runtime_of(request).session() as s:
        a = svc.get_agreement(s, actor, agreement_id)
        st = perf.agreement_statuses(s, actor, [a], day)[0]
        names = _org_names(
            s, actor, sorted({*svc.party_ids(a)} | {c.owed_by_id for c in a.commitments}), lang
        )
        commitments = [
            {
                "id": c.id,
                "what": pick(c.what_en, c.what_zh, lang),
                "owed_by": names.get(c.owed_by_id, ""),
                "amount": _money(c.amount, c.currency, lang),
                "due_on": fmt_date(c.due_on, lang) if c.due_on else "–",
                "status": c.status,
                "overdue": c.id in st.overdue_commitments,
                "fulfilled_on": fmt_date(c.fulfilled_on, lang) if c.fulfilled_on else "",
                "fulfilled_amount": _money(c.fulfilled_amount, c.currency, lang),
                "evidence": c.evidence or "",
                "milestones": [
                    {
                        "id": m.id,
                        "title": pick(m.title_en, m.title_zh, lang),
                        "due_on": fmt_date(m.due_on, lang) if m.due_on else "–",
                        "status": m.status,
                        "overdue": m.id in st.overdue_milestones,
                        "done_on": fmt_date(m.done_on, lang) if m.done_on else "",
                        "evidence": m.evidence or "",
                    }
                    for m in c.milestones
                ],
            }
            for c in a.commitments
        ]
        view = {
            "id": a.id,
            "title": pick(a.title_en, a.title_zh, lang),
            "other_title": pick(a.title_zh, a.title_en, lang),
            "kind": a.kind,
            "description": pick(a.description_en, a.description_zh, lang),
            "signed_on": fmt_date(a.signed_on, lang) if a.signed_on else "–",
            "effective_on": fmt_date(a.effective_on, lang) if a.effective_on else "–",
            "expiry_on": fmt_date(a.expiry_on, lang) if a.expiry_on else "–",
            "parties": [(oid, names.get(oid, "")) for oid in svc.party_ids(a)],
        }
        editable = svc.may_edit(actor, a)
    pf = st.performance
    return render(
        request,
        "hub_agreement.html",
        {
            "a": view,
            "light": st.light,
            "perf": pf,
            "on_time": fmt_percent(pf.on_time_rate, lang, 0),
            "fulfilled_share": fmt_percent(pf.fulfilment_rate, lang, 0),
            "commitments": commitments,
            "can_edit": editable,
            "as_of": day.isoformat(),
            "as_of_text": fmt_date(day, lang),
            "canonical_path": f"/hub/agreements/{agreement_id}",
        },
    )


# -- steps: add a commitment, fulfil it, add a milestone, mark it done ------------------------
def _step(
    request: Request,
    form: Form,
    *,
    title: str,
    action: str,
    back: str,
    fields: list[dict[str, Any]],
    context: str = "",
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "hub_agreement_step.html",
        {
            "form": form,
            "title": title,
            "action": action,
            "back": back,
            "fields": fields,
            "context": context,
            "currencies": CURRENCIES,
        },
        status_code=status,
    )


def _commitment_context(request: Request, commitment_id: int) -> tuple[int, str, str]:
    """(agreement id, agreement title, commitment text) of a commitment the user may change."""
    lang = request_lang(request)
    user = require_user(request)
    with runtime_of(request).session() as s:
        c = svc.writable_commitment(s, user.actor, commitment_id)
        a = c.agreement
        return a.id, pick(a.title_en, a.title_zh, lang), pick(c.what_en, c.what_zh, lang)


def _commitment_fields(request: Request, agreement_id: int) -> list[dict[str, Any]]:
    lang = request_lang(request)
    t = translator(lang)
    user = require_user(request)
    with runtime_of(request).session() as s:
        a = svc.writable_agreement(s, user.actor, agreement_id)
        names = _org_names(s, user.actor, svc.party_ids(a), lang)
    return [
        {"name": "owed_by_id", "label": t("field.owed_by"), "required": True,
         "options": [(str(k), v) for k, v in names.items()]},
        {"name": "what_zh", "label": t("commitment.what_zh"), "help": t("commitment.what_help")},
        {"name": "what_en", "label": t("commitment.what_en")},
        {"name": "amount", "label": t("field.amount"), "attrs": 'inputmode="decimal"'},
        {"name": "currency", "label": t("field.currency"), "currency": True,
         "help": t("money.currency_help")},
        {"name": "due_on", "label": t("field.due_on"), "type": "date"},
    ]  # fmt: skip


@router.get("/agreements/{agreement_id}/commitments/new", response_class=HTMLResponse)
def new_commitment_form(request: Request, agreement_id: int) -> HTMLResponse:
    t = translator(request_lang(request))
    user = require_user(request)
    fields = _commitment_fields(request, agreement_id)
    owed = str(user.organisation_id or fields[0]["options"][0][0])
    return _step(
        request,
        Form({"owed_by_id": owed, "currency": "CNY"}),
        title=t("commitment.new"),
        action=f"/hub/agreements/{agreement_id}/commitments/new",
        back=f"/hub/agreements/{agreement_id}",
        fields=fields,
    )


@router.post("/agreements/{agreement_id}/commitments/new", response_class=HTMLResponse)
async def create_commitment(request: Request, agreement_id: int) -> Response:
    t = translator(request_lang(request))
    user = require_user(request)
    form = await Form.from_request(request)
    keep_fields(form, ROW_FIELDS)
    try:
        data = validate(svc.CommitmentCreate, _row_raw(form, ""))
        with runtime_of(request).session() as s:
            svc.add_commitment(s, user.actor, agreement_id, data)
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "__all__", fields=COMMITMENT_RENAME)
        return _step(
            request,
            form,
            title=t("commitment.new"),
            action=f"/hub/agreements/{agreement_id}/commitments/new",
            back=f"/hub/agreements/{agreement_id}",
            fields=_commitment_fields(request, agreement_id),
            status=422,
        )
    return RedirectResponse(f"/hub/agreements/{agreement_id}#commitments", status_code=303)


def _fulfil_fields(t) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [
        {"name": "fulfilled_on", "label": t("commitment.fulfilled_on"), "type": "date",
         "required": True},
        {"name": "fulfilled_amount", "label": t("commitment.fulfilled_amount"),
         "attrs": 'inputmode="decimal"', "help": t("commitment.fulfilled_amount_help")},
        {"name": "evidence", "label": t("commitment.evidence"), "rows": 3,
         "help": t("commitment.evidence_help")},
    ]  # fmt: skip


@router.get("/commitments/{commitment_id}/fulfil", response_class=HTMLResponse)
def fulfil_form(request: Request, commitment_id: int) -> HTMLResponse:
    t = translator(request_lang(request))
    aid, title, what = _commitment_context(request, commitment_id)
    return _step(
        request,
        Form({"fulfilled_on": date.today().isoformat()}),
        title=t("commitment.fulfil"),
        action=f"/hub/commitments/{commitment_id}/fulfil",
        back=f"/hub/agreements/{aid}",
        fields=_fulfil_fields(t),
        context=f"{title} · {what}",
    )


@router.post("/commitments/{commitment_id}/fulfil", response_class=HTMLResponse)
async def fulfil_commitment(request: Request, commitment_id: int) -> Response:
    t = translator(request_lang(request))
    user = require_user(request)
    aid, title, what = _commitment_context(request, commitment_id)
    form = await Form.from_request(request)
    raw = {k: form.value(k) for k in ("fulfilled_on", "fulfilled_amount", "evidence")}
    raw["fulfilled_amount"] = raw["fulfilled_amount"].replace(",", "").replace(" ", "")
    keep_fields(form, raw)
    try:
        data = validate(svc.CommitmentFulfil, raw)
        with runtime_of(request).session() as s:
            svc.fulfil_commitment(s, user.actor, commitment_id, data)
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "fulfilled_on", fields={"currency": "fulfilled_amount"})
        return _step(
            request,
            form,
            title=t("commitment.fulfil"),
            action=f"/hub/commitments/{commitment_id}/fulfil",
            back=f"/hub/agreements/{aid}",
            fields=_fulfil_fields(t),
            context=f"{title} · {what}",
            status=422 if exc.status != 409 else 409,
        )
    return RedirectResponse(f"/hub/agreements/{aid}#c-{commitment_id}", status_code=303)


def _milestone_fields(t, *, new: bool) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    status = {"name": "status", "label": t("field.status"), "required": True,
              "options": options(svc.MILESTONE_STATUSES, "mstatus", t)}  # fmt: skip
    done = {"name": "done_on", "label": t("milestone.done_on"), "type": "date",
            "help": t("milestone.done_on_help")}  # fmt: skip
    evidence = {"name": "evidence", "label": t("commitment.evidence"), "rows": 3,
                "help": t("commitment.evidence_help")}  # fmt: skip
    if not new:
        return [status, done, evidence]
    return [
        {"name": "title_zh", "label": t("field.title_zh")},
        {"name": "title_en", "label": t("field.title_en")},
        {"name": "due_on", "label": t("field.due_on"), "type": "date"},
        status,
        done,
        evidence,
    ]


@router.get("/commitments/{commitment_id}/milestones/new", response_class=HTMLResponse)
def new_milestone_form(request: Request, commitment_id: int) -> HTMLResponse:
    t = translator(request_lang(request))
    aid, title, what = _commitment_context(request, commitment_id)
    return _step(
        request,
        Form({"status": "planned"}),
        title=t("milestone.new"),
        action=f"/hub/commitments/{commitment_id}/milestones/new",
        back=f"/hub/agreements/{aid}",
        fields=_milestone_fields(t, new=True),
        context=f"{title} · {what}",
    )


@router.post("/commitments/{commitment_id}/milestones/new", response_class=HTMLResponse)
async def create_milestone(request: Request, commitment_id: int) -> Response:
    t = translator(request_lang(request))
    user = require_user(request)
    aid, title, what = _commitment_context(request, commitment_id)
    form = await Form.from_request(request)
    names = ("title_zh", "title_en", "due_on", "status", "done_on", "evidence")
    keep_fields(form, names)
    try:
        data = validate(svc.MilestoneCreate, {k: form.value(k) for k in names})
        with runtime_of(request).session() as s:
            svc.add_milestone(s, user.actor, commitment_id, data)
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "title_zh")
        return _step(
            request,
            form,
            title=t("milestone.new"),
            action=f"/hub/commitments/{commitment_id}/milestones/new",
            back=f"/hub/agreements/{aid}",
            fields=_milestone_fields(t, new=True),
            context=f"{title} · {what}",
            status=422,
        )
    return RedirectResponse(f"/hub/agreements/{aid}#c-{commitment_id}", status_code=303)


def _milestone_context(request: Request, milestone_id: int) -> tuple[int, str, dict[str, str]]:
    lang = request_lang(request)
    user = require_user(request)
    with runtime_of(request).session() as s:
        m = svc.writable_milestone(s, user.actor, milestone_id)
        a = m.commitment.agreement
        data = {
            "status": m.status,
            "done_on": m.done_on.isoformat() if m.done_on else "",
            "evidence": m.evidence or "",
        }
        return (
            a.id,
            f"{pick(a.title_en, a.title_zh, lang)} · {pick(m.title_en, m.title_zh, lang)}",
            data,
        )


@router.get("/milestones/{milestone_id}/update", response_class=HTMLResponse)
def milestone_form(request: Request, milestone_id: int) -> HTMLResponse:
    t = translator(request_lang(request))
    aid, context, data = _milestone_context(request, milestone_id)
    if data["status"] != "done":
        data.update(status="done", done_on=date.today().isoformat())
    return _step(
        request,
        Form(data),
        title=t("milestone.update"),
        action=f"/hub/milestones/{milestone_id}/update",
        back=f"/hub/agreements/{aid}",
        fields=_milestone_fields(t, new=False),
        context=context,
    )


@router.post("/milestones/{milestone_id}/update", response_class=HTMLResponse)
async def update_milestone(request: Request, milestone_id: int) -> Response:
    t = translator(request_lang(request))
    user = require_user(request)
    aid, context, _ = _milestone_context(request, milestone_id)
    form = await Form.from_request(request)
    keep_fields(form, ("status", "done_on", "evidence"))
    try:
        data = validate(
            svc.MilestoneUpdate, {k: form.value(k) for k in ("status", "done_on", "evidence")}
        )
        with runtime_of(request).session() as s:
            svc.update_milestone(
                s, user.actor, milestone_id, data.status, data.done_on, data.evidence
            )
    except SilkhubError as exc:
        if page_error(exc):
            raise
        absorb(form, exc, "status")
        return _step(
            request,
            form,
            title=t("milestone.update"),
            action=f"/hub/milestones/{milestone_id}/update",
            back=f"/hub/agreements/{aid}",
            fields=_milestone_fields(t, new=False),
            context=context,
            status=422,
        )
    return RedirectResponse(f"/hub/agreements/{aid}", status_code=303)
