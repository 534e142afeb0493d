"""Who may read and write what in the cooperation hub: the one ownership policy.

Every hub service receives an :class:`Actor` (built by the API from a token or session cookie,
by the CLI as :meth:`Actor.system`) and asks this module before it reads or writes a record.
The rules (the full matrix is in ``docs/security.md``):

* ``public`` records are readable by everyone, anonymous visitors included;
* ``operators`` records are readable by hub staff (admin, operator) and by the users of the
  organisations that own the record;
* ``private`` records are readable only by the users of the owning organisations and by admins;
* a record that an actor cannot read does not exist for that actor: reads and writes answer
  :class:`~silkhub.errors.NotFoundError` (HTTP 404), never 403, so that probing identifiers
  reveals nothing;
* writing needs a visible record and: role ``admin`` or ``operator`` (hub staff), or role
  ``member`` of an owning organisation. Viewers never write (403); anonymous callers are asked to
  authenticate (401).

This module is pure (no database): callers pass the visibility and the owning organisation ids.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from silkhub.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    UnknownChoiceError,
)

T = TypeVar("T")

#: roles of user accounts, most powerful first
ROLES: tuple[str, ...] = ("admin", "operator", "member", "viewer")
#: roles an :class:`Actor` can have (accounts plus the unauthenticated caller)
ACTOR_ROLES: tuple[str, ...] = (*ROLES, "anonymous")
#: visibility of a hub record
VISIBILITIES: tuple[str, ...] = ("public", "private", "operators")
#: hub staff: run the hub, may write every record they can see
STAFF_ROLES: frozenset[str] = frozenset({"admin", "operator"})
#: roles that may write records of their own organisation
WRITER_ROLES: frozenset[str] = frozenset({"admin", "operator", "member"})


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a user, the system (CLI, imports) or an anonymous visitor.

    Parameters
    ----------
    user_id
        Id of the user account; ``None`` for the system and anonymous actors.
    organisation_id
        The user's organisation; ``None`` for hub staff without one, system and anonymous.
    role
        One of ``admin``, ``operator``, ``member``, ``viewer``, ``anonymous``.
    label
        Human-readable name for logs and the audit trail (the e-mail address, ``system`` ...).
    """

    user_id: int | None
    organisation_id: int | None
    role: str
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.role not in ACTOR_ROLES:
            raise UnknownChoiceError("role", self.role, ACTOR_ROLES)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The actor of CLI commands and imports: full rights, no user account."""
        return cls(user_id=None, organisation_id=None, role="admin", label=label)

    @classmethod
    def anonymous(cls) -> Actor:
        """An unauthenticated caller: reads public records only."""
        return cls(user_id=None, organisation_id=None, role="anonymous", label="anonymous")

    @property
    def is_system(self) -> bool:
        """True for :meth:`system` (an admin without a user account)."""
        return self.role == "admin" and self.user_id is None

    @property
    def is_authenticated(self) -> bool:
        return self.role != "anonymous"

    @property
    def is_staff(self) -> bool:
        """Admins and operators (the people who run the hub)."""
        return self.role in STAFF_ROLES

    def belongs_to(self, owner_org_ids: Iterable[int | None]) -> bool:
        """True when the actor's organisation is one of ``owner_org_ids``."""
        return self.organisation_id is not None and self.organisation_id in set(owner_org_ids)


def check_visibility(visibility: str) -> str:
    """Return ``visibility`` if it is valid, else raise UnknownChoiceError naming the field."""
    if visibility not in VISIBILITIES:
        raise UnknownChoiceError("visibility", visibility, VISIBILITIES)
    return visibility


def can_read(actor: Actor, visibility: str, owner_org_ids: Collection[int | None] = ()) -> bool:
    """May ``actor`` see a record with this visibility and these owning organisations?

    Examples
    --------
    >>> can_read(Actor.anonymous(), "public", [])
    True
    >>> can_read(Actor(1, 7, "viewer"), "private", [7])
    True
    >>> can_read(Actor(2, 8, "member"), "private", [7])
    False
    """
    check_visibility(visibility)
    if visibility == "public" or actor.role == "admin":
        return True
    if not actor.is_authenticated:
        return False
    if actor.belongs_to(owner_org_ids):
        return True
    return visibility == "operators" and actor.role == "operator"


def can_write(actor: Actor, visibility: str, owner_org_ids: Collection[int | None] = ()) -> bool:
    """May ``actor`` change (update, delete, transition) the record? Never raises for roles."""
    if not can_read(actor, visibility, owner_org_ids):
        return False
    if actor.is_staff:
        return True
    return actor.role == "member" and actor.belongs_to(owner_org_ids)


