"""The dataset registry: every analytics dataset's columns, types, units and role, defined once.

PUDL-style metadata (``pudl.metadata``): a :class:`Field` per column, a :class:`TableSchema`
shared by the datasets with the same columns (every bilateral trade table has the same six), a
:class:`Dataset` per store view, and for each *question* the datasets that can answer it, in the
order they are preferred (:data:`QUESTIONS`). Generated from it:

* the pandera schemas the importers validate with (:func:`pandera_schema`,
  ``silkhub.data.importers.schemas``);
* the dataset choice of the analytics services (:func:`preference`,
  ``silkhub.analytics.datasets.pick_dataset``);
* the dataset table of ``docs/reference/datasets.md`` (:func:`markdown_table`; a test fails when
  the file and the registry disagree, ``python -m silkhub.data.registry`` rewrites it).

It also holds the labels of the indicator codes (regional template codes and the WDI series used
by silkhub) and of their units, in Chinese and English: :func:`indicator_label` and
:func:`unit_label` give chart titles and table headers ("货物出口额（亿元）",
"Exports of goods (CNY 100 million)").
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# -- columns and tables ---------------------------------------------------------------------------

#: pandas/pandera dtype -> DuckDB type shown in the docs
DUCKDB_TYPES = {
    "str": "VARCHAR",
    "object": "VARCHAR",
    "int32": "INTEGER",
    "Int32": "INTEGER",
    "int64": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Field:
    """One column: name, pandas dtype, unit (``USD``, ``count`` … or empty) and value checks.

    Checks are declarative so that pandera checks and docs come from one place: ``iso3`` (ISO
    3166 alpha-3, upper case), ``ge`` (>=), ``in_range`` (inclusive), ``isin``, ``matches``
    (regular expression).
    """

    name: str
    dtype: str
    description: str = ""
    unit: str = ""
    nullable: bool = False
    iso3: bool = False
    ge: float | None = None
    in_range: tuple[float, float] | None = None
    isin: tuple[str, ...] | None = None
    matches: str | None = None

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]


@dataclass(frozen=True)
class TableSchema:
    """Columns shared by one or more datasets, in stored order, and the key that is unique."""

    name: str
    fields: tuple[Field, ...]
    unique: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Dataset:
    """One store view: its table schema, role, whether products are below all-goods totals,
    what it holds and the command that produces it."""

    name: str
    schema: str
    role: str
    description: str
    produced_by: str
    product_level: bool = False


_YEAR = Field("year", "int32", "calendar year", in_range=(1900, 2100))
_ISO3 = {"iso3": True}


def _bilateral_fields() -> tuple[Field, ...]:
    return (
        _YEAR,
        Field("exporter", "str", "exporting country", **_ISO3),
        Field("importer", "str", "importing country", **_ISO3),
        Field("product", "str", "product code; 'TOTAL' = all goods"),
        Field("value_usd", "float", "trade value", unit="USD", nullable=True),
        Field("quantity", "float", "quantity (as reported)", nullable=True),
    )


_COUNT = 0

SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in [
        TableSchema(
            "wdi",
            (
                Field("iso3", "str", "country", **_ISO3),
                Field("indicator", "str", "WDI series code, e.g. NY.GDP.MKTP.CD"),
                _YEAR,
                Field("value", "float", "value in the series' unit", nullable=True),
            ),
            unique=("iso3", "indicator", "year"),
        ),
        TableSchema(
            "wdi_aggregates",
            (
                Field("code", "str", "World Bank aggregate code (WLD, EAS, HIC …)"),
                Field("name", "str", "aggregate name"),
                Field(
                    "kind",
                    "str",
                    "aggregate kind",
                    isin=("world", "region", "income", "lending", "other"),
                ),
                Field("indicator", "str", "WDI series code"),
                _YEAR,
                Field("value", "float", "value in the series' unit", nullable=True),
            ),
            unique=("code", "indicator", "year"),
        ),
        TableSchema("bilateral", _bilateral_fields()),
        TableSchema(
            "exports",
            (
                Field("year", "int32", "calendar year"),
                Field("exporter", "str", "exporting country", **_ISO3),
                Field("product", "str", "product code"),
                Field("value_usd", "float", "exports to the world", unit="USD", ge=0),
            ),
            unique=("year", "exporter", "product"),
        ),
        TableSchema(
            "hs_products",
            (
                Field("classification", "str", "HS revision (HS17 …)"),
                Field("product", "str", "HS6 code", matches=r"^\d{6}$"),
                Field("description", "object", "product description", nullable=True),
            ),
            unique=("classification", "product"),
        ),
        TableSchema(
            "fdi",
            (
                Field("iso3", "str", "country", **_ISO3),
                _YEAR,
                Field("value_usd", "float", "FDI inflows", unit="USD", nullable=True),
                Field("source", "str", "source of the figure"),
            ),
            unique=("iso3", "year"),
        ),
        TableSchema(
            "regional",
            (
                Field("region_id", "str", "silkhub region id (CN-SD-jinan)"),
                Field("year", "int64", "calendar year"),
                Field("indicator", "str", "regional template code (see indicator labels)"),
                Field("value", "float", "value in the unit column", nullable=True),
                Field("unit", "str", "unit code (CNY_100m, count …)"),
                Field("source", "str", "yearbook or communiqué"),
                Field("note", "object", "note", nullable=True),
            ),
            unique=("region_id", "indicator", "year"),
        ),
        TableSchema(
            "air_routes",
            (
                Field("source_iata", "object", "origin airport", nullable=True),
                Field("source_city", "object", "origin city", nullable=True),
                Field("source_iso3", "str", "origin country", **_ISO3),
                Field("dest_iata", "object", "destination airport", nullable=True),
                Field("dest_city", "object", "destination city", nullable=True),
                Field("dest_iso3", "str", "destination country", **_ISO3),
                Field("airlines", "int32", "airlines flying the pair", unit="count", ge=1),
                Field("codeshare_only", "bool", "only codeshare flights"),
                Field("international", "bool", "crosses a border"),
                Field("dest_bri", "bool", "destination is a BRI signatory"),
            ),
        ),
        TableSchema(
            "air_connectivity",
            (
                Field("city", "str", "city"),
                Field("iso3", "str", "country", **_ISO3),
                Field("iata", "str", "airports of the city, comma-joined"),
                Field("lat", "float", "mean latitude of the airports", in_range=(-90, 90)),
                Field("lon", "float", "mean longitude of the airports", in_range=(-180, 180)),
                Field("routes", "int32", "directed airport pairs out", unit="count", ge=1),
                Field("intl_routes", "int32", "international routes", unit="count", ge=_COUNT),
                Field(
                    "intl_destinations",
                    "int32",
                    "distinct foreign airports served directly",
                    unit="count",
                    ge=_COUNT,
                ),
                Field(
                    "countries_reached",
                    "int32",
                    "distinct foreign countries",
                    unit="count",
                    ge=_COUNT,
                ),
                Field(
                    "routes_to_bri",
                    "int32",
                    "international routes to BRI signatories",
                    unit="count",
                    ge=_COUNT,
                ),
                Field(
                    "bri_countries_reached",
                    "int32",
                    "BRI signatories reached",
                    unit="count",
                    ge=_COUNT,
                ),
            ),
            unique=("city", "iso3"),
        ),
        TableSchema(
            "tracker_projects",
            (
                Field("source", "str", "tracker", isin=("cgit", "gcdf")),
                Field("source_id", "str", "id in the tracker"),
                Field("year", "Int32", "year", nullable=True),
                Field("month", "Int32", "month", nullable=True, in_range=(1, 12)),
                Field("iso3", "object", "host country", nullable=True),
                Field("country_name", "object", "country as written", nullable=True),
                Field("sector", "object", "sector", nullable=True),
                Field("subsector", "object", "subsector", nullable=True),
                Field("amount_usd", "float", "amount", unit="USD", nullable=True),
                Field("investor", "object", "Chinese investor or lender", nullable=True),
                Field("counterparty", "object", "counterparty", nullable=True),
                Field("project_type", "object", "project type", nullable=True),
                Field("status", "object", "status", nullable=True),
                Field("title", "object", "title", nullable=True),
                Field("bri", "boolean", "BRI project", nullable=True),
                Field("region_name", "object", "region", nullable=True),
                Field("record_json", "str", "the source row as JSON"),
            ),
            unique=("source", "source_id"),
        ),
    ]
}

#: roles of the datasets (what kind of question they answer)
ROLES = {
    "country_indicators": "indicator values per country and year",
    "aggregate_indicators": "indicator values per World Bank aggregate and year",
    "bilateral_trade": "flows exporter -> importer per product and year",
    "exports_by_product": "exports to the world per exporter, product and year",
    "product_names": "product code descriptions",
    "country_fdi": "FDI inflows per country and year",
    "regional_indicators": "sub-national indicator values per region and year",
    "air_routes": "direct air routes between airports",
    "air_connectivity": "air connectivity per city",
    "projects": "overseas projects from public trackers",
}

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "wdi",
            "wdi",
            "country_indicators",
            "WDI codes such as `NY.GDP.MKTP.CD`; countries only (World Bank aggregates go to "
            "`wdi_aggregates`)",
            "`silkhub data import wdi FILE_OR_DIR`, `silkhub data fetch wdi`",
        ),
        Dataset(
            "wdi_aggregates",
            "wdi_aggregates",
            "aggregate_indicators",
            "the World Bank's aggregates with its own codes and names (`WLD` World, regions "
            "such as `EAS`, income groups such as `HIC`; `reference/wb_aggregates.csv`); "
            "`indicators group-share --world auto` uses `WLD` from here",
            "written next to `wdi` by the same import or fetch (`--name X` writes `X_aggregates`)",
        ),
        Dataset(
            "baci",
            "bilateral",
            "bilateral_trade",
            "`product` = HS6 string (`'010121'`); BACI `v` (thousand US$) × 1000; partitioned "
            "by year",
            "`silkhub data import baci FILE --countries country_codes.csv`",
            product_level=True,
        ),
        Dataset(
            "hs_products",
            "hs_products",
            "product_names",
            "`product` joins `baci.product`",
            "BACI `product_codes_HS*_V*.csv` next to the data file",
        ),
        Dataset(
            "wits_2009",
            "bilateral",
            "bilateral_trade",
            "product is the WITS `ProductCode` (`'TOTAL'` for all goods)",
            "`silkhub data import wits PATH`",
            product_level=True,
        ),
        Dataset(
            "wits_2009_harmonized",
            "bilateral",
            "bilateral_trade",
            "C. Grasland's reconciled WITS 2009 matrix (`i;j;Fij`, thousand US$ ×1000), zeros "
            "kept, domestic cells left out",
            "`silkhub data import wits PATH` (the `…harmonized_flows.csv` file)",
        ),
        Dataset(
            "comtrade",
            "bilateral",
            "bilateral_trade",
            "reporter/partner turned into exporter/importer from the flow (exports: "
            "reporter→partner; imports: partner→reporter); `product` = the commodity code "
            "(`'TOTAL'` for all goods)",
            "`silkhub data import comtrade FILE`, `silkhub data fetch comtrade`",
            product_level=True,
        ),
        Dataset(
            "china_br65_trade",
            "bilateral",
            "bilateral_trade",
            "`product = 'TOTAL'`, `quantity` NULL; China's exports to (CHN→X) and imports from "
            "(X→CHN) the 64 other along-route countries, 2013–2019",
            "`silkhub data import beltandroad DIR`",
        ),
        Dataset(
            "br_fdi_inflows",
            "fdi",
            "country_fdi",
            "FDI inflows into B&R countries 2014–2019",
            "`silkhub data import beltandroad DIR`",
        ),
        Dataset(
            "world_trade_2017_hs4",
            "exports",
            "exports_by_product",
            "exports to the world by HS4; NA → 0 (kept)",
            "`silkhub data import econcomplexity FILE`",
            product_level=True,
        ),
        Dataset(
            "world_trade_1998_2000_sitc4",
            "exports",
            "exports_by_product",
            "exports to the world by SITC4; NA → 0 (kept); 1998–2000 average stored as "
            "`year = 2000`",
            "`silkhub data import econcomplexity FILE`",
            product_level=True,
        ),
        Dataset(
            "regional",
            "regional",
            "regional_indicators",
            "regional template codes (`GDP`, `EXPORTS`, `AIR_COUNTRIES_REACHED` …, labels in "
            "`silkhub.analytics.registry.indicator_label`)",
            "`silkhub data import regional FILE` (template: `silkhub data template regional`)",
        ),
        Dataset(
            "air_routes",
            "air_routes",
            "air_routes",
            "one row per directed airport pair",
            "`silkhub data import openflights DIR`",
        ),
        Dataset(
            "air_connectivity",
            "air_connectivity",
            "air_connectivity",
            "one row per city (airports of a city pooled)",
            "`silkhub data import openflights DIR`",
        ),
        Dataset(
            "tracker_projects",
            "tracker_projects",
            "projects",
            "CGIT and AidData GCDF rows; each import replaces only its own `source` rows",
            "`silkhub data import cgit FILE`, `silkhub data import gcdf FILE`",
        ),
    ]
}


# -- questions: which dataset answers what, in order of preference ------------------------------


@dataclass(frozen=True)
class Question:
    """A question the analytics answer, the columns it needs and the datasets that can answer
    it, most preferred first (the first one imported that covers the year is used)."""

    name: str
    description: str
    needs: tuple[str, ...]
    datasets: tuple[str, ...]
    product_level: bool = False


_BILATERAL = ("year", "exporter", "importer", "product", "value_usd")
_EXPORTS = ("year", "exporter", "product", "value_usd")

QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in [
        Question(
            "partners",
            "partner rankings, concentration by partner, trade intensity (all-goods flows)",
            _BILATERAL,
            ("baci", "comtrade", "china_br65_trade", "wits_2009"),
        ),
        Question(
            "products",
            "RCA, export similarity, concentration by product (exports by product)",
            _EXPORTS,
            ("baci", "comtrade", "world_trade_2017_hs4", "world_trade_1998_2000_sitc4"),
            product_level=True,
        ),
        Question(
            "complementarity",
            "trade complementarity of an exporter's supply with an importer's demand, and the "
            "RCA fit of the gravity target list (imports by product and partner)",
            _BILATERAL,
            ("baci", "comtrade", "wits_2009"),
            product_level=True,
        ),
        Question(
            "hs_sections",
            "gravity potential per HS section (HS product codes, bilateral)",
            _BILATERAL,
            ("baci", "comtrade"),
            product_level=True,
        ),
        Question(
            "gravity_flows",
            "a reporter's all-goods flows for the general gravity potential",
            _BILATERAL,
            ("baci", "comtrade", "wits_2009"),
        ),
    ]
}


def preference(question: str) -> tuple[str, ...]:
    """Datasets that answer ``question``, most preferred first (KeyError for an unknown one)."""
    return QUESTIONS[question].datasets


def schema_of(dataset: str) -> TableSchema:
    """The table schema of a registered dataset (``*_aggregates`` names map to
    ``wdi_aggregates``; any other unknown name raises KeyError)."""
    if dataset in DATASETS:
        return SCHEMAS[DATASETS[dataset].schema]
    if dataset.endswith("_aggregates"):
        return SCHEMAS["wdi_aggregates"]
    raise KeyError(dataset)


def conform(dataset: str, frame: Any) -> Any:
    """``frame`` with the stored types the registry promises, for writing.

    A text column whose values are all missing has no type in Parquet (DuckDB reads it as
    ``"NULL"``); such columns are given pandas' ``string`` dtype so the view keeps ``VARCHAR``.
    Unregistered datasets and frames without such columns are returned as they are.
    """
    try:
        fields = schema_of(dataset).fields
    except KeyError:
        return frame
    empty_text = [
        f.name
        for f in fields
        if f.duckdb_type == "VARCHAR"
        and f.name in frame.columns
        and frame[f.name].dtype == object
        and frame[f.name].isna().all()
    ]
    if not empty_text:
        return frame
    return frame.astype({c: "string" for c in empty_text})


def pandera_schema(schema: str, checks: list[Any] | None = None) -> Any:
    """The pandera ``DataFrameSchema`` of a table schema (strict, ordered, unique key)."""
    import pandera.pandas as pa

    cols = {}
    for f in SCHEMAS[schema].fields:
        cs = []
        if f.iso3:
            cs.append(pa.Check.str_matches(r"^[A-Z]{3}$"))
        if f.matches:
            cs.append(pa.Check.str_matches(f.matches))
        if f.ge is not None:
            cs.append(pa.Check.ge(f.ge))
        if f.in_range is not None:
            cs.append(pa.Check.in_range(*f.in_range))
        if f.isin is not None:
            cs.append(pa.Check.isin(list(f.isin)))
        dtype: Any = {"str": str, "float": float, "bool": bool, "object": object}.get(
            f.dtype, f.dtype
        )
        cols[f.name] = pa.Column(dtype, cs or None, nullable=f.nullable)
    return pa.DataFrameSchema(
        cols,
        checks=checks,
        unique=list(SCHEMAS[schema].unique) or None,
        strict=True,
        ordered=True,
        name=schema,
    )


# -- units and indicator labels -------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit code and its label per language (``suffix`` is what a table header shows)."""

    code: str
    en: str
    zh: str


