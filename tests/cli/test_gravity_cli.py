"""``silkhub gravity ...`` and ``silkhub partners potential|targets``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def run(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The CLI without shared data (potentials use the packaged snapshot)."""
    monkeypatch.setenv("SILKHUB_SHARED_DATA", str(tmp_path / "no-shared-data"))
    return cli


def test_partners_potential_ranked_table(run) -> None:
    r = run("partners", "potential", "--reporter", "CHN", "--group", "route65", "--year", "2016")
    assert r.exit_code == 0, r.stderr
    for col in ("rank", "partner", "name", "predicted", "actual", "ratio", "gap", "ratio_rel"):
        assert col in r.stdout
    assert "Untapped trade potential of CHN, 2016, route65 (US$ bn)" in r.stdout
    assert "Kazakhstan" in r.stdout
    assert "packaged snapshot" in r.stderr


def test_partners_potential_json(run) -> None:
    r = run(
        "partners",
        "potential",
        "--reporter",
        "CHN",
        "--year",
        "2016",
        "--top",
        "3",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["rank"] for x in rows] == [1, 2, 3]
    assert {"predicted_usd", "actual_usd", "ratio", "gap_usd"} <= set(rows[0])


def test_partners_potential_errors(run) -> None:
    r = run("partners", "potential", "--reporter", "Atlantis", "--year", "2016")
    assert r.exit_code == 1 and "unknown country 'Atlantis'" in r.stderr
    r = run("partners", "potential", "--reporter", "DEU", "--year", "2016")
    assert r.exit_code == 1 and "--year 2009" in r.stderr


def test_partners_targets(run) -> None:
    r = run(
        "partners",
        "targets",
        "--reporter",
        "CHN",
        "--year",
        "2016",
        "--top",
        "5",
        "--weights",
        "potential=1",
        "--format",
        "csv",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("score_rank,partner,score,parts_used")
    r = run("partners", "targets", "--reporter", "CHN", "--year", "2016", "--weights", "x")
    assert r.exit_code == 1 and "name=value" in r.stderr


def test_gravity_specs_and_empty_list(run) -> None:
    r = run("gravity", "specs", "--format", "csv")
    assert r.exit_code == 0 and "agtpa_table3_endg" in r.stdout
    r = run("gravity", "list", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    r = run("gravity", "show", "nope")
    assert r.exit_code == 1 and "no gravity run 'nope'" in r.stderr


def test_bad_spec_file_names_the_cause(run, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\ndataset: agtpa_applications\nformula: trade ~ x\nfiltr: []\n")
    r = run("gravity", "fit", str(f), "-q")
    assert r.exit_code == 1 and "unknown spec key(s) filtr" in r.stderr


@pytest.mark.shared_data
def test_fit_show_list_textbook(
    cli, shared_data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SILKHUB_SHARED_DATA", str(shared_data))
    r = cli("gravity", "fit", "agtpa_table3_ppml", "-q", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert rows["rta"]["published"] == 0.191 and abs(rows["rta"]["difference"]) < 6e-4
    # json keeps full precision (the terminal table rounds to 4 decimals)
    assert rows["rta"]["estimate"] != round(rows["rta"]["estimate"], 4)
    assert "observations 28,152" in r.stderr and "converged: yes" in r.stderr
    r = cli("gravity", "list", "--format", "json")
    run_id = json.loads(r.stdout)[0]["run_id"]
    r = cli("gravity", "show", run_id, "--format", "csv")
    assert r.exit_code == 0 and "rta" in r.stdout
    # an unknown variable on real data is named, with the available columns
    f = tmp_path / "typo.yaml"
    f.write_text("name: typo\ndataset: agtpa_applications\nformula: trade ~ rta + cntgg\n")
    r = cli("gravity", "fit", str(f), "-q")
    assert r.exit_code == 1 and "unknown variable(s) cntgg" in r.stderr


@pytest.mark.shared_data
def test_policy_bri(cli, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILKHUB_SHARED_DATA", str(shared_data))
    r = cli(
        "gravity", "policy", "--group", "bri", "--lead", "1", "--lag", "1", "-q", "--format", "csv"
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith("bri,")
    assert "Trade between China and its bri partners" in r.stdout
    assert "95 % CI" in r.stdout and "fixed effects: exporter^importer" in r.stderr
    r = cli("gravity", "policy", "--group", "nato", "-q")
    assert r.exit_code == 1 and "unknown group 'nato'" in r.stderr


def test_partners_potential_by_section_explains_missing_data(run) -> None:
    r = run("partners", "potential", "--reporter", "CHN", "--year", "2016", "--by-section")
    assert r.exit_code == 1 and "product-level bilateral trade" in r.stderr


@pytest.mark.shared_data
def test_table1_columns_run_by_name(cli, shared_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("SILKHUB_SHARED_DATA", str(shared_data))
    r = cli("gravity", "specs", "--format", "json")
    names = {x["name"] for x in json.loads(r.stdout)}
    assert {
        "agtpa_table1_ols",
        "agtpa_table1_remoteness",
        "agtpa_table1_fes",
        "agtpa_table1_ppml",
    } <= names
    r = cli("gravity", "fit", "agtpa_table1_ols", "-q", "--no-save", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert abs(rows["log_dist"]["difference"]) < 6e-4 and rows["log_y"]["published"] == 1.19


def test_unknown_group_is_refused_as_in_the_api(run) -> None:
    """CLI and API share one partner-list rule (gravity_service.group_partners)."""
    r = run("partners", "potential", "--reporter", "CHN", "--year", "2016", "--group", "nope")
    assert r.exit_code == 1, r.stdout
    assert "nope" in r.stderr
