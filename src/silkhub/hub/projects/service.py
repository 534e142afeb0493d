"""Projects (aligned with OC4IDS): create, read, update, delete, list with filters and totals,
lifecycle transitions and the repeated-construction warning.

A project has titles and descriptions in zh/en, an ISIC sector, a type, a country, region and
coordinates, a value with currency and year (US$ derived through the rates table), parties
with roles, a source (hub entry or an imported tracker) and a visibility. Its owning
organisations, for the ownership policy, are the organisations among its parties.

Every rule lives here, for every interface (API, web form, CLI, imports): a title in at least
one language; the first stage not dated in the future; the region inside the country; lat and
lon together; a currency with an amount; unique identifiers. Errors carry message keys
(``project.start_in_future`` with ``{date}``) so each interface renders them per language.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from silkhub.data.storage.models.hub import Project, ProjectParty
from silkhub.errors import (
    ConflictError,
    SilkhubError,
    UnknownChoiceError,
    UnknownCountryError,
    ValidationError,
    field_error,
)
from silkhub.hub import duplicates, lifecycle
from silkhub.hub._audit import audit, snapshot
from silkhub.hub.common import (
    Page,
    check_limit,
    check_org_visible,
    delete_audited,
    keyset_page,
)
from silkhub.hub.money import check_amount, ensure_rates, to_usd
from silkhub.hub.policy import (
    Actor,
    check_visibility,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    not_found,
)
from silkhub.hub.projects import queries as q
from silkhub.hub.projects.queries import owner_ids
from silkhub.hub.projects.schemas import (
    FILTER_SOURCES,
    PARTY_ROLES,
    PROJECT_TYPES,
    SORTS,
    SOURCES,
    TOTAL_GROUPS,
    PartyIn,
    ProjectCreate,
    ProjectFilters,
    ProjectUpdate,
)
from silkhub.hub.sectors import check_sector, codes_under
from silkhub.hub.validation import choice as _choice
from silkhub.hub.validation import choice_error, keyed
from silkhub.hub.validation import country as _country
from silkhub.hub.validation import region as _region

logger = logging.getLogger(__name__)


def _sector(value: str | None, field: str) -> str | None:
    try:
        return check_sector(value, field=field)
    except ValidationError as exc:
        raise keyed(exc, "project.unknown_sector", field, value=value) from None


def _money(amount, currency):  # type: ignore[no-untyped-def]
    if amount is not None and not (currency or "").strip():
        raise ValidationError(key="project.currency_needed", field="value_currency")
    if currency and not re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        raise ValidationError(
            key="project.bad_currency", params={"currency": currency}, field="value_currency"
        )
    try:
        return check_amount(amount, currency, field="value_amount")
    except ValidationError as exc:
        raise keyed(exc, "project.bad_amount", "value_amount") from None


def _parties(session: Session, actor: Actor, parties: list[PartyIn]) -> list[ProjectParty]:
    out, seen = [], set()
    for p in parties:
        role = _choice(p.role, PARTY_ROLES, "party role", "parties.role", required=True)
        try:
            check_org_visible(session, actor, p.organisation_id, "parties.organisation_id")
        except ValidationError as exc:
            raise keyed(exc, "project.unknown_organisation", id=p.organisation_id) from None
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


def check_start_date(stage_on: date | None, *, today: date | None = None) -> None:
    """A project's first stage cannot be dated in the future (``project.start_in_future``)."""
    if stage_on is not None and stage_on > (today or date.today()):
        raise ValidationError(
            key="project.start_in_future", params={"date": stage_on.isoformat()}, field="stage_on"
        )


def _title_needed(title_en: str | None, title_zh: str | None) -> None:
    if not (title_en or "").strip() and not (title_zh or "").strip():
        raise ValidationError(key="project.title_needed", field="title_en")


