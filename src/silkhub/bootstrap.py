"""Wire settings, database engine and sessions together at the edges (CLI, API, web).

``Runtime`` is built once per process from :class:`~silkhub.settings.Settings`; services below it
receive sessions and plain values, never settings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from silkhub.data.reference.loader import load_reference, reference_loaded
from silkhub.data.storage.db import (
    make_engine,
    make_session_factory,
    read_scope,
    session_scope,
    upgrade,
)
from silkhub.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Process-wide handles: settings, the SQL engine and a session factory."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    extras: dict[str, object] = field(default_factory=dict)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transactional session (commit on success, rollback on error)."""
        with session_scope(self.sessions) as s:
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for a request that only reads (no transaction round trips; see
        :func:`silkhub.data.storage.db.read_scope`)."""
        with read_scope(self.sessions) as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def make_runtime(settings: Settings, *, schema: str | None = None) -> Runtime:
    """Create the runtime without touching the schema (see :func:`prepare`)."""
    engine = make_engine(settings.database_url or "", schema=schema)
    return Runtime(settings=settings, engine=engine, sessions=make_session_factory(engine))


def prepare(runtime: Runtime, *, migrate: bool = True, reference: bool = True) -> None:
    """Apply migrations and load reference data if it is not there yet (first run)."""
    if migrate:
        upgrade(runtime.engine)
    if reference:
        with runtime.session() as s:
            if not reference_loaded(s):
                summary = load_reference(s)
                logger.info("reference data loaded: %s", summary)
