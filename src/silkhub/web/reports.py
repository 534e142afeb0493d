"""Report downloads from the UI: the same builders and renderers as ``silkhub report``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from silkhub.errors import SilkhubError
from silkhub.report.builders import hub_report, region_report
from silkhub.report.render import FORMATS, MEDIA_TYPES, render
from silkhub.web.forms import Form
from silkhub.web.pages import render as render_page
from silkhub.web.pages import request_lang, runtime_of, store_reader
from silkhub.web.session import current_actor

router = APIRouter(prefix="/reports", include_in_schema=False)


def _download(data: bytes, fmt: str, name: str) -> Response:
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'},
    )


@router.get("", response_class=HTMLResponse)
def reports_page(request: Request) -> HTMLResponse:
    """The report form (region against peers) and links to event reports."""
    form = Form(
        {
            "unit": "Jinan",
            "peers": "Hangzhou,Qingdao",
            "format": "pdf",
            "lang": request_lang(request),
        }
    )
    return render_page(request, "reports.html", {"form": form, **_choices(request)})


def _choices(request: Request) -> dict:
    from silkhub.web.pages import translator

    t = translator(request_lang(request))
    return {
        "format_options": [(f, f.upper()) for f in FORMATS],
        "lang_options": [("en", "English"), ("zh", "中文")],
        "t_formats": t,
    }


@router.get("/region")
def region_download(
    request: Request,
    unit: str = "",
    peers: str = "",
    format: str = "html",
    lang: str | None = None,
) -> Response:
    """``/reports/region?unit=Jinan&peers=Hangzhou,Qingdao&format=pdf``; a bad field
    re-renders the form with the message next to it (input kept)."""
    report_lang = lang if lang in ("en", "zh") else request_lang(request)
    form = Form({"unit": unit, "peers": peers, "format": format, "lang": report_lang})
    form.text("unit", required=True, max_len=100)
    fmt = form.choice("format", FORMATS, required=True)
    if form.ok:
        reader = store_reader(request)
        try:
            with runtime_of(request).session() as s:
                profile = region_report(
                    s, reader, unit, [p for p in peers.split(",") if p.strip()], report_lang
                )
        except SilkhubError as exc:
            field = getattr(exc, "field", None)
            target = "peers" if field == "region" and unit_ok(exc, unit) else "unit"
            # the service's message key and params, shown in the page's language
            form.absorb(exc, target, fields={"region": target, "unit": "unit"})
        finally:
            reader.close()
    if not form.ok:
        return render_page(
            request, "reports.html", {"form": form, **_choices(request)}, status_code=422
        )
    data = render(profile, fmt or "html", report_lang, command=_command(unit, peers, fmt))
    slug = unit.strip().lower().replace(" ", "-")
    return _download(data, fmt or "html", f"silkhub-region-{slug}")


def unit_ok(exc: SilkhubError, unit: str) -> bool:
    """True when the unknown region named in ``exc`` is not the unit (so it is a peer)."""
    value = getattr(exc, "value", None)
    return value is not None and value.strip().casefold() != unit.strip().casefold()


def _command(unit: str, peers: str, fmt: str | None) -> str:
    cmd = f"silkhub report region --unit {unit}"
    if peers:
        cmd += f" --peers {peers}"
    return cmd + f" --format {fmt}"


@router.get("/hub")
def hub_download(request: Request, event: int, format: str = "html") -> Response:
    """``/reports/hub?event=1&format=pdf``: the event report."""
    form = Form({"format": format})
    fmt = form.choice("format", FORMATS, required=True)
    if not form.ok:
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("report format", format, FORMATS, field="format")
    lang = request_lang(request)
    with runtime_of(request).session() as s:
        profile = hub_report(s, current_actor(request), event, lang)
    data = render(
        profile, fmt or "html", lang, command=f"silkhub report hub --event {event} --format {fmt}"
    )
    return _download(data, fmt or "html", f"silkhub-event-{event}")
