import csv
import io


def _iso3s(out: str) -> set[str]:
    return {row["iso3"] for row in csv.DictReader(io.StringIO(out))}


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0 and "silkhub" in r.stdout


def test_bri_as_of(cli):
    r = cli("countries", "list", "--group", "bri", "--as-of", "2020-01-01", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("iso3,name,joined,left")
    assert "ITA" in _iso3s(r.stdout)
    r = cli("countries", "list", "--group", "bri", "--as-of", "2024-06-01", "--format", "csv")
    assert "ITA" not in _iso3s(r.stdout)


def test_sco_2018(cli):
    r = cli("countries", "list", "--group", "sco", "--as-of", "2018-01-01", "--format", "csv")
    assert {"IND", "PAK"} <= _iso3s(r.stdout)


def test_show_zh(cli):
    r = cli("countries", "show", "DEU", "--lang", "zh")
    assert r.exit_code == 0
    assert "德国" in r.stdout


def test_json_output(cli):
    import json

    r = cli("countries", "list", "--group", "asean", "--format", "json", "--as-of", "2000-01-01")
    assert len(json.loads(r.stdout)) == 10


def test_user_errors_exit_1_one_line(cli):
    for args in (
        ("countries", "show", "XXX"),
        ("countries", "list", "--group", "nato"),
        ("countries", "list", "--group", "bri", "--as-of", "yesterday"),
    ):
        r = cli(*args)
        assert r.exit_code == 1, args
        assert r.stderr.strip().count("\n") == 0, r.stderr
        assert "Traceback" not in r.stderr
    assert "valid choices" in cli("countries", "list", "--group", "nato").stderr


def test_usage_error_exit_2(cli):
    assert cli("countries", "list", "--nope").exit_code == 2


def test_ref_load_twice(cli):
    assert cli("ref", "load").exit_code == 0
    r = cli("ref", "load")
    assert r.exit_code == 0 and "memberships" in r.stdout


def test_db_upgrade(cli):
    assert cli("db", "upgrade").exit_code == 0


def test_regions(cli):
    r = cli(
        "regions",
        "add",
        "CN-SD-jining",
        "--name-en",
        "Jining",
        "--name-zh",
        "济宁市",
        "--parent",
        "CN-SD",
        "--lat",
        "35.4",
        "--lon",
        "116.6",
    )
    assert r.exit_code == 0, r.stderr
    r = cli("regions", "list", "--level", "city", "--format", "csv")
    assert "CN-SD-jining" in r.stdout and "CN-SD-qingdao" in r.stdout
    r = cli("regions", "add", "CN-SD-x", "--name-en", "X", "--lat", "123")
    assert r.exit_code == 1 and "latitude" in r.stderr


def test_bri_mid_2025_excludes_panama_and_includes_colombia(cli):
    r = cli("countries", "list", "--group", "bri", "--as-of", "2025-06-01", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    got = _iso3s(r.stdout)
    assert "PAN" not in got and "COL" in got and "ITA" not in got
    header = r.stdout.splitlines()[0]
    assert header.endswith("joined_precision,source")


def test_year_only_dates_are_noted(cli):
    r = cli("countries", "list", "--group", "bri", "--as-of", "2018-06-01", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert "known to the year only (2018)" in " ".join(r.stderr.split())
    r = cli("countries", "list", "--group", "bri", "--as-of", "2025-06-01", "--format", "csv")
    assert "year only" not in r.stderr


def test_ref_update_loads_a_reviewed_file(cli, tmp_path):
    f = tmp_path / "bri_reviewed.csv"
    f.write_text(
        "group_code,iso3,role,joined,joined_precision,left,source,note\n"
        "bri,CHL,member,2018-11-02,day,,MFA transcript 2018-11-02,\n"
        "bri,COL,member,2025-05-14,day,,People's Daily 2025-05-15,\n",
        encoding="utf-8",
    )
    r = cli("ref", "update", str(f))
    assert r.exit_code == 0, r.stderr
    assert "bri: 2 membership rows loaded" in r.stdout
    r = cli("countries", "list", "--group", "bri", "--as-of", "2025-06-01", "--format", "csv")
    assert _iso3s(r.stdout) == {"CHL", "COL"}
    f.write_text(
        "group_code,iso3,role,joined,joined_precision,left,source,note\n"
        "bri,XXX,member,2018,year,,,\n",
        encoding="utf-8",
    )
    r = cli("ref", "update", str(f))
    assert r.exit_code != 0
    assert "bri_reviewed.csv:2:iso3: unknown country code 'XXX'" in r.stderr
    assert "bri_reviewed.csv:2:source: empty" in r.stderr
