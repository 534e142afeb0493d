"""Bilateral and export-only trade importers: BACI, WITS, Comtrade, beltandroad, econcomplexity."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from silkhub.data.importers.live import parse_comtrade_frame, publish_comtrade_fetch
from silkhub.data.importers.runner import run_import
from silkhub.data.store import AnalyticsStore
from silkhub.errors import DataImportError

RECORDED = Path(__file__).parent / "recorded" / "comtrade_preview_chn_2019.json"
BILATERAL = ["year", "exporter", "importer", "product", "value_usd", "quantity"]


# -- BACI ------------------------------------------------------------------------------------
def test_baci_values_in_thousands_become_usd(store: AnalyticsStore, fixtures: Path) -> None:
    [res] = run_import(store, "baci", fixtures / "BACI_HS17_Y2017_V202301.csv")
    assert res.rows == 4
    df = store.read("baci").sort_values(["exporter", "importer"]).reset_index(drop=True)
    assert list(df.columns) == BILATERAL
    rows = [tuple(r) for r in df[["exporter", "importer", "product", "value_usd"]].values]
    assert rows == [
        ("CHN", "KAZ", "010121", 47.0),  # 0.047 thousand US$; k '010121' keeps its zero
        ("CHN", "USA", "854140", 1250500.0),  # 1250.5 × 1000
        ("FRA", "CHN", "220421", 10500.0),  # BACI code 251 = France
        ("USA", "CHN", "100199", 2000000.0),
    ]
    assert df.loc[0, "quantity"] != df.loc[0, "quantity"]  # "NA" (padded) -> NULL
    assert (store.root / res.entry.path / "data" / "year=2017").is_dir()  # partitioned


def test_baci_bad_rows_are_reported_and_nothing_published(
    store: AnalyticsStore, fixtures: Path
) -> None:
    with pytest.raises(DataImportError) as exc:
        run_import(store, "baci", fixtures / "baci_bad" / "BACI_HS17_Y2017_V202301.csv")
    assert exc.value.errors == [
        "BACI_HS17_Y2017_V202301.csv:3:v: 'abc' is not a number",
        "BACI_HS17_Y2017_V202301.csv:4:i: unknown country code 999",
    ]
    assert not store.has("baci")
    assert list((store.root / ".staging").iterdir()) == []


def test_baci_missing_column(store: AnalyticsStore, tmp_path: Path) -> None:
    p = tmp_path / "BACI_x.csv"
    p.write_text("t,i,j,k,value,q\n2017,156,842,854140,1.0,1\n")
    with pytest.raises(DataImportError) as exc:
        run_import(store, "baci", p)
    assert exc.value.errors[0] == "BACI_x.csv:1:v: missing column (found 'value'?)"


# -- WITS --------------------------------------------------------------------------------------
@pytest.mark.shared_data
def test_wits_real_files(store: AnalyticsStore, shared_data: Path) -> None:
    res, harmonized = run_import(store, "wits", shared_data / "trade" / "wits_2009")
    con = store.connect()
    assert con.sql("SELECT DISTINCT year, product FROM wits_2009").fetchall() == [(2009, "TOTAL")]
    # one row per flow: no (exporter, importer) pair twice
    assert con.sql(
        "SELECT count(*) FROM (SELECT exporter, importer FROM wits_2009 GROUP BY 1, 2 "
        "HAVING count(*) > 1)"
    ).fetchall() == [(0,)]
    assert res.rows > 20000
    assert any("importer's report kept" in n for n in res.notes)
    # harmonized matrix: 197 x 197 cells minus 196 domestic and 393 with OAS ("Other Asia, nes")
    assert (harmonized.dataset, harmonized.rows) == ("wits_2009_harmonized", 197 * 197 - 196 - 393)
    # AFG -> ABW: Fij = 0 in the source (its second data row), kept as a zero flow
    assert con.sql(
        "SELECT value_usd FROM wits_2009_harmonized WHERE exporter = 'AFG' AND importer = 'ABW'"
    ).fetchall() == [(0.0,)]


def test_wits_raw_fixture(store: AnalyticsStore, tmp_path: Path) -> None:
    p = tmp_path / "WITS_trade2009.csv"
    p.write_text(
        "Nomenclature;ReporterISO3;ProductCode;ReporterName;PartnerISO3;PartnerName;Year;"
        "TradeFlowName;TradeFlowCode;TradeValue in 1000 USD\r\n"
        "NC;ABW; Total;Aruba;ARG;Argentina;2009;Export;6;.067\r\n"
        "NC;ARG; Total;Argentina;ABW;Aruba;2009;Import;5;.05\r\n"
        "NC;ABW; Total;Aruba;WLD;World;2009;Export;6;100\r\n"
    )
    assert len(run_import(store, "wits", p)) == 1
    # Aruba's export report (67 US$) and Argentina's import report (50 US$) of the same flow:
    # the importer's report is kept, in US$ (x 1000); World is left out
    assert store.read("wits_2009")[["exporter", "importer", "value_usd"]].values.tolist() == [
        ["ABW", "ARG", 50.0]
    ]


# -- Comtrade ----------------------------------------------------------------------------------
def test_comtrade_legacy_csv(store: AnalyticsStore, fixtures: Path, tmp_path: Path) -> None:
    with pytest.raises(DataImportError) as exc:
        run_import(store, "comtrade", fixtures / "comtrade_legacy.csv")
    assert exc.value.errors[0].startswith(
        "comtrade_legacy.csv:5:Partner ISO: unknown country 'NRN'"
    )
    assert exc.value.errors[1] == "comtrade_legacy.csv:6:Trade Flow Code: unknown trade flow '9'"
    run_import(store, "comtrade", fixtures / "comtrade_legacy.csv", skip_invalid=True)
    df = store.read("comtrade").sort_values("exporter")
    # Kazakhstan's export to China = KAZ -> CHN; its import from China = CHN -> KAZ; World dropped
    assert [tuple(r) for r in df[["exporter", "importer", "value_usd"]].values] == [
        ("CHN", "KAZ", 8440000000.0),
        ("KAZ", "CHN", 5480000000.0),
    ]


def test_comtrade_recorded_api_response_through_comtradeapicall(
    store: AnalyticsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib3

    body = RECORDED.read_bytes()
    calls = []

    def fake_request(self, method, url, fields=None, timeout=None):  # type: ignore[no-untyped-def]
        calls.append((url, fields))
        return SimpleNamespace(status=200, data=body)

    monkeypatch.setattr(urllib3.PoolManager, "request", fake_request)
    entry = publish_comtrade_fetch(store, reporter="CHN", years=[2019])
    assert calls[0][0].endswith("/public/v1/preview/C/A/HS")
    assert calls[0][1]["reportercode"] == "156"
    # 6 records: World and the re-export row are left out -> 4 flows
    assert entry.rows == 4
    df = store.read("comtrade")
    kaz = df[(df.exporter == "CHN") & (df.importer == "KAZ")]["value_usd"].item()
    assert kaz == 12731000000.0


def test_comtrade_fetch_merges_like_a_file_import(
    store: AnalyticsStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetch keeps the flows it does not bring (same keys as ``data import comtrade``)."""
    import pandas as pd

    run_import(store, "comtrade", fixtures / "comtrade_legacy.csv", skip_invalid=True)
    frame = pd.DataFrame(json.loads(RECORDED.read_text())["data"])
    client = SimpleNamespace(previewFinalData=lambda **kw: frame)
    entry = publish_comtrade_fetch(store, reporter="CHN", years=[2019], client=client)
    df = store.read("comtrade")
    assert entry.rows == len(df) == 4 + 2  # 4 fetched flows + the 2 kept from the file
    assert any("kept" in n for n in entry.notes)
    again = publish_comtrade_fetch(store, reporter="CHN", years=[2019], client=client)
    assert again.version == entry.version  # identical response: no new version


