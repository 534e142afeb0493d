"""Matchmaking feedback and B2B meeting scheduling (issue 9).

* :class:`MatchFeedback` — a user's accept/decline of a suggestion, with the score parts it was
  shown with (so the weights can be re-fitted later, see :func:`silkhub.core.matching.reweight`).
* An event's meeting programme: :class:`MeetingSlot` (time slots, some are breaks),
  :class:`MeetingTable` (tables/rooms), :class:`EventParticipant` (availability, maximum
  meetings), :class:`MeetingRequest` (who wants to meet whom, with priority) and the solver's
  :class:`Meeting` rows (slot, table, the two participants).

Availability is stored as a JSON list of slot ids (``null`` = every slot).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import silkhub.data.storage.models.hub  # noqa: F401  (foreign-key targets: event, organisation)
from silkhub.data.storage.base import Base, utcnow


class MatchFeedback(Base):
    """Accept/decline of a suggested match (``subject`` was shown ``candidate``)."""

    __tablename__ = "match_feedback"
    __table_args__ = (
        Index("ix_match_feedback_subject", "subject_kind", "subject_id"),
        UniqueConstraint(
            "subject_kind", "subject_id", "candidate_kind", "candidate_id", "user_id",
            name="uq_match_feedback_pair_user",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # organisation|project
    subject_id: Mapped[int] = mapped_column(Integer)
    candidate_kind: Mapped[str] = mapped_column(String(16))  # organisation|project
    candidate_id: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(8))  # accept|decline
    score: Mapped[float | None] = mapped_column(Float)
    parts: Mapped[dict | None] = mapped_column(JSON)  # {part: value in [0, 1]}
    user_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MeetingSlot(Base):
    """A time slot of an event's meeting programme; ``is_break`` slots hold no meetings."""

    __tablename__ = "meeting_slot"
    __table_args__ = (UniqueConstraint("event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    is_break: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str | None] = mapped_column(String(100))


class MeetingTable(Base):
    """A table or room; ``available_slots`` null = every slot."""

    __tablename__ = "meeting_table"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    available_slots: Mapped[list | None] = mapped_column(JSON)


class EventParticipant(Base):
    """Someone taking meetings at an event (usually on behalf of an organisation)."""

    __tablename__ = "event_participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    available_slots: Mapped[list | None] = mapped_column(JSON)
    max_meetings: Mapped[int | None] = mapped_column(Integer)


class MeetingRequest(Base):
    """``requester`` asks to meet ``target`` at an event (``mutual`` when both agreed)."""

    __tablename__ = "meeting_request"
    __table_args__ = (UniqueConstraint("event_id", "requester_id", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("event_participant.id", ondelete="CASCADE")
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("event_participant.id", ondelete="CASCADE"))
    priority: Mapped[float] = mapped_column(Float, default=1.0)
    mutual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Meeting(Base):
    """A scheduled meeting (solver output): two participants, a slot and a table."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("slot_id", "table_id"),
        Index("ix_meeting_event_slot", "event_id", "slot_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slot.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("meeting_table.id", ondelete="CASCADE"))
    participant_a_id: Mapped[int] = mapped_column(
        ForeignKey("event_participant.id", ondelete="CASCADE")
    )
    participant_b_id: Mapped[int] = mapped_column(
        ForeignKey("event_participant.id", ondelete="CASCADE")
    )
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    mutual: Mapped[bool] = mapped_column(Boolean, default=False)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
