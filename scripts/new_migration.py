"""Autogenerate an Alembic migration for one feature branch.

    .venv/bin/python scripts/new_migration.py REV_ID "message" \
        [--branch LABEL] [--down REV] [--depends REV]

It builds a scratch SQLite database at every current head, then diffs it against the models.
Keep migrations portable: check the generated file runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command

from silkhub.data.storage.db import alembic_config, make_engine, upgrade


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("rev_id")
    p.add_argument("message")
    p.add_argument("--branch", default=None, help="branch label for a new feature branch")
    p.add_argument("--down", default=None, help="down revision (default: the branch head)")
    p.add_argument("--depends", default=None)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite'}")
        upgrade(engine)
        cfg = alembic_config(engine)
        kwargs = {"autogenerate": True, "rev_id": a.rev_id, "message": a.message}
        if a.branch:
            kwargs["branch_label"] = a.branch
            kwargs["head"] = a.down or "base"
            kwargs["splice"] = True
        elif a.down:
            kwargs["head"] = a.down
        if a.depends:
            kwargs["depends_on"] = a.depends
        command.revision(cfg, **kwargs)


if __name__ == "__main__":
    main()