def test_comtrade_parse_frame_rejects_empty() -> None:
    import pandas as pd

    with pytest.raises(DataImportError):
        parse_comtrade_frame(pd.DataFrame())
    frame = pd.DataFrame(json.loads(RECORDED.read_text())["data"])
    assert len(parse_comtrade_frame(frame)) == 4


# -- beltandroad / economiccomplexity ----------------------------------------------------------
@pytest.mark.shared_data
def test_beltandroad_real_files(store: AnalyticsStore, shared_data: Path) -> None:
    results = run_import(store, "beltandroad", shared_data / "bri_membership")
    assert [(r.dataset, r.rows) for r in results] == [
        ("china_br65_trade", 64 * 7 * 2),  # 64 partners × 2013–2019 × (exports, imports)
        ("br_fdi_inflows", 360),
    ]
    con = store.connect()
    # Albania 2013 (first row of the long file): China exports 324.60 m, imports 234.84 m US$
    assert con.sql(
        "SELECT exporter, value_usd FROM china_br65_trade WHERE year = 2013 "
        "AND 'ALB' IN (exporter, importer) ORDER BY exporter"
    ).fetchall() == [("ALB", 234840000.0), ("CHN", 324600000.0)]
    assert con.sql(
        "SELECT count(*) FROM china_br65_trade WHERE exporter = importer"
    ).fetchall() == [(0,)]


