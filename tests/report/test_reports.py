"""Region and event reports: HTML, XLSX and PDF (rendered to PNG with pdftoppm)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from silkhub.hub.policy import Actor
from silkhub.report.builders import hub_report, region_report
from silkhub.report.data import StoreReader
from silkhub.report.figures import Figure
from silkhub.report.render import fmt_value, render, render_html, render_xlsx
from tests.conftest import need


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


def test_fmt_value():
    assert fmt_value(1234567.0) == "1,234,567"
    assert fmt_value(None) == "–"
    assert fmt_value(float("nan")) == "–"
    assert fmt_value(0.12345) == "0.123"


def test_figure_rows_and_echarts_agree():
    f = Figure(id="x", kind="line", title="t", series={"A": [(2000, 1.0), (2002, 3.0)]})
    assert f.rows() == [["A", 2000, 1.0], ["A", 2002, 3.0]]
    opt = f.echarts()
    assert opt["xAxis"]["data"] == ["2000", "2002"]
    assert opt["series"][0]["data"] == [1.0, 3.0]
    m = Figure(
        id="m",
        kind="map",
        title="t",
        categories={"KAZ": "member"},
        colors={"member": "#f00"},
        legend={"member": "Member"},
    )
    assert m.rows() == [["KAZ", "KAZ", "Member"]]
    assert m.echarts()["series"][0]["map"] == "world"


def test_region_report_without_imports_uses_reference_and_demo_data(sqlite_runtime, reader):
    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "en")
    assert prof.title == "Region report: Jinan"
    ids = [sec.id for sec in prof.sections]
    assert ids[:2] == ["facts", "openness"] and "index" in ids
    index = next(sec for sec in prof.sections if sec.id == "index")
    assert {f.kind for f in index.figures} == {"radar", "bar"}
    ranks = index.tables[0]
    assert [r[0] for r in ranks.rows] == ["Jinan", "Hangzhou", "Qingdao"]
    # every figure says where its numbers come from
    assert all(f.sources for f in prof.figures())
    # what is missing is said, with the command to get it
    openness = next(sec for sec in prof.sections if sec.id == "openness")
    assert any("silkhub data import" in m for m in openness.missing)


def test_region_report_unknown_peer_is_a_clear_error(sqlite_runtime, reader):
    from silkhub.errors import UnknownChoiceError

    with sqlite_runtime.session() as s, pytest.raises(UnknownChoiceError, match="Nowhere"):
        region_report(s, reader, "Jinan", ["Nowhere"], "en")


def test_region_report_html_and_xlsx_in_chinese(sqlite_runtime, reader):
    from openpyxl import load_workbook

    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou"], "zh")
    html = render_html(prof, "zh", command="silkhub report region --unit Jinan")
    assert '<html lang="zh-CN">' in html and "地区报告：济南市" in html
    assert html.count("<svg") >= 3 and "数据来源与出处" in html
    wb = load_workbook(io.BytesIO(render_xlsx(prof, "zh")))
    assert wb.sheetnames[0] == "摘要"
    assert len(wb.sheetnames) >= 4
    radar = next(ws for ws in wb.worksheets if ws["A2"].value == "series")
    assert any(str(c.value).startswith("来源") for row in radar.iter_rows() for c in row)


def test_hub_report_has_event_totals(demo_runtime):
    with demo_runtime.session() as s:
        from sqlalchemy import select

        from silkhub.data.storage.models.hub import Event

        eid = s.scalar(select(Event.id).order_by(Event.id))
        need(eid is not None, "hub demo data not available")
        prof = hub_report(s, Actor.system(), eid, "en")
    assert "signed" in prof.kpis[0][1]
    projects = next(sec for sec in prof.sections if sec.id == "projects")
    assert projects.tables[0].rows


@pytest.mark.slow
def test_pdf_report_renders_pages_with_content(sqlite_runtime, reader, tmp_path: Path):
    need(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils) not installed")
    from PIL import Image

    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "zh")
    pdf = render(prof, "pdf", "zh")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    for p in pages:
        img = Image.open(p).convert("L")
        # a page with content has a good share of non-white pixels (text, charts)
        hist = img.histogram()
        dark = sum(hist[:200]) / (img.width * img.height)
        assert dark > 0.005, f"{p.name} looks blank ({dark:.4f})"
        shutil.copy(p, artifacts / p.name)


def test_points_figure_renders_circles_and_rows():
    f = Figure(id="p", kind="points", title="t", points=[("Qingdao", 120.4, 36.1, 3.0)])
    assert "<circle" in f.svg()
    assert f.rows() == [["Qingdao", 120.4, 36.1, 3.0]]
    opt = f.echarts()
    assert opt["geo"]["map"] == "world" and opt["series"][0]["type"] == "scatter"
