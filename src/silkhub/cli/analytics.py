"""``silkhub indicators`` / ``partners`` / ``complexity``: openness, trade and complexity analytics.

Thin: parse options, open the analytics store (DuckDB views over the imported Parquet tables)
and a database session (reference data: countries, groups as of a date), call a service in
``silkhub.analytics``, render with ``--format`` / ``--out``. Notes about missing data go to
stderr so that csv/json on stdout stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated, Any

import duckdb
import pandas as pd
import typer
from sqlalchemy.orm import Session

from silkhub.analytics import complexity as cx_svc
from silkhub.analytics import openness as open_svc
from silkhub.analytics import partners as partner_svc
from silkhub.analytics.datasets import BILATERAL_PREFERENCE, PRODUCT_PREFERENCE, pick_dataset
from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit, err_console

indicators_app = typer.Typer(
    help="Openness indicators, group shares, RCA and trade-fit measures.", no_args_is_help=True
)
#: the gravity feature adds ``partners potential`` to this app
partners_app = typer.Typer(
    help="Trade partners of a reporter: rankings with shares, growth and balance.",
    no_args_is_help=True,
)
complexity_app = typer.Typer(
    help="Economic complexity: ECI, PCI and which products next.", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    """Mount the three analytics groups on the root CLI."""
    root.add_typer(indicators_app, name="indicators")
    root.add_typer(partners_app, name="partners")
    root.add_typer(complexity_app, name="complexity")


@contextmanager
def _open() -> Iterator[tuple[duckdb.DuckDBPyConnection, Session, Any]]:
    from silkhub.data.store import AnalyticsStore

    rt = runtime()
    store = AnalyticsStore(rt.settings.analytics_dir)
    con = store.connect()
    try:
        with rt.session() as s:
            yield con, s, store
    finally:
        con.close()


def _notes(lines: list[str]) -> None:
    for line in lines:
        err_console.print(f"[yellow]note:[/yellow] {line}", highlight=False)


def _display(df: pd.DataFrame, fmt: Format, out: Any) -> pd.DataFrame:
    """Terminal table only: US$ in millions (``*_usd_m``), 3 decimals, all-empty columns hidden.

    Files and csv/json/parquet keep every column at full precision.
    """
    if fmt is not Format.table or out is not None:
        return df
    d = df.copy()
    for c in list(d.columns):
        col = d[c]
        if col.isna().all() or (col.astype(str) == "").all():
            d = d.drop(columns=c)
        elif c.endswith("_usd") or c in ("group_total", "world_total"):
            scale, name = (1e6, f"{c}_m") if c.endswith("_usd") else (1.0, c)
            d[c] = col.map(lambda v, k=scale: "" if pd.isna(v) else f"{v / k:,.1f}")
            d = d.rename(columns={c: name})
        elif pd.api.types.is_float_dtype(col):
            d[c] = col.map(lambda v: "" if pd.isna(v) else f"{v:,.3f}")
    return d


Dataset = Annotated[
    str,
    typer.Option(
        "--dataset", "-d", help="Store dataset (view) name; 'auto' picks one covering the year."
    ),
]
Year = Annotated[int, typer.Option("--year", "-y", help="Year, e.g. 2016.")]
Level = Annotated[
    int | None, typer.Option("--level", help="HS digits 2, 4 or 6 (default: as stored).")
]
Top = Annotated[int | None, typer.Option("--top", "-n", help="Show the first N rows only.")]


# -- indicators ------------------------------------------------------------------------------
@indicators_app.command("labels")
def labels_cmd(
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Names and units of every indicator code (regional template and WDI), per language.

    Example: silkhub indicators labels --lang zh
    """
    from silkhub.analytics.registry import indicator_labels

    if lang not in ("en", "zh"):
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("language", lang, ["en", "zh"], field="lang")
    df = pd.DataFrame(indicator_labels(lang))
    title = "指标名称与单位" if lang == "zh" else "Indicator names and units"
    cols = ["code", "source", "label", "unit", "definition"] if fmt is Format.table else None
    emit(df[cols] if cols and out is None else df, fmt, title=title, out=out)


