"""``silkhub event``: events and signings (list, show, totals)."""

from __future__ import annotations

from typing import Annotated

import typer

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit
from silkhub.hub import events as ev
from silkhub.hub.policy import Actor

app = typer.Typer(help="Events (conferences, roadshows ...) and the projects signed at them.",
                  no_args_is_help=True)  # fmt: skip
ACTOR = Actor.system("cli")


@app.command("list")
def list_cmd(
    kind: Annotated[str | None, typer.Option(help="conference, online_conference, ...")] = None,
    country: Annotated[str | None, typer.Option(help="ISO3 code or name.")] = None,
    date_from: Annotated[str | None, typer.Option(help="From date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option(help="To date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="Rows (1–500).")] = 100,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List events, newest first."""
    with runtime().session() as s:
        page = ev.list_events(
            s, ACTOR, kind=kind, country=country, date_from=parse_date(date_from, "date-from"),
            date_to=parse_date(date_to, "date-to"), limit=limit,
        )  # fmt: skip
        rows = [
            {"id": e.id, "start_on": e.start_on, "kind": e.kind, "title_en": e.title_en,
             "title_zh": e.title_zh, "place": e.place, "projects": len(e.projects)}
            for e in page.items
        ]  # fmt: skip
    emit(rows, fmt, out=out)


@app.command("show")
def show_cmd(
    event_id: Annotated[int, typer.Argument(help="Event id.")],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show an event and the projects announced or signed there."""
    with runtime().session() as s:
        e = ev.get_event(s, ACTOR, event_id)
        console.print(f"{e.id}  {e.start_on}  {e.kind}  {e.title_en or ''} {e.title_zh or ''}")
        rows = [
            {"project_id": x.project_id, "kind": x.kind,
             "amount": None if x.amount is None else float(x.amount), "currency": x.currency}
            for x in e.projects
        ]  # fmt: skip
    emit(rows, fmt, out=out)


@app.command("totals")
def totals_cmd(
    event_id: Annotated[int, typer.Argument(help="Event id.")],
    lang: Annotated[str, typer.Option(help="en or zh.")] = "en",
    fmt: FormatOpt = Format.table,
) -> None:
    """Signed and announced totals, e.g. '10 projects, 42.7 bn CNY signed; ...'."""
    with runtime().session() as s:
        t = ev.event_totals(s, ACTOR, event_id)
    if fmt is Format.table:
        console.print(t.describe(lang))
        return
    rows = [
        {"kind": k.kind, "projects": k.projects, "usd": k.usd,
         **{f"amount_{c}": float(a) for c, a in k.amounts.items()}, "text": k.describe(lang)}
        for k in (t.signed, t.announced)
    ]  # fmt: skip
    emit(rows, fmt)
