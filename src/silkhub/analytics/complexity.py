"""Economic complexity over a trade dataset of the store: ECI, PCI and "what next".

The export matrix (exporter × product, summed over importers, at HS ``level``) comes from DuckDB;
:func:`silkhub.core.complexity.complexity` does the maths with ``ecomplexity``'s conventions.
Results are cached per (dataset, catalog version, year, level, threshold) in-process.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.datasets import country_code
from silkhub.analytics.partners import export_matrix_long
from silkhub.core.complexity import ComplexityResult, complexity, matrix_from_long
from silkhub.errors import UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

_CACHE: OrderedDict[tuple[object, ...], ComplexityResult] = OrderedDict()
_CACHE_SIZE = 8

NEXT_ORDER = ("cog", "density", "pci")


def compute(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    year: int,
    level: int | None = None,
    threshold: float = 1.0,
    version: object = None,
) -> ComplexityResult:
    """All complexity measures for a dataset-year (``version`` keys the cache; None: no cache)."""
    if not 0 < threshold < 100:
        raise ValidationError("RCA threshold must be between 0 and 100", field="threshold")
    key = (dataset, version, year, level, threshold)
    if version is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    long = export_matrix_long(con, dataset, year, level)
    x, countries, products = matrix_from_long(long)
    if len(countries) < 3 or len(products) < 2:
        raise ValidationError(
            f"{dataset!r} {year} has {len(countries)} exporters × {len(products)} products; "
            "complexity needs at least 3 × 2",
            field="dataset",
        )
    res = complexity(x, countries, products, threshold=threshold, with_proximity=False)
    if version is not None:
        _CACHE[key] = res
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    logger.info("complexity %s %s: %d × %d", dataset, year, len(res.countries), len(res.products))
    return res


def eci_table(res: ComplexityResult, top: int | None = None) -> pd.DataFrame:
    """Countries ranked by ECI: ``rank, iso3, eci, diversity, coi``."""
    df = pd.DataFrame(
        {"iso3": res.countries, "eci": res.eci, "diversity": res.diversity, "coi": res.coi}
    ).sort_values(["eci", "iso3"], ascending=[False, True])
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df = df.reset_index(drop=True)
    return df.head(top) if top else df


def pci_table(res: ComplexityResult, top: int | None = None) -> pd.DataFrame:
    """Products ranked by PCI: ``rank, product, pci, ubiquity``."""
    df = pd.DataFrame(
        {"product": res.products, "pci": res.pci, "ubiquity": res.ubiquity}
    ).sort_values(["pci", "product"], ascending=[False, True])
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df = df.reset_index(drop=True)
    return df.head(top) if top else df


def what_next(
    res: ComplexityResult,
    session: Session | None,
    country: str,
    *,
    by: str = "cog",
    top: int | None = 20,
    min_density: float = 0.0,
) -> pd.DataFrame:
    """Products a country does not yet export with RCA ≥ threshold, best opportunities first.

    Columns: ``rank, product, pci, density, cog, rca, exports_usd``. ``by`` orders them:
    ``cog`` (complexity outlook gain: how much the product opens the way to other complex
    products), ``density`` (how close it is to present capabilities) or ``pci``.
    """
    if by not in NEXT_ORDER:
        raise UnknownChoiceError("order", by, NEXT_ORDER, field="by")
    code = country_code(session, country) if session is not None else country.upper()
    if code not in res.countries:
        raise ValidationError(
            f"{code} has no exports in this dataset-year (or was dropped: zero total)",
            field="country",
        )
    if res.density is None or res.cog is None:
        raise ValidationError("product space not computed", field="dataset")
    i = res.countries.index(code)
    absent = res.mcp[i] == 0
    values = res.values
    df = pd.DataFrame(
        {
            "product": np.asarray(res.products)[absent],
            "pci": res.pci[absent],
            "density": res.density[i][absent],
            "cog": res.cog[i][absent],
            "rca": res.rca[i][absent],
            "exports_usd": values[i][absent] if values is not None else np.nan,
        }
    )
    df = df[df["density"] >= min_density]
    df = df.sort_values([by, "product"], ascending=[False, True])
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df = df.reset_index(drop=True)
    return df.head(top) if top else df


def country_profile(res: ComplexityResult, code: str) -> dict[str, object]:
    """ECI, rank, diversity and COI of one country."""
    if code not in res.countries:
        raise ValidationError(f"{code} is not in this dataset-year", field="country")
    i = res.countries.index(code)
    order = np.argsort(-res.eci, kind="stable")
    rank = int(np.where(order == i)[0][0]) + 1
    return {
        "iso3": code,
        "eci": float(res.eci[i]),
        "eci_rank": rank,
        "countries": len(res.countries),
        "diversity": int(res.diversity[i]),
        "coi": None if res.coi is None else float(res.coi[i]),
    }
