"""The event contract: one model family (base / create / update / read) for events and the
projects announced or signed at them, used by the API, the web pages and the CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from silkhub.hub.common import Amount, DbId

EVENT_KINDS: tuple[str, ...] = (
    "conference",
    "online_conference",
    "roadshow",
    "exhibition",
    "delegation_visit",
)
LINK_KINDS: tuple[str, ...] = ("announced", "signed")


class EventBase(BaseModel):
    """Fields an event is created with and may later change."""

    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    end_on: date | None = None
    place: str | None = Field(None, max_length=300)


class EventCreate(EventBase):
    """Fields to create an event."""

    kind: str = Field(description=", ".join(EVENT_KINDS))
    start_on: date
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    organiser_ids: list[DbId] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class EventUpdate(EventBase):
    """Fields to change."""

    start_on: date | None = None
    visibility: str | None = None


#: former names (kept for callers)
EventIn = EventCreate
EventPatch = EventUpdate


class EventRead(BaseModel):
    """An event as every interface shows it."""

    id: int
    kind: str
    title_en: str | None
    title_zh: str | None
    description_en: str | None
    description_zh: str | None
    start_on: date
    end_on: date | None
    place: str | None
    iso3: str | None
    region_id: str | None
    organiser_ids: list[int]
    visibility: str
    external_id: str | None


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None
    limit: int


class EventProjectIn(BaseModel):
    """A project announced or signed at an event, with the amount quoted there."""

    model_config = ConfigDict(extra="forbid")
    project_id: DbId
    kind: str = Field(description="announced or signed")
    amount: Amount | None = None
    currency: str | None = Field(None, max_length=3)
    note: str | None = Field(None, max_length=1000)
    update_stage: bool = Field(
        True, description="move the project to announced/signed on the event date if allowed"
    )


class EventProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    project_id: int
    kind: str
    amount: Decimal | None
    currency: str | None
    year: int | None
    note: str | None


class KindTotalRead(BaseModel):
    kind: str
    projects: int
    amounts: dict[str, Decimal]
    usd: float | None
    unpriced: int
    text_en: str
    text_zh: str


class TotalsRead(BaseModel):
    event_id: int
    signed: KindTotalRead
    announced: KindTotalRead
    text_en: str
    text_zh: str
