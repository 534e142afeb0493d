"""Events and signings: CRUD, projects announced/signed at an event, event totals."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from pydantic import Field

from silkhub.api.choices import EventKind, LinkKind
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import RESPONSES, IdPath
from silkhub.hub import events as svc
from silkhub.hub.events.schemas import (
    EventPage,
    EventProjectRead,
    EventRead,
    KindTotalRead,
    TotalsRead,
)

router = APIRouter(prefix="/events", tags=["events"], responses=RESPONSES)


def _kind(t: svc.KindTotal) -> KindTotalRead:
    return KindTotalRead(
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
        items=[svc.read(e) for e in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.post("", response_model=EventRead, status_code=201)
def create_event(session: SessionDep, actor: ActorDep, body: svc.EventCreate) -> EventRead:
    return svc.read(svc.create_event(session, actor, body))


@router.get("/{event_id}", response_model=EventRead)
def get_event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> EventRead:
    return svc.read(svc.get_event(session, actor, event_id))


@router.patch("/{event_id}", response_model=EventRead)
def update_event(
    session: SessionDep, actor: ActorDep, event_id: IdPath, body: svc.EventUpdate
) -> EventRead:
    return svc.read(svc.update_event(session, actor, event_id, body))


@router.delete("/{event_id}", status_code=204, response_class=Response)
def delete_event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> Response:
    svc.delete_event(session, actor, event_id)
    return Response(status_code=204)


@router.get("/{event_id}/projects", response_model=list[EventProjectRead])
def event_projects(
    session: SessionDep, actor: ActorDep, event_id: IdPath
) -> list[EventProjectRead]:
    """Projects announced or signed at the event (those visible to the caller)."""
    links = svc.event_projects(session, actor, event_id)
    return [EventProjectRead.model_validate(x) for x in links]


class EventProjectBody(svc.EventProjectIn):
    """The API's body: ``kind`` is the closed list (an enum in the document)."""

    kind: LinkKind = Field(description="announced or signed")  # type: ignore[valid-type]


@router.post("/{event_id}/projects", response_model=EventProjectRead, status_code=201)
def link_project(
    session: SessionDep, actor: ActorDep, event_id: IdPath, body: EventProjectBody
) -> EventProjectRead:
    """Record a project announced or signed at the event (moves its stage when allowed)."""
    return EventProjectRead.model_validate(svc.link_project(session, actor, event_id, body))


@router.get("/{event_id}/totals", response_model=TotalsRead)
def event_totals(session: SessionDep, actor: ActorDep, event_id: IdPath) -> TotalsRead:
    """'10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced'."""
    t = svc.event_totals(session, actor, event_id)
    return TotalsRead(
        event_id=t.event_id,
        signed=_kind(t.signed),
        announced=_kind(t.announced),
        text_en=t.describe("en"),
        text_zh=t.describe("zh"),
    )
