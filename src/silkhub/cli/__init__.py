"""The ``silkhub`` command line (Typer). Thin: parse, call a service, render.

Exit codes: 0 success, 1 user error (one line on stderr, no traceback), 2 usage error.

Start-up is kept cheap (``silkhub --version`` imports Typer and nothing heavy): every command
group is *lazy*. The root group knows each group's name and one-line help from :data:`COMMANDS`
and imports the module(s) behind a group only when that group is invoked (or asked for its own
``--help``). A feature module exposes ``app`` (a Typer) or ``register(root)``; a module may add
commands to another module's group in its ``register`` (``match`` adds ``event schedule``), so a
:class:`Lazy` entry lists every module that contributes to the group.
``tests/cli/test_startup.py`` keeps the help texts and contributor lists in step with the modules.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from silkhub import __version__


@dataclass(frozen=True)
class Lazy:
    """A top-level command whose module(s) are imported on first use."""

    name: str
    #: feature modules (``silkhub.cli.<module>``) contributing to it, the defining one first
    modules: tuple[str, ...]
    #: the help line shown by ``silkhub --help`` (the group's own ``help``)
    help: str
    #: a plain command (not a group): listed before the groups, as Typer does
    command: bool = False


#: every lazily loaded top-level command, in ``--help`` order
COMMANDS: tuple[Lazy, ...] = (
    Lazy(
        "benchmark",
        ("index",),
        "Benchmark a unit against peers: pillar scores, ranks with Monte Carlo intervals,\n"
        "strengths and weaknesses by standardised gap, and what it would take to reach the peers.",
        command=True,
    ),
    Lazy("db", ("reference",), "Database maintenance (migrations)."),
    Lazy("ref", ("reference",), "Reference data: countries, groups, regions."),
    Lazy("countries", ("reference",), "Countries and country groups (as of a date)."),
    Lazy("regions", ("reference",), "Sub-national regions (provinces, cities)."),
    Lazy(
        "data",
        ("data",),
        "Imported datasets: list the catalog, show provenance, import public files, "
        "fetch from live APIs, write templates, load demo data.",
    ),
    Lazy(
        "indicators",
        ("analytics",),
        "Openness indicators, group shares, RCA and trade-fit measures.",
    ),
    Lazy(
        "partners",
        ("analytics", "gravity"),
        "Trade partners of a reporter: rankings with shares, growth and balance.",
    ),
    Lazy("complexity", ("analytics",), "Economic complexity: ECI, PCI and which products next."),
    Lazy(
        "index",
        ("index",),
        "Composite indices (city internationalization, country openness): frameworks, "
        "computation with every step recorded, coherence and Monte Carlo uncertainty.",
    ),
    Lazy(
        "gravity",
        ("gravity",),
        "Structural gravity (PPML with exporter-year, importer-year and pair fixed effects): "
        "fit declarative specs, show stored runs, estimate policy effects.",
    ),
    Lazy(
        "hub",
        ("hub", "match"),
        "Cooperation hub: organisations, projects and their lifecycle, events, agreements.",
    ),
    Lazy("users", ("users",), "User accounts, roles and API tokens (admin). Changes are audited."),
    Lazy(
        "match",
        ("match",),
        "Explainable matchmaking: who an organisation should meet, who to involve in a project. "
        "Each score is a sum of parts (sector, offer/request fit, geography, B&R/SCO, trade, "
        "size, language, text) shown with its contribution.",
    ),
    Lazy(
        "event",
        ("event", "match"),
        "Events (conferences, roadshows ...) and the projects signed at them.",
    ),
    Lazy(
        "report",
        ("report",),
        "Reports with charts, tables and the provenance of every figure: "
        "a region against its peers, or an event of the cooperation hub.",
    ),
    Lazy(
        "talent",
        ("talent",),
        "International talent: profiles (private by default), positions, suggestions.",
    ),
    Lazy(
        "places",
        ("places",),
        "Living-environment directory: international schools, hospitals, consulates, services.",
    ),
    Lazy(
        "jobs",
        ("jobs",),
        "Background jobs (reports, imports ...): list, show, submit, cancel, download; "
        "`silkhub jobs worker` runs a job worker (needs SILKHUB_JOBS_BROKER).",
    ),
)
_BY_NAME = {c.name: c for c in COMMANDS}

#: the reference module mounts four groups (it has no ``register``)
_REFERENCE_APPS = {
    "db": "db_app",
    "ref": "ref_app",
    "countries": "countries_app",
    "regions": "regions_app",
}


class _Features:
    """Feature modules registered so far, on a Typer of their own (one per process)."""

    def __init__(self) -> None:
        self.root = typer.Typer(pretty_exceptions_enable=False, rich_markup_mode="rich")
        self.root.callback()(lambda: None)  # always a group, even with one command
        self.loaded: set[str] = set()
        self._group: TyperGroup | None = None

    def _register(self, module: str) -> None:
        mod = importlib.import_module(f"silkhub.cli.{module}")
        if module == "reference":
            for name, attr in _REFERENCE_APPS.items():
                self.root.add_typer(getattr(mod, attr), name=name)
        elif hasattr(mod, "register"):
            mod.register(self.root)
        else:
            self.root.add_typer(mod.app, name=module)

    def command(self, name: str, modules: tuple[str, ...]) -> _click.Command | None:
        """The click command ``name``, after registering ``modules`` (each once)."""
        new = [m for m in modules if m not in self.loaded]
        for module in new:
            self._register(module)
            self.loaded.add(module)
        if new or self._group is None:
            self._group = typer.main.get_group(self.root)
        return self._group.commands.get(name)


_features = _Features()


class _Placeholder(TyperCommand):
    """Stands for a lazy command in ``--help`` listings and completion (no import)."""


class LazyGroup(TyperGroup):
    """The root group: eager commands (``serve``) plus :data:`COMMANDS` loaded on demand."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for spec in COMMANDS:
            self.commands.setdefault(spec.name, _Placeholder(spec.name, help=spec.help))
        self._listing = 0

    def list_commands(self, ctx: _click.Context) -> list[str]:
        eager = [n for n, c in self.commands.items() if not isinstance(c, _Placeholder)]
        plain = [c.name for c in COMMANDS if c.command]
        groups = [c.name for c in COMMANDS if not c.command]
        return [*eager, *plain, *groups]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        cmd = self.commands.get(cmd_name)
        if not isinstance(cmd, _Placeholder) or self._listing:
            return cmd
        real = _features.command(cmd_name, _BY_NAME[cmd_name].modules)
        if real is not None:
            self.commands[cmd_name] = real
        return real

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing += 1
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing -= 1

    def shell_complete(self, ctx: _click.Context, incomplete: str) -> list[Any]:
        self._listing += 1
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing -= 1


