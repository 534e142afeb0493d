"""Matchmaking service over the hub: explainable suggestions for organisations and projects.

* :func:`suggest_for_organisation` — organisations (partners, chambers, service providers,
  financiers ...) an organisation should meet, and the offers/requests that fit it;
* :func:`suggest_for_project` — investors, contractors, financiers, service providers and
  chambers to involve in a project;
* :func:`record_feedback` / :func:`current_weights` — accept/decline decisions are stored and the
  part weights re-fitted from them (:func:`silkhub.core.matching.reweight`).

Feedback belongs to the deciding organisation (the actor's, ``MatchFeedback.organisation_id``):
only writers of the subject (members of the subject organisation or of one of the subject
project's parties, or hub staff) may give it, and it hides declined candidates and re-weights the
parts *only for the users of that organisation*. Hub staff without an organisation have their
own bucket; anonymous visitors always get the default weights. Nothing is pooled across
organisations (docs/matching.md, "Feedback and learning").

Visibility: the subject must be readable by the actor, and candidate profiles are built only
from records the actor may read (an invisible organisation is no candidate; another
organisation's private offers/requests never enter a profile).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from silkhub.core.matching import (
    DEFAULT_WEIGHTS,
    PARTS,
    Feedback,
    Match,
    MatchIndex,
    Profile,
    reweight,
)
from silkhub.data.storage.models.hub import (
    Organisation,
    Project,
)
from silkhub.data.storage.models.matching import MatchFeedback
from silkhub.errors import NotFoundError, UnknownChoiceError
from silkhub.hub._audit import audit
from silkhub.hub.matching import queries
from silkhub.hub.organisations import get_organisation
from silkhub.hub.policy import Actor, can_read, ensure_can_write
from silkhub.hub.projects import get_project, owner_ids

logger = logging.getLogger(__name__)

DECISIONS = ("accept", "decline")
KINDS = ("organisation", "project")

#: what an organisation of a kind can be for a project / offers as a partner
KIND_ROLES: dict[str, tuple[str, ...]] = {
    "soe": ("contractor", "investor", "operator"),
    "private_enterprise": ("contractor", "investor", "supplier"),
    "financial_institution": ("financier", "investor", "finance"),
    "chamber_of_commerce": ("chamber", "network"),
    "service_provider": ("services",),
    "government": ("government", "approval"),
    "university_research": ("research", "training"),
    "international_organisation": ("financier", "network"),
}
#: what a project typically needs, besides the roles already filled
PROJECT_NEEDS: tuple[str, ...] = (
    "investor",
    "contractor",
    "financier",
    "operator",
    "chamber",
    "law",
    "finance",
    "logistics",
)


@dataclass(frozen=True)
class Suggestion:
    """A suggested candidate with its explained score.

    ``parts`` hold, per score part, its value, weight, contribution and the reason as a message
    key with parameters (``key``/``params``, rendered per language by
    :mod:`silkhub.hub.matching.reasons`) plus its English text (``reason``). ``decision`` is
    the actor's organisation's accept/decline of this candidate for this subject, if any.
    """

    kind: str
    id: int
    name: str
    iso3: str | None
    score: float
    parts: list[dict[str, object]]
    decision: str | None = None

    @classmethod
    def from_match(
        cls, m: Match, kind: str, name: str, iso3: str | None, decision: str | None = None
    ) -> Suggestion:
        return cls(
            kind=kind,
            id=int(m.candidate_id.split(":", 1)[1]),
            name=name,
            iso3=iso3,
            score=m.score,
            parts=[
                {
                    "part": p.name,
                    "value": round(p.value, 4),
                    "weight": round(p.weight, 4),
                    "contribution": round(p.contribution, 4),
                    "key": p.key,
                    "params": dict(p.params),
                    "reason": p.reason,
                }
                for p in sorted(m.parts, key=lambda p: -p.contribution)
            ],
            decision=decision,
        )

    def explain(self) -> str:
        return "; ".join(
            f"{p['part']} +{p['contribution']:.3f} ({p['reason']})" for p in self.parts
        )


def _split(csv: str | None) -> tuple[str, ...]:
    return tuple(x.strip().upper() for x in (csv or "").split(",") if x.strip())


def _groups(session: Session, as_of: date) -> dict[str, set[str]]:
    from silkhub.data.reference.queries import member_iso3s

    out: dict[str, set[str]] = {}
    for g in ("bri", "sco"):
        try:
            for iso in member_iso3s(session, g, as_of):
                out.setdefault(iso, set()).add(g)
        except Exception:
            logger.warning("group %s not available for matching", g)
    return out


def visible_organisations(session: Session, actor: Actor) -> list[Organisation]:
    """Organisations ``actor`` may read (the candidate pool before any filter)."""
    return queries.visible_organisations(session, actor)


def org_profile(
    org: Organisation, actor: Actor, groups: Mapping[str, set[str]], *, pid: str | None = None
) -> Profile:
    """The matching profile of an organisation, from the records ``actor`` may read."""
    offers = [
        o
        for o in org.offers
        if o.active
        and can_read(actor, o.visibility, [org.id])
        and can_read(actor, org.visibility, [org.id])
    ]
    offered = [o.isic_code for o in offers if o.kind == "offer" and o.isic_code]
    offered += [s.service for s in org.services]
    offered += list(KIND_ROLES.get(org.kind, ()))
    needed = [o.isic_code for o in offers if o.kind == "request" and o.isic_code]
    targets: list[str] = []
    for o in offers:
        targets.extend(_split(o.countries))
    for s in org.services:
        targets.extend(_split(s.countries))
    texts = [org.description_en, org.description_zh, org.name_en, org.name_zh]
    for o in offers:
        texts += [o.title_en, o.title_zh, o.description_en, o.description_zh]
    return Profile(
        id=pid or f"organisation:{org.id}",
        kind="organisation",
        name=org.name_en or org.name_zh or str(org.id),
        sectors=tuple(s.isic_code for s in org.sectors),
        offers=tuple(offered),
        needs=tuple(needed),
        country=org.iso3,
        region_id=org.region_id,
        targets=tuple(dict.fromkeys(t for t in targets if t != org.iso3)),
        groups=frozenset(groups.get(org.iso3 or "", set())),
        size=org.size,
        languages=frozenset(x.strip().lower() for x in (org.languages or "").split(",") if x),
        text=" ".join(t for t in texts if t),
        roles=KIND_ROLES.get(org.kind, ()),
    )


def project_profile(p: Project, groups: Mapping[str, set[str]]) -> Profile:
    """The matching profile of a project: its sector, place, value and the roles it lacks."""
    filled = {party.role for party in p.parties}
    needs = [r for r in PROJECT_NEEDS if r not in filled]
    size = None
    if p.value_usd:
        size = "large" if p.value_usd >= 1e8 else "medium" if p.value_usd >= 1e7 else "small"
    return Profile(
        id=f"project:{p.id}",
        kind="project",
        name=p.title_en or p.title_zh or p.identifier,
        sectors=(p.isic_code,) if p.isic_code else (),
        needs=tuple(needs),
        offers=(),
        country=p.iso3,
        region_id=p.region_id,
        targets=(p.iso3,) if p.iso3 else (),
        groups=frozenset(groups.get(p.iso3 or "", set())),
        size=size,
        languages=frozenset(),
        text=" ".join(t for t in (p.title_en, p.title_zh, p.description_en, p.description_zh) if t),
    )


def _org_lookup(orgs: Iterable[Organisation]) -> dict[str, Organisation]:
    return {f"organisation:{o.id}": o for o in orgs}


def suggest_for_organisation(
    session: Session,
    actor: Actor,
    org_id: int,
    *,
    top: int = 10,
    trade: Mapping[tuple[str, str], float] | None = None,
    kind: str | None = None,
    as_of: date | None = None,
) -> list[Suggestion]:
    """Organisations ``org_id`` should meet, best first, each with its explained score.

    ``kind`` restricts candidates to one organisation kind; organisations already declined by
    this subject (feedback) are left out.
    """
    subject = get_organisation(session, actor, org_id)
    groups = _groups(session, as_of or date.today())
    everyone = visible_organisations(session, actor)
    subject = next((o for o in everyone if o.id == subject.id), subject)
    orgs = [o for o in everyone if o.id != subject.id]
    if kind:
        orgs = [o for o in orgs if o.kind == kind]
    decided = queries.decisions(session, actor, "organisation", org_id)
    declined = {f"organisation:{i}" for i, fb in decided.items() if fb.decision == "decline"}
    pool = [org_profile(o, actor, groups) for o in orgs if f"organisation:{o.id}" not in declined]
    if not pool:
        return []
    weights = current_weights(session, actor)
    idx = MatchIndex(pool)
    lookup = _org_lookup(orgs)
    res = idx.top(org_profile(subject, actor, groups), top, weights=weights, trade=trade)
    return _suggestions(res, lookup, decided)


def suggest_for_project(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    top: int = 10,
    trade: Mapping[tuple[str, str], float] | None = None,
    role: str | None = None,
    as_of: date | None = None,
) -> list[Suggestion]:
    """Investors, contractors, financiers, service providers and chambers for a project.

    Organisations already party to the project are left out; ``role`` keeps only candidates
    that can play it (e.g. ``investor``, ``contractor``, ``chamber``, ``law``).
    """
    project = get_project(session, actor, project_id)
    groups = _groups(session, as_of or date.today())
    parties = set(owner_ids(project))
    orgs = [o for o in visible_organisations(session, actor) if o.id not in parties]
    decided = queries.decisions(session, actor, "project", project_id)
    declined = {f"organisation:{i}" for i, fb in decided.items() if fb.decision == "decline"}
    pool = [org_profile(o, actor, groups) for o in orgs if f"organisation:{o.id}" not in declined]
    if role:
        pool = [p for p in pool if role in p.offers]
    if not pool:
        return []
    subject = project_profile(project, groups)
    weights = current_weights(session, actor)
    res = MatchIndex(pool).top(subject, top, weights=weights, trade=trade)
    lookup = _org_lookup(orgs)
    return _suggestions(res, lookup, decided)


def _suggestions(
    res: Iterable[Match], lookup: Mapping[str, Organisation], decided: Mapping[int, MatchFeedback]
) -> list[Suggestion]:
    out = []
    for m in res:
        o = lookup[m.candidate_id]
        fb = decided.get(o.id)
        out.append(
            Suggestion.from_match(
                m,
                "organisation",
                o.name_en or o.name_zh or "",
                o.iso3,
                fb.decision if fb is not None else None,
            )
        )
    return out


def can_decide(session: Session, actor: Actor, subject_kind: str, subject_id: int) -> bool:
    """May ``actor`` give feedback for this subject (the rule of :func:`record_feedback`)?"""
    from silkhub.hub.policy import can_write

    if not actor.is_authenticated:
        return False
    if subject_kind == "organisation":
        org = session.get(Organisation, subject_id)
        return org is not None and can_write(actor, org.visibility, [org.id])
    if subject_kind == "project":
        p = session.get(Project, subject_id)
        return p is not None and can_write(actor, p.visibility, owner_ids(p))
    return False


def _check_kinds(subject_kind: str, candidate_kind: str) -> None:
    if subject_kind not in KINDS:
        raise UnknownChoiceError("subject kind", subject_kind, KINDS, field="subject_kind")
    if candidate_kind != "organisation":
        raise UnknownChoiceError(
            "candidate kind", candidate_kind, ("organisation",), field="candidate_kind"
        )


def _subject_profile(
    session: Session, actor: Actor, subject_kind: str, subject_id: int, groups: Mapping
) -> Profile:
    """The subject's profile, after checking ``actor`` may decide for it (404 / 403)."""
    if subject_kind == "organisation":
        org = get_organisation(session, actor, subject_id)
        ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=subject_id)
        return org_profile(org, actor, groups)
    project = get_project(session, actor, subject_id)
    ensure_can_write(
        actor, owner_ids(project), project.visibility, what="project", ident=subject_id
    )
    return project_profile(project, groups)


