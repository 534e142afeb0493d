"""Provenance lines, chart-table headers and analytics notes in the page's language.

The report builders and analytics services write their figure sources and notes as English
text (``"wdi: wdi v1: Demo: WDI … (https://…); imported 2026-12-03; sha256 045e…"``). Until they
carry message keys, the web shows them in zh through a closed table: each known source or note
shape maps to a catalog key (``source.*``, ``note.*``); the dataset provenance line keeps its
codes, URL, date and hash and takes the dataset's title from ``dataset.title.<name>``. Text of
an unknown shape is shown as it is (nothing is lost), and a Chinese citation followed by its
English translation in parentheses keeps the Chinese original only.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from silkhub.i18n import gettext, has
from silkhub.i18n.format import fmt_date

#: exact English source texts -> catalog key
_EXACT = {
    "silkhub reference data: group_membership (dated intervals with sources)": (
        "source.reference_membership"
    ),
    "silkhub hub database: projects (current stage; US$ at the year's exchange rate)": (
        "source.hub_projects"
    ),
    "silkhub.analytics.openness (formulas in docs)": "source.openness",
    "regional (latest year per indicator; scaled to the best region = 100)": (
        "source.regional_scaled"
    ),
    "silkhub demo city data": "source.demo_city_data",
    "OpenFlights": "source.openflights",
    "packaged snapshot of China–B&R trade (shared data not available)": "source.packaged_trade",
    "silkhub demo city data (analytics/demo_data/city_indicators.csv; 'recalled' values)": (
        "source.demo_city_file"
    ),
    "silkhub hub directory: living-environment places (source per place) and live talent "
    "profiles (foreign nationality, based in the city)": "source.hub_directory",
}
#: known source shapes -> catalog key (named groups become params)
_SHAPES = [
    (
        re.compile(r"^silkhub\.analytics\.index_service: (?P<framework>[\w-]+), (?P<year>\d{4})$"),
        "source.index_service",
    ),
    (
        re.compile(
            r"^OpenFlights (?P<files>\S+) \((?P<repo>\S+) @(?P<commit>\w+), route snapshot "
            r"c\. (?P<year>\d{4})\), computed by silkhub$"
        ),
        "source.openflights_routes",
    ),
    (
        re.compile(
            r"^Ministry of Foreign Affairs of the PRC, list of foreign consular posts in "
            r"China \((?P<year>\d{4})\)$"
        ),
        "source.mfa_consulates",
    ),
    (
        re.compile(
            r"^seed paper (?P<no>\d+): (?P<authors>.+?), '(?P<title>.+)' \(c\. (?P<year>\d{4})\)$"
        ),
        "source.seed_paper",
    ),
]
_STORE_DATASET = re.compile(
    r"^analytics store dataset (?P<name>[a-z0-9_]+)(?: \(covariates: (?P<cov>.*)\))?$"
)
_GRAVITY = re.compile(r"^gravity model (?P<model>\S+) \(n=(?P<n>\d+)\)$")
_DATASET_LINE = re.compile(
    r"^(?:(?P<prefix>[a-z0-9_]+): )?(?P<name>[a-z0-9_]+) v(?P<version>\d+): (?P<title>.*?)"
    r"(?: \((?P<url>https?://[^)\s]+)\))?; imported (?P<date>\d{4}-\d{2}-\d{2}); "
    r"sha256 (?P<sha>[0-9a-f]+)$"
)
#: "; " separates sources, except inside a dataset line ("; imported …; sha256 …") or a
#: parenthesis (checked by the balance of the text before the separator)
_SPLIT = re.compile(r"; (?!imported |sha256 )(?![^()]*\))")
_ZH_CITATION = re.compile(r"^(?P<zh>[^\x00-\x7f].*?) \((?P<en>[A-Za-z][^()]*)\)$")
_PREFIXED = re.compile(r"^(?P<head>regional|OpenFlights): (?P<rest>.+)$")

#: analytics notes (partner potential) -> catalog key and named groups as params
_NOTES = [
    (
        re.compile(r"^no prediction \(missing distance or GDP\) for: (?P<codes>.+)$"),
        "note.no_prediction",
    ),
    (
        re.compile(r"^no trade data for (?P<n>\d+) partner\(s\): (?P<codes>.+)$"),
        "note.no_trade_data",
    ),
    (
        re.compile(
            r"^complementarity and RCA fit need bilateral product-level trade in the "
            r"analytics store for (?P<year>\d{4}) \(e\.g\. `(?P<cmd>[^`]+)`\); the score uses "
            r"the potential part only(?: \((?P<source>.*)\))?$"
        ),
        "note.no_complementarity",
    ),
]


def dataset_title(name: str, title: str, lang: str) -> str:
    """A dataset's title in ``lang`` (its own English title when the catalog has none)."""
    return _dataset_title(name, title, lang)