def check_fields(session: Session, data: ProjectCreate | ProjectUpdate) -> None:
    """Check every field rule of a new project at once (title, start date, money, place,
    sector, type), so that a form can show all problems next to their fields in one go.

    One problem raises its own error (e.g. UnknownCountryError, 404 in the API); several
    raise one ValidationError whose ``errors`` list them all, each with its message key.
    """
    problems: list[SilkhubError] = []
    checks = [
        lambda: _title_needed(data.title_en, data.title_zh),
        lambda: check_start_date(getattr(data, "stage_on", None)),
        lambda: _money(data.value_amount, data.value_currency),
        lambda: _region(session, data.region_id),
        lambda: _country(session, data.iso3),
        lambda: _sector(data.isic_code, "isic_code"),
        lambda: _choice(data.project_type, PROJECT_TYPES, "project type", "project_type"),
    ]
    for check in checks:
        try:
            check()
        except (ValidationError, UnknownCountryError) as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        entries = [e for exc in problems for e in field_errors(exc)]
        first = problems[0]
        raise ValidationError(
            first.message, key=first.key, params=first.params, field=entries[0]["field"],
            errors=entries,
        )  # fmt: skip


def field_errors(exc: SilkhubError) -> list[dict[str, Any]]:
    """The field error entries of an error (its ``errors``, else one entry of its own)."""
    entries = exc.details.get("errors")
    if entries:
        return list(entries)
    entry = field_error(getattr(exc, "field", None), exc.key, **exc.params)
    entry["message"] = exc.message
    return [entry]


