"""Small, dependency-free SVG charts for reports (PDF via WeasyPrint, HTML, e-mail).

They draw the same figures as the ECharts charts of the web UI: horizontal bars, lines over
time, a radar of index pillars and a world choropleth. Every function returns an ``<svg>``
string with a ``<title>`` (accessible name) and uses the CJK-capable font stack.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from html import escape

from silkhub.report.geo import world_geojson

FONT = "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"
PALETTE = ("#b3261e", "#0b5cad", "#2e7d32", "#8e24aa", "#ef6c00", "#00838f", "#5d4037")
GREY = "#d0d7de"
TEXT = "#1b1f24"


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def fmt_number(value: float | None, digits: int = 1) -> str:
    """Compact number: 1234567 -> ``1.2M``; ``None`` -> ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.{digits}f}{suffix}"
    if v == int(v):
        return f"{int(v)}"
    return f"{v:.{digits + 1}f}" if abs(v) < 10 else f"{v:.{digits}f}"


#: how a number is written on a chart (value labels, axes); reports pass the locale's
Formatter = Callable[[float | None], str]


def text_units(text: str) -> int:
    """Visual width of ``text`` in half-em units: a CJK (full-width) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip_text(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` half-em units (see :func:`text_units`), with "…"."""
    if text_units(text) <= units:
        return text
    out, used = [], 1
    for ch in text:
        w = text_units(ch)
        if used + w > units:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    highlight: Sequence[str] = (),
    width: int = 640,
    unit: str = "",
    fmt: Formatter = fmt_number,
) -> str:
    """Horizontal bars, largest first as given; ``highlight`` labels are drawn in the accent.
    Labels longer than the label column are cut (full-width characters count double)."""
    label_w, bar_h, gap, top = 170, 18, 6, 28
    height = top + len(items) * (bar_h + gap) + 10
    vmax = max((abs(v) for _, v in items), default=1.0) or 1.0
    plot_w = width - label_w - 70
    parts = [f'<text x="0" y="16" font-weight="700" fill="{TEXT}">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = max(1.0, plot_w * abs(value) / vmax)
        color = PALETTE[0] if label in highlight else PALETTE[1]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{TEXT}">'
            f"{escape(clip_text(label, 26))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" fill="{TEXT}">'
            f"{escape(fmt(value))}{escape(unit)}</text>"
        )
    return _svg(width, height, title, "".join(parts))


def line_chart(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
    unit: str = "",
    fmt: Formatter = fmt_number,
) -> str:
    """Lines over x (years); one colour per series with a legend underneath."""
    left, right, top, bottom = 56, 16, 28, 48
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts if y is not None]
    parts = [f'<text x="0" y="16" font-weight="700" fill="{TEXT}">{escape(title)}</text>']
    if not xs or not ys:
        parts.append(f'<text x="{left}" y="{top + 40}" fill="#57606a">–</text>')
        return _svg(width, height, title, "".join(parts))
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    ymin = min(0.0, min(ys))
    ymax = _nice_max(max(ys))
    pw, ph = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + pw * (x - x0) / (x1 - x0)

    def sy(y: float) -> float:
        return top + ph - ph * (y - ymin) / (ymax - ymin or 1)

    for k in range(5):
        yv = ymin + (ymax - ymin) * k / 4
        yy = sy(yv)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GREY}"/>'
            f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end" fill="#57606a">'
            f"{escape(fmt(yv))}{escape(unit)}</text>"
        )
    for xv in sorted({int(x0), int((x0 + x1) / 2), int(x1)}):
        parts.append(
            f'<text x="{sx(xv):.1f}" y="{top + ph + 16}" text-anchor="middle" '
            f'fill="#57606a">{xv}</text>'
        )
    for i, (name, pts) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts if y is not None)
        if coords:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        lx = left + i * 150
        ly = height - 10
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{ly}" fill="{TEXT}">{escape(clip_text(name, 20))}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def _wrap(label: str, width: int = 16) -> list[str]:
    """Split a label into at most two lines of about ``width`` half-em units (a CJK character
    counts 2; Latin text breaks at a space when it can), the second cut with "…"."""
    if text_units(label) <= width:
        return [label]
    used, cut = 0, len(label)
    for i, ch in enumerate(label):
        used += text_units(ch)
        if used > width:
            cut = i
            break
    space = label.rfind(" ", 0, cut + 1)
    if space > 0:
        cut = space
    first, rest = label[:cut].strip(), label[cut:].strip()
    return [first, clip_text(rest, width)] if rest else [first]


