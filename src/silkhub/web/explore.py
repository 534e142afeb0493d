"""Analytics pages: country and region profiles, index & benchmark, partner potential.

Each page builds its figures with the :mod:`silkhub.report` builders (the same builders as the
reports) and shows how to import what is missing instead of failing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silkhub.data.reference.queries import (
    get_country,
    list_countries,
    list_regions,
    year_only_on,
)
from silkhub.errors import SilkhubError
from silkhub.i18n import pick
from silkhub.report.benchmark import index_benchmark
from silkhub.report.common import country_labels
from silkhub.report.country import country_profile
from silkhub.report.figures import Figure
from silkhub.report.region import region_profile, resolve_regions
from silkhub.web.forms import Form
from silkhub.web.pages import (
    GROUPS,
    parse_as_of,
    render,
    request_lang,
    runtime_of,
    store_reader,
    translator,
)

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

#: computed page parts by (page, inputs, language, analytics-store versions); the index
#: benchmark and partner potential are pure functions of those, so a repeated view is served
#: without recomputing the index (Monte Carlo) or the gravity targets (issue 16: page < 0.3 s)
_RESULTS: OrderedDict[tuple, Any] = OrderedDict()
_RESULTS_MAX = 64
_RESULTS_LOCK = threading.Lock()


def store_token(reader) -> tuple:
    """Which analytics store and what it holds: its folder, then (dataset, version, sha256) of
    every current version."""
    out: list[Any] = [str(getattr(reader, "analytics_dir", ""))]
    for name in reader.names():
        info = reader.info(name)
        out.append((name, getattr(info, "version", None), getattr(info, "sha256", None)))
    return tuple(out)


def cached_result(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per ``key`` (an LRU of :data:`_RESULTS_MAX` entries)."""
    with _RESULTS_LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
    value = compute()
    with _RESULTS_LOCK:
        _RESULTS[key] = value
        while len(_RESULTS) > _RESULTS_MAX:
            _RESULTS.popitem(last=False)
    return value


def clear_results() -> None:
    """Forget the cached page parts (tests)."""
    with _RESULTS_LOCK:
        _RESULTS.clear()


@router.get("/countries", response_class=HTMLResponse)
def countries_page(request: Request, group: str = "bri", as_of: str | None = None):
    """Countries, optionally the members of a group as of a date."""
    lang = request_lang(request)
    day = parse_as_of(as_of)
    with runtime_of(request).session() as s:
        rows = list_countries(s, group=None if group == "all" else group, as_of=day, lang=lang)
        # an answer on a day of a year whose signings are known to the year only says so
        year_only = [] if group == "all" else [c for c, _ in year_only_on(s, group, day)]
    return render(
        request,
        "countries.html",
        {
            "rows": rows,
            "group": group,
            "groups": ("all", *GROUPS),
            "as_of": day.isoformat(),
            "year_only": year_only,
            "has_year_dates": any(r.joined_precision == "year" for r in rows),
        },
    )


@router.get("/countries/{code}", response_class=HTMLResponse)
def country_page(request: Request, code: str):
    """Country profile: facts, openness over time, B&R partners, what next."""
    lang = request_lang(request)
    reader = store_reader(request)
    try:
        with runtime_of(request).session() as s:
            c = get_country(s, code)
            profile = country_profile(s, reader, c.iso3, lang, translator(lang), date.today())
    finally:
        reader.close()
    return render(
        request,
        "profile.html",
        {"profile": profile, "kind": "country", "code": c.iso3, "report_url": None},
    )


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, level: str | None = None):
    lang = request_lang(request)
    with runtime_of(request).session() as s:
        names = {r.region_id: pick(r.name_en, r.name_zh, lang) for r in list_regions(s)}
        regions = [
            {
                "region_id": r.region_id,
                "name": pick(r.name_en, r.name_zh, lang),
                "level": r.level,
                "parent_id": r.parent_id or "",
                # the parent by its name in the page's language (reference data), not its id
                "parent": names.get(r.parent_id or "", r.parent_id or ""),
            }
            for r in list_regions(s, level=level if level in ("province", "city") else None)
        ]
    return render(request, "regions.html", {"regions": regions, "level": level or ""})


@router.get("/regions/{region_id}", response_class=HTMLResponse)
def region_page(request: Request, region_id: str, peers: str = ""):
    """Region profile against peers (``?peers=Hangzhou,Qingdao``)."""
    lang = request_lang(request)
    reader = store_reader(request)
    try:
        with runtime_of(request).session() as s:
            region, peer_regions = resolve_regions(
                s, region_id, [p for p in peers.split(",") if p.strip()]
            )
            profile = region_profile(
                s, reader, region, peer_regions, lang, translator(lang), date.today()
            )
            rid = region.region_id
    finally:
        reader.close()
    q = f"unit={rid}&peers={peers}"
    return render(
        request,
        "profile.html",
        {
            "profile": profile,
            "kind": "region",
            "code": rid,
            "peers": peers,
            "report_url": f"/reports/region?{q}",
        },
    )


