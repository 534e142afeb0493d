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


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        pytest.param(1234567.0, "en", "1.2 m", id="en-millions"),
        pytest.param(1234567.0, "zh", "123.5万", id="zh-wan"),
        pytest.param(448048196346.0, "zh", "4,480.5亿", id="zh-yi"),
        pytest.param(448048196346.0, "en", "448.0 bn", id="en-bn"),
        pytest.param(12345, "en", "12,345", id="int-grouped"),
        pytest.param(2019, "zh", "2019", id="year-as-is"),
        pytest.param(54.94, "en", "54.94", id="plain"),
        pytest.param(0.12345, "en", "0.123", id="small"),
        pytest.param(None, "zh", "–", id="none"),
        pytest.param(float("nan"), "en", "–", id="nan"),
    ],
)
def test_fmt_value_per_locale(value, lang, text):
    assert fmt_value(value, lang) == text


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
    # the summary and the index result come first (page 1 of the PDF), then the details
    assert ids[:3] == ["summary", "facts", "index"] and "openness" in ids
    index = next(sec for sec in prof.sections if sec.id == "index")
    assert [f.kind for f in index.figures] == ["bar", "radar"]
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


def test_region_report_without_a_unit_says_so_per_language(sqlite_runtime, reader):
    from silkhub.errors import ValidationError
    from silkhub.i18n import error_text

    with sqlite_runtime.session() as s, pytest.raises(ValidationError) as info:
        region_report(s, reader, " ", ["Qingdao"], "zh")
    assert info.value.key == "report.unit_required" and info.value.field == "unit"
    assert error_text(info.value, "zh") == "请指定地区，例如 --unit Jinan。"


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
    radar = next(ws for ws in wb.worksheets if ws["A2"].value == "系列")  # translated header
    assert any(str(c.value).startswith("来源") for row in radar.iter_rows() for c in row)


def test_region_summary_gives_result_rank_strengths_and_gaps(sqlite_runtime, reader):
    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "en")
    summary = prof.sections[0]
    facts = dict(summary.facts)
    index = next(sec for sec in prof.sections if sec.id == "index")
    ranks = {row[0]: row for row in index.tables[0].rows}
    # Jinan's score, and its rank among the three by score (demo data: 20.3 < 54.9 < 74.6)
    score = ranks["Jinan"][1]
    assert facts[next(k for k in facts if k.startswith("Index result"))].startswith(f"{score}")
    higher = sum(1 for row in ranks.values() if row[1] > score)
    assert facts["Rank among peers"] == f"{1 + higher} of 3"
    assert any(k.startswith("Rank among all") for k in facts)
    assert "Strengths" in facts and "Weaknesses" in facts


def test_region_report_in_chinese_has_no_raw_indicator_codes(sqlite_runtime, reader):
    import re

    with sqlite_runtime.session() as s:
        prof = region_report(s, reader, "Jinan", ["Hangzhou", "Qingdao"], "zh")
    titles = [f.title for f in prof.figures()]
    assert not [x for x in titles if re.search(r"[A-Z]{2,}_[A-Z_]+|\(count\)|CNY_100m", x)]
    assert "直航通达国家数（个），2014年" in titles
    radar = next(f for f in prof.figures() if f.id == "reg-radar")
    assert not [a for a in radar.axes if re.fullmatch(r"[A-Z0-9_]+", a)]
    # a chart where peers have no data says so, by name
    consulates = next(f for f in prof.figures() if f.id == "reg-CONSULATES")
    assert consulates.note == "杭州市、青岛市暂无数据。"
    # table headers in the report's language
    assert consulates.columns(_t("zh")) == ["名称", "数值"]
    assert prof.subtitle == "对标：杭州市、青岛市"


def _t(lang):
    from silkhub.i18n import gettext

    return lambda key, **p: gettext(key, lang, **p)


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
    if shutil.which("pdftotext"):  # page 1 carries the summary and the index result
        first = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "摘要" in first and "指数结果" in first and "第 3 名（共 3 个）" in first
        assert "短板" in first and "指数得分（" in first
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
