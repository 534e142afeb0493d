"""Project lifecycle: a state machine with dated, attributed transitions and history queries.

Stages (in order)::

    proposed → announced → negotiating → signed → under_construction → operational

``cancelled`` is reachable from every non-final stage; ``suspended`` from announced,
negotiating, signed and under_construction, and a suspended project resumes to the stage it
was suspended from (or is cancelled). ``operational`` and ``cancelled`` are final. Skips that
happen in practice are allowed (announced → signed at a signing ceremony, signed →
operational for an acquisition); going backwards is not.

Every change is a :class:`~silkhub.data.storage.models.hub.StageChange` row (from, to, at,
by, note). ``Project.stage`` / ``stage_on`` mirror the latest change.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Project, StageChange
from silkhub.errors import ConflictError, UnknownChoiceError, ValidationError
from silkhub.hub._audit import audit
from silkhub.hub.policy import Actor
from silkhub.hub.validation import choice_error

STAGES: tuple[str, ...] = (
    "proposed",
    "announced",
    "negotiating",
    "signed",
    "under_construction",
    "operational",
    "suspended",
    "cancelled",
)
FINAL_STAGES = frozenset({"operational", "cancelled"})

#: allowed next stages (``suspended`` resumes to the stage it came from, see allowed_next)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("announced", "negotiating", "cancelled"),
    "announced": ("negotiating", "signed", "suspended", "cancelled"),
    "negotiating": ("signed", "suspended", "cancelled"),
    "signed": ("under_construction", "operational", "suspended", "cancelled"),
    "under_construction": ("operational", "suspended", "cancelled"),
    "operational": (),
    "cancelled": (),
    "suspended": ("cancelled",),
}


def check_stage(stage: str, *, field: str = "stage") -> str:
    """Return ``stage`` if valid (``under construction`` is accepted for under_construction)."""
    s = stage.strip().lower().replace(" ", "_").replace("-", "_")
    if s not in STAGES:
        raise choice_error(UnknownChoiceError("stage", stage, STAGES, field=field))
    return s


def allowed_next(stage: str, resumed_from: str | None = None) -> tuple[str, ...]:
    """The stages a project in ``stage`` may move to.

    ``resumed_from`` is the stage before a suspension (only used when ``stage`` is suspended).
    """
    nxt = TRANSITIONS[stage]
    if stage == "suspended" and resumed_from:
        return (resumed_from, *nxt)
    return nxt


def check_transition(stage: str, to: str, resumed_from: str | None = None) -> None:
    """Raise ConflictError (HTTP 409) with the allowed next stages if ``stage → to`` is illegal."""
    allowed = allowed_next(stage, resumed_from)
    if to not in allowed:
        shown = ", ".join(allowed) if allowed else f"none ({stage} is final)"
        raise ConflictError(
            f"cannot move a project from {stage} to {to}; allowed next stages: {shown}",
            key="project.illegal_transition",
            params={"stage": stage, "to": to, "allowed": ", ".join(allowed) or "–"},
            details={"current_stage": stage, "allowed_next": list(allowed)},
        )


def _suspended_from(session: Session, project: Project) -> str | None:
    last = session.scalars(
        select(StageChange)
        .where(StageChange.project_id == project.id, StageChange.to_stage == "suspended")
        .order_by(StageChange.id.desc())
        .limit(1)
    ).first()
    return last.from_stage if last else None


def next_stages(session: Session, project: Project) -> tuple[str, ...]:
    """Allowed next stages of a stored project (resolving where a suspension resumes to)."""
    resumed = _suspended_from(session, project) if project.stage == "suspended" else None
    return allowed_next(project.stage, resumed)


def start(
    session: Session,
    project: Project,
    stage: str,
    at: date | None,
    *,
    by_user_id: int | None = None,
    note: str | None = None,
) -> StageChange:
    """Record a new project's first stage (any stage: imports start at signed, operational ...)."""
    stage = check_stage(stage)
    day = at or date.today()
    change = StageChange(
        project=project, from_stage=None, to_stage=stage, at=day, by_user_id=by_user_id, note=note
    )
    session.add(change)
    project.stage, project.stage_on = stage, day
    if project.dated_on is None:
        project.dated_on = day
    return change


