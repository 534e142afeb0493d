"""Openness indicators of a country or region (pure functions, no I/O).

Ratios return NaN when the denominator is 0 or missing (undefined), never 0; callers attach the
reason. ``*_pct`` results are percentages, other ratios are fractions. Functions accept scalars,
NumPy arrays or pandas Series (element-wise).

Definitions follow the World Bank WDI metadata (``NE.TRD.GNFS.ZS`` trade % of GDP,
``BX.KLT.DINV.WD.GD.ZS`` FDI net inflows % of GDP, ``GB.XPD.RSDV.GD.ZS`` R&D % of GDP,
``TX.VAL.TECH.MF.ZS`` high-technology share of manufactured exports) and seed 002
("dependence on foreign trade" = (X + M) / GDP).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from silkhub.core.trade import ArrayLike, safe_div


def trade_dependence(exports: ArrayLike, imports: ArrayLike, gdp: ArrayLike) -> ArrayLike:
    """Trade dependence (openness) ``(X + M) / GDP`` as a fraction (same currency and year)."""
    x = np.asarray(exports, dtype=np.float64) + np.asarray(imports, dtype=np.float64)
    out = safe_div(x, gdp)
    return _like(out, exports)


def export_dependence(exports: ArrayLike, gdp: ArrayLike) -> ArrayLike:
    """Export dependence ``X / GDP`` (fraction)."""
    return safe_div(exports, gdp)


def import_dependence(imports: ArrayLike, gdp: ArrayLike) -> ArrayLike:
    """Import dependence ``M / GDP`` (fraction)."""
    return safe_div(imports, gdp)


def fdi_to_gdp(fdi_inflow: ArrayLike, gdp: ArrayLike) -> ArrayLike:
    """FDI net inflows over GDP ``FDI / GDP`` (fraction; negative when disinvestment)."""
    return safe_div(fdi_inflow, gdp)


def rd_intensity(rd_expenditure: ArrayLike, gdp: ArrayLike) -> ArrayLike:
    """R&D intensity ``gross domestic expenditure on R&D / GDP`` (fraction)."""
    return safe_div(rd_expenditure, gdp)


def high_tech_share(high_tech_exports: ArrayLike, exports: ArrayLike) -> ArrayLike:
    """High-technology export share ``HT / X`` (fraction).

    ``X`` is the base of the source: WDI's ``TX.VAL.TECH.MF.ZS`` divides by *manufactured*
    exports; seed 002 divides high-tech imports + exports by total foreign trade.
    """
    return safe_div(high_tech_exports, exports)


def yoy_growth(series: pd.Series) -> pd.Series:
    """Year-on-year growth ``v_t / v_{t-1} - 1`` (fraction) of a Series indexed by year.

    Only consecutive years are compared: after a gap (or a zero/NaN previous value) the growth
    is NaN, not computed over two years.
    """
    s = series.sort_index().astype("float64")
    years = pd.Index(s.index.astype(int))
    prev = s.reindex(years - 1).to_numpy()
    out = safe_div(s.to_numpy(), prev)
    return pd.Series(np.asarray(out) - 1.0, index=s.index, name="yoy")


def cagr(start_value: ArrayLike, end_value: ArrayLike, years: ArrayLike) -> ArrayLike:
    """Compound annual growth rate ``(V_end / V_start)^(1 / n) - 1`` over ``n`` years.

    NaN when ``n <= 0``, a value is missing, or the start value is not positive (or the ratio
    is negative: growth through a sign change has no CAGR).
    """
    ratio = np.asarray(safe_div(end_value, start_value), dtype=np.float64)
    n = np.asarray(years, dtype=np.float64)
    start = np.asarray(start_value, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (n > 0) & (start > 0) & (ratio >= 0)
        root = np.power(np.where(ok, ratio, 1.0), 1.0 / np.where(n > 0, n, 1.0))
    out = np.where(ok, root, np.nan) - 1.0
    return float(out) if np.ndim(out) == 0 else out


def cagr_between(series: pd.Series, start: int, end: int) -> float:
    """CAGR of a year-indexed Series from ``start`` to ``end`` (``end - start`` years)."""
    s = series.astype("float64")
    v0 = s.get(start, np.nan)
    v1 = s.get(end, np.nan)
    return float(cagr(v0, v1, end - start))


def group_share(values: pd.Series, members: Iterable[str], world_total: float | None = None):
    """Share of a country group in a world total ``sum_{i in G} v_i / W``.

    Parameters
    ----------
    values : Series indexed by ISO3 (countries only; no aggregates such as WLD).
    members : ISO3 codes of the group.
    world_total : the world value ``W`` (e.g. WDI's ``WLD`` row); default ``sum_i v_i`` over
        ``values``.

    Returns
    -------
    (share, group_total, world_total, missing) where ``missing`` lists members without a value
    (they are left out of the numerator, so the share is a lower bound; never silently zero).
    """
    v = values.astype("float64")
    mem = sorted(set(members))
    present = [m for m in mem if m in v.index and not np.isnan(v[m])]
    missing = [m for m in mem if m not in present]
    group_total = float(v[present].sum()) if present else float("nan")
    w = float(v.sum()) if world_total is None else float(world_total)
    return float(safe_div(group_total, w)), group_total, w, missing


def _like(out: ArrayLike, template: ArrayLike) -> ArrayLike:
    if isinstance(template, pd.Series) and not isinstance(out, pd.Series):
        return pd.Series(out, index=template.index)
    return out
