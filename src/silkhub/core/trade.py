"""Specialisation, fit and partner measures of trade flows (pure functions, no I/O).

Every function trusts its inputs (non-negative US$ values, already aggregated to the product
level asked for) and returns NaN where a measure is undefined (a zero denominator), never 0.
Shares are fractions (0–1) unless the name ends in ``_pct``.

References: Balassa (1965) *Manchester School* 33(2); Laursen (2015) *Eurasian Business Review*
5(1) (symmetric RCA); Michaely (1996) / WITS "Trade complementarity index"; Finger & Kreinin
(1979) *Economic Journal* 89 (export similarity); Brown (1949) / Kojima (1964) (trade intensity);
WITS "Online trade outcomes indicators" user manual (2010) for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

ArrayLike = float | np.ndarray | pd.Series


def safe_div(num: ArrayLike, den: ArrayLike) -> ArrayLike:
    """``num / den`` with NaN where ``den`` is 0 or NaN (never an error, never 0)."""
    n = np.asarray(num, dtype=np.float64)
    d = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((d == 0) | np.isnan(d), np.nan, n / np.where(d == 0, 1.0, d))
    if isinstance(num, pd.Series):
        return pd.Series(out, index=num.index, name=num.name)
    if isinstance(den, pd.Series):
        return pd.Series(out, index=den.index)
    return float(out) if out.ndim == 0 else out


def shares(values: pd.Series) -> pd.Series:
    """Shares ``v_i / sum_j v_j`` (NaN values count as absent; all-zero -> NaN)."""
    v = values.astype("float64")
    return safe_div(v, v.sum(skipna=True))  # type: ignore[return-value]


def balassa_rca(
    exports: pd.DataFrame,
    country: str = "exporter",
    product: str = "product",
    value: str = "value_usd",
) -> pd.DataFrame:
    """Balassa revealed comparative advantage for long (country, product, value) rows.

    ``RCA_cp = (X_cp / X_c) / (X_p / X_w)`` where ``X_c = sum_p X_cp`` (country total),
    ``X_p = sum_c X_cp`` (world exports of p) and ``X_w = sum_cp X_cp``. RCA > 1: the country
    exports relatively more of p than the world does. Missing values count as 0 exports.

    Returns the input rows (summed per country and product) with ``value``, ``share`` (X_cp/X_c),
    ``world_share`` (X_p/X_w), ``rca`` and ``rca_sym`` (symmetric RCA).
    """
    df = exports[[country, product, value]].copy()
    df[value] = pd.to_numeric(df[value], errors="coerce").fillna(0.0)
    df = df.groupby([country, product], as_index=False, sort=True)[value].sum()
    total = df[value].sum()
    xc = df.groupby(country)[value].transform("sum")
    xp = df.groupby(product)[value].transform("sum")
    df["share"] = safe_div(df[value], xc)
    df["world_share"] = safe_div(xp, total)
    df["rca"] = rca_from_totals(df[value], xc, xp, total)
    df["rca_sym"] = symmetric_rca(df["rca"])
    return df


def rca_from_totals(x_cp: ArrayLike, x_c: ArrayLike, x_p: ArrayLike, x_w: ArrayLike) -> ArrayLike:
    """Balassa RCA from pre-computed totals: ``(x_cp / x_c) / (x_p / x_w)``.

    For callers that aggregate elsewhere (DuckDB window sums over a BACI year): ``x_c`` is the
    country's total exports, ``x_p`` world exports of the product, ``x_w`` world exports.
    NaN where a total is zero.
    """
    return safe_div(safe_div(x_cp, x_c), safe_div(x_p, x_w))


def symmetric_rca(rca: ArrayLike) -> ArrayLike:
    """Symmetric RCA ``(RCA - 1) / (RCA + 1)``, in [-1, 1); 0 is the neutral point."""
    r = np.asarray(rca, dtype=np.float64)
    out = (r - 1.0) / (r + 1.0)
    if isinstance(rca, pd.Series):
        return pd.Series(out, index=rca.index, name="rca_sym")
    return float(out) if out.ndim == 0 else out


def trade_complementarity(exports_i: pd.Series, imports_j: pd.Series) -> float:
    """Trade complementarity index (Michaely) of exporter i's supply with importer j's demand.

    ``TCI_ij = 100 * (1 - sum_k |m_jk - x_ik| / 2)`` with ``x_ik`` the share of product k in
    i's exports and ``m_jk`` its share in j's imports (both Series indexed by product; a product
    absent from one side has share 0). 0 = no overlap, 100 = identical profiles.
    """
    x = shares(exports_i)
    m = shares(imports_j)
    if x.isna().all() or m.isna().all():
        return float("nan")
    x, m = x.align(m, fill_value=0.0)
    return float(100.0 * (1.0 - (m - x).abs().sum() / 2.0))


def export_similarity(exports_a: pd.Series, exports_b: pd.Series) -> float:
    """Export similarity index (Finger–Kreinin): ``ESI = 100 * sum_k min(x_ak, x_bk)``.

    ``x_ak`` is the share of product k in a's exports (to the world or to one market);
    0 = no common products, 100 = identical export structure.
    """
    a = shares(exports_a)
    b = shares(exports_b)
    if a.isna().all() or b.isna().all():
        return float("nan")
    a, b = a.align(b, fill_value=0.0)
    return float(100.0 * np.minimum(a, b).sum())


def hhi(values: Iterable[float] | pd.Series, normalised: bool = False) -> float:
    """Herfindahl–Hirschman concentration ``HHI = sum_i s_i^2`` of shares ``s_i`` (0–1).

    ``normalised=True`` gives ``(HHI - 1/N) / (1 - 1/N)`` (0 = equal shares, 1 = one item),
    NaN when N = 1. Zero and missing values are ignored; an empty or all-zero input gives NaN.
    """
    v = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype="float64")
    v = v[v.notna() & (v > 0)]
    if v.empty:
        return float("nan")
    s = v / v.sum()
    h = float((s**2).sum())
    if not normalised:
        return h
    n = len(s)
    return float("nan") if n == 1 else (h - 1.0 / n) / (1.0 - 1.0 / n)


def trade_intensity(
    x_ij: ArrayLike, x_i: ArrayLike, m_j: ArrayLike, m_w: ArrayLike, x_wi: ArrayLike = 0.0
) -> ArrayLike:
    """Trade intensity index ``TII_ij = (x_ij / X_i) / (M_j / (M_w - M_i))``.

    ``x_ij``: i's exports to j; ``X_i``: i's total exports; ``M_j``: j's total imports;
    ``M_w``: world imports; ``x_wi`` (optional): i's own imports, removed from the world total
    as WITS does (pass 0 for the plain Kojima form ``(x_ij/X_i)/(M_j/M_w)``). TII > 1: i exports
    more to j than j's weight in world imports suggests.
    """
    mw = np.asarray(m_w, dtype=np.float64) - np.asarray(x_wi, dtype=np.float64)
    return safe_div(safe_div(x_ij, x_i), safe_div(m_j, mw))


#: columns of :func:`rank_partners`' output
RANK_COLUMNS = [
    "rank",
    "partner",
    "exports_usd",
    "imports_usd",
    "total_usd",
    "balance_usd",
    "share_pct",
    "share_of_selection_pct",
    "growth_pct",
    "growth_note",
]


def rank_partners(
    current: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    flow: str = "total",
    reporter_total: dict[str, float] | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Rank a reporter's partners by exports, imports or total trade (seed 002, Table 1).

    Parameters
    ----------
    current : rows ``partner, exports_usd, imports_usd`` for the year (reporter's exports to and
        imports from each partner; the selection, e.g. one country group).
    previous : the same for the previous year (for growth); partners absent there get NaN growth
        with a ``growth_note``.
    flow : ``exports``, ``imports`` or ``total`` (exports + imports) — the ranking value.
    reporter_total : ``{"exports": X, "imports": M, "total": X+M}`` of the reporter with all
        partners (the share basis); default: the sum of ``current``.
    top : keep the first ``top`` rows.

    Returns
    -------
    DataFrame with :data:`RANK_COLUMNS`: ``total_usd = exports + imports``,
    ``balance_usd = exports - imports`` (reporter's surplus with the partner),
    ``share_pct = 100 * value / reporter_total[flow]``,
    ``share_of_selection_pct = 100 * value / sum(value over the selection)``,
    ``growth_pct = 100 * (value_t / value_{t-1} - 1)`` of the ranked flow.
    Ties are ranked by partner code (stable).
    """
    key = {"exports": "exports_usd", "imports": "imports_usd", "total": "total_usd"}[flow]
    df = current[["partner", "exports_usd", "imports_usd"]].copy()
    df[["exports_usd", "imports_usd"]] = df[["exports_usd", "imports_usd"]].astype("float64")
    df["total_usd"] = df["exports_usd"].fillna(0) + df["imports_usd"].fillna(0)
    df.loc[df["exports_usd"].isna() & df["imports_usd"].isna(), "total_usd"] = np.nan
    df["balance_usd"] = df["exports_usd"] - df["imports_usd"]
    basis = (reporter_total or {}).get(flow)
    if basis is None:
        basis = float(df[key].sum())
    df["share_pct"] = 100.0 * safe_div(df[key], basis)
    df["share_of_selection_pct"] = 100.0 * safe_div(df[key], df[key].sum())
    if previous is not None and not previous.empty:
        p = previous[["partner", "exports_usd", "imports_usd"]].copy()
        p["total_usd"] = p["exports_usd"].fillna(0) + p["imports_usd"].fillna(0)
        prev = df[["partner"]].merge(p[["partner", key]], on="partner", how="left")[key]
        prev = prev.to_numpy(dtype=np.float64)
        df["growth_pct"] = 100.0 * (safe_div(df[key].to_numpy(), prev) - 1.0)
        df["growth_note"] = np.where(
            np.isnan(prev),
            "no data for the previous year",
            np.where(prev == 0, "previous year value is 0", ""),
        )
    else:
        df["growth_pct"] = np.nan
        df["growth_note"] = "no data for the previous year"
    df = df.sort_values([key, "partner"], ascending=[False, True], na_position="last")
    df["rank"] = np.arange(1, len(df) + 1)
    df = df.reset_index(drop=True)[RANK_COLUMNS]
    return df.head(top) if top else df
