"""The living-environment directory: ``/api/v1/places``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from silkhub.api.choices import PlaceKind
from silkhub.api.deps import ActorDep, SessionDep
from silkhub.api.params import IsoDate
from silkhub.api.routes.projects import IdPath
from silkhub.hub import places as svc
from silkhub.hub.common import MAX_ID

router = APIRouter(prefix="/places", tags=["places"])


class PlaceOut(BaseModel):
    id: int
    kind: str
    name_en: str | None
    name_zh: str | None
    region_id: str
    country_served: str | None
    languages: list[str]
    services: str | None
    address: str | None
    lat: float | None
    lon: float | None
    opened_on: date | None
    source: str


class CountOut(BaseModel):
    region_id: str
    year: int
    indicator: str
    value: float
    counted_on: date
    source: str


def _out(p) -> PlaceOut:  # type: ignore[no-untyped-def]
    return PlaceOut(
        id=p.id,
        kind=p.kind,
        name_en=p.name_en,
        name_zh=p.name_zh,
        region_id=p.region_id,
        country_served=p.country_served,
        languages=[x for x in (p.languages or "").split(",") if x],
        services=p.services,
        address=p.address,
        lat=p.lat,
        lon=p.lon,
        opened_on=p.opened_on,
        source=p.source,
    )


@router.get("", response_model=list[PlaceOut])
def list_places(
    session: SessionDep,
    region: str | None = Query(None, description="region id or name; a city includes districts"),
    kind: PlaceKind | None = Query(None, description=", ".join(svc.KINDS)),
    limit: int = Query(500, ge=1, le=2000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[PlaceOut]:
    """Public directory of international schools, hospitals, consulates and services."""
    return [
        _out(p)
        for p in svc.list_places(session, region=region, kind=kind, limit=limit, offset=offset)
    ]


@router.get("/counts", response_model=list[CountOut])
def counts(session: SessionDep, as_of: IsoDate | None = None) -> list[CountOut]:
    """Region-level counts (index indicators) derived from the directory and talent records."""
    return [CountOut(**c.__dict__) for c in svc.region_counts(session, as_of)]


@router.get("/{place_id}", response_model=PlaceOut)
def show_place(session: SessionDep, place_id: IdPath) -> PlaceOut:
    return _out(svc.get_place(session, place_id))


@router.post("", response_model=PlaceOut, status_code=201)
def create_place(session: SessionDep, actor: ActorDep, body: svc.PlaceIn) -> PlaceOut:
    """Add or update a directory entry (hub staff)."""
    return _out(svc.create_place(session, actor, body))


@router.delete("/{place_id}", status_code=204)
def delete_place(session: SessionDep, actor: ActorDep, place_id: IdPath) -> Response:
    svc.delete_place(session, actor, place_id)
    return Response(status_code=204)
