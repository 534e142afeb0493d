"""Events and signings: conferences, online conferences, roadshows, exhibitions, delegation
visits; projects announced or signed at them with the amounts quoted; event totals.

Totals follow the way events report themselves, e.g. seed 003's online conference in Qingdao:
"10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced". Amounts are summed per
currency (never mixed); a US$ total is added through the rates table of the event's year.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import (
    Event,
    EventOrganiser,
    EventProject,
    Project,
)
from silkhub.errors import ConflictError, ValidationError
from silkhub.hub import lifecycle
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    MAX_MONEY,
    DbId,
    Page,
    check_choice,
    check_dates_ordered,
    check_org_visible,
    delete_audited,
    keyset_page,
    resolve_country,
    resolve_region,
)
from silkhub.hub.money import check_amount, ensure_rates, to_usd
from silkhub.hub.policy import (
    Actor,
    check_visibility,
    checked,
    ensure_can_create,
    read_scope,
)
from silkhub.hub.projects import visible, writable_project

logger = logging.getLogger(__name__)

EVENT_KINDS: tuple[str, ...] = (
    "conference",
    "online_conference",
    "roadshow",
    "exhibition",
    "delegation_visit",
)
LINK_KINDS: tuple[str, ...] = ("announced", "signed")


class EventIn(BaseModel):
    """Fields to create an event."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description=", ".join(EVENT_KINDS))
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    start_on: date
    end_on: date | None = None
    place: str | None = Field(None, max_length=300)
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    organiser_ids: list[DbId] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    start_on: date | None = None
    end_on: date | None = None
    place: str | None = Field(None, max_length=300)
    visibility: str | None = None


class EventProjectIn(BaseModel):
    """A project announced or signed at an event, with the amount quoted there."""

    model_config = ConfigDict(extra="forbid")
    project_id: DbId
    kind: str = Field(description="announced or signed")
    amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    currency: str | None = Field(None, max_length=3)
    note: str | None = Field(None, max_length=1000)
    update_stage: bool = Field(
        True, description="move the project to announced/signed on the event date if allowed"
    )


def organiser_ids(event: Event) -> list[int]:
    return sorted(o.organisation_id for o in event.organisers)


def create_event(
    session: Session,
    actor: Actor,
    data: EventIn,
    *,
    source_dataset: str | None = None,
    source_row: str | None = None,
) -> Event:
    """Create an event; members may create events organised by their organisation."""
    ensure_can_create(actor, data.organiser_ids, what="event")
    if not (data.title_en or data.title_zh):
        raise ValidationError("an event needs a title (title_en or title_zh)", field="title_en")
    check_dates_ordered(("start_on", data.start_on), ("end_on", data.end_on))
    if data.external_id and session.scalar(
        select(Event.id).where(Event.external_id == data.external_id)
    ):
        raise ConflictError(f"an event with external_id {data.external_id!r} exists")
    for oid in data.organiser_ids:
        check_org_visible(session, actor, oid, "organiser_ids")
    region_id, r_iso3 = resolve_region(session, data.region_id)
    ev = Event(
        kind=check_choice(data.kind, EVENT_KINDS, "event kind", "kind", required=True),
        title_en=data.title_en,
        title_zh=data.title_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        start_on=data.start_on,
        end_on=data.end_on,
        place=data.place,
        iso3=resolve_country(session, data.iso3) or r_iso3,
        region_id=region_id,
        visibility=check_visibility(data.visibility),
        external_id=data.external_id,
        source_dataset=source_dataset,
        source_row=source_row,
    )
    ev.organisers = [EventOrganiser(organisation_id=o) for o in dict.fromkeys(data.organiser_ids)]
    session.add(ev)
    session.flush()
    audit(session, actor, "event.create", "event", ev.id, after=snapshot(ev))
    return ev


def _load(session: Session, event_id: int) -> Event | None:
    return session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.organisers), selectinload(Event.projects))
    ).first()


