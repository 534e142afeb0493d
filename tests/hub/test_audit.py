"""The audit log: entries recorded with before/after, JSON-safe, redacted, append-only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from silkhub.data.storage.models.accounts import AppendOnlyError, AuditEntry
from silkhub.data.storage.models.hub import Organisation
from silkhub.errors import AuthenticationError, PermissionDeniedError, ValidationError
from silkhub.hub import audit
from silkhub.hub.policy import Actor

ALICE = Actor(None, 3, "operator", label="alice@hub.cn")
ROOT = Actor(1, None, "admin", label="root@hub.cn")


def test_record_with_before_after_json_safe(runtime) -> None:
    with runtime.session() as s:
        org = Organisation(kind="soe", name_en="Qingdao Port")
        s.add(org)
        s.flush()
        before = audit.snapshot(org)
        org.name_zh = "青岛港"
        s.flush()
        after = audit.snapshot(org)
        assert audit.changes(before, after).keys() == {"name_zh", "updated_at"}
        audit.record(
            s,
            ALICE,
            "organisation.update",
            "organisation",
            org.id,
            before,
            {
                **after,
                "amount": Decimal("42.70"),
                "signed": date(2020, 5, 1),
                "password": "hunter2",
                "tags": {
                    "a",
                },
            },
        )
    with runtime.session() as s:
        e = s.scalar(select(AuditEntry))
        assert e.actor_label == "alice@hub.cn" and e.actor_role == "operator"
        assert e.before["name_zh"] is None and e.after["name_zh"] == "青岛港"
        assert e.after["amount"] == "42.70" and e.after["signed"] == "2020-05-01"
        assert e.after["password"] == "***" and e.after["tags"] == ["a"]
        assert e.entity == "organisation" and e.entity_id == str(org.id)


def test_orm_guard_refuses_update_and_delete(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        entry_id = audit.record(s, Actor.system(), "x.create", "x", 1, None, {"a": 1}).id
    with pytest.raises(AppendOnlyError), sqlite_runtime.session() as s:
        e = s.get(AuditEntry, entry_id)
        e.action = "x.forged"
        s.flush()
    with pytest.raises(AppendOnlyError), sqlite_runtime.session() as s:
        s.delete(s.get(AuditEntry, entry_id))
        s.flush()


@pytest.mark.parametrize(
    "stmt",
    [
        pytest.param(update(AuditEntry).values(action="forged"), id="update"),
        pytest.param(delete(AuditEntry), id="delete"),
    ],
)
def test_database_triggers_refuse_update_and_delete(runtime, stmt) -> None:
    with runtime.session() as s:
        audit.record(s, Actor.system(), "x.create", "x", 1, None, {"a": 1})
    with pytest.raises(DatabaseError, match="append-only"), runtime.session() as s:
        s.execute(stmt)
    with runtime.session() as s:
        assert s.scalar(select(AuditEntry.action)) == "x.create"


def test_raw_sql_delete_refused_too(runtime) -> None:
    with runtime.session() as s:
        audit.record(s, Actor.system(), "x.create", "x", 1)
    with pytest.raises(DatabaseError, match="append-only"), runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))


def test_list_entries_filters_and_cursor(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        for i in range(7):
            audit.record(s, ALICE, "project.update", "project", i % 2, None, {"i": i})
        audit.record(s, Actor.system(), "user.create", "user", 1)
    with sqlite_runtime.session() as s:
        page = audit.list_entries(s, ROOT, entity="project", limit=3)
        assert [e.after["i"] for e in page.items] == [6, 5, 4]
        page2 = audit.list_entries(s, ROOT, entity="project", limit=3, cursor=page.next_cursor)
        assert [e.after["i"] for e in page2.items] == [3, 2, 1]
        page3 = audit.list_entries(s, ROOT, entity="project", limit=3, cursor=page2.next_cursor)
        assert [e.after["i"] for e in page3.items] == [0] and page3.next_cursor is None
        odd = audit.list_entries(s, ROOT, entity="project", entity_id=1)
        assert [e.after["i"] for e in odd.items] == [5, 3, 1]
        assert [e.action for e in audit.history(s, ROOT, "user", 1)] == ["user.create"]
        now = datetime.now(UTC)
        assert audit.list_entries(s, ROOT, since=now + timedelta(hours=1)).items == []
        assert len(audit.list_entries(s, ROOT, until=now + timedelta(hours=1)).items) == 8
        with pytest.raises(ValidationError):
            audit.list_entries(s, ROOT, limit=0)
        with pytest.raises(ValidationError):
            audit.list_entries(s, ROOT, since=now, until=now)


def test_only_staff_read_the_log(sqlite_runtime) -> None:
    with sqlite_runtime.session() as s:
        with pytest.raises(PermissionDeniedError):
            audit.list_entries(s, Actor(1, 2, "member"))
        with pytest.raises(PermissionDeniedError):
            audit.history(s, Actor(1, 2, "viewer"), "project", 1)
        with pytest.raises(AuthenticationError):
            audit.list_entries(s, Actor.anonymous())


def test_there_is_no_update_or_delete_api() -> None:
    public = {n for n in dir(audit) if not n.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "edit"))}


def test_operators_see_no_private_records_in_the_log(sqlite_runtime) -> None:
    admin = ROOT
    with sqlite_runtime.session() as s:
        pub = {"visibility": "public", "title_en": "Port"}
        audit.record(s, Actor.system(), "project.create", "project", 1, None, pub)
        for i in range(5):
            hidden = {"visibility": "private", "title_en": "secret", "i": i}
            audit.record(s, Actor.system(), "project.update", "project", 2, hidden, hidden)
        audit.record(s, Actor.system(), "commitment.create", "commitment", 3, None, {"w": "x"})
        audit.record(s, Actor.system(), "user.set_role", "user", 4, {"role": "a"}, {"role": "b"})
    with sqlite_runtime.session() as s:
        assert len(audit.list_entries(s, admin).items) == 8
        seen = audit.list_entries(s, ALICE)  # operator: private entries hidden
        assert [(e.entity, e.redacted) for e in seen.items] == [
            ("user", False),  # accounts are staff-readable
            # the commitment (no such record, no agreement known): hidden, not redacted
            ("project", False),  # a public project (gone: its last snapshot says public)
        ]
        assert seen.items[1].after["title_en"] == "Port"
        page = audit.list_entries(s, ALICE, limit=1)
        rest = audit.list_entries(s, ALICE, limit=1, cursor=page.next_cursor)
        assert [e.entity for e in page.items + rest.items] == ["user", "project"]
        assert audit.history(s, ALICE, "project", 2) == []
        assert len(audit.history(s, admin, "project", 2)) == 5


def test_operators_see_nothing_of_records_they_cannot_read(runtime) -> None:
    """Entries without a visibility in their snapshots (transitions, child rows) follow the
    record they are about: hidden, id, actor and time included (issue 19, defect 10)."""
    from silkhub.hub import agreements, projects

    system = Actor.system()
    with runtime.session() as s:
        a = Organisation(kind="soe", name_en="A", visibility="public")
        b = Organisation(kind="soe", name_en="B", visibility="private")
        s.add_all([a, b])
        s.flush()
        audit.record(s, system, "organisation.note", "organisation", b.id, None, {"x": 1})
        own = {"parties": [{"organisation_id": a.id, "role": "owner"}]}
        secret = projects.create_project(
            s, system, projects.ProjectIn(title_en="secret", visibility="private", **own)
        )
        shared = projects.create_project(
            s, system, projects.ProjectIn(title_en="shared", visibility="operators", **own)
        )
        projects.transition(s, system, secret.id, "negotiating")
        projects.transition(s, system, shared.id, "negotiating")
        deal = {"kind": "mou", "title_en": "MoU", "party_ids": [a.id]}
        hidden_deal = agreements.create_agreement(
            s, system, agreements.AgreementIn(**deal, visibility="private")
        )
        open_deal = agreements.create_agreement(s, system, agreements.AgreementIn(**deal))
        for ag in (hidden_deal, open_deal):
            agreements.add_commitment(
                s, system, ag.id, agreements.CommitmentIn(owed_by_id=a.id, what_en="cranes")
            )
        gone = projects.create_project(
            s, system, projects.ProjectIn(title_en="gone", visibility="private", **own)
        )
        projects.transition(s, system, gone.id, "negotiating")
        projects.delete_project(s, system, gone.id)
        ids = {"secret": secret.id, "shared": shared.id, "gone": gone.id}
        deals = {"hidden": hidden_deal.id, "open": open_deal.id, "org_a": a.id, "org_b": b.id}
    operator = Actor(None, None, "operator", label="op")
    with runtime.session() as s:
        everything = audit.list_entries(s, ROOT, limit=500).items
        seen = audit.list_entries(s, operator, limit=500).items
        assert all(not e.redacted for e in seen)
        about = {(e.entity, e.entity_id) for e in seen}
        for name in ("secret", "gone"):  # private (now or when deleted): nothing at all
            assert ("project", str(ids[name])) not in about
            assert len(audit.history(s, ROOT, "project", ids[name])) >= 2
            assert audit.history(s, operator, "project", ids[name]) == []
        assert ("organisation", str(deals["org_b"])) not in about
        assert ("agreement", str(deals["hidden"])) not in about
        commitments = [e for e in seen if e.entity == "commitment"]
        assert [e.after["agreement_id"] for e in commitments] == [deals["open"]]
        shared_actions = [e.action for e in audit.history(s, operator, "project", ids["shared"])]
        assert shared_actions == ["project.create", "project.transition"]
        assert len(everything) > len(seen)
        # an operator of an owning organisation sees its private records
        member_op = Actor(None, deals["org_a"], "operator", label="op-a")
        assert audit.history(s, member_op, "project", ids["secret"])