def create_project(
    session: Session,
    actor: Actor,
    data: ProjectCreate,
    *,
    record: dict[str, Any] | None = None,
    source_dataset: str | None = None,
    source_row: str | None = None,
    audit_entry: bool = True,
) -> Project:
    """Validate and store a new project with its first stage.

    Raises ValidationError (bad field, first stage dated in the future), UnknownCountryError,
    ConflictError (duplicate identifier or external id), AuthenticationError /
    PermissionDeniedError (not allowed).
    """
    parties = _parties(session, actor, data.parties)
    ensure_can_create(actor, [p.organisation_id for p in parties], what="project")
    check_fields(session, data)
    source = _choice(data.source, SOURCES, "source", "source") or "hub"
    amount, currency = _money(data.value_amount, data.value_currency)
    identifier = data.identifier or new_identifier()
    if q.id_by_identifier(session, identifier):
        raise ConflictError(
            key="project.identifier_exists",
            params={"identifier": identifier},
        )
    if data.external_id and q.external_id_taken(session, source, data.external_id):
        raise ConflictError(
            key="project.external_id_exists",
            params={"source": source, "external_id": data.external_id},
            details={"external_id": data.external_id},
        )
    region_id, region_iso3 = _region(session, data.region_id)
    iso3 = _country(session, data.iso3) or region_iso3
    if region_id and iso3 and region_iso3 and iso3 != region_iso3:
        raise ValidationError(
            key="project.region_not_in_country",
            params={"region": region_id, "region_iso3": region_iso3, "iso3": iso3},
            field="region_id",
        )
    if (data.lat is None) != (data.lon is None):
        raise ValidationError(key="project.lat_lon_pair", field="lat")
    ensure_rates(session)
    p = Project(
        identifier=identifier,
        source=source,
        external_id=data.external_id,
        title_en=(data.title_en or "").strip() or None,
        title_zh=(data.title_zh or "").strip() or None,
        description_en=data.description_en,
        description_zh=data.description_zh,
        isic_code=_sector(data.isic_code, "isic_code"),
        sector_label=data.sector_label,
        project_type=_choice(data.project_type, PROJECT_TYPES, "project type", "project_type"),
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


def repeated_construction(
    session: Session, actor: Actor, project: Project, *, threshold: float | None = None
) -> list[dict]:
    """The repeated-construction warning of a just-created project: similar projects the
    actor may read (same or neighbouring region, sector, period, similar title and value),
    best first. Every interface that creates projects shows this list."""
    return duplicates.warnings_for_new_project(session, actor, project, threshold=threshold)


def create_with_warnings(
    session: Session, actor: Actor, data: ProjectCreate
) -> tuple[Project, list[dict]]:
    """:func:`create_project` followed by :func:`repeated_construction` (API and web)."""
    project = create_project(session, actor, data)
    return project, repeated_construction(session, actor, project)


def create_unless_similar(
    session: Session, actor: Actor, data: ProjectCreate, *, accept_similar: bool = False
) -> tuple[Project | None, list[dict]]:
    """Create a project, but not when it looks like one already in the hub, unless
    ``accept_similar`` (the user saw the warning and confirmed).

    Returns ``(project, warnings)``; ``project`` is None when the warning stopped the save
    (nothing is stored then, not even the audit entry). Same validation and the same
    repeated-construction check as :func:`create_with_warnings` (the API's create).
    """
    savepoint = session.begin_nested()
    try:
        project, warnings = create_with_warnings(session, actor, data)
    except BaseException:
        savepoint.rollback()
        raise
    if warnings and not accept_similar:
        savepoint.rollback()
        return None, warnings
    savepoint.commit()
    return project, warnings


def get_project(session: Session, actor: Actor, project_id: int) -> Project:
    """A project visible to ``actor`` (NotFoundError for missing and invisible ones alike)."""
    p = q.load(session, project_id)
    if p is None:
        raise not_found("project", project_id)
    ensure_can_read(actor, p.visibility, owner_ids(p), what="project", ident=project_id)
    return p


def get_by_identifier(session: Session, actor: Actor, identifier: str) -> Project:
    pid = q.id_by_identifier(session, identifier)
    if pid is None:
        raise not_found("project", identifier)
    return get_project(session, actor, pid)


def writable_project(session: Session, actor: Actor, project_id: int) -> Project:
    """A project the actor may change (404 if invisible, 401/403 if not allowed)."""
    p = q.load(session, project_id)
    if p is None:
        raise not_found("project", project_id)
    ensure_can_write(actor, owner_ids(p), p.visibility, what="project", ident=project_id)
    return p


def can_change(actor: Actor, project: Project) -> bool:
    """Whether ``actor`` may change ``project`` (for showing forms; the write re-checks)."""
    from silkhub.hub.policy import can_write

    return actor.is_authenticated and can_write(actor, project.visibility, owner_ids(project))


def update_project(
    session: Session, actor: Actor, project_id: int, patch: ProjectUpdate
) -> Project:
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
        p.isic_code = _sector(fields.pop("isic_code"), "isic_code")
    if "project_type" in fields:
        p.project_type = _choice(
            fields.pop("project_type"), PROJECT_TYPES, "project type", "project_type"
        )
    if "visibility" in fields:
        p.visibility = check_visibility(fields.pop("visibility") or "public")
    if "iso3" in fields:
        p.iso3 = _country(session, fields.pop("iso3"))
    if "region_id" in fields:
        p.region_id, r_iso3 = _region(session, fields.pop("region_id"))
        p.iso3 = p.iso3 or r_iso3
    if "value_amount" in fields or "value_currency" in fields:
        amount = fields.pop("value_amount", p.value_amount)
        currency = fields.pop("value_currency", p.value_currency)
        p.value_amount, p.value_currency = _money(amount, currency)
    for k, v in fields.items():
        setattr(p, k, v)
    _title_needed(p.title_en, p.title_zh)
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


def history(session: Session, actor: Actor, project_id: int) -> list:
    """The stage changes of a project the actor may read, oldest first."""
    get_project(session, actor, project_id)
    return lifecycle.history(session, project_id)


def reached(
    session: Session,
    actor: Actor,
    stage: str,
    *,
    year: int | None = None,
    start_on: date | None = None,
    end_on: date | None = None,
) -> list[int]:
    """Ids of visible projects that first reached ``stage`` in a year or period."""
    ids = lifecycle.reached(session, stage, start_on=start_on, end_on=end_on, year=year)
    return q.visible_ids(session, actor, ids)


def durations(
    session: Session, actor: Actor, from_stage: str, to_stage: str
) -> lifecycle.StageDurations:
    """Days from first reaching one stage to another, over the visible projects."""
    return lifecycle.time_between(session, from_stage, to_stage, q.visible_ids(session, actor))


# -- listing --------------------------------------------------------------------------------


def _country_code(session: Session, value: str) -> str:
    """ISO3 code of a ``country`` filter value (a code, another code or a name)."""
    try:
        return q.country_iso3(session, value)
    except UnknownCountryError as exc:
        raise keyed(exc, "project.unknown_country", "country", value=value) from None


def _filtered(session: Session, query, f: ProjectFilters):  # type: ignore[no-untyped-def]
    """Apply the filters to a project query (values checked and resolved first)."""
    P = Project
    if f.country:
        query = query.where(P.iso3 == _country_code(session, f.country))
    if f.region:
        try:
            query = query.where(q.region_clause(session, f.region))
        except UnknownChoiceError as exc:
            raise ValidationError(
                key="project.unknown_region",
                params={"value": f.region},
                field="region",
                details={"valid_choices": exc.choices},
            ) from None
    if f.sector:
        codes = codes_under(_sector(f.sector, "sector") or f.sector)
        query = query.where(q.where_in(P.isic_code, codes))
    if f.stage:
        try:
            stages = [lifecycle.check_stage(s) for s in f.stage]
        except UnknownChoiceError as exc:
            raise choice_error(exc) from None
        query = query.where(q.where_in(P.stage, stages))
    if f.project_type:
        ptype = _choice(f.project_type, PROJECT_TYPES, "project type", "project_type")
        query = query.where(P.project_type == ptype)
    if f.source:
        src = _choice(f.source, FILTER_SOURCES, "source", "source")
        query = query.where(q.source_clause(src))
    if f.organisation_id is not None:
        query = query.where(P.id.in_(q.owned_by(f.organisation_id)))
    if (
        f.value_min_usd is not None
        and f.value_max_usd is not None
        and f.value_max_usd < f.value_min_usd
    ):
        raise ValidationError(key="project.value_range", field="value_max_usd")
    if f.value_min_usd is not None:
        query = query.where(P.value_usd >= f.value_min_usd)
    if f.value_max_usd is not None:
        query = query.where(P.value_usd <= f.value_max_usd)
    if f.date_from and f.date_to and f.date_to < f.date_from:
        raise ValidationError(key="project.date_range", field="date_to")
    if f.date_from:
        query = query.where(P.dated_on >= f.date_from)
    if f.date_to:
        query = query.where(P.dated_on <= f.date_to)
    if f.q and f.q.strip():
        query = query.where(q.title_contains(f.q.strip()))
    return query


def parse_sort(sort: str) -> tuple[str, bool]:
    """``value_usd`` / ``-value_usd`` → (key, descending); unknown keys raise."""
    desc = sort.startswith("-")
    key = sort.lstrip("-+")
    if key not in SORTS:
        exc = UnknownChoiceError("sort", sort, [*SORTS, *(f"-{k}" for k in SORTS)], field="sort")
        raise choice_error(exc)
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
    query = q.entities_query(actor, with_parties=with_parties)
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
    Core ``SELECT`` of the ``LIST_COLUMNS`` per phase (no ORM objects, no identity map,
    no parties), which is what the API's list endpoint needs to serve many requests per second.
    """
    key, desc = parse_sort(sort)
    check_limit(limit)
    f = filters or ProjectFilters()
    code = q.iso3_shaped(f.country)
    if code is None:
        query = _filtered(session, q.columns_query(actor), f)
        rows, nxt = q.list_rows(session, query, key, desc, cursor, limit)
        return Page(rows, nxt, limit)
    # a value shaped like an ISO3 code filters the list directly (one query less on the hot
    # path); only an empty page asks whether the code exists, or what a three-letter name
    # stands for (then the page is read again for that country)
    others = _filtered(session, q.columns_query(actor), f.model_copy(update={"country": None}))
    rows, nxt = q.list_rows(session, others.where(Project.iso3 == code), key, desc, cursor, limit)
    if not rows:
        iso3 = _country_code(session, f.country or "")
        if iso3 != code:
            query = others.where(Project.iso3 == iso3)
            rows, nxt = q.list_rows(session, query, key, desc, cursor, limit)
    return Page(rows, nxt, limit)


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
        exc = UnknownChoiceError("group_by", group_by, TOTAL_GROUPS, field="group_by")
        raise choice_error(exc)
    base = _filtered(session, q.ids_query(actor), filters or ProjectFilters())
    out = []
    for k, n, valued, total in q.totals(session, base, group_by):
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
