"""Fixtures of the hub tests: a session on the migrated database (SQLite and PostgreSQL),
actors and a couple of organisations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from silkhub.hub import organisations as orgs
from silkhub.hub.policy import Actor

SYSTEM = Actor.system()


@pytest.fixture
def session(runtime) -> Iterator[Session]:
    """A session whose work is committed at the end of the test (on SQLite and PostgreSQL)."""
    with runtime.session() as s:
        yield s


@pytest.fixture
def two_orgs(session: Session) -> tuple[int, int]:
    """Two SOEs: (COSCO in Qingdao, a Kazakh chamber of commerce)."""
    a = orgs.create_organisation(
        session,
        SYSTEM,
        orgs.OrganisationIn(
            kind="soe", name_en="COSCO", name_zh="中远海运", iso3="CHN", region_id="Qingdao"
        ),
    )
    b = orgs.create_organisation(
        session,
        SYSTEM,
        orgs.OrganisationIn(kind="chamber_of_commerce", name_en="Kazakh chamber", iso3="KAZ"),
    )
    return a.id, b.id


def member(session: Session, org_id: int | None, role: str = "member") -> Actor:
    """An actor backed by a real user row (the audit log references users)."""
    from silkhub.data.storage.models.accounts import User

    user = User(
        email=f"{role}-{org_id}-{uuid.uuid4().hex[:8]}@example.org",
        password_hash="x",
        organisation_id=org_id,
        role=role,
    )
    session.add(user)
    session.flush()
    return Actor(user_id=user.id, organisation_id=org_id, role=role, label=user.email)
