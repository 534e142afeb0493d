"""``silkhub users``: create (password from stdin), list, set-role, deactivate, tokens, audit."""

from __future__ import annotations

import csv
import io
import json

import pytest

from silkhub.cli import common
from silkhub.data.storage.models.hub import Organisation
from silkhub.hub import accounts
from tests.api._accounts import FAST_HASHER

PW = "a long enough passphrase"


@pytest.fixture
def users_cli(cli, monkeypatch):
    monkeypatch.setattr(accounts, "_DEFAULT_HASHER", FAST_HASHER)

    def run(*args: str, stdin: str | None = None):
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli("users", *args)

    return run


def _org() -> int:
    with common.runtime().session() as s:
        org = Organisation(kind="chamber_of_commerce", name_en="SCO chamber")
        s.add(org)
        s.flush()
        return org.id


def test_create_admin_from_stdin_and_list(users_cli) -> None:
    r = users_cli("create", "Admin@Hub.cn", "--role", "admin", "--password-stdin", stdin=PW + "\n")
    assert r.exit_code == 0, r.stderr
    assert "admin@hub.cn" in r.stdout
    org = _org()
    r = users_cli(
        "create",
        "m@chamber.kz",
        "--org",
        str(org),
        "--name",
        "Aigerim",
        "--password-stdin",
        stdin=PW + "\n",
    )
    assert r.exit_code == 0, r.stderr
    r = users_cli("list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["email"], x["role"]) for x in rows] == [
        ("admin@hub.cn", "admin"),
        ("m@chamber.kz", "member"),
    ]
    assert "password" not in r.stdout
    r = users_cli("list", "--org", str(org), "--format", "json")
    assert [u["display_name"] for u in json.loads(r.stdout)] == ["Aigerim"]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        pytest.param(["x@y.cn", "--role", "admin"], "short\n", "at least 12", id="short-pw"),
        pytest.param(["x@y.cn", "--role", "boss"], PW + "\n", "valid choices", id="bad-role"),
        pytest.param(["x@y.cn"], PW + "\n", "must belong to an organisation", id="no-org"),
        pytest.param(["not-mail", "--role", "admin"], PW + "\n", "e-mail", id="bad-email"),
        pytest.param(["x@y.cn", "--role", "admin"], "", "nothing on standard input", id="no-pw"),
    ],
)
def test_create_errors_are_one_line(users_cli, args, stdin, message) -> None:
    r = users_cli("create", *args, "--password-stdin", stdin=stdin)
    assert r.exit_code == 1
    assert message in r.stderr and "Traceback" not in r.stderr


def test_set_role_deactivate_and_audit(users_cli) -> None:
    users_cli("create", "a@hub.cn", "--role", "admin", "--password-stdin", stdin=PW + "\n")
    users_cli("create", "o@hub.cn", "--role", "operator", "--password-stdin", stdin=PW + "\n")
    r = users_cli("set-role", "a@hub.cn", "operator")
    assert r.exit_code == 1 and "last active admin" in r.stderr
    r = users_cli("set-role", "o@hub.cn", "admin")
    assert r.exit_code == 0 and "now admin" in r.stdout
    r = users_cli("deactivate", "a@hub.cn")
    assert r.exit_code == 0, r.stderr
    r = users_cli("list", "--inactive", "--format", "csv")
    assert [x["email"] for x in csv.DictReader(io.StringIO(r.stdout))] == ["a@hub.cn"]
    r = users_cli("audit", "--format", "json")
    entries = json.loads(r.stdout)
    assert [e["action"] for e in entries][:2] == ["user.deactivate", "user.set_role"]
    assert entries[0]["actor"].startswith("cli:")
    assert users_cli("deactivate", "ghost@hub.cn").exit_code == 1


def test_token_create_list_revoke(users_cli) -> None:
    users_cli("create", "a@hub.cn", "--role", "admin", "--password-stdin", stdin=PW + "\n")
    r = users_cli("token", "create", "a@hub.cn", "--name", "etl", "--expires-days", "30")
    assert r.exit_code == 0, r.stderr
    secret = r.stdout.strip().splitlines()[-1]
    assert secret.startswith("shk_")
    with common.runtime().session() as s:
        assert accounts.actor_for_secret(s, secret).label == "a@hub.cn"
    r = users_cli("token", "list", "a@hub.cn", "--format", "json")
    (tok,) = json.loads(r.stdout)
    assert tok["name"] == "etl" and secret not in r.stdout
    r = users_cli("token", "revoke", str(tok["id"]))
    assert r.exit_code == 0
    with common.runtime().session() as s:
        assert accounts.actor_for_secret(s, secret) is None
    assert users_cli("token", "revoke", "9999").exit_code == 1


def test_help_texts(users_cli) -> None:
    r = users_cli("create", "--help")
    assert "--password-stdin" in r.stdout and "--org" in r.stdout


def test_unlock_lets_a_locked_out_owner_sign_in(users_cli) -> None:
    from silkhub.errors import RateLimitedError

    r = users_cli("create", "op@hub.cn", "--role", "operator", "--password-stdin", stdin=PW + "\n")
    assert r.exit_code == 0, r.stderr
    rt = common.runtime()
    for _ in range(5):
        with rt.session() as s, pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(s, "op@hub.cn", "not the passphrase", ip="10.0.0.1")
    with rt.session() as s, pytest.raises(RateLimitedError):
        accounts.authenticate(s, "op@hub.cn", PW, ip="10.0.0.1")
    r = users_cli("unlock", "op@hub.cn")
    assert r.exit_code == 0, r.stderr
    assert "5 failed sign-ins cleared" in r.stdout
    with rt.session() as s:
        assert accounts.authenticate(s, "op@hub.cn", PW, ip="10.0.0.1").email == "op@hub.cn"
    r = users_cli(
        "create", "weak@hub.cn", "--role", "operator", "--password-stdin", stdin="password1234\n"
    )
    assert r.exit_code == 1 and "too easy to guess" in r.stderr