UNITS: dict[str, Unit] = {
    u.code: u
    for u in [
        Unit("CNY_100m", "CNY 100 million", "亿元"),
        Unit("USD_100m", "US$ 100 million", "亿美元"),
        Unit("10k_persons", "10,000 persons", "万人"),
        Unit("count", "count", "个"),
        Unit("persons", "persons", "人"),
        Unit("USD", "US$", "美元"),
        Unit("pct", "%", "%"),
        Unit("pct_gdp", "% of GDP", "占GDP的百分比"),
        Unit("ratio", "ratio", "比值"),
        Unit("index_0_100", "index 0–100", "指数（0–100）"),
        Unit("score_1_5", "score 1–5", "得分（1–5）"),
        Unit("per_100", "per 100 people", "每百人"),
        Unit("teu", "TEU", "标准箱"),
    ]
}


@dataclass(frozen=True)
class IndicatorDef:
    """An indicator code with its names (zh/en), unit code and a short definition."""

    code: str
    name_en: str
    name_zh: str
    unit: str
    definition: str = ""


def _d(code: str, en: str, zh: str, unit: str, definition: str = "") -> IndicatorDef:
    return IndicatorDef(code, en, zh, unit, definition)


#: indicator codes of the regional template (unit codes: CNY_100m = 亿元 (100 million yuan),
#: USD_100m = 亿美元, 10k_persons = 万人, count = 个/家/条/所)
INDICATORS: dict[str, IndicatorDef] = {
    d.code: d
    for d in [
        _d("GDP", "Gross domestic product", "地区生产总值", "CNY_100m", "current prices"),
        _d("POPULATION", "Resident population (year end)", "年末常住人口", "10k_persons"),
        _d("EXPORTS", "Exports of goods", "货物出口额", "CNY_100m", "customs, by location"),
        _d("IMPORTS", "Imports of goods", "货物进口额", "CNY_100m", "customs, by location"),
        _d(
            "TRADE_TOTAL", "Total trade in goods", "货物进出口总额", "CNY_100m", "exports + imports"
        ),
        _d("FDI_ACTUAL", "Actual FDI used", "实际使用外资", "USD_100m"),
        _d("OUTWARD_FDI", "Outward direct investment", "对外直接投资额", "USD_100m"),
        _d("FIE_COUNT", "Foreign-invested enterprises", "外商投资企业数", "count"),
        _d(
            "FORTUNE500_PRESENT",
            "Fortune Global 500 firms present",
            "落户世界500强企业数",
            "count",
            "firms with an investment or office in the city",
        ),
        _d("INTL_AIR_ROUTES", "International air routes", "国际(地区)航线数", "count"),
        _d(
            "AIR_COUNTRIES_REACHED",
            "Countries reached by direct flights",
            "直航通达国家数",
            "count",
            "e.g. from OpenFlights routes",
        ),
        _d(
            "INTL_RAIL_FREIGHT_LINES",
            "International rail freight lines",
            "国际货运班列线路数",
            "count",
            "China-Europe / China-Asia train routes",
        ),
        _d("CHINA_EUROPE_TRAINS", "China-Europe train trips", "中欧班列开行列数", "count"),
        _d("INTL_SCHOOLS", "International schools", "国际学校数", "count"),
        _d("INTL_HOSPITALS", "International hospitals", "国际医院数", "count"),
        _d("FOREIGN_RESIDENTS", "Foreign residents", "常住外国人", "persons"),
        _d("FOREIGN_EXPERTS", "Foreign experts", "外国专家", "persons"),
        _d("INTL_STUDENTS", "International students", "来华留学生", "persons"),
        _d("CONSULATES", "Foreign consulates", "外国领事机构数", "count"),
        _d("SISTER_CITIES", "Sister cities", "国际友好城市数", "count"),
        _d(
            "INTL_CONFERENCES",
            "International conferences (ICCA)",
            "国际会议数(ICCA)",
            "count",
            "ICCA-rated association meetings",
        ),
        _d("INTL_EXHIBITIONS", "International exhibitions", "国际展会数", "count"),
        _d("INBOUND_TOURISTS", "Inbound overseas visitors", "入境游客", "10k_persons"),
        _d("TOURISM_FX_RECEIPTS", "International tourism receipts", "旅游外汇收入", "USD_100m"),
    ]
}

