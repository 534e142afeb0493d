"""hub: project list index for country + stage filters sorted by value

The commonest filtered list (a country and a stage, by US$ value, keyset pagination) used
``ix_project_iso3_value_usd_id`` and filtered the stage row by row (about six rows read per row
returned); with the stage in the index the scan reads only matching entries.

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-25 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0102"
down_revision: str | Sequence[str] | None = "0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_project_iso3_stage_value_usd_id",
        "project",
        ["iso3", "stage", "value_usd", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_project_iso3_stage_value_usd_id", table_name="project")