def get_event(session: Session, actor: Actor, event_id: int) -> Event:
    return checked(_load(session, event_id), actor, organiser_ids, what="event", ident=event_id)


def writable_event(session: Session, actor: Actor, event_id: int) -> Event:
    loaded = _load(session, event_id)
    return checked(loaded, actor, organiser_ids, what="event", ident=event_id, write=True)


def update_event(session: Session, actor: Actor, event_id: int, patch: EventPatch) -> Event:
    ev = writable_event(session, actor, event_id)
    before = snapshot(ev)
    fields = patch.model_dump(exclude_unset=True)
    if "visibility" in fields:
        ev.visibility = check_visibility(fields.pop("visibility") or "public")
    if "start_on" in fields and fields["start_on"] is None:
        raise ValidationError("start_on cannot be removed", field="start_on")
    for k, v in fields.items():
        setattr(ev, k, v)
    check_dates_ordered(("start_on", ev.start_on), ("end_on", ev.end_on))
    session.flush()
    audit(session, actor, "event.update", "event", ev.id, before, snapshot(ev))
    return ev


def delete_event(session: Session, actor: Actor, event_id: int) -> None:
    ev = writable_event(session, actor, event_id)
    delete_audited(session, actor, ev, "event", event_id)


def link_project(
    session: Session, actor: Actor, event_id: int, data: EventProjectIn
) -> EventProject:
    """Record that a project was announced or signed at an event (with the quoted amount).

    With ``update_stage`` the project moves to ``announced``/``signed`` on the event's date
    when that transition is allowed and the project is not already further along.

    Linking is a write on both records: the actor must be able to change the event *and* the
    project (member of one of the project's parties, or hub staff). A project the actor can
    only read (another organisation's public or demo project) answers 403, an invisible one
    404; the stage of a project is never changed by someone who may not change the project.
    """
    ev = writable_event(session, actor, event_id)
    project = writable_project(session, actor, data.project_id)
    kind = check_choice(data.kind, LINK_KINDS, "signing kind", "kind", required=True)
    amount, currency = check_amount(data.amount, data.currency, field="amount")
    if session.scalar(
        select(EventProject.id).where(
            EventProject.event_id == ev.id,
            EventProject.project_id == project.id,
            EventProject.kind == kind,
        )
    ):
        raise ConflictError(f"project {project.id} is already {kind} at event {ev.id}")
    link = EventProject(
        event_id=ev.id,
        project_id=project.id,
        kind=kind,
        amount=amount,
        currency=currency,
        year=ev.start_on.year,
        note=data.note,
    )
    session.add(link)
    if data.update_stage and kind in lifecycle.next_stages(session, project):
        stage_on = project.stage_on
        if stage_on is None or stage_on <= ev.start_on <= date.today():
            lifecycle.transition(
                session, project, kind, ev.start_on, actor, note=f"{kind} at event {ev.id}"
            )
    session.flush()
    audit(session, actor, "event.link_project", "event_project", link.id, after=snapshot(link))
    return link


def list_events(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    country: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Event]:
    """Events visible to ``actor``, newest first."""
    query = select(Event).options(selectinload(Event.organisers), selectinload(Event.projects))
    scope = read_scope(actor)
    if not scope.everything:
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
        query = query.where(cond)
    if kind:
        query = query.where(Event.kind == check_choice(kind, EVENT_KINDS, "event kind", "kind"))
    if country:
        query = query.where(Event.iso3 == resolve_country(session, country, field="country"))
    if date_from:
        query = query.where(Event.start_on >= date_from)
    if date_to:
        query = query.where(Event.start_on <= date_to)
    return keyset_page(
        session,
        query,
        Event.start_on,
        Event.id,
        descending=True,
        cursor=cursor,
        limit=limit,
        kind="date",
        nullable=False,
    )


