"""Fixtures of the reliability tests: a TestClient that shows the server's own answer to an
error (no re-raise), accounts with tokens, and a switch that makes COMMIT fail.

The SIGKILL test serves the app in a real uvicorn subprocess (see :mod:`tests.reliability._server`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from silkhub.bootstrap import Runtime, make_runtime, prepare
from silkhub.settings import Settings
from tests.api._accounts import Account, make_account, use_fast_hashing
from tests.conftest import PG_URL, need


class CommitFault:
    """Makes every database COMMIT on ``runtime``'s engine fail while armed.

    The failure is raised from the engine's ``commit`` event, i.e. where the DBAPI COMMIT would
    run, so the transaction is rolled back exactly as after a lost connection or a full disk.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.armed = False
        self.failed = 0
        event.listen(runtime.engine, "commit", self._on_commit)

    def _on_commit(self, _conn: Any) -> None:
        if self.armed:
            self.failed += 1
            raise OperationalError("COMMIT", {}, RuntimeError("injected COMMIT failure"))

    def remove(self) -> None:
        event.remove(self.runtime.engine, "commit", self._on_commit)


@pytest.fixture
def commit_fault(runtime: Runtime) -> Iterator[CommitFault]:
    fault = CommitFault(runtime)
    yield fault
    fault.remove()


@pytest.fixture
def rclient(runtime: Runtime):
    """A TestClient on the full app whose server errors come back as responses (500s)."""
    from fastapi.testclient import TestClient

    from silkhub.server import create_app

    with TestClient(create_app(runtime=runtime, init=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def admin(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Account:
    use_fast_hashing(monkeypatch)
    return make_account(runtime, "admin@example.org", "admin", None)


@dataclass
class ServedDatabase:
    """A migrated database for a server subprocess: its URL, schema (PostgreSQL) and the
    test's own runtime on it."""

    runtime: Runtime
    url: str
    schema: str | None
    data_dir: Path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedDatabase]:
    """A migrated database (SQLite file, or a PostgreSQL schema dropped afterwards)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'served.sqlite'}"
        rt = make_runtime(Settings(data_dir=tmp_path, database_url=url))
        prepare(rt)
        yield ServedDatabase(rt, url, None, tmp_path)
        rt.dispose()
        return
    need(bool(PG_URL), "PostgreSQL not configured (set SILKHUB_TEST_DATABASE_URL)")
    assert PG_URL
    schema = f"r_{uuid.uuid4().hex[:12]}"
    admin_rt = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL))
    with admin_rt.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    rt = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL), schema=schema)
    try:
        prepare(rt)
        yield ServedDatabase(rt, PG_URL, schema, tmp_path)
    finally:
        rt.dispose()
        with admin_rt.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_rt.dispose()
