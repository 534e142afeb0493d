"""The region report's directory section (issue 11): counts of international schools,
hospitals, consulates and foreign experts for the unit and its peers, on a map and in a table,
dated and sourced, in HTML, PDF and XLSX."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from silkhub.report import svg
from silkhub.report.builders import region_report
from silkhub.report.data import StoreReader
from silkhub.report.render import render
from tests.conftest import need

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def reader(sqlite_runtime):
    r = StoreReader(sqlite_runtime.settings.analytics_dir)
    yield r
    r.close()


@pytest.fixture
def demo_runtime(sqlite_runtime):
    from silkhub.demo import load_demo

    list(load_demo(sqlite_runtime))
    return sqlite_runtime


def _section(prof):
    return next(s for s in prof.sections if s.id == "directory")


def test_section_counts_match_the_directory(demo_runtime, reader):
    from silkhub.hub.places import region_counts

    with demo_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "en")
        expected = {(c.region_id, c.indicator): c.value for c in region_counts(s)}
    sec = _section(prof)
    table = sec.tables[0]
    assert table.columns == [
        "City or region",
        "International schools",
        "Hospitals with international departments",
        "Consulates",
        "Foreign experts",
        "Counted on",
    ]
    rows = {r[0]: r[1:] for r in table.rows}
    assert list(rows) == ["Jinan", "Hangzhou", "Qingdao"]  # the unit first, then its peers
    today = date.today().isoformat()
    for name, rid in (("Jinan", "CN-SD-jinan"), ("Qingdao", "CN-SD-qingdao")):
        codes = ("INTL_SCHOOLS", "INTL_HOSPITALS", "CONSULATES", "FOREIGN_EXPERTS")
        assert rows[name] == [int(expected.get((rid, c), 0)) for c in codes] + [today]
    assert rows["Qingdao"][2] >= 1  # Qingdao has consulates in the demo directory
    # one point per city, sized by the sum of its counts
    fig = sec.figures[0]
    assert fig.kind == "points" and len(fig.points) == 3
    by_name = {p[0].split(" (")[0]: p for p in fig.points}
    assert by_name["Qingdao"][3] == sum(rows["Qingdao"][:4])
    assert by_name["Jinan"][1:3] == pytest.approx((117.12, 36.65), abs=0.01)
    assert any("counted on " + today in src for src in fig.sources + table.sources)
    assert ("Counted on", today) in sec.facts


def test_html_report_shows_the_section_on_a_map_in_both_languages(demo_runtime, reader):
    for lang, heading, col in (
        ("en", "Living environment and talent", "International schools"),
        ("zh", "国际化生活环境与人才", "国际学校"),
    ):
        with demo_runtime.session() as s:
            prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], lang)
        html = render(prof, "html", lang).decode("utf-8")
        assert heading in html and col in html
        part = html.split('id="sec-directory"')[1].split("</section>")[0]
        assert part.count("<circle") == 3  # the three cities on the map
        assert "silkhub hub directory" in part  # the source
        assert 'id="directory-counts"' in part


def test_pdf_still_renders_with_the_section(demo_runtime, reader, tmp_path: Path):
    with demo_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "zh")
    pdf = render(prof, "pdf", "zh")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "国际化生活环境与人才" in out and "领事机构" in out


def test_xlsx_has_the_counts_sheet(demo_runtime, reader):
    from openpyxl import load_workbook

    with demo_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Qingdao"], "en")
    wb = load_workbook(io.BytesIO(render(prof, "xlsx", "en")))
    ws = wb["Directory counts"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][:5] == [
        "City or region",
        "International schools",
        "Hospitals with international departments",
        "Consulates",
        "Foreign experts",
    ]
    assert [r[0] for r in values[2:4]] == ["Jinan", "Qingdao"]
    assert any(str(r[0]).startswith("Source: silkhub hub directory") for r in values if r[0])


def test_without_records_the_section_says_how_to_import(sqlite_runtime, reader):
    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Qingdao"], "en")
    sec = _section(prof)
    assert not sec.figures and not sec.tables
    assert sec.missing == ["silkhub places import FILE"]


def test_cli_region_report_includes_imported_places(cli, tmp_path: Path):
    csv = tmp_path / "places.csv"
    csv.write_text(
        "kind,name_en,name_zh,region,country_served,languages,services,address,lat,lon,"
        "opened_on,source\n"
        "international_school,Test School,,Jinan,,en,,,,,,test list\n"
        "consulate,Test Consulate,,Qingdao,KOR,ko,,,,,,test list\n",
        encoding="utf-8",
    )
    r = cli("places", "import", str(csv))
    assert r.exit_code == 0, r.stderr
    out = tmp_path / "jinan.html"
    r = cli("report", "region", "--unit", "Jinan", "--peers", "Qingdao", "-o", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    part = out.read_text("utf-8").split('id="sec-directory"')[1].split("</section>")[0]
    assert part.count("<circle") == 2 and "Test" not in part  # counts, not names


def test_point_map_zooms_to_the_points():
    pts = [("Jinan (x)", 117.0, 36.0, 1.0), ("Qingdao", 121.0, 36.0, 4.0)]
    root = ET.fromstring(svg.point_map(pts, title="t", width=720))
    circles = root.iter(f"{NS}circle")
    # biggest first; lon span 4 + 6 = 10 < 16, so 16° fill 720 px: 45 px per degree;
    # the box is centred on lon 119: Qingdao x = (121 - (119 - 8)) * 45 = 450
    # radius 2 + 10 * sqrt(4 / 4) = 12, Jinan 2 + 10 * sqrt(1 / 4) = 7
    got = [(float(c.get("cx")), float(c.get("r"))) for c in circles]
    assert got == [(pytest.approx(450.0), 12.0), (pytest.approx(270.0), 7.0)]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Jinan 1" in texts and "Qingdao 4" in texts
    # points around the world: the whole world map
    world = svg.point_map([("A", -100.0, 40.0, 1.0), ("B", 120.0, 30.0, 1.0)], title="w")
    assert world == svg.world_map(
        {}, {}, title="w", points=[("A", -100.0, 40.0, 1.0), ("B", 120.0, 30.0, 1.0)]
    )
