"""``silkhub hub``: the cooperation hub from the command line — bulk import from CSV/XLSX
templates, tracker import (CGIT, GCDF), OC4IDS export, project lists, lifecycle changes,
stage-history queries, events and agreement performance."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit, err_console
from silkhub.errors import DataImportError
from silkhub.hub import bulk_import, lifecycle, oc4ids, performance
from silkhub.hub import events as ev
from silkhub.hub import organisations as orgs
from silkhub.hub import projects as pj
from silkhub.hub.policy import Actor

app = typer.Typer(
    help="Cooperation hub: organisations, projects and their lifecycle, events, agreements.",
    no_args_is_help=True,
)

ACTOR = Actor.system("cli")
PROJECT_COLUMNS = [
    "id", "identifier", "title", "iso3", "isic_code", "project_type", "stage", "stage_on",
    "value_amount", "value_currency", "value_usd", "source",
]  # fmt: skip


class ImportKind(StrEnum):
    organisations = "organisations"
    projects = "projects"


class Tracker(StrEnum):
    cgit = "cgit"
    gcdf = "gcdf"


class ExportFormat(StrEnum):
    oc4ids = "oc4ids"
    csv = "csv"
    json = "json"


def _row(p, lang: str = "en") -> dict:  # type: ignore[no-untyped-def]
    title = (p.title_zh or p.title_en) if lang == "zh" else (p.title_en or p.title_zh)
    return {
        "id": p.id,
        "identifier": p.identifier,
        "title": title,
        "iso3": p.iso3,
        "isic_code": p.isic_code,
        "project_type": p.project_type,
        "stage": p.stage,
        "stage_on": p.stage_on,
        "dated_on": p.dated_on,
        "value_amount": None if p.value_amount is None else float(p.value_amount),
        "value_currency": p.value_currency,
        "value_year": p.value_year,
        "value_usd": None if p.value_usd is None else round(p.value_usd, 2),
        "source": p.source,
        "external_id": p.external_id,
        "visibility": p.visibility,
    }


def _filters(**kw) -> pj.ProjectFilters:  # type: ignore[no-untyped-def]
    return pj.ProjectFilters(**{k: v for k, v in kw.items() if v is not None})


CountryOpt = Annotated[str | None, typer.Option(help="Country: ISO3 code or name.")]
SectorOpt = Annotated[str | None, typer.Option(help="ISIC rev.4 section (F) or division (42).")]
StageOpt = Annotated[list[str] | None, typer.Option(help="Stage (repeatable).")]


@app.command("import")
def import_cmd(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX template.")],
) -> None:
    """Bulk-import organisations or projects from a CSV/XLSX template (atomic).

    Any bad row rejects the whole file; problems are listed as file:row:column: reason.
    Rows whose external_id exists already are skipped, so importing twice changes nothing.
    Get an empty template with `silkhub hub template projects --out projects.xlsx`.
    """
    try:
        with runtime().session() as s:
            summary = bulk_import.import_file(s, ACTOR, kind.value, file)
    except DataImportError as exc:
        for line in exc.errors:
            err_console.print(line, highlight=False, markup=False)
        raise
    console.print(summary.describe(), soft_wrap=True)
    if kind.value == "projects" and summary.ids:
        _warn_repeated_construction(summary.ids)


#: imported projects checked for near-duplicates after a bulk import (each check is a query)
MAX_DUPLICATE_CHECKS = 500


def _warn_repeated_construction(ids: list[int]) -> None:
    """Print the repeated-construction warning for freshly imported projects."""
    rows = []
    with runtime().session() as s:
        for pid in ids[:MAX_DUPLICATE_CHECKS]:
            project = pj.get_project(s, ACTOR, pid)
            for w in pj.repeated_construction(s, ACTOR, project):
                rows.append(
                    {
                        "imported": pid,
                        "title": project.title_en or project.title_zh,
                        "similar_to": w["project_id"],
                        "similar_title": w["title"],
                        "score": round(w["score"], 3),
                        "why": "; ".join(w["reasons"]),
                    }
                )
    if len(ids) > MAX_DUPLICATE_CHECKS:
        err_console.print(
            f"checked the first {MAX_DUPLICATE_CHECKS} of {len(ids)} imported projects for "
            "repeated construction; run `silkhub hub duplicates` for the rest"
        )
    if rows:
        err_console.print(f"warning: {len(rows)} possible repeated construction(s):")
        emit(rows, Format.table, title="similar projects already in the hub")


@app.command("template")
def template_cmd(
    kind: Annotated[ImportKind, typer.Argument(help="organisations or projects")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (.csv or .xlsx).")],
) -> None:
    """Write an empty import template (the header row)."""
    bulk_import.write_template(kind.value, out)
    console.print(f"wrote {out}")


@app.command("import-tracker")
def import_tracker_cmd(
    source: Annotated[Tracker, typer.Argument(help="cgit or gcdf")],
    file: Annotated[
        Path | None,
        typer.Option(help="Read this file with the data importer instead of the analytics store."),
    ] = None,
) -> None:
    """Load CGIT/GCDF tracker projects as public hub projects (idempotent upsert)."""
    from silkhub.hub import tracker_import  # pandas: only for this command

    rt = runtime()
    frame = tracker_import.read_tracker(
        source.value, store_root=rt.settings.analytics_dir, path=file
    )
    with rt.session() as s:
        summary = tracker_import.import_tracker(s, ACTOR, frame, source.value)
    console.print(summary.describe(), soft_wrap=True)


@app.command("export")
def export_cmd(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="oc4ids (validated JSON), csv or json.")
    ] = ExportFormat.oc4ids,
    out: OutOpt = None,
    country: CountryOpt = None,
    sector: SectorOpt = None,
    stage: StageOpt = None,
    source: Annotated[str | None, typer.Option(help="hub, cgit, gcdf or import.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many projects.")] = None,
) -> None:
    """Export projects; `--format oc4ids` writes an OC4IDS project package checked against
    the schema."""
    f = _filters(country=country, sector=sector, stage=stage, source=source)
    with runtime().session() as s:
        if fmt is ExportFormat.oc4ids:
            doc = oc4ids.export_projects(s, ACTOR, f, limit=limit)
            text = json.dumps(doc, ensure_ascii=False, indent=2)
            if out:
                out.write_text(text + "\n", encoding="utf-8")
                err_console.print(f"wrote {len(doc['projects'])} projects (OC4IDS) to {out}")
            else:
                typer.echo(text)
            return
        rows, cursor = [], None
        while True:
            page = pj.list_projects(s, ACTOR, f, sort="id", cursor=cursor, limit=500)
            rows.extend(_row(p) for p in page.items)
            cursor = page.next_cursor
            if not cursor or (limit and len(rows) >= limit):
                break
    emit(rows[:limit] if limit else rows, Format(fmt.value), out=out)


@app.command("list")
def list_cmd(
    country: CountryOpt = None,
    region: Annotated[str | None, typer.Option(help="Region id or name.")] = None,
    sector: SectorOpt = None,
    stage: StageOpt = None,
    project_type: Annotated[str | None, typer.Option("--type", help="Project type.")] = None,
    source: Annotated[str | None, typer.Option(help="hub, cgit, gcdf or import.")] = None,
    min_usd: Annotated[float | None, typer.Option(help="Minimum value in US$.")] = None,
    max_usd: Annotated[float | None, typer.Option(help="Maximum value in US$.")] = None,
    date_from: Annotated[str | None, typer.Option(help="Reference date from (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option(help="Reference date to (YYYY-MM-DD).")] = None,
    q: Annotated[str | None, typer.Option(help="Text in the Chinese or English title.")] = None,
    sort: Annotated[
        str, typer.Option(help="id, value_usd, dated_on, stage_on; - for desc.")
    ] = "-id",
    limit: Annotated[int, typer.Option(help="Rows per page (1–500).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    lang: Annotated[str, typer.Option(help="Title language: en or zh.")] = "en",
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List projects with filters, sorting and cursor pagination."""
    f = _filters(
        country=country, region=region, sector=sector, stage=stage, project_type=project_type,
        source=source, value_min_usd=min_usd, value_max_usd=max_usd,
        date_from=parse_date(date_from, "date-from"), date_to=parse_date(date_to, "date-to"), q=q,
    )  # fmt: skip
    with runtime().session() as s:
        page = pj.list_projects(s, ACTOR, f, sort=sort, cursor=cursor, limit=limit)
        rows = [_row(p, lang) for p in page.items]
    emit(rows, fmt, columns=PROJECT_COLUMNS, title=f"{len(rows)} projects", out=out)
    if page.next_cursor and fmt is Format.table and out is None:
        console.print(f"next page: --cursor {page.next_cursor}")


