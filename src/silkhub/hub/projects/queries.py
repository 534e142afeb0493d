"""SQL of the project service: loading, existence checks, the visibility clause, list filters,
the lean list read path, totals, and id lists for the lifecycle statistics.

Functions here build and run queries; they check no rule (that is
:mod:`silkhub.hub.projects.service`), except that filter values are resolved to what the
columns hold (country names to ISO3, sector sections to divisions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from silkhub.data.reference.queries import find_region
from silkhub.data.storage.models.hub import Project, ProjectParty
from silkhub.data.storage.models.reference import Country, Region
from silkhub.hub.common import _decode as decode_cursor
from silkhub.hub.common import _encode as encode_cursor
from silkhub.hub.common import resolve_country
from silkhub.hub.policy import Actor, read_scope
from silkhub.hub.projects.schemas import DEMO_ID_PREFIX, LIST_COLUMNS, SORTS


def owner_ids(project: Project) -> list[int]:
    """Organisations that own a project for the ownership policy (all its parties)."""
    return sorted({p.organisation_id for p in project.parties})


def load(session: Session, project_id: int) -> Project | None:
    """A project with its parties (no visibility check)."""
    return session.scalars(
        select(Project).where(Project.id == project_id).options(selectinload(Project.parties))
    ).first()


def id_by_identifier(session: Session, identifier: str) -> int | None:
    return session.scalar(select(Project.id).where(Project.identifier == identifier))


def external_id_taken(session: Session, source: str, external_id: str) -> bool:
    return bool(
        session.scalar(
            select(Project.id).where(Project.source == source, Project.external_id == external_id)
        )
    )


def owned_by(org_id: int) -> Select:
    """Ids of the projects an organisation is party to."""
    return select(ProjectParty.project_id).where(ProjectParty.organisation_id == org_id)


def visible(query: Select, actor: Actor) -> Select:
    """Restrict a project query to what ``actor`` may read."""
    scope = read_scope(actor)
    if scope.everything:
        return query
    cond = Project.visibility.in_(scope.visibilities)
    if scope.organisation_id is not None:
        cond = or_(cond, Project.id.in_(owned_by(scope.organisation_id)))
    return query.where(cond)


def visible_ids(session: Session, actor: Actor, ids: Sequence[int] | None = None) -> list[int]:
    """Ids of the projects ``actor`` may read (among ``ids`` when given), ascending."""
    q = select(Project.id)
    if ids is not None:
        if not ids:
            return []
        q = q.where(Project.id.in_(list(ids)))
    return sorted(session.scalars(visible(q, actor)))


def visible_projects(session: Session, actor: Actor, *, iso3: str | None = None) -> list[Project]:
    """Projects ``actor`` may read (optionally of one country), by id."""
    q = visible(select(Project), actor)
    if iso3 is not None:
        q = q.where(Project.iso3 == iso3)
    return list(session.scalars(q.order_by(Project.id)))


def visible_projects_by_ids(session: Session, actor: Actor, ids: Sequence[int]) -> list[Project]:
    """The projects among ``ids`` that ``actor`` may read (with parties), by id."""
    if not ids:
        return []
    q = visible(select(Project).where(Project.id.in_(list(ids))), actor)
    return list(session.scalars(q.options(selectinload(Project.parties)).order_by(Project.id)))


def iso3_shaped(value: str | None) -> str | None:
    """``value`` as an upper-case three-letter code if it looks like one, else None."""
    if value is None:
        return None
    code = value.strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def country_iso3(session: Session, value: str) -> str | None:
    """ISO3 code of the ``country`` filter: an existing code is checked with one Core query
    (the hot path of project lists), anything else goes through :func:`resolve_country`
    (names, other codes, UnknownCountryError with suggestions)."""
    code = value.strip().upper()
    if len(code) == 3:
        iso3 = Country.__table__.c.iso3
        if session.connection().execute(select(iso3).where(iso3 == code)).first():
            return code
    return resolve_country(session, value, field="country")


def source_clause(source: str | None):  # type: ignore[no-untyped-def]
    """SQL condition of a ``source`` filter value (see ``FILTER_SOURCES``)."""
    demo = Project.external_id.like(DEMO_ID_PREFIX + "%")
    if source == "demo":
        return (Project.source == "hub") & demo
    if source == "own":
        return Project.source.in_(("hub", "import")) & (Project.external_id.is_(None) | ~demo)
    return Project.source == source


def region_clause(session: Session, region: str):  # type: ignore[no-untyped-def]
    """Projects in a region or directly under it."""
    r = find_region(session, region)
    children = select(Region.region_id).where(Region.parent_id == r.region_id)
    return or_(Project.region_id == r.region_id, Project.region_id.in_(children))


def where_in(column, values: Sequence[Any]):  # type: ignore[no-untyped-def]
    return column == values[0] if len(values) == 1 else column.in_(list(values))


def title_contains(text: str):  # type: ignore[no-untyped-def]
    return or_(
        func.lower(Project.title_en).contains(text.lower(), autoescape=True),
        Project.title_zh.contains(text, autoescape=True),
    )


def list_rows(
    session: Session,
    query_of_columns: Select,
    key: str,
    desc: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """Run a filtered ``SELECT`` of :data:`LIST_COLUMNS` one keyset page at a time.

    Nullable sort columns are read in two phases (values, then nulls), so that a cursor
    says which phase it is in. Returns the rows as dicts and the next cursor.
    """
    from silkhub.errors import ValidationError

    table = Project.__table__
    column_name, kind, nullable = SORTS[key]
    column, id_column = table.c[column_name], table.c.id
    phases = ["v"] if not nullable else (["v", "n"] if desc else ["n", "v"])
    cur = decode_cursor(cursor, kind) if cursor else None
    if cur and cur[0] not in phases:
        raise ValidationError(key="project.bad_cursor", field="cursor")
    start = phases.index(cur[0]) if cur else 0
    conn = session.connection()
    rows: list[Any] = []
    for i, phase in enumerate(phases[start:]):
        after = cur if i == 0 else None
        if phase == "v":
            q = query_of_columns.where(column.is_not(None)) if nullable else query_of_columns
            if after is not None:
                pair, bound = tuple_(column, id_column), tuple_(after[1], after[2])
                q = q.where(pair < bound if desc else pair > bound)
            order = (column.desc(), id_column.desc()) if desc else (column, id_column)
        else:
            q = query_of_columns.where(column.is_(None))
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
    return [dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows[:limit]], nxt


def columns_query(actor: Actor) -> Select:
    """``SELECT`` of the :data:`LIST_COLUMNS` of the projects ``actor`` may read."""
    table = Project.__table__
    return visible(select(*(table.c[c] for c in LIST_COLUMNS)), actor)


def entities_query(actor: Actor, *, with_parties: bool = False) -> Select:
    q = visible(select(Project), actor)
    return q.options(selectinload(Project.parties)) if with_parties else q


def ids_query(actor: Actor) -> Select:
    return visible(select(Project.id), actor)


def totals(session: Session, base_ids: Select, group_by: str) -> list[tuple[Any, int, int, Any]]:
    """(key, projects, valued, value_usd sum) per group of the projects in ``base_ids``."""
    key = (
        func.extract("year", Project.dated_on) if group_by == "year" else getattr(Project, group_by)
    )
    q = (
        select(
            key.label("key"),
            func.count(Project.id),
            func.count(Project.value_usd),
            func.sum(Project.value_usd),
        )
        .where(Project.id.in_(base_ids))
        .group_by(key)
        .order_by(func.count(Project.id).desc())
    )
    return [tuple(r) for r in session.execute(q)]  # type: ignore[misc]