# -- index & benchmark ----------------------------------------------------------------------
@router.get("/benchmark", response_class=HTMLResponse)
def benchmark_page(request: Request, unit: str = "Jinan", peers: str = "Hangzhou,Qingdao"):
    """Internationalisation index: radar of pillars vs peers, ranks with intervals,
    strengths and weaknesses (index service), else a regional-indicator comparison."""
    lang = request_lang(request)
    t = translator(lang)
    form = Form({"unit": unit, "peers": peers})
    result = None
    form.text("unit", required=True, max_len=200)
    if form.ok:
        reader = store_reader(request)
        try:
            with runtime_of(request).session() as s:
                region, peer_regions = None, []
                try:
                    region, _ = resolve_regions(s, unit, [])
                except SilkhubError as exc:
                    form.absorb(exc, "unit", fields={"region": "unit"})
                for p in [p for p in peers.split(",") if p.strip()]:
                    try:  # each unknown peer is named next to the peers field
                        peer_regions.append(resolve_regions(s, p, [])[0])
                    except SilkhubError as exc:
                        form.absorb(exc, "peers", fields={"region": "peers"})
                if form.ok and region is not None:
                    peer_regions = [r for r in peer_regions if r.region_id != region.region_id]
                    key = (
                        "benchmark",
                        region.region_id,
                        tuple(r.region_id for r in peer_regions),
                        lang,
                        store_token(reader),
                    )
                    result = cached_result(
                        key,
                        lambda: benchmark_result(s, reader, region, peer_regions, lang, t),
                    )
        finally:
            reader.close()
    return render(
        request,
        "benchmark.html",
        {"form": form, "result": result},
        status_code=200 if form.ok else 422,
    )


def benchmark_result(session, reader, region, peers, lang, t) -> dict:
    """Figures and tables of the benchmark page (index service)."""
    bm = index_benchmark(session, reader, region, peers, lang, t)
    return {
        "figures": bm.section.figures,
        "missing": bm.section.missing,
        "note": bm.section.note,
        "ranks": bm.ranks,
        "strengths": bm.strengths,
        "weaknesses": bm.weaknesses,
        "needs": bm.needs,
        "framework": bm.framework,
        "year": bm.year,
    }


# -- partner potential -----------------------------------------------------------------
@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request, reporter: str = "CHN", year: str = "2019"):
    """Partner potential: gravity-predicted vs actual trade and the target score."""
    lang = request_lang(request)
    t = translator(lang)
    form = Form({"reporter": reporter, "year": year})
    yr = form.integer("year", required=True)
    figures: list[Figure] = []
    table: list[dict] = []
    notes: list[str] = []
    missing: list[str] = []
    if yr is not None and not 1990 <= yr <= 2100:
        form.error("year", "form.year_range")
    if form.ok:
        settings = runtime_of(request).settings
        from silkhub.analytics.gravity_service import GravityService

        svc = GravityService(
            settings.analytics_dir / "gravity", shared=None, store_root=settings.analytics_dir
        )
        try:
            with runtime_of(request).session() as s:
                code = get_country(s, reporter).iso3
                labels = country_labels(s, lang)
            reader = store_reader(request)
            try:
                token = store_token(reader)
            finally:
                reader.close()

            def compute() -> tuple[list[Figure], list[dict], list[str]]:
                scored, meta = svc.targets(code, int(yr or 0))
                figs, rows = _potential_figures(scored, meta, labels, t)
                return figs, rows, list(meta.get("notes", []))

            figures, table, notes = cached_result(
                ("partners", code, int(yr or 0), lang, token), compute
            )
        except SilkhubError as exc:
            form.absorb(exc, "year" if "year" in exc.message else "reporter")
    return render(
        request,
        "partners.html",
        {"form": form, "figures": figures, "table": table, "notes": notes, "missing": missing},
        status_code=200 if form.ok else 422,
    )


def _potential_figures(scored: pd.DataFrame, meta: dict, labels: dict, t):
    src = [
        f"gravity model {meta.get('model')} (n={meta.get('model_nobs')})",
        str(meta.get("actual_source", "")),
    ]
    top = scored.dropna(subset=["score"]).head(15)
    bar = Figure(
        id="targets",
        kind="bar",
        title=t("fig.targets", year=meta.get("year")),
        items=[
            (labels.get(p, p), round(float(v), 3))
            for p, v in zip(top.partner, top.score, strict=True)
        ],
        sources=src,
        note=t("note.targets"),
    )
    gaps = scored.dropna(subset=["gap_usd"])
    gap_map = Figure(
        id="gap-map",
        kind="map",
        title=t("fig.gap_map", year=meta.get("year")),
        values={p: max(0.0, float(g)) for p, g in zip(gaps.partner, gaps.gap_usd, strict=True)},
        labels=labels,
        sources=src,
    )
    table = [
        {
            "partner": labels.get(r.partner, r.partner),
            "iso3": r.partner,
            "predicted_usd": r.predicted_usd,
            "actual_usd": r.actual_usd,
            "ratio": r.ratio,
            "gap_usd": r.gap_usd,
            "score": r.score,
            "parts": getattr(r, "parts_used", ""),
        }
        for r in scored.head(40).itertuples()
    ]
    return [bar, gap_map], table
