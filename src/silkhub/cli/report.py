"""``silkhub report``: region and event reports as HTML, PDF or XLSX."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from silkhub.cli.common import runtime
from silkhub.cli.output import console

app = typer.Typer(
    help=(
        "Reports with charts, tables and the provenance of every figure: "
        "a region against its peers, or an event of the cooperation hub."
    ),
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


FormatArg = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Output format: html, pdf or xlsx.")
]
OutArg = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="File to write (default: ./silkhub-<name>.<format>)."),
]
LangArg = Annotated[Lang, typer.Option("--lang", help="Report language: en or zh.")]
QuietArg = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def _write(data: bytes, out: Path | None, default: str, fmt: str, quiet: bool) -> Path:
    path = out or Path(f"silkhub-{default}.{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if not quiet:
        console.print(f"wrote {path} ({len(data):,} bytes)")
    return path


def _command() -> str:
    return "silkhub " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv else ""


@app.command("region")
def region(
    unit: Annotated[
        str, typer.Option("--unit", "-u", help="Region id or name, e.g. Jinan or CN-SD-jinan.")
    ],
    peers: Annotated[
        str, typer.Option("--peers", "-p", help="Comma-separated peers, e.g. Hangzhou,Qingdao.")
    ] = "",
    fmt: FormatArg = ReportFormat.html,
    out: OutArg = None,
    lang: LangArg = Lang.en,
    quiet: QuietArg = False,
    background: Annotated[
        bool, typer.Option("--background", help="Run as a job (see `silkhub jobs`); prints its id.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="With --background: wait for the job, write the file.")
    ] = False,
) -> None:
    """Report on a city or province against its peers: openness, regional indicators,
    the internationalisation index (pillar radar, ranks with intervals, strengths and
    weaknesses), air connectivity — with the sources of every figure.

    Example: silkhub report region --unit Jinan --peers Hangzhou,Qingdao --format pdf
    """
    if background:
        from silkhub.cli.jobs import submit_and_follow

        slug = unit.strip().lower().replace(" ", "-")
        params = {"unit": unit, "peers": peers, "format": fmt.value, "lang": lang.value}
        submit_and_follow(
            "report.region", params, wait=wait,
            out=out or Path(f"silkhub-region-{slug}.{fmt.value}"), quiet=quiet,
        )  # fmt: skip
        return
    from silkhub.report.builders import region_report
    from silkhub.report.data import StoreReader
    from silkhub.report.render import render

    rt = runtime()
    reader = StoreReader(rt.settings.analytics_dir)
    try:
        with rt.session() as s:
            profile = region_report(
                s, reader, unit, [p for p in peers.split(",") if p.strip()], lang.value
            )
            slug = unit.strip().lower().replace(" ", "-")
    finally:
        reader.close()
    data = render(profile, fmt.value, lang.value, command=_command())
    _write(data, out, f"region-{slug}", fmt.value, quiet)


@app.command("hub")
def hub(
    event: Annotated[int, typer.Option("--event", "-e", help="Event id (see the web UI).")],
    fmt: FormatArg = ReportFormat.html,
    out: OutArg = None,
    lang: LangArg = Lang.en,
    quiet: QuietArg = False,
) -> None:
    """Report on a hub event: signed and announced totals, its projects by stage and country,
    agreements signed there and how their commitments perform.

    Example: silkhub report hub --event 1 --format xlsx
    """
    from silkhub.hub.policy import Actor
    from silkhub.report.builders import hub_report
    from silkhub.report.render import render

    rt = runtime()
    with rt.session() as s:
        profile = hub_report(s, Actor.system("cli"), event, lang.value)
    data = render(profile, fmt.value, lang.value, command=_command())
    _write(data, out, f"event-{event}", fmt.value, quiet)