#: World Bank WDI series used by silkhub (country profiles, openness, gravity)
WDI_INDICATORS: dict[str, IndicatorDef] = {
    d.code: d
    for d in [
        _d("NY.GDP.MKTP.CD", "GDP (current US$)", "国内生产总值（现价美元）", "USD"),
        _d("SP.POP.TOTL", "Population, total", "总人口", "persons"),
        _d("NE.EXP.GNFS.CD", "Exports of goods and services", "货物和服务出口", "USD"),
        _d("NE.IMP.GNFS.CD", "Imports of goods and services", "货物和服务进口", "USD"),
        _d("TX.VAL.MRCH.CD.WT", "Merchandise exports", "货物出口", "USD"),
        _d("TM.VAL.MRCH.CD.WT", "Merchandise imports", "货物进口", "USD"),
        _d("NE.TRD.GNFS.ZS", "Trade", "贸易", "pct_gdp"),
        _d("BX.KLT.DINV.CD.WD", "FDI, net inflows", "外国直接投资净流入", "USD"),
        _d("BX.KLT.DINV.WD.GD.ZS", "FDI, net inflows", "外国直接投资净流入", "pct_gdp"),
        _d("GB.XPD.RSDV.GD.ZS", "Research and development expenditure", "研发支出", "pct_gdp"),
        _d("TX.VAL.TECH.CD", "High-technology exports", "高技术产品出口", "USD"),
        _d(
            "TX.VAL.TECH.MF.ZS",
            "High-technology exports, share of manufactured exports",
            "高技术产品出口占制成品出口比重",
            "pct",
        ),
        _d("ST.INT.ARVL", "International tourism, arrivals", "国际游客入境人数", "persons"),
        _d("IS.AIR.PSGR", "Air transport, passengers carried", "航空客运量", "persons"),
        _d("IS.SHP.GOOD.TU", "Container port traffic", "集装箱港口吞吐量", "teu"),
        _d("IT.NET.USER.ZS", "Individuals using the Internet", "使用互联网的人口", "pct"),
        _d("IT.NET.USER.P2", "Internet users", "互联网用户", "per_100"),
        _d("LP.LPI.OVRL.XQ", "Logistics performance index", "物流绩效指数", "score_1_5"),
    ]
}

