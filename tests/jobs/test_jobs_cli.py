"""``silkhub jobs ...`` and ``silkhub report region --background --wait`` (embedded engine)."""

from __future__ import annotations

import json
from pathlib import Path


def test_report_in_the_background_then_list_show_cancel(cli, tmp_path: Path):
    out = tmp_path / "jinan.html"
    r = cli("report", "region", "--unit", "Jinan", "--peers", "Qingdao", "--background",
            "--wait", "-o", str(out))  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "succeeded 100%" in r.stderr and "Region report: Jinan" in out.read_text("utf-8")
    job_id = r.stdout.split()[0]
    listed = json.loads(cli("jobs", "list", "--format", "json").stdout)
    assert [j["id"] for j in listed] == [job_id] and listed[0]["status"] == "succeeded"
    shown = cli("jobs", "show", job_id)
    assert shown.exit_code == 0 and "report.region" in shown.stdout
    again = cli("jobs", "cancel", job_id)
    assert again.exit_code == 1 and "already succeeded" in again.stderr
    bad = cli("jobs", "submit", "report.region", "-p", "unit=Atlantis")
    assert bad.exit_code == 1 and "Atlantis" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("jobs", "worker").exit_code == 1  # no broker configured: a clear error


def test_submit_any_kind_and_wait_for_its_file(cli, tmp_path: Path):
    out = tmp_path / "index.json"
    r = cli("jobs", "submit", "index.compute", "-p", "mc_runs=50", "--wait", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "succeeded 100% done" in r.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert any(s["step"] == "monte_carlo" and s["runs"] == 50 for s in doc["steps"])
    bad = cli("jobs", "submit", "index.compute", "-p", "mc_runs=many")
    assert bad.exit_code == 1 and "mc_runs" in bad.stderr
