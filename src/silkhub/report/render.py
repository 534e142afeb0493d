"""Render a :class:`~silkhub.report.model.Profile` as HTML, PDF (WeasyPrint) or XLSX.

Charts are server-side SVG (:mod:`silkhub.report.svg`), so the PDF needs no browser; every
figure carries its sources and the report ends with the provenance of every dataset used.
"""

from __future__ import annotations

import io
import logging
import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from silkhub.errors import UnknownChoiceError
from silkhub.i18n import HTML_LANG, gettext
from silkhub.i18n.format import DASH, fmt_large, fmt_number
from silkhub.report.model import Profile

logger = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownChoiceError("report format", fmt, FORMATS, field="format")
    return fmt


def fmt_value(v: object, lang: str = "en") -> str:
    """Table cell text in ``lang`` (:mod:`silkhub.i18n.format`): amounts of a million or more
    scaled (``1.2 m`` / ``123.5万``), others with the locale's grouping and up to 2 decimals,
    below 1 three significant digits; '–' for missing; text as it is."""
    if v is None:
        return DASH
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float):
        if math.isnan(v):
            return DASH
        if abs(v) >= 1e6:
            return fmt_large(v, lang)
        if abs(v) < 1:
            return f"{v:.3g}"
        return fmt_number(v, lang)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10000:
        return fmt_number(v, lang)
    return str(v)


def render_html(profile: Profile, lang: str, *, command: str | None = None) -> str:
    """The report as a self-contained HTML page (inline SVG charts and CSS)."""

    def t(key: str, **params: object) -> str:
        return gettext(key, lang, **params)

    return _env.get_template("report.html").render(
        profile=profile,
        lang=lang,
        html_lang=HTML_LANG.get(lang, "en"),
        t=t,
        fmt=lambda v: fmt_value(v, lang),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=command,
    )


def render_pdf(profile: Profile, lang: str, *, command: str | None = None) -> bytes:
    """The report as PDF (WeasyPrint over :func:`render_html`)."""
    from weasyprint import HTML

    html = render_html(profile, lang, command=command)
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]\*\?/\\:]", " ", title).strip()[:28] or "sheet"
    base, i = name, 2
    while name.lower() in used:
        name = f"{base[:25]} {i}"
        i += 1
    used.add(name.lower())
    return name


def render_xlsx(profile: Profile, lang: str, *, command: str | None = None) -> bytes:
    """The report as a workbook: a summary sheet, one sheet per figure and table (with its
    sources under the data) and a provenance sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def t(key: str, **params: object) -> str:
        return gettext(key, lang, **params)

    wb = Workbook()
    ws = wb.active
    ws.title = t("report.summary")[:28]
    bold = Font(bold=True)
    ws.append([profile.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([profile.subtitle])
    ws.append([t("report.generated", date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))])
    if command:
        ws.append([command])
    ws.append([])
    for label, value in profile.kpis:
        ws.append([label, value])
    for sec in profile.sections:
        ws.append([])
        ws.append([sec.title])
        ws.cell(ws.max_row, 1).font = bold
        for k, v in sec.facts:
            ws.append([k, v])
        for hint in sec.missing:
            ws.append([t("data.missing"), hint])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    used = {ws.title.lower()}

    def add_sheet(title: str, columns: list[str], rows: list[list[object]], sources: list[str]):
        sh = wb.create_sheet(_sheet_name(title, used))
        sh.append([title])
        sh["A1"].font = bold
        sh.append(columns)
        for c in sh[2]:
            c.font = bold
        for row in rows:
            sh.append([float(v) if isinstance(v, Decimal) else v for v in row])
        sh.append([])
        for s in sources:
            sh.append([f"{t('fig.source')}: {s}"])
        for i in range(1, len(columns) + 1):
            sh.column_dimensions[sh.cell(2, i).column_letter].width = 22

    for sec in profile.sections:
        for fig in sec.figures:
            add_sheet(fig.title, fig.columns(t), fig.rows(), fig.sources)
        for tb in sec.tables:
            add_sheet(tb.title, tb.columns, tb.rows, tb.sources)
    prov = wb.create_sheet(_sheet_name(t("report.provenance"), used))
    prov.append([t("report.provenance")])
    prov["A1"].font = bold
    for s in profile.sources():
        prov.append([s])
    prov.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(profile: Profile, fmt: str, lang: str, *, command: str | None = None) -> bytes:
    """Render in ``fmt`` (html, pdf or xlsx) as bytes."""
    check_format(fmt)
    if fmt == "html":
        return render_html(profile, lang, command=command).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(profile, lang, command=command)
    return render_xlsx(profile, lang, command=command)