@indicators_app.command("openness")
def openness_cmd(
    region: Annotated[
        str,
        typer.Option(
            "--region",
            "-r",
            help="Country (ISO3 or name, from wdi) or region id (from regional), e.g. CHN.",
        ),
    ],
    years: Annotated[str, typer.Option(help="YYYY or YYYY-YYYY, e.g. 2013-2019.")],
    basis: Annotated[
        str, typer.Option(help="gns = goods and services (WDI NE.*), goods = merchandise.")
    ] = "gns",
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", "-d", help="View to read (default wdi, or regional)."),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Trade, export and import dependence, FDI/GDP, R&D intensity, high-tech share and growth.

    Example: silkhub indicators openness --region CHN --years 2013-2019
    """
    start, end = open_svc.parse_years(years)
    with _open() as (con, s, _):
        r = open_svc.openness(
            con, s, place=region, start=start, end=end, basis=basis, dataset=dataset
        )
    emit(_display(r.rows, fmt, out), fmt, title=f"Openness of {r.place} ({r.dataset})", out=out)
    cagr = ", ".join(
        f"{k.removesuffix('_usd')} {'n/a' if v is None else f'{v:.2f} %'}"
        for k, v in r.cagr_pct.items()
    )
    if fmt is Format.table and out is None:
        console.print(f"CAGR {start}–{end}: {cagr}")
    else:  # keep stdout machine-readable; the summary goes to stderr
        _notes([f"CAGR {start}–{end}: {cagr}"])
    _notes(r.notes)


@indicators_app.command("group-share")
def group_share_cmd(
    group: Annotated[str, typer.Option(help="Group code: bri, route65, sco, asean, rcep, eu.")],
    year: Year,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Membership date (YYYY-MM-DD); default 31 Dec of the year."),
    ] = None,
    world: Annotated[
        str,
        typer.Option(
            help="World total: auto (the World Bank's WLD aggregate if imported, else the sum "
            "of countries), wld or sum."
        ),
    ] = "auto",
    measure: Annotated[
        list[str] | None,
        typer.Option(help="population, gdp, trade (repeat; default all three)."),
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="WDI-shaped view to read.")
    ] = "wdi",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Share of a country group in world population, GDP and trade for a year (from wdi).

    Example: silkhub indicators group-share --group route65 --year 2015
    """
    day = parse_date(as_of)
    measures = tuple(measure) if measure else ("population", "gdp", "trade")
    with _open() as (con, s, _):
        df = open_svc.group_share(
            con,
            s,
            group=group,
            year=year,
            as_of=day,
            measures=measures,
            world=world,
            dataset=dataset,
        )
    notes = list(df.attrs.get("notes", []))  # world basis, year-only membership dates
    emit(_display(df, fmt, out), fmt, title=f"{group} share of the world, {year}", out=out)
    _notes(notes)


@indicators_app.command("rca")
def rca_cmd(
    year: Year,
    country: Annotated[str | None, typer.Option(help="One exporter (ISO3); default all.")] = None,
    dataset: Dataset = "auto",
    level: Level = None,
    top: Top = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Balassa RCA and symmetric RCA by exporter and product (HS2/HS4/HS6).

    Example: silkhub indicators rca --country CHN --year 2017 --level 4 --top 20
    """
    with _open() as (con, s, _):
        ds = pick_dataset(con, dataset, year, PRODUCT_PREFERENCE)
        df = partner_svc.rca_table(
            con, s, dataset=ds, year=year, level=level, country=country, top=top
        )
    emit(_display(df, fmt, out), fmt, title=f"RCA {country or ''} {year} ({ds})", out=out)


def _one(record: dict[str, Any], fmt: Format, out: Any, title: str) -> None:
    emit(_display(pd.DataFrame([record]), fmt, out), fmt, title=title, out=out)


def _measure(
    title: str,
    dataset: str,
    year: int,
    preference: Iterable[str],
    compute: Callable[..., dict[str, Any]],
    fmt: Format,
    out: Any,
) -> None:
    """One-row measure ``compute(con, session, dataset=…, year=…)`` on the dataset picked for
    ``year``, shown as ``title (dataset)``."""
    with _open() as (con, s, _):
        ds = pick_dataset(con, dataset, year, preference)
        r = compute(con, s, dataset=ds, year=year)
    _one(r, fmt, out, f"{title} ({ds})")


@indicators_app.command("complementarity")
def complementarity_cmd(
    exporter: Annotated[str, typer.Option(help="Exporting country (ISO3).")],
    importer: Annotated[str, typer.Option(help="Importing country (ISO3).")],
    year: Year,
    dataset: Dataset = "auto",
    level: Level = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Trade complementarity index (0–100) of an exporter's supply with an importer's demand."""
    with _open() as (con, s, _):
        r = partner_svc.complementarity(
            con, s, dataset=dataset, exporter=exporter, importer=importer, year=year, level=level
        )
    _one(r, fmt, out, f"Trade complementarity ({r['dataset']})")


@indicators_app.command("similarity")
def similarity_cmd(
    a: Annotated[str, typer.Option("--a", help="First exporter (ISO3).")],
    b: Annotated[str, typer.Option("--b", help="Second exporter (ISO3).")],
    year: Year,
    market: Annotated[
        str | None, typer.Option(help="Compare exports to this market only (ISO3).")
    ] = None,
    dataset: Dataset = "auto",
    level: Level = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Export similarity index (Finger–Kreinin, 0–100) of two exporters."""
    compute = partial(partner_svc.similarity, a=a, b=b, level=level, market=market)
    _measure("Export similarity", dataset, year, PRODUCT_PREFERENCE, compute, fmt, out)


@indicators_app.command("concentration")
def concentration_cmd(
    country: Annotated[str, typer.Option(help="Country (ISO3).")],
    year: Year,
    by: Annotated[str, typer.Option(help="product or partner.")] = "product",
    flow: Annotated[str, typer.Option(help="exports or imports.")] = "exports",
    dataset: Dataset = "auto",
    level: Level = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Herfindahl–Hirschman concentration of exports/imports by product or by partner."""
    compute = partial(partner_svc.concentration, country=country, by=by, flow=flow, level=level)
    pref = PRODUCT_PREFERENCE if by == "product" else BILATERAL_PREFERENCE
    _measure("Concentration", dataset, year, pref, compute, fmt, out)


@indicators_app.command("intensity")
def intensity_cmd(
    exporter: Annotated[str, typer.Option(help="Exporting country (ISO3).")],
    importer: Annotated[str, typer.Option(help="Partner country (ISO3).")],
    year: Year,
    dataset: Dataset = "auto",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Trade intensity index: share of exports going to the partner / its world import share."""
    compute = partial(partner_svc.intensity, exporter=exporter, importer=importer)
    _measure("Trade intensity", dataset, year, BILATERAL_PREFERENCE, compute, fmt, out)


# -- partners --------------------------------------------------------------------------------
def _ranking(
    reporter: str,
    year: int,
    group: str | None,
    flow: str,
    top: int | None,
    dataset: str,
    as_of: str | None,
    lang: str,
) -> partner_svc.Ranking:
    day = parse_date(as_of)
    with _open() as (con, s, _):
        ds = pick_dataset(con, dataset, year, BILATERAL_PREFERENCE)
        # flow "all": the three rankings side by side (the service's rule)
        return partner_svc.rank_partners(
            con,
            s,
            dataset=ds,
            reporter=reporter,
            year=year,
            flow=flow,
            group=group,
            as_of=day,
            top=top,
            lang=lang,
        )


Reporter = Annotated[str, typer.Option(help="Reporting country (ISO3 or name), e.g. CHN.")]
GroupOpt = Annotated[
    str | None,
    typer.Option(help="Only partners in this group (bri, route65, sco, asean, rcep, eu)."),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Group membership date (YYYY-MM-DD); default 31 Dec of year."),
]
Lang = Annotated[str, typer.Option(help="Partner names in en or zh.")]


@partners_app.command("rank")
def rank_cmd(
    reporter: Reporter,
    year: Year,
    group: GroupOpt = None,
    flow: Annotated[
        str,
        typer.Option(help="Rank by total, exports or imports; all = the three side by side."),
    ] = "total",
    top: Top = None,
    dataset: Dataset = "auto",
    as_of: AsOf = None,
    lang: Lang = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Rank a reporter's partners (Table 1 of seed 002) with shares, growth and balance.

    Example: silkhub partners rank --reporter CHN --year 2016 --group route65 --flow total --top 10

    --flow all prints Table 1's layout: import, export and total rankings side by side.
    """
    r = _ranking(reporter, year, group, flow, top, dataset, as_of, lang)
    title = (
        f"{r.reporter} partners {r.year}, "
        + ("imports | exports | total" if r.flow == "all" else f"by {r.flow}")
        + (f", {r.group} members" if r.group else "")
        + f" ({r.dataset})"
    )
    emit(_display(r.rows, fmt, out), fmt, title=title, out=out)
    _notes([f"share_pct = {r.basis}", *r.notes])


@partners_app.command("balance")
def balance_cmd(
    reporter: Reporter,
    year: Year,
    group: GroupOpt = None,
    top: Top = None,
    dataset: Dataset = "auto",
    as_of: AsOf = None,
    lang: Lang = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Trade balance of a reporter with each partner (largest deficits first) and in total.

    Example: silkhub partners balance --reporter CHN --year 2016 --group route65
    """
    r = _ranking(reporter, year, group, "total", None, dataset, as_of, lang)
    df = r.rows.sort_values(["balance_usd", "partner"]).reset_index(drop=True)
    df = df[["partner", "partner_name", "exports_usd", "imports_usd", "balance_usd", "total_usd"]]
    df = df.head(top) if top else df
    emit(
        _display(df, fmt, out),
        fmt,
        title=f"{r.reporter} trade balance {r.year}" + (f", {r.group}" if r.group else ""),
        out=out,
    )
    tot = partner_svc.balance_summary(r)
    _notes(
        [
            f"selection total: exports {tot['exports_usd']:,.0f}, imports "
            f"{tot['imports_usd']:,.0f}, balance {tot['balance_usd']:,.0f} US$",
            *r.notes,
        ]
    )


# -- complexity ------------------------------------------------------------------------------
Threshold = Annotated[float, typer.Option(help="RCA threshold for presence (>=).")]


def _complexity(dataset: str, year: int, level: int | None, threshold: float):
    with _open() as (con, _s, store):
        ds = pick_dataset(con, dataset, year, PRODUCT_PREFERENCE)
        version = store.entry(ds).version if store.has(ds) else None
        return ds, cx_svc.compute(
            con, dataset=ds, year=year, level=level, threshold=threshold, version=version
        )


@complexity_app.command("eci")
def eci_cmd(
    year: Year,
    dataset: Dataset = "auto",
    level: Level = None,
    threshold: Threshold = 1.0,
    top: Top = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Economic complexity index of every exporter (eigenvector method; ecomplexity conventions).

    Example: silkhub complexity eci --dataset world_trade_2017_hs4 --year 2017 --top 20
    """
    ds, res = _complexity(dataset, year, level, threshold)
    emit(_display(cx_svc.eci_table(res, top), fmt, out), fmt, title=f"ECI {year} ({ds})", out=out)
    if res.dropped_countries:
        _notes([f"no exports (left out): {', '.join(res.dropped_countries)}"])


@complexity_app.command("pci")
def pci_cmd(
    year: Year,
    dataset: Dataset = "auto",
    level: Level = None,
    threshold: Threshold = 1.0,
    top: Top = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Product complexity index of every product."""
    ds, res = _complexity(dataset, year, level, threshold)
    emit(_display(cx_svc.pci_table(res, top), fmt, out), fmt, title=f"PCI {year} ({ds})", out=out)


@complexity_app.command("next")
def next_cmd(
    country: Annotated[str, typer.Option(help="Country (ISO3 or name).")],
    year: Year,
    by: Annotated[str, typer.Option(help="Order by cog, density or pci.")] = "cog",
    dataset: Dataset = "auto",
    level: Level = None,
    threshold: Threshold = 1.0,
    top: Top = 20,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Which products next: products not yet exported with RCA, by opportunity gain or density.

    Example: silkhub complexity next --country KAZ --year 2017 --by cog --top 20
    """
    ds, res = _complexity(dataset, year, level, threshold)
    with runtime().session() as s:
        df = cx_svc.what_next(res, s, country, by=by, top=top)
        prof = cx_svc.country_profile(res, _iso3(s, country))
    emit(_display(df, fmt, out), fmt, title=f"What next for {prof['iso3']} ({ds})", out=out)
    _notes(
        [
            f"{prof['iso3']}: ECI {prof['eci']:.3f} (rank {prof['eci_rank']} of "
            f"{prof['countries']}), diversity {prof['diversity']}, COI {prof['coi']:.3f}"
        ]
    )


def _iso3(session: Session, code: str) -> str:
    from silkhub.analytics.datasets import country_code

    return country_code(session, code)


complexity_app.command("what-next", help="Alias of `next`.")(next_cmd)
