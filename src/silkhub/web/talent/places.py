"""The living-environment directory: international schools, hospitals, hotels, consulates and
service centres by city and kind, on a map and in a table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silkhub.errors import SilkhubError
from silkhub.hub import places as places_svc
from silkhub.hub.matching.reasons import country_names, region_names
from silkhub.i18n import pick
from silkhub.report.figures import Figure
from silkhub.web.forms import Form
from silkhub.web.pages import render, request_lang, runtime_of, translator
from silkhub.web.talent.common import absorb

router = APIRouter(include_in_schema=False)


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
    lang = request_lang(request)
    t = translator(lang)
    form = Form({"region": region, "kind": kind})
    rows: list[dict] = []
    figures: list[Figure] = []
    with runtime_of(request).session() as s:
        form.choice("kind", places_svc.KINDS)
        found = []
        try:
            found = places_svc.list_places(
                s,
                region=region.strip() or None,
                kind=kind if form.ok else None,
                limit=2000,
            )
        except SilkhubError as exc:
            absorb(form, exc, "region")
        if form.ok:
            regions, labels = region_names(s, lang), country_names(s, lang)
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
                        sources=[t("places.map_source")],
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
