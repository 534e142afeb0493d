"""Projects (aligned with OC4IDS): create, read, update, delete, list with filters and totals.

A project has titles and descriptions in zh/en, an ISIC sector, a type, a country, region and
coordinates, a value with currency and year (US$ derived through the rates table), parties
with roles, a source (hub entry or an imported tracker) and a visibility. Its owning
organisations, for the ownership policy, are the organisations among its parties.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.hub import Project, ProjectParty
from silkhub.data.storage.models.reference import Country, Region
from silkhub.errors import ConflictError, ValidationError
from silkhub.hub import lifecycle
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    MAX_MONEY,
    DbId,
    Page,
    check_choice,
    check_limit,
    check_org_visible,
    delete_audited,
    keyset_page,
    resolve_country,
    resolve_region,
)
from silkhub.hub.common import _decode as decode_cursor
from silkhub.hub.common import _encode as encode_cursor
from silkhub.hub.money import check_amount, ensure_rates, to_usd
from silkhub.hub.policy import (
    Actor,
    check_visibility,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    not_found,
    read_scope,
)
from silkhub.hub.sectors import check_sector, codes_under

logger = logging.getLogger(__name__)

PROJECT_TYPES: tuple[str, ...] = (
    "greenfield",
    "expansion",
    "m_and_a",
    "epc_contract",
    "loan",
    "grant",
    "ppp",
    "other",
)
PARTY_ROLES: tuple[str, ...] = ("owner", "investor", "contractor", "financier", "operator")
SOURCES: tuple[str, ...] = ("hub", "cgit", "gcdf", "import")
#: values of the ``source`` filter: the stored sources, plus ``demo`` (the shipped demo
#: projects, external id ``demo-…``) and ``own`` (hub entries and own imports, demo excluded)
FILTER_SOURCES: tuple[str, ...] = (*SOURCES, "demo", "own")
DEMO_ID_PREFIX = "demo-"
#: sort keys of project lists: column, cursor value kind, nullable
SORTS: dict[str, tuple[str, str, bool]] = {
    "id": ("id", "number", False),
    "value_usd": ("value_usd", "number", True),
    "dated_on": ("dated_on", "date", True),
    "stage_on": ("stage_on", "date", True),
}


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: DbId
    role: str = Field(description=", ".join(PARTY_ROLES))


class ProjectIn(BaseModel):
    """Fields to create a project."""

    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    identifier: str | None = Field(None, max_length=120, description="OC4IDS id (generated)")
    external_id: str | None = Field(None, max_length=200)
    source: str = "hub"
    isic_code: str | None = Field(None, description="ISIC rev.4 section or division")
    sector_label: str | None = Field(None, max_length=200)
    project_type: str | None = Field(None, description=", ".join(PROJECT_TYPES))
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    value_amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    value_currency: str | None = Field(None, max_length=3)
    value_year: int | None = Field(None, ge=1900, le=2100)
    stage: str = "proposed"
    stage_on: date | None = None
    dated_on: date | None = None
    parties: list[PartyIn] = Field(default_factory=list)
    visibility: str = "public"


class ProjectPatch(BaseModel):
    """Fields to change (the stage changes only through transitions)."""

    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    isic_code: str | None = None
    project_type: str | None = None
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    value_amount: Decimal | None = Field(None, ge=0, le=MAX_MONEY)
    value_currency: str | None = Field(None, max_length=3)
    value_year: int | None = Field(None, ge=1900, le=2100)
    dated_on: date | None = None
    parties: list[PartyIn] | None = None
    visibility: str | None = None


def owner_ids(project: Project) -> list[int]:
    """Organisations that own a project for the ownership policy (all its parties)."""
    return sorted({p.organisation_id for p in project.parties})


def _parties(session: Session, actor: Actor, parties: list[PartyIn]) -> list[ProjectParty]:
    out, seen = [], set()
    for p in parties:
        role = check_choice(p.role, PARTY_ROLES, "party role", "parties.role", required=True)
        check_org_visible(session, actor, p.organisation_id, "parties.organisation_id")
        if (p.organisation_id, role) in seen:
            continue
        seen.add((p.organisation_id, role))
        out.append(ProjectParty(organisation_id=p.organisation_id, role=role))
    return out


def new_identifier() -> str:
    """A fresh OC4IDS project identifier (publisher prefix ``oc4ids-silkhub``)."""
    return f"oc4ids-silkhub-{uuid.uuid4().hex[:12]}"


def _value_usd(session: Session, p: Project) -> float | None:
    year = p.value_year or (p.dated_on.year if p.dated_on else None)
    return to_usd(session, p.value_amount, p.value_currency, year)


def create_project(
    session: Session,
    actor: Actor,
    data: ProjectIn,
    *,
    record: dict[str, Any] | None = None,
    source_dataset: str | None = None,
    source_row: str | None = None,
    audit_entry: bool = True,
) -> Project:
    """Validate and store a new project with its first stage.

    Raises ValidationError (bad field), UnknownCountryError, ConflictError (duplicate
    identifier or external id), AuthenticationError/PermissionDeniedError (not allowed).
    """
    parties = _parties(session, actor, data.parties)
    ensure_can_create(actor, [p.organisation_id for p in parties], what="project")
    if not (data.title_en or "").strip() and not (data.title_zh or "").strip():
        raise ValidationError("a project needs a title (title_en or title_zh)", field="title_en")
    source = check_choice(data.source, SOURCES, "source", "source") or "hub"
    amount, currency = check_amount(data.value_amount, data.value_currency, field="value_amount")
    identifier = data.identifier or new_identifier()
    if session.scalar(select(Project.id).where(Project.identifier == identifier)):
        raise ConflictError(f"a project with identifier {identifier!r} exists")
    if data.external_id and session.scalar(
        select(Project.id).where(Project.source == source, Project.external_id == data.external_id)
    ):
        raise ConflictError(
            f"a {source} project with external_id {data.external_id!r} exists",
            details={"external_id": data.external_id},
        )
    region_id, region_iso3 = resolve_region(session, data.region_id)
    iso3 = resolve_country(session, data.iso3) or region_iso3
    if region_id and iso3 and region_iso3 and iso3 != region_iso3:
        raise ValidationError(
            f"region {region_id} is in {region_iso3}, not in {iso3}", field="region_id"
        )
    if (data.lat is None) != (data.lon is None):
        raise ValidationError("give both lat and lon, or neither", field="lat")
    ensure_rates(session)
    p = Project(
        identifier=identifier,
        source=source,
        external_id=data.external_id,
        title_en=(data.title_en or "").strip() or None,
        title_zh=(data.title_zh or "").strip() or None,
        description_en=data.description_en,
        description_zh=data.description_zh,
        isic_code=check_sector(data.isic_code, field="isic_code"),
        sector_label=data.sector_label,
        project_type=check_choice(data.project_type, PROJECT_TYPES, "project type", "project_type"),
        iso3=iso3,
        region_id=region_id,
        lat=data.lat,
        lon=data.lon,
        value_amount=amount,
        value_currency=currency,
        value_year=data.value_year,
        dated_on=data.dated_on,
        visibility=check_visibility(data.visibility),
        record_json=record,
        created_by_user_id=actor.user_id,
        source_dataset=source_dataset,
        source_row=source_row,
    )
    p.parties = parties
    session.add(p)
    lifecycle.start(session, p, data.stage, data.stage_on, by_user_id=actor.user_id)
    p.value_usd = _value_usd(session, p)
    session.flush()
    if audit_entry:
        audit(session, actor, "project.create", "project", p.id, after=snapshot(p))
    return p


def _load(session: Session, project_id: int) -> Project | None:
    return session.scalars(
        select(Project).where(Project.id == project_id).options(selectinload(Project.parties))
    ).first()


def get_project(session: Session, actor: Actor, project_id: int) -> Project:
    """A project visible to ``actor`` (NotFoundError for missing and invisible ones alike)."""
    p = _load(session, project_id)
    if p is None:
        raise not_found("project", project_id)
    ensure_can_read(actor, p.visibility, owner_ids(p), what="project", ident=project_id)
    return p


def get_by_identifier(session: Session, actor: Actor, identifier: str) -> Project:
    pid = session.scalar(select(Project.id).where(Project.identifier == identifier))
    if pid is None:
        raise not_found("project", identifier)
    return get_project(session, actor, pid)


def writable_project(session: Session, actor: Actor, project_id: int) -> Project:
    """A project the actor may change (404 if invisible, 401/403 if not allowed)."""
    p = _load(session, project_id)
    if p is None:
        raise not_found("project", project_id)
    ensure_can_write(actor, owner_ids(p), p.visibility, what="project", ident=project_id)
    return p


def update_project(session: Session, actor: Actor, project_id: int, patch: ProjectPatch) -> Project:
    """Change a project's fields (not its stage: use :func:`transition`)."""
    p = writable_project(session, actor, project_id)
    before = snapshot(p)
    fields = patch.model_dump(exclude_unset=True)
    if "parties" in fields:
        fields.pop("parties")
        parties = _parties(session, actor, patch.parties or [])
        if not actor.is_staff:
            ensure_can_create(actor, [x.organisation_id for x in parties], what="project")
        p.parties = []
        session.flush()
        p.parties = parties
    if "isic_code" in fields:
        p.isic_code = check_sector(fields.pop("isic_code"), field="isic_code")
    if "project_type" in fields:
        p.project_type = check_choice(
            fields.pop("project_type"), PROJECT_TYPES, "project type", "project_type"
        )
    if "visibility" in fields:
        p.visibility = check_visibility(fields.pop("visibility") or "public")
    if "iso3" in fields:
        p.iso3 = resolve_country(session, fields.pop("iso3"))
    if "region_id" in fields:
        p.region_id, r_iso3 = resolve_region(session, fields.pop("region_id"))
        p.iso3 = p.iso3 or r_iso3
    if "value_amount" in fields or "value_currency" in fields:
        amount = fields.pop("value_amount", p.value_amount)
        currency = fields.pop("value_currency", p.value_currency)
        p.value_amount, p.value_currency = check_amount(amount, currency, field="value_amount")
    for k, v in fields.items():
        setattr(p, k, v)
    if not (p.title_en or p.title_zh):
        raise ValidationError("a project needs a title (title_en or title_zh)", field="title_en")
    ensure_rates(session)
    p.value_usd = _value_usd(session, p)
    session.flush()
    audit(session, actor, "project.update", "project", p.id, before, snapshot(p))
    return p