def radar_chart(
    axes: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    max_value: float = 100.0,
    size: int = 300,
) -> str:
    """A radar (spider) chart: one polygon per series over the same axes (0..max_value).

    Layout, top to bottom: the title band (28 px), room for the tallest axis label above the
    chart, the chart (radius ``size / 2 - 20``), room for the labels below it, the legend.
    Axis labels wrap to two lines of at most 18 half-em units, so neither the title nor the
    page edge cuts them.
    """
    pad, line_h, wrap = 130, 14, 18
    width = size + 2 * pad
    r = size / 2 - 20
    n = max(len(axes), 3)
    label_r = 1.12
    wrapped = [_wrap(a, wrap) for a in axes]
    max_lines = max((len(w) for w in wrapped), default=1)
    title_band = 28
    cy = title_band + line_h * max_lines + 8 + r * label_r
    cx = width / 2
    legend_y = cy + r * label_r + line_h * max_lines + 18
    cols = max(1, width // 130)
    legend_rows = math.ceil(len(series) / cols) if series else 0
    height = int(legend_y + 18 * legend_rows + 4)
    parts = [f'<text x="0" y="16" font-weight="700" fill="{TEXT}">{escape(title)}</text>']

    def pt(i: int, frac: float) -> tuple[float, float]:
        a = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * frac * math.cos(a), cy + r * frac * math.sin(a)

    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (pt(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="{GREY}"/>')
    for i, lines in enumerate(wrapped):
        x, y = pt(i, 1.0)
        lx, ly = pt(i, label_r)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        if ly < cy - 5:  # above the centre: the last line sits at the label point
            ly -= line_h * (len(lines) - 1)
        elif abs(ly - cy) <= 5:  # level with the centre: centred on it
            ly -= line_h * (len(lines) - 1) / 2
        else:  # below: the first line hangs under the label point
            ly += 8
        parts.append(f'<line x1="{cx}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GREY}"/>')
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{lx:.1f}" y="{ly + 4 + line_h * k:.1f}" text-anchor="{anchor}" '
                f'fill="{TEXT}">{escape(line)}</text>'
            )
    for k, (name, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (
                pt(i, max(0.0, min(1.0, (v or 0) / max_value))) for i, v in enumerate(values)
            )
        )
        lx, ly = 10 + (k % cols) * 130, legend_y + 18 * (k // cols)
        parts.append(
            f'<polygon points="{pts}" fill="{color}" fill-opacity="0.15" stroke="{color}" '
            f'stroke-width="2"/>'
            f'<rect x="{lx}" y="{ly - 9:.1f}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{ly:.1f}" fill="{TEXT}">{escape(clip_text(name, 16))}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def world_map(
    categories: Mapping[str, str],
    colors: Mapping[str, str],
    *,
    title: str,
    legend: Mapping[str, str] | None = None,
    width: int = 720,
    points: Sequence[tuple[str, float, float, float]] = (),
    fmt: Formatter = fmt_number,
) -> str:
    """A world map (equirectangular) with countries filled by category.

    ``categories`` maps ISO3 -> category key; ``colors`` maps category key -> fill;
    ``legend`` maps category key -> label (defaults to the key). Others are grey.
    ``points`` (label, lon, lat, value) are drawn as circles with area proportional to value.
    """
    height = int(width * 0.5)
    top = 24
    sx = width / 360.0
    sy = (height - top) / 170.0  # latitudes -80..90

    def proj(lon: float, lat: float) -> str:
        return f"{(lon + 180) * sx:.1f},{top + (90 - lat) * sy:.1f}"

    parts = [f'<text x="0" y="16" font-weight="700" fill="{TEXT}">{escape(title)}</text>']
    for f in world_geojson()["features"]:
        iso3 = f["properties"]["name"]
        if iso3 == "ATA":
            continue
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        d = []
        for poly in polys:
            for ring in poly:
                d.append("M" + "L".join(proj(x, y) for x, y in ring) + "Z")
        fill = colors.get(categories.get(iso3, ""), "#eef1f4")
        parts.append(
            f'<path d="{"".join(d)}" fill="{fill}" stroke="#fff" stroke-width="0.4">'
            f"<title>{escape(iso3)}</title></path>"
        )
    vmax = max((p[3] for p in points), default=1.0) or 1.0
    for label, lon, lat, value in points:
        x, y = proj(lon, lat).split(",")
        r = 2 + 10 * (value / vmax) ** 0.5
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="{PALETTE[0]}" fill-opacity="0.75" '
            f'stroke="#fff" stroke-width="0.5"><title>{escape(label)}: '
            f"{escape(fmt(value))}</title></circle>"
        )
    for i, (key, color) in enumerate(colors.items()):
        label = (legend or {}).get(key, key)
        parts.append(
            f'<rect x="{10 + i * 170}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{24 + i * 170}" y="{height - 5}" fill="{TEXT}">{escape(label)}</text>'
        )
    return _svg(width, height + 6, title, "".join(parts))


_CLIP_IDS = itertools.count(1)


def point_map(
    points: Sequence[tuple[str, float, float, float]],
    *,
    title: str,
    width: int = 720,
    min_span: float = 16.0,
    max_labels: int = 15,
    fmt: Formatter = fmt_number,
) -> str:
    """Points (label, lon, lat, value) on a map zoomed to them, with their names.

    Circles have an area proportional to the value (as in :func:`world_map`). When the points
    span 90° or more the whole world is drawn (:func:`world_map`); otherwise the map shows the
    points' box (at least ``min_span`` degrees wide, padded) and labels up to ``max_labels``
    points with the part of their label before `` (``. Coordinates are projected straight to
    pixels (no nested viewBox), which WeasyPrint and browsers draw alike.
    """
    if not points:
        return world_map({}, {}, title=title, width=width, fmt=fmt)
    lons = [p[1] for p in points]
    lats = [p[2] for p in points]
    if max(max(lons) - min(lons), max(lats) - min(lats)) >= 90:
        return world_map({}, {}, title=title, width=width, points=points, fmt=fmt)
    height = int(width * 0.5)
    top = 24
    map_h = height - top
    ratio = map_h / 170.0 / (width / 360.0)  # equirectangular: y pixels per x pixel per degree
    lon_span = max(
        max(lons) - min(lons) + 6.0, min_span, (max(lats) - min(lats) + 4.0) * ratio * width / map_h
    )
    scale = width / lon_span  # pixels per degree of longitude
    lat_scale = scale * ratio
    lon0 = (max(lons) + min(lons)) / 2 - lon_span / 2
    lat0 = (max(lats) + min(lats)) / 2 + map_h / lat_scale / 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * scale, top + (lat0 - lat) * lat_scale

    clip = f"pm{next(_CLIP_IDS)}"
    body = [
        f'<defs><clipPath id="{clip}"><rect x="0" y="{top}" width="{width}" height="{map_h}"/>'
        f'</clipPath></defs><g clip-path="url(#{clip})">',
        f'<rect x="0" y="{top}" width="{width}" height="{map_h}" fill="#f7f9fb"/>',
    ]
    for f in world_geojson()["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        d = []
        for poly in polys:
            for ring in poly:
                pts = [xy(x, y) for x, y in ring]
                xs = [p[0] for p in pts]
                ys = [p[1] for p in pts]
                if max(xs) < 0 or min(xs) > width or max(ys) < top or min(ys) > top + map_h:
                    continue
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        if d:
            body.append(
                f'<path d="{"".join(d)}" fill="#e3e8ee" stroke="#fff" stroke-width="0.8">'
                f"<title>{escape(f['properties']['name'])}</title></path>"
            )
    vmax = max(p[3] for p in points) or 1.0
    ordered = sorted(points, key=lambda p: -p[3])
    labels = []
    for label, lon, lat, value in ordered:
        x, y = xy(lon, lat)
        r = 2 + 10 * (value / vmax) ** 0.5
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{PALETTE[0]}" '
            f'fill-opacity="0.75" stroke="#fff" stroke-width="0.8">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
        )
        text = f"{label.split(' (', 1)[0]} {fmt(value)}"
        at = f'x="{x + r + 3:.1f}" y="{y + 4:.1f}" font-size="11"'
        labels.append(
            f'<text {at} fill="none" stroke="#fff" stroke-width="3">{escape(text)}</text>'
            f'<text {at} fill="{TEXT}">{escape(text)}</text>'
        )
    if len(points) <= max_labels:
        body.extend(labels)
    body.append("</g>")
    body.append(f'<text x="0" y="16" font-weight="700" fill="{TEXT}">{escape(title)}</text>')
    return _svg(width, height + 6, title, "".join(body))
