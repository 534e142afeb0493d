"""Partner rankings and specialisation / fit measures over the trade datasets of the store.

DuckDB does the heavy aggregation (one pass over a year of a BACI-sized table); the formulas
live in :mod:`silkhub.core.trade`. Inputs follow the store contract: bilateral datasets have
``year, exporter, importer, product, value_usd`` (``product = 'TOTAL'`` for all-goods totals),
export-only datasets ``year, exporter, product, value_usd``.

Conventions (see docs/decisions.md, "Trade analytics"):

* the reporter's exports are the rows ``exporter = reporter``; its imports the rows
  ``importer = reporter`` (one record per flow);
* a partner present in one direction only has 0 in the other (bilateral datasets such as BACI
  list positive flows only); a partner with no row at all is *absent* and named in ``notes``;
* all-goods figures use the ``TOTAL`` rows when the year has them, else the sum over products;
  product-level measures never mix in ``TOTAL`` rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from silkhub.analytics.datasets import (
    AGGREGATES,
    BILATERAL_COLUMNS,
    COMPLEMENTARITY_PREFERENCE,
    EXPORT_COLUMNS,
    TOTAL,
    check_level,
    check_year,
    country_code,
    group_members,
    pick_dataset,
    quote,
    require_dataset,
    view_names,
    year_range,
)
from silkhub.core import trade
from silkhub.data.storage.models.reference import Country
from silkhub.errors import DataMissingError, UnknownChoiceError, ValidationError

logger = logging.getLogger(__name__)

FLOWS = ("total", "exports", "imports")
#: ``all``: the three rankings side by side (:func:`side_by_side`)
FLOWS_ALL = (*FLOWS, "all")


@dataclass
class Ranking:
    """A Table-1-style partner ranking and how it was computed."""

    rows: pd.DataFrame
    reporter: str
    year: int
    flow: str
    dataset: str
    group: str | None
    basis: str
    notes: list[str] = field(default_factory=list)


def _names(session: Session, codes: list[str], lang: str = "en") -> dict[str, str]:
    out: dict[str, str] = {}
    for c in session.query(Country).filter(Country.iso3.in_(codes)).all():
        out[c.iso3] = (c.name_zh or c.name_en) if lang == "zh" else (c.name_en or c.iso3)
    return out


def _has_totals(
    con: duckdb.DuckDBPyConnection,
    ds: str,
    year: int,
    cond: str = "TRUE",
    params: list[object] | None = None,
) -> bool:
    q = f"SELECT count(*) FROM {quote(ds)} WHERE year = ? AND product = ? AND ({cond})"
    return bool(con.execute(q, [year, TOTAL, *(params or [])]).fetchall()[0][0])


def partner_flows(
    con: duckdb.DuckDBPyConnection, dataset: str, reporter: str, years: list[int]
) -> pd.DataFrame:
    """Reporter's exports to and imports from each partner (rows ``year, partner, ...``).

    Uses ``TOTAL`` rows for a year when it has any for the reporter, else sums over products.
    """
    require_dataset(con, dataset, BILATERAL_COLUMNS)
    frames = []
    for y in years:
        cond = "exporter = $r OR importer = $r"
        tot = _has_totals(con, dataset, y, "exporter = ? OR importer = ?", [reporter, reporter])
        pfilter = f"product = '{TOTAL}'" if tot else f"product <> '{TOTAL}'"
        sql = f"""
            SELECT year,
                   CASE WHEN exporter = $r THEN importer ELSE exporter END AS partner,
                   coalesce(sum(CASE WHEN exporter = $r THEN value_usd END), 0) AS exports_usd,
                   coalesce(sum(CASE WHEN importer = $r THEN value_usd END), 0) AS imports_usd
            FROM {quote(dataset)}
            WHERE year = $y AND ({cond}) AND exporter <> importer AND {pfilter}
            GROUP BY ALL
        """
        frames.append(con.execute(sql, {"r": reporter, "y": y}).df())
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return df


def rank_partners(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str,
    reporter: str,
    year: int,
    flow: str = "total",
    group: str | None = None,
    as_of: date | None = None,
    top: int | None = None,
    lang: str = "en",
) -> Ranking:
    """Rank the reporter's partners by exports, imports or total trade, with shares,
    year-on-year growth and the trade balance (seed 002 Table 1; seed 004 trade balance).

    ``group`` restricts partners to the members of a country group as of 31 December of
    ``year`` (or ``as_of``). Shares are of the reporter's trade with the world: the ``WLD``
    partner rows when the dataset has them, else the sum over all partners in the dataset
    (``basis`` says which); ``share_of_selection_pct`` is of the listed selection.
    ``flow="all"`` (:data:`FLOWS_ALL`): the three rankings side by side (:func:`side_by_side`).
    """
    if flow == "all":
        return side_by_side(
            con,
            session,
            dataset=dataset,
            reporter=reporter,
            year=year,
            group=group,
            as_of=as_of,
            top=top,
            lang=lang,
        )
    if flow not in FLOWS:
        raise UnknownChoiceError("flow", flow, FLOWS, field="flow")
    if top is not None and top < 1:
        raise ValidationError(key="analytics.top_min", params={"top": top}, field="top")
    require_dataset(con, dataset, BILATERAL_COLUMNS)
    reporter = country_code(session, reporter)
    check_year(con, dataset, year)
    flows = partner_flows(con, dataset, reporter, [year, year - 1])
    cur = flows[flows["year"] == year]
    prev = flows[flows["year"] == year - 1]
    notes: list[str] = []
    if cur.empty:
        raise ValidationError(
            key="analytics.no_trade",
            params={"dataset": dataset, "who": reporter, "year": year},
            field="reporter",
        )
    world = cur[cur["partner"].isin(AGGREGATES)]
    cur = cur[~cur["partner"].isin(AGGREGATES)]
    prev = prev[~prev["partner"].isin(AGGREGATES)]
    if not world.empty:
        w = world.iloc[0]
        basis_tot = {
            "exports": float(w["exports_usd"]),
            "imports": float(w["imports_usd"]),
            "total": float(w["exports_usd"] + w["imports_usd"]),
        }
        basis = f"share of {reporter}'s trade with the world ({world.iloc[0]['partner']} rows)"
    else:
        basis_tot = {
            "exports": float(cur["exports_usd"].sum()),
            "imports": float(cur["imports_usd"].sum()),
            "total": float(cur["exports_usd"].sum() + cur["imports_usd"].sum()),
        }
        basis = f"share of {reporter}'s trade with all {len(cur)} partners in {dataset!r}"
    if group is not None:
        members = [m for m in group_members(session, group, year, as_of) if m != reporter]
        absent = sorted(set(members) - set(cur["partner"]))
        if absent:
            notes.append(
                f"no {year} trade of {reporter} recorded in {dataset!r} with {len(absent)} "
                f"{group} member(s): {', '.join(absent)} (left out, not counted as 0)"
            )
        cur = cur[cur["partner"].isin(members)]
        prev = prev[prev["partner"].isin(members)]
    if prev.empty:
        notes.append(f"{dataset!r} has no {year - 1} data for {reporter}: growth not available")
    out = trade.rank_partners(cur, prev, flow=flow, reporter_total=basis_tot, top=top)
    names = _names(session, list(out["partner"]), lang)
    out.insert(2, "partner_name", [names.get(p, p) for p in out["partner"]])
    return Ranking(out, reporter, year, flow, dataset, group, basis, notes)


# -- product-level measures --------------------------------------------------------------
def _product_expr(con: duckdb.DuckDBPyConnection, dataset: str, year: int, level: int | None):
    """SQL for the product code at HS ``level``; checks that product-level rows exist.

    Both checks stop at the first matching row (``LIMIT 1``), so they cost nothing on a BACI year;
    product codes are assumed to have one length within a dataset (HS6, HS4 …).
    """
    check_level(level)
    row = con.execute(
        f"SELECT length(product) FROM {quote(dataset)} "
        f"WHERE year = ? AND product <> '{TOTAL}' LIMIT 1",
        [year],
    ).fetchall()
    if not row:
        raise ValidationError(
            key="analytics.totals_only", params={"dataset": dataset, "year": year}, field="dataset"
        )
    if level is not None and int(row[0][0]) < level:
        raise ValidationError(
            key="analytics.level_too_fine",
            params={"dataset": dataset, "digits": int(row[0][0]), "level": level},
            field="level",
        )
    return "product" if level is None else f"substr(product, 1, {int(level)})"


def export_matrix_long(
    con: duckdb.DuckDBPyConnection, dataset: str, year: int, level: int | None = None
) -> pd.DataFrame:
    """Exports by ``exporter, product`` (summed over importers) for a year, at HS ``level``."""
    require_dataset(con, dataset, EXPORT_COLUMNS)
    check_year(con, dataset, year)
    expr = _product_expr(con, dataset, year, level)
    sql = f"""
        SELECT exporter, {expr} AS product, sum(coalesce(value_usd, 0)) AS value_usd
        FROM {quote(dataset)}
        WHERE year = ? AND product <> '{TOTAL}' AND exporter NOT IN {AGGREGATES!r}
        GROUP BY ALL
    """
    return con.execute(sql, [year]).df()


def rca_table(
    con: duckdb.DuckDBPyConnection,
    session: Session | None = None,
    *,
    dataset: str,
    year: int,
    level: int | None = None,
    country: str | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Balassa and symmetric RCA of every exporter (or one ``country``) and product.

    DuckDB aggregates exports by exporter and product (at HS ``level``); the totals ``X_c``,
    ``X_p`` and ``X_w`` are bincounts over the Arrow dictionary codes and
    :func:`silkhub.core.trade.rca_from_totals` applies the formula. Missing values count as 0.
    Columns: ``exporter, product, exports_usd, share, world_share, rca, rca_sym``; sorted by RCA
    (descending) when one country is asked for.
    """
    require_dataset(con, dataset, EXPORT_COLUMNS)
    check_year(con, dataset, year)
    expr = _product_expr(con, dataset, year, level)
    if session is not None and country:
        country = country_code(session, country)
    sql = f"""
        SELECT exporter, {expr} AS product, sum(value_usd) AS v
        FROM {quote(dataset)}
        WHERE year = ? AND product <> '{TOTAL}' AND exporter NOT IN {AGGREGATES!r}
        GROUP BY ALL
    """
    t = con.sql(sql, params=[year]).to_arrow_table()  # Arrow: no per-row Python objects
    v = np.nan_to_num(t.column("v").to_numpy().astype(np.float64, copy=False), nan=0.0)
    # totals X_c, X_p (bincount over Arrow dictionary codes: no sort, no Python strings)
    ex = t.column("exporter").combine_chunks().dictionary_encode()
    pr = t.column("product").combine_chunks().dictionary_encode()
    ei = ex.indices.to_numpy()
    pi = pr.indices.to_numpy()
    xc = np.bincount(ei, weights=v)[ei]
    xp = np.bincount(pi, weights=v)[pi]
    xw = float(v.sum())
    rca = np.asarray(trade.rca_from_totals(v, xc, xp, xw))
    out = pd.DataFrame(
        {
            "exporter": t.column("exporter").to_pandas(types_mapper=pd.ArrowDtype),
            "product": t.column("product").to_pandas(types_mapper=pd.ArrowDtype),
            "exports_usd": v,
            "share": trade.safe_div(v, xc),
            "world_share": trade.safe_div(xp, xw),
            "rca": rca,
            "rca_sym": trade.symmetric_rca(rca),
        }
    )
    if country:
        out = out[out["exporter"] == country]
        if out.empty:
            raise ValidationError(
                key="analytics.no_exports",
                params={"who": country, "dataset": dataset, "year": year},
                field="country",
            )
        out = out.sort_values(["rca", "product"], ascending=[False, True])
    out = out.reset_index(drop=True)
    return out.head(top) if top else out


