"""World boundaries from the vendored ``world-atlas`` TopoJSON, as GeoJSON keyed by ISO3.

The web UI (ECharts ``registerMap``) and the server-side SVG maps of the reports both use
:func:`world_geojson`, so a country looks the same on screen and on paper.
"""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

WORLD_ATLAS = (
    Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "world-atlas"
) / "countries-110m.json"

#: features of world-atlas without an ISO numeric id, by their name
_NAMELESS_IDS = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}


def numeric_to_iso3(numeric: str | None, name: str | None = None) -> str | None:
    """ISO 3166 alpha-3 code for an ISO numeric code such as ``"156"`` (China -> ``CHN``)."""
    if numeric:
        c = pycountry.countries.get(numeric=str(numeric).zfill(3))
        if c is not None:
            return str(c.alpha_3)
    if name:
        return _NAMELESS_IDS.get(name)
    return None


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc (undoing delta encoding and quantisation)."""
    tr = topo.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        pts: list[tuple[float, float]] = []
        x = y = 0.0
        for p in arc:
            if tr:
                x += p[0]
                y += p[1]
                sx, sy = tr["scale"]
                tx, ty = tr["translate"]
                pts.append((x * sx + tx, y * sy + ty))
            else:
                pts.append((float(p[0]), float(p[1])))
        arcs.append(pts)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    out: list[list[float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        # consecutive arcs share their joining point
        start = 1 if out else 0
        out.extend([round(x, 3), round(y, 3)] for x, y in pts[start:])
    return _unwrap_antimeridian(out)


def _unwrap_antimeridian(ring: list[list[float]]) -> list[list[float]]:
    """Keep a ring that crosses the 180° meridian on one side (planar maps draw no stripe).

    Points on the far side are clamped to ±180 (Chukotka, Fiji): at 1:110m this loses a
    sliver of land but avoids a polygon spanning the whole map.
    """
    if not any(abs(a[0] - b[0]) > 180 for a, b in itertools.pairwise(ring)):
        return ring
    east = sum(1 for x, _ in ring if x > 0) >= len(ring) / 2
    return [[(180.0 if x < 0 else x) if east else (-180.0 if x > 0 else x), y] for x, y in ring]


def topojson_to_geojson(topo: dict[str, Any], obj: str = "countries") -> dict[str, Any]:
    """Convert one TopoJSON object collection to a GeoJSON FeatureCollection.

    Each feature gets ``properties.name`` = ISO3 code (the key ECharts matches data on) and
    ``properties.label`` = the atlas' English name. Features without a known code are kept with
    their atlas name as ``name``.
    """
    arcs = _decode_arcs(topo)
    features = []
    for g in topo["objects"][obj]["geometries"]:
        props = g.get("properties") or {}
        iso3 = numeric_to_iso3(g.get("id"), props.get("name"))
        if g["type"] == "Polygon":
            geom = {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in g["arcs"]]}
        elif g["type"] == "MultiPolygon":
            geom = {
                "type": "MultiPolygon",
                "coordinates": [[_ring(r, arcs) for r in poly] for poly in g["arcs"]],
            }
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "id": iso3 or props.get("name"),
                "properties": {"name": iso3 or props.get("name"), "label": props.get("name")},
                "geometry": geom,
            }
        )
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def world_geojson() -> dict[str, Any]:
    """The world (1:110m) as GeoJSON, features named by ISO3, without Antarctica (cached)."""
    topo = json.loads(WORLD_ATLAS.read_text("utf-8"))
    geo = topojson_to_geojson(topo)
    geo["features"] = [f for f in geo["features"] if f["properties"]["name"] != "ATA"]
    return geo


@lru_cache(maxsize=1)
def world_geojson_text() -> str:
    """:func:`world_geojson` serialised once (served to browsers)."""
    return json.dumps(world_geojson(), separators=(",", ":"))