@dataclass
class KindTotal:
    """Projects announced or signed at an event: count, amounts per currency, US$ total."""

    kind: str
    projects: int
    amounts: dict[str, Decimal] = field(default_factory=dict)
    usd: float | None = None
    unpriced: int = 0

    def describe(self, lang: str = "en") -> str:
        """``10 projects, 42.7 bn CNY signed`` (zh: ``签约项目10个，427亿元人民币``)."""
        money = [_fmt_amount(a, c, lang) for c, a in sorted(self.amounts.items())]
        if lang == "zh":
            verb = {"signed": "签约", "announced": "发布"}[self.kind]
            return f"{verb}项目{self.projects}个" + (f"，{'、'.join(money)}" if money else "")
        head = f"{self.projects} project{'s' if self.projects != 1 else ''}"
        return f"{head}, {' + '.join(money)} {self.kind}" if money else f"{head} {self.kind}"


_CURRENCY_ZH = {"CNY": "亿元人民币", "USD": "亿美元", "EUR": "亿欧元", "RUB": "亿卢布"}


def _fmt_amount(amount: Decimal, currency: str, lang: str) -> str:
    if lang == "zh":
        yi = amount / Decimal(100_000_000)
        unit = _CURRENCY_ZH.get(currency, f"亿{currency}")
        return f"{_trim(yi)}{unit}"
    if amount >= Decimal(1_000_000_000):
        return f"{_trim(amount / Decimal(1_000_000_000))} bn {currency}"
    if amount >= Decimal(1_000_000):
        return f"{_trim(amount / Decimal(1_000_000))} m {currency}"
    return f"{_trim(amount)} {currency}"


def _trim(x: Decimal) -> str:
    s = f"{x.quantize(Decimal('0.01')):f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


@dataclass
class EventTotals:
    event_id: int
    signed: KindTotal
    announced: KindTotal

    def describe(self, lang: str = "en") -> str:
        """``10 projects, 42.7 bn CNY signed; 20 projects, 80 bn CNY announced``."""
        sep = "；" if lang == "zh" else "; "
        return sep.join([self.signed.describe(lang), self.announced.describe(lang)])


def compute_totals(
    rows: list[tuple[str, int, Decimal | None, str | None]],
    usd_rate: dict[str, float | None] | None = None,
) -> dict[str, KindTotal]:
    """Pure: totals per kind from (kind, project_id, amount, currency) rows.

    A project counts once per kind; amounts add up per currency. ``usd_rate`` maps a
    currency to US$ per unit (None: unknown → the US$ total is None).
    """
    out = {k: KindTotal(k, 0) for k in LINK_KINDS}
    seen: dict[str, set[int]] = defaultdict(set)
    for kind, pid, amount, currency in rows:
        t = out[kind]
        if pid not in seen[kind]:
            seen[kind].add(pid)
            t.projects += 1
        if amount is None or currency is None:
            t.unpriced += 1
            continue
        t.amounts[currency] = t.amounts.get(currency, Decimal(0)) + Decimal(amount)
    if usd_rate is not None:
        for t in out.values():
            total = 0.0
            for cur, amt in t.amounts.items():
                rate = usd_rate.get(cur)
                if rate is None:
                    total = None  # type: ignore[assignment]
                    break
                total += float(amt) * rate
            t.usd = total
    return out


def event_totals(session: Session, actor: Actor, event_id: int) -> EventTotals:
    """Signed and announced totals of an event (projects the actor may see count)."""
    ev = get_event(session, actor, event_id)
    ensure_rates(session)
    links = list(session.scalars(select(EventProject).where(EventProject.event_id == ev.id)))
    ids = [link.project_id for link in links]
    seen = set(session.scalars(visible(select(Project.id).where(Project.id.in_(ids)), actor)))
    rows = [
        (link.kind, link.project_id, link.amount, link.currency)
        for link in links
        if link.project_id in seen
    ]
    currencies = {c for _, _, _, c in rows if c}
    rates = {c: to_usd(session, 1, c, ev.start_on.year) for c in currencies}
    t = compute_totals(rows, rates)
    return EventTotals(ev.id, t["signed"], t["announced"])
