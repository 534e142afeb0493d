"""Demo datasets for a first run without ``../shared/data`` (``silkhub data demo``).

Small real subsets ship in ``silkhub/data/demo_data/`` (sources and licences in its
``SOURCES.md``). :func:`load` publishes each one into the analytics store unless that dataset
already exists (a real import always wins); running it again changes nothing.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from silkhub.data.importers.base import sha256_file
from silkhub.data.store import AnalyticsStore, NewVersion

logger = logging.getLogger(__name__)

VERSION = "1.0"

#: dataset -> (file, title, source URL, licence)
DEMO_DATASETS: dict[str, tuple[str, str, str, str]] = {
    "wdi": (
        "wdi.csv",
        "Demo: WDI, China + 23 B&R partners (GDP, population 2010–2019; 18 series 2010–2012)",
        "https://github.com/datasets/gdp",
        "ODC-PDDL-1.0 (datasets.io); WDI CC BY 4.0",
    ),
    "china_br65_trade": (
        "china_br65_trade.csv",
        "Demo: China's trade with the 64 along-route countries, 2013–2019",
        "https://github.com/HuangHeng179/beltandroad",
        "BSD-3-Clause (HuangHeng179/beltandroad)",
    ),
    "air_connectivity": (
        "air_connectivity.csv",
        "Demo: direct air connectivity of Chinese cities (derived from OpenFlights)",
        "https://openflights.org/data.php",
        "ODbL 1.0 (derived from OpenFlights.org)",
    ),
}

_TYPES: dict[str, dict[str, Any]] = {
    "wdi": {"iso3": str, "indicator": str, "year": "int32", "value": "float64"},
    "china_br65_trade": {
        "year": "int32",
        "exporter": str,
        "importer": str,
        "product": str,
        "value_usd": "float64",
    },
    "air_connectivity": {
        "city": str,
        "iso3": str,
        "iata": str,
        "lat": "float64",
        "lon": "float64",
        "routes": "int32",
        "intl_routes": "int32",
        "intl_destinations": "int32",
        "countries_reached": "int32",
        "routes_to_bri": "int32",
        "bri_countries_reached": "int32",
    },
}


def _demo_path(file: str) -> Path:
    return Path(str(resources.files("silkhub.data").joinpath("demo_data", file)))


def read_demo(name: str) -> pd.DataFrame:
    """A demo dataset as a typed DataFrame with the canonical columns."""
    file = DEMO_DATASETS[name][0]
    frame = pd.read_csv(_demo_path(file), dtype=_TYPES[name], keep_default_na=False, na_values=[""])
    if name == "china_br65_trade":
        frame["quantity"] = np.nan
    return frame


def load_into(store: AnalyticsStore) -> list[str]:
    """Publish every demo dataset that the store does not have yet; names loaded."""
    loaded = []
    for name, (file, title, url, licence) in DEMO_DATASETS.items():
        if store.has(name):
            continue
        meta = NewVersion(
            source="demo",
            sha256=sha256_file(_demo_path(file)),
            importer=__name__,
            importer_version=VERSION,
            title=title,
            source_url=url,
            source_version="silkhub demo subset",
            licence=licence,
            command="silkhub data demo",
            files=[file],
            notes=["demo subset shipped with silkhub; see silkhub/data/demo_data/SOURCES.md"],
        )
        store.publish_frame(name, read_demo(name), meta)
        loaded.append(name)
    return loaded


def load(runtime: Any) -> str | None:
    """Demo loader for ``silkhub serve`` / ``silkhub data demo``: one-line summary or None."""
    store = AnalyticsStore(runtime.settings.analytics_dir)
    loaded = load_into(store)
    if not loaded:
        return None
    return "demo datasets loaded: " + ", ".join(loaded)
