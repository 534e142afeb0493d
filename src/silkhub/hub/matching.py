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
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

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
from silkhub.errors import UnknownChoiceError
from silkhub.hub._audit import audit
from silkhub.hub.organisations import get_organisation
from silkhub.hub.policy import Actor, can_read, ensure_can_write, read_scope
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
    """A suggested candidate with its explained score."""

    kind: str
    id: int
    name: str
    iso3: str | None
    score: float
    parts: list[dict[str, object]]

    @classmethod
    def from_match(cls, m: Match, kind: str, name: str, iso3: str | None) -> Suggestion:
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
                    "reason": p.reason,
                }
                for p in sorted(m.parts, key=lambda p: -p.contribution)
            ],
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


def _visible_orgs(session: Session, actor: Actor) -> list[Organisation]:
    query = (
        select(Organisation)
        .options(
            selectinload(Organisation.sectors),
            selectinload(Organisation.services),
            selectinload(Organisation.offers),
        )
        .execution_options(populate_existing=True)  # collections may be stale in the session
    )
    scope = read_scope(actor)
    if not scope.everything:
        cond = Organisation.visibility.in_(scope.visibilities)
        if scope.organisation_id is not None:
            cond = or_(cond, Organisation.id == scope.organisation_id)
        query = query.where(cond)
    return list(session.scalars(query.order_by(Organisation.id)))


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
    everyone = _visible_orgs(session, actor)
    subject = next((o for o in everyone if o.id == subject.id), subject)
    orgs = [o for o in everyone if o.id != subject.id]
    if kind:
        orgs = [o for o in orgs if o.kind == kind]
    declined = _declined(session, actor, "organisation", org_id)
    pool = [org_profile(o, actor, groups) for o in orgs if f"organisation:{o.id}" not in declined]
    if not pool:
        return []
    weights = current_weights(session, actor)
    idx = MatchIndex(pool)
    lookup = _org_lookup(orgs)
    res = idx.top(org_profile(subject, actor, groups), top, weights=weights, trade=trade)
    return [
        Suggestion.from_match(
            m,
            "organisation",
            lookup[m.candidate_id].name_en or lookup[m.candidate_id].name_zh or "",
            lookup[m.candidate_id].iso3,
        )
        for m in res
    ]


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
    orgs = [o for o in _visible_orgs(session, actor) if o.id not in parties]
    declined = _declined(session, actor, "project", project_id)
    pool = [org_profile(o, actor, groups) for o in orgs if f"organisation:{o.id}" not in declined]
    if role:
        pool = [p for p in pool if role in p.offers]
    if not pool:
        return []
    subject = project_profile(project, groups)
    weights = current_weights(session, actor)
    res = MatchIndex(pool).top(subject, top, weights=weights, trade=trade)
    lookup = _org_lookup(orgs)
    return [
        Suggestion.from_match(
            m,
            "organisation",
            lookup[m.candidate_id].name_en or lookup[m.candidate_id].name_zh or "",
            lookup[m.candidate_id].iso3,
        )
        for m in res
    ]


def _bucket(actor: Actor):  # type: ignore[no-untyped-def]
    """The feedback rows that count for ``actor``: its organisation's (None: anonymous)."""
    if not actor.is_authenticated:
        return None
    if actor.organisation_id is None:
        return MatchFeedback.organisation_id.is_(None)
    return MatchFeedback.organisation_id == actor.organisation_id


