"""Performance of agreements: on-time rate, fulfilled amount and overdue items per agreement,
organisation (the party that owes) and region — the follow-up tracking of foreign exchanges
that seed 000 finds missing. Definitions are in :mod:`silkhub.core.commitments`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from silkhub.core.commitments import CommitmentFact, Performance, performance
from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.hub import Agreement, Commitment, Milestone, Organisation
from silkhub.data.storage.models.reference import Region
from silkhub.errors import UnknownChoiceError
from silkhub.hub.agreements import get_agreement, visible_agreements
from silkhub.hub.money import ensure_rates, to_usd
from silkhub.hub.organisations import get_organisation
from silkhub.hub.policy import Actor, can_read

GROUPS = ("agreement", "organisation", "region")


@dataclass
class OverdueItem:
    """An open commitment or milestone past its due date."""

    kind: str  # commitment | milestone
    id: int
    agreement_id: int
    owed_by_id: int
    owed_by: str
    what: str
    due_on: date
    days_overdue: int


def _org_name(actor: Actor, org: Organisation) -> str:
    """The organisation's name if the actor may see the organisation, else its id."""
    if can_read(actor, org.visibility, [org.id]):
        return org.name_en or org.name_zh or str(org.id)
    return f"organisation {org.id}"


def _facts_query(actor: Actor):  # type: ignore[no-untyped-def]
    q = select(Commitment, Agreement.id, Organisation).join(
        Agreement, Agreement.id == Commitment.agreement_id
    )
    q = q.join(Organisation, Organisation.id == Commitment.owed_by_id)
    cond = visible_agreements(actor)
    return q.where(cond) if cond is not None else q


def _fact(session: Session, c: Commitment) -> CommitmentFact:
    usd = to_usd(session, c.amount, c.currency, c.year)
    f_usd = to_usd(session, c.fulfilled_amount, c.currency, c.year)
    return CommitmentFact(c.id, c.status, c.due_on, c.fulfilled_on, usd, f_usd)


def _rows(
    session: Session, actor: Actor, *conds: Any
) -> list[tuple[Commitment, int, Organisation]]:
    ensure_rates(session)
    q = _facts_query(actor)
    for cond in conds:
        q = q.where(cond)
    return [tuple(r) for r in session.execute(q.order_by(Commitment.id))]  # type: ignore[misc]


def agreement_performance(
    session: Session, actor: Actor, agreement_id: int, as_of: date | None = None
) -> Performance:
    """Performance of one agreement's commitments."""
    get_agreement(session, actor, agreement_id)
    rows = _rows(session, actor, Commitment.agreement_id == agreement_id)
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def organisation_performance(
    session: Session, actor: Actor, organisation_id: int, as_of: date | None = None
) -> Performance:
    """Performance of the commitments an organisation owes (in agreements the actor sees)."""
    get_organisation(session, actor, organisation_id)
    rows = _rows(session, actor, Commitment.owed_by_id == organisation_id)
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def _region_ids(session: Session, region: str) -> list[str]:
    r = find_region(session, region)
    kids = list(session.scalars(select(Region.region_id).where(Region.parent_id == r.region_id)))
    return [r.region_id, *kids]


def region_performance(
    session: Session, actor: Actor, region: str, as_of: date | None = None
) -> Performance:
    """Performance of commitments owed by organisations in a region (and its sub-regions)."""
    ids = _region_ids(session, region)
    rows = _rows(session, actor, Organisation.region_id.in_(ids))
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def performance_table(
    session: Session, actor: Actor, by: str = "agreement", as_of: date | None = None
) -> list[dict[str, Any]]:
    """One row per agreement, organisation (that owes) or region with its performance."""
    if by not in GROUPS:
        raise UnknownChoiceError("group", by, GROUPS, field="by")
    day = as_of or date.today()
    groups: dict[Any, list[CommitmentFact]] = {}
    labels: dict[Any, str] = {}
    for c, agreement_id, org in _rows(session, actor):
        if by == "agreement":
            key = agreement_id
            a = session.get(Agreement, agreement_id)
            labels[key] = (a.title_en or a.title_zh or "") if a else ""
        elif by == "organisation":
            key = org.id
            labels[key] = _org_name(actor, org)
        else:
            key = org.region_id or org.iso3 or "?"
            labels[key] = key
        groups.setdefault(key, []).append(_fact(session, c))
    out = []
    for key, facts in groups.items():
        p = asdict(performance(facts, day))
        p.pop("overdue_ids")
        out.append({by: key, "name": labels.get(key, ""), **p})
    return out


def overdue_items(
    session: Session,
    actor: Actor,
    as_of: date | None = None,
    *,
    agreement_id: int | None = None,
    organisation_id: int | None = None,
) -> list[OverdueItem]:
    """Open commitments and unfinished milestones past their due date, most overdue first."""
    day = as_of or date.today()
    conds: list[Any] = []
    if agreement_id is not None:
        conds.append(Commitment.agreement_id == agreement_id)
    if organisation_id is not None:
        conds.append(Commitment.owed_by_id == organisation_id)
    out: list[OverdueItem] = []
    for c, aid, org in _rows(session, actor, *conds):
        name = _org_name(actor, org)
        if c.status == "open" and c.due_on is not None and c.due_on < day:
            out.append(
                OverdueItem(
                    "commitment",
                    c.id,
                    aid,
                    org.id,
                    name,
                    c.what_en or c.what_zh or "",
                    c.due_on,
                    (day - c.due_on).days,
                )
            )
        if c.status == "cancelled":
            continue
        ms = session.scalars(
            select(Milestone).where(
                Milestone.commitment_id == c.id,
                Milestone.due_on < day,
                or_(Milestone.status.in_(("planned", "in_progress", "missed"))),
            )
        )
        for m in ms:
            assert m.due_on is not None
            out.append(
                OverdueItem(
                    "milestone",
                    m.id,
                    aid,
                    org.id,
                    name,
                    m.title_en or m.title_zh or "",
                    m.due_on,
                    (day - m.due_on).days,
                )
            )
    return sorted(out, key=lambda x: -x.days_overdue)
