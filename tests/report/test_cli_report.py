"""``silkhub report region|hub``."""

from __future__ import annotations

from pathlib import Path


def test_report_region_html_and_xlsx(cli, tmp_path: Path):
    out = tmp_path / "jinan.html"
    r = cli("report", "region", "--unit", "Jinan", "--peers", "Hangzhou,Qingdao", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "wrote" in r.stdout
    text = out.read_text("utf-8")
    assert "Region report: Jinan" in text and "<svg" in text
    xlsx = tmp_path / "jinan.xlsx"
    r = cli("report", "region", "--unit", "Jinan", "--format", "xlsx", "-o", str(xlsx), "-q")
    assert r.exit_code == 0 and r.stdout == ""
    assert xlsx.read_bytes()[:2] == b"PK"


def test_report_region_unknown_unit_is_one_line(cli):
    r = cli("report", "region", "--unit", "Atlantis")
    assert r.exit_code == 1
    assert "unknown region 'Atlantis'" in r.stderr
    assert "Traceback" not in r.stderr


def test_report_bad_format_is_a_usage_error(cli):
    r = cli("report", "region", "--unit", "Jinan", "--format", "doc")
    assert r.exit_code == 2


def test_report_hub_unknown_event(cli):
    r = cli("report", "hub", "--event", "999")
    assert r.exit_code == 1 and "999" in r.stderr