def ensure_can_read(
    actor: Actor,
    visibility: str,
    owner_org_ids: Collection[int | None] = (),
    *,
    what: str = "record",
    ident: object = None,
) -> None:
    """Raise NotFoundError (404) when the record is invisible to ``actor``."""
    if not can_read(actor, visibility, owner_org_ids):
        raise not_found(what, ident)


def ensure_can_write(
    actor: Actor,
    owner_org_ids: Collection[int | None] = (),
    visibility: str = "private",
    *,
    what: str = "record",
    ident: object = None,
) -> None:
    """Check that ``actor`` may change a record owned by ``owner_org_ids``.

    Raises
    ------
    NotFoundError
        The record is invisible to the actor (private records of other organisations), so
        that its existence is not revealed. ``visibility`` defaults to the strictest value.
    AuthenticationError
        An anonymous caller tries to change a visible record.
    PermissionDeniedError
        The record is visible but the actor may not change it (viewer, or member of
        another organisation).
    """
    if not can_read(actor, visibility, owner_org_ids):
        raise not_found(what, ident)
    if not actor.is_authenticated:
        raise AuthenticationError("sign in to change records")
    if can_write(actor, visibility, owner_org_ids):
        return
    if actor.role == "viewer":
        raise PermissionDeniedError(
            f"viewers cannot change {what}s; ask an admin for the member role"
        )
    raise PermissionDeniedError(f"only members of the owning organisation may change this {what}")


def ensure_can_create(
    actor: Actor, owner_org_ids: Collection[int | None] = (), *, what: str = "record"
) -> None:
    """Check that ``actor`` may create a record owned by ``owner_org_ids``.

    Staff may create records for any organisation (or none). Members may create records only
    when their own organisation is among the owners. Viewers and anonymous callers may not.
    """
    if not actor.is_authenticated:
        raise AuthenticationError(f"sign in to create a {what}")
    if actor.is_staff:
        return
    if actor.role != "member":
        raise PermissionDeniedError(
            f"viewers cannot create {what}s; ask an admin for the member role"
        )
    if not actor.belongs_to(owner_org_ids):
        raise PermissionDeniedError(
            f"members may only create a {what} owned by their own organisation "
            f"(id {actor.organisation_id})"
        )


def ensure_role(actor: Actor, *roles: str) -> None:
    """Raise AuthenticationError (anonymous) or PermissionDeniedError unless role in ``roles``."""
    if actor.role in roles:
        return
    if not actor.is_authenticated:
        raise AuthenticationError("authentication required: send a bearer token or sign in")
    raise PermissionDeniedError(f"this needs the role {' or '.join(roles)} (you are {actor.role})")


@dataclass(frozen=True)
class ReadScope:
    """What a list query must filter on for ``actor`` (to build a SQL WHERE clause).

    A row is visible when ``everything`` is true, or its visibility is in ``visibilities``, or
    one of its owning organisations is ``organisation_id``.
    """

    everything: bool
    visibilities: frozenset[str]
    organisation_id: int | None


def read_scope(actor: Actor) -> ReadScope:
    """The visibility filter for list queries, consistent with :func:`can_read`.

    Example with SQLAlchemy (``owned`` = subquery of project ids owned by an organisation)::

        scope = read_scope(actor)
        if not scope.everything:
            cond = Project.visibility.in_(scope.visibilities)
            if scope.organisation_id is not None:
                cond = cond | Project.id.in_(owned(scope.organisation_id))
            query = query.where(cond)
    """
    if actor.role == "admin":
        return ReadScope(True, frozenset(VISIBILITIES), actor.organisation_id)
    vis = {"public"}
    if actor.role == "operator":
        vis.add("operators")
    org = actor.organisation_id if actor.is_authenticated else None
    return ReadScope(False, frozenset(vis), org)


def not_found(what: str, ident: object = None) -> NotFoundError:
    """The 404 for a missing *or invisible* record; use it for both so they look the same."""
    suffix = f" {ident}" if ident is not None else ""
    return NotFoundError(f"{what}{suffix} not found", details={"entity": what})


def checked(
    record: T | None,
    actor: Actor,
    owners: Callable[[T], Collection[int | None]],
    *,
    what: str,
    ident: object,
    write: bool = False,
) -> T:
    """Return ``record`` if ``actor`` may read it (or, with ``write``, change it).

    A missing record and an invisible one raise the same 404 (:func:`not_found`); a visible but
    read-only record raises 403 on ``write``. ``owners`` gives the owning organisation ids and
    ``record.visibility`` the visibility.
    """
    if record is None:
        raise not_found(what, ident)
    visibility = record.visibility  # type: ignore[attr-defined]
    if write:
        ensure_can_write(actor, owners(record), visibility, what=what, ident=ident)
    else:
        ensure_can_read(actor, visibility, owners(record), what=what, ident=ident)
    return record
