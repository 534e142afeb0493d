"""jobs: progress and error messages as catalog keys with params (shown per language)

Revision ID: 0901
Revises: 0900
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0901"
down_revision: str | Sequence[str] | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job", sa.Column("progress_key", sa.String(length=120), nullable=True))
    op.add_column("job", sa.Column("progress_params", sa.JSON(), nullable=True))
    op.add_column("job", sa.Column("error_key", sa.String(length=120), nullable=True))
    op.add_column("job", sa.Column("error_params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        for name in ("error_params", "error_key", "progress_params", "progress_key"):
            batch.drop_column(name)
