"""Server-side SVG charts and the world map from the vendored world-atlas."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from silkhub.report import svg
from silkhub.report.geo import numeric_to_iso3, topojson_to_geojson, world_geojson

NS = "{http://www.w3.org/2000/svg}"


def _parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None  # accessible name
    return root


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(1_234_567, "1.2M", id="millions"),
        pytest.param(2.5e9, "2.5B", id="billions"),
        pytest.param(950, "950", id="int"),
        pytest.param(0.1234, "0.12", id="small"),
        pytest.param(None, "–", id="missing"),
        pytest.param(float("nan"), "–", id="nan"),
    ],
)
def test_fmt_number(value, text):
    assert svg.fmt_number(value) == text


def test_bar_chart_scales_bars_to_the_largest_value():
    out = svg.bar_chart([("A", 100.0), ("B", 50.0)], title="t", highlight=["B"])
    rects = _parse(out).findall(f"{NS}rect")
    widths = [float(r.get("width")) for r in rects]
    # plot width = 640 - 170 - 70 = 400; A = 400, B = 400 * 50 / 100 = 200 (by hand)
    assert widths == [400.0, 200.0]
    assert rects[1].get("fill") == svg.PALETTE[0]  # highlighted


def test_line_chart_draws_one_polyline_per_series():
    out = svg.line_chart({"x": [(2000, 1.0), (2001, 2.0)], "y": [(2000, 3.0)]}, title="t")
    assert len(_parse(out).findall(f"{NS}polyline")) == 2


def test_line_chart_without_data_is_still_valid_svg():
    _parse(svg.line_chart({}, title="empty"))


def test_radar_chart_clips_values_to_the_scale():
    out = svg.radar_chart(["a", "b", "c"], {"u": [50, 150, -5]}, title="t", max_value=100)
    polys = _parse(out).findall(f"{NS}polygon")
    assert len(polys) == 4 + 1  # four rings + one series


def test_world_map_colours_members():
    out = svg.world_map({"KAZ": "member"}, {"member": "#b3261e"}, title="t")
    root = _parse(out)
    paths = root.findall(f"{NS}path")
    assert len(paths) > 150
    kaz = [p for p in paths if p.find(f"{NS}title").text == "KAZ"]
    assert kaz and kaz[0].get("fill") == "#b3261e"


def test_numeric_codes_map_to_iso3():
    assert numeric_to_iso3("156") == "CHN"
    assert numeric_to_iso3("4") == "AFG"
    assert numeric_to_iso3(None, "Kosovo") == "XKX"


def test_topojson_decoding_undoes_quantisation_and_reversed_arcs():
    # one square made of two arcs; the second is used reversed (~1 = -2)
    topo = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [[[0, 0], [1, 0], [0, 1]], [[0, 0], [0, 1], [1, 0]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, -2]], "id": "398", "properties": {"name": "K"}}
                ],
            }
        },
    }
    geo = topojson_to_geojson(topo)
    f = geo["features"][0]
    assert f["properties"]["name"] == "KAZ"
    # arc 0 decoded: (10,20) (11,20) (11,21); arc 1 decoded (10,20) (10,21) (11,21), reversed
    # and joined without repeating (11,21): ... (10,21) (10,20)
    assert f["geometry"]["coordinates"][0] == [[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]


def test_world_has_no_antimeridian_stripes():
    for f in world_geojson()["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for ring in poly:
                jumps = [abs(a[0] - b[0]) for a, b in itertools.pairwise(ring)]
                assert max(jumps, default=0) <= 180, f["properties"]["name"]
    names = {f["properties"]["name"] for f in world_geojson()["features"]}
    assert {"CHN", "RUS", "FJI", "KAZ"} <= names and "ATA" not in names


def test_world_map_draws_points_sized_by_value():
    out = svg.world_map({}, {}, title="t", points=[("Qingdao", 120.4, 36.1, 4.0), ("X", 0, 0, 1)])
    circles = _parse(out).findall(f"{NS}circle")
    assert len(circles) == 2
    # radius 2 + 10 * sqrt(v / vmax): 12 for the largest, 2 + 10 * 0.5 = 7 for a quarter
    assert [float(c.get("r")) for c in circles] == [12.0, 7.0]
    # equirectangular: x = (lon + 180) * 720 / 360
    assert float(circles[0].get("cx")) == pytest.approx((120.4 + 180) * 2, abs=0.1)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        pytest.param("Jinan", 5, id="latin"),
        pytest.param("济南市", 6, id="cjk-double"),
        pytest.param("GDP（亿元）", 11, id="mixed"),
    ],
)
def test_text_units_count_full_width_characters_double(text, units):
    assert svg.text_units(text) == units


def test_clip_text_cuts_by_visual_width():
    assert svg.clip_text("国际化工作生活环境指数", 10) == "国际化工…"  # 4 × 2 + "…" ≤ 10
    assert svg.clip_text("Hangzhou", 26) == "Hangzhou"


def _texts(root: ET.Element) -> list[tuple[float, str]]:
    return [(float(t.get("y")), t.text or "") for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    "axes",
    [
        pytest.param(["外向型经济", "国际交流通道", "国际化工作生活环境", "国际人才"], id="zh"),
        pytest.param(
            ["Outward-oriented economy", "International exchange channels", "Talent", "Living"],
            id="en-wrapped",
        ),
    ],
)
def test_radar_title_stays_clear_of_the_axis_labels(axes):
    out = svg.radar_chart(axes, {"A": [50, 60, 70, 80], "B": [20, 30, 40, 50]}, title="各支柱得分")
    root = _parse(out)
    texts = _texts(root)
    title_y = texts[0][1] == "各支柱得分" and texts[0][0]
    labels = [(y, s) for y, s in texts[1:] if s not in ("A", "B")]
    # the highest label line's top (baseline - 12 px font) is below the title's baseline + 6 px
    assert min(y for y, _ in labels) - 12 >= title_y + 6
    # every label fits the drawing (no line clipped at the right or left edge)
    width = float(root.get("width"))
    for t in root.iter(f"{NS}text"):
        x, anchor = float(t.get("x")), t.get("text-anchor", "start")
        w = svg.text_units(t.text or "") * 6.5
        left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        assert left >= -1 and left + w <= width + 1, t.text
    # and the legend sits below the lowest label
    legend = [y for y, s in texts if s in ("A", "B")]
    assert min(legend) > max(y for y, _ in labels)