def record_feedback(
    session: Session,
    actor: Actor,
    *,
    subject_kind: str,
    subject_id: int,
    candidate_id: int,
    decision: str,
    candidate_kind: str = "organisation",
) -> MatchFeedback:
    """Store an accept/decline for a suggestion (re-decisions replace the earlier one).

    Only writers of the subject may decide: members (not viewers) of the subject organisation
    or of one of the subject project's parties, and hub staff; an invisible subject answers
    404, a visible one of another organisation 403. The decision is the actor's
    organisation's: it hides/re-weights only for that organisation. The score parts are
    recomputed and stored with the decision so the weights can be re-fitted; the decision is
    audited (``match.feedback``). :func:`undo_feedback` takes it back.
    """
    if decision not in DECISIONS:
        raise UnknownChoiceError("decision", decision, DECISIONS, field="decision")
    _check_kinds(subject_kind, candidate_kind)
    groups = _groups(session, date.today())
    subj = _subject_profile(session, actor, subject_kind, subject_id, groups)
    cand_org = get_organisation(session, actor, candidate_id)
    cand = org_profile(cand_org, actor, groups)
    from silkhub.core.matching import score_pair

    m = score_pair(subj, cand, weights=current_weights(session, actor))
    existing = queries.own_feedback(
        session, actor, subject_kind, subject_id, candidate_kind, candidate_id
    )
    fb = existing or MatchFeedback(
        subject_kind=subject_kind,
        subject_id=subject_id,
        candidate_kind=candidate_kind,
        candidate_id=candidate_id,
        user_id=actor.user_id,
        organisation_id=actor.organisation_id,
    )
    before = {"decision": fb.decision} if existing is not None else None
    fb.decision = decision
    fb.organisation_id = actor.organisation_id
    fb.score = m.score
    fb.parts = m.part_values()
    session.add(fb)
    session.flush()
    audit(
        session,
        actor,
        "match.feedback",
        "match_feedback",
        fb.id,
        before=before,
        after={
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "candidate_id": candidate_id,
            "decision": decision,
            "organisation_id": fb.organisation_id,
        },
    )
    return fb