def _dataset_title(name: str, title: str, lang: str) -> str:
    key = f"dataset.title.{name}"
    if lang == "en" or not has(key, lang):
        return title
    text = gettext(key, lang)
    if title.startswith("Demo:"):
        text = gettext("dataset.demo_of", lang, title=text)
    return text


def _one(part: str, lang: str) -> str:
    if part in _EXACT:
        return gettext(_EXACT[part], lang)
    m = _DATASET_LINE.match(part)
    if m:
        return gettext(
            "source.dataset_line",
            lang,
            name=m["name"],
            version=m["version"],
            title=_dataset_title(m["name"], m["title"], lang),
            url=f" {m['url']}" if m["url"] else "",
            date=fmt_date(m["date"], lang),
            sha=m["sha"][:12],
        )
    for pattern, key in _SHAPES:
        m = pattern.match(part)
        if m:
            params = m.groupdict()
            if "framework" in params and has(f"framework.{params['framework']}", lang):
                params["framework"] = gettext(f"framework.{params['framework']}", lang)
            return gettext(key, lang, **params)
    m = _STORE_DATASET.match(part)
    if m:
        cov = m["cov"]
        return gettext("source.store_dataset", lang, name=m["name"]) + (
            gettext("source.covariates", lang, what=_one(cov, lang)) if cov else ""
        )
    m = _GRAVITY.match(part)
    if m:
        return gettext("source.gravity_model", lang, model=m["model"], n=m["n"])
    m = _PREFIXED.match(part)
    if m:
        head = gettext(_EXACT.get(m["head"], f"source.head.{m['head'].lower()}"), lang)
        return f"{head}: {source_text(m['rest'], lang)}"
    if lang == "zh":
        m = _ZH_CITATION.match(part)
        if m:
            return m["zh"]
    return part


def source_text(text: str, lang: str) -> str:
    """One figure source in ``lang`` (English unchanged; see the module docstring)."""
    if lang == "en" or not text:
        return text
    whole = _one(text, lang)
    if whole != text:
        return whole
    parts = _SPLIT.split(text)
    return "；".join(_one(p.strip(), lang) for p in parts) if len(parts) > 1 else text


def note_text(text: str, lang: str) -> str:
    """An analytics note in ``lang`` (unknown notes unchanged)."""
    if lang == "en":
        return text
    for pattern, key in _NOTES:
        m = pattern.match(text)
        if m:
            params = {k: v or "" for k, v in m.groupdict().items()}
            return gettext(key, lang, **params)
    return text


def note_html(text: str, lang: str) -> Markup:
    """:func:`note_text` as HTML, with a ``silkhub …`` command it names in ``<code>``."""
    out = escape(note_text(text, lang))
    return Markup(_COMMAND.sub(lambda m: f"<code>{m[0]}</code>", str(out)))


_COMMAND = re.compile(r"silkhub [a-z]+ [a-z]+(?: [a-z0-9_]+)?")


def column_text(column: str, lang: str) -> str:
    """A chart data-table header (``label``, ``value``, ``iso3`` …) in ``lang``."""
    key = f"fig.col.{column}"
    return gettext(key, lang) if has(key, lang) else column
