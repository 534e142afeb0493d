"""Openness and group shares over a tiny hand-made ``wdi`` view."""

from __future__ import annotations

import math

import pytest

from silkhub.analytics import openness
from silkhub.errors import UnknownCountryError, ValidationError


def test_openness_by_hand(con, session) -> None:
    r = openness.openness(con, session, place="CHN", start=2013, end=2015)
    rows = r.rows.set_index("year")
    # 2013: (20 + 10) / 100 = 30 % ; 2014: (22 + 11) / 110 = 30 %
    assert rows.loc[2013, "trade_dependence_pct"] == pytest.approx(30.0)
    assert rows.loc[2014, "trade_dependence_pct"] == pytest.approx(30.0)
    assert rows.loc[2014, "export_dependence_pct"] == pytest.approx(20.0)
    # 2015 has no exports: NaN and said so, never 0
    assert math.isnan(rows.loc[2015, "trade_dependence_pct"])
    assert "exports" in rows.loc[2015, "missing"]
    assert rows.loc[2013, "fdi_gdp_pct"] == pytest.approx(5.0)  # 5 / 100
    assert rows.loc[2014, "rd_gdp_pct"] == pytest.approx(2.0)
    assert rows.loc[2014, "high_tech_share_pct"] == pytest.approx(25.0)
    assert rows.loc[2013, "gdp_growth_pct"] == pytest.approx(100 * (100 / 90 - 1))  # from 2012
    assert rows.loc[2014, "trade_growth_pct"] == pytest.approx(10.0)  # 33 / 30 - 1
    assert r.cagr_pct["gdp_usd"] == pytest.approx(10.0)  # 100 -> 121 over 2 years
    assert r.cagr_pct["exports_usd"] is None
    assert any("CAGR" in n for n in r.notes)


def test_openness_errors(con, session) -> None:
    with pytest.raises(UnknownCountryError):
        openness.openness(con, session, place="ZZZ", start=2013, end=2015)
    with pytest.raises(ValidationError, match="no openness inputs"):
        openness.openness(con, session, place="FRA", start=2013, end=2015)
    with pytest.raises(ValidationError):
        openness.parse_years("2019-2013")
    assert openness.parse_years("2013-2019") == (2013, 2019)
    assert openness.parse_years("2015") == (2015, 2015)


def test_group_share_by_hand(con, session) -> None:
    df = openness.group_share(con, session, group="route65", year=2015, measures=("population",))
    row = df.iloc[0]
    # route65 members with data: CHN 50 + RUS 10 = 60 ; world = sum of 4 countries = 100
    assert row["share_pct"] == pytest.approx(60.0)
    assert row["world_basis"] == "sum of 4 countries"
    assert row["members"] == 65
    assert row["members_with_data"] == 2
    assert "KAZ" in row["missing"]
    gdp = openness.group_share(con, session, group="route65", year=2015, measures=("gdp",))
    assert gdp.iloc[0]["share_pct"] == pytest.approx(100.0)  # only CHN has 2015 GDP
    with pytest.raises(ValidationError, match="no members"):
        openness.group_share(con, session, group="route65", year=2012)


def test_openness_of_a_region_in_source_units(con, session) -> None:
    r = openness.openness(con, session, place="CN-SD-jinan", start=2018, end=2019)
    assert (
        openness.openness(con, session, place="济南", start=2018, end=2019).place == "CN-SD-jinan"
    )
    assert r.dataset == "regional"
    rows = r.rows.set_index("year")
    # 2018: (30 + 10) / 200 = 20 % ; 2019: (36 + 14) / 250 = 20 % (both in CNY_100m)
    assert rows.loc[2018, "trade_dependence_pct"] == pytest.approx(20.0)
    assert rows.loc[2019, "trade_dependence_pct"] == pytest.approx(20.0)
    assert rows.loc[2019, "trade_growth_pct"] == pytest.approx(25.0)  # 50 / 40 - 1
    # FDI in USD, GDP in CNY: not divided without an exchange rate, and said so
    assert math.isnan(rows.loc[2019, "fdi_gdp_pct"])
    assert any("never converts currencies" in n for n in r.notes)
    assert any("source units" in n for n in r.notes)
    assert r.cagr_pct["gdp_usd"] == pytest.approx(25.0)  # 200 -> 250 in one year


def test_group_share_uses_the_world_banks_wld_and_names_the_basis(con, session) -> None:
    import pandas as pd

    agg = pd.DataFrame(
        {
            "code": ["WLD", "EAS"],
            "name": ["World", "East Asia & Pacific"],
            "kind": ["world", "region"],
            "indicator": ["SP.POP.TOTL", "SP.POP.TOTL"],
            "year": [2015, 2015],
            "value": [120.0, 70.0],
        }
    )
    con.register("_agg", agg)
    con.execute('CREATE VIEW "wdi_aggregates" AS SELECT * FROM "_agg"')
    try:
        df = openness.group_share(
            con, session, group="route65", year=2015, measures=("population", "gdp")
        ).set_index("measure")
        # population: 60 / WLD 120 (not / the 100 summed over countries)
        assert df.loc["population", "share_pct"] == pytest.approx(50.0)
        assert df.loc["population", "world_basis"] == "World Bank WLD (wdi_aggregates)"
        # no WLD GDP: auto falls back to the sum, and says so
        assert df.loc["gdp", "world_basis"].startswith("sum of")
        notes = " ".join(df.attrs["notes"])
        assert "population: World Bank WLD (wdi_aggregates)" in notes
        assert "gdp: sum of" in notes
        summed = openness.group_share(
            con, session, group="route65", year=2015, measures=("population",), world="sum"
        )
        assert summed.iloc[0]["share_pct"] == pytest.approx(60.0)
        with pytest.raises(ValidationError, match="no World Bank WLD value"):
            openness.group_share(
                con, session, group="route65", year=2015, measures=("gdp",), world="wld"
            )
    finally:
        con.execute('DROP VIEW "wdi_aggregates"')


def test_a_year_before_the_group_existed_suggests_as_of(con, session) -> None:
    with pytest.raises(ValidationError) as exc:
        openness.group_share(con, session, group="route65", year=2012, measures=("population",))
    msg = str(exc.value)
    assert "starts on 2013-09-07" in msg and "--as-of 2013-09-07" in msg
    from datetime import date

    df = openness.group_share(
        con,
        session,
        group="route65",
        year=2015,
        as_of=date(2013, 9, 7),
        measures=("population",),
    )
    assert df.iloc[0]["members"] == 65
