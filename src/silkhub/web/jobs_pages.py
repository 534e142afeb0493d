"""Jobs in the web UI: the list with live progress bars (htmx polling), starting a region
report as a job, cancelling, downloading the result. Business rules are the job service's."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkhub.errors import SilkhubError
from silkhub.i18n.format import fmt_number
from silkhub.jobs.kinds import MAX_JOB_MC, FrameworkCode
from silkhub.jobs.service import JobView, job_service
from silkhub.report.render import FORMATS
from silkhub.web.account import require_user
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of

router = APIRouter(prefix="/jobs", include_in_schema=False)

#: shipped index frameworks (the job kind's choices)
FRAMEWORKS: tuple[str, ...] = get_args(FrameworkCode)

#: how often a page asks for the state of an unfinished job (htmx ``every``)
POLL = "1s"


def _job_texts(lang: str):  # type: ignore[no-untyped-def]
    """Template helpers: a job's progress message, error and parameter summary in ``lang``
    (catalog key + params when the job stored one; else its text as the job wrote it)."""
    from silkhub.i18n import format as fmt
    from silkhub.i18n import gettext, has

    def message(job: JobView) -> str:
        if job.progress_key and has(job.progress_key, lang):
            return gettext(job.progress_key, lang, **(job.progress_params or {}))
        return job.progress_message or ""

    def error(job: JobView) -> str:
        if job.error_key and job.error_params is not None and has(job.error_key, lang):
            return gettext(job.error_key, lang, **job.error_params)
        if job.error_key and not job.error_params and has(job.error_key, lang):
            return gettext(job.error_key, lang)
        return job.error_message or gettext("jobs.error.failed", lang)

    def summary(job: JobView) -> str:
        p = job.params or {}
        if job.kind == "index.compute" and p:
            runs = fmt.fmt_number(p.get("mc_runs", 0), lang)
            return f"{p.get('framework', '')} · {gettext('jobs.summary.mc', lang, runs=runs)}"
        if job.kind in ("event.schedule", "report.hub") and p.get("event_id"):
            return gettext("jobs.summary.event", lang, id=p["event_id"])
        if job.kind == "hub.duplicates" and p:
            return p.get("region") or gettext("jobs.summary.all_regions", lang)
        for key in ("unit", "spec", "source"):
            if p.get(key):
                return str(p[key])
        return ""

    return {"job_message": message, "job_error": error, "job_summary": summary}


def _ctx(
    request: Request,
    form: Form | None = None,
    *,
    index_form: Form | None = None,
    dup_form: Form | None = None,
) -> dict:
    user = require_user(request)
    items, _next = job_service(runtime_of(request)).list(user.actor, mine=True, limit=50)
    form = form or Form(
        {
            "unit": "Jinan",
            "peers": "Hangzhou,Qingdao",
            "format": "pdf",
            "lang": request_lang(request),
        }
    )
    return {
        **_job_texts(request_lang(request)),
        "jobs": items,
        "form": form,
        "index_form": index_form or Form({"framework": FRAMEWORKS[0], "mc_runs": "1000"}),
        "dup_form": dup_form or Form({"region": "", "threshold": ""}),
        "framework_options": [(f, f) for f in FRAMEWORKS],
        "poll": POLL,
        "format_options": [(f, f.upper()) for f in FORMATS],
        "lang_options": [("en", "English"), ("zh", "中文")],
    }


def _row_ctx(request: Request, job: JobView) -> dict:
    return {"job": job, "poll": POLL, **_job_texts(request_lang(request))}


@router.get("", response_class=HTMLResponse)
def jobs_page(request: Request) -> HTMLResponse:
    """My jobs (newest first) and the form that starts a region report as a job."""
    return render(request, "jobs.html", _ctx(request))


@router.get("/{job_id}/row", response_class=HTMLResponse)
def job_row(request: Request, job_id: str) -> HTMLResponse:
    """One job's row (polled by htmx while the job runs; stops polling once it ended)."""
    user = require_user(request)
    job: JobView = job_service(runtime_of(request)).get(user.actor, job_id)
    return render(request, "_job_row.html", _row_ctx(request, job))


