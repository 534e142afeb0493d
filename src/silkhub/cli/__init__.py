"""The ``silkhub`` command line (Typer). Thin: parse, call a service, render.

Exit codes: 0 success, 1 user error (one line on stderr, no traceback), 2 usage error.
Each feature owns one module exposing ``app`` (a Typer) or ``register(root)``; see FEATURES.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Annotated

import typer

from silkhub import __version__
from silkhub.cli.common import runtime
from silkhub.cli.output import console, err_console
from silkhub.cli.reference import countries_app, db_app, ref_app, regions_app
from silkhub.errors import SilkhubError

app = typer.Typer(
    name="silkhub",
    help=(
        "silkhub — Belt and Road participation analytics and cooperation hub.\n\n"
        "Data lives in SILKHUB_DATA_DIR (default ./var); the hub database is "
        "SILKHUB_DATABASE_URL (default SQLite in the data dir)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(db_app, name="db")
app.add_typer(ref_app, name="ref")
app.add_typer(countries_app, name="countries")
app.add_typer(regions_app, name="regions")

#: (module, command name) of feature CLIs; a module that does not exist yet is skipped.
#: A module with ``register(root_app)`` adds its own commands; else its ``app`` is mounted.
FEATURES: list[tuple[str, str]] = [
    ("data", "data"),
    ("analytics", "indicators"),
    ("index", "index"),
    ("gravity", "gravity"),
    ("hub", "hub"),
    ("users", "users"),
    ("match", "match"),
    ("event", "event"),
    ("report", "report"),
    ("talent", "talent"),
    ("places", "places"),
]


def _load_features() -> None:
    for module, name in FEATURES:
        try:
            mod = importlib.import_module(f"silkhub.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"silkhub.cli.{module}":
                continue
            raise
        if hasattr(mod, "register"):
            mod.register(app)
        else:
            app.add_typer(mod.app, name=name)


def _version(value: bool) -> None:
    if value:
        console.print(f"silkhub {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load the demo data on first run.")] = True,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Migrate the database, load reference (and demo) data, and serve the web app and API."""
    import uvicorn

    from silkhub.demo import load_demo
    from silkhub.server import create_app

    rt = runtime()
    if demo:
        for line in load_demo(rt):
            console.print(line)
    console.print(f"silkhub serving on http://{host}:{port}  (API docs: /api/v1/docs)")
    # proxy headers are handled by the app, for SILKHUB_TRUSTED_PROXIES only (uvicorn's own
    # default would believe X-Forwarded-For from any local peer)
    uvicorn.run(
        create_app(runtime=rt, init=False),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
    )


_load_features()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point with the one error mapper for the CLI."""
    try:
        app(args=argv, prog_name="silkhub", standalone_mode=True)
    except SilkhubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        sys.exit(1)