def undo_feedback(
    session: Session,
    actor: Actor,
    *,
    subject_kind: str,
    subject_id: int,
    candidate_id: int,
    candidate_kind: str = "organisation",
) -> str:
    """Take back the accept/decline of the actor's organisation on this suggestion.

    Same permission rule as :func:`record_feedback` (writers of the subject). Every decision of
    the actor's organisation on the pair is removed (the candidate is suggested again and no
    longer counts for re-weighting); other organisations' decisions stay. Audited
    (``match.feedback_undo``, with the decision taken back). Returns that decision; nothing to
    undo is a 404 (``match.nothing_to_undo``).
    """
    _check_kinds(subject_kind, candidate_kind)
    _subject_profile(session, actor, subject_kind, subject_id, {})
    rows = queries.bucket_feedback_on(
        session, actor, subject_kind, subject_id, candidate_kind, candidate_id
    )
    if not rows:
        raise NotFoundError(
            key="match.nothing_to_undo",
            params={"candidate_id": candidate_id},
        )
    latest = max(rows, key=lambda fb: (fb.at, fb.id))
    queries.delete_feedback(session, [fb.id for fb in rows])
    session.flush()
    audit(
        session,
        actor,
        "match.feedback_undo",
        "match_feedback",
        latest.id,
        before={"decision": latest.decision},
        after={
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "candidate_id": candidate_id,
            "decision": None,
            "organisation_id": actor.organisation_id,
        },
    )
    return latest.decision


