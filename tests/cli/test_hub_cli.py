"""CLI: silkhub hub ... and silkhub event ... (in-process, SQLite)."""

import json


def test_demo_event_totals_and_lists(cli, tmp_path):
    r = cli("hub", "demo")
    assert r.exit_code == 0, r.stderr
    assert "42.7 bn CNY signed" in " ".join(r.stdout.split())
    r = cli("event", "totals", "1")
    assert r.stdout.strip() == "10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced"
    r = cli("event", "list", "--format", "json")
    assert json.loads(r.stdout)[0]["projects"] == 30
    r = cli("hub", "list", "--sort", "-value_usd", "--limit", "2", "--format", "csv")
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("id,identifier,title") and len(lines) == 3
    r = cli("hub", "performance", "--as-of", "2024-01-01", "--format", "json")
    assert sum(x["overdue"] for x in json.loads(r.stdout)) == 3
    r = cli("hub", "overdue", "--as-of", "2024-01-01", "--format", "csv")
    assert "Open a representative office" in r.stdout


def test_illegal_stage_change_is_one_line_exit_1(cli):
    cli("hub", "demo")
    r = cli("hub", "stage", "1", "proposed")
    assert r.exit_code == 1
    assert "allowed next stages: operational, suspended, cancelled" in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr
    r = cli("hub", "stage", "3", "under_construction", "--at", "2021-01-01", "--note", "started")
    assert r.exit_code == 0 and "under_construction" in " ".join(r.stdout.split())


def test_export_oc4ids_to_file(cli, tmp_path):
    cli("hub", "demo")
    out = tmp_path / "p.json"
    r = cli("hub", "export", "--format", "oc4ids", "--out", str(out))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["projects"]) == 30


def test_bulk_import_errors(cli, tmp_path):
    f = tmp_path / "orgs.csv"
    f.write_text("kind,name_en\nsoe,A\nspaceship,B\n", encoding="utf-8")
    r = cli("hub", "import", "organisations", str(f))
    assert r.exit_code == 1
    assert f"{f}:3:kind:" in r.stderr
    f.write_text("kind,name_en\nsoe,A\n", encoding="utf-8")
    r = cli("hub", "import", "organisations", str(f))
    assert r.exit_code == 0 and "1 organisations created" in " ".join(r.stdout.split())


def test_help_texts(cli):
    r = cli("hub", "--help")
    for cmd in ("import", "export", "list", "show", "stage", "events", "performance"):
        assert cmd in r.stdout
    assert "totals" in cli("event", "--help").stdout


def test_bulk_import_warns_of_repeated_construction(cli, tmp_path):
    f = tmp_path / "projects.csv"
    f.write_text(
        "title_en,title_zh,iso3,region_id,isic_code\n"
        "Jinan international logistics park for China-Europe trains,"
        "济南中欧班列国际物流园,CHN,Jinan,52\n"
        "International logistics park for China-Europe trains in Jinan,"
        "济南国际物流园,CHN,Jinan,52\n",
        encoding="utf-8",
    )
    r = cli("hub", "import", "projects", str(f))
    assert r.exit_code == 0, r.stderr
    assert "possible repeated construction" in r.stderr
    assert "similar projects already in the hub" in r.stdout