ALL_INDICATORS: dict[str, IndicatorDef] = {**INDICATORS, **WDI_INDICATORS}


def _lang(lang: str | None) -> str:
    return "zh" if (lang or "").lower().replace("-", "_").startswith("zh") else "en"


def unit_label(unit: str | None, lang: str = "en") -> str:
    """The label of a unit code in ``lang`` (``CNY_100m`` -> 亿元 / CNY 100 million); an
    unknown code is returned as given, an empty one as ''."""
    if not unit:
        return ""
    u = UNITS.get(unit)
    if u is None:
        return unit
    return u.zh if _lang(lang) == "zh" else u.en


def indicator_name(code: str, lang: str = "en") -> str:
    """The name of an indicator code without its unit (the code itself when unknown)."""
    d = ALL_INDICATORS.get(code)
    if d is None:
        return code
    return d.name_zh if _lang(lang) == "zh" else d.name_en


def indicator_unit(code: str) -> str:
    """The unit code of an indicator ('' when unknown)."""
    d = ALL_INDICATORS.get(code)
    return d.unit if d else ""


def indicator_label(
    code: str, lang: str = "en", unit: str | None = None, *, with_unit: bool = True
) -> str:
    """Chart title / table header of an indicator: name and unit in ``lang``.

    ``unit`` overrides the registered unit (e.g. the ``unit`` column of a regional row).
    ``EXPORTS`` -> "货物出口额（亿元）" (zh) / "Exports of goods (CNY 100 million)" (en);
    an unknown code keeps the code as its name.
    """
    name = indicator_name(code, lang)
    if not with_unit:
        return name
    u = unit_label(unit if unit is not None else indicator_unit(code), lang)
    if not u:
        return name
    return f"{name}（{u}）" if _lang(lang) == "zh" else f"{name} ({u})"


