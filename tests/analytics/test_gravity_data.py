"""Loaders of the gravity datasets on the shared data (units, codes, quirks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkhub.analytics import gravity_data as gd
from silkhub.errors import DataMissingError, UnknownChoiceError


def test_missing_shared_data_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DataMissingError, match="SILKHUB_SHARED_DATA"):
        gd.load_dataset("agtpa_applications", shared=None)
    with pytest.raises(DataMissingError, match="not found"):
        gd.load_cepii(tmp_path)
    with pytest.raises(UnknownChoiceError, match="agtpa_applications"):
        gd.load_dataset("nope", shared=tmp_path, store_root=tmp_path)


@pytest.mark.shared_data
def test_agtpa_panel(shared_data: Path) -> None:
    df = gd.load_dataset("agtpa_applications", shared=shared_data)
    assert len(df) == 99_981
    assert {"exporter", "importer", "pair_id", "year", "trade", "dist", "rta_lag12"} <= set(df)
    ex1 = gd.load_dataset("agtpa_exercise1", shared=shared_data)
    assert {"dist", "rta", "wto", "pair_id"} <= set(ex1)


@pytest.mark.shared_data
def test_cepii_codes_are_iso3(shared_data: Path) -> None:
    c = gd.load_cepii(shared_data)
    codes = set(c["exporter"])
    assert {"ROU", "COD", "TLS", "PSE"} <= codes and not {"ROM", "ZAR", "TMP"} & codes
    assert not c.duplicated(["exporter", "importer"]).any()
    chn_kaz = c[(c.exporter == "CHN") & (c.importer == "KAZ")].iloc[0]
    assert chn_kaz["contig"] == 1


@pytest.mark.shared_data
def test_wits_in_us_dollars(shared_data: Path) -> None:
    w = gd.load_wits_2009(shared_data)
    v = w[(w.exporter == "CHN") & (w.importer == "USA")]["value_usd"].iloc[0]
    # the file says 278,343,4xx thousand US$ -> about 278 bn US$
    assert v == pytest.approx(2.783434e11, rel=1e-6)
    g = gd.wits_2009_gravity(shared_data)
    assert {"log_gdp_o", "log_gdp_d", "log_dist", "contig", "comlang_off", "colony"} <= set(g)


@pytest.mark.shared_data
def test_china_br65(shared_data: Path) -> None:
    br = gd.load_china_br65(shared_data)
    assert "CHN" not in set(br["partner"]) and br["partner"].nunique() == 64
    assert set(br["year"]) == set(range(2013, 2020))
    # total is recomputed (the source's Jordan 2015 total is corrupt)
    jor = br[(br.partner == "JOR") & (br.year == 2015)].iloc[0]
    assert jor["total_trade_usd"] == jor["china_exports_usd"] + jor["china_imports_usd"]
    assert jor["total_trade_usd"] > 1e9
    panel = gd.china_br65_panel(shared_data)
    assert len(panel) == 2 * len(br)
    assert set(panel["direction"]) == {"export", "import"}
    assert panel["log_gdp_partner"].notna().mean() > 0.95


def test_store_bilateral_dataset(tmp_path: Path) -> None:
    """A bilateral store dataset becomes a gravity frame (totals per year and pair)."""
    import numpy as np
    import pandas as pd

    from silkhub.data.store import AnalyticsStore, NewVersion

    rows = [
        (2016, "CHN", "KAZ", "010121", 5.0),
        (2016, "CHN", "KAZ", "847130", 7.0),
        (2016, "KAZ", "CHN", "270900", 30.0),
        (2017, "CHN", "KAZ", "847130", 9.0),
    ]
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["quantity"] = np.nan
    AnalyticsStore(tmp_path).publish_frame(
        "baci", df, NewVersion(source="t", sha256="3" * 64, importer="t", importer_version="1")
    )
    out = gd.load_dataset("baci", shared=None, store_root=tmp_path)
    got = {(r.year, r.exporter, r.importer): r.trade for r in out.itertuples()}
    # products summed per pair and year: 5 + 7 = 12
    assert got == {
        (2016, "CHN", "KAZ"): 12.0,
        (2016, "KAZ", "CHN"): 30.0,
        (2017, "CHN", "KAZ"): 9.0,
    }
    assert set(out["pair_id"]) == {"CHN-KAZ"}
