"""Matchmaking pages of the hub (:mod:`silkhub.hub.matching`): suggestion cards with
plain-language reasons per locale, the organisation's accept / decline state (undoable), the
declined suggestions, and "my matches". Meeting agendas: :mod:`silkhub.web.hub.meetings`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import SilkhubError, ValidationError
from silkhub.hub import matching
from silkhub.hub import organisations as orgs_svc
from silkhub.hub.matching.reasons import ReasonText
from silkhub.i18n import error_text, pick
from silkhub.i18n.format import fmt_date
from silkhub.web.account import current_actor, current_user, require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/hub", include_in_schema=False)

#: score parts of core.matching -> i18n key
PART_KEYS = {
    "sector": "part.sector",
    "complementarity": "part.complementarity",
    "geography": "part.geography",
    "membership": "part.membership",
    "size": "part.size",
    "language": "part.language",
    "text": "part.text",
    "trade": "part.trade",
}


def _card(sg: matching.Suggestion, name: str, t, why: ReasonText) -> dict:  # type: ignore[no-untyped-def]
    """One suggestion card: plain-language reasons of the parts that add to the score."""
    return {
        "id": sg.id,
        "name": name,
        "iso3": sg.iso3 or "",
        "score": round(sg.score, 3),
        "decision": sg.decision,
        "summary": why.summary(sg.parts, limit=2),
        "reasons": [
            {
                "part": t(PART_KEYS.get(str(p["part"]), str(p["part"]))),
                "contribution": p["contribution"],
                "reason": why.of(p),
            }
            for p in sg.parts
            if float(p["contribution"]) > 0  # type: ignore[arg-type]
        ],
    }


def _subject_query(kind: str | None, subject_id: int | None) -> str:
    return f"project={subject_id}" if kind == "project" else f"org={subject_id}"


@router.get("/match", response_class=HTMLResponse)
def match_page(
    request: Request, org: int | None = None, project: int | None = None, kind: str = ""
) -> HTMLResponse:
    """Suggested partners of an organisation (default: the user's own) or of a project, as
    cards with plain-language reasons, the organisation's accept/decline state (undoable) and
    the declined candidates (undoable too)."""
    lang = request_lang(request)
    t = translator(lang)
    actor = current_actor(request)
    user = current_user(request)
    suggestions: list[dict] = []
    declined: list[dict] = []
    subject_name = ""
    form = Form({"org": str(org or ""), "kind": kind})
    with runtime_of(request).session() as s:
        orgs = orgs_svc.list_organisations(s, actor, limit=500).items
        org_options = [(str(o.id), pick(o.name_en, o.name_zh, lang)) for o in orgs]
        if project is None and org is None:
            if user and user.organisation_id:
                org = user.organisation_id
            elif orgs:
                org = orgs[0].id
            form.data["org"] = str(org or "")
        try:
            if project is not None:
                from silkhub.hub.projects import get_project

                p = get_project(s, actor, project)
                subject_name = pick(p.title_en, p.title_zh, lang) or p.identifier
                found = matching.suggest_for_project(s, actor, project, top=10)
                subject = ("project", project)
            elif org is not None:
                o = orgs_svc.get_organisation(s, actor, org)
                subject_name = pick(o.name_en, o.name_zh, lang)
                found = matching.suggest_for_organisation(s, actor, org, top=10, kind=kind or None)
                subject = ("organisation", org)
            else:
                found, subject = [], ("organisation", 0)
        except SilkhubError as exc:
            if exc.status in (401, 403):
                raise
            form.error("org", "form.service", message=error_text(exc, lang))
            found, subject = [], ("organisation", 0)
        can_decide = matching.can_decide(s, actor, subject[0], subject[1])
        names = {o.id: pick(o.name_en, o.name_zh, lang) for o in orgs}
        why = ReasonText(s, lang)
        suggestions = [_card(sg, names.get(sg.id, sg.name), t, why) for sg in found]
        if can_decide and subject[1]:
            declined = [
                {"id": d.candidate_id, "name": names.get(d.candidate_id, d.candidate_name)}
                for d in matching.decided(
                    s, actor, subject_kind=subject[0], subject_id=subject[1], decision="decline"
                )
            ]
    kinds = [("", t("all"))] + [(k, t(f"orgkind.{k}")) for k in orgs_svc.ORGANISATION_KINDS]
    done = request.query_params.get("done")
    return render(
        request,
        "hub_match.html",
        {
            "form": form,
            "org_options": org_options,
            "kind_options": kinds,
            "suggestions": suggestions,
            "declined": declined,
            "subject_kind": subject[0],
            "subject_id": subject[1],
            "subject_name": subject_name,
            "can_decide": can_decide,
            "back": f"/hub/match?{_subject_query(subject[0], subject[1])}",
            "flash": t(f"match.flash_{done}") if done in ("accept", "decline", "undo") else None,
        },
        status_code=200 if form.ok else 404,
    )


async def _decision_form(request: Request, *, with_decision: bool):  # type: ignore[no-untyped-def]
    form = await Form.from_request(request)
    kind = form.choice("subject_kind", matching.KINDS, required=True)
    subject_id = form.integer("subject_id", required=True)
    candidate_id = form.integer("candidate_id", required=True)
    decision = form.choice("decision", matching.DECISIONS, required=True) if with_decision else None
    if not form.ok:
        raise ValidationError(key="match.feedback_incomplete", field=next(iter(form.errors)))
    back = form.value("back")
    if not back.startswith("/hub/match"):  # only our own pages (no open redirect)
        back = f"/hub/match?{_subject_query(kind, subject_id)}"
    return kind or "organisation", subject_id or 0, candidate_id or 0, decision, back


def _with_done(url: str, done: str, anchor: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}done={done}#{anchor}"


@router.post("/match/feedback")
async def match_feedback(request: Request) -> Response:
    """Accept or decline a suggestion; declined candidates are not suggested again."""
    user = require_user(request)
    kind, subject_id, candidate_id, decision, back = await _decision_form(
        request, with_decision=True
    )
    with runtime_of(request).session() as s:
        matching.record_feedback(
            s,
            user.actor,
            subject_kind=kind,
            subject_id=subject_id,
            candidate_id=candidate_id,
            decision=decision or "accept",
        )
    return RedirectResponse(_with_done(back, decision or "accept", f"sg-{candidate_id}"), 303)


@router.post("/match/feedback/undo")
async def match_feedback_undo(request: Request) -> Response:
    """Take back the organisation's accept/decline of a suggestion (audited)."""
    user = require_user(request)
    kind, subject_id, candidate_id, _, back = await _decision_form(request, with_decision=False)
    with runtime_of(request).session() as s:
        matching.undo_feedback(
            s, user.actor, subject_kind=kind, subject_id=subject_id, candidate_id=candidate_id
        )
    return RedirectResponse(_with_done(back, "undo", f"sg-{candidate_id}"), 303)


@router.get("/match/mine", response_class=HTMLResponse)
def my_matches_page(request: Request) -> HTMLResponse:
    """Every suggestion the signed-in user's organisation accepted or declined, with undo."""
    user = require_user(request)
    lang = request_lang(request)
    t = translator(lang)
    rows = []
    with runtime_of(request).session() as s:
        names = {
            o.id: pick(o.name_en, o.name_zh, lang)
            for o in orgs_svc.list_organisations(s, user.actor, limit=500).items
        }
        for d in matching.decided(s, user.actor):
            subject = (
                t("match.subject_project", name=d.subject_name)
                if d.subject_kind == "project"
                else names.get(d.subject_id, d.subject_name)
            )
            rows.append(
                {
                    "subject_kind": d.subject_kind,
                    "subject_id": d.subject_id,
                    "subject": subject,
                    "subject_url": (
                        f"/hub/projects/{d.subject_id}"
                        if d.subject_kind == "project"
                        else f"/hub/organisations/{d.subject_id}"
                    ),
                    "candidate_id": d.candidate_id,
                    "candidate": names.get(d.candidate_id, d.candidate_name),
                    "iso3": d.candidate_iso3 or "",
                    "decision": d.decision,
                    "score": d.score,
                    "at": fmt_date(d.at, lang) if d.at else "",
                }
            )
    done = request.query_params.get("done")
    return render(
        request,
        "hub_match_mine.html",
        {
            "rows": rows,
            "flash": t("match.flash_undo") if done == "undo" else None,
            "canonical_path": "/hub/match/mine",
        },
    )


# meeting pages and agendas: silkhub.web.hub.meetings