app = typer.Typer(
    name="silkhub",
    cls=LazyGroup,
    help=(
        "silkhub — Belt and Road participation analytics and cooperation hub.\n\n"
        "Data lives in SILKHUB_DATA_DIR (default ./var); the hub database is "
        "SILKHUB_DATABASE_URL (default SQLite in the data dir)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def load_all() -> dict[str, _click.Command]:
    """Import every feature and return the real top-level commands (tests, docs)."""
    out = {}
    for spec in COMMANDS:
        cmd = _features.command(spec.name, spec.modules)
        if cmd is not None:
            out[spec.name] = cmd
    return out


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"silkhub {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    from silkhub.logging_setup import configure_logging

    configure_logging(verbose=verbose)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load the demo data on first run.")] = True,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API worker processes (uvicorn). Above 1 the workers share nothing but the "
            "database: use PostgreSQL (see docs/deploy.md).",
        ),
    ] = 1,
) -> None:
    """Migrate the database, load reference (and demo) data, and serve the web app and API."""
    from silkhub.cli.serve import serve as run_server

    run_server(host=host, port=port, demo=demo, reload=reload, workers=workers)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point with the one error mapper for the CLI."""
    from silkhub.errors import SilkhubError

    try:
        app(args=argv, prog_name="silkhub", standalone_mode=True)
    except SilkhubError as exc:
        from silkhub.cli.output import err_console

        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        sys.exit(1)
