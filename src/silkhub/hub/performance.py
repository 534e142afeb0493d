"""Performance of agreements: on-time rate, fulfilled amount, overdue items and the traffic
light per agreement, organisation (the party that owes) and region — the follow-up tracking of
foreign exchanges that seed 000 finds missing.

Definitions (overdue commitment, overdue milestone, traffic light) are in
:mod:`silkhub.core.commitments`, once; the API, the web pages, the CLI and the reports all read
them from here, so one agreement shows the same overdue items and light everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from silkhub.core.commitments import (
    CommitmentFact,
    Performance,
    is_overdue,
    milestone_is_overdue,
    performance,
    traffic_light,
)
from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.hub import Agreement, Commitment, Organisation
from silkhub.errors import UnknownChoiceError
from silkhub.hub.agreements import queries
from silkhub.hub.agreements.schemas import OverdueRead
from silkhub.hub.agreements.service import get_agreement
from silkhub.hub.money import ensure_rates, to_usd
from silkhub.hub.organisations.service import get_organisation
from silkhub.hub.policy import Actor, can_read, read_scope

GROUPS = ("agreement", "organisation", "region")

__all__ = [
    "GROUPS",
    "AgreementStatus",
    "OverdueItem",
    "Performance",
    "agreement_performance",
    "agreement_statuses",
    "commitment_overdue",
    "milestone_overdue",
    "organisation_performance",
    "overdue_items",
    "performance_table",
    "region_performance",
    "traffic_light",
]


#: an open commitment or unfinished milestone past its due date (the contract's read model)
OverdueItem = OverdueRead


@dataclass
class AgreementStatus:
    """An agreement's performance and light, and which of its items are overdue."""

    agreement: Agreement
    performance: Performance
    light: str
    overdue_commitments: set[int] = field(default_factory=set)
    overdue_milestones: set[int] = field(default_factory=set)


def commitment_overdue(c: Commitment, as_of: date) -> bool:
    """The one overdue rule of a commitment (open and past due)."""
    return is_overdue(CommitmentFact(c.id, c.status, c.due_on), as_of)


def milestone_overdue(m: Any, commitment_status: str, as_of: date) -> bool:
    """The one overdue rule of a milestone (see :func:`core.commitments.milestone_is_overdue`)."""
    return milestone_is_overdue(m.status, m.due_on, commitment_status, as_of)


def _org_name(actor: Actor, org: Organisation) -> str:
    """The organisation's name if the actor may see the organisation, else its id."""
    if can_read(actor, org.visibility, [org.id]):
        return org.name_en or org.name_zh or str(org.id)
    return f"organisation {org.id}"


def _org_name_zh(actor: Actor, org: Organisation) -> str | None:
    return org.name_zh if can_read(actor, org.visibility, [org.id]) else None


def _fact(session: Session, c: Commitment) -> CommitmentFact:
    usd = to_usd(session, c.amount, c.currency, c.year)
    f_usd = to_usd(session, c.fulfilled_amount, c.currency, c.year)
    return CommitmentFact(
        c.id,
        c.status,
        c.due_on,
        c.fulfilled_on,
        usd,
        f_usd,
        tuple((m.status, m.due_on) for m in c.milestones),
    )


def _rows(
    session: Session, actor: Actor, *conds: Any
) -> list[tuple[Commitment, Agreement, Organisation]]:
    ensure_rates(session)
    return queries.commitment_rows(session, read_scope(actor), *conds)


def agreement_performance(
    session: Session, actor: Actor, agreement_id: int, as_of: date | None = None
) -> Performance:
    """Performance of one agreement's commitments (and the overdue milestones in them)."""
    get_agreement(session, actor, agreement_id)
    rows = _rows(session, actor, queries.by_agreement([agreement_id]))
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def agreement_statuses(
    session: Session, actor: Actor, agreements: list[Agreement], as_of: date | None = None
) -> list[AgreementStatus]:
    """Performance, light and overdue item ids of each agreement (one query for all)."""
    day = as_of or date.today()
    facts: dict[int, list[CommitmentFact]] = {a.id: [] for a in agreements}
    out = {a.id: AgreementStatus(a, Performance(), "grey") for a in agreements}
    if agreements:
        for c, a, _ in _rows(session, actor, queries.by_agreement(list(facts))):
            facts[a.id].append(_fact(session, c))
            st = out[a.id]
            if commitment_overdue(c, day):
                st.overdue_commitments.add(c.id)
            st.overdue_milestones.update(
                m.id for m in c.milestones if milestone_overdue(m, c.status, day)
            )
    for aid, st in out.items():
        st.performance = performance(facts[aid], day)
        st.light = st.performance.traffic_light
    return [out[a.id] for a in agreements]


def organisation_performance(
    session: Session, actor: Actor, organisation_id: int, as_of: date | None = None
) -> Performance:
    """Performance of the commitments an organisation owes (in agreements the actor sees)."""
    get_organisation(session, actor, organisation_id)
    rows = _rows(session, actor, queries.owed_by(organisation_id))
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def _region_ids(session: Session, region: str) -> list[str]:
    r = find_region(session, region)
    return [r.region_id, *queries.child_regions(session, r.region_id)]


def region_performance(
    session: Session, actor: Actor, region: str, as_of: date | None = None
) -> Performance:
    """Performance of commitments owed by organisations in a region (and its sub-regions)."""
    ids = _region_ids(session, region)
    rows = _rows(session, actor, queries.owed_in_regions(ids))
    return performance([_fact(session, c) for c, _, _ in rows], as_of or date.today())


def performance_table(
    session: Session, actor: Actor, by: str = "agreement", as_of: date | None = None
) -> list[dict[str, Any]]:
    """One row per agreement, organisation (that owes) or region with its performance and
    traffic light."""
    if by not in GROUPS:
        raise UnknownChoiceError("group", by, GROUPS, field="by")
    day = as_of or date.today()
    groups: dict[Any, list[CommitmentFact]] = {}
    labels: dict[Any, str] = {}
    for c, a, org in _rows(session, actor):
        if by == "agreement":
            key = a.id
            labels[key] = a.title_en or a.title_zh or ""
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
) -> list[OverdueRead]:
    """Open commitments and unfinished milestones past their due date, most overdue first."""
    day = as_of or date.today()
    conds: list[Any] = []
    if agreement_id is not None:
        conds.append(queries.by_agreement([agreement_id]))
    if organisation_id is not None:
        conds.append(queries.owed_by(organisation_id))
    out: list[OverdueRead] = []
    for c, a, org in _rows(session, actor, *conds):
        who = {"owed_by_id": org.id, "owed_by": _org_name(actor, org)}
        who["owed_by_zh"] = _org_name_zh(actor, org)
        items = [("commitment", c, c.what_en, c.what_zh)] if commitment_overdue(c, day) else []
        items += [
            ("milestone", m, m.title_en, m.title_zh)
            for m in c.milestones
            if milestone_overdue(m, c.status, day)
        ]
        for kind, item, en, zh in items:
            out.append(
                OverdueRead(
                    kind=kind,
                    id=item.id,
                    agreement_id=a.id,
                    what=en or zh or "",
                    what_en=en,
                    what_zh=zh,
                    due_on=item.due_on,
                    days_overdue=(day - item.due_on).days,
                    **who,
                )
            )
    return sorted(out, key=lambda x: -x.days_overdue)
