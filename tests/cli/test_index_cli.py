"""``silkhub index ...`` and ``silkhub benchmark``."""

from __future__ import annotations

import json
from pathlib import Path


def test_benchmark_acceptance(cli, monkeypatch) -> None:
    from silkhub.cli.output import console

    # the console is created at import time; under xdist it may be 80 columns wide
    monkeypatch.setattr(console, "_width", 200)
    r = cli(
        "benchmark", "--unit", "Jinan", "--peers", "Hangzhou,Qingdao",
        "--framework", "city-internationalization", "--year", "2019", "--quiet",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "Jinan" in out and "Hangzhou" in out and "Qingdao" in out
    assert "Pillar scores and ranks" in out and "MC rank (5–95 %)" in out
    assert "export_economy" in out and "channels" in out
    assert "Strengths and weaknesses" in out and "weakness" in out
    assert "What would it take" in out
    assert "Monte Carlo 1000 runs" in out


def test_benchmark_json_and_csv(cli, tmp_path: Path) -> None:
    r = cli("benchmark", "-u", "济南", "-p", "杭州,青岛", "--year", "2019", "--mc", "200",
            "--format", "json", "--quiet")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["unit"] == "CN-SD-jinan" and len(doc["scores"]) == 3
    out = tmp_path / "needs.csv"
    r = cli("benchmark", "-u", "Jinan", "-p", "Qingdao", "--year", "2019", "--mc", "0",
            "--format", "csv", "--table", "needs", "--out", str(out), "--quiet")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert out.read_text().startswith("indicator,")


def test_benchmark_errors_are_one_line(cli) -> None:
    r = cli("benchmark", "--unit", "Atlantis", "--peers", "Hangzhou", "--quiet")
    assert r.exit_code == 1 and "unknown unit 'Atlantis'" in r.stderr
    assert "Traceback" not in r.stderr


def test_frameworks_and_show(cli) -> None:
    r = cli("index", "frameworks", "--format", "csv")
    assert r.exit_code == 0 and "city-internationalization" in r.stdout
    r = cli("index", "show", "city-internationalization", "--format", "json")
    assert json.loads(r.stdout)["code"] == "city-internationalization"


def test_compute_levels(cli) -> None:
    r = cli("index", "compute", "--year", "2019", "--mc", "100", "--format", "csv", "--quiet")
    assert r.exit_code == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert header.startswith("unit,name,score,rank,mc_median_rank")
    for level in ("indicators", "coherence", "correlations", "weights"):
        r = cli("index", "compute", "--level", level, "--format", "csv", "--quiet")
        assert r.exit_code == 0, (level, r.stderr)
    args = ["--normalisation", "zscore", "--aggregation", "geometric", "--weighting", "pca"]
    r = cli("index", "compute", "--level", "all", "--format", "json", "--quiet", *args)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["config"]["aggregation"] == "geometric"
    r = cli("index", "compute", "--normalisation", "cubic")
    assert r.exit_code == 1 and "unknown normalisation" in r.stderr


def test_validate_and_template(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname_en: X\npillars:\n  - code: p\n    name_en: P\n")
    r = cli("index", "validate", str(bad))
    assert r.exit_code == 1 and "bad.yaml:4: 'sub_pillars' must be a non-empty list" in r.stderr
    t = tmp_path / "t.csv"
    assert cli("index", "template", str(t), "--lang", "en").exit_code == 0
    t.write_text(t.read_text() + "CN-SD-jinan,2019,GDP,abc,,s,\n")
    r = cli("index", "validate", str(t))
    assert r.exit_code == 1 and "value: text 'abc' in a numeric cell" in r.stderr


def test_compute_on_a_user_data_file(cli, tmp_path: Path) -> None:
    data = tmp_path / "mine.csv"
    data.write_text(
        "region_id,year,indicator,value,unit,source,note\n"
        "Jinan,2021,TRADE_TOTAL,2665.4,,my yearbook,\n"
        "Jinan,2021,GDP,11432.2,,my yearbook,\n"
        "Jinan,2021,INTL_AIR_ROUTES,10,,airport,\n"
        "Qingdao,2021,TRADE_TOTAL,8498.4,,my yearbook,\n"
        "Qingdao,2021,GDP,14136.5,,my yearbook,\n"
        "Qingdao,2021,INTL_AIR_ROUTES,20,,airport,\n",
        encoding="utf-8",
    )
    r = cli("index", "compute", "--data", str(data), "--format", "json", "--quiet")
    assert r.exit_code == 0, r.stderr
    units = json.loads(r.stdout)
    assert [u["unit"] for u in units] == ["CN-SD-qingdao", "CN-SD-jinan"]
    assert units[0]["name"] == "Qingdao"
