"""Chart specifications shared by the web UI (ECharts) and the reports (server-side SVG).

A :class:`Figure` holds the data of one chart plus its sources; :meth:`Figure.echarts` gives the
ECharts option the browser draws, :meth:`Figure.svg` the same chart as SVG for HTML/PDF
reports, and :meth:`Figure.rows` the figures as a table (XLSX sheets, accessible tables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from silkhub.i18n.format import fmt_axis
from silkhub.report import svg

PALETTE = list(svg.PALETTE)


@dataclass
class Figure:
    """One chart with its data and provenance.

    ``kind`` is ``bar`` (``items``), ``line`` (``series`` of (x, y) points), ``radar``
    (``axes`` + ``series`` of values), ``map`` (``categories`` iso3 -> key with ``colors`` /
    ``legend``, or numeric ``values`` iso3 -> number) or ``points`` (``points``: label, lon,
    lat, value — circles sized by value on the world map). ``labels`` maps codes to names.
    """

    id: str
    kind: str
    title: str
    sources: list[str] = field(default_factory=list)
    unit: str = ""
    items: list[tuple[str, float]] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)
    series: dict[str, list[Any]] = field(default_factory=dict)
    axes: list[str] = field(default_factory=list)
    max_value: float = 100.0
    categories: dict[str, str] = field(default_factory=dict)
    colors: dict[str, str] = field(default_factory=dict)
    legend: dict[str, str] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    points: list[tuple[str, float, float, float]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    note: str = ""

    # -- tables ----------------------------------------------------------------------------
    def columns(self, t: Callable[..., str] | None = None) -> list[str]:
        """Column headers of :meth:`rows`: the catalog text of ``fig.col.<name>`` through
        ``t`` (the report's language), else the plain names (``label``, ``value``, …)."""
        if self.kind == "bar":
            names = ["label", "value"]
        elif self.kind == "line":
            names = ["series", "x", "value"]
        elif self.kind == "radar":
            names = ["series"]
        elif self.kind == "points":
            names = ["place", "lon", "lat", "value"]
        else:
            names = ["iso3", "name", "category" if self.categories else "value"]
        if t is not None:
            names = [t(f"fig.col.{n}") for n in names]
        return [*names, *self.axes] if self.kind == "radar" else names

    def rows(self) -> list[list[Any]]:
        """The chart's numbers as rows (what XLSX sheets and HTML tables show)."""
        if self.kind == "bar":
            return [[label, value] for label, value in self.items]
        if self.kind == "line":
            return [[name, x, y] for name, pts in self.series.items() for x, y in pts]
        if self.kind == "radar":
            return [[name, *vals] for name, vals in self.series.items()]
        if self.kind == "points":
            return [list(p) for p in self.points]
        if self.categories:
            return [
                [iso3, self.labels.get(iso3, iso3), self.legend.get(cat, cat)]
                for iso3, cat in sorted(self.categories.items())
            ]
        return [[iso3, self.labels.get(iso3, iso3), v] for iso3, v in sorted(self.values.items())]

    def is_empty(self) -> bool:
        return not (self.items or self.series or self.categories or self.values or self.points)

    # -- renderers -------------------------------------------------------------------------
    def svg(self, lang: str | None = None) -> str:
        """The chart as an SVG string (server side); numbers written for ``lang``
        (:func:`silkhub.i18n.format.fmt_axis`: 亿 / 万亿 in zh), else compact (``1.2M``)."""
        fmt = (lambda v: fmt_axis(v, lang)) if lang else svg.fmt_number
        if self.kind == "bar":
            return svg.bar_chart(
                self.items, title=self.title, highlight=self.highlight, unit=self.unit, fmt=fmt
            )
        if self.kind == "line":
            return svg.line_chart(self.series, title=self.title, unit=self.unit, fmt=fmt)
        if self.kind == "radar":
            return svg.radar_chart(
                self.axes, self.series, title=self.title, max_value=self.max_value
            )
        if self.kind == "points":
            return svg.point_map(self.points, title=self.title, fmt=fmt)
        if self.categories:
            return svg.world_map(
                self.categories, self.colors, title=self.title, legend=self.legend, fmt=fmt
            )
        cats, colors, legend = _bin_values(self.values, fmt)
        return svg.world_map(cats, colors, title=self.title, legend=legend, fmt=fmt)

    def echarts(self) -> dict[str, Any]:
        """The ECharts option drawing this figure in the browser."""
        base: dict[str, Any] = {
            "aria": {"enabled": True},
            "color": PALETTE,
            "tooltip": {"trigger": "item"},
            "animation": False,
        }
        if self.kind == "bar":
            items = list(reversed(self.items))  # ECharts draws category axes bottom-up
            base.update(
                grid={"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
                xAxis={"type": "value"},
                yAxis={"type": "category", "data": [i[0] for i in items]},
                series=[
                    {
                        "type": "bar",
                        "data": [
                            {
                                "value": v,
                                "itemStyle": {
                                    "color": PALETTE[0] if lbl in self.highlight else PALETTE[1]
                                },
                            }
                            for lbl, v in items
                        ],
                        "label": {"show": True, "position": "right"},
                    }
                ],
            )
            base["tooltip"] = {"trigger": "axis"}
        elif self.kind == "line":
            xs = sorted({x for pts in self.series.values() for x, _ in pts})
            base.update(
                grid={"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
                legend={"top": 0},
                xAxis={"type": "category", "data": [str(x) for x in xs], "boundaryGap": False},
                yAxis={"type": "value", "scale": True},
                series=[
                    {
                        "type": "line",
                        "name": name,
                        "data": [dict(pts).get(x) for x in xs],
                        "connectNulls": True,
                    }
                    for name, pts in self.series.items()
                ],
            )
            base["tooltip"] = {"trigger": "axis"}
        elif self.kind == "radar":
            base.update(
                legend={"bottom": 0},
                radar={
                    "indicator": [{"name": a, "max": self.max_value} for a in self.axes],
                    "radius": "62%",
                    "axisName": {"color": "#1b1f24"},
                },
                series=[
                    {
                        "type": "radar",
                        "data": [
                            {"name": name, "value": list(vals), "areaStyle": {"opacity": 0.12}}
                            for name, vals in self.series.items()
                        ],
                    }
                ],
            )
        elif self.kind == "points":
            base.update(self._echarts_points())
        else:
            base.update(self._echarts_map())
        return base

    def _echarts_points(self) -> dict[str, Any]:
        vmax = max((p[3] for p in self.points), default=1.0) or 1.0
        lons = [p[1] for p in self.points] or [0.0]
        lats = [p[2] for p in self.points] or [0.0]
        span = max(max(lons) - min(lons), max(lats) - min(lats), 30.0)
        geo: dict[str, Any] = {
            "map": "world",
            "roam": True,
            "nameProperty": "name",
            "itemStyle": {"areaColor": "#eef1f4", "borderColor": "#fff", "borderWidth": 0.5},
            "emphasis": {"disabled": True},
        }
        if span < 90:  # zoom in on the points
            geo["center"] = [(max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2]
            geo["zoom"] = round(min(6.0, 120.0 / span), 2)
        return {
            "geo": geo,
            "series": [
                {
                    "type": "scatter",
                    "coordinateSystem": "geo",
                    "itemStyle": {"color": PALETTE[0], "opacity": 0.8},
                    "data": [
                        {
                            "name": label,
                            "value": [lon, lat, v],
                            "symbolSize": round(6 + 24 * (v / vmax) ** 0.5, 1),
                        }
                        for label, lon, lat, v in self.points
                    ],
                }
            ],
        }

    def _echarts_map(self) -> dict[str, Any]:
        series: dict[str, Any] = {
            "type": "map",
            "map": "world",
            "roam": True,
            "nameProperty": "name",
            "emphasis": {"label": {"show": False}},
            "itemStyle": {"areaColor": "#eef1f4", "borderColor": "#fff", "borderWidth": 0.5},
        }
        out: dict[str, Any] = {}
        if self.categories:
            keys = list(self.colors)
            series["data"] = [
                {
                    "name": iso3,
                    "value": keys.index(cat) if cat in keys else -1,
                    "label_text": self.labels.get(iso3, iso3),
                    "category": self.legend.get(cat, cat),
                }
                for iso3, cat in self.categories.items()
            ]
            out["visualMap"] = {
                "type": "piecewise",
                "pieces": [
                    {"value": i, "label": self.legend.get(k, k), "color": self.colors[k]}
                    for i, k in enumerate(keys)
                ],
                "left": 0,
                "bottom": 0,
                "orient": "horizontal",
            }
        else:
            vals = list(self.values.values()) or [0]
            series["data"] = [
                {"name": iso3, "value": v, "label_text": self.labels.get(iso3, iso3)}
                for iso3, v in self.values.items()
            ]
            out["visualMap"] = {
                "min": 0,
                "max": max(vals),
                "left": 0,
                "bottom": 0,
                "orient": "horizontal",
                "calculable": False,
                "inRange": {"color": ["#fde0dc", "#b3261e"]},
                "text": [svg.fmt_number(max(vals)), "0"],
            }
        out["series"] = [series]
        return out


def _bin_values(
    values: dict[str, float], fmt: svg.Formatter = svg.fmt_number
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Five equal-count classes of numeric map values (for the SVG map); ``fmt`` writes the
    class bounds of the legend."""
    shades = ["#fde0dc", "#f4a99f", "#e57368", "#c9433a", "#8c1d18"]
    ordered = sorted(values.items(), key=lambda kv: kv[1])
    n = len(ordered)
    cats: dict[str, str] = {}
    bounds: dict[str, list[float]] = {}
    for i, (iso3, v) in enumerate(ordered):
        k = f"q{min(4, i * 5 // max(n, 1))}"
        cats[iso3] = k
        bounds.setdefault(k, []).append(v)
    colors = {f"q{i}": shades[i] for i in range(5) if f"q{i}" in bounds}
    legend = {k: f"{fmt(min(bounds[k]))}–{fmt(max(bounds[k]))}" for k in colors}
    return cats, colors, legend
