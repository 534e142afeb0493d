"""The read scope of list requests: no transaction round trips, writes still kept."""

from __future__ import annotations

from sqlalchemy import event, select

from silkhub.data.storage.models.reference import Country


def _autocommit(session) -> bool:  # type: ignore[no-untyped-def]
    """Whether the session's DBAPI connection is in autocommit mode (psycopg or sqlite3)."""
    dbapi = session.connection().connection.dbapi_connection
    if type(dbapi).__module__.startswith("psycopg"):
        return bool(dbapi.autocommit)
    return dbapi.isolation_level is None  # sqlite3: None is autocommit


def test_read_session_sends_no_begin_or_commit(runtime):
    sent: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        sent.append(statement.strip().split()[0].upper())

    def on_begin(conn):  # type: ignore[no-untyped-def]
        sent.append("BEGIN")

    runtime.engine.dispose()  # a fresh connection, so a ping is not mistaken for a query
    event.listen(runtime.engine, "before_cursor_execute", before)
    event.listen(runtime.engine, "begin", on_begin)
    try:
        with runtime.read_session() as s:
            assert s.scalar(select(Country.iso3).where(Country.iso3 == "DEU")) == "DEU"
            assert _autocommit(s)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", before)
        event.remove(runtime.engine, "begin", on_begin)
    # SQLAlchemy's "begin" event fires, but in autocommit mode the DBAPI sends no BEGIN/COMMIT
    assert [x for x in sent if x != "BEGIN"] == ["SELECT"]
    # the pooled connection is back in its normal isolation level for the next user
    with runtime.session() as s:
        assert not _autocommit(s)


def test_a_write_in_a_read_session_is_kept(runtime):
    with runtime.read_session() as s:
        country = s.get(Country, "DEU")
        country.name_en = "Germany (read scope)"
    with runtime.session() as s:
        assert s.get(Country, "DEU").name_en == "Germany (read scope)"
