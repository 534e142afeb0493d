"""Background jobs: their state and their result files (see :mod:`silkhub.jobs`).

The SQL database is the source of truth for a job (every API worker and job worker sees the
same row); the broker only delivers "run job X" messages. ``dispatch_token`` and ``attempts``
fence concurrent runs: a message carries the token it was sent with, and every write of a run
names the attempt it claimed, so a stale message or a run that lost its claim changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from silkhub.data.storage.base import Base, utcnow
from silkhub.data.storage.models.accounts import UTCDateTime

#: job states; the last three are terminal
JOB_STATUSES: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class Job(Base):
    """One unit of long work (a report, an import, a fit ...) with its progress and outcome."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    owner_role: Mapped[str] = mapped_column(String(16))
    owner_label: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress_pct: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str | None] = mapped_column(String(500))
    #: the message as a catalog key + params (0901), so each interface shows it in its language
    progress_key: Mapped[str | None] = mapped_column(String(120))
    progress_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_key: Mapped[str | None] = mapped_column(String(120))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=2)
    dispatch_token: Mapped[int] = mapped_column(Integer, default=1)
    backend: Mapped[str] = mapped_column(String(16))  # inline | amqp | redis
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_job_status_heartbeat_at", "status", "heartbeat_at"),
        Index("ix_job_owner_user_id_created_at", "owner_user_id", "created_at"),
        Index("ix_job_created_at", "created_at"),
    )


class JobFile(Base):
    """A file a job produced (a report), kept in the database so every API worker serves it."""

    __tablename__ = "job_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
