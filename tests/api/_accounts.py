"""Helpers for API tests that need organisations, users and tokens (accounts feature)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from silkhub.bootstrap import Runtime
from silkhub.data.storage.models.hub import Organisation
from silkhub.hub import accounts
from silkhub.hub.policy import Actor

#: cheap argon2 parameters so that tests sign in quickly
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery staple"


def use_fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_DEFAULT_HASHER", FAST_HASHER)


@dataclass
class Account:
    user_id: int
    email: str
    role: str
    organisation_id: int | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.organisation_id, self.role, label=self.email)


def make_org(runtime: Runtime, name: str) -> int:
    with runtime.session() as s:
        org = Organisation(kind="soe", name_en=name, visibility="public")
        s.add(org)
        s.flush()
        return org.id


def make_account(runtime: Runtime, email: str, role: str, org: int | None) -> Account:
    with runtime.session() as s:
        user = accounts.create_user(
            s,
            Actor.system(),
            email,
            PASSWORD,
            role=role,
            organisation_id=org,
            hasher=FAST_HASHER,
        )
        _row, secret = accounts.create_token(s, Actor.system(), user.id, "tests")
        return Account(user.id, email, role, org, secret)
