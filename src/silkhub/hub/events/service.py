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

from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Event, EventOrganiser, EventProject, Project
from silkhub.errors import ConflictError, ValidationError
from silkhub.hub import lifecycle
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    Page,
    check_dates_ordered,
    check_org_visible,
    delete_audited,
    keyset_page,
)
from silkhub.hub.events import queries as q
from silkhub.hub.events.schemas import (
    EVENT_KINDS,
    LINK_KINDS,
    EventCreate,
    EventProjectIn,
    EventRead,
    EventUpdate,
)
from silkhub.hub.money import check_amount, ensure_rates, to_usd
from silkhub.hub.policy import Actor, check_visibility, checked, ensure_can_create
from silkhub.hub.projects import queries as project_queries
from silkhub.hub.projects import writable_project
from silkhub.hub.validation import choice as _choice
from silkhub.hub.validation import country as _country
from silkhub.hub.validation import keyed
from silkhub.hub.validation import region as _region

logger = logging.getLogger(__name__)


def _dates(start_on: date | None, end_on: date | None) -> None:
    try:
        check_dates_ordered(("start_on", start_on), ("end_on", end_on))
    except ValidationError as exc:
        raise keyed(
            exc, "event.end_before_start", "end_on", start_on=start_on, end_on=end_on
        ) from None


def organiser_ids(event: Event) -> list[int]:
    return sorted(o.organisation_id for o in event.organisers)


def create_event(
    session: Session,
    actor: Actor,
    data: EventCreate,
    *,
    source_dataset: str | None = None,
    source_row: str | None = None,
) -> Event:
    """Create an event; members may create events organised by their organisation."""
    ensure_can_create(actor, data.organiser_ids, what="event")
    if not (data.title_en or data.title_zh):
        raise ValidationError(key="event.title_needed", field="title_en")
    _dates(data.start_on, data.end_on)
    if data.external_id and q.external_id_taken(session, data.external_id):
        raise ConflictError(
            key="event.external_id_exists", params={"external_id": data.external_id}
        )
    for oid in data.organiser_ids:
        try:
            check_org_visible(session, actor, oid, "organiser_ids")
        except ValidationError as exc:
            raise keyed(exc, "project.unknown_organisation", id=oid) from None
    region_id, r_iso3 = _region(session, data.region_id)
    ev = Event(
        kind=_choice(data.kind, EVENT_KINDS, "event kind", "kind", required=True),
        title_en=data.title_en,
        title_zh=data.title_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        start_on=data.start_on,
        end_on=data.end_on,
        place=data.place,
        iso3=_country(session, data.iso3, "iso3") or r_iso3,
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


def get_event(session: Session, actor: Actor, event_id: int) -> Event:
    return checked(q.load(session, event_id), actor, organiser_ids, what="event", ident=event_id)


def writable_event(session: Session, actor: Actor, event_id: int) -> Event:
    loaded = q.load(session, event_id)
    return checked(loaded, actor, organiser_ids, what="event", ident=event_id, write=True)


def update_event(session: Session, actor: Actor, event_id: int, patch: EventUpdate) -> Event:
    ev = writable_event(session, actor, event_id)
    before = snapshot(ev)
    fields = patch.model_dump(exclude_unset=True)
    if "visibility" in fields:
        ev.visibility = check_visibility(fields.pop("visibility") or "public")
    if "start_on" in fields and fields["start_on"] is None:
        raise ValidationError(key="event.start_required", field="start_on")
    for k, v in fields.items():
        setattr(ev, k, v)
    _dates(ev.start_on, ev.end_on)
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
    kind = _choice(data.kind, LINK_KINDS, "signing kind", "kind", required=True)
    try:
        amount, currency = check_amount(data.amount, data.currency, field="amount")
    except ValidationError as exc:
        raise keyed(exc, "project.bad_amount", exc.field or "amount") from None
    if q.link_exists(session, ev.id, project.id, kind):
        raise ConflictError(
            key="event.link_exists",
            params={"project": project.id, "kind": kind, "event": ev.id},
        )
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
    query = q.visible_events(actor)
    if kind:
        query = query.where(Event.kind == _choice(kind, EVENT_KINDS, "event kind", "kind"))
    if country:
        query = query.where(Event.iso3 == _country(session, country, "country"))
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
    links = q.links(session, ev.id)
    seen = set(project_queries.visible_ids(session, actor, [x.project_id for x in links]))
    rows = [
        (link.kind, link.project_id, link.amount, link.currency)
        for link in links
        if link.project_id in seen
    ]
    currencies = {c for _, _, _, c in rows if c}
    rates = {c: to_usd(session, 1, c, ev.start_on.year) for c in currencies}
    t = compute_totals(rows, rates)
    return EventTotals(ev.id, t["signed"], t["announced"])


def event_projects(session: Session, actor: Actor, event_id: int) -> list[EventProject]:
    """The event's announced/signed links whose project the actor may read."""
    ev = get_event(session, actor, event_id)
    seen = set(project_queries.visible_ids(session, actor, [x.project_id for x in ev.projects]))
    return [x for x in ev.projects if x.project_id in seen]


def visible_projects(session: Session, actor: Actor, links: list[EventProject]) -> list[Project]:
    """The projects of ``links`` (already filtered by :func:`event_projects`), loaded at once."""
    ids = [x.project_id for x in links]
    by_id = {p.id: p for p in project_queries.visible_projects_by_ids(session, actor, ids)}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


def read(e: Event) -> EventRead:
    """The read model of an event."""
    return EventRead(
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
        organiser_ids=organiser_ids(e),
        visibility=e.visibility,
        external_id=e.external_id,
    )


def can_change(actor: Actor, event: Event) -> bool:
    """Whether ``actor`` may change ``event`` (organiser or hub staff)."""
    from silkhub.hub.policy import can_write

    return actor.is_authenticated and can_write(actor, event.visibility, organiser_ids(event))