def delete_project(session: Session, actor: Actor, project_id: int) -> None:
    p = writable_project(session, actor, project_id)
    delete_audited(session, actor, p, "project", project_id)


def transition(
    session: Session,
    actor: Actor,
    project_id: int,
    to: str,
    at: date | None = None,
    note: str | None = None,
) -> Project:
    """Move a project to another stage (ConflictError with the allowed stages if illegal)."""
    p = writable_project(session, actor, project_id)
    lifecycle.transition(session, p, to, at, actor, note)
    return p


# -- listing --------------------------------------------------------------------------------


def _owned_by(org_id: int) -> Select:
    return select(ProjectParty.project_id).where(ProjectParty.organisation_id == org_id)


def visible(query: Select, actor: Actor) -> Select:
    """Restrict a project query to what ``actor`` may read."""
    scope = read_scope(actor)
    if scope.everything:
        return query
    cond = Project.visibility.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(cond, Project.id.in_(_owned_by(scope.organisation_id)))
    return query.where(cond)


class ProjectFilters(BaseModel):
    """Filters of project lists and totals (all optional, combined with AND)."""

    model_config = ConfigDict(extra="forbid")
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    stage: list[str] | None = None
    project_type: str | None = None
    source: str | None = None
    organisation_id: DbId | None = None
    value_min_usd: float | None = Field(None, ge=0)
    value_max_usd: float | None = Field(None, ge=0)
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(None, max_length=200)

    @field_validator("country", "region", "sector", "project_type", "source", "q", mode="before")
    @classmethod
    def _blank_is_no_filter(cls, value: object) -> object:
        """Text filters are stripped; a blank one (``""``, ``" "``) is no filter."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("stage", mode="before")
    @classmethod
    def _blank_stages(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            value = [v.strip() if isinstance(v, str) else v for v in value]
            value = [v for v in value if v not in ("", None)]
            return value or None
        return value

    @classmethod
    def parse(cls, **raw: object) -> ProjectFilters:
        """Build filters from untrusted input; bad values raise silkhub's ValidationError
        naming each field (for the web and CLI; the API validates its query parameters)."""
        try:
            return cls(**raw)  # type: ignore[arg-type]
        except PydanticValidationError as exc:
            errors = [
                {"field": str(e["loc"][0]) if e["loc"] else "filters", "message": e["msg"]}
                for e in exc.errors()
            ]
            first = errors[0]
            raise ValidationError(
                f"{first['field']}: {first['message']}", field=first["field"], errors=errors
            ) from None


def _country_iso3(session: Session, value: str) -> str | None:
    """ISO3 code of the ``country`` filter: an existing code is checked with one Core query
    (the hot path of project lists), anything else goes through :func:`resolve_country`
    (names, other codes, UnknownCountryError with suggestions)."""
    code = value.strip().upper()
    if len(code) == 3:
        iso3 = Country.__table__.c.iso3
        if session.connection().execute(select(iso3).where(iso3 == code)).first():
            return code
    return resolve_country(session, value, field="country")


def _source_clause(source: str | None):  # type: ignore[no-untyped-def]
    """SQL condition of a ``source`` filter value (see :data:`FILTER_SOURCES`)."""
    demo = Project.external_id.like(DEMO_ID_PREFIX + "%")
    if source == "demo":
        return (Project.source == "hub") & demo
    if source == "own":
        return Project.source.in_(("hub", "import")) & (Project.external_id.is_(None) | ~demo)
    return Project.source == source


def _filtered(session: Session, query: Select, f: ProjectFilters) -> Select:
    if f.country:
        query = query.where(Project.iso3 == _country_iso3(session, f.country))
    if f.region:
        region = find_region(session, f.region)
        children = select(Region.region_id).where(Region.parent_id == region.region_id)
        query = query.where(
            or_(Project.region_id == region.region_id, Project.region_id.in_(children))
        )
    if f.sector:
        codes = codes_under(check_sector(f.sector, field="sector") or f.sector)
        query = query.where(
            Project.isic_code == codes[0] if len(codes) == 1 else Project.isic_code.in_(codes)
        )
    if f.stage:
        stages = [lifecycle.check_stage(s) for s in f.stage]
        query = query.where(
            Project.stage == stages[0] if len(stages) == 1 else Project.stage.in_(stages)
        )
    if f.project_type:
        query = query.where(
            Project.project_type
            == check_choice(f.project_type, PROJECT_TYPES, "project type", "project_type")
        )
    if f.source:
        src = check_choice(f.source, FILTER_SOURCES, "source", "source")
        query = query.where(_source_clause(src))
    if f.organisation_id is not None:
        query = query.where(Project.id.in_(_owned_by(f.organisation_id)))
    if (
        f.value_min_usd is not None
        and f.value_max_usd is not None
        and f.value_max_usd < f.value_min_usd
    ):
        raise ValidationError(
            "value_max_usd must not be below value_min_usd", field="value_max_usd"
        )
    if f.value_min_usd is not None:
        query = query.where(Project.value_usd >= f.value_min_usd)
    if f.value_max_usd is not None:
        query = query.where(Project.value_usd <= f.value_max_usd)
    if f.date_from and f.date_to and f.date_to < f.date_from:
        raise ValidationError("date_to must not be before date_from", field="date_to")
    if f.date_from:
        query = query.where(Project.dated_on >= f.date_from)
    if f.date_to:
        query = query.where(Project.dated_on <= f.date_to)
    if f.q and f.q.strip():
        text = f.q.strip()
        query = query.where(
            or_(
                func.lower(Project.title_en).contains(text.lower(), autoescape=True),
                Project.title_zh.contains(text, autoescape=True),
            )
        )
    return query


def parse_sort(sort: str) -> tuple[str, bool]:
    """``value_usd`` / ``-value_usd`` → (key, descending); unknown keys raise."""
    desc = sort.startswith("-")
    key = sort.lstrip("-+")
    if key not in SORTS:
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("sort", sort, [*SORTS, *(f"-{k}" for k in SORTS)], field="sort")
    return key, desc


def list_projects(
    session: Session,
    actor: Actor,
    filters: ProjectFilters | None = None,
    *,
    sort: str = "-id",
    cursor: str | None = None,
    limit: int = 50,
    with_parties: bool = False,
) -> Page[Project]:
    """Projects visible to ``actor``, filtered and sorted, one cursor page at a time.

    ``sort`` is ``id``, ``value_usd``, ``dated_on`` or ``stage_on`` (``-`` for descending);
    projects without a value/date sort as smallest. Ties are broken by id.
    """
    key, desc = parse_sort(sort)
    query = visible(select(Project), actor)
    if with_parties:
        query = query.options(selectinload(Project.parties))
    query = _filtered(session, query, filters or ProjectFilters())
    column, kind, nullable = SORTS[key]
    return keyset_page(
        session,
        query,
        getattr(Project, column),
        Project.id,
        descending=desc,
        cursor=cursor,
        limit=limit,
        kind=kind,
        nullable=nullable,
    )


#: columns of a project list item, in the order of the API's ``ProjectOut``
LIST_COLUMNS: tuple[str, ...] = (
    "id",
    "identifier",
    "source",
    "external_id",
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "isic_code",
    "sector_label",
    "project_type",
    "iso3",
    "region_id",
    "lat",
    "lon",
    "value_amount",
    "value_currency",
    "value_year",
    "value_usd",
    "stage",
    "stage_on",
    "dated_on",
    "visibility",
    "source_dataset",
    "source_row",
    "updated_at",
)


def list_project_rows(
    session: Session,
    actor: Actor,
    filters: ProjectFilters | None = None,
    *,
    sort: str = "-id",
    cursor: str | None = None,
    limit: int = 50,
) -> Page[dict[str, Any]]:
    """The lean read path of :func:`list_projects`: the same page as plain dicts.

    Same visibility rule, filters, order, cursors and errors as :func:`list_projects`, but one
    Core ``SELECT`` of the :data:`LIST_COLUMNS` per phase (no ORM objects, no identity map,
    no parties), which is what the API's list endpoint needs to serve many requests per second.
    Each item maps a column name of :data:`LIST_COLUMNS` to its value.
    """
    key, desc = parse_sort(sort)
    check_limit(limit)
    table = Project.__table__
    query = visible(select(*(table.c[c] for c in LIST_COLUMNS)), actor)
    query = _filtered(session, query, filters or ProjectFilters())
    column_name, kind, nullable = SORTS[key]
    column, id_column = table.c[column_name], table.c.id
    phases = ["v"] if not nullable else (["v", "n"] if desc else ["n", "v"])
    cur = decode_cursor(cursor, kind) if cursor else None
    if cur and cur[0] not in phases:
        raise ValidationError("invalid cursor for this sort order", field="cursor")
    start = phases.index(cur[0]) if cur else 0
    conn = session.connection()
    rows: list[Any] = []
    for i, phase in enumerate(phases[start:]):
        after = cur if i == 0 else None
        if phase == "v":
            q = query.where(column.is_not(None)) if nullable else query
            if after is not None:
                pair, bound = tuple_(column, id_column), tuple_(after[1], after[2])
                q = q.where(pair < bound if desc else pair > bound)
            order = (column.desc(), id_column.desc()) if desc else (column, id_column)
        else:
            q = query.where(column.is_(None))
            if after is not None:
                q = q.where(id_column < after[2] if desc else id_column > after[2])
            order = (id_column.desc(),) if desc else (id_column,)
        rows.extend(conn.execute(q.order_by(*order).limit(limit + 1 - len(rows))).all())
        if len(rows) > limit:
            break
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        value = last._mapping[column_name]
        nxt = encode_cursor("n" if value is None else "v", value, last.id)
    return Page([dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows[:limit]], nxt, limit)


TOTAL_GROUPS = ("stage", "iso3", "isic_code", "project_type", "source", "year")


def project_totals(
    session: Session,
    actor: Actor,
    filters: ProjectFilters | None = None,
    *,
    group_by: str = "stage",
) -> list[dict[str, Any]]:
    """Dashboard aggregates: number of projects and total US$ value per group.

    ``group_by`` is one of stage, iso3, isic_code, project_type, source, year (of
    ``dated_on``). Projects without a US$ value count in ``projects`` but not in the sum
    (``valued`` says how many had one).
    """
    if group_by not in TOTAL_GROUPS:
        from silkhub.errors import UnknownChoiceError

        raise UnknownChoiceError("group_by", group_by, TOTAL_GROUPS, field="group_by")
    if group_by == "year":
        key = func.extract("year", Project.dated_on)
    else:
        key = getattr(Project, group_by)
    base = visible(select(Project.id), actor)
    base = _filtered(session, base, filters or ProjectFilters())
    q = (
        select(
            key.label("key"),
            func.count(Project.id),
            func.count(Project.value_usd),
            func.sum(Project.value_usd),
        )
        .where(Project.id.in_(base))
        .group_by(key)
        .order_by(func.count(Project.id).desc())
    )
    out = []
    for k, n, valued, total in session.execute(q):
        if group_by == "year" and k is not None:
            k = int(k)
        out.append(
            {
                "group": group_by,
                "key": k,
                "projects": n,
                "valued": valued,
                "value_usd": total or 0.0,
            }
        )
    return out