def is_known_indicator(code: str) -> bool:
    return code in ALL_INDICATORS


def indicator_labels(lang: str = "en") -> list[dict[str, str]]:
    """Every registered indicator code with its name, unit code, unit label and full label in
    ``lang`` (regional template codes first, then WDI series), for listings and clients."""
    out = []
    for source, table in (("regional", INDICATORS), ("wdi", WDI_INDICATORS)):
        for d in table.values():
            out.append(
                {
                    "code": d.code,
                    "source": source,
                    "name": indicator_name(d.code, lang),
                    "unit": d.unit,
                    "unit_label": unit_label(d.unit, lang),
                    "label": indicator_label(d.code, lang),
                    "definition": d.definition,
                }
            )
    return out


# -- docs -----------------------------------------------------------------------------------------

DOC_BEGIN = "<!-- registry:datasets begin (generated by `python -m silkhub.data.registry`) -->"
DOC_END = "<!-- registry:datasets end -->"
QUESTIONS_BEGIN = "<!-- registry:questions begin -->"
QUESTIONS_END = "<!-- registry:questions end -->"


def _col_doc(f: Field) -> str:
    bits = [f"`{f.name} {f.duckdb_type}`"]
    if f.unit:
        bits.append(f"({f.unit})")
    return " ".join(bits)


