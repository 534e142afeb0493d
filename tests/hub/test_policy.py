"""The ownership policy: the role x visibility matrix of docs/security.md, cell by cell."""

from __future__ import annotations

import pytest

from silkhub.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    UnknownChoiceError,
)
from silkhub.hub.policy import (
    Actor,
    can_read,
    can_write,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    ensure_role,
    read_scope,
)

OWN, OTHER = 7, 8
ADMIN = Actor(1, None, "admin")
OPERATOR = Actor(2, None, "operator")
MEMBER = Actor(3, OWN, "member")
VIEWER = Actor(4, OWN, "viewer")
OUTSIDER = Actor(5, OTHER, "member")
OUTSIDE_VIEWER = Actor(6, OTHER, "viewer")
ANON = Actor.anonymous()
SYSTEM = Actor.system()

ACTORS = {
    "admin": ADMIN,
    "operator": OPERATOR,
    "member": MEMBER,
    "viewer": VIEWER,
    "outsider": OUTSIDER,
    "outside_viewer": OUTSIDE_VIEWER,
    "anonymous": ANON,
    "system": SYSTEM,
}

# expected read access to a record owned by organisation OWN, per visibility
READ = {
    "public": {name: True for name in ACTORS},
    "operators": {
        "admin": True,
        "operator": True,
        "member": True,
        "viewer": True,
        "outsider": False,
        "outside_viewer": False,
        "anonymous": False,
        "system": True,
    },
    "private": {
        "admin": True,
        "operator": False,
        "member": True,
        "viewer": True,
        "outsider": False,
        "outside_viewer": False,
        "anonymous": False,
        "system": True,
    },
}
WRITERS = {"admin", "operator", "member", "system"}

CASES = [
    pytest.param(vis, name, id=f"{vis}-{name}")
    for vis in ("public", "operators", "private")
    for name in ACTORS
]


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_read_matrix(visibility: str, who: str) -> None:
    assert can_read(ACTORS[who], visibility, [OWN]) is READ[visibility][who]


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_write_matrix(visibility: str, who: str) -> None:
    actor = ACTORS[who]
    visible = READ[visibility][who]
    expected = visible and who in WRITERS
    assert can_write(actor, visibility, [OWN]) is expected
    if expected:
        ensure_can_write(actor, [OWN], visibility)
    elif not visible:
        with pytest.raises(NotFoundError):
            ensure_can_write(actor, [OWN], visibility)
    elif who == "anonymous":
        with pytest.raises(AuthenticationError):
            ensure_can_write(actor, [OWN], visibility)
    else:
        with pytest.raises(PermissionDeniedError):
            ensure_can_write(actor, [OWN], visibility)


def test_private_record_of_other_org_is_404_not_403() -> None:
    with pytest.raises(NotFoundError) as exc:
        ensure_can_write(OUTSIDER, [OWN], "private", what="project", ident=12)
    assert exc.value.status == 404
    assert exc.value.message == "project 12 not found"
    with pytest.raises(NotFoundError):
        ensure_can_read(OUTSIDER, "private", [OWN], what="project", ident=12)


def test_default_visibility_of_ensure_can_write_is_strict() -> None:
    with pytest.raises(NotFoundError):
        ensure_can_write(OPERATOR, [OWN])  # private by default: operators cannot see it


def test_record_with_several_owners() -> None:
    assert can_write(OUTSIDER, "private", [OWN, OTHER])
    assert not can_write(Actor(9, 99, "member"), "public", [OWN, OTHER])


def test_record_without_owner_is_staff_only() -> None:
    assert can_write(OPERATOR, "public", [])
    assert not can_write(MEMBER, "public", [])
    assert not can_read(MEMBER, "private", [None])


def test_create_rules() -> None:
    ensure_can_create(MEMBER, [OWN])
    ensure_can_create(OPERATOR, [])
    ensure_can_create(SYSTEM, [OTHER])
    with pytest.raises(PermissionDeniedError, match="own organisation"):
        ensure_can_create(MEMBER, [OTHER])
    with pytest.raises(PermissionDeniedError, match="viewers"):
        ensure_can_create(VIEWER, [OWN])
    with pytest.raises(AuthenticationError):
        ensure_can_create(ANON, [OWN])


def test_ensure_role() -> None:
    ensure_role(ADMIN, "admin")
    with pytest.raises(PermissionDeniedError, match="admin or operator"):
        ensure_role(MEMBER, "admin", "operator")
    with pytest.raises(AuthenticationError):
        ensure_role(ANON, "viewer")


def test_unknown_role_and_visibility_are_validation_errors() -> None:
    with pytest.raises(UnknownChoiceError, match="role"):
        Actor(1, 1, "superuser")
    with pytest.raises(UnknownChoiceError, match="visibility"):
        can_read(ADMIN, "secret", [])


def test_system_and_anonymous() -> None:
    assert SYSTEM.is_system and SYSTEM.is_staff and SYSTEM.is_authenticated
    assert not ANON.is_authenticated and not ANON.is_staff
    assert not ADMIN.is_system


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("visibility", ["public", "operators", "private"])
@pytest.mark.parametrize("owners", [[OWN], [OTHER], [OWN, OTHER], []])
def test_read_scope_agrees_with_can_read(who: str, visibility: str, owners: list[int]) -> None:
    actor = ACTORS[who]
    scope = read_scope(actor)
    by_scope = (
        scope.everything
        or visibility in scope.visibilities
        or (scope.organisation_id is not None and scope.organisation_id in owners)
    )
    assert by_scope is can_read(actor, visibility, owners)
