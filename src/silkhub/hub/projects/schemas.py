"""The project contract: one model family (base / create / update / read) used by the API, the
web form, the CLI and the reports, plus the closed lists a project field takes its value from.

The rules that a model cannot state (a title in at least one language, no future start date,
region inside the country, a currency with an amount ...) live in
:mod:`silkhub.hub.projects.service`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from silkhub.hub.common import Amount, DbId
from silkhub.hub.lifecycle import STAGES

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
VISIBILITIES: tuple[str, ...] = ("public", "operators", "private")
#: stages a new project may start in from a form (imports may start anywhere)
START_STAGES: tuple[str, ...] = STAGES[:6]
#: currencies offered by forms (any ISO 4217 code with a rate is accepted by the service)
FORM_CURRENCIES: tuple[str, ...] = ("CNY", "USD", "EUR", "RUB", "KZT", "GBP", "JPY")
#: sort keys of project lists: column, cursor value kind, nullable
SORTS: dict[str, tuple[str, str, bool]] = {
    "id": ("id", "number", False),
    "value_usd": ("value_usd", "number", True),
    "dated_on": ("dated_on", "date", True),
    "stage_on": ("stage_on", "date", True),
}
TOTAL_GROUPS = ("stage", "iso3", "isic_code", "project_type", "source", "year")

#: timestamps always carry a time zone (SQLite returns naive UTC values)
AwareDatetime = Annotated[
    datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))
]


class PartyIn(BaseModel):
    """An organisation taking part in a project, with its role."""

    model_config = ConfigDict(extra="forbid")
    organisation_id: DbId
    role: Literal[PARTY_ROLES] = Field(description=", ".join(PARTY_ROLES))  # type: ignore[valid-type]


class ProjectBase(BaseModel):
    """Fields a project is created with and may later change."""

    model_config = ConfigDict(extra="forbid")
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    isic_code: str | None = Field(None, max_length=20, description="ISIC rev.4 section or division")
    project_type: str | None = Field(None, max_length=20, description=", ".join(PROJECT_TYPES))
    iso3: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    value_amount: Amount | None = None
    value_currency: str | None = Field(None, max_length=3)
    value_year: int | None = Field(None, ge=1900, le=2100)
    dated_on: date | None = None


class ProjectCreate(ProjectBase):
    """Fields to create a project (API body, web form, imports)."""

    identifier: str | None = Field(None, max_length=120, description="OC4IDS id (generated)")
    external_id: str | None = Field(None, max_length=200)
    source: str = "hub"
    sector_label: str | None = Field(None, max_length=200)
    stage: str = "proposed"
    stage_on: date | None = Field(None, description="date of the first stage (not in the future)")
    parties: list[PartyIn] = Field(default_factory=list)
    visibility: str = "public"


class ProjectUpdate(ProjectBase):
    """Fields to change (the stage changes only through transitions)."""

    parties: list[PartyIn] | None = None
    visibility: str | None = None


#: former names (kept for callers)
ProjectIn = ProjectCreate
ProjectPatch = ProjectUpdate


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    organisation_id: int
    role: str


class ProjectRead(BaseModel):
    """A project as every interface shows it (money: amount, currency, year, derived US$)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    identifier: str
    source: str
    external_id: str | None
    title_en: str | None
    title_zh: str | None
    description_en: str | None
    description_zh: str | None
    isic_code: str | None
    sector_label: str | None
    project_type: str | None
    iso3: str | None
    region_id: str | None
    lat: float | None
    lon: float | None
    value_amount: Decimal | None
    value_currency: str | None
    value_year: int | None
    value_usd: float | None
    stage: str
    stage_on: date | None
    dated_on: date | None
    visibility: str
    source_dataset: str | None
    source_row: str | None
    updated_at: AwareDatetime


#: columns of a project list item, in the order of :class:`ProjectRead`
LIST_COLUMNS: tuple[str, ...] = tuple(ProjectRead.model_fields)


class ProjectDetail(ProjectRead):
    parties: list[PartyRead] = []
    allowed_next: list[str] = []
    record_json: dict[str, Any] | None = None


class DuplicateWarning(BaseModel):
    """A project that looks like the one just created (repeated-construction warning)."""

    project_id: int
    title: str
    score: float
    parts: dict[str, float]
    reasons: list[str]


class ProjectCreated(ProjectDetail):
    repeated_construction: list[DuplicateWarning] = []


class ProjectPage(BaseModel):
    items: list[ProjectRead]
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")
    limit: int


class TransitionIn(BaseModel):
    """A stage change: to which stage, on which day (default today), why."""

    model_config = ConfigDict(extra="forbid")
    to: str = Field(description=", ".join(STAGES))
    at: date | None = Field(None, description="date of the change (default today)")
    note: str | None = Field(None, max_length=2000)


class StageChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    from_stage: str | None
    to_stage: str
    at: date
    by_user_id: int | None
    note: str | None


class TotalRow(BaseModel):
    group: str
    key: str | int | None
    projects: int
    valued: int
    value_usd: float


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
        naming each field with a message key (for the web and CLI; the API validates its
        query parameters)."""
        from silkhub.hub.validation import parse

        return parse(cls, raw)
