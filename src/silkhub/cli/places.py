"""``silkhub places``: the international living-environment directory (issue 11)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit
from silkhub.hub import places as svc
from silkhub.hub.policy import Actor

app = typer.Typer(
    help="Living-environment directory: international schools, hospitals, consulates, services.",
    no_args_is_help=True,
)


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the CSV template.")],
) -> None:
    """Write an empty import template with bilingual instructions."""
    svc.write_template(path)
    console.print(f"template written to {path}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX file in the template format.")],
) -> None:
    """Import places (atomic: one bad row rejects the file; re-importing changes nothing)."""
    from silkhub.errors import DataImportError

    try:
        with runtime().session() as s:
            n = svc.import_places(s, Actor.system("cli"), path)
    except DataImportError as exc:
        for line in exc.errors[:50]:
            typer.echo(line, err=True)
        raise
    console.print(f"imported {n} places from {path.name}")


@app.command("list")
def list_(
    region: Annotated[
        str | None, typer.Option(help="Region id or name (a city includes districts).")
    ] = None,
    kind: Annotated[str | None, typer.Option(help=", ".join(svc.KINDS))] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List directory entries."""
    with runtime().session() as s:
        rows = [
            {
                "id": p.id,
                "kind": p.kind,
                "name": p.name_en or p.name_zh,
                "name_zh": p.name_zh,
                "region": p.region_id,
                "languages": p.languages,
                "lat": p.lat,
                "lon": p.lon,
                "source": p.source,
            }
            for p in svc.list_places(s, region=region, kind=kind, limit=100_000)
        ]
    emit(rows, fmt, out=out)


@app.command("counts")
def counts(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Count as of (YYYY-MM-DD).")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Region-level counts that feed the city-internationalization index."""
    day = parse_date(as_of) or date.today()
    with runtime().session() as s:
        emit(svc.region_counts(s, day), fmt, out=out, title=f"directory counts as of {day}")


@app.command("experts")
def experts(
    by: Annotated[str, typer.Option(help="country or sector")] = "country",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Foreign experts per region, by nationality or by sector."""
    with runtime().session() as s:
        emit(svc.experts_by(s, by), fmt, out=out)
