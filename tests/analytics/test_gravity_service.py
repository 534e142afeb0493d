"""GravityService: spec loading, the run store, policy effects, potentials and target lists."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from silkhub.analytics.gravity_service import (
    GravityService,
    joined_years,
    load_spec,
    packaged_snapshot,
    packaged_specs,
    parse_spec,
)
from silkhub.core.gravity import GravitySpec, GravitySpecError
from silkhub.errors import DataMissingError, NotFoundError

COUNTRIES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]


def tiny_panel(seed: int = 3) -> pd.DataFrame:
    """Pairs of 6 countries 2010-2015; AAA, BBB, CCC join a group in 2012 (+0.3 log points)."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in range(2010, 2016):
        for i in COUNTRIES:
            for j in COUNTRIES:
                if i == j:
                    continue
                treated = y >= 2012 and {i, j} <= {"AAA", "BBB", "CCC"}
                mu = math.exp(2 + 0.1 * COUNTRIES.index(i) + 0.3 * treated + 0.02 * (y - 2010))
                rows.append((i, j, y, float(rng.poisson(mu * 20)) / 20, 100.0))
    df = pd.DataFrame(rows, columns=["exporter", "importer", "year", "trade", "dist"])
    df["pair_id"] = df[["exporter", "importer"]].min(axis=1) + df[["exporter", "importer"]].max(
        axis=1
    )
    return df


@pytest.fixture
def svc(tmp_path: Path) -> GravityService:
    return GravityService(tmp_path / "gravity", shared=None, store_root=tmp_path)


def test_packaged_specs_all_load() -> None:
    names = packaged_specs()
    assert "agtpa_table3_endg" in names and "potential_wits2009" in names
    for n in names:
        assert load_spec(n).name == n


def test_spec_files_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("name: s\ndataset: d\nformula: trade ~ x | exporter\n")
    assert load_spec(f).formula == "trade ~ x | exporter"
    with pytest.raises(GravitySpecError, match="line 2"):
        parse_spec("name: s\n  bad: [\n", "s.yaml")
    with pytest.raises(GravitySpecError, match="must be a YAML mapping"):
        parse_spec("- a\n- b\n")
    with pytest.raises(GravitySpecError, match=r"s\.yaml: unknown spec key"):
        parse_spec("name: s\ndataset: d\nformula: y ~ x\nfoo: 1\n", "s.yaml")
    with pytest.raises(NotFoundError, match="packaged specs: agtpa"):
        load_spec("no_such_spec")


def test_fit_store_list_and_show(svc: GravityService) -> None:
    spec = GravitySpec(
        name="tiny",
        dataset="tiny",
        formula="trade ~ log_dist + grp | exporter^year + importer^year",
        derive=(
            ("log_dist", "log(dist) + 0.01 * (exporter < importer)"),
            (
                "grp",
                "(year >= 2012) * (exporter in ('AAA', 'BBB'))"
                " * (importer in ('AAA', 'BBB', 'CCC'))",
            ),
        ),
    )
    run = svc.fit(spec, tiny_panel())
    d = svc.runs_dir / run.run_id
    assert (d / "result.json").is_file() and (d / "coefficients.parquet").is_file()
    assert not [p for p in svc.runs_dir.iterdir() if p.name.startswith(".tmp")]
    doc = json.loads((d / "result.json").read_text())
    assert doc["result"]["spec"]["name"] == "tiny" and doc["result"]["nobs"] == 180
    assert [r.run_id for r in svc.list_runs()] == [run.run_id]
    assert svc.get_run(run.run_id).result.coefficients == run.result.coefficients
    assert svc.get_run("tiny").run_id == run.run_id  # latest run of a spec
    assert pd.read_parquet(d / "coefficients.parquet")["name"].tolist() == ["log_dist", "grp"]
    with pytest.raises(NotFoundError, match="recent runs: tiny-"):
        svc.get_run("nope")
    with pytest.raises(NotFoundError):
        svc.get_run("../etc")


def test_policy_effect_with_leads_and_lags(svc: GravityService) -> None:
    joined = {"AAA": 2012, "BBB": 2012, "CCC": 2012}
    eff, run = svc.policy_effect(
        "sco",
        joined,
        dataset="tiny",
        data=tiny_panel(),
        leads=[1],
        lags=[1],
        fixed_effects="exporter^year + importer^year + pair_id",
    )
    names = run.result.names()
    assert names == ["sco", "sco_lead1", "sco_lag1"]
    # total = sco + sco_lag1 (leads are reported apart); generating effect 0.3 log points
    assert eff.beta == pytest.approx(
        run.result.coef("sco").estimate + run.result.coef("sco_lag1").estimate
    )
    assert eff.beta == pytest.approx(0.3, abs=0.1)
    assert eff.summary.startswith("Trade between sco members rose by")
    assert "after joining" in eff.summary
    stored = svc.get_run(run.run_id)
    assert stored.extra["policy_effect"]["summary"] == eff.summary
    with pytest.raises(DataMissingError, match="no pair in tiny changes"):
        svc.policy_effect("eu", {}, dataset="tiny", data=tiny_panel())


