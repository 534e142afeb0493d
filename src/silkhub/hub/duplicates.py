"""Repeated-construction warning over the hub's projects (service around
:mod:`silkhub.core.duplicates`).

* :func:`duplicates_of_project` — near-duplicates of one stored project;
* :func:`check_draft` — near-duplicates of a project *before* it is created or imported;
* :func:`region_report` — clusters of similar projects across localities, optionally within a
  region (the region and the regions under it).

Only projects the actor may read are compared. Regions are blocked by their parent (cities of
one province meet) and regions whose centres lie within :data:`NEIGHBOUR_KM` are neighbours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.core.duplicates import (
    DEFAULT_THRESHOLD,
    Cluster,
    DuplicateDetector,
    DuplicatePair,
    ProjectRecord,
)
from silkhub.data.storage.models.hub import Project
from silkhub.data.storage.models.reference import Region
from silkhub.errors import ValidationError
from silkhub.hub.common import resolve_region
from silkhub.hub.policy import Actor, ensure_can_read, not_found
from silkhub.hub.projects.queries import load, owner_ids, visible

#: regions whose centres are closer than this are neighbours
NEIGHBOUR_KM = 150.0


class DraftProject(BaseModel):
    """A project about to be created/imported, to check for repeated construction."""

    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    iso3: str | None = Field(None, max_length=3)
    region_id: str | None = Field(None, max_length=100)
    isic_code: str | None = Field(None, max_length=8)
    year: int | None = Field(None, ge=1900, le=2100)
    value_usd: float | None = Field(None, ge=0, strict=True)  # a JSON number, not "1e9"


def record_of(p: Project) -> ProjectRecord:
    """The duplicate-detection view of a stored project."""
    year = p.dated_on.year if p.dated_on else (p.stage_on.year if p.stage_on else p.value_year)
    return ProjectRecord(
        id=str(p.id),
        title_en=p.title_en or "",
        title_zh=p.title_zh or "",
        description_en=p.description_en or "",
        description_zh=p.description_zh or "",
        iso3=p.iso3,
        region_id=p.region_id,
        sector=p.isic_code or p.sector_label,
        start_year=year,
        value_usd=p.value_usd,
    )


def _visible_projects(session: Session, actor: Actor) -> list[Project]:
    return list(session.scalars(visible(select(Project), actor).order_by(Project.id)))


def _geo(session: Session, region_ids: Iterable[str]) -> tuple[dict, dict]:
    ids = sorted({r for r in region_ids if r})
    if not ids:
        return {}, {}
    regions = list(session.scalars(select(Region).where(Region.region_id.in_(ids))))
    parent = {r.region_id: r.parent_id for r in regions}
    pts = [(r.region_id, r.lat, r.lon) for r in regions if r.lat is not None and r.lon is not None]
    neighbours: dict[str, set[str]] = {}
    for i, (a, la, oa) in enumerate(pts):
        for b, lb, ob in pts[i + 1 :]:
            if _km(la, oa, lb, ob) <= NEIGHBOUR_KM:
                neighbours.setdefault(a, set()).add(b)
                neighbours.setdefault(b, set()).add(a)
    return parent, {k: frozenset(v) for k, v in neighbours.items()}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, R = 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _detector(
    session: Session, records: Sequence[ProjectRecord], threshold: float
) -> DuplicateDetector:
    parent, neighbours = _geo(session, (r.region_id for r in records if r.region_id))
    return DuplicateDetector(records, parent=parent, neighbours=neighbours, threshold=threshold)


def _check_threshold(threshold: float | None) -> float:
    t = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 < t <= 1.0:
        raise ValidationError(key="duplicates.threshold", field="threshold")
    return t


def pair_dict(p: DuplicatePair, titles: dict[str, str]) -> dict:
    return {
        "project_id": int(p.b),
        "title": titles.get(p.b, ""),
        "score": p.score,
        "parts": {k: round(v, 4) for k, v in p.parts.items()},
        "reasons": list(p.reasons),
    }


def duplicates_of_project(
    session: Session, actor: Actor, project_id: int, *, threshold: float | None = None
) -> list[dict]:
    """Near-duplicates of a stored project among the projects the actor may read."""
    thr = _check_threshold(threshold)
    subject = load(session, project_id)
    if subject is None:
        raise not_found("project", project_id)
    ensure_can_read(actor, subject.visibility, owner_ids(subject), what="project", ident=project_id)
    projects = _visible_projects(session, actor)
    records = [record_of(p) for p in projects if p.id != subject.id]
    det = _detector(session, [record_of(subject), *records], thr)
    titles = {str(p.id): p.title_en or p.title_zh or p.identifier for p in projects}
    return [pair_dict(p, titles) for p in det.find(record_of(subject), thr)]


def warnings_for_new_project(
    session: Session, actor: Actor, project: Project, *, threshold: float | None = None
) -> list[dict]:
    """The repeated-construction warning shown when a project is created.

    Candidates are blocked in SQL to the visible projects of the same country (the detector's
    own blocking then keeps same or neighbouring regions, sectors and periods), so that the
    check stays fast on a hub with many imported tracker projects.
    """
    thr = _check_threshold(threshold)
    if project.iso3 is None:
        return []
    q = visible(select(Project), actor).where(
        Project.iso3 == project.iso3, Project.id != project.id
    )
    others = list(session.scalars(q.order_by(Project.id)))
    if not others:
        return []
    det = _detector(session, [record_of(project), *(record_of(p) for p in others)], thr)
    titles = {str(p.id): p.title_en or p.title_zh or p.identifier for p in others}
    by_id = {str(p.id): p for p in others}
    out = []
    for pair in det.find(record_of(project), thr):
        d = pair_dict(pair, titles)
        other = by_id[pair.b]
        d["title_en"], d["title_zh"] = other.title_en, other.title_zh
        out.append(d)
    return out


def check_draft(
    session: Session, actor: Actor, draft: DraftProject, *, threshold: float | None = None
) -> list[dict]:
    """Near-duplicates of a project that is not stored yet (call before create/import)."""
    thr = _check_threshold(threshold)
    region_id, iso3 = resolve_region(session, draft.region_id) if draft.region_id else (None, None)
    rec = ProjectRecord(
        id="draft",
        title_en=draft.title_en or "",
        title_zh=draft.title_zh or "",
        description_en=draft.description_en or "",
        description_zh=draft.description_zh or "",
        iso3=(draft.iso3 or iso3 or None),
        region_id=region_id,
        sector=draft.isic_code,
        start_year=draft.year,
        value_usd=draft.value_usd,
    )
    projects = _visible_projects(session, actor)
    det = _detector(session, [rec, *(record_of(p) for p in projects)], thr)
    titles = {str(p.id): p.title_en or p.title_zh or p.identifier for p in projects}
    return [pair_dict(p, titles) for p in det.find(rec, thr)]


def _under(session: Session, region_id: str) -> set[str]:
    """The region and every region below it."""
    out = {region_id}
    frontier = [region_id]
    while frontier:
        kids = list(session.scalars(select(Region.region_id).where(Region.parent_id.in_(frontier))))
        kids = [k for k in kids if k not in out]
        out.update(kids)
        frontier = kids
    return out


def region_report(
    session: Session,
    actor: Actor,
    *,
    region: str | None = None,
    threshold: float | None = None,
) -> list[dict]:
    """Clusters of similar projects (largest first); ``region`` limits to it and its children."""
    thr = _check_threshold(threshold)
    projects = _visible_projects(session, actor)
    region = (region or "").strip() or None  # a blank filter is no filter
    if region:
        rid, _ = resolve_region(session, region)
        assert rid is not None
        keep = _under(session, rid)
        projects = [p for p in projects if p.region_id in keep]
    records = [record_of(p) for p in projects]
    det = _detector(session, records, thr)
    titles = {str(p.id): p.title_en or p.title_zh or p.identifier for p in projects}
    return [cluster_dict(c, titles) for c in det.clusters(thr)]


def cluster_dict(c: Cluster, titles: dict[str, str]) -> dict:
    return {
        "size": len(c.ids),
        "across_localities": c.across_localities,
        "localities": list(c.localities),
        "max_score": c.max_score,
        "projects": [{"id": int(i), "title": titles.get(i, "")} for i in c.ids],
        "pairs": [
            {**asdict(p), "parts": {k: round(v, 4) for k, v in p.parts.items()}} for p in c.pairs
        ],
    }