class Decided(BaseModel):
    """One decision of the actor's organisation: subject, candidate, accept/decline, when
    (the read model of "my matches", used by the API as is)."""

    subject_kind: Literal["organisation", "project"]
    subject_id: int
    subject_name: str
    candidate_id: int
    candidate_name: str
    candidate_iso3: str | None
    decision: Literal["accept", "decline"]
    score: float | None
    at: datetime


def decided(
    session: Session,
    actor: Actor,
    *,
    subject_kind: str | None = None,
    subject_id: int | None = None,
    decision: str | None = None,
) -> list[Decided]:
    """The decisions of the actor's organisation ("my matches"), newest first, optionally for
    one subject and one decision. Only subjects and candidates the actor may still read are
    listed."""
    if decision is not None and decision not in DECISIONS:
        raise UnknownChoiceError("decision", decision, DECISIONS, field="decision")
    rows = queries.feedback_of_bucket(session, actor)
    if subject_kind is not None:
        rows = [r for r in rows if r.subject_kind == subject_kind]
    if subject_id is not None:
        rows = [r for r in rows if r.subject_id == subject_id]
    if decision is not None:
        rows = [r for r in rows if r.decision == decision]
    out: list[Decided] = []
    seen: set[tuple[str, int, int]] = set()
    for r in rows:
        key = (r.subject_kind, r.subject_id, r.candidate_id)
        if key in seen:  # an older decision of another user of the organisation
            continue
        seen.add(key)
        try:
            if r.subject_kind == "project":
                p = get_project(session, actor, r.subject_id)
                sname = p.title_en or p.title_zh or p.identifier
            else:
                o = get_organisation(session, actor, r.subject_id)
                sname = o.name_en or o.name_zh or str(o.id)
            cand = get_organisation(session, actor, r.candidate_id)
        except NotFoundError:
            continue
        out.append(
            Decided(
                subject_kind=r.subject_kind,
                subject_id=r.subject_id,
                subject_name=sname,
                candidate_id=cand.id,
                candidate_name=cand.name_en or cand.name_zh or str(cand.id),
                candidate_iso3=cand.iso3,
                decision=r.decision,  # type: ignore[arg-type]
                score=r.score,
                at=r.at,
            )
        )
    return out


def current_weights(
    session: Session, actor: Actor | None = None, *, min_feedback: int = 5
) -> dict[str, float]:
    """Default weights re-fitted from the feedback of ``actor``'s organisation.

    Learning is per organisation: one organisation's decisions never change the scores that
    others see. Anonymous callers (and ``actor=None``) get the defaults; hub staff without an
    organisation learn from their own bucket. Unchanged until there is enough feedback.
    """
    if actor is None or queries.bucket(actor) is None:
        return reweight(DEFAULT_WEIGHTS, [], min_feedback=min_feedback)
    fb = [
        Feedback({k: float(v) for k, v in (parts or {}).items() if k in PARTS}, d == "accept")
        for parts, d in queries.part_feedback(session, actor)
    ]
    return reweight(DEFAULT_WEIGHTS, fb, min_feedback=min_feedback)
