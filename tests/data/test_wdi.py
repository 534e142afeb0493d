"""WDI importer: wide and long files, aggregates, bad input, the real samples, the API path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkhub.data.importers.live import publish_wdi_fetch
from silkhub.data.importers.runner import run_import
from silkhub.data.importers.wdi import parse_wbgapi_rows
from silkhub.data.store import AnalyticsStore
from silkhub.errors import DataImportError, ValidationError

RECORDED = Path(__file__).parent / "recorded" / "wbgapi_gdp_chn_kaz_2018_2019.json"


def test_wide_file_to_long(store: AnalyticsStore, fixtures: Path) -> None:
    res, *_ = run_import(store, "wdi", fixtures / "wdi_wide.csv")
    df = store.read("wdi").sort_values(["iso3", "year"])
    # CHN 2010, 2011 (2012 empty); KAZ 2010-2012; WLD dropped; ROM -> ROU 2012 = 6 rows
    assert res.rows == 6
    assert list(df.itertuples(index=False, name=None))[:2] == [
        ("CHN", "NY.GDP.MKTP.CD", 2010, 6087164527421.24),
        ("CHN", "NY.GDP.MKTP.CD", 2011, 7551500124203.5),
    ]
    assert "ROU" in set(df["iso3"]) and "WLD" not in set(df["iso3"])
    assert res.notes == [
        "3 values of 1 World Bank aggregates (WLD, regions, income groups …) kept apart in "
        "wdi_aggregates"
    ]
    agg = store.read("wdi_aggregates").sort_values("year")
    assert next(agg.itertuples(index=False, name=None)) == (
        "WLD",
        "World",
        "world",
        "NY.GDP.MKTP.CD",
        2010,
        66e12,
    )
    assert len(agg) == 3


def test_long_file_takes_the_indicator_from_its_name(store: AnalyticsStore, fixtures: Path) -> None:
    res, *_ = run_import(store, "wdi", fixtures / "gdp.csv")
    assert res.rows == 3
    assert set(store.read("wdi")["indicator"]) == {"NY.GDP.MKTP.CD"}


def test_long_file_with_another_name_needs_indicator(store: AnalyticsStore, tmp_path: Path) -> None:
    p = tmp_path / "series.csv"
    p.write_text("Country Name,Country Code,Year,Value\nChina,CHN,2019,1\n")
    with pytest.raises(ValidationError, match="--indicator"):
        run_import(store, "wdi", p)
    res, *_ = run_import(store, "wdi", p, options={"indicator": "SP.POP.TOTL"})
    assert res.rows == 1


def test_bad_rows_give_exact_messages_and_nothing_is_published(
    store: AnalyticsStore, fixtures: Path, tmp_path: Path
) -> None:
    with pytest.raises(DataImportError) as exc:
        run_import(store, "wdi", fixtures / "wdi_bad.csv", error_file=tmp_path / "e.csv")
    errors = exc.value.errors
    assert errors[0] == "wdi_bad.csv:3:2010: 'n/a' is not a number"
    assert errors[1].startswith("wdi_bad.csv:4:Country Code: unknown country 'ATL'")
    assert len(errors) == 2
    assert (tmp_path / "e.csv").read_text().splitlines()[0] == "file,row,column,reason"
    assert not store.has("wdi")


def test_skip_invalid_imports_the_good_rows(store: AnalyticsStore, fixtures: Path) -> None:
    res, *_ = run_import(store, "wdi", fixtures / "wdi_bad.csv", skip_invalid=True)
    # a row with a problem is skipped whole: row 3 (KAZ, 'n/a') and row 4 (ATL) go,
    # CHN 2010 and 2011 stay
    assert res.rows == 2
    assert any("rows skipped" in n for n in res.notes)


def test_gbk_file_is_refused_then_read_with_encoding(store: AnalyticsStore, fixtures: Path) -> None:
    with pytest.raises(DataImportError, match="GBK"):
        run_import(store, "wdi", fixtures / "wdi_gbk.csv")
    res, *_ = run_import(store, "wdi", fixtures / "wdi_gbk.csv", encoding="gbk")
    assert res.rows == 1


def test_reimport_is_a_noop_and_new_file_is_a_new_version(
    store: AnalyticsStore, fixtures: Path, tmp_path: Path
) -> None:
    p = tmp_path / "gdp.csv"
    p.write_bytes((fixtures / "gdp.csv").read_bytes())
    assert run_import(store, "wdi", p)[0].status == "imported"
    assert run_import(store, "wdi", p)[0].status == "unchanged"
    p.write_text(p.read_text() + "Kazakhstan,KAZ,2020,171082379880.6\n")
    res, *_ = run_import(store, "wdi", p)
    assert (res.status, res.version, res.rows) == ("imported", 2, 4)
    assert len(store.versions("wdi")) == 2


@pytest.mark.shared_data
def test_real_ronnywang_folder(store: AnalyticsStore, shared_data: Path) -> None:
    res, *_ = run_import(store, "wdi", shared_data / "wdi" / "ronnywang_wdi")
    con = store.connect()
    assert con.sql("SELECT count(DISTINCT indicator) FROM wdi").fetchall() == [(20,)]
    assert res.entry is not None and res.entry.years == [1960, 2012]  # the 2013 column is empty
    gdp = con.sql(
        "SELECT value FROM wdi WHERE iso3='AFG' AND indicator='NY.GDP.MKTP.CD' AND year=1960"
    ).fetchall()
    assert gdp == [(537777811.911111,)]  # first value of the file, by eye
    assert con.sql("SELECT count(*) FROM wdi WHERE iso3 IN ('WLD','EAS','HIC')").fetchall() == [
        (0,)
    ]
    # the aggregates are kept apart, with the World Bank's codes and names (2013 vintage)
    names = dict(con.sql("SELECT DISTINCT code, name FROM wdi_aggregates").fetchall())
    assert names["WLD"] == "World" and names["EAS"] == "East Asia & Pacific (all income levels)"
    kinds = dict(con.sql("SELECT DISTINCT code, kind FROM wdi_aggregates").fetchall())
    assert (kinds["HIC"], kinds["EAS"], kinds["WLD"]) == ("income", "region", "world")


@pytest.mark.shared_data
def test_real_long_files(store: AnalyticsStore, shared_data: Path) -> None:
    res, *_ = run_import(store, "wdi", shared_data / "wdi")
    con = store.connect()
    assert con.sql("SELECT DISTINCT indicator FROM wdi ORDER BY 1").fetchall() == [
        ("NY.GDP.MKTP.CD",),
        ("SP.POP.TOTL",),
    ]
    assert res.rows > 20000


def test_wbgapi_rows_are_parsed() -> None:
    rows = json.loads(RECORDED.read_text())
    frame, problems = parse_wbgapi_rows(rows)
    assert not problems
    # 8 rows recorded: EAS aggregate and one empty value are skipped -> 6
    assert len(frame) == 6
    chn = frame[(frame["iso3"] == "CHN") & (frame["year"] == 2019)]["value"].item()
    assert chn == 14279937500606.5


def test_fetch_publishes_a_version_with_api_provenance(store: AnalyticsStore) -> None:
    rows = json.loads(RECORDED.read_text())

    def fake_fetch(series, economy="all", time="all", skipBlanks=False):
        assert series == ["NY.GDP.MKTP.CD"]
        return iter(rows)

    entry = publish_wdi_fetch(store, ["NY.GDP.MKTP.CD"], fetcher=fake_fetch, name="wdi")
    assert entry.rows == 6 and entry.source_url == "https://api.worldbank.org/v2/"
    again = publish_wdi_fetch(store, ["NY.GDP.MKTP.CD"], fetcher=fake_fetch, name="wdi")
    assert again.version == 1  # same response: no new version
    with pytest.raises(ValidationError):
        publish_wdi_fetch(store, ["not a code"], fetcher=fake_fetch)


def test_api_download_with_preamble_and_bom(store: AnalyticsStore, fixtures: Path) -> None:
    # the World Bank website's CSV: BOM, 4 preamble lines, quoted cells, a trailing comma
    res, *_ = run_import(store, "wdi", fixtures / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv")
    assert res.rows == 2  # CHN 2018, 2019; WLD left out
    assert store.read("wdi", "year = 2019")["value"].item() == 14279937500606.5


def test_chunked_reading_keeps_row_numbers(
    store: AnalyticsStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from silkhub.data.importers import wdi

    monkeypatch.setattr(wdi, "CHUNK_ROWS", 1)  # one row per chunk
    with pytest.raises(DataImportError) as exc:
        run_import(store, "wdi", fixtures / "wdi_bad.csv")
    assert exc.value.errors[0] == "wdi_bad.csv:3:2010: 'n/a' is not a number"
    assert exc.value.errors[1].startswith("wdi_bad.csv:4:Country Code: unknown country 'ATL'")
    res, *_ = run_import(store, "wdi", fixtures / "wdi_wide.csv")
    assert res.rows == 6
