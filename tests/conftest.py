"""Shared fixtures: isolated databases (SQLite always, PostgreSQL when configured), the API
client, the CLI runner and the shared public datasets.

Tests that need what a fresh clone may lack (PostgreSQL, Chromium, ../shared/data) skip with a
one-line reason; with ``CI=true`` they fail instead, so CI never skips them silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from silkhub.bootstrap import Runtime, make_runtime, prepare
from silkhub.settings import Settings, get_settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("SILKHUB_TEST_DATABASE_URL")


def need(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when ``condition`` is false."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The staged public datasets (SILKHUB_SHARED_DATA, default ../shared/data)."""
    path = Settings().shared_data
    need(path.is_dir(), f"shared data not found at {path} (set SILKHUB_SHARED_DATA)")
    return path


def _pg_schema_runtime(tmp_path: Path) -> Iterator[Runtime]:
    need(bool(PG_URL), "PostgreSQL not configured (set SILKHUB_TEST_DATABASE_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL))
    with admin.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    rt = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL), schema=schema)
    try:
        yield rt
    finally:
        rt.dispose()
        with admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bare_runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime on an empty database (no migrations), on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        rt = make_runtime(
            Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'test.sqlite'}")
        )
        yield rt
        rt.dispose()
    else:
        yield from _pg_schema_runtime(tmp_path)


@pytest.fixture
def runtime(bare_runtime: Runtime) -> Runtime:
    """A migrated runtime with reference data, on SQLite and on PostgreSQL."""
    prepare(bare_runtime)
    return bare_runtime


@pytest.fixture
def sqlite_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite-only runtime, for tests where the database does not matter."""
    rt = make_runtime(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'test.sqlite'}")
    )
    prepare(rt)
    yield rt
    rt.dispose()


@pytest.fixture
def client(runtime: Runtime):
    """A TestClient on the full app (API + web) over ``runtime``."""
    from fastapi.testclient import TestClient

    from silkhub.server import create_app

    with TestClient(create_app(runtime=runtime, init=False)) as c:
        yield c


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``silkhub ARGS`` in-process against a fresh SQLite data dir; returns CliResult."""
    from silkhub.cli import main
    from silkhub.cli.common import reset_runtime

    monkeypatch.setenv("SILKHUB_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SILKHUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    # Rich reads COLUMNS when the console is created (at import): fix the width here so that
    # tables are laid out the same with or without a terminal (CI writes to a file)
    from silkhub.cli import output

    monkeypatch.setattr(output.console, "_width", 200)
    monkeypatch.setattr(output.err_console, "_width", 200)
    get_settings.cache_clear()
    reset_runtime()

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    yield run
    reset_runtime()
    get_settings.cache_clear()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """List each schemathesis run's seed and counts (recorded by the tests as a property, so
    that runs on xdist workers show them too, passed or failed)."""
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for rep in reports
        if getattr(rep, "when", None) == "call"
        for name, value in getattr(rep, "user_properties", ())
        if name == "schemathesis"
    ]
    if lines:
        terminalreporter.section("schemathesis seeds")
        for line in sorted(lines):
            terminalreporter.write_line(line)
