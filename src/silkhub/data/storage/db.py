"""Engines, sessions and migrations for the hub database (SQLite or PostgreSQL).

The same Alembic migrations run unchanged on both. Migrations live in ``migrations/`` inside the
package; each feature keeps its own branch (``branch_labels``), so ``upgrade`` applies ``heads``.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from silkhub.errors import ConfigurationError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine, turning a malformed URL into a :class:`ConfigurationError`.

    ``schema`` (PostgreSQL only) sets the ``search_path`` so that a test can run in its own
    schema. SQLite gets foreign keys enforced and WAL journaling.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"invalid database URL {url!r}: expected e.g. sqlite:///path/silkhub.sqlite or "
            "postgresql+psycopg://user@host:5432/db"
        ) from exc
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args.setdefault("check_same_thread", False)
    elif parsed.get_backend_name() == "postgresql" and schema:
        connect_args["options"] = f"-csearch_path={schema}"
    if not (parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")):
        # the API runs sync endpoints in a 40-thread pool; a connection pool smaller than
        # that can deadlock (threads waiting for a connection block the clean-up that would
        # return one), so allow as many connections as threads and fail fast otherwise
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 40)
        kwargs.setdefault("pool_timeout", 10)
        kwargs.setdefault("pool_pre_ping", parsed.get_backend_name() != "sqlite")
    try:
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"cannot use database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        event.listen(engine, "before_cursor_execute", _sqlite_refuse_nul)
    return engine


def _sqlite_begin_before_savepoint(conn: Any, _name: str) -> None:
    """Open the outer transaction before a SAVEPOINT on SQLite.

    Python's sqlite3 module only emits BEGIN before INSERT/UPDATE/DELETE. A SAVEPOINT issued
    while no transaction is open (only SELECTs so far) therefore *starts* the transaction, and
    its RELEASE commits everything: a ``begin_nested()`` block would be committed even when the
    request's own COMMIT later fails or the session rolls back (issue 19: a DELETE survived
    a failed COMMIT while its audit entry was lost). BEGIN first keeps the savepoint nested.
    """
    dbapi_conn = conn.connection.dbapi_connection
    if dbapi_conn is not None and not dbapi_conn.in_transaction:
        conn.exec_driver_sql("BEGIN")


class NulTextError(sqlite3.DataError):
    """Text with NUL (U+0000) refused on SQLite, as PostgreSQL refuses it (a driver DataError,
    so SQLAlchemy wraps it as ``sqlalchemy.exc.DataError`` on both databases)."""


def _sqlite_refuse_nul(_conn, _cursor, _statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
    """Refuse text with NUL as PostgreSQL does, so that both databases answer the same (the
    API answers :class:`NulTextError` with the 422 ``validation.nul_text``)."""
    if _has_nul(parameters):
        raise NulTextError("text must not contain NUL (0x00) characters")


def _has_nul(value: Any) -> bool:
    """Whether a statement's parameters (a value, a row, a list of rows) hold a NUL in text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory that does not expire objects on commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session], *, autocommit: bool = False) -> Iterator[Session]:
    """Transactional scope: commit on success, roll back on any error.

    ``autocommit=True`` is the scope of a request that reads (:func:`read_scope`).
    """
    session = factory()
    try:
        if autocommit:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_scope(factory: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """Scope of a request that reads: its connection is in autocommit mode, so no ``BEGIN``
    and ``COMMIT`` round trips wrap the queries (two of the four a project-list page made).

    Statements see no common snapshot, each one commits on its own; small bookkeeping writes
    (a token's ``last_used_at``) are flushed at the end as in :func:`session_scope`. Use it
    only where nothing has to be atomic.
    """
    return session_scope(factory, autocommit=True)


def alembic_config(engine: Engine) -> Any:
    """An Alembic ``Config`` bound to ``engine`` (used by upgrade and by tests)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply all migrations up to ``revision`` (default: every branch head)."""
    check_connection(engine)
    if revision == "heads" and at_heads(engine):
        return  # nothing to do: skip importing Alembic (~0.2 s of every CLI command)
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
    logger.info("database migrated to %s", revision)


@functools.cache
def script_heads() -> frozenset[str] | None:
    """Head revisions of the migration scripts, read with ``ast`` (no Alembic import).

    None when a script cannot be read this way (then :func:`at_heads` says "unknown").
    Read once per process: the scripts do not change while it runs. ``SystemError`` is caught
    too: CPython 3.11 can leave ``ast.parse`` failing with "AST constructor recursion depth
    mismatch" after an unrelated deep parse elsewhere in the process; Alembic then decides.
    """
    import ast

    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values: dict[str, object] = {}
        try:
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                target = node.target if isinstance(node, ast.AnnAssign) else None
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                value = getattr(node, "value", None)
                if (
                    isinstance(target, ast.Name)
                    and target.id in ("revision", "down_revision")
                    and value is not None
                ):
                    values[target.id] = ast.literal_eval(value)
        except (SyntaxError, ValueError, SystemError, RecursionError):
            return None
        rev, down = values.get("revision"), values.get("down_revision")
        if not isinstance(rev, str):
            return None
        revisions.add(rev)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
    return frozenset(revisions - parents)


def at_heads(engine: Engine) -> bool:
    """True when the database's ``alembic_version`` rows are exactly the scripts' heads.

    A cheap check before :func:`upgrade`; any doubt (no table, other rows, unreadable scripts)
    answers False, and then Alembic decides.
    """
    heads = script_heads()
    if not heads:
        return False
    try:
        with engine.connect() as conn:
            rows = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # no table yet (fresh database), or no permission: let Alembic look
        return False
    return rows == heads


def ping(engine: Engine) -> None:
    """Run ``SELECT 1`` on a fresh connection (readiness probes); any failure propagates."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def check_connection(engine: Engine) -> None:
    """Open a connection and run ``SELECT 1``; a failure becomes a ConfigurationError."""
    try:
        ping(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigurationError(
            f"cannot connect to database {engine.url.render_as_string(hide_password=True)}: "
            f"{reason}"
        ) from exc
