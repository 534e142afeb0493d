"""International talent: profiles, positions, explainable suggestions and feedback (issue 11).

Personal data rules
-------------------
* A profile is **private by default** (visibility ``operators``): only the person (the linked
  user) and hub staff see it. ``members`` opens it to signed-in hub users, ``public`` to everyone.
  Anything invisible is a 404, exactly like other hub records.
* Only the person, or hub staff (who entered it with recorded consent), may change it.
* The person can export everything held about them (:func:`export_profile`) and delete it
  (:func:`delete_profile`): personal fields are erased, the row keeps only its id and dates.
* The audit log never receives personal values for profiles: entries name the fields that
  changed, so the trail stays anonymous after deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pycountry
from sqlalchemy.orm import Session

from silkhub.core.matching import Match
from silkhub.core.talent_matching import (
    LEVELS,
    TALENT_PARTS,
    TALENT_WEIGHTS,
    Need,
    Person,
    check_talent_weights,
    rank_talent,
)
from silkhub.data.storage.base import utcnow
from silkhub.data.storage.models.hub import Project
from silkhub.data.storage.models.reference import Region
from silkhub.data.storage.models.talent import Position, TalentFeedback, TalentProfile
from silkhub.errors import ConflictError, SilkhubError, ValidationError, field_error
from silkhub.hub._audit import audit
from silkhub.hub.common import (
    check_choice,
)
from silkhub.hub.common import resolve_country as _resolve_country
from silkhub.hub.common import resolve_region as _resolve_region
from silkhub.hub.policy import (
    Actor,
    check_visibility,
    ensure_can_create,
    ensure_can_read,
    ensure_can_write,
    not_found,
)
from silkhub.hub.sectors import check_sector as _check_sector
from silkhub.hub.talent import queries
from silkhub.hub.talent.schemas import (
    POSITION_STATUSES,
    TALENT_VISIBILITIES,
    WORK_MODES,
    LanguageIn,
    PositionCreate,
    PositionRead,
    ProfileCreate,
    ProfileRead,
    ProfileUpdate,
)

PERSONAL_FIELDS: tuple[str, ...] = (
    "name_en",
    "name_zh",
    "email",
    "nationality",
    "based_in_region_id",
    "languages",
    "isic_codes",
    "skills_en",
    "skills_zh",
    "countries_experience",
    "education",
    "available_from",
    "available_to",
    "preferred_regions",
    "consent_note",
)
#: the form/body field each stored personal field comes from
_FORM_FIELD = {"based_in_region_id": "based_in", "isic_codes": "sectors"}


def _keyed(exc: SilkhubError, key: str, value: object, field: str) -> SilkhubError:
    """Give a reference-data error the talent message key, the value and the form field
    (its status stays: unknown country 404, unknown region/sector 422)."""
    exc.key, exc.params = key, {"value": str(value)}
    exc.field = field  # type: ignore[attr-defined]
    exc.details["errors"] = [field_error(field, key, value=str(value))]
    return exc


def resolve_country(session: Session, value: str | None, *, field: str) -> str | None:
    """ISO3 of a country code or name (``talent.unknown_country`` on ``field``)."""
    try:
        return _resolve_country(session, value, field=field)
    except SilkhubError as exc:
        raise _keyed(exc, "talent.unknown_country", value, field) from None


def resolve_region(session: Session, value: str | None, *, field: str = "region") -> str | None:
    """Region id of a region id or name (``talent.unknown_region`` on ``field``)."""
    try:
        return _resolve_region(session, value)[0]
    except SilkhubError as exc:
        raise _keyed(exc, "talent.unknown_region", value, field) from None


def check_sector(code: str | None, *, field: str) -> str | None:
    """Normalised ISIC rev.4 code (``talent.unknown_sector`` on ``field``)."""
    try:
        return _check_sector(code, field=field)
    except SilkhubError as exc:
        raise _keyed(exc, "talent.unknown_sector", code, field) from None


# -- validation helpers ---------------------------------------------------------------------


def _languages(items: list[LanguageIn], field: str = "languages") -> list[dict[str, str]]:
    """Normalised ``[{code, level}]``: ISO 639-1 codes, CEFR levels or ``native``, no repeats."""
    out: dict[str, str] = {}
    for i, item in enumerate(items):
        code = item.code.strip().lower()
        if pycountry.languages.get(alpha_2=code) is None:
            raise ValidationError(
                key="talent.unknown_language_code",
                params={"value": item.code},
                field=f"{field}[{i}].code",
            )
        level = item.level.strip()
        level = "native" if level.lower() == "native" else level.upper()
        if level not in LEVELS:
            raise ValidationError(
                key="talent.unknown_level",
                params={"value": item.level},
                field=f"{field}[{i}].level",
            )
        if code in out:
            raise ValidationError(
                key="talent.language_twice", params={"value": code}, field=f"{field}[{i}].code"
            )
        out[code] = level
    return [{"code": c, "level": lv} for c, lv in out.items()]


def _check_date(value: date | None, field: str) -> None:
    if value is not None and not date(1950, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError(key="talent.date_out_of_range", params={"date": value}, field=field)


def _check_order(first: tuple[str, date | None], second: tuple[str, date | None]) -> None:
    (_, d1), (n2, d2) = first, second
    if d1 is not None and d2 is not None and d2 < d1:
        raise ValidationError(key="talent.end_before_start", field=n2)


def _countries(session: Session, values: list[str], field: str) -> str | None:
    codes = [resolve_country(session, v, field=field) for v in values if v and v.strip()]
    return ",".join(dict.fromkeys(c for c in codes if c)) or None


def _regions(session: Session, values: list[str]) -> str | None:
    ids = [resolve_region(session, v, field="preferred_regions") for v in values if v and v.strip()]
    return ",".join(dict.fromkeys(i for i in ids if i)) or None


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


# -- profiles --------------------------------------------------------------------------------


def owns_profile(actor: Actor, profile: TalentProfile) -> bool:
    return actor.user_id is not None and profile.user_id == actor.user_id


def can_read_profile(actor: Actor, profile: TalentProfile) -> bool:
    """The person, admins, and otherwise by visibility (members = any signed-in user)."""
    if profile.deleted_at is not None:
        return False
    if owns_profile(actor, profile) or actor.role == "admin":
        return True
    if profile.visibility == "public":
        return True
    if profile.visibility == "members":
        return actor.is_authenticated
    return actor.is_staff


def _get(session: Session, actor: Actor, talent_id: int) -> TalentProfile:
    p = session.get(TalentProfile, talent_id)
    if p is None or not can_read_profile(actor, p):
        raise not_found("talent profile", talent_id)
    return p


def _writable(session: Session, actor: Actor, talent_id: int) -> TalentProfile:
    p = _get(session, actor, talent_id)
    if not (owns_profile(actor, p) or actor.is_staff):
        ensure_can_write(actor, [-1], "public", what="talent profile", ident=talent_id)
    return p


def _country_or_none(session: Session, value: str | None) -> str | None:
    """ISO3 of a country, None when unknown (:func:`_apply` reports it on its field)."""
    try:
        return resolve_country(session, value, field="nationality")
    except SilkhubError:
        return None


def _check_duplicate(
    session: Session,
    data: ProfileCreate | ProfileUpdate,
    nationality: str | None,
    exclude: int | None = None,
) -> None:
    dup = queries.duplicate_person(
        session,
        email=data.email,
        names=(data.name_en, data.name_zh),
        nationality=nationality,
        exclude=exclude,
    )
    if dup is not None:
        raise ConflictError(
            key="talent.duplicate_person",
            params={"id": dup},
            details={"errors": [field_error("email", "talent.duplicate_person", id=dup)]},
        )


class _Collect:
    """Run checks one after the other and keep every failure (one entry per field), so a form
    or an API client learns all its mistakes at once; :meth:`raise_any` raises the only error
    as it is (its status kept), or a 422 listing them all."""

    def __init__(self) -> None:
        self.errors: list[SilkhubError] = []

    def run(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except SilkhubError as exc:
            if exc.status not in (404, 409, 422):
                raise
            self.errors.append(exc)

    def raise_any(self) -> None:
        if not self.errors:
            return
        if len(self.errors) == 1:
            raise self.errors[0]
        entries = []
        for exc in self.errors:
            entries += exc.details.get("errors") or [
                field_error(getattr(exc, "field", None), exc.key, **exc.params)
            ]
        first = self.errors[0]
        raise ValidationError(first.message, key=first.key, params=first.params, errors=entries)


def _apply(
    session: Session, p: TalentProfile, data: ProfileCreate | ProfileUpdate, partial: bool
) -> None:
    """Copy the sent fields onto ``p``, checking each; every failing field is reported."""
    sent = data.model_fields_set if partial else set(type(data).model_fields)
    check = _Collect()
    if "name_en" in sent:
        p.name_en = (data.name_en or "").strip() or None
    if "name_zh" in sent:
        p.name_zh = (data.name_zh or "").strip() or None
    if not (p.name_en or p.name_zh):
        check.errors.append(ValidationError(key="talent.name_needed", field="name_en"))

    def email() -> None:
        value = (data.email or "").strip().lower() or None
        if value and ("@" not in value or " " in value):
            raise ValidationError(
                key="talent.not_email", params={"value": data.email}, field="email"
            )
        p.email = value

    def nationality() -> None:
        p.nationality = resolve_country(session, data.nationality, field="nationality")

    def based_in() -> None:
        p.based_in_region_id = resolve_region(session, data.based_in, field="based_in")

    def languages() -> None:
        p.languages = _languages(data.languages or [])

    def sectors() -> None:
        codes = [check_sector(c, field="sectors") for c in data.sectors or []]
        p.isic_codes = ",".join(dict.fromkeys(c for c in codes if c)) or None

    def countries() -> None:
        p.countries_experience = _countries(
            session, data.countries_experience or [], "countries_experience"
        )

    def regions() -> None:
        p.preferred_regions = _regions(session, data.preferred_regions or [])

    def dates() -> None:
        for f in ("available_from", "available_to"):
            if f in sent:
                _check_date(getattr(data, f), f)
                setattr(p, f, getattr(data, f))
        _check_order(("available_from", p.available_from), ("available_to", p.available_to))

    def visibility() -> None:
        p.visibility = (
            check_choice(data.visibility, TALENT_VISIBILITIES, "visibility", "visibility")
            or "operators"
        )

    steps: list[tuple[str, Callable[[], None]]] = [
        ("email", email),
        ("nationality", nationality),
        ("based_in", based_in),
        ("languages", languages),
        ("sectors", sectors),
        ("countries_experience", countries),
        ("preferred_regions", regions),
    ]
    for name, fn in steps:
        if name in sent and (name not in _LISTS or getattr(data, name) is not None):
            check.run(fn)
    for f in ("skills_en", "skills_zh", "education"):
        if f in sent:
            setattr(p, f, getattr(data, f))
    check.run(dates)
    if "visibility" in sent and data.visibility is not None:
        check.run(visibility)
    check.raise_any()


#: list fields of a profile (None in an update: unchanged)
_LISTS = ("languages", "sectors", "countries_experience", "preferred_regions")


def create_profile(
    session: Session,
    actor: Actor,
    data: ProfileCreate,
    *,
    source_note: str | None = None,
) -> TalentProfile:
    """Create a profile: a signed-in person for themselves, or staff with recorded consent."""
    if not actor.is_authenticated:
        ensure_can_create(actor, (), what="talent profile")
    self_service = data.link_to_me and actor.user_id is not None
    if not self_service:
        if not actor.is_staff:
            raise ValidationError(key="talent.self_service_only", field="link_to_me")
        if data.consent_on is None:
            raise ValidationError(key="talent.consent_needed", field="consent_on")
    _check_date(data.consent_on, "consent_on")
    mine = queries.profile_of_user(session, actor.user_id) if actor.user_id else None
    if self_service and mine is not None:
        raise ConflictError(key="talent.profile_exists")
    _check_duplicate(session, data, _country_or_none(session, data.nationality))
    p = TalentProfile(
        user_id=actor.user_id if self_service else None,
        entered_by_user_id=actor.user_id,
        consent_on=data.consent_on or (date.today() if self_service else None),
        consent_note=data.consent_note or source_note,
    )
    _apply(session, p, data, partial=False)
    session.add(p)
    session.flush()
    audit(
        session,
        actor,
        "talent.create",
        "talent_profile",
        p.id,
        after={"fields": sorted(f for f in PERSONAL_FIELDS if getattr(p, f) is not None)},
    )
    return p


def get_profile(session: Session, actor: Actor, talent_id: int) -> TalentProfile:
    return _get(session, actor, talent_id)


def my_profile(session: Session, actor: Actor) -> TalentProfile:
    if actor.user_id is None:
        raise not_found("talent profile")
    p = queries.profile_of_user(session, actor.user_id)
    if p is None:
        raise not_found("talent profile")
    return p


def update_profile(
    session: Session, actor: Actor, talent_id: int, patch: ProfileUpdate
) -> TalentProfile:
    p = _writable(session, actor, talent_id)
    nationality = (
        _country_or_none(session, patch.nationality)
        if "nationality" in patch.model_fields_set
        else p.nationality
    )
    _check_duplicate(session, patch, nationality, exclude=p.id)
    _apply(session, p, patch, partial=True)
    session.flush()
    audit(
        session,
        actor,
        "talent.update",
        "talent_profile",
        p.id,
        after={"fields": sorted(patch.model_fields_set)},
    )
    return p


def delete_profile(session: Session, actor: Actor, talent_id: int) -> TalentProfile:
    """Erase the personal fields; keep the id, dates and an anonymous audit entry."""
    p = _writable(session, actor, talent_id)
    for f in PERSONAL_FIELDS:
        setattr(p, f, None)
    p.user_id = None
    p.visibility = "operators"
    p.deleted_at = utcnow()
    session.flush()
    audit(session, actor, "talent.delete", "talent_profile", p.id, after={"anonymised": True})
    return p


def profile_dict(p: TalentProfile) -> dict[str, Any]:
    """The stored profile as plain values (the fields of :class:`ProfileRead`)."""
    return {
        "id": p.id,
        "user_id": p.user_id,
        "name_en": p.name_en,
        "name_zh": p.name_zh,
        "email": p.email,
        "nationality": p.nationality,
        "based_in": p.based_in_region_id,
        "languages": p.languages or [],
        "sectors": _split(p.isic_codes),
        "skills_en": p.skills_en,
        "skills_zh": p.skills_zh,
        "countries_experience": _split(p.countries_experience),
        "education": p.education,
        "available_from": p.available_from,
        "available_to": p.available_to,
        "preferred_regions": _split(p.preferred_regions),
        "visibility": p.visibility,
        "consent_on": p.consent_on,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def read_profile(p: TalentProfile) -> ProfileRead:
    """The read model of a stored profile."""
    return ProfileRead.model_validate(profile_dict(p))


def position_dict(pos: Position) -> dict[str, Any]:
    """The stored position as plain values (the fields of :class:`PositionRead`)."""
    return {
        "id": pos.id,
        "organisation_id": pos.organisation_id,
        "project_id": pos.project_id,
        "role_en": pos.role_en,
        "role_zh": pos.role_zh,
        "description_en": pos.description_en,
        "description_zh": pos.description_zh,
        "sector": pos.isic_code,
        "languages": pos.languages or [],
        "countries": _split(pos.countries),
        "start_on": pos.start_on,
        "end_on": pos.end_on,
        "region_id": pos.region_id,
        "work_mode": pos.work_mode,
        "status": pos.status,
        "visibility": pos.visibility,
    }


def read_position(pos: Position) -> PositionRead:
    """The read model of a stored position."""
    return PositionRead.model_validate(position_dict(pos))


def export_profile(session: Session, actor: Actor, talent_id: int) -> dict[str, Any]:
    """Everything silkhub holds about the person (only the person or an admin may export)."""
    p = _get(session, actor, talent_id)
    if not (owns_profile(actor, p) or actor.role == "admin"):
        raise not_found("talent profile", talent_id)
    feedback = queries.feedback_on_profile(session, p.id)
    from silkhub.hub import audit as audit_log

    history = audit_log.history(session, Actor.system(), "talent_profile", p.id)
    return {
        "profile": profile_dict(p) | {"consent_note": p.consent_note},
        "match_feedback": [
            {"position_id": f.position_id, "accepted": f.accepted, "at": f.at} for f in feedback
        ],
        "audit_trail": [
            {"action": e.action, "at": e.at, "actor": e.actor_label, "after": e.after}
            for e in history
        ],
    }


def check_language_code(value: str, field: str = "language") -> str:
    """An ISO 639-1 code, lower-cased (``talent.unknown_language_code`` otherwise)."""
    code = value.strip().lower()
    if pycountry.languages.get(alpha_2=code) is None:
        raise ValidationError(
            key="talent.unknown_language_code", params={"value": value}, field=field
        )
    return code


def check_profile_filters(
    session: Session,
    *,
    nationality: str | None = None,
    sector: str | None = None,
    language: str | None = None,
    region: str | None = None,
) -> None:
    """Check the directory filters, reporting every unknown value at once (a filter that
    names nothing known is an error for a form; :func:`list_profiles` itself only filters)."""
    check = _Collect()
    if nationality and nationality.strip():
        check.run(lambda: resolve_country(session, nationality, field="nationality"))
    if sector and sector.strip():
        check.run(lambda: check_sector(sector, field="sector"))
    if language and language.strip():
        check.run(lambda: check_language_code(language, field="language"))
    if region and region.strip():
        check.run(lambda: resolve_region(session, region, field="region"))
    check.raise_any()


def list_profiles(
    session: Session,
    actor: Actor,
    *,
    nationality: str | None = None,
    sector: str | None = None,
    language: str | None = None,
    region: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[TalentProfile]:
    """Live profiles ``actor`` may see, filtered by nationality, sector, language and region."""
    code = language.strip().lower() if language and language.strip() else None
    rows = queries.profiles(
        session,
        actor,
        nationality=resolve_country(session, nationality, field="nationality")
        if nationality
        else None,
        isic_code=check_sector(sector, field="sector") if sector else None,
        region_id=(resolve_region(session, region) or "") if region else None,
    )
    if code:
        rows = [r for r in rows if any(x["code"] == code for x in r.languages or [])]
    return rows[offset : offset + limit]


# -- positions -------------------------------------------------------------------------------


def _position_owner(session: Session, actor: Actor, pos: Position) -> list[int]:
    return [pos.organisation_id]


def create_position(session: Session, actor: Actor, data: PositionCreate) -> Position:
    """An organisation posts a position (members of it, or staff)."""
    from silkhub.hub.organisations import get_organisation

    org = get_organisation(session, actor, data.organisation_id)
    ensure_can_create(actor, [org.id], what="position")
    if data.project_id is not None:
        from silkhub.hub.projects import get_project

        get_project(session, actor, data.project_id)
    check = _Collect()
    if not ((data.role_en or "").strip() or (data.role_zh or "").strip()):
        check.errors.append(ValidationError(key="talent.role_needed", field="role_en"))
    values: dict[str, Any] = {}

    def dates() -> None:
        _check_date(data.start_on, "start_on")
        _check_date(data.end_on, "end_on")
        _check_order(("start_on", data.start_on), ("end_on", data.end_on))

    def keep(name: str, fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            values[name] = fn()

        return run

    check.run(dates)
    check.run(keep("isic_code", lambda: check_sector(data.sector, field="sector")))
    check.run(keep("languages", lambda: _languages(data.languages)))
    check.run(keep("countries", lambda: _countries(session, data.countries, "countries")))
    check.run(keep("region_id", lambda: resolve_region(session, data.location, field="location")))
    check.raise_any()
    pos = Position(
        organisation_id=org.id,
        project_id=data.project_id,
        role_en=data.role_en,
        role_zh=data.role_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        start_on=data.start_on,
        end_on=data.end_on,
        work_mode=check_choice(data.work_mode, WORK_MODES, "work mode", "work_mode") or "onsite",
        visibility=check_visibility(data.visibility),
        created_by_user_id=actor.user_id,
        **values,
    )
    session.add(pos)
    session.flush()
    audit(
        session,
        actor,
        "position.create",
        "position",
        pos.id,
        after={"organisation_id": org.id, "role_en": pos.role_en, "role_zh": pos.role_zh},
    )
    return pos


def get_position(session: Session, actor: Actor, position_id: int) -> Position:
    pos = session.get(Position, position_id)
    if pos is None:
        raise not_found("position", position_id)
    ensure_can_read(
        actor, pos.visibility, [pos.organisation_id], what="position", ident=position_id
    )
    return pos


def close_position(session: Session, actor: Actor, position_id: int, status: str) -> Position:
    pos = get_position(session, actor, position_id)
    ensure_can_write(
        actor, [pos.organisation_id], pos.visibility, what="position", ident=position_id
    )
    pos.status = check_choice(status, POSITION_STATUSES, "status", "status") or "open"
    session.flush()
    audit(session, actor, "position.status", "position", pos.id, after={"status": pos.status})
    return pos


#: positions ``actor`` may read, oldest first (``status=None``: every status): the query itself
list_positions = queries.positions


def organisation_names(session: Session, positions: list[Position]) -> dict[int, tuple]:
    """(name_en, name_zh) of the organisations posting ``positions``."""
    return queries.organisation_names(session, [p.organisation_id for p in positions])


# -- matching --------------------------------------------------------------------------------


def _person(p: TalentProfile) -> Person:
    countries = set(_split(p.countries_experience))
    if p.nationality:
        countries.add(p.nationality)
    regions = set(_split(p.preferred_regions))
    if p.based_in_region_id:
        regions.add(p.based_in_region_id)
    return Person(
        id=str(p.id),
        sectors=tuple(_split(p.isic_codes)),
        languages={x["code"]: x["level"] for x in p.languages or []},
        countries=frozenset(countries),
        available_from=p.available_from,
        available_to=p.available_to,
        regions=frozenset(regions),
        text=" ".join(x for x in (p.skills_en, p.skills_zh, p.education) if x),
    )


def _need(session: Session, pos: Position) -> Need:
    province = None
    if pos.region_id:
        r = session.get(Region, pos.region_id)
        province = r.parent_id if r is not None else None
    text = " ".join(
        x for x in (pos.role_en, pos.role_zh, pos.description_en, pos.description_zh) if x
    )
    if pos.project_id is not None:
        proj = session.get(Project, pos.project_id)
        if proj is not None:
            text += " " + " ".join(x for x in (proj.title_en, proj.title_zh) if x)
    return Need(
        id=str(pos.id),
        sector=pos.isic_code,
        languages={x["code"]: x["level"] for x in pos.languages or []},
        countries=frozenset(_split(pos.countries)),
        start=pos.start_on,
        end=pos.end_on,
        region_id=pos.region_id,
        province_id=province,
        remote=pos.work_mode == "remote",
        text=text,
    )


def learned_weights(
    session: Session, organisation_id: int | None = None, min_feedback: int = 5
) -> dict[str, float]:
    """Default weights re-weighted from the accept/decline feedback on the positions of one
    organisation (``organisation_id``; None: the defaults).

    Learning is per organisation, like the organisation matcher: one organisation's decisions
    never change another's suggestions. Same multiplicative rule
    (:func:`silkhub.core.matching.reweight_parts`), over the talent parts.
    """
    from silkhub.core.matching import Feedback, reweight_parts

    rows = (
        queries.feedback_of_organisation(session, organisation_id)
        if organisation_id is not None
        else []
    )
    fb = [Feedback(parts=f.parts, accepted=f.accepted) for f in rows]
    return reweight_parts(
        TALENT_WEIGHTS,
        fb,
        parts=TALENT_PARTS,
        normalise=check_talent_weights,
        min_feedback=min_feedback,
    )


def suggest_talent(
    session: Session, actor: Actor, position_id: int, *, top: int = 10
) -> list[tuple[TalentProfile, Match]]:
    """Ranked talent for a position, with the score parts; only profiles the actor may see."""
    pos = get_position(session, actor, position_id)
    ensure_can_write(
        actor, [pos.organisation_id], pos.visibility, what="position", ident=position_id
    )
    if not 1 <= top <= 100:
        raise ValidationError(key="talent.top_range", params={"top": top}, field="top")
    profiles = list_profiles(session, actor, limit=100_000)
    by_id = {str(p.id): p for p in profiles}
    matches = rank_talent(
        _need(session, pos),
        [_person(p) for p in profiles],
        top=top,
        weights=learned_weights(session, pos.organisation_id),
    )
    return [(by_id[m.candidate_id], m) for m in matches]


def decisions(session: Session, actor: Actor, position_id: int) -> dict[int, str]:
    """Latest decision (``accept``/``decline``) per person on a position (its writers only)."""
    pos = get_position(session, actor, position_id)
    ensure_can_write(
        actor, [pos.organisation_id], pos.visibility, what="position", ident=position_id
    )
    return {
        tid: ("accept" if acc else "decline")
        for tid, acc in queries.latest_decisions(session, pos.id).items()
    }


def record_feedback(
    session: Session, actor: Actor, position_id: int, talent_id: int, accepted: bool
) -> TalentFeedback:
    pos = get_position(session, actor, position_id)
    ensure_can_write(
        actor, [pos.organisation_id], pos.visibility, what="position", ident=position_id
    )
    prof = _get(session, actor, talent_id)
    match = rank_talent(_need(session, pos), [_person(prof)], top=1)[0]
    fb = TalentFeedback(
        position_id=pos.id,
        talent_id=prof.id,
        accepted=accepted,
        parts=match.part_values(),
        by_user_id=actor.user_id,
    )
    session.add(fb)
    session.flush()
    audit(
        session,
        actor,
        "position.feedback",
        "talent_feedback",
        fb.id,
        after={"position_id": pos.id, "talent_id": prof.id, "accepted": accepted},
    )
    return fb
