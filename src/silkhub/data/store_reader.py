"""Read-only queries over the analytics store shared by the web UI and the reports.

Every function returns plain DataFrames with the canonical columns of
``docs/reference/datasets.md`` and never raises for a dataset that is simply not imported:
callers check :func:`missing_hint` and show how to import it instead. The SQL lives here (the
data layer), so pages and reports only name what they want.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from silkhub.data.registry import preference
from silkhub.data.store import AnalyticsStore

logger = logging.getLogger(__name__)

#: WDI openness indicators shown on country profiles: code -> i18n key of the label
OPENNESS_INDICATORS: dict[str, str] = {
    "NE.TRD.GNFS.ZS": "ind.trade_gdp",
    "BX.KLT.DINV.WD.GD.ZS": "ind.fdi_gdp",
    "TX.VAL.TECH.MF.ZS": "ind.hightech",
    "ST.INT.ARVL": "ind.tourists",
}

#: how to import each dataset (shown when it is missing)
IMPORT_HINTS: dict[str, str] = {
    "wdi": "silkhub data import wdi ../shared/data/wdi/ronnywang_wdi",
    "trade": "silkhub data import baci FILE   (or: silkhub data demo)",
    "regional": "silkhub data import regional FILE   (template: silkhub data template regional)",
    "air_connectivity": "silkhub data import openflights ../shared/data/openflights",
    "tracker_projects": "silkhub data import cgit FILE",
}


PARTNER_COLUMNS = ["partner", "exports_usd", "imports_usd", "total_usd"]


def missing_hint(dataset: str) -> str:
    """The command that imports ``dataset`` (for 'no data yet' messages)."""
    return IMPORT_HINTS.get(dataset, f"silkhub data import {dataset} ...")


@dataclass
class DatasetInfo:
    """Provenance of one dataset version as shown under a figure."""

    name: str
    version: int
    title: str
    source_url: str
    imported_at: str
    sha256: str
    rows: int

    def line(self) -> str:
        """One line for a figure footnote."""
        return (
            f"{self.name} v{self.version}: {self.title}"
            + (f" ({self.source_url})" if self.source_url else "")
            + f"; imported {self.imported_at[:10]}; sha256 {self.sha256[:12]}"
        )


class StoreReader:
    """Lazy, failure-tolerant access to the analytics store under ``analytics_dir``."""

    def __init__(self, analytics_dir: Path | None) -> None:
        self.analytics_dir = analytics_dir
        self._store = None
        self._con = None
        self._entries: dict[str, object] | None = None

    # -- plumbing --------------------------------------------------------------------------
    def _load(self) -> None:
        if self._entries is not None:
            return
        self._entries = {}
        if self.analytics_dir is None:
            return
        try:
            self._store = AnalyticsStore(self.analytics_dir)
            self._entries = {e.name: e for e in self._store.datasets()}
        except Exception:  # a broken catalog must not break a page
            logger.exception("analytics store unreadable at %s", self.analytics_dir)
            self._entries = {}

    def names(self) -> list[str]:
        """Names of the datasets with a current version."""
        self._load()
        return sorted(self._entries or {})

    def has(self, name: str) -> bool:
        return name in self.names()

    def info(self, name: str) -> DatasetInfo | None:
        """Provenance of the current version of ``name``."""
        self._load()
        e = (self._entries or {}).get(name)
        if e is None:
            return None
        return DatasetInfo(
            name=e.name,  # type: ignore[attr-defined]
            version=int(e.version),  # type: ignore[attr-defined]
            title=e.title or e.source,  # type: ignore[attr-defined]
            source_url=e.source_url or "",  # type: ignore[attr-defined]
            imported_at=e.imported_at or "",  # type: ignore[attr-defined]
            sha256=e.sha256 or "",  # type: ignore[attr-defined]
            rows=int(e.rows or 0),  # type: ignore[attr-defined]
        )

    def connection(self):
        """The DuckDB connection (one view per dataset), or None without a store."""
        self._load()
        if self._store is None:
            return None
        if self._con is None:
            self._con = self._store.connect()
        return self._con

    def sql(self, query: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run ``query`` on a DuckDB connection with one view per dataset."""
        con = self.connection()
        if con is None:
            return pd.DataFrame()
        return con.execute(query, list(params)).df()

    def years(self, name: str) -> tuple[int, int] | None:
        """First and last year of ``name`` (from the catalog)."""
        self._load()
        e = (self._entries or {}).get(name)
        yrs = getattr(e, "years", None) if e is not None else None
        return (int(yrs[0]), int(yrs[1])) if yrs else None

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def trade_dataset(self) -> str | None:
        """The bilateral trade dataset for partner rankings: the first imported one of the
        registry's preference for the question ``partners`` (:func:`silkhub.data.registry.
        preference`) that has bilateral flows (``exporter, importer, value_usd, year``); a
        bilateral dataset outside the registry only when none is (the one with the latest
        year)."""
        self._load()
        entries = self._entries or {}

        def bilateral(e: object) -> bool:
            cols = set(getattr(e, "columns", {}) or {})
            return {"exporter", "importer", "value_usd", "year"} <= cols

        for name in preference("partners"):
            if name in entries and bilateral(entries[name]):
                return name
        cands = [
            (-((getattr(e, "years", None) or [0, 0])[1] or 0), name)
            for name, e in entries.items()
            if bilateral(e)
        ]
        return sorted(cands)[0][1] if cands else None

    # -- queries ---------------------------------------------------------------------------
    def wdi(self, iso3s: Sequence[str], indicators: Sequence[str]) -> pd.DataFrame:
        """``iso3, indicator, year, value`` for the given countries and indicators."""
        if not self.has("wdi") or not iso3s or not indicators:
            return pd.DataFrame(columns=["iso3", "indicator", "year", "value"])
        ph_c = ",".join("?" * len(iso3s))
        ph_i = ",".join("?" * len(indicators))
        return self.sql(
            f"SELECT iso3, indicator, year, value FROM wdi WHERE iso3 IN ({ph_c}) "
            f"AND indicator IN ({ph_i}) AND value IS NOT NULL ORDER BY iso3, indicator, year",
            [*iso3s, *indicators],
        )

    def partners(self, iso3: str, *, top: int = 15) -> tuple[pd.DataFrame, int | None]:
        """Top trade partners of ``iso3`` in the latest year: ``partner, exports_usd,
        imports_usd, total_usd``; and that year. Uses all-goods totals when present."""
        ds = self.trade_dataset()
        if ds is None:
            return pd.DataFrame(
                columns=["partner", "exports_usd", "imports_usd", "total_usd"]
            ), None
        yr = self.sql(
            f'SELECT max(year) AS y FROM "{ds}" WHERE exporter = ? OR importer = ?', [iso3, iso3]
        )
        if yr.empty or pd.isna(yr["y"].iloc[0]):
            return pd.DataFrame(
                columns=["partner", "exports_usd", "imports_usd", "total_usd"]
            ), None
        year = int(yr["y"].iloc[0])
        has_total = not self.sql(
            f"SELECT 1 FROM \"{ds}\" WHERE year = ? AND product = 'TOTAL' LIMIT 1", [year]
        ).empty
        prod = "product = 'TOTAL'" if has_total else "product <> 'TOTAL'"
        df = self.sql(
            f"""
            WITH flows AS (
              SELECT importer AS partner, value_usd AS x, 0.0 AS m FROM "{ds}"
               WHERE exporter = ? AND year = ? AND {prod}
              UNION ALL
              SELECT exporter AS partner, 0.0 AS x, value_usd AS m FROM "{ds}"
               WHERE importer = ? AND year = ? AND {prod})
            SELECT partner, sum(x) AS exports_usd, sum(m) AS imports_usd,
                   sum(x) + sum(m) AS total_usd
              FROM flows WHERE partner <> ? GROUP BY partner
             ORDER BY total_usd DESC LIMIT ?
            """,
            [iso3, year, iso3, year, iso3, top],
        )
        return df, year

    def latest_trade_year(self, dataset: str, iso3: str) -> int | None:
        """The last year in which ``iso3`` exports or imports in ``dataset`` (None: never)."""
        if not self.has(dataset):
            return None
        yr = self.sql(
            f'SELECT max(year) AS y FROM "{dataset}" WHERE exporter = ? OR importer = ?',
            [iso3, iso3],
        )
        if yr.empty or pd.isna(yr["y"].iloc[0]):
            return None
        return int(yr["y"].iloc[0])

    def regional_all(self) -> pd.DataFrame:
        """Every row of the ``regional`` dataset (empty without it)."""
        if not self.has("regional"):
            return pd.DataFrame()
        return self.sql("SELECT * FROM regional")

    def regional(self, region_ids: Sequence[str]) -> pd.DataFrame:
        """``region_id, year, indicator, value, unit, source`` of the given regions."""
        cols = ["region_id", "year", "indicator", "value", "unit", "source"]
        if not self.has("regional") or not region_ids:
            return pd.DataFrame(columns=cols)
        ph = ",".join("?" * len(region_ids))
        return self.sql(
            f"SELECT {', '.join(cols)} FROM regional WHERE region_id IN ({ph}) "
            "AND value IS NOT NULL ORDER BY indicator, region_id, year",
            list(region_ids),
        )

    def air(self, city_names: Sequence[str]) -> pd.DataFrame:
        """Air connectivity rows of the named cities (case-insensitive)."""
        if not self.has("air_connectivity") or not city_names:
            return pd.DataFrame()
        ph = ",".join("?" * len(city_names))
        return self.sql(
            f"SELECT * FROM air_connectivity WHERE lower(city) IN ({ph})",
            [c.lower() for c in city_names],
        )
