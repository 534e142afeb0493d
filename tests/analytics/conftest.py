"""Tiny hand-made datasets in an in-memory DuckDB (the store's views, without the store)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pytest


def bilateral(rows: list[tuple[int, str, str, str, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value_usd"])
    df["quantity"] = np.nan
    return df


#: totals: CHN with RUS, KAZ, SGP (route65) and DEU (not), plus a third-party flow
TOTALS = bilateral(
    [
        (2016, "CHN", "RUS", "TOTAL", 30.0),
        (2016, "RUS", "CHN", "TOTAL", 10.0),
        (2016, "CHN", "KAZ", "TOTAL", 5.0),
        (2016, "KAZ", "CHN", "TOTAL", 50.0),
        (2016, "CHN", "SGP", "TOTAL", 20.0),
        (2016, "CHN", "DEU", "TOTAL", 100.0),
        (2016, "DEU", "CHN", "TOTAL", 100.0),
        (2016, "RUS", "KAZ", "TOTAL", 7.0),
        (2015, "CHN", "RUS", "TOTAL", 20.0),
        (2015, "RUS", "CHN", "TOTAL", 12.0),
        (2015, "CHN", "KAZ", "TOTAL", 5.0),
        (2015, "KAZ", "CHN", "TOTAL", 45.0),
        (2015, "CHN", "DEU", "TOTAL", 90.0),
        (2015, "DEU", "CHN", "TOTAL", 90.0),
    ]
)

#: HS6 flows 2017: CHN p1=10 (to DEU), p2=30 (to KAZ); VNM p1=40, p2=20 (to DEU)
PRODUCTS = bilateral(
    [
        (2017, "CHN", "DEU", "010121", 10.0),
        (2017, "CHN", "KAZ", "850110", 30.0),
        (2017, "VNM", "DEU", "010121", 40.0),
        (2017, "VNM", "DEU", "850110", 20.0),
    ]
)

COUNTRIES = ["CHN", "DEU", "USA", "JPN", "KAZ", "RUS", "VNM", "IND", "BRA", "ZAF", "FRA", "KOR"]


def exports_only() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.lognormal(sigma=2.0, size=(len(COUNTRIES), 30)) * (
        rng.random((len(COUNTRIES), 30)) > 0.3
    )
    return pd.DataFrame(
        [(2017, c, f"{8400 + j:04d}", x[i, j]) for i, c in enumerate(COUNTRIES) for j in range(30)],
        columns=["year", "exporter", "product", "value_usd"],
    )


def wdi() -> pd.DataFrame:
    rows = [
        ("CHN", "NY.GDP.MKTP.CD", 2013, 100.0),
        ("CHN", "NY.GDP.MKTP.CD", 2014, 110.0),
        ("CHN", "NY.GDP.MKTP.CD", 2015, 121.0),
        ("CHN", "NE.EXP.GNFS.CD", 2013, 20.0),
        ("CHN", "NE.EXP.GNFS.CD", 2014, 22.0),
        ("CHN", "NE.IMP.GNFS.CD", 2013, 10.0),
        ("CHN", "NE.IMP.GNFS.CD", 2014, 11.0),
        ("CHN", "NE.IMP.GNFS.CD", 2015, 12.0),
        ("CHN", "BX.KLT.DINV.CD.WD", 2013, 5.0),
        ("CHN", "GB.XPD.RSDV.GD.ZS", 2014, 2.0),
        ("CHN", "TX.VAL.TECH.MF.ZS", 2014, 25.0),
        ("CHN", "SP.POP.TOTL", 2015, 50.0),
        ("RUS", "SP.POP.TOTL", 2015, 10.0),
        ("DEU", "SP.POP.TOTL", 2015, 30.0),
        ("USA", "SP.POP.TOTL", 2015, 10.0),
        ("CHN", "NY.GDP.MKTP.CD", 2012, 90.0),
    ]
    return pd.DataFrame(rows, columns=["iso3", "indicator", "year", "value"])


def regional() -> pd.DataFrame:
    rows = [
        ("CN-SD-jinan", 2018, "GDP", 200.0, "CNY_100m"),
        ("CN-SD-jinan", 2019, "GDP", 250.0, "CNY_100m"),
        ("CN-SD-jinan", 2018, "EXPORTS", 30.0, "CNY_100m"),
        ("CN-SD-jinan", 2019, "EXPORTS", 36.0, "CNY_100m"),
        ("CN-SD-jinan", 2018, "IMPORTS", 10.0, "CNY_100m"),
        ("CN-SD-jinan", 2019, "IMPORTS", 14.0, "CNY_100m"),
        ("CN-SD-jinan", 2019, "FDI_ACTUAL", 2.0, "USD_100m"),
    ]
    df = pd.DataFrame(rows, columns=["region_id", "year", "indicator", "value", "unit"])
    df["source"] = "hand-made"
    return df


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(":memory:")
    for name, frame in {
        "totals": TOTALS,
        "hs6": PRODUCTS,
        "exports_only": exports_only(),
        "wdi": wdi(),
        "regional": regional(),
    }.items():
        c.register(f"_{name}", frame)
        c.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}"')
    yield c
    c.close()


@pytest.fixture
def session(sqlite_runtime):
    with sqlite_runtime.session() as s:
        yield s