def _by_product(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    year: int,
    level: int | None,
    where: str,
    params: list[object],
) -> pd.Series:
    expr = _product_expr(con, dataset, year, level)
    sql = f"""
        SELECT {expr} AS product, sum(value_usd) AS v FROM {quote(dataset)}
        WHERE year = ? AND product <> '{TOTAL}' AND ({where}) GROUP BY ALL
    """
    df = con.execute(sql, [year, *params]).df()
    return df.set_index("product")["v"].astype("float64")


def _nonempty(
    s: pd.Series,
    flow: str,
    field_name: str,
    *,
    who: str,
    dataset: str,
    year: int,
) -> pd.Series:
    """``s`` when it holds a positive value, else a ValidationError keyed
    ``analytics.no_exports`` / ``analytics.no_imports`` (params who, dataset, year)."""
    if s.empty or not (s > 0).any():
        raise ValidationError(
            key=f"analytics.no_{flow}",
            params={"who": who, "dataset": dataset, "year": year},
            field=field_name,
        )
    return s


def complementarity_source(
    con: duckdb.DuckDBPyConnection, dataset: str | None, year: int | None
) -> tuple[str, int]:
    """The dataset and year that answer a complementarity question (the one rule).

    ``dataset`` named (not ``auto``): it, for ``year``. Otherwise the first dataset of the
    registry's ``complementarity`` preference that is imported and covers ``year``
    (:func:`~silkhub.analytics.datasets.pick_dataset`); with no year, the first one imported and
    its latest year. Raises DataMissingError / ValidationError (with message keys) when none can.
    """
    if year is None:
        names = set(view_names(con))
        if dataset and dataset != "auto":
            chosen: str | None = dataset
        else:
            chosen = next((d for d in COMPLEMENTARITY_PREFERENCE if d in names), None)
        if chosen is None or chosen not in names:
            raise DataMissingError(
                key="analytics.no_dataset_for_question",
                params={
                    "question": "complementarity",
                    "datasets": ", ".join(COMPLEMENTARITY_PREFERENCE),
                },
                details={"dataset": chosen},
            )
        rng = year_range(con, chosen)
        if rng is None:
            raise DataMissingError(
                key="analytics.dataset_empty", params={"dataset": chosen}, details={}
            )
        return chosen, rng[1]
    return pick_dataset(con, dataset, year, COMPLEMENTARITY_PREFERENCE), int(year)


