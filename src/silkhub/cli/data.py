"""``silkhub data``: the dataset catalog, importers, live fetches, templates and demo data."""

from __future__ import annotations

import contextlib
import shlex
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.data.importers import IMPORTERS
from silkhub.data.importers.base import NullProgress, ProgressTask
from silkhub.data.store import AnalyticsStore, CatalogEntry
from silkhub.errors import UnknownChoiceError

app = typer.Typer(
    help=(
        "Imported datasets: list the catalog, show provenance, import public files, "
        "fetch from live APIs, write templates, load demo data."
    ),
    no_args_is_help=True,
)

QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (for scripts).")]


def _store() -> AnalyticsStore:
    return AnalyticsStore(runtime().settings.analytics_dir)


def _command_line() -> str:
    return "silkhub " + " ".join(shlex.quote(a) for a in sys.argv[1:])


class _RichTask:
    def __init__(self, progress: Progress, task_id: Any) -> None:
        self._p = progress
        self._id = task_id

    def advance(self, n: float = 1) -> None:
        self._p.advance(self._id, n)

    def update(self, completed: float) -> None:
        self._p.update(self._id, completed=completed)


class _RichProgress:
    """Adapter from the importers' progress protocol to a Rich progress display."""

    def __init__(self, progress: Progress) -> None:
        self._p = progress

    def task(self, description: str, total: float | None) -> ProgressTask:
        return _RichTask(self._p, self._p.add_task(description, total=total))


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def _catalog_row(e: CatalogEntry) -> dict[str, Any]:
    return {
        "name": e.name,
        "version": e.version,
        "source": e.source,
        "rows": e.rows,
        "years": f"{e.years[0]}–{e.years[1]}" if e.years else "",
        "imported_at": e.imported_at,
        "sha256": e.sha256,
        "licence": e.licence or "",
    }