def transition(
    session: Session,
    project: Project,
    to: str,
    at: date | None,
    actor: Actor,
    note: str | None = None,
) -> StageChange:
    """Move ``project`` to stage ``to`` on ``at`` (default today), recording who and why.

    Raises
    ------
    ConflictError
        The transition is not allowed; ``details['allowed_next']`` lists the legal stages.
    ValidationError
        ``at`` is before the current stage's date or in the future.
    """
    to = check_stage(to, field="to")
    day = at or date.today()
    check_transition(project.stage, to, _suspended_from(session, project))
    if project.stage_on and day < project.stage_on:
        raise ValidationError(
            key="project.transition_before",
            params={"date": day.isoformat(), "stage": project.stage, "stage_on": project.stage_on},
            field="at",
        )
    if day > date.today():
        raise ValidationError(
            key="project.transition_in_future", params={"date": day.isoformat()}, field="at"
        )
    change = StageChange(
        project_id=project.id,
        from_stage=project.stage,
        to_stage=to,
        at=day,
        by_user_id=actor.user_id,
        note=note,
    )
    session.add(change)
    before = {"stage": project.stage, "stage_on": project.stage_on}
    project.stage, project.stage_on = to, day
    session.flush()
    audit(
        session,
        actor,
        "project.transition",
        "project",
        project.id,
        before=before,
        after={"stage": to, "stage_on": day, "note": note},
    )
    return change


def history(session: Session, project_id: int) -> list[StageChange]:
    """All stage changes of a project, oldest first."""
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.project_id == project_id)
            .order_by(StageChange.at, StageChange.id)
        )
    )


def stage_as_of(session: Session, project_id: int, day: date) -> str | None:
    """The project's stage on ``day`` (None if it had not started)."""
    return session.scalar(
        select(StageChange.to_stage)
        .where(StageChange.project_id == project_id, StageChange.at <= day)
        .order_by(StageChange.at.desc(), StageChange.id.desc())
        .limit(1)
    )


def reached(
    session: Session,
    stage: str,
    *,
    start_on: date | None = None,
    end_on: date | None = None,
    year: int | None = None,
) -> list[int]:
    """Ids of projects that reached ``stage`` in a period (first time), e.g. signed in 2020.

    ``year`` is shorthand for 1 January .. 31 December; ``end_on`` is inclusive.
    """
    stage = check_stage(stage)
    if year is not None:
        start_on, end_on = date(year, 1, 1), date(year, 12, 31)
    first = (
        select(StageChange.project_id, func.min(StageChange.at).label("at"))
        .where(StageChange.to_stage == stage)
        .group_by(StageChange.project_id)
        .subquery()
    )
    q = select(first.c.project_id)
    if start_on is not None:
        q = q.where(first.c.at >= start_on)
    if end_on is not None:
        q = q.where(first.c.at <= end_on)
    return sorted(session.scalars(q))


@dataclass(frozen=True)
class StageDurations:
    """Days from first reaching ``from_stage`` to first reaching ``to_stage``."""

    from_stage: str
    to_stage: str
    count: int
    mean_days: float | None
    median_days: float | None
    min_days: int | None
    max_days: int | None
    by_project: dict[int, int]


def summarise_durations(from_stage: str, to_stage: str, days: dict[int, int]) -> StageDurations:
    """Count, mean, median, min and max of per-project durations in days (pure)."""
    vals: Sequence[int] = list(days.values())
    if not vals:
        return StageDurations(from_stage, to_stage, 0, None, None, None, None, {})
    return StageDurations(
        from_stage,
        to_stage,
        len(vals),
        statistics.fmean(vals),
        float(statistics.median(vals)),
        min(vals),
        max(vals),
        dict(days),
    )


def time_between(
    session: Session, from_stage: str, to_stage: str, project_ids: Sequence[int] | None = None
) -> StageDurations:
    """Time from ``from_stage`` to ``to_stage`` (e.g. signed → operational), per project.

    Only projects that reached both stages count; the first date each was reached is used.
    """
    from_stage, to_stage = check_stage(from_stage), check_stage(to_stage)
    q = select(StageChange.project_id, StageChange.to_stage, func.min(StageChange.at)).where(
        StageChange.to_stage.in_([from_stage, to_stage])
    )
    if project_ids is not None:
        q = q.where(StageChange.project_id.in_(list(project_ids)))
    q = q.group_by(StageChange.project_id, StageChange.to_stage)
    first: dict[int, dict[str, date]] = {}
    for pid, stage, at in session.execute(q):
        first.setdefault(pid, {})[stage] = at
    days = {
        pid: (d[to_stage] - d[from_stage]).days
        for pid, d in first.items()
        if from_stage in d and to_stage in d and d[to_stage] >= d[from_stage]
    }
    return summarise_durations(from_stage, to_stage, days)