def complementarity_many(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    exporter: str,
    importers: Sequence[str],
    year: int,
    level: int | None = None,
) -> pd.DataFrame:
    """Trade complementarity of ``exporter``'s exports with each importer's imports.

    One row per importer: ``importer, products, tci`` (``tci`` NaN when the importer has no
    product-level imports that year; ``products`` counts the union of product codes). Exports
    are the exporter's rows to every partner, imports the importer's rows from every partner,
    all-goods ``TOTAL`` rows left out. ``TCI_ij = 100 (1 - sum_k |m_jk - x_ik| / 2)``
    (:func:`silkhub.core.trade.trade_complementarity`). ISO3 codes are taken as given.
    """
    require_dataset(con, dataset, BILATERAL_COLUMNS)
    expr = _product_expr(con, dataset, year, level)
    x = _by_product(con, dataset, year, level, "exporter = ?", [exporter])
    wanted = sorted(set(importers))
    rows: list[dict[str, object]] = []
    imports = pd.DataFrame(columns=["importer", "product", "v"])
    if wanted:
        ph = ",".join("?" * len(wanted))
        imports = con.execute(
            f"""
            SELECT importer, {expr} AS product, sum(value_usd) AS v FROM {quote(dataset)}
            WHERE year = ? AND product <> '{TOTAL}' AND importer IN ({ph}) GROUP BY ALL
            """,
            [year, *wanted],
        ).df()
    by_importer = {
        str(k): g.set_index("product")["v"].astype("float64")
        for k, g in imports.groupby("importer")
    }
    for j in wanted:
        m = by_importer.get(j, pd.Series(dtype="float64"))
        has_x, has_m = not x.empty and (x > 0).any(), not m.empty and (m > 0).any()
        rows.append(
            {
                "importer": j,
                "products": len(x.index.union(m.index)),
                "tci": trade.trade_complementarity(x, m) if has_x and has_m else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["importer", "products", "tci"])


def complementarity(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str | None = "auto",
    exporter: str,
    importer: str,
    year: int,
    level: int | None = None,
) -> dict[str, object]:
    """Trade complementarity index of ``exporter``'s exports with ``importer``'s imports.

    ``dataset`` ``auto`` (or None) picks it by :func:`complementarity_source`; the result names
    the dataset used.
    """
    ds, year = complementarity_source(con, dataset, year)
    require_dataset(con, ds, BILATERAL_COLUMNS)
    check_year(con, ds, year)
    i, j = country_code(session, exporter), country_code(session, importer)
    _nonempty(
        _by_product(con, ds, year, level, "exporter = ?", [i]),
        "exports",
        "exporter",
        who=i,
        dataset=ds,
        year=year,
    )
    _nonempty(
        _by_product(con, ds, year, level, "importer = ?", [j]),
        "imports",
        "importer",
        who=j,
        dataset=ds,
        year=year,
    )
    row = complementarity_many(
        con, dataset=ds, exporter=i, importers=[j], year=year, level=level
    ).iloc[0]
    return {
        "exporter": i,
        "importer": j,
        "year": year,
        "level": level,
        "dataset": ds,
        "products": int(row["products"]),
        "tci": float(row["tci"]),
    }


def similarity(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str,
    a: str,
    b: str,
    year: int,
    level: int | None = None,
    market: str | None = None,
) -> dict[str, object]:
    """Export similarity index of two exporters (to the world or to one ``market``)."""
    require_dataset(con, dataset, EXPORT_COLUMNS)
    check_year(con, dataset, year)
    ca, cb = country_code(session, a), country_code(session, b)
    where, extra = "exporter = ?", []
    if market:
        require_dataset(con, dataset, BILATERAL_COLUMNS)
        mk = country_code(session, market)
        where, extra = "exporter = ? AND importer = ?", [mk]
    xa = _nonempty(
        _by_product(con, dataset, year, level, where, [ca, *extra]),
        "exports",
        "a",
        who=ca,
        dataset=dataset,
        year=year,
    )
    xb = _nonempty(
        _by_product(con, dataset, year, level, where, [cb, *extra]),
        "exports",
        "b",
        who=cb,
        dataset=dataset,
        year=year,
    )
    return {
        "a": ca,
        "b": cb,
        "market": market.upper() if market else "world",
        "year": year,
        "level": level,
        "esi": trade.export_similarity(xa, xb),
    }


def concentration(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str,
    country: str,
    year: int,
    by: str = "product",
    flow: str = "exports",
    level: int | None = None,
) -> dict[str, object]:
    """Herfindahl–Hirschman concentration of a country's exports/imports by product or partner."""
    if by not in ("product", "partner"):
        raise UnknownChoiceError("concentration basis", by, ["product", "partner"], field="by")
    if flow not in ("exports", "imports"):
        raise UnknownChoiceError("flow", flow, ["exports", "imports"], field="flow")
    check_year(con, dataset, year)
    c = country_code(session, country)
    side = "exporter" if flow == "exports" else "importer"
    if by == "product":
        cols = EXPORT_COLUMNS if flow == "exports" else BILATERAL_COLUMNS
        require_dataset(con, dataset, cols)
        v = _by_product(con, dataset, year, level, f"{side} = ?", [c])
    else:
        require_dataset(con, dataset, BILATERAL_COLUMNS)
        other = "importer" if flow == "exports" else "exporter"
        pfilter = f"product = '{TOTAL}'" if _has_totals(con, dataset, year) else "TRUE"
        sql = f"""
            SELECT {other} AS partner, sum(value_usd) AS v FROM {quote(dataset)}
            WHERE year = ? AND {side} = ? AND {other} NOT IN {AGGREGATES!r}
              AND {other} <> {side} AND {pfilter}
            GROUP BY ALL
        """
        v = con.execute(sql, [year, c]).df().set_index("partner")["v"]
    v = _nonempty(v.astype("float64"), flow, "country", who=c, dataset=dataset, year=year)
    return {
        "country": c,
        "year": year,
        "by": by,
        "flow": flow,
        "items": int((v > 0).sum()),
        "hhi": trade.hhi(v),
        "hhi_normalised": trade.hhi(v, normalised=True),
        "top_item": str(v.idxmax()),
        "top_share_pct": float(100 * v.max() / v.sum()),
    }


def intensity(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str,
    exporter: str,
    importer: str,
    year: int,
) -> dict[str, object]:
    """Trade intensity index of ``exporter``'s exports to ``importer`` (all goods)."""
    require_dataset(con, dataset, BILATERAL_COLUMNS)
    check_year(con, dataset, year)
    i, j = country_code(session, exporter), country_code(session, importer)
    if i == j:
        raise ValidationError(key="analytics.same_country", params={"iso3": i}, field="importer")
    pfilter = f"product = '{TOTAL}'" if _has_totals(con, dataset, year) else f"product <> '{TOTAL}'"
    sql = f"""
        SELECT
          sum(CASE WHEN exporter = $i AND importer = $j THEN value_usd END) AS x_ij,
          sum(CASE WHEN exporter = $i THEN value_usd END) AS x_i,
          sum(CASE WHEN importer = $j THEN value_usd END) AS m_j,
          sum(value_usd) AS m_w
        FROM {quote(dataset)}
        WHERE year = $y AND {pfilter} AND exporter <> importer
          AND exporter NOT IN {AGGREGATES!r} AND importer NOT IN {AGGREGATES!r}
    """
    x_ij, x_i, m_j, m_w = con.execute(sql, {"i": i, "j": j, "y": year}).fetchall()[0]
    if not x_i:
        raise ValidationError(
            key="analytics.no_exports",
            params={"who": i, "dataset": dataset, "year": year},
            field="exporter",
        )
    if not m_j:
        raise ValidationError(
            key="analytics.no_imports",
            params={"who": j, "dataset": dataset, "year": year},
            field="importer",
        )
    x_ij = float(x_ij or 0.0)
    return {
        "exporter": i,
        "importer": j,
        "year": year,
        "exports_to_partner_usd": x_ij,
        "exporter_total_usd": float(x_i),
        "importer_total_usd": float(m_j),
        "world_total_usd": float(m_w),
        "tii": float(trade.trade_intensity(x_ij, x_i, m_j, m_w)),
    }


def balance_summary(ranking: Ranking) -> dict[str, float]:
    """Totals of a ranking's selection: exports, imports and balance (US$)."""
    r = ranking.rows
    return {
        "exports_usd": float(np.nansum(r["exports_usd"])),
        "imports_usd": float(np.nansum(r["imports_usd"])),
        "balance_usd": float(np.nansum(r["balance_usd"])),
    }


def side_by_side(
    con: duckdb.DuckDBPyConnection,
    session: Session,
    *,
    dataset: str,
    reporter: str,
    year: int,
    group: str | None = None,
    as_of: date | None = None,
    top: int | None = 10,
    lang: str = "en",
) -> Ranking:
    """Seed 002's Table 1 layout: the import, export and total rankings side by side.

    One row per rank with ``imports_partner, imports_share_pct, exports_partner, ...``
    (shares as in :func:`rank_partners`).
    """
    parts = {
        flow: rank_partners(
            con,
            session,
            dataset=dataset,
            reporter=reporter,
            year=year,
            flow=flow,
            group=group,
            as_of=as_of,
            top=top,
            lang=lang,
        )
        for flow in ("imports", "exports", "total")
    }
    n = max(len(r.rows) for r in parts.values())
    out = pd.DataFrame({"rank": np.arange(1, n + 1)})
    for flow, r in parts.items():
        rows = r.rows.reset_index(drop=True).reindex(range(n))
        out[f"{flow}_partner"] = rows["partner_name"].to_numpy()
        out[f"{flow}_usd"] = rows[f"{flow}_usd"].to_numpy()
        out[f"{flow}_share_pct"] = rows["share_pct"].to_numpy()
    total = parts["total"]
    return Ranking(out, total.reporter, year, "all", dataset, group, total.basis, total.notes)