@app.command("list")
def list_datasets(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """List imported datasets (current versions) with row counts, years and sha256."""
    rows = [_catalog_row(e) for e in _store().datasets()]
    if not rows and fmt is Format.table and out is None:
        console.print("no datasets imported yet; try `silkhub data demo` or `silkhub data import`")
        return
    if fmt is Format.table and out is None and not console.is_terminal:
        # piped output: one line per dataset, sha256 unbroken (a terminal wraps to its width)
        wide = Console(width=max(console.width, 200))
        table = Table(title="datasets")
        for c in ("name", "version", "source", "rows", "years", "imported_at", "sha256"):
            table.add_column(c, no_wrap=True)
        for r in rows:
            table.add_row(*(str(r[c]) for c in ("name", "version", "source", "rows", "years",
                                                 "imported_at", "sha256")))  # fmt: skip
        wide.print(table)
        return
    emit(
        rows,
        fmt,
        columns=[
            "name",
            "version",
            "source",
            "rows",
            "years",
            "imported_at",
            "sha256",
            "licence",
        ],
        title="datasets",
        out=out,
    )


@app.command("show")
def show_dataset(
    name: Annotated[str, typer.Argument(help="Dataset name, e.g. wdi (see `silkhub data list`).")],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show a dataset's schema, years covered and the provenance of every version."""
    store = _store()
    entry = store.entry(name)
    versions = store.versions(name)
    if fmt is not Format.table or out is not None:
        emit([v.to_dict() for v in versions], fmt, out=out)
        return
    console.print(f"[bold]{entry.name}[/bold] — {entry.title or entry.source}")
    console.print(
        f"current version {entry.version}: {entry.rows:,} rows"
        + (f", years {entry.years[0]}–{entry.years[1]}" if entry.years else "")
    )
    schema = Table(title="schema")
    schema.add_column("column")
    schema.add_column("type")
    for col, typ in entry.columns.items():
        schema.add_row(col, typ)
    console.print(schema)
    prov = Table(title="versions (provenance)")
    for c in ("version", "imported_at", "rows", "sha256", "files", "importer", "command"):
        prov.add_column(c, overflow="fold")
    for v in versions:
        prov.add_row(
            f"{v.version}{' *' if v.current else ''}",
            v.imported_at,
            f"{v.rows:,}",
            v.sha256,
            ", ".join(v.files[:5]) + (" …" if len(v.files) > 5 else ""),
            f"{v.importer} {v.importer_version}",
            v.command or "",
        )
    console.print(prov)
    console.print(f"source: {entry.source_url or '-'}  version: {entry.source_version or '-'}")
    console.print(f"licence: {entry.licence or '-'}")
    console.print(f"sha256: {entry.sha256}  files: {', '.join(entry.files) or '-'}")
    for n in entry.notes:
        console.print(f"note: {n}")


def _bri_iso3s(as_of: date) -> frozenset[str]:
    from silkhub.data.reference.queries import member_iso3s

    with runtime().session() as s:
        return frozenset(member_iso3s(s, "bri", as_of))


def _report(results: list[Any], quiet: bool) -> None:
    for r in results:
        if r.status == "unchanged":
            console.print(
                f"{r.dataset}: unchanged (same sha256 {r.sha256[:12]}…, version {r.version})"
            )
        elif r.status == "dry-run":
            console.print(f"{r.dataset}: dry run, {r.rows:,} rows would be imported")
        else:
            console.print(f"{r.dataset}: imported version {r.version}, {r.rows:,} rows")
        if getattr(r, "merge", None):  # key-based merge: always said, even with --quiet
            console.print(f"  {r.merge}")
        if not quiet:
            for n in r.notes:
                console.print(f"  note: {n}")


@app.command("import")
def import_data(
    source: Annotated[str, typer.Argument(help=f"Source: {', '.join(IMPORTERS)}.")],
    path: Annotated[Path, typer.Argument(help="File or folder to import.")],
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: the importer's, e.g. wdi).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count rows, publish nothing.")
    ] = False,
    indicator: Annotated[
        str | None, typer.Option(help="WDI: indicator code of a long (year, value) file.")
    ] = None,
    countries: Annotated[
        Path | None, typer.Option(help="BACI: the country codes file (country_codes_V*.csv).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Read the file in this encoding (e.g. gbk) instead.")
    ] = None,
    sep: Annotated[str | None, typer.Option(help="Field separator, if not the usual one.")] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Import the valid rows; list the rejected ones in the error CSV."
        ),
    ] = False,
    errors: Annotated[
        Path | None, typer.Option(help="Write the full list of problems here (CSV).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="OpenFlights: BRI membership date (default today)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Import even if the same file was imported.")
    ] = False,
    replace_all: Annotated[
        bool,
        typer.Option(
            "--replace-all",
            help="WDI, regional, Comtrade, BACI: the file becomes the whole new version "
            "(default: replace only the indicators / countries / years it brings).",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Import public files into the analytics store (validated, versioned, atomic).

    Partial files (one WDI indicator, a yearbook extract, a Comtrade reporter-year, a BACI
    year) are merged: the import replaces the keys it brings and keeps the rest, and says so
    (kept 3 indicators, replaced 1). --replace-all replaces the whole dataset.

    Every rejected row is reported as file:row:column: reason (the first 50 here, all in an
    error CSV). Re-importing an unchanged file does nothing.
    """
    from silkhub.data.importers.runner import run_import

    if source not in IMPORTERS:
        raise UnknownChoiceError("source", source, list(IMPORTERS))
    when = parse_date(as_of) or date.today()
    options: dict[str, Any] = {}
    if indicator:
        options["indicator"] = indicator
    if countries:
        options["countries"] = countries
    bri = _bri_iso3s(when) if source == "openflights" else frozenset()
    store = _store()
    kwargs: dict[str, Any] = {
        "name": name,
        "dry_run": dry_run,
        "command": _command_line(),
        "encoding": encoding,
        "sep": sep,
        "options": options,
        "bri_iso3s": bri,
        "as_of": when.isoformat(),
        "skip_invalid": skip_invalid,
        "error_file": errors,
        "force": force,
        "replace_all": replace_all,
    }
    with contextlib.ExitStack() as stack:
        if source == "regional":  # region names are resolved against the reference data
            options["session"] = stack.enter_context(runtime().session())
        if quiet:
            results = run_import(store, source, path, progress=NullProgress(), **kwargs)
        else:
            with _progress_bar() as bar:
                results = run_import(store, source, path, progress=_RichProgress(bar), **kwargs)
    _report(results, quiet)


fetch_app = typer.Typer(help="Fetch datasets from live APIs.", no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")


@fetch_app.command("wdi")
def fetch_wdi(
    indicator: Annotated[
        list[str], typer.Option("--indicator", "-i", help="WDI code (repeat), e.g. NY.GDP.MKTP.CD.")
    ],
    country: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="ISO3 code (repeat); default all.")
    ] = None,
    start: Annotated[int | None, typer.Option(help="First year.")] = None,
    end: Annotated[int | None, typer.Option(help="Last year.")] = None,
    name: Annotated[str, typer.Option(help="Dataset name.")] = "wdi",
    replace_all: Annotated[
        bool,
        typer.Option(
            "--replace-all",
            help="The fetch becomes the whole new version (default: replace only the "
            "indicators / countries / years fetched).",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Download WDI indicators from the World Bank API (wbgapi) into a dataset.

    The values fetched replace those of the same indicator, country and year; the other
    indicators stay. Aggregates (WLD, regions, income groups) go to NAME_aggregates.
    """
    from silkhub.data.importers.live import publish_wdi_fetch

    years = range(start, (end or date.today().year) + 1) if start else None
    entry = publish_wdi_fetch(
        _store(),
        indicator,
        economies=country or "all",
        years=years,
        name=name,
        command=_command_line(),
        replace_all=replace_all,
    )
    console.print(f"{entry.name}: imported version {entry.version}, {entry.rows:,} rows")
    for n in entry.notes:
        if n.startswith("kept "):
            console.print(f"  {n}")


@fetch_app.command("comtrade")
def fetch_comtrade(
    reporter: Annotated[str, typer.Option(help="Reporter ISO3, e.g. CHN.")],
    year: Annotated[list[int], typer.Option("--year", help="Year (repeat).")],
    partner: Annotated[str | None, typer.Option(help="Partner ISO3 (default all).")] = None,
    cmd: Annotated[str, typer.Option(help="HS code or TOTAL.")] = "TOTAL",
    name: Annotated[str, typer.Option(help="Dataset name.")] = "comtrade",
    key_env: Annotated[
        str, typer.Option(help="Environment variable holding the Comtrade API key (optional).")
    ] = "COMTRADE_API_KEY",
) -> None:
    """Download bilateral trade from the UN Comtrade API (comtradeapicall) into a dataset."""
    import os

    from silkhub.data.importers.live import publish_comtrade_fetch

    entry = publish_comtrade_fetch(
        _store(),
        reporter=reporter,
        years=year,
        partner=partner,
        cmd=cmd,
        name=name,
        key=os.environ.get(key_env),
        command=_command_line(),
    )
    console.print(f"{entry.name}: imported version {entry.version}, {entry.rows:,} rows")


template_app = typer.Typer(help="Write empty input templates.", no_args_is_help=True)
app.add_typer(template_app, name="template")


@template_app.command("regional")
def template_regional(
    path: Annotated[Path, typer.Argument(help="Where to write the template (.csv or .xlsx).")],
) -> None:
    """Write the regional statistics template (region, year, indicator, value, unit, source)."""
    from silkhub.data.importers.regional_source import write_template

    written = write_template(path)
    console.print(f"wrote {written}")


@app.command("demo")
def demo() -> None:
    """Load the small demo datasets shipped with silkhub (idempotent)."""
    from silkhub.data.demo import load

    summary = load(runtime())
    console.print(summary or "demo data already loaded")