@router.post("/region-report")
async def start_region_report(request: Request) -> Response:
    """Start ``report.region`` as a job (CSRF-checked form); back to the list, or the form
    again with the message next to the field."""
    user = require_user(request)
    form = await Form.from_request(request)
    form.text("unit", required=True, max_len=100)
    form.choice("format", FORMATS, required=True)
    form.choice("lang", ("en", "zh"))
    if form.ok:
        params = {
            "unit": form.value("unit"),
            "peers": form.value("peers"),
            "format": form.value("format"),
            "lang": form.value("lang") or request_lang(request),
        }
        try:
            job_service(runtime_of(request)).submit(user.actor, "report.region", params)
        except SilkhubError as exc:
            value = getattr(exc, "value", None)
            if getattr(exc, "field", None) == "region" and value:
                target = (
                    "unit"
                    if value.strip().casefold() == params["unit"].strip().casefold()
                    else "peers"
                )
                form.error(target, "form.unknown_region", value=value)
            else:
                form.error("unit", "form.service", message=exc.message)
    if not form.ok:
        return render(request, "jobs.html", _ctx(request, form), status_code=422)
    return RedirectResponse("/jobs", status_code=303)


@router.post("/index")
async def start_index(request: Request) -> Response:
    """Start ``index.compute`` (Monte Carlo rank intervals) as a job (CSRF-checked form)."""
    user = require_user(request)
    form = await Form.from_request(request)
    framework = form.choice("framework", FRAMEWORKS, required=True)
    runs = form.integer("mc_runs", required=True)
    if runs is not None and not 1 <= runs <= MAX_JOB_MC:
        form.error(
            "mc_runs", "jobs.between", low=1, high=fmt_number(MAX_JOB_MC, request_lang(request))
        )
    if form.ok:
        params = {"framework": framework, "mc_runs": runs, "lang": request_lang(request)}
        _submit(request, user, form, "index.compute", params, {"params.mc_runs": "mc_runs"})
    if not form.ok:
        return render(request, "jobs.html", _ctx(request, index_form=form), status_code=422)
    return RedirectResponse("/jobs", status_code=303)


@router.post("/duplicates")
async def start_duplicates(request: Request) -> Response:
    """Start ``hub.duplicates`` (repeated-construction clusters) as a job (CSRF-checked)."""
    user = require_user(request)
    form = await Form.from_request(request)
    region = form.text("region", max_len=100)
    threshold = None
    raw = form.value("threshold").replace(",", ".")
    if raw:
        try:
            threshold = float(raw)
        except ValueError:
            form.error("threshold", "form.number")
        else:
            if not 0.01 <= threshold <= 1:
                form.error("threshold", "jobs.between", low="0.01", high="1")
    if form.ok:
        params = {"region": region, "threshold": threshold}
        fields = {"params.threshold": "threshold", "params.region": "region"}
        _submit(request, user, form, "hub.duplicates", params, fields)
    if not form.ok:
        return render(request, "jobs.html", _ctx(request, dup_form=form), status_code=422)
    return RedirectResponse("/jobs", status_code=303)


def _submit(request: Request, user, form: Form, kind: str, params: dict, fields: dict) -> None:  # type: ignore[no-untyped-def]
    """Submit; a service error goes next to its field (``fields`` maps the job's names)."""
    try:
        job_service(runtime_of(request)).submit(user.actor, kind, params)
    except SilkhubError as exc:
        if getattr(exc, "field", None) == "region":  # unknown region (404 of the job check)
            form.error("region", "form.unknown_region", value=getattr(exc, "value", ""))
        else:
            form.absorb(exc, next(iter(fields.values())), fields)


@router.post("/{job_id}/cancel")
async def cancel_job(request: Request, job_id: str) -> Response:
    """Cancel (CSRF-checked); htmx swaps the row, a plain form goes back to the list."""
    user = require_user(request)
    await Form.from_request(request)
    job = job_service(runtime_of(request)).cancel(user.actor, job_id)
    if request.headers.get("hx-request"):
        return render(request, "_job_row.html", _row_ctx(request, job))
    return RedirectResponse("/jobs", status_code=303)


@router.get("/{job_id}/download")
def download(request: Request, job_id: str, index: int = 0) -> Response:
    """The job's file (the report)."""
    user = require_user(request)
    name, media_type, content = job_service(runtime_of(request)).file(user.actor, job_id, index)
    disposition = "inline" if media_type.startswith("text/html") else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )
