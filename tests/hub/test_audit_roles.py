"""The production database set-up of docs/security.md ("Database roles"), on PostgreSQL: the
app runs as a role that works normally but cannot change, delete or truncate audit rows, nor
disable the append-only triggers."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from silkhub.bootstrap import make_runtime, prepare
from silkhub.data.storage.models.accounts import AuditEntry
from silkhub.hub import accounts, projects
from silkhub.hub.policy import Actor
from silkhub.settings import Settings
from tests.api._accounts import FAST_HASHER
from tests.conftest import PG_URL, need

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
PW = "correct horse battery staple"


def grant_statements(schema: str, role: str) -> list[str]:
    """The grants block of docs/security.md, for this schema and role."""
    doc = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- app-role-grants[^>]*-->\s*```sql\n(.*?)```", doc, re.S)
    assert block, "docs/security.md lost its app-role-grants block"
    sql = block.group(1).replace("silkhub_app", role)
    sql = re.sub(r"\bsilkhub\b(?=\.| TO)", f'"{schema}"', sql)
    return [s.strip() for s in sql.split(";") if s.strip()]


@pytest.fixture
def app_role_runtime(tmp_path):
    need(bool(PG_URL), "PostgreSQL not configured (set SILKHUB_TEST_DATABASE_URL)")
    assert PG_URL is not None
    suffix = uuid.uuid4().hex[:10]
    schema, role = f"t_roles_{suffix}", f"silkhub_app_{suffix}"
    owner = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL))
    with owner.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(
            text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        )
    migrator = make_runtime(Settings(data_dir=tmp_path, database_url=PG_URL), schema=schema)
    prepare(migrator)  # the owner migrates and loads the reference data
    with migrator.engine.begin() as conn:
        for stmt in grant_statements(schema, role):
            conn.execute(text(stmt))
    migrator.dispose()
    app_url = make_url(PG_URL).set(username=role, password=None)
    app = make_runtime(
        Settings(data_dir=tmp_path, database_url=app_url.render_as_string(hide_password=False)),
        schema=schema,
    )
    try:
        yield app
    finally:
        app.dispose()
        with owner.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


@pytest.mark.postgres
def test_app_role_works_but_cannot_tamper_with_the_audit_log(app_role_runtime) -> None:
    rt = app_role_runtime
    prepare(rt)  # start-up as the app: schema at head, nothing to migrate, reference there
    system = Actor.system()
    with rt.session() as s:  # the app works: accounts, sign-in limit, projects, audit
        user = accounts.create_user(s, system, "admin@hub.cn", PW, role="admin", hasher=FAST_HASHER)
        uid = user.id
    with rt.session() as s, pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(s, "admin@hub.cn", "wrong password x", hasher=FAST_HASHER)
    with rt.session() as s:
        user = accounts.authenticate(s, "admin@hub.cn", PW, hasher=FAST_HASHER)
        actor = accounts.actor_for(user)
        p = projects.create_project(s, actor, projects.ProjectIn(title_en="Port"))
        projects.transition(s, actor, p.id, "negotiating")
        projects.delete_project(s, actor, p.id)
        accounts.unlock_user(s, actor, uid)
    with rt.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[0] == "user.create" and "project.delete" in actions
        count = len(actions)
    tampering = [
        "UPDATE audit_entry SET actor_label = 'nobody'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
        "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
        "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change",
        "DROP TRIGGER audit_entry_no_change ON audit_entry",
        "SET session_replication_role = replica",
        "DROP TABLE audit_entry",
        "CREATE TABLE audit_entry_copy (id int)",
    ]
    for stmt in tampering:
        with rt.engine.connect() as conn:
            with pytest.raises(DBAPIError) as exc:
                conn.execute(text(stmt))
            message = str(exc.value.orig).lower()
            assert "permission denied" in message or "must be owner" in message, (stmt, message)
            conn.rollback()
    with rt.session() as s:
        assert s.scalar(select(text("count(*)")).select_from(AuditEntry)) == count
        assert "nobody" not in set(s.scalars(select(AuditEntry.actor_label)))
