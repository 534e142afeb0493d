"""Export projects as an OC4IDS project package (Open Contracting for Infrastructure Data
Standards), validated against the schema shipped in ``reference/oc4ids/``.

The package schema is the official 0.9 one; the project schema is a subset of OC4IDS 0.9.1
(the fields silkhub publishes and their definitions; see its description). Mapping:

* ``id`` ← identifier; ``title``/``description`` ← en (zh as fallback);
* ``status`` ← lifecycle stage: proposed/announced → identification, negotiating/signed →
  preparation, under_construction → implementation, operational → completed, cancelled →
  cancelled (suspended: the status of the stage it was suspended from);
* ``sector`` ← OC4IDS projectSector from ISIC; ISIC itself in ``additionalClassifications``;
* ``budget.amount`` ← value amount and currency; ``period.startDate`` ← reference date;
* ``parties`` ← project parties (owner → buyer, investor/financier → funder, contractor →
  supplier, operator → administrativeEntity); ``locations`` ← coordinates / country / region.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from silkhub.data.storage.models.hub import Organisation, Project, StageChange
from silkhub.data.storage.models.reference import Country, Region
from silkhub.errors import ValidationError
from silkhub.hub.policy import Actor, can_read
from silkhub.hub.projects import ProjectFilters, _filtered, visible
from silkhub.hub.sectors import sectors

SCHEMA_DIR = Path(__file__).parent / "reference" / "oc4ids"
PACKAGE_SCHEMA = SCHEMA_DIR / "project-package-schema.json"
PROJECT_SCHEMA = SCHEMA_DIR / "project-schema.json"
VERSION = "0.9"

STATUS = {
    "proposed": "identification",
    "announced": "identification",
    "negotiating": "preparation",
    "signed": "preparation",
    "under_construction": "implementation",
    "operational": "completed",
    "cancelled": "cancelled",
}
ROLES = {
    "owner": "buyer",
    "investor": "funder",
    "financier": "funder",
    "contractor": "supplier",
    "operator": "administrativeEntity",
}
#: ISIC rev.4 code → OC4IDS projectSector (open codelist)
SECTOR = {
    "H": "transport", "49": "transport", "50": "transport", "51": "transport",
    "52": "transport", "D": "energy", "35": "energy", "E": "water", "36": "water",
    "37": "water", "Q": "health", "86": "health", "P": "education", "85": "education",
    "J": "communications", "61": "communications", "O": "governance", "84": "governance",
    "R": "cultureSportsAndRecreation", "L": "housingAndCommunityAmenities",
    "68": "housingAndCommunityAmenities",
}  # fmt: skip


def _dt(d: date | datetime | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return (d if d.tzinfo else d.replace(tzinfo=UTC)).isoformat()
    return f"{d.isoformat()}T00:00:00Z"


def _status(session: Session, p: Project) -> str:
    if p.stage != "suspended":
        return STATUS[p.stage]
    prev = session.scalar(
        select(StageChange.from_stage)
        .where(StageChange.project_id == p.id, StageChange.to_stage == "suspended")
        .order_by(StageChange.id.desc())
        .limit(1)
    )
    return STATUS.get(prev or "signed", "preparation")


def project_to_oc4ids(session: Session, actor: Actor, p: Project) -> dict[str, Any]:
    """One project as an OC4IDS ``project`` object (parties the actor cannot see are named
    by id only)."""
    out: dict[str, Any] = {"id": p.identifier, "updated": _dt(p.updated_at)}
    title = p.title_en or p.title_zh
    if title:
        out["title"] = title
    desc = p.description_en or p.description_zh
    if desc:
        out["description"] = desc
    out["status"] = _status(session, p)
    if p.dated_on:
        out["period"] = {"startDate": _dt(p.dated_on)}
    if p.isic_code:
        s = sectors().get(p.isic_code)
        sector = SECTOR.get(p.isic_code) or (SECTOR.get(s.parent or "") if s else None)
        if sector:
            out["sector"] = [sector]
        out["additionalClassifications"] = [
            {"scheme": "ISIC Rev.4", "id": p.isic_code, "description": s.name_en if s else ""}
        ]
    if p.project_type in ("greenfield", "epc_contract"):
        out["type"] = "construction"
    if p.value_amount is not None:
        out["budget"] = {"amount": {"amount": float(p.value_amount), "currency": p.value_currency}}
    loc: dict[str, Any] = {}
    if p.lat is not None and p.lon is not None:
        loc["geometry"] = {"type": "Point", "coordinates": [p.lon, p.lat]}
    if p.iso3:
        c = session.get(Country, p.iso3)
        loc["address"] = {"countryName": c.name_en if c else p.iso3}
        if p.region_id:
            r = session.get(Region, p.region_id)
            loc["address"]["region"] = r.name_en if r else p.region_id
    if loc:
        loc["id"] = "1"
        out["locations"] = [loc]
    parties: dict[int, dict[str, Any]] = {}
    for party in p.parties:
        org = session.get(Organisation, party.organisation_id)
        entry = parties.setdefault(
            party.organisation_id, {"id": f"silkhub-org-{party.organisation_id}", "roles": []}
        )
        if org and can_read(actor, org.visibility, [org.id]):
            entry["name"] = org.name_en or org.name_zh or entry["id"]
        role = ROLES.get(party.role, party.role)
        if role not in entry["roles"]:
            entry["roles"].append(role)
    if parties:
        out["parties"] = list(parties.values())
    if p.stage == "operational" and p.stage_on:
        out["completion"] = {"endDate": _dt(p.stage_on)}
    return {k: v for k, v in out.items() if v is not None}


def package(
    projects: list[dict[str, Any]], *, publisher: str = "silkhub", uri: str | None = None
) -> dict[str, Any]:
    """Wrap OC4IDS projects in a project package."""
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "uri": uri or f"https://silkhub.dev/oc4ids/{now:%Y%m%dT%H%M%SZ}.json",
        "publishedDate": now.isoformat(),
        "version": VERSION,
        "publisher": {"name": publisher},
        "projects": projects,
    }


@cache
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema_rs

    project = json.loads(PROJECT_SCHEMA.read_text(encoding="utf-8"))

    def retrieve(uri: str) -> dict[str, Any]:
        if uri.rstrip("#").endswith("project-schema.json"):
            return project
        raise ValueError(f"unknown schema {uri}")

    schema = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema_rs.Draft4Validator(schema, retriever=retrieve, validate_formats=True)


def validate_package(doc: dict[str, Any]) -> None:
    """Raise ValidationError listing schema errors (path: message), and duplicate ids."""
    errors = [f"{'/'.join(map(str, e.instance_path)) or '/'}: {e.message}"
              for e in _validator().iter_errors(doc)]  # fmt: skip
    ids = [p.get("id") for p in doc.get("projects", [])]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        errors.append(f"projects: duplicate project ids {', '.join(map(str, dups[:5]))}")
    if errors:
        raise ValidationError(
            f"OC4IDS package does not validate: {errors[0]}",
            errors=[{"field": e.split(":", 1)[0], "message": e} for e in errors[:50]],
        )


def export_projects(
    session: Session,
    actor: Actor,
    filters: ProjectFilters | None = None,
    *,
    publisher: str = "silkhub",
    limit: int | None = None,
) -> dict[str, Any]:
    """The visible projects matching ``filters`` as a validated OC4IDS project package."""
    q = visible(select(Project).options(selectinload(Project.parties)), actor)
    q = _filtered(session, q, filters or ProjectFilters()).order_by(Project.id)
    if limit:
        q = q.limit(limit)
    projects = [project_to_oc4ids(session, actor, p) for p in session.scalars(q)]
    if not projects:
        raise ValidationError("no projects to export (an OC4IDS package needs at least one)")
    doc = package(projects, publisher=publisher)
    validate_package(doc)
    return doc
