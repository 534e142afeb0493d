"""Events and signings: CRUD, projects announced/signed at an event, event totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from silkhub.api.choices import EventKind
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.data.storage.models.hub import Event
from silkhub.hub import events as svc

router = APIRouter(prefix="/events", tags=["events"], responses=RESPONSES)


class EventProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    project_id: int
    kind: str
    amount: Decimal | None
    currency: str | None
    year: int | None
    note: str | None


class EventOut(BaseModel):
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
    items: list[EventOut]
    next_cursor: str | None
    limit: int


class KindTotalOut(BaseModel):
    kind: str
    projects: int
    amounts: dict[str, Decimal]
    usd: float | None
    unpriced: int
    text_en: str
    text_zh: str


class TotalsOut(BaseModel):
    event_id: int
    signed: KindTotalOut
    announced: KindTotalOut
    text_en: str
    text_zh: str


def to_out(e: Event) -> EventOut:
    return EventOut(
        id=e.id,
        kind=e.kind,
        title_en=e.title_en,
        title_zh=e.title_zh,
        description_en=e.description_en,
        description_zh=e.description_zh,
        start_on=e.start_on,
        end_on=e.end_on,
        place=e.place,
        iso3=e.iso3,
        region_id=e.region_id,
        organiser_ids=svc.organiser_ids(e),
        visibility=e.visibility,
        external_id=e.external_id,
    )


def _kind(t: svc.KindTotal) -> KindTotalOut:
    return KindTotalOut(
        kind=t.kind,
        projects=t.projects,
        amounts=t.amounts,
        usd=t.usd,
        unpriced=t.unpriced,
        text_en=t.describe("en"),
        text_zh=t.describe("zh"),
    )


@router.get("", response_model=EventPage)
def list_events(
    session: SessionDep,
    actor: ActorDep,
    kind: EventKind | None = Query(None, description=", ".join(svc.EVENT_KINDS)),
    country: str | None = Query(None, max_length=100),
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> EventPage:
    """Events visible to the caller, newest first."""
    page = svc.list_events(
        session,
        actor,
        kind=kind,
        country=country,
        date_from=date_from,
        date_to=date_to,
        cursor=cursor,
        limit=limit,
    )
    return EventPage(
        items=[to_out(e) for e in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.post("", response_model=EventOut, status_code=201)
def create_event(session: SessionDep, actor: ActorDep, body: svc.EventIn) -> EventOut:
    return to_out(svc.create_event(session, actor, body))


@router.get("/{event_id}", response_model=EventOut)
def get_event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> EventOut:
    return to_out(svc.get_event(session, actor, event_id))


@router.patch("/{event_id}", response_model=EventOut)
def update_event(
    session: SessionDep, actor: ActorDep, event_id: IdPath, body: svc.EventPatch
) -> EventOut:
    return to_out(svc.update_event(session, actor, event_id, body))


@router.delete("/{event_id}", status_code=204, response_class=Response)
def delete_event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> Response:
    svc.delete_event(session, actor, event_id)
    return Response(status_code=204)


@router.get("/{event_id}/projects", response_model=list[EventProjectOut])
def event_projects(session: SessionDep, actor: ActorDep, event_id: IdPath) -> list[EventProjectOut]:
    """Projects announced or signed at the event (those visible to the caller)."""
    from sqlalchemy import select

    from silkhub.data.storage.models.hub import Project
    from silkhub.hub.projects import visible

    ev = svc.get_event(session, actor, event_id)
    ids = [link.project_id for link in ev.projects]
    seen = set(session.scalars(visible(select(Project.id).where(Project.id.in_(ids)), actor)))
    return [EventProjectOut.model_validate(x) for x in ev.projects if x.project_id in seen]


@router.post("/{event_id}/projects", response_model=EventProjectOut, status_code=201)
def link_project(
    session: SessionDep, actor: ActorDep, event_id: IdPath, body: svc.EventProjectIn
) -> EventProjectOut:
    """Record a project announced or signed at the event (moves its stage when allowed)."""
    return EventProjectOut.model_validate(svc.link_project(session, actor, event_id, body))


@router.get("/{event_id}/totals", response_model=TotalsOut)
def event_totals(session: SessionDep, actor: ActorDep, event_id: IdPath) -> TotalsOut:
    """'10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced'."""
    t = svc.event_totals(session, actor, event_id)
    return TotalsOut(
        event_id=t.event_id,
        signed=_kind(t.signed),
        announced=_kind(t.announced),
        text_en=t.describe("en"),
        text_zh=t.describe("zh"),
    )
