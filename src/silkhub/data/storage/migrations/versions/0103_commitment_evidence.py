"""hub: evidence of a commitment's fulfilment

A commitment marked fulfilled in the web UI keeps the evidence given with it (a document
reference, a link, a short note), as milestones already do.

Revision ID: 0103
Revises: 0102
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0103"
down_revision: str | Sequence[str] | None = "0102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commitment") as batch:
        batch.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commitment") as batch:
        batch.drop_column("evidence")
