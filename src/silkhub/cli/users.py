"""``silkhub users``: accounts administration from the command line (acts as the system).

Every change is written to the audit log with the actor ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from silkhub.cli.common import FormatOpt, OutOpt, parse_date, runtime
from silkhub.cli.output import Format, console, emit
from silkhub.errors import ValidationError
from silkhub.hub import accounts, audit
from silkhub.hub.policy import ROLES, Actor

app = typer.Typer(
    help="User accounts, roles and API tokens (admin). Changes are audited.",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="Personal API tokens (hashed at rest; shown once).", no_args_is_help=True
)
app.add_typer(token_app, name="token")

USER_COLUMNS = ["id", "email", "display_name", "role", "organisation_id", "active", "last_login_at"]
TOKEN_COLUMNS = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
ROLE_HELP = "Role: " + ", ".join(ROLES) + "."


def _actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor.system(label=f"cli:{who}")


def _update(user: str, done: str, **changes: Any) -> None:
    """Apply ``changes`` to a user (e-mail or id); print ``done`` with ``{email}``, ``{role}``."""
    actor = _actor()
    with runtime().session() as s:
        u = accounts.resolve_user(s, actor, user)
        accounts.update_user(s, actor, u.id, **changes)
        console.print(done.format(email=u.email, role=u.role))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValidationError("--password-stdin: nothing on standard input", field="password")
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user_row(u: object) -> dict[str, object]:
    return {c: getattr(u, c) for c in USER_COLUMNS}


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="E-mail address (the login name).")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "member",
    org: Annotated[
        int | None,
        typer.Option("--org", help="Organisation id (required for member and viewer)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
) -> None:
    """Create a user. Without --password-stdin the password is asked for (twice).

    Example: echo 'a long passphrase' | silkhub users create admin@hub.cn --role admin
    --password-stdin
    """
    password = _read_password(password_stdin)
    with runtime().session() as s:
        user = accounts.create_user(
            s, _actor(), email, password, role=role, organisation_id=org, display_name=name
        )
        console.print(f"created user {user.id} {user.email} ({user.role})")


@app.command("list")
def list_users(
    org: Annotated[int | None, typer.Option("--org", help="Only this organisation.")] = None,
    role: Annotated[str | None, typer.Option(help=ROLE_HELP)] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Only active / deactivated users.")
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List users."""
    with runtime().session() as s:
        rows, _total = accounts.list_users(
            s, _actor(), organisation_id=org, role=role, active=active, limit=100_000
        )
        emit([_user_row(u) for u in rows], fmt, columns=USER_COLUMNS, title="Users", out=out)


@app.command("set-role")
def set_role(
    user: Annotated[str, typer.Argument(help="E-mail address or id.")],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
    org: Annotated[
        int | None, typer.Option("--org", help="Also move the user to this organisation.")
    ] = None,
) -> None:
    """Change a user's role (the last active admin cannot be demoted)."""
    _update(user, "{email} is now {role}", role=role, organisation_id=org)


@app.command("deactivate")
def deactivate(user: Annotated[str, typer.Argument(help="E-mail address or id.")]) -> None:
    """Deactivate a user: sign-in refused, every token and session revoked."""
    _update(user, "{email} deactivated; its tokens and sessions are revoked", active=False)


@app.command("activate")
def activate(user: Annotated[str, typer.Argument(help="E-mail address or id.")]) -> None:
    """Re-activate a deactivated user (old tokens stay revoked)."""
    _update(user, "{email} activated", active=True)


@app.command("unlock")
def unlock(user: Annotated[str, typer.Argument(help="E-mail address or id.")]) -> None:
    """Lift the sign-in lock of an account after failed attempts (its owner can sign in)."""
    actor = _actor()
    with runtime().session() as s:
        u = accounts.resolve_user(s, actor, user)
        cleared = accounts.unlock_user(s, actor, u.id)
        console.print(f"{u.email} unlocked ({cleared} failed sign-ins cleared)")


@app.command("set-password")
def set_password(
    user: Annotated[str, typer.Argument(help="E-mail address or id.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (signs out their web sessions, lifts a sign-in lock)."""
    password = _read_password(password_stdin)
    _update(user, "password of {email} changed", password=password)


@app.command("audit")
def audit_log(
    entity: Annotated[str | None, typer.Option(help="Entity, e.g. project or user.")] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help="Entity id.")] = None,
    action: Annotated[str | None, typer.Option(help="Action, e.g. user.set_role.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries (newest first).")] = 50,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show the audit log (who changed what, when), newest first."""
    day = parse_date(since, "since")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    with runtime().session() as s:
        page = audit.list_entries(
            s,
            _actor(),
            entity=entity,
            entity_id=entity_id,
            action=action,
            since=start,
            limit=limit,
        )
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_label,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "changes": audit.changes(e.before or {}, e.after or {}),
            }
            for e in page.items
        ]
        emit(rows, fmt, title="Audit log", out=out)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="E-mail address or id of the token's owner.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Expire after N days.")
    ] = None,
) -> None:
    """Create an API token and print it. It is shown only this once."""
    actor = _actor()
    with runtime().session() as s:
        u = accounts.resolve_user(s, actor, user)
        ttl = timedelta(days=expires_days) if expires_days else None
        row, secret = accounts.create_token(s, actor, u.id, name, expires_in=ttl)
        console.print(f"token {row.id} for {u.email} (store it now, it is not shown again):")
        typer.echo(secret)


@token_app.command("list")
def token_list(
    user: Annotated[str, typer.Argument(help="E-mail address or id.")],
    include_revoked: Annotated[bool, typer.Option(help="Also list revoked tokens.")] = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List a user's API tokens (never the secrets)."""
    actor = _actor()
    with runtime().session() as s:
        u = accounts.resolve_user(s, actor, user)
        rows = accounts.list_tokens(s, actor, u.id, include_revoked=include_revoked)
        data = [{c: getattr(t, c) for c in TOKEN_COLUMNS} for t in rows]
        emit(data, fmt, columns=TOKEN_COLUMNS, title=f"Tokens of {u.email}", out=out)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see token list).")],
) -> None:
    """Revoke an API token."""
    with runtime().session() as s:
        t = accounts.revoke_token(s, _actor(), token_id)
        console.print(f"token {t.id} ({t.prefix}…) revoked")
