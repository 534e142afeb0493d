"""SQL of the event service: loading with organisers and links, existence checks, the
visibility clause of event lists, and the links of an event."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import Event, EventOrganiser, EventProject
from silkhub.hub.policy import Actor, read_scope


def load(session: Session, event_id: int) -> Event | None:
    return session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.organisers), selectinload(Event.projects))
    ).first()


def external_id_taken(session: Session, external_id: str) -> bool:
    return bool(session.scalar(select(Event.id).where(Event.external_id == external_id)))


def link_exists(session: Session, event_id: int, project_id: int, kind: str) -> bool:
    return bool(
        session.scalar(
            select(EventProject.id).where(
                EventProject.event_id == event_id,
                EventProject.project_id == project_id,
                EventProject.kind == kind,
            )
        )
    )


def links(session: Session, event_id: int) -> list[EventProject]:
    return list(session.scalars(select(EventProject).where(EventProject.event_id == event_id)))


def visible_events(actor: Actor) -> Select:
    """Events (with organisers and links) ``actor`` may read."""
    query = select(Event).options(selectinload(Event.organisers), selectinload(Event.projects))
    scope = read_scope(actor)
    if scope.everything:
        return query
    cond = Event.visibility.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(
            cond,
            Event.id.in_(
                select(EventOrganiser.event_id).where(
                    EventOrganiser.organisation_id == scope.organisation_id
                )
            ),
        )
    return query.where(cond)
