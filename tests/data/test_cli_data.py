"""``silkhub data``: import, list, show, errors, template, demo (in-process CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkhub.data.importers.base import sha256_file, sha256_files


@pytest.mark.shared_data
def test_list_after_importing_wdi_and_openflights(cli, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    wdi = shared_data / "wdi" / "ronnywang_wdi"
    flights = shared_data / "openflights"
    assert cli("data", "import", "wdi", str(wdi), "--quiet").exit_code == 0
    r = cli("data", "import", "openflights", str(flights), "--quiet")
    assert r.exit_code == 0, r.stderr
    r = cli("data", "list", "--format", "json")
    rows = {d["name"]: d for d in json.loads(r.stdout)}
    assert set(rows) == {"wdi", "wdi_aggregates", "air_routes", "air_connectivity"}
    assert rows["wdi"]["rows"] > 100000
    files = sorted(p for p in wdi.glob("*.csv") if "Series" not in p.name)
    assert rows["wdi"]["sha256"] == sha256_files(files)
    assert rows["air_connectivity"]["sha256"] == sha256_files(
        [flights / "airports.dat", flights / "routes.dat"]
    )
    table = cli("data", "list").stdout
    assert "wdi" in table and rows["wdi"]["sha256"] in table and f"{rows['wdi']['rows']}" in table


def test_import_show_and_idempotent_reimport(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fixtures = Path(__file__).parent / "fixtures"
    r = cli("data", "import", "wdi", str(fixtures / "wdi_wide.csv"), "--quiet")
    assert r.exit_code == 0 and "wdi: imported version 1, 6 rows" in r.stdout
    r = cli("data", "import", "wdi", str(fixtures / "wdi_wide.csv"), "--quiet")
    assert "unchanged" in r.stdout
    r = cli("data", "show", "wdi")
    assert r.exit_code == 0
    assert "years 2010–2012" in r.stdout and "value" in r.stdout
    assert sha256_file(fixtures / "wdi_wide.csv") in r.stdout
    r = cli("data", "show", "wdi", "--format", "json")
    [version] = json.loads(r.stdout)
    assert version["command"].startswith("silkhub ") or version["command"]
    assert version["licence"] == "CC BY 4.0 (World Bank)"


def test_bad_file_exits_1_with_file_row_column_reason(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fixtures = Path(__file__).parent / "fixtures"
    errors = tmp_path / "errors.csv"
    r = cli("data", "import", "wdi", str(fixtures / "wdi_bad.csv"), "--errors", str(errors), "-q")
    assert r.exit_code == 1
    assert "wdi_bad.csv:3:2010: 'n/a' is not a number" in r.stderr
    assert errors.exists() and "wdi_bad.csv,3,2010" in errors.read_text()
    r = cli("data", "import", "nosuch", str(fixtures / "wdi_bad.csv"))
    assert r.exit_code == 1 and "unknown source" in r.stderr
    r = cli("data", "show", "nosuch")
    assert r.exit_code == 1 and "has not been imported" in r.stderr


def test_dry_run_publishes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    fixtures = Path(__file__).parent / "fixtures"
    r = cli("data", "import", "wdi", str(fixtures / "gdp.csv"), "--dry-run", "-q")
    assert "dry run, 3 rows" in r.stdout
    assert "no datasets" in cli("data", "list").stdout


def test_demo_is_idempotent(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("data", "demo")
    assert "wdi" in r.stdout and "china_br65_trade" in r.stdout
    assert "already loaded" in cli("data", "demo").stdout
    rows = {d["name"]: d["rows"] for d in json.loads(cli("data", "list", "-f", "json").stdout)}
    assert rows == {"air_connectivity": 173, "china_br65_trade": 896, "wdi": 1497}


def test_template_regional(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "regional.csv"
    r = cli("data", "template", "regional", str(out))
    assert r.exit_code == 0 and out.exists()
    assert "region_id" in out.read_text(encoding="utf-8")


def test_import_regional_through_the_catalog(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "jinan.csv"
    p.write_text(
        "region_id,year,indicator,value,unit,source,note\n"
        "Jinan,2019,GDP,9443.37,CNY_100m,济南市2019年国民经济和社会发展统计公报,\n",
        encoding="utf-8",
    )
    r = cli("data", "import", "regional", str(p), "-q")
    assert r.exit_code == 0, r.stderr
    assert "regional: imported version 1, 1 rows" in r.stdout
    shown = json.loads(cli("data", "show", "regional", "-f", "json").stdout)[0]
    assert list(shown["columns"]) == ["region_id", "year", "indicator", "value", "unit", "source"]
    bad = tmp_path / "bad.csv"
    bad.write_text("region_id,year,indicator,value,unit,source\nJinan,20x9,GDP,1,,s\n")
    r = cli("data", "import", "regional", str(bad), "-q")
    assert r.exit_code == 1 and "bad.csv:2" in r.stderr


def test_fetch_wdi_on_a_recorded_response(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import wbgapi

    recorded = Path(__file__).parent / "recorded" / "wbgapi_gdp_chn_kaz_2018_2019.json"
    rows = json.loads(recorded.read_text())
    seen = {}

    def fake_fetch(series, economy="all", time="all", skipBlanks=False):  # type: ignore[no-untyped-def]
        seen.update(series=series, economy=economy, time=list(time))
        return iter(rows)

    monkeypatch.setattr(wbgapi.data, "fetch", fake_fetch)
    r = cli(
        "data", "fetch", "wdi", "-i", "NY.GDP.MKTP.CD", "-c", "CHN", "-c", "KAZ",
        "--start", "2018", "--end", "2019",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "wdi: imported version 1, 6 rows" in r.stdout
    assert seen == {"series": ["NY.GDP.MKTP.CD"], "economy": ["CHN", "KAZ"], "time": [2018, 2019]}
