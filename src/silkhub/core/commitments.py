"""Performance of commitments made in agreements (pure; no I/O).

Definitions, for a reporting date ``as_of``:

* A commitment is **evaluated** when it is not cancelled and either fulfilled or past due
  (``due_on < as_of``). Open commitments not yet due are *pending* and not evaluated.
* It is **on time** when fulfilled on or before its due date (no due date: fulfilled counts
  as on time).
* **On-time rate** = on time / evaluated (None when nothing is evaluated yet).
* **Overdue** = open (not fulfilled, not cancelled) and ``due_on < as_of``;
  ``days_overdue = as_of − due_on``.
* A milestone is **overdue** when its commitment is not cancelled, the milestone is planned, in
  progress or missed (not done, not cancelled) and ``due_on < as_of``.
* **Traffic light** of a set of commitments: **red** when a commitment or a milestone is
  overdue; otherwise **grey** when nothing is evaluated yet; **green** when the on-time rate is
  at least 80 %; **amber** below that.
* **Fulfilled amount** = Σ fulfilled amounts (the committed amount when a fulfilled item has
  no separate fulfilled amount), in US$; **committed amount** = Σ committed amounts in US$ of
  non-cancelled commitments; **fulfilment rate** = fulfilled / committed amount.

Example (as_of 2021-01-01): A due 2020-06-30 fulfilled 2020-06-01 (on time), B due
2020-09-30 fulfilled 2020-10-15 (late), C due 2020-12-01 open (overdue 31 days), D due
2021-06-30 open (pending) → evaluated 3, on time 1, on-time rate 1/3, overdue 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class CommitmentFact:
    """What performance needs to know about one commitment."""

    id: int
    status: str  # open | fulfilled | cancelled
    due_on: date | None
    fulfilled_on: date | None = None
    amount_usd: float | None = None
    fulfilled_usd: float | None = None
    #: (status, due_on) of its milestones
    milestones: tuple[tuple[str, date | None], ...] = ()


@dataclass
class Performance:
    """Aggregated performance of a set of commitments."""

    commitments: int = 0
    evaluated: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    cancelled: int = 0
    on_time_rate: float | None = None
    committed_usd: float = 0.0
    fulfilled_usd: float = 0.0
    fulfilment_rate: float | None = None
    overdue_ids: list[int] = field(default_factory=list)
    max_days_overdue: int = 0
    overdue_milestones: int = 0
    traffic_light: str = "grey"


def is_overdue(c: CommitmentFact, as_of: date) -> bool:
    """Open and past its due date."""
    return c.status == "open" and c.due_on is not None and c.due_on < as_of


#: milestone statuses that still count (an overdue one of these is a missed date)
MILESTONE_OPEN: tuple[str, ...] = ("planned", "in_progress", "missed")
#: on-time rate from which an agreement with nothing overdue is green
GREEN_FROM = 0.8


def milestone_is_overdue(
    status: str, due_on: date | None, commitment_status: str, as_of: date
) -> bool:
    """Not done or cancelled, of a commitment that is not cancelled, and past its due date."""
    return (
        commitment_status != "cancelled"
        and status in MILESTONE_OPEN
        and due_on is not None
        and due_on < as_of
    )


def traffic_light(p: Performance) -> str:
    """red (a commitment or milestone overdue), grey (nothing evaluated yet), green (on-time
    rate ≥ 80 %) or amber.

    >>> traffic_light(Performance(evaluated=2, on_time=2, on_time_rate=1.0))
    'green'
    >>> traffic_light(Performance(evaluated=2, on_time=2, on_time_rate=1.0, overdue_milestones=1))
    'red'
    """
    if p.overdue or p.overdue_milestones:
        return "red"
    if not p.evaluated or p.on_time_rate is None:
        return "grey"
    return "green" if p.on_time_rate >= GREEN_FROM else "amber"


def performance(items: Iterable[CommitmentFact], as_of: date) -> Performance:
    """On-time rate, fulfilled amount and overdue items of ``items`` as of a date."""
    p = Performance()
    for c in items:
        p.commitments += 1
        p.overdue_milestones += sum(
            milestone_is_overdue(st, due, c.status, as_of) for st, due in c.milestones
        )
        if c.status == "cancelled":
            p.cancelled += 1
            continue
        p.committed_usd += c.amount_usd or 0.0
        if c.status == "fulfilled":
            p.evaluated += 1
            on_time = c.due_on is None or (
                c.fulfilled_on is not None and c.fulfilled_on <= c.due_on
            )
            if on_time:
                p.on_time += 1
            else:
                p.late += 1
            got = c.fulfilled_usd if c.fulfilled_usd is not None else c.amount_usd
            p.fulfilled_usd += got or 0.0
        elif is_overdue(c, as_of):
            p.evaluated += 1
            p.overdue += 1
            p.overdue_ids.append(c.id)
            p.max_days_overdue = max(p.max_days_overdue, (as_of - c.due_on).days)  # type: ignore[operator]
        else:
            p.pending += 1
    p.on_time_rate = p.on_time / p.evaluated if p.evaluated else None
    p.fulfilment_rate = p.fulfilled_usd / p.committed_usd if p.committed_usd else None
    p.traffic_light = traffic_light(p)
    return p
