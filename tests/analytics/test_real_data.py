"""Real-data checks on ../shared/data, imported with the data layer's importers into a temp store.

* Table-1-style ranking of China's along-route partners (china_br65_trade, 2016) and of
  WITS 2009 partners, cross-checked against the source CSV;
* route65 shares of world population and GDP from WDI (seed 002 quotes 62.5 % and 28.6 %);
* ECI through the store equals the core function on the same matrix.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from silkhub.analytics import complexity as cx_svc
from silkhub.analytics import openness, partners

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def store_con(tmp_path_factory: pytest.TempPathFactory, shared_data):
    path = shared_data
    from silkhub.data.importers.runner import run_import
    from silkhub.data.store import AnalyticsStore

    store = AnalyticsStore(tmp_path_factory.mktemp("analytics"))
    run_import(store, "beltandroad", path / "bri_membership")
    run_import(store, "wits", path / "trade" / "wits_2009")
    run_import(store, "wdi", path / "wdi")
    run_import(
        store,
        "econcomplexity",
        path / "trade" / "economiccomplexity_world_trade" / "world_trade_2017_hs4.csv",
    )
    con = store.connect()
    yield con, path
    con.close()


def test_china_route65_ranking_2016(store_con, session) -> None:
    con, path = store_con
    r = partners.rank_partners(
        con,
        session,
        dataset="china_br65_trade",
        reporter="CHN",
        year=2016,
        group="route65",
        flow="total",
        top=10,
    )
    rows = r.rows.set_index("partner")
    assert len(rows) == 10
    assert list(r.rows["rank"]) == list(range(1, 11))
    assert r.rows["total_usd"].is_monotonic_decreasing
    # cross-check one partner against the source file (万 US$ already converted to US$)
    src = pd.read_csv(path / "bri_membership" / "china_trade_br65_2013_2019_long.csv")
    vn = src[(src["country_name_en"] == "Vietnam") & (src["year"].isin([2015, 2016]))]
    vn = vn.set_index("year")
    assert rows.loc["VNM", "total_usd"] == pytest.approx(vn.loc[2016, "total_trade_usd"])
    assert rows.loc["VNM", "exports_usd"] == pytest.approx(vn.loc[2016, "china_exports_usd"])
    assert rows.loc["VNM", "balance_usd"] == pytest.approx(
        vn.loc[2016, "china_exports_usd"] - vn.loc[2016, "china_imports_usd"]
    )
    assert rows.loc["VNM", "growth_pct"] == pytest.approx(
        100 * (vn.loc[2016, "total_trade_usd"] / vn.loc[2015, "total_trade_usd"] - 1)
    )
    # Table 1 of seed 002 (Northeast China, 2016) lists Russia, Singapore, Malaysia, Indonesia,
    # Thailand, Philippines; for China as a whole these are all in the top 10 as well
    for iso3 in ("RUS", "SGP", "MYS", "IDN", "THA", "PHL"):
        assert iso3 in rows.index
    assert r.rows["share_pct"].sum() < 100


def test_wits_2009_ranking(store_con, session) -> None:
    con, _ = store_con
    r = partners.rank_partners(con, session, dataset="wits_2009", reporter="CHN", year=2009, top=5)
    assert set(r.rows["partner"]) >= {"USA", "JPN"}
    assert (r.rows["total_usd"] > 1e10).all()
    assert "growth not available" in " ".join(r.notes)
    g = partners.rank_partners(
        con,
        session,
        dataset="wits_2009",
        reporter="CHN",
        year=2009,
        group="route65",
        as_of=date(2015, 1, 1),
    )
    assert "RUS" in set(g.rows["partner"].head(5))


def test_route65_shares_of_world_from_wdi(store_con, session) -> None:
    con, _ = store_con
    df = openness.group_share(
        con, session, group="route65", year=2015, measures=("population", "gdp")
    ).set_index("measure")
    # the World Bank's own WLD-based figures (seed 002: "62.5 % of world population");
    # the sum of countries gives 62.67 % and 31.24 %
    assert df.loc["population", "share_pct"] == pytest.approx(62.47, abs=0.05)
    assert df.loc["gdp", "share_pct"] == pytest.approx(30.90, abs=0.05)
    assert df.loc["population", "world_basis"] == "World Bank WLD (wdi_aggregates)"
    assert df.loc["population", "missing"] == ""
    summed = openness.group_share(
        con, session, group="route65", year=2015, measures=("population", "gdp"), world="sum"
    ).set_index("measure")
    assert summed.loc["population", "share_pct"] == pytest.approx(62.67, abs=0.05)
    assert summed.loc["gdp", "share_pct"] == pytest.approx(31.24, abs=0.05)
    assert summed.loc["gdp", "world_basis"].startswith("sum of ")


def test_eci_through_store_equals_core(store_con) -> None:
    con, _ = store_con
    res = cx_svc.compute(con, dataset="world_trade_2017_hs4", year=2017)
    from silkhub.core.complexity import complexity, matrix_from_long

    long = con.execute("SELECT exporter, product, value_usd FROM world_trade_2017_hs4").df()
    ref = complexity(*matrix_from_long(long), with_space=False)
    assert res.countries == ref.countries
    assert np.allclose(res.eci, ref.eci, atol=1e-12)
    top = cx_svc.eci_table(res, top=10)
    assert {"JPN", "DEU", "CHE"} & set(top["iso3"])
    nxt = cx_svc.what_next(res, None, "KAZ", top=5)
    assert len(nxt) == 5 and (nxt["rca"] < 1).all()