def test_potential_from_packaged_snapshot(svc: GravityService) -> None:
    """No shared data: packaged coefficients + packaged China–B&R inputs."""
    table, meta = svc.potential("CHN", 2016)
    assert meta["actual_source"].startswith("packaged snapshot")
    assert len(table) == 64
    top = table.iloc[0]
    assert top["rank"] == 1 and top["gap_usd"] == table["gap_usd"].max()
    row = table.set_index("partner").loc["KAZ"]
    # ratio and gap follow from the two columns
    assert row["ratio"] == pytest.approx(row["predicted_usd"] / row["actual_usd"])
    assert row["gap_usd"] == pytest.approx(row["predicted_usd"] - row["actual_usd"])
    assert row["actual_usd"] == pytest.approx(row["actual_exports_usd"] + row["actual_imports_usd"])
    # Montenegro has no CEPII distance: kept, unranked, explained
    assert pd.isna(table.set_index("partner").loc["MNE", "rank"])
    assert any("MNE" in n for n in meta["notes"])
    sub, meta2 = svc.potential("CHN", 2016, partners=["KAZ", "RUS", "XXX", "CHN"])
    assert sorted(sub["partner"]) == ["KAZ", "RUS"]
    assert any("XXX" in n for n in meta2["notes"])


@pytest.mark.parametrize(
    ("reporter", "year", "needle"),
    [("DEU", 2016, "use --year 2009"), ("CHN", 2030, "2013–2019")],
)
def test_potential_without_data(svc: GravityService, reporter: str, year: int, needle: str) -> None:
    with pytest.raises(DataMissingError, match=needle):
        svc.potential(reporter, year)


@pytest.mark.shared_data
def test_potential_shared_matches_snapshot(shared_data: Path, tmp_path: Path) -> None:
    live = GravityService(tmp_path / "g", shared=shared_data)
    a, meta = live.potential("CHN", 2016)
    assert meta["actual_source"].startswith("China–B&R trade")
    b, _ = GravityService(tmp_path / "h").potential("CHN", 2016)
    merged = a.merge(b, on="partner", suffixes=("_live", "_pkg"))
    assert len(merged) == 64
    assert np.allclose(merged["gap_usd_live"].fillna(0), merged["gap_usd_pkg"].fillna(0), rtol=1e-4)
    # the live path fitted and stored the potential model
    assert live.list_runs(spec="potential_wits2009")
    # any reporter in 2009 (WITS): in-sample potential
    t, _ = live.potential("DEU", 2009)
    assert len(t) > 100 and t["rank"].min() == 1


def test_packaged_snapshot_columns() -> None:
    snap = packaged_snapshot()
    assert {"year", "exporter", "importer", "trade", "log_dist", "log_gdp_o"} <= set(snap.columns)
    assert sorted(snap["year"].unique()) == list(range(2013, 2020))


def _publish_products(root: Path) -> None:
    from silkhub.data.store import AnalyticsStore, NewVersion

    rows = [
        # CHN exports p1=60, p2=40 to the world; VNM exports p1=10, p2=90
        (2016, "CHN", "KAZ", "p1", 50.0),
        (2016, "CHN", "RUS", "p1", 10.0),
        (2016, "CHN", "RUS", "p2", 40.0),
        (2016, "VNM", "KAZ", "p2", 50.0),
        (2016, "VNM", "RUS", "p1", 10.0),
        (2016, "VNM", "RUS", "p2", 40.0),
    ]
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["quantity"] = np.nan
    AnalyticsStore(root).publish(
        "baci",
        lambda d: df.to_parquet(d / "part.parquet"),
        NewVersion(source="test", sha256="0" * 64, importer="test", importer_version="1"),
    )


def test_targets_with_and_without_product_data(svc: GravityService, tmp_path: Path) -> None:
    scored, meta = svc.targets("CHN", 2016, partners=["KAZ", "RUS", "PAK"])
    assert set(scored["parts_used"]) == {"potential"}
    assert any("complementarity" in n for n in meta["notes"])
    _publish_products(tmp_path)
    scored, _ = svc.targets("CHN", 2016, partners=["KAZ", "RUS", "PAK"])
    t = scored.set_index("partner")
    # CHN export shares: p1 0.6, p2 0.4. KAZ imports p1 50, p2 50 -> shares 0.5/0.5:
    # TCI = 100 * (1 - (|0.5-0.6| + |0.5-0.4|) / 2) = 90
    assert t.loc["KAZ", "complementarity"] == pytest.approx(90.0)
    # RUS imports p1 20, p2 80: TCI = 100 * (1 - (0.4 + 0.4) / 2) = 60
    assert t.loc["RUS", "complementarity"] == pytest.approx(60.0)
    # RCA: world p1 70, p2 130 (total 200); CHN p1 share 0.6 / 0.35 > 1, p2 0.4 / 0.65 < 1
    # -> fit = share of partner imports in p1: KAZ 50/100 = 0.5, RUS 20/100 = 0.2
    assert t.loc["KAZ", "rca_fit"] == pytest.approx(0.5)
    assert t.loc["RUS", "rca_fit"] == pytest.approx(0.2)
    assert t.loc["KAZ", "parts_used"] == "potential+complementarity+rca_fit"
    assert math.isnan(t.loc["PAK", "complementarity"])


