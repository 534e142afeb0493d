"""background jobs: job state and job result files

Revision ID: 0900
Revises: 0001 (depends on 0200: owners are user accounts of organisations)
Create Date: 2026-12-03 06:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0900"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("jobs",)
depends_on: str | Sequence[str] | None = "0200"


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("owner_role", sa.String(length=16), nullable=False),
        sa.Column("owner_label", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_pct", sa.Integer(), nullable=False),
        sa.Column("progress_message", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", sa.JSON(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("dispatch_token", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_job_owner_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["user_account.id"],
            name=op.f("fk_job_owner_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_owner_user_id"), ["owner_user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_owner_organisation_id"), ["owner_organisation_id"], unique=False
        )
        batch_op.create_index("ix_job_status_heartbeat_at", ["status", "heartbeat_at"])
        batch_op.create_index("ix_job_owner_user_id_created_at", ["owner_user_id", "created_at"])
        batch_op.create_index("ix_job_created_at", ["created_at"])

    op.create_table(
        "job_file",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_file_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_file")),
    )
    with op.batch_alter_table("job_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_file_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_table("job_file")
    op.drop_table("job")
