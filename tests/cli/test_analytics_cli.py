"""``silkhub indicators / partners / complexity`` over a store with tiny hand-made datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.analytics.sample_store import publish_samples


@pytest.fixture
def run(cli, tmp_path: Path):
    publish_samples(tmp_path / "var" / "analytics")
    return cli


def test_partners_rank_side_by_side(run) -> None:
    r = run("partners", "rank", "--reporter", "CHN", "--year", "2016", "--flow", "all", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("rank,imports_partner,imports_usd")


def test_partners_rank_table1(run) -> None:
    args = ["partners", "rank", "--reporter", "CHN", "--year", "2016", "--group", "route65"]
    r = run(*args, "--flow", "total", "--top", "10")
    assert r.exit_code == 0, r.stderr
    assert "CHN partners 2016" in r.stdout  # the terminal table (its width depends on the tty)
    assert "not counted as 0" in r.stderr
    r = run(*args, "--flow", "total", "--top", "10", "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[1].startswith("1,KAZ,Kazakhstan,")
    assert "DEU" not in r.stdout


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_partners_rank_formats(run, fmt: str) -> None:
    r = run("partners", "rank", "--reporter", "CHN", "--year", "2016", "--format", fmt)
    assert r.exit_code == 0, r.stderr
    if fmt == "json":
        rows = json.loads(r.stdout)
        assert rows[0]["partner"] == "DEU" and rows[0]["share_pct"] == pytest.approx(
            100 * 200 / 315
        )
    else:
        assert r.stdout.splitlines()[0].startswith("rank,partner,partner_name,exports_usd")


def test_parquet_out(run, tmp_path: Path) -> None:
    out = tmp_path / "rca.parquet"
    r = run(
        "indicators",
        "rca",
        "--year",
        "2017",
        "--country",
        "CHN",
        "--level",
        "2",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert r.exit_code == 0, r.stderr
    t = pq.read_table(out).to_pandas()
    assert list(t["product"]) == ["85", "01"]


def test_indicator_commands(run) -> None:
    r = run("indicators", "openness", "--region", "CHN", "--years", "2013-2015", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    assert "trade_dependence_pct" in r.stdout.splitlines()[0]
    r = run("indicators", "group-share", "--group", "route65", "--year", "2015", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)[0]["share_pct"] == pytest.approx(60.0)
    assert json.loads(r.stdout)[0]["world_basis"] == "sum of 4 countries"
    assert "world total: population: sum of 4 countries" in " ".join(r.stderr.split())
    r = run("indicators", "group-share", "--group", "route65", "--year", "2012")
    assert r.exit_code != 0 and "--as-of 2013-09-07" in " ".join(r.stderr.split())
    for args in (
        ["complementarity", "--exporter", "CHN", "--importer", "DEU", "--year", "2017"],
        ["similarity", "--a", "CHN", "--b", "VNM", "--year", "2017"],
        ["concentration", "--country", "CHN", "--year", "2017", "--by", "partner"],
        ["intensity", "--exporter", "CHN", "--importer", "DEU", "--year", "2017"],
    ):
        r = run("indicators", *args, "-f", "json")
        assert r.exit_code == 0, (args, r.stderr)
    r = run("partners", "balance", "--reporter", "CHN", "--year", "2016")
    assert r.exit_code == 0 and "balance" in r.stderr


def test_complexity_commands(run) -> None:
    for cmd in (["eci"], ["pci"], ["next", "--country", "CHN"], ["what-next", "--country", "CHN"]):
        r = run(
            "complexity",
            *cmd,
            "--year",
            "2017",
            "--top",
            "5",
            "-f",
            "csv",
            "--dataset",
            "world_trade_2017_hs4",
        )
        assert r.exit_code == 0, (cmd, r.stderr)
        assert len(r.stdout.strip().splitlines()) <= 6


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(
            ["partners", "rank", "--reporter", "XXQ", "--year", "2016"],
            "unknown country",
            id="iso3",
        ),
        pytest.param(
            ["partners", "rank", "--reporter", "CHN", "--year", "2030"], "out of range", id="year"
        ),
        pytest.param(
            ["indicators", "group-share", "--group", "route65", "--year", "2010"],
            "no members",
            id="empty-group",
        ),
        pytest.param(
            ["indicators", "openness", "--region", "CHN", "--years", "x"], "YYYY", id="years"
        ),
        pytest.param(
            ["complexity", "eci", "--year", "2017", "--dataset", "nope"],
            "not been imported",
            id="dataset",
        ),
    ],
)
def test_errors_one_line_exit_1(run, args: list[str], fragment: str) -> None:
    r = run(*args)
    assert r.exit_code == 1
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr


def test_indicator_labels_cli(cli) -> None:
    r = cli("indicators", "labels", "--lang", "zh", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["code"]: x for x in json.loads(r.stdout)}
    assert rows["EXPORTS"]["label"] == "货物出口额（亿元）"
    assert cli("indicators", "labels", "--lang", "fr").exit_code != 0
