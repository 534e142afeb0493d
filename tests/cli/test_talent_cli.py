import json


def test_places_and_talent_cli(cli, tmp_path):
    t = tmp_path / "t.csv"
    assert cli("places", "template", str(t)).exit_code == 0
    t.write_text(
        t.read_text(encoding="utf-8") + "consulate,Consulate X,,Qingdao,KOR,ko,visas,,,,,test\n",
        encoding="utf-8",
    )
    r = cli("places", "import", str(t))
    assert r.exit_code == 0, r.stderr
    r = cli("places", "counts", "--format", "json")
    assert json.loads(r.stdout)[0]["indicator"] == "CONSULATES"
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,name_en,region,source\nzoo,X,Jinan,s\n", encoding="utf-8")
    r = cli("places", "import", str(bad))
    assert r.exit_code == 1 and "bad.csv:2:kind:" in r.stderr
    person = tmp_path / "p.json"
    person.write_text(
        json.dumps({"name_en": "Expert", "nationality": "KAZ", "based_in": "Qingdao"}),
        encoding="utf-8",
    )
    r = cli("talent", "add", str(person), "--consent-on", "2026-11-01")
    assert r.exit_code == 0, r.stderr
    r = cli("talent", "list", "--format", "csv")
    assert "Expert" in r.stdout
    r = cli("talent", "export", "1")
    assert json.loads(r.stdout)["profile"]["nationality"] == "KAZ"
    assert cli("talent", "delete", "1", "--yes").exit_code == 0
    assert "Expert" not in cli("talent", "list", "--format", "csv").stdout


def test_index_with_hub_counts(cli, tmp_path):
    t = tmp_path / "p.csv"
    cli("places", "template", str(t))
    rows = "".join(f"consulate,Consulate {i},,Qingdao,KOR,ko,visas,,,,,test\n" for i in range(3))
    t.write_text(t.read_text(encoding="utf-8") + rows, encoding="utf-8")
    assert cli("places", "import", str(t)).exit_code == 0
    data = tmp_path / "cities.csv"
    data.write_text(
        "region_id,year,indicator,value,unit,source\n"
        + "".join(
            f"{c},2026,{ind},{v},,test\n"
            for c in ("Jinan", "Qingdao", "Hangzhou")
            for ind, v in (
                ("GDP", 10000),
                ("TRADE_TOTAL", 1000 + len(c)),
                ("INTL_AIR_ROUTES", 10 + len(c)),
                ("SISTER_CITIES", 20 + len(c)),
            )
        ),
        encoding="utf-8",
    )
    base = (
        "index",
        "compute",
        "--data",
        str(data),
        "--year",
        "2026",
        "--format",
        "json",
        "--min-unit-coverage",
        "0.1",
    )
    without = cli(*base, "--quiet")
    assert without.exit_code == 0, without.stderr
    r = cli(*base, "--quiet", "--hub-counts")
    assert r.exit_code == 0, r.stderr
    assert r.stdout != without.stdout  # the three consulates now count for Qingdao
