"""The index service: framework files, data selection, merging sources, benchmark."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from silkhub.analytics import index_service as svc
from silkhub.core.index import IndexConfig
from silkhub.errors import DataMissingError, UnknownChoiceError, ValidationError

GOOD = """\
code: tiny
name_en: Tiny
unit_kind: region
denominators:
  gdp: GDP
pillars:
  - code: econ
    name_en: Economy
    weight: 0.5
    sub_pillars:
      - code: trade
        name_en: Trade
        indicators:
          - code: trade_dep
            name_en: Trade dependence
            inputs: [TRADE_TOTAL]
            transform: [per_gdp]
  - code: air
    name_en: Air
    weight: 0.5
    sub_pillars:
      - code: routes
        name_en: Routes
        indicators:
          - code: routes
            name_en: Routes
            inputs: [INTL_AIR_ROUTES]
"""


def test_shipped_frameworks_are_valid() -> None:
    codes = {f["code"]: f for f in svc.list_frameworks()}
    assert set(codes) >= {"city-internationalization", "country-openness"}
    city = svc.load_framework("city-internationalization")
    assert [p.code for p in city.pillars] == ["export_economy", "channels", "environment", "talent"]
    assert len(city.indicators) >= 15
    with pytest.raises(UnknownChoiceError):
        svc.load_framework("nope")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            ("inputs: [TRADE_TOTAL]", "inputs: [TRADE_TOTL]"),
            "bad.yaml:16: unknown indicator code 'TRADE_TOTL'",
            id="unknown-indicator",
        ),
        pytest.param(
            ("    weight: 0.5\n    sub_pillars:\n      - code: routes", "    weight: 0.7\n"
             "    sub_pillars:\n      - code: routes"),
            "bad.yaml:6: weights of the pillars here sum to 1.2, not 1",
            id="weights-do-not-sum",
        ),
        pytest.param(
            ("          - code: routes", "          - code: trade_dep"),
            "bad.yaml:25: duplicate code 'trade_dep' (first at line 14)",
            id="duplicate-code",
        ),
        pytest.param(
            ("name_en: Tiny", "name_en: [Tiny"),
            "bad.yaml:",
            id="yaml-syntax",
        ),
    ],
)  # fmt: skip
def test_bad_framework_files(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(GOOD.replace(*edit))
    with pytest.raises(ValidationError) as exc:
        svc.load_framework(p)
    assert message in exc.value.message


def test_select_year_carries_forward_within_lag() -> None:
    long = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "year": [2019, 2015, 2012, 2019],
            "indicator": ["X", "Y", "Y", "X"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    sel = svc.select_year(long, 2019, max_lag=5)
    assert sel.raw.loc["a", "Y"] == 2.0  # 2015 is within 5 years
    assert np.isnan(sel.raw.loc["b", "Y"])  # 2012 is not
    assert sel.lagged == [{"unit": "a", "input": "Y", "year_used": 2015}]
    with pytest.raises(DataMissingError):
        svc.select_year(long, 2000)


def test_merge_sources_later_wins() -> None:
    a = pd.DataFrame({"unit": ["u"], "year": [2019], "indicator": ["X"], "value": [1.0]})
    b = pd.DataFrame({"unit": ["u", "v"], "year": [2019] * 2, "indicator": ["X"] * 2,
                      "value": [5.0, 6.0]})  # fmt: skip
    m = svc.merge_sources(a, b).set_index("unit")
    assert m.loc["u", "value"] == 5.0 and m.loc["v", "value"] == 6.0
    with pytest.raises(ValidationError, match="lacks column"):
        svc.merge_sources(a, pd.DataFrame({"unit": ["u"]}))


def test_benchmark_on_demo_data_with_extra_talent_source() -> None:
    fw = svc.load_framework("city-internationalization")
    experts = pd.DataFrame(
        {
            "unit": ["CN-SD-jinan", "CN-SD-qingdao", "CN-ZJ-hangzhou", "CN-SC-chengdu"],
            "year": 2019,
            "indicator": "FOREIGN_EXPERTS",
            "value": [100.0, 300.0, 900.0, 700.0],
        }
    )  # a stand-in for hub records (issue 11)
    data = svc.load_data(fw, extra=[experts])
    rep = svc.benchmark(
        fw, data, "jinan", ["Hangzhou", "CN-SD-qingdao"], year=2019, config=IndexConfig(mc_runs=300)
    )
    assert rep.unit == "CN-SD-jinan" and rep.peers == ["CN-ZJ-hangzhou", "CN-SD-qingdao"]
    assert list(rep.scores["role"]) == ["unit", "peer", "peer"]
    assert {"mc_median_rank", "mc_rank_p05", "mc_rank_p95", "talent"} <= set(rep.scores.columns)
    assert not np.isnan(rep.scores["talent"]).any()  # the extra source feeds the talent pillar
    g = rep.gaps.set_index("indicator")
    assert g.loc["foreign_experts", "status"] == "weakness"
    # what would it take: trade dependence at the peer median, input = ratio * Jinan GDP
    need = rep.needs.set_index("indicator")
    row = need.loc["trade_dependence"]
    assert row.input_needed == pytest.approx(row.value_needed * 9443.37)
    doc = rep.to_dict()
    assert doc["unit"] == "CN-SD-jinan" and doc["scores"][0]["role"] == "unit"
    with pytest.raises(UnknownChoiceError):
        svc.benchmark(fw, data, "Atlantis", ["Hangzhou"], year=2019)


class _Store:
    """A minimal stand-in for AnalyticsStore with one view (``wdi`` or ``regional``)."""

    def __init__(self, df: pd.DataFrame, name: str = "wdi") -> None:
        self.df = df
        self.name = name

    def has(self, name: str) -> bool:
        return name == self.name

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.register("view_df", self.df)
        con.execute(f"CREATE VIEW {self.name} AS SELECT * FROM view_df")
        return con


def test_imported_regional_data_override_the_demo_data() -> None:
    fw = svc.load_framework("city-internationalization")
    regional = pd.DataFrame(
        {
            "region_id": ["CN-SD-jinan"],
            "year": [2019],
            "indicator": ["TRADE_TOTAL"],
            "value": [3000.0],
            "unit": ["CNY_100m"],
            "source": ["a user's yearbook"],
        }
    )
    data = svc.load_data(fw, store=_Store(regional, "regional"))
    assert data.attrs["sources"] == ["demo: city_indicators.csv", "store: regional"]
    row = data[(data["unit"] == "CN-SD-jinan") & (data["indicator"] == "TRADE_TOTAL")]
    assert row["value"].tolist() == [3000.0]
    run = svc.compute(fw, data, year=2019)
    assert run.result.steps[0]["sources"] == data.attrs["sources"]


def test_country_framework_reads_wdi_from_the_store() -> None:
    fw = svc.load_framework("country-openness")
    rows = []
    for n, iso3 in enumerate(["DEU", "KAZ", "PAK", "VNM"]):
        for code in fw.raw_inputs():
            rows.append((iso3, code, 2012, 10.0 + n * (1 + len(code) % 3) + len(code)))
    wdi = pd.DataFrame(rows, columns=["iso3", "indicator", "year", "value"])
    data = svc.load_data(fw, store=_Store(wdi))
    run = svc.compute(fw, data, year=2012)
    assert sorted(run.result.units) == ["DEU", "KAZ", "PAK", "VNM"]
    with pytest.raises(DataMissingError):
        svc.load_data(fw)


@pytest.mark.shared_data
def test_country_openness_on_the_shared_wdi_snapshot(shared_data: Path, sqlite_runtime) -> None:
    """The WDI framework end to end on real data (ronnywang WDI snapshot, 2012)."""
    from silkhub.data.reference import queries

    fw = svc.load_framework("country-openness")
    frames = []
    for code in fw.raw_inputs():
        f = shared_data / "wdi" / "ronnywang_wdi" / f"{code}_WDI.csv"
        wide = pd.read_csv(f)
        long = wide.melt(
            id_vars=["Country Code"], value_vars=[str(y) for y in range(2008, 2013)],
            var_name="year", value_name="value",
        )  # fmt: skip
        frames.append(
            long.rename(columns={"Country Code": "unit"}).assign(
                indicator=code, year=lambda d: d["year"].astype(int)
            )
        )
    with sqlite_runtime.session() as s:
        countries = {c.iso3 for c in queries.list_countries(s)}
    data = svc.merge_sources(*frames)
    data = data[data["unit"].isin(countries)]  # drop WDI aggregates (WLD, EAS, HIC ...)
    run = svc.compute(fw, data, year=2012, config=IndexConfig(mc_runs=500), max_lag=4)
    table = run.table().set_index("unit")
    top = set(table.index[table["rank"] <= 15])
    # small open trading hubs lead an openness index; large closed economies do not
    assert "SGP" in top
    assert table.loc["SGP", "rank"] < table.loc["BRA", "rank"]
    ranked = table.dropna(subset=["mc_rank_p05"])
    assert (ranked["mc_rank_p05"] <= ranked["mc_rank_p95"]).all()
    # microstates with values for under half of the indicators are left out, not imputed
    assert "SXM" in run.result.steps[1]["excluded_units_low_coverage"]
    assert len(ranked) > 150