def _declined(session: Session, actor: Actor, subject_kind: str, subject_id: int) -> set[str]:
    """Candidates declined for this subject by the actor's organisation (only)."""
    bucket = _bucket(actor)
    if bucket is None:
        return set()
    rows = session.execute(
        select(MatchFeedback.candidate_kind, MatchFeedback.candidate_id).where(
            MatchFeedback.subject_kind == subject_kind,
            MatchFeedback.subject_id == subject_id,
            MatchFeedback.decision == "decline",
            bucket,
        )
    )
    return {f"{k}:{i}" for k, i in rows}


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
    audited (``match.feedback``).
    """
    if decision not in DECISIONS:
        raise UnknownChoiceError("decision", decision, DECISIONS)
    if subject_kind not in KINDS:
        raise UnknownChoiceError("subject kind", subject_kind, KINDS)
    if candidate_kind != "organisation":
        raise UnknownChoiceError("candidate kind", candidate_kind, ("organisation",))
    groups = _groups(session, date.today())
    if subject_kind == "organisation":
        org = get_organisation(session, actor, subject_id)
        ensure_can_write(actor, [org.id], org.visibility, what="organisation", ident=subject_id)
        subj = org_profile(org, actor, groups)
    else:
        project = get_project(session, actor, subject_id)
        ensure_can_write(
            actor, owner_ids(project), project.visibility, what="project", ident=subject_id
        )
        subj = project_profile(project, groups)
    cand_org = get_organisation(session, actor, candidate_id)
    cand = org_profile(cand_org, actor, groups)
    from silkhub.core.matching import score_pair

    m = score_pair(subj, cand, weights=current_weights(session, actor))
    existing = session.scalars(
        select(MatchFeedback).where(
            MatchFeedback.subject_kind == subject_kind,
            MatchFeedback.subject_id == subject_id,
            MatchFeedback.candidate_kind == candidate_kind,
            MatchFeedback.candidate_id == candidate_id,
            MatchFeedback.user_id.is_(None)
            if actor.user_id is None
            else MatchFeedback.user_id == actor.user_id,
        )
    ).first()
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


def current_weights(
    session: Session, actor: Actor | None = None, *, min_feedback: int = 5
) -> dict[str, float]:
    """Default weights re-fitted from the feedback of ``actor``'s organisation.

    Learning is per organisation: one organisation's decisions never change the scores that
    others see. Anonymous callers (and ``actor=None``) get the defaults; hub staff without an
    organisation learn from their own bucket. Unchanged until there is enough feedback.
    """
    bucket = _bucket(actor) if actor is not None else None
    if bucket is None:
        return reweight(DEFAULT_WEIGHTS, [], min_feedback=min_feedback)
    rows = session.execute(select(MatchFeedback.parts, MatchFeedback.decision).where(bucket)).all()
    fb = [
        Feedback({k: float(v) for k, v in (parts or {}).items() if k in PARTS}, d == "accept")
        for parts, d in rows
    ]
    return reweight(DEFAULT_WEIGHTS, fb, min_feedback=min_feedback)


def trade_fit_from_analytics(
    con: object,
    session: Session,
    subject_iso3: str | None,
    candidate_iso3s: Iterable[str],
    *,
    dataset: str | None = None,
    year: int | None = None,
) -> dict[tuple[str, str], float]:
    """Trade complementarity ``TCI / 100`` of the subject's exports with each candidate's
    imports, from the analytics store (``con``: its DuckDB connection). Empty when no
    bilateral trade dataset is loaded; a pair without data is left out (part value 0)."""
    if not subject_iso3 or con is None:
        return {}
    from silkhub.analytics import partners
    from silkhub.errors import SilkhubError

    views = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }  # type: ignore[attr-defined]
    ds = dataset or next(
        (d for d in ("baci", "comtrade", "wits_2009", "china_br65_trade") if d in views), None
    )
    if ds is None:
        return {}
    if year is None:
        year = con.execute(f'SELECT max(year) FROM "{ds}"').fetchone()[0]  # type: ignore[attr-defined]
    out: dict[tuple[str, str], float] = {}
    for iso in sorted(set(candidate_iso3s) - {subject_iso3}):
        try:
            r = partners.complementarity(
                con, session, dataset=ds, exporter=subject_iso3, importer=iso, year=int(year)
            )  # type: ignore[arg-type]
        except SilkhubError:
            continue
        tci = r.get("tci")
        if isinstance(tci, float) and tci == tci:
            out[subject_iso3, iso] = max(0.0, min(1.0, tci / 100.0))
    return out
