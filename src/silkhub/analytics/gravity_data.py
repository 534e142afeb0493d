"""Load the datasets gravity models run on, as tidy DataFrames with canonical columns.

Sources (all under the shared-data folder, see ``shared/data/MANIFEST.md``):

* ``gravity/yotov_agtpa/agtpa_applications.csv`` — AGTPA ch. 1 panel (US$ millions),
* ``gravity/cepii_geodist/dist_cepii.csv`` — CEPII GeoDist (``;``-separated, CEPII codes),
* ``trade/wits_2009/WITS_Trade2009_harmonized_flows.csv`` — 2009 bilateral totals (US$ 1000),
* ``wdi/gdp.csv`` — GDP, current US$ (aggregates mixed in),
* ``bri_membership/china_trade_br65_2013_2019_long.csv`` — China's trade with 64 B&R countries.

Bilateral datasets in the analytics store (``year, exporter, importer, product, value_usd``) are
used too: :func:`load_dataset` aggregates them to all-goods totals and adds CEPII covariates.

Every loader returns values in US$ (not thousands or millions) except the AGTPA panel, which
is kept exactly as published so that the textbook coefficients reproduce.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from silkhub.errors import DataMissingError, UnknownChoiceError

logger = logging.getLogger(__name__)

AGTPA = Path("gravity/yotov_agtpa")
CEPII_DIST = Path("gravity/cepii_geodist/dist_cepii.csv")
WITS_FLOWS = Path("trade/wits_2009/WITS_Trade2009_harmonized_flows.csv")
WDI_GDP = Path("wdi/gdp.csv")
CHINA_BR65 = Path("bri_membership/china_trade_br65_2013_2019_long.csv")

#: CEPII GeoDist codes that are not ISO 3166 alpha-3 today
CEPII_CODES = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "PAL": "PSE", "YUG": "SRB"}

#: datasets a spec may name (besides bilateral datasets of the analytics store)
DATASETS: dict[str, str] = {
    "agtpa_applications": "AGTPA ch. 1 applications panel, 69 countries, 1986–2006 (US$ mn)",
    "agtpa_exercise1": "AGTPA ch. 1 exercise 1 (WTO impact), 1986–2006 every 4 years",
    "agtpa_exercise2": "AGTPA ch. 1 exercise 2 (unilateral policy), 1988–2006 every 3 years",
    "wits_2009_gravity": "WITS 2009 bilateral totals + CEPII covariates + WDI GDP (US$)",
    "china_br65_panel": "China's exports/imports with 64 B&R countries 2013–2019 + CEPII (US$)",
}


def _need(shared: Path | None, rel: Path) -> Path:
    if shared is None:
        raise DataMissingError(key="gravity.shared_not_configured", params={"file": str(rel)})
    path = Path(shared) / rel
    if not path.is_file():
        raise DataMissingError(key="gravity.shared_file_missing", params={"path": str(path)})
    return path


def load_agtpa(shared: Path, name: str = "agtpa_applications") -> pd.DataFrame:
    """The AGTPA chapter-1 panel, columns lower-cased (``dist, cntg, lang, clny, rta ...``)."""
    files = {
        "agtpa_applications": "agtpa_applications.csv",
        "agtpa_exercise1": "Chapter1Exercise1.csv",
        "agtpa_exercise2": "Chapter1Exercise2.csv",
    }
    df = pd.read_csv(_need(shared, AGTPA / files[name]))
    df.columns = [c.lower() for c in df.columns]
    if "pair_id" not in df.columns:
        a = df[["exporter", "importer"]].min(axis=1)
        b = df[["exporter", "importer"]].max(axis=1)
        df["pair_id"] = a + "_" + b
    return df


@lru_cache(maxsize=4)
def _cepii_cached(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype={"iso_o": str, "iso_d": str}, keep_default_na=False)
    for c in ("iso_o", "iso_d"):
        df[c] = df[c].map(lambda v: CEPII_CODES.get(v, v))
    # a renamed code may now clash with an existing one (e.g. YUG -> SRB): keep the first
    df = df.drop_duplicates(["iso_o", "iso_d"], keep="first")
    for c in ("dist", "distw", "contig", "comlang_off", "colony", "smctry"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    out = df.rename(columns={"iso_o": "exporter", "iso_d": "importer"})[
        ["exporter", "importer", "dist", "distw", "contig", "comlang_off", "colony", "smctry"]
    ]
    return out.reset_index(drop=True)


def load_cepii(shared: Path) -> pd.DataFrame:
    """CEPII GeoDist pairs with ISO3 codes: ``exporter, importer, dist, distw, contig,
    comlang_off, colony, smctry`` (distance in km; ``distw`` population-weighted)."""
    return _cepii_cached(str(_need(shared, CEPII_DIST))).copy()


def load_gdp(shared: Path) -> pd.DataFrame:
    """WDI GDP in current US$: ``iso3, year, gdp_usd`` (aggregates are left in; join on iso3)."""
    df = pd.read_csv(_need(shared, WDI_GDP))
    df = df.rename(columns={"Country Code": "iso3", "Year": "year", "Value": "gdp_usd"})
    return df[["iso3", "year", "gdp_usd"]]


def load_wits_2009(shared: Path) -> pd.DataFrame:
    """WITS 2009 harmonised bilateral totals: ``year, exporter, importer, value_usd`` (zeros kept;
    the file is in thousands of US$)."""
    df = pd.read_csv(_need(shared, WITS_FLOWS), sep=";", keep_default_na=False)
    df = df.rename(columns={"i": "exporter", "j": "importer"})
    df["value_usd"] = pd.to_numeric(df["Fij"], errors="coerce") * 1000.0
    df["year"] = 2009
    return df[["year", "exporter", "importer", "value_usd"]]


def load_china_br65(shared: Path) -> pd.DataFrame:
    """China's trade with the 64 B&R countries: ``year, partner, china_exports_usd,
    china_imports_usd, total_trade_usd`` (total recomputed as exports + imports because one
    source total is corrupt; the China row — China's world trade — is dropped)."""
    from silkhub.data.reference.names import to_iso3

    df = pd.read_csv(_need(shared, CHINA_BR65))
    df["partner"] = df["country_name_en"].map(to_iso3)
    unmatched = sorted(df.loc[df["partner"].isna(), "country_name_en"].unique())
    if unmatched:
        logger.warning("china_br65: unmatched country names dropped: %s", unmatched)
    df = df[df["partner"].notna() & (df["partner"] != "CHN")].copy()
    df["total_trade_usd"] = df["china_exports_usd"].fillna(0) + df["china_imports_usd"].fillna(0)
    cols = ["year", "partner", "china_exports_usd", "china_imports_usd", "total_trade_usd"]
    return df[cols].reset_index(drop=True)


def add_covariates(flows: pd.DataFrame, cepii: pd.DataFrame) -> pd.DataFrame:
    """Left-join CEPII covariates on (exporter, importer) and add ``log_dist``.

    Uses the population-weighted distance ``distw`` where present, else ``dist``; intra-national
    rows (exporter == importer) keep CEPII's internal distance.
    """
    out = flows.merge(cepii, on=["exporter", "importer"], how="left")
    d = out["distw"].where(out["distw"].notna() & (out["distw"] > 0), out["dist"])
    out["dist_km"] = d
    with np.errstate(divide="ignore", invalid="ignore"):
        out["log_dist"] = np.log(d)
    return out


def add_gdp(frame: pd.DataFrame, gdp: pd.DataFrame, year_col: str = "year") -> pd.DataFrame:
    """Add ``gdp_o``/``gdp_d`` (US$) and their logs for the exporter and importer of each row."""
    g = gdp.rename(columns={"iso3": "exporter", "gdp_usd": "gdp_o"})
    out = frame.merge(g, on=["exporter", year_col], how="left")
    g = gdp.rename(columns={"iso3": "importer", "gdp_usd": "gdp_d"})
    out = out.merge(g, on=["importer", year_col], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["log_gdp_o"] = np.log(out["gdp_o"])
        out["log_gdp_d"] = np.log(out["gdp_d"])
    return out


def wits_2009_gravity(shared: Path) -> pd.DataFrame:
    """2009 cross-section for potential models: WITS flows + CEPII + WDI GDP of 2009.

    Columns: ``year, exporter, importer, trade`` (US$), ``pair_id``, CEPII covariates,
    ``log_dist``, ``gdp_o, gdp_d, log_gdp_o, log_gdp_d``. Pairs without distance or GDP keep
    NaN (the model drops them and counts them).
    """
    flows = load_wits_2009(shared).rename(columns={"value_usd": "trade"})
    out = add_gdp(add_covariates(flows, load_cepii(shared)), load_gdp(shared))
    out["pair_id"] = _pair_id(out)
    return out


def china_br65_panel(shared: Path) -> pd.DataFrame:
    """China–B&R panel in exporter/importer form (two rows per partner and year).

    Columns: ``year, exporter, importer, trade`` (US$), ``partner``, ``direction``
    (``export``: China -> partner, ``import``: partner -> China), ``pair_id``, CEPII
    covariates, WDI GDPs (``log_gdp_o``, ``log_gdp_d``) and ``log_gdp_partner``.
    """
    br = load_china_br65(shared)
    exp = br.assign(exporter="CHN", importer=br["partner"], trade=br["china_exports_usd"])
    imp = br.assign(exporter=br["partner"], importer="CHN", trade=br["china_imports_usd"])
    exp["direction"] = "export"
    imp["direction"] = "import"
    panel = pd.concat([exp, imp], ignore_index=True)[
        ["year", "exporter", "importer", "partner", "direction", "trade"]
    ]
    panel = add_gdp(add_covariates(panel, load_cepii(shared)), load_gdp(shared))
    panel["log_gdp_partner"] = np.where(
        panel["direction"] == "export", panel["log_gdp_d"], panel["log_gdp_o"]
    )
    panel["pair_id"] = _pair_id(panel)
    return panel


def _pair_id(df: pd.DataFrame) -> pd.Series:
    a = df[["exporter", "importer"]].min(axis=1)
    b = df[["exporter", "importer"]].max(axis=1)
    return a + "-" + b


def store_bilateral(
    store_root: Path,
    name: str,
    shared: Path | None,
    *,
    year: int | None = None,
    reporter: str | None = None,
) -> pd.DataFrame | None:
    """A bilateral dataset of the analytics store, summed to all-goods totals per year and pair,
    with CEPII covariates when the shared data is available; ``None`` if the store lacks it.

    ``year`` and ``reporter`` (either side of the flow) restrict the query in DuckDB.
    """
    from silkhub.data.store import AnalyticsStore

    root = Path(store_root)
    if not root.exists():
        return None
    store = AnalyticsStore(root)
    try:
        if not store.has(name):
            return None
        con = store.connect()
    except Exception:  # a broken store must not hide the shared-data path
        logger.warning("analytics store at %s could not be opened", root, exc_info=True)
        return None
    try:
        cols = {r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()}
        if not {"year", "exporter", "importer", "value_usd"} <= cols:
            return None
        params: list[object] = []
        scope = ""
        if year is not None:
            scope += " AND year = ?"
            params.append(int(year))
        if reporter is not None:
            scope += " AND (exporter = ? OR importer = ?)"
            params += [reporter, reporter]
        prod = "AND product = 'TOTAL'" if "product" in cols else ""
        has_total = bool(
            "product" in cols
            and con.execute(
                f"SELECT count(*) FROM {name} WHERE product = 'TOTAL' {scope}", params
            ).fetchone()[0]
        )
        where = prod if has_total else ("AND product <> 'TOTAL'" if "product" in cols else "")
        df = con.execute(
            f"SELECT year, exporter, importer, sum(value_usd) AS trade FROM {name} "
            f"WHERE true {where} {scope} GROUP BY ALL",
            params,
        ).df()
    finally:
        con.close()
    if shared is not None and (Path(shared) / CEPII_DIST).is_file():
        df = add_covariates(df, load_cepii(shared))
    df["pair_id"] = _pair_id(df)
    return df


def load_dataset(name: str, *, shared: Path | None, store_root: Path | None = None) -> pd.DataFrame:
    """The DataFrame a spec's ``dataset`` names.

    Looks in the built-in list (:data:`DATASETS`, read from the shared data) first, then in the
    analytics store (any bilateral dataset: ``baci``, ``comtrade``, ``wits_2009`` ...).

    Raises
    ------
    DataMissingError
        The files are not there (the message says which and how to provide them).
    UnknownChoiceError
        No such dataset anywhere.
    """
    if name in ("agtpa_applications", "agtpa_exercise1", "agtpa_exercise2"):
        return load_agtpa(_shared_or_fail(shared), name)
    if name == "wits_2009_gravity":
        return wits_2009_gravity(_shared_or_fail(shared))
    if name == "china_br65_panel":
        return china_br65_panel(_shared_or_fail(shared))
    if store_root is not None:
        df = store_bilateral(store_root, name, shared)
        if df is not None:
            return df
    raise UnknownChoiceError("dataset", name, sorted(DATASETS), field="dataset")


def _shared_or_fail(shared: Path | None) -> Path:
    if shared is None or not Path(shared).is_dir():
        raise DataMissingError(key="gravity.shared_missing", params={"folder": str(shared)})
    return Path(shared)
