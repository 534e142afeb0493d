"""The dataset registry is the one definition: schemas, dataset choice and docs agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from silkhub.analytics import datasets as ds
from silkhub.analytics import registry as analytics_registry
from silkhub.data import registry
from silkhub.data.importers import schemas

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "silkhub"
DOC = ROOT / "docs" / "reference" / "datasets.md"


def test_docs_table_is_generated_from_the_registry() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert registry.render_docs(text) == text, (
        "docs/reference/datasets.md disagrees with silkhub.data.registry; run "
        "`python -m silkhub.data.registry docs/reference/datasets.md`"
    )


@pytest.mark.parametrize(
    ("schema_obj", "name"),
    [
        pytest.param(schemas.WDI_SCHEMA, "wdi", id="wdi"),
        pytest.param(schemas.BILATERAL_SCHEMA, "bilateral", id="bilateral"),
        pytest.param(schemas.EXPORTS_SCHEMA, "exports", id="exports"),
        pytest.param(schemas.AIR_ROUTES_SCHEMA, "air_routes", id="air_routes"),
        pytest.param(schemas.AIR_CONNECTIVITY_SCHEMA, "air_connectivity", id="air_connectivity"),
        pytest.param(schemas.FDI_SCHEMA, "fdi", id="fdi"),
        pytest.param(schemas.HS_PRODUCTS_SCHEMA, "hs_products", id="hs_products"),
        pytest.param(schemas.TRACKER_SCHEMA, "tracker_projects", id="tracker"),
    ],
)
def test_pandera_schemas_match_the_registry(schema_obj, name: str) -> None:
    t = registry.SCHEMAS[name]
    assert list(schema_obj.columns) == list(t.columns)
    for f in t.fields:
        col = schema_obj.columns[f.name]
        assert col.nullable == f.nullable, f.name
    assert list(schema_obj.unique or []) == list(t.unique)
    assert schema_obj.strict and schema_obj.ordered


def test_a_generated_schema_still_rejects_bad_rows() -> None:
    bad = pd.DataFrame(
        {"iso3": ["chn"], "indicator": ["X"], "year": pd.array([2020], "int32"), "value": [1.0]}
    )
    from silkhub.errors import DataImportError

    with pytest.raises(DataImportError):
        schemas.validate(schemas.WDI_SCHEMA, bad)
    good = bad.assign(iso3=["CHN"])
    assert len(schemas.validate(schemas.WDI_SCHEMA, good)) == 1


def test_every_importer_output_is_registered() -> None:
    names = set()
    for p in (SRC / "data" / "importers").glob("*.py"):
        names |= set(re.findall(r'Output\(\s*"([a-z0-9_]+)"', p.read_text(encoding="utf-8")))
    assert names, "no Output(...) found"
    assert names <= set(registry.DATASETS), names - set(registry.DATASETS)


def test_regional_columns_and_tracker_columns_come_from_the_registry() -> None:
    from silkhub.data.importers import regional

    assert list(registry.SCHEMAS["regional"].columns) == regional.COLUMNS
    assert list(registry.SCHEMAS["tracker_projects"].columns) == schemas.TRACKER_COLUMNS
    assert regional.INDICATORS is registry.INDICATORS


@pytest.mark.parametrize("question", list(registry.QUESTIONS))
def test_questions_name_registered_datasets_with_the_columns_needed(question: str) -> None:
    q = registry.QUESTIONS[question]
    assert q.datasets
    for name in q.datasets:
        d = registry.DATASETS[name]
        assert set(q.needs) <= set(registry.SCHEMAS[d.schema].columns), (question, name)
        if q.product_level:
            assert d.product_level, f"{question}: {name} has all-goods totals only"


def test_services_use_the_registry_preference() -> None:
    assert registry.preference("partners") == ds.BILATERAL_PREFERENCE
    assert registry.preference("products") == ds.PRODUCT_PREFERENCE
    assert registry.preference("complementarity") == ds.COMPLEMENTARITY_PREFERENCE


def test_no_hand_written_preference_order_in_services() -> None:
    """A tuple of two or more dataset names in a service is a second preference order."""
    names = "|".join(re.escape(n) for n in registry.DATASETS)
    pat = re.compile(rf'\(\s*"(?:{names})"\s*,\s*"(?:{names})"')
    offenders = []
    paths = [*(SRC / "analytics").rglob("*.py"), *(SRC / "hub" / "matching").rglob("*.py")]
    paths += [SRC / "api" / "routes" / "indicators.py", SRC / "cli" / "analytics.py"]
    for p in paths:
        if p.is_file() and pat.search(p.read_text(encoding="utf-8")):
            offenders.append(str(p.relative_to(ROOT)))
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("code", "lang", "label"),
    [
        pytest.param("AIR_COUNTRIES_REACHED", "zh", "直航通达国家数（个）", id="air-zh"),
        pytest.param(
            "AIR_COUNTRIES_REACHED",
            "en",
            "Countries reached by direct flights (count)",
            id="air-en",
        ),
        pytest.param("EXPORTS", "zh", "货物出口额（亿元）", id="exports-zh"),
        pytest.param("EXPORTS", "en", "Exports of goods (CNY 100 million)", id="exports-en"),
        pytest.param("EXPORTS", "zh_CN", "货物出口额（亿元）", id="zh_CN"),
        pytest.param("FDI_ACTUAL", "zh", "实际使用外资（亿美元）", id="fdi-zh"),
        pytest.param("NE.TRD.GNFS.ZS", "en", "Trade (% of GDP)", id="wdi-en"),
        pytest.param("UNKNOWN_CODE", "zh", "UNKNOWN_CODE", id="unknown"),
    ],
)
def test_indicator_label(code: str, lang: str, label: str) -> None:
    assert analytics_registry.indicator_label(code, lang) == label


def test_unit_labels_and_overrides() -> None:
    assert registry.unit_label("CNY_100m", "zh") == "亿元"
    assert registry.unit_label("USD_100m", "en") == "US$ 100 million"
    assert registry.unit_label("furlongs", "zh") == "furlongs"
    assert registry.indicator_label("GDP", "zh", unit="USD_100m") == "地区生产总值（亿美元）"
    assert registry.indicator_label("GDP", "en", with_unit=False) == "Gross domestic product"


def test_every_indicator_has_both_names_and_a_known_unit() -> None:
    for d in registry.ALL_INDICATORS.values():
        assert d.name_en and d.name_zh, d.code
        assert d.unit in registry.UNITS, (d.code, d.unit)
        assert re.search(r"[\u4e00-\u9fff]", d.name_zh), d.code


def test_framework_inputs_and_demo_units_are_labelled() -> None:
    frameworks = SRC / "analytics" / "frameworks"
    for p in frameworks.glob("*.yaml"):
        codes = re.findall(r"inputs: \[([^\]]*)\]", p.read_text(encoding="utf-8"))
        for group in codes:
            for code in (c.strip() for c in group.split(",")):
                assert registry.is_known_indicator(code), (p.name, code)
        yaml.safe_load(p.read_text(encoding="utf-8"))
    demo = pd.read_csv(SRC / "analytics" / "demo_data" / "city_indicators.csv", comment="#")
    for code, unit in set(zip(demo["indicator"], demo["unit"], strict=True)):
        assert registry.indicator_unit(code) == unit, code


@pytest.mark.parametrize(
    ("source", "path", "datasets"),
    [
        pytest.param("baci", "BACI_HS17_Y2017_V202301.csv", ["baci", "hs_products"], id="baci"),
        pytest.param("wdi", "wdi_wide.csv", ["wdi"], id="wdi"),
        pytest.param("comtrade", "comtrade_legacy.csv", ["comtrade"], id="comtrade"),
        pytest.param("cgit", "chit_small.csv", ["tracker_projects"], id="cgit"),
    ],
)
def test_imported_views_have_the_registry_columns_and_types(
    store, fixtures: Path, source: str, path: str, datasets: list[str]
) -> None:
    """What an importer publishes is what the registry (and so the docs) says, types included."""
    from silkhub.data.importers.runner import run_import

    run_import(store, source, fixtures / path, skip_invalid=True)
    con = store.connect()
    try:
        for name in datasets:
            if not store.has(name):
                continue
            got = [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            want = [(f.name, f.duckdb_type) for f in registry.schema_of(name).fields]
            assert got == want, name
    finally:
        con.close()