@app.command("show")
def show_cmd(
    project: Annotated[str, typer.Argument(help="Project id or OC4IDS identifier.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one project with its parties and stage history."""
    with runtime().session() as s:
        p = (
            pj.get_project(s, ACTOR, int(project))
            if project.isdigit()
            else pj.get_by_identifier(s, ACTOR, project)
        )
        row = _row(p) | {
            "title_en": p.title_en,
            "title_zh": p.title_zh,
            "region_id": p.region_id,
            "parties": "; ".join(f"{x.role}:{x.organisation_id}" for x in p.parties),
            "allowed_next": ", ".join(lifecycle.next_stages(s, p)),
        }
        hist = [
            {"at": h.at, "from": h.from_stage, "to": h.to_stage, "by": h.by_user_id, "note": h.note}
            for h in lifecycle.history(s, p.id)
        ]
    if fmt is Format.json:
        typer.echo(json.dumps(row | {"history": hist}, ensure_ascii=False, indent=2, default=str))
        return
    emit([{"field": k, "value": v} for k, v in row.items()], fmt, title=f"project {p.id}")
    emit(hist, fmt, title="stage history")


@app.command("stage")
def stage_cmd(
    project_id: Annotated[int, typer.Argument(help="Project id.")],
    to: Annotated[str, typer.Argument(help="New stage, e.g. signed.")],
    at: Annotated[str | None, typer.Option(help="Date of the change (default today).")] = None,
    note: Annotated[str | None, typer.Option(help="Why / evidence.")] = None,
) -> None:
    """Move a project to another stage (illegal moves list the allowed next stages)."""
    with runtime().session() as s:
        p = pj.transition(s, ACTOR, project_id, to, parse_date(at, "at"), note)
        console.print(f"project {p.id} is now {p.stage} (since {p.stage_on})")


@app.command("reached")
def reached_cmd(
    stage: Annotated[str, typer.Argument(help="Stage, e.g. signed.")],
    year: Annotated[int | None, typer.Option(help="Calendar year.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Projects that first reached a stage in a year (e.g. signed in 2020)."""
    with runtime().session() as s:
        ids = lifecycle.reached(s, stage, year=year)
        rows = [_row(pj.get_project(s, ACTOR, i)) for i in ids[:1000]]
    emit(rows, fmt, columns=PROJECT_COLUMNS, title=f"{len(ids)} projects reached {stage}", out=out)


@app.command("durations")
def durations_cmd(
    from_stage: Annotated[str, typer.Option("--from", help="Start stage.")] = "signed",
    to_stage: Annotated[str, typer.Option("--to", help="End stage.")] = "operational",
    fmt: FormatOpt = Format.table,
) -> None:
    """Time from one stage to another (count, mean, median, min, max days)."""
    with runtime().session() as s:
        d = lifecycle.time_between(s, from_stage, to_stage)
    row = asdict(d)
    row.pop("by_project")
    emit([row], fmt)


@app.command("totals")
def totals_cmd(
    group_by: Annotated[
        str, typer.Option(help="stage, iso3, isic_code, project_type, source or year.")
    ] = "stage",
    country: CountryOpt = None,
    sector: SectorOpt = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Only projects of this source: demo, cgit, gcdf, own (hub entries and own "
            "imports, demo excluded), hub or import."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Number of projects and total US$ per group (dashboard aggregates).

    Example: silkhub hub totals --group-by source, or --source own to leave the demo out.
    """
    with runtime().session() as s:
        rows = pj.project_totals(
            s, ACTOR, _filters(country=country, sector=sector, source=source), group_by=group_by
        )
    emit(rows, fmt, out=out)


@app.command("orgs")
def orgs_cmd(
    kind: Annotated[str | None, typer.Option(help="Organisation type, e.g. soe.")] = None,
    country: CountryOpt = None,
    service: Annotated[str | None, typer.Option(help="law, audit, accounting, visa ...")] = None,
    q: Annotated[str | None, typer.Option(help="Text in the name.")] = None,
    limit: Annotated[int, typer.Option(help="Rows (1–500).")] = 100,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List organisations."""
    with runtime().session() as s:
        page = orgs.list_organisations(
            s, ACTOR, kind=kind, country=country, service=service, q=q, limit=limit
        )
        rows = [
            {
                "id": o.id,
                "kind": o.kind,
                "name_en": o.name_en,
                "name_zh": o.name_zh,
                "iso3": o.iso3,
                "region_id": o.region_id,
                "sectors": ";".join(sorted(x.isic_code for x in o.sectors)),
                "services": ";".join(x.service for x in o.services),
            }
            for o in page.items
        ]
    emit(rows, fmt, out=out)


@app.command("events")
def events_cmd(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """Events with their signing totals (see also `silkhub event`)."""
    with runtime().session() as s:
        rows = []
        for e in ev.list_events(s, ACTOR, limit=500).items:
            t = ev.event_totals(s, ACTOR, e.id)
            rows.append(
                {"id": e.id, "date": e.start_on, "kind": e.kind, "title": e.title_en or e.title_zh,
                 "totals": t.describe()}
            )  # fmt: skip
    emit(rows, fmt, out=out)


@app.command("performance")
def performance_cmd(
    by: Annotated[str, typer.Option(help="agreement, organisation or region.")] = "agreement",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reporting date.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """On-time rate, fulfilled amount, overdue items and traffic light per agreement,
    organisation or region."""
    with runtime().session() as s:
        rows = performance.performance_table(s, ACTOR, by, parse_date(as_of))
    cols = [by, "name", "traffic_light", "commitments", "evaluated", "on_time", "late", "overdue",
            "overdue_milestones", "pending", "on_time_rate", "fulfilled_usd", "committed_usd",
            "max_days_overdue"]  # fmt: skip
    for r in rows:
        r["on_time_rate"] = None if r["on_time_rate"] is None else round(r["on_time_rate"], 3)
        r["fulfilled_usd"], r["committed_usd"] = (
            round(r["fulfilled_usd"]),
            round(r["committed_usd"]),
        )
    emit(rows, fmt, columns=cols, out=out)


@app.command("overdue")
def overdue_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reporting date.")] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Open commitments and milestones past their due date, most overdue first."""
    with runtime().session() as s:
        rows = performance.overdue_items(s, ACTOR, parse_date(as_of))
    emit(rows, fmt, out=out)


@app.command("demo")
def demo_cmd() -> None:
    """Load the hub demo (Qingdao SCO hub, seed 003's signing conference); idempotent."""
    from silkhub.hub import demo

    with runtime().session() as s:
        summary = demo.load_into(s, Actor.system("demo"))
    console.print(summary or "hub demo already loaded", soft_wrap=True)