@pytest.mark.shared_data
def test_econcomplexity_real_files(store: AnalyticsStore, shared_data: Path) -> None:
    folder = shared_data / "trade" / "economiccomplexity_world_trade"
    results = {r.dataset: r for r in run_import(store, "econcomplexity", folder)}
    assert set(results) == {"world_trade_2017_hs4", "world_trade_1998_2000_sitc4"}
    assert results["world_trade_2017_hs4"].rows == 233432  # NA rows kept as 0
    con = store.connect()
    assert con.sql("SELECT count(*) FROM world_trade_2017_hs4 WHERE value_usd = 0").fetchall() == [
        (56461,)
    ]
    assert con.sql("SELECT DISTINCT year FROM world_trade_1998_2000_sitc4").fetchall() == [(2000,)]
    assert (
        con.sql("SELECT product FROM world_trade_2017_hs4 WHERE product LIKE '0%' LIMIT 1")
        .fetchall()[0][0]
        .startswith("0")
    )


def test_econcomplexity_fixture(store: AnalyticsStore, tmp_path: Path) -> None:
    p = tmp_path / "world_trade_2015_hs4.csv"
    p.write_text("reporter_iso,product_code,export_value_usd\nchn,0101,5\nkaz,0101,\nxyz,0101,1\n")
    with pytest.raises(DataImportError) as exc:
        run_import(store, "econcomplexity", p)
    assert exc.value.errors[0].startswith(
        "world_trade_2015_hs4.csv:4:reporter_iso: unknown country 'XYZ'"
    )
    p.write_text("reporter_iso,product_code,export_value_usd\nchn,0101,5\nkaz,0101,\n")
    run_import(store, "econcomplexity", p)
    df = store.read("world_trade_2015_hs4").sort_values("exporter")
    assert df.values.tolist() == [[2015, "CHN", "0101", 5.0], [2015, "KAZ", "0101", 0.0]]


def test_comtrade_json_export_file(store: AnalyticsStore) -> None:
    [res] = run_import(store, "comtrade", RECORDED)
    assert res.rows == 4
    assert any("re-export" in n for n in res.notes)
    assert any("non-country" in n for n in res.notes)


def test_baci_product_codes_and_name(store: AnalyticsStore, fixtures: Path, tmp_path: Path) -> None:
    for f in ("BACI_HS17_Y2017_V202301.csv", "country_codes_V202301.csv"):
        (tmp_path / f).write_bytes((fixtures / f).read_bytes())
    (tmp_path / "product_codes_HS17_V202301.csv").write_text(
        'code,description\n10121,"Horses: live, pure-bred breeding animals"\n854140,"Photosensitive'
        ' semiconductor devices"\n',
        encoding="utf-8",
    )
    results = run_import(store, "baci", tmp_path / "BACI_HS17_Y2017_V202301.csv", name="baci_hs17")
    assert [(r.dataset, r.rows) for r in results] == [("baci_hs17", 4), ("hs_products", 2)]
    assert store.read("hs_products").values.tolist()[0] == [
        "HS17",
        "010121",
        "Horses: live, pure-bred breeding animals",
    ]
    con = store.connect()
    assert con.sql(
        "SELECT p.description FROM baci_hs17 b JOIN hs_products p USING (product) "
        "WHERE b.exporter = 'CHN' AND b.importer = 'USA'"
    ).fetchall() == [("Photosensitive semiconductor devices",)]