def test_joined_years_from_reference(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        j = joined_years(s, "bri", range(2013, 2020))
    # year-precision signatories count from that year; Italy signed 23 March 2019
    assert j["KAZ"] == 2014 and j["PAK"] == 2017 and j["ITA"] == 2019
    assert "CHN" not in j


def test_potential_uses_store_trade_when_imported(svc: GravityService, tmp_path: Path) -> None:
    """The demo/imported ``china_br65_trade`` dataset wins for actual flows."""
    from silkhub.data.demo import read_demo
    from silkhub.data.store import AnalyticsStore, NewVersion

    before, _ = svc.potential("CHN", 2016)
    frame = read_demo("china_br65_trade")
    frame.loc[
        (frame.exporter == "CHN") & (frame.importer == "KAZ") & (frame.year == 2016), "value_usd"
    ] += 1e9
    AnalyticsStore(tmp_path).publish_frame(
        "china_br65_trade",
        frame,
        NewVersion(source="test", sha256="1" * 64, importer="test", importer_version="1"),
    )
    after, meta = svc.potential("CHN", 2016)
    assert meta["actual_source"].startswith("analytics store dataset china_br65_trade")
    a = after.set_index("partner")["actual_usd"]
    b = before.set_index("partner")["actual_usd"]
    assert a["KAZ"] == pytest.approx(b["KAZ"] + 1e9)
    assert a["RUS"] == pytest.approx(b["RUS"])


@pytest.mark.shared_data
def test_potential_by_hs_section(shared_data: Path, tmp_path: Path) -> None:
    """Per-section potential on a tiny product-level store dataset (CEPII from shared data)."""
    from silkhub.data.store import AnalyticsStore, NewVersion

    svc = GravityService(tmp_path / "gravity", shared=shared_data, store_root=tmp_path)
    with pytest.raises(DataMissingError, match="product-level"):
        svc.potential_by_section("CHN", 2016)
    rng = np.random.default_rng(7)
    cs = ["CHN", "KAZ", "RUS", "DEU", "PAK", "VNM", "USA", "JPN"]
    rows = []
    for i in cs:
        for j in cs:
            if i != j:
                for prod in ("010121", "847130"):  # sections I and XVI
                    rows.append((2016, i, j, prod, float(rng.gamma(2.0, 1e6))))
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["quantity"] = np.nan
    AnalyticsStore(tmp_path).publish_frame(
        "baci", df, NewVersion(source="t", sha256="2" * 64, importer="t", importer_version="1")
    )
    table, meta = svc.potential_by_section("CHN", 2016, partners=["KAZ", "RUS", "DEU"])
    assert set(table["section"]) == {"I", "XVI"}
    assert set(table["partner"]) == {"KAZ", "RUS", "DEU"} and len(table) == 6
    row = table[(table.partner == "KAZ") & (table.section == "XVI")].iloc[0]
    actual = df[
        (df["product"] == "847130")
        & (
            ((df.exporter == "CHN") & (df.importer == "KAZ"))
            | ((df.exporter == "KAZ") & (df.importer == "CHN"))
        )
    ]["value_usd"].sum()
    assert row["actual_usd"] == pytest.approx(actual)
    assert row["section_title"] == "Machinery and electrical equipment"
    assert sorted(table["rank"].tolist()) == [1, 2, 3, 4, 5, 6]
    assert meta["actual_source"] == "analytics store dataset baci"


@pytest.mark.shared_data
def test_potential_any_reporter_from_store_totals(shared_data: Path, tmp_path: Path) -> None:
    """After a bilateral import, any reporter/year works (covariates from CEPII, WDI GDP)."""
    from silkhub.data.store import AnalyticsStore, NewVersion

    rows = [
        (2016, "DEU", "POL", "TOTAL", 60e9),
        (2016, "POL", "DEU", "TOTAL", 55e9),
        (2016, "DEU", "KAZ", "TOTAL", 2e9),
        (2016, "KAZ", "DEU", "TOTAL", 1e9),
    ]
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["quantity"] = np.nan
    AnalyticsStore(tmp_path).publish_frame(
        "comtrade", df, NewVersion(source="t", sha256="4" * 64, importer="t", importer_version="1")
    )
    svc = GravityService(tmp_path / "gravity", shared=shared_data, store_root=tmp_path)
    table, meta = svc.potential("DEU", 2016)
    assert meta["actual_source"] == "analytics store dataset comtrade (all-goods totals)"
    t = table.set_index("partner")
    assert t.loc["POL", "actual_usd"] == pytest.approx(115e9)
    assert t.loc["KAZ", "actual_usd"] == pytest.approx(3e9)
    assert t["predicted_usd"].notna().all()