def markdown_table() -> str:
    """The dataset table of ``docs/reference/datasets.md`` (one row per dataset)."""
    lines = [
        "| view | role | columns (DuckDB types, units) | key | notes | produced by |",
        "|---|---|---|---|---|---|",
    ]
    for d in DATASETS.values():
        s = SCHEMAS[d.schema]
        cols = ", ".join(_col_doc(f) for f in s.fields)
        key = ", ".join(s.unique) or "—"
        lines.append(
            f"| `{d.name}` | {d.role} | {cols} | {key} | {d.description} | {d.produced_by} |"
        )
    return "\n".join(lines)


def markdown_questions() -> str:
    """The preference table: which datasets answer which question, in order."""
    lines = ["| question | datasets, most preferred first | answers |", "|---|---|---|"]
    for q in QUESTIONS.values():
        ds = " → ".join(f"`{n}`" for n in q.datasets)
        lines.append(f"| `{q.name}` | {ds} | {q.description} |")
    return "\n".join(lines)


def _replace_block(text: str, begin: str, end: str, body: str) -> str:
    pat = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pat.search(text):
        raise ValueError(f"marker {begin!r} not found")
    return pat.sub(lambda _m: f"{begin}\n{body}\n{end}", text)


def render_docs(text: str) -> str:
    """``text`` (the datasets reference) with its generated blocks rewritten."""
    text = _replace_block(text, DOC_BEGIN, DOC_END, markdown_table())
    return _replace_block(text, QUESTIONS_BEGIN, QUESTIONS_END, markdown_questions())


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference/datasets.md")
    path.write_text(render_docs(path.read_text(encoding="utf-8")), encoding="utf-8")
