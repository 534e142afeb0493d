"""Key-based imports: partial files replace only the keys they bring (issue 15, point 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore

HEADER = "Country Name,Country Code,Year,Value\n"


def _long(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_indicators_imported_one_by_one_are_all_kept(store: AnalyticsStore, tmp_path: Path) -> None:
    gdp = _long(tmp_path / "gdp.csv", ["China,CHN,2019,14.0", "World,WLD,2019,87.0"])
    pop = _long(tmp_path / "population.csv", ["China,CHN,2019,1.4", "World,WLD,2019,7.7"])
    first = run_import(store, "wdi", gdp)
    assert first[0].merge is None  # nothing to merge with
    res, agg = run_import(store, "wdi", pop)
    assert res.merge is not None and res.merge.startswith("kept 1 indicator, replaced 0, added 1")
    assert "merged with version 1" in res.merge
    assert (res.version, res.rows) == (2, 2)
    df = store.read("wdi")
    assert sorted(df["indicator"]) == ["NY.GDP.MKTP.CD", "SP.POP.TOTL"]
    # the aggregates follow the same rule in their own dataset
    assert agg.dataset == "wdi_aggregates" and agg.rows == 2
    assert set(store.read("wdi_aggregates")["indicator"]) == {"NY.GDP.MKTP.CD", "SP.POP.TOTL"}
    # the note is in the catalog too (silkhub data show wdi)
    assert any(n.startswith("kept 1 indicator") for n in store.entry("wdi").notes)


def test_an_import_replaces_only_the_countries_and_years_it_brings(
    store: AnalyticsStore, tmp_path: Path
) -> None:
    a = _long(
        tmp_path / "gdp.csv", ["China,CHN,2018,1", "China,CHN,2019,2", "Kazakhstan,KAZ,2019,3"]
    )
    run_import(store, "wdi", a)
    b = _long(tmp_path / "gdp_fix.csv", ["China,CHN,2019,20", "Kazakhstan,KAZ,2020,4"])
    [res] = run_import(store, "wdi", b, options={"indicator": "NY.GDP.MKTP.CD"})
    assert res.merge is not None
    assert res.merge.startswith(
        "kept 0 indicators, replaced 1 (NY.GDP.MKTP.CD: 1 values replaced, 2 values outside "
        "this import's keys kept)"
    )
    got = {(r.iso3, r.year): r.value for r in store.read("wdi").itertuples()}
    assert got == {("CHN", 2018): 1, ("CHN", 2019): 20, ("KAZ", 2019): 3, ("KAZ", 2020): 4}


def test_replace_all_gives_the_old_behaviour(store: AnalyticsStore, tmp_path: Path) -> None:
    run_import(store, "wdi", _long(tmp_path / "gdp.csv", ["China,CHN,2019,14"]))
    pop = _long(tmp_path / "population.csv", ["China,CHN,2019,1.4"])
    [res] = run_import(store, "wdi", pop, replace_all=True)
    assert res.merge is None
    assert "replaced version 1 as a whole (--replace-all)" in res.notes
    assert set(store.read("wdi")["indicator"]) == {"SP.POP.TOTL"}
    # the previous version is still on disk
    assert len(store.versions("wdi")) == 2


def test_dry_run_says_what_the_merge_would_do(store: AnalyticsStore, tmp_path: Path) -> None:
    run_import(store, "wdi", _long(tmp_path / "gdp.csv", ["China,CHN,2019,14"]))
    pop = _long(tmp_path / "population.csv", ["China,CHN,2019,1.4", "China,CHN,2020,1.41"])
    [res] = run_import(store, "wdi", pop, dry_run=True)
    assert res.status == "dry-run" and res.rows == 3
    assert res.merge is not None and res.merge.startswith("kept 1 indicator")
    assert store.entry("wdi").version == 1


def test_regional_extracts_merge_by_region_indicator_year(
    store: AnalyticsStore, tmp_path: Path
) -> None:
    head = "region_id,year,indicator,value,unit,source\n"
    a = tmp_path / "a.csv"
    a.write_text(head + "CN-SD,2019,GDP,100,CNY_100m,yearbook\nCN-SD,2019,EXPORTS,10,CNY_100m,yb\n")
    b = tmp_path / "b.csv"
    b.write_text(head + "CN-SD,2020,GDP,110,CNY_100m,yearbook\nCN-SD,2019,GDP,101,CNY_100m,rev\n")
    run_import(store, "regional", a)
    [res] = run_import(store, "regional", b)
    assert res.merge is not None and res.merge.startswith("kept 1 indicator, replaced 1")
    got = {(r.indicator, r.year): r.value for r in store.read("regional").itertuples()}
    assert got == {("GDP", 2019): 101, ("GDP", 2020): 110, ("EXPORTS", 2019): 10}


def test_comtrade_files_by_reporter_and_year_accumulate(
    store: AnalyticsStore, tmp_path: Path
) -> None:
    head = (
        "Classification,Year,Period,Trade Flow Code,Trade Flow,Reporter Code,Reporter,"
        "Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,Commodity,Qty,"
        "Trade Value (US$)\n"
    )
    kaz = tmp_path / "kaz_2015.csv"
    kaz.write_text(
        head + "H4,2015,2015,2,Export,398,Kazakhstan,KAZ,156,China,CHN,TOTAL,All,,5480000000\n"
    )
    uzb = tmp_path / "uzb_2016.csv"
    uzb.write_text(
        head + "H4,2016,2016,2,Export,860,Uzbekistan,UZB,156,China,CHN,TOTAL,All,,1000000000\n"
    )
    run_import(store, "comtrade", kaz)
    [res] = run_import(store, "comtrade", uzb)
    assert res.merge is not None and res.merge.startswith("kept 1 year, replaced 0, added 1")
    df = store.read("comtrade")
    assert sorted(zip(df["exporter"], df["year"], strict=True)) == [("KAZ", 2015), ("UZB", 2016)]


BACI_HEAD = "t,i,j,k,v,q\n"


def test_baci_years_accumulate_and_a_year_is_replaced_whole(
    store: AnalyticsStore, tmp_path: Path
) -> None:
    y17 = tmp_path / "y17" / "BACI_HS17_Y2017_V202301.csv"
    y18 = tmp_path / "y18" / "BACI_HS17_Y2018_V202301.csv"
    y17b = tmp_path / "y17b" / "BACI_HS17_Y2017_V202401.csv"
    for p, body in (
        (y17, "2017,156,842,854140,1250.5,30.2\n2017,842,156,100199,2000,5000\n"),
        (y18, "2018,156,842,854140,1300,31\n"),
        (y17b, "2017,156,842,854140,1251,30.2\n"),
    ):
        p.parent.mkdir()
        p.write_text(BACI_HEAD + body)
    run_import(store, "baci", y17)
    [res] = run_import(store, "baci", y18)
    assert res.merge is not None and res.merge.startswith("kept 1 year, replaced 0, added 1")
    assert res.rows == 3
    [res] = run_import(store, "baci", y17b)
    assert res.merge is not None and res.merge.startswith("kept 1 year, replaced 1 (2017: 2")
    df = store.read("baci").sort_values("year")
    assert list(zip(df["year"], df["value_usd"], strict=True)) == [(2017, 1251000.0), (2018, 1.3e6)]
    # the kept year's files are shared with the previous version, not rewritten
    assert store.entry("baci").rows == 2
    # --replace-all: only the new year
    [res] = run_import(store, "baci", y18, replace_all=True, force=True)
    assert set(store.read("baci")["year"]) == {2018}


@pytest.mark.shared_data
def test_shared_gdp_then_population_keeps_both(store: AnalyticsStore, shared_data: Path) -> None:
    wdi = shared_data / "wdi"
    run_import(store, "wdi", wdi / "gdp.csv")
    res, _agg = run_import(store, "wdi", wdi / "population.csv")
    assert res.merge is not None and res.merge.startswith("kept 1 indicator, replaced 0, added 1")
    con = store.connect()
    assert con.sql("SELECT DISTINCT indicator FROM wdi ORDER BY 1").fetchall() == [
        ("NY.GDP.MKTP.CD",),
        ("SP.POP.TOTL",),
    ]
    wld = con.sql(
        "SELECT indicator, value FROM wdi_aggregates WHERE code = 'WLD' AND year = 2015 "
        "ORDER BY indicator"
    ).fetchall()
    assert [w[0] for w in wld] == ["NY.GDP.MKTP.CD", "SP.POP.TOTL"]
    assert wld[1][1] == pytest.approx(7.4e9, rel=0.02)


def test_live_fetch_merges_and_keeps_aggregates(store: AnalyticsStore, tmp_path: Path) -> None:
    import json

    from silkhub.data.importers.live import publish_wdi_fetch

    rows = json.loads(
        (Path(__file__).parent / "recorded" / "wbgapi_gdp_chn_kaz_2018_2019.json").read_text()
    )
    run_import(store, "wdi", _long(tmp_path / "population.csv", ["China,CHN,2019,1.4"]))
    entry = publish_wdi_fetch(
        store, ["NY.GDP.MKTP.CD"], fetcher=lambda *a, **k: iter(rows), name="wdi"
    )
    assert entry.version == 2
    assert set(store.read("wdi")["indicator"]) == {"NY.GDP.MKTP.CD", "SP.POP.TOTL"}
    assert any(n.startswith("kept 1 indicator") for n in entry.notes)
    # the EAS row of the response is kept apart, named from the shipped table
    agg = store.read("wdi_aggregates")
    assert set(agg["code"]) == {"EAS"} and set(agg["name"]) == {"East Asia & Pacific"}
