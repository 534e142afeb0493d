"""Economic complexity over a trade dataset of the store: ECI, PCI and "what next".

The export matrix (exporter × product, summed over importers, at HS ``level``) is aggregated in
DuckDB; :func:`silkhub.core.complexity.complexity` does the maths with ``ecomplexity``'s
conventions.

Two entry points:

* :func:`cached` (pages and the API): computed **once per dataset version**, with bounds, and
  kept on disk in the version's derived folder (:meth:`AnalyticsStore.derived_dir`), so every
  API worker sharing the store reuses it; arrays are memory-mapped back (a page reads one row).
  A file lock makes concurrent first views wait for one computation instead of running N.
* :func:`compute`: ad hoc, on any connection, cached in-process per ``version`` key.

Bounds (issue 19, defect 6): one year; at most :data:`MAX_PRODUCTS` products and
:data:`MAX_COUNTRIES` exporters (HS6 has about 5,400 codes, BACI about 230 exporters); beyond
that :func:`cached` falls back to HS4 then HS2 when ``auto_level`` (pages), else refuses with a
422 naming the limit. The matrix is built from integer codes numbered in DuckDB (no pandas frame
of strings), under the connection's memory limit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.datasets import (
    AGGREGATES,
    EXPORT_COLUMNS,
    TOTAL,
    check_year,
    country_code,
    quote,
    require_dataset,
)
from silkhub.analytics.partners import _product_expr, export_matrix_long
from silkhub.core.complexity import ComplexityResult, complexity, matrix_from_long
from silkhub.data.store import AnalyticsStore
from silkhub.errors import DataMissingError, UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

_CACHE: OrderedDict[tuple[object, ...], ComplexityResult] = OrderedDict()
_CACHE_SIZE = 8
_CACHE_GUARD = threading.Lock()

NEXT_ORDER = ("cog", "density", "pci")

#: bounds of one computation (see the module docstring)
MAX_PRODUCTS = 6_000
MAX_COUNTRIES = 300
#: how long a first view waits for another worker computing the same result
LOCK_WAIT_SECONDS = 120.0
CACHE_FORMAT = 1
_ARRAYS = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog", "values")


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
        raise ValidationError(
            key="complexity.threshold_range", params={"threshold": threshold}, field="threshold"
        )
    key = (dataset, version, year, level, threshold)
    if version is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    long = export_matrix_long(con, dataset, year, level)
    x, countries, products = matrix_from_long(long)
    res = _complexity(x, countries, products, dataset, year, threshold)
    if version is not None:
        _CACHE[key] = res
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    logger.info("complexity %s %s: %d × %d", dataset, year, len(res.countries), len(res.products))
    return res


# -- once per dataset version, bounded, on disk ---------------------------------------------
def cached(
    store: AnalyticsStore | Path,
    dataset: str,
    year: int,
    *,
    level: int | None = None,
    threshold: float = 1.0,
    con: duckdb.DuckDBPyConnection | None = None,
    auto_level: bool = False,
) -> ComplexityResult:
    """All complexity measures of ``dataset``'s current version for ``year``, computed once.

    The first call for a (version, year, level, threshold) computes and writes the result to
    ``derived/<dataset>/v<N>-<sha>/complexity-…/``; later calls, in any process, memory-map
    it. Errors (too few exporters …) are cached too. ``auto_level`` coarsens the product
    level instead of refusing a matrix over the bounds. ``con``: a connection with the store's
    views (one is opened otherwise).
    """
    if not 0 < threshold < 100:
        raise ValidationError(
            key="complexity.threshold_range", params={"threshold": threshold}, field="threshold"
        )
    store = store if isinstance(store, AnalyticsStore) else AnalyticsStore(Path(store))
    entry = store.entry(dataset)
    folder = store.derived_dir(entry) / (
        f"complexity-y{int(year)}-l{level or 0}-t{threshold:g}" + ("-auto" if auto_level else "")
    )
    key = ("disk", str(folder))
    with _CACHE_GUARD:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    res = _load(folder)
    if res is None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(folder.with_name(folder.name + ".lock")):
            res = _load(folder)  # another worker may have finished it while we waited
            if res is None:
                own = con is None
                c = con if con is not None else store.connect()
                try:
                    res = _compute_and_save(c, folder, dataset, year, level, threshold, auto_level)
                finally:
                    if own:
                        c.close()
    with _CACHE_GUARD:
        _CACHE[key] = res
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return res


@contextlib.contextmanager
def _file_lock(path: Path):
    with open(path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - non-POSIX
            yield
            return
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ValidationError(key="complexity.busy", field="dataset") from None
                time.sleep(0.05)
        yield


def _load(folder: Path) -> ComplexityResult | None:
    meta_file = folder / "meta.json"
    if not meta_file.exists():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != CACHE_FORMAT:
        return None
    if "error" in meta:
        err = meta["error"]
        raise ValidationError(
            err["message"],
            key=err.get("key"),
            params=err.get("params") or {},
            field=err.get("field") or "dataset",
        )
    arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in _ARRAYS}
    return ComplexityResult(
        countries=list(meta["countries"]),
        products=list(meta["products"]),
        proximity=None,
        dropped_countries=list(meta["dropped_countries"]),
        dropped_products=list(meta["dropped_products"]),
        **arrays,
    )


def _complexity(
    x: np.ndarray,
    countries: list[str],
    products: list[str],
    dataset: str,
    year: int,
    threshold: float,
) -> ComplexityResult:
    """The measures of one exporter × product matrix; too few rows or columns is an error."""
    if len(countries) < 3 or len(products) < 2:
        raise ValidationError(
            key="complexity.too_small",
            params={
                "dataset": dataset,
                "year": year,
                "countries": len(countries),
                "products": len(products),
            },
            field="dataset",
        )
    return complexity(x, countries, products, threshold=threshold, with_proximity=False)


def _save(folder: Path, meta: dict[str, object], res: ComplexityResult | None) -> None:
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        if res is not None:
            for n in _ARRAYS:
                np.save(tmp / f"{n}.npy", np.ascontiguousarray(getattr(res, n)))
            meta |= {
                "countries": res.countries,
                "products": res.products,
                "dropped_countries": res.dropped_countries,
                "dropped_products": res.dropped_products,
            }
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _compute_and_save(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    dataset: str,
    year: int,
    level: int | None,
    threshold: float,
    auto_level: bool,
) -> ComplexityResult:
    t0 = time.perf_counter()
    meta: dict[str, object] = {"format": CACHE_FORMAT, "dataset": dataset, "year": year}
    try:
        x, countries, products, used = bounded_matrix(con, dataset, year, level, auto_level)
        res = _complexity(x, countries, products, dataset, year, threshold)
    except DataMissingError:
        raise  # not imported: nothing to remember for this version
    except ValidationError as exc:
        error = {"message": exc.message, "key": exc.key, "params": exc.params, "field": exc.field}
        _save(folder, meta | {"error": error}, None)
        raise
    meta |= {"level": used, "seconds": round(time.perf_counter() - t0, 3)}
    _save(folder, meta, res)
    logger.info(
        "complexity %s %s (HS%s) computed in %.1fs: %d × %d, cached in %s",
        dataset, year, used or "-", meta["seconds"], len(countries), len(products), folder,
    )  # fmt: skip
    return _load(folder) or res


def bounded_matrix(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    year: int,
    level: int | None = None,
    auto_level: bool = False,
) -> tuple[np.ndarray, list[str], list[str], int | None]:
    """The exporter × product matrix of one year, within :data:`MAX_COUNTRIES` ×
    :data:`MAX_PRODUCTS` (coarser HS levels when ``auto_level``); and the level used.

    DuckDB aggregates and numbers exporters and products; only the (≤ C × P) non-zero cells and
    the labels come to Python, as NumPy arrays.
    """
    require_dataset(con, dataset, EXPORT_COLUMNS)
    check_year(con, dataset, year)
    levels: list[int | None] = [level]
    if auto_level:
        levels += [lv for lv in (4, 2) if level is None or lv < level]
    for i, lv in enumerate(levels):
        expr = _product_expr(con, dataset, year, lv)
        name = f"_cx_{uuid.uuid4().hex[:8]}"
        con.execute(
            f"""CREATE TEMP TABLE {name} AS
                SELECT exporter, {expr} AS product, sum(coalesce(value_usd, 0)) AS v
                FROM {quote(dataset)}
                WHERE year = ? AND product <> '{TOTAL}' AND exporter NOT IN {AGGREGATES!r}
                GROUP BY ALL""",
            [year],
        )
        try:
            n_c, n_p = con.execute(
                f"SELECT count(DISTINCT exporter), count(DISTINCT product) FROM {name}"
            ).fetchall()[0]
            if n_c > MAX_COUNTRIES or n_p > MAX_PRODUCTS:
                if i + 1 < len(levels):
                    logger.warning(
                        "complexity %s %s: %d products at HS%s > %d, trying HS%s",
                        dataset, year, n_p, lv or "-", MAX_PRODUCTS, levels[i + 1],
                    )  # fmt: skip
                    continue
                raise ValidationError(
                    key="complexity.too_large",
                    params={
                        "dataset": dataset,
                        "year": year,
                        "countries": f"{n_c:,}",
                        "products": f"{n_p:,}",
                        "max_countries": f"{MAX_COUNTRIES:,}",
                        "max_products": f"{MAX_PRODUCTS:,}",
                    },
                    field="level",
                )
            cl = [
                str(r[0])
                for r in con.execute(f"SELECT DISTINCT exporter FROM {name} ORDER BY 1").fetchall()
            ]
            pl = [str(r[0]) for r in con.execute(
                f"SELECT DISTINCT product FROM {name} ORDER BY 1").fetchall()]  # fmt: skip
            cells = con.execute(
                f"""WITH c AS (SELECT exporter, row_number() OVER (ORDER BY exporter) - 1 AS i
                                 FROM (SELECT DISTINCT exporter FROM {name})),
                         p AS (SELECT product, row_number() OVER (ORDER BY product) - 1 AS j
                                 FROM (SELECT DISTINCT product FROM {name}))
                    SELECT c.i, p.j, t.v FROM {name} t JOIN c USING (exporter)
                    JOIN p USING (product)"""
            ).fetchnumpy()
        finally:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        x = np.zeros((len(cl), len(pl)), dtype=np.float64)
        x[np.asarray(cells["i"], dtype=np.int64), np.asarray(cells["j"], dtype=np.int64)] = (
            np.nan_to_num(np.asarray(cells["v"], dtype=np.float64), nan=0.0)
        )
        return x, cl, pl, lv
    raise AssertionError("unreachable")  # pragma: no cover


def clear_memory_cache() -> None:
    """Forget the in-process results (tests)."""
    with _CACHE_GUARD:
        _CACHE.clear()


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
        raise ValidationError(key="complexity.no_exports", params={"iso3": code}, field="country")
    if res.density is None or res.cog is None:
        raise ValidationError(key="complexity.no_product_space", field="dataset")
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
        raise ValidationError(
            key="complexity.not_in_dataset", params={"iso3": code}, field="country"
        )
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
