"""The one contract of the talent resources: profile, position and match feedback.

Each resource has one base model holding its fields once; the variants derive from it:

* ``ProfileBase`` -> :class:`ProfileCreate` (+ consent, ``link_to_me``), :class:`ProfileUpdate`
  (every base field optional, only the fields sent change), :class:`ProfileRead` (stored form);
* ``PositionBase`` -> :class:`PositionCreate`, :class:`PositionRead`, :class:`PositionStatus`;
* ``FeedbackBase`` -> :class:`FeedbackCreate`, :class:`FeedbackRead`;
* :class:`SuggestionRead` (a ranked person with the score parts and structured reasons).

The API uses them as bodies and responses, the web forms build them from the typed fields and
the CLI from JSON files, so every interface validates the same way
(:mod:`silkhub.hub.talent.service` holds the rules that need the database).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from silkhub.hub.common import DbId

TALENT_VISIBILITIES: tuple[str, ...] = ("public", "members", "operators")
WORK_MODES: tuple[str, ...] = ("onsite", "remote", "hybrid")
POSITION_STATUSES: tuple[str, ...] = ("open", "filled", "closed")
POSITION_VISIBILITIES: tuple[str, ...] = ("public", "operators", "private")


class LanguageIn(BaseModel):
    """A language and its level (CEFR A1..C2 or ``native``)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(description="ISO 639-1 code, e.g. ru", max_length=8)
    level: str = Field("B2", description="CEFR A1..C2 or native", max_length=8)


class LanguageOut(BaseModel):
    code: str
    level: str


def _partial(base: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """``base`` with every field optional and defaulting to None (an update body)."""
    fields: dict[str, Any] = {}
    for fname, info in base.model_fields.items():
        copy = info._copy() if hasattr(info, "_copy") else info.__class__.from_field(info)  # type: ignore[attr-defined]
        copy.default = None
        copy.default_factory = None
        fields[fname] = (info.annotation | None, copy)  # type: ignore[operator]
    model = create_model(name, __base__=BaseModel, __doc__=doc, **fields)
    model.model_config = ConfigDict(extra="forbid")
    model.model_rebuild(force=True)
    return model


# -- profile ---------------------------------------------------------------------------------
class ProfileBase(BaseModel):
    """The fields of a talent profile a person (or staff, with consent) fills in."""

    model_config = ConfigDict(extra="forbid")
    name_en: str | None = Field(None, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    nationality: str | None = Field(None, max_length=100, description="ISO3 code or name")
    based_in: str | None = Field(None, max_length=100, description="region id or name")
    languages: list[LanguageIn] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list, description="ISIC rev.4 codes")
    skills_en: str | None = Field(None, max_length=5000)
    skills_zh: str | None = Field(None, max_length=5000)
    countries_experience: list[str] = Field(default_factory=list)
    education: str | None = Field(None, max_length=500)
    available_from: date | None = None
    available_to: date | None = None
    preferred_regions: list[str] = Field(default_factory=list)
    visibility: Literal["public", "members", "operators"] = "operators"


class ProfileCreate(ProfileBase):
    """A new profile: the person's own (``link_to_me``) or someone's entered with consent."""

    consent_on: date | None = Field(None, description="date of consent when staff enter it")
    consent_note: str | None = Field(None, max_length=500)
    link_to_me: bool = Field(False, description="link the profile to the calling user")


ProfileUpdate = _partial(
    ProfileBase, "ProfileUpdate", "Changes to a profile: only the fields sent are changed."
)


class ProfileRead(ProfileBase):
    """A stored profile as every interface shows it."""

    model_config = ConfigDict(extra="ignore")
    id: int
    user_id: int | None
    languages: list[LanguageOut] = Field(default_factory=list)  # type: ignore[assignment]
    visibility: str  # type: ignore[assignment]
    consent_on: date | None
    created_at: datetime
    updated_at: datetime


# -- position --------------------------------------------------------------------------------
class PositionBase(BaseModel):
    """A position (or expertise need) an organisation posts."""

    model_config = ConfigDict(extra="forbid")
    organisation_id: DbId
    project_id: DbId | None = None
    role_en: str | None = Field(None, max_length=300)
    role_zh: str | None = Field(None, max_length=300)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    sector: str | None = Field(None, max_length=10, description="ISIC rev.4 code")
    languages: list[LanguageIn] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    start_on: date | None = None
    end_on: date | None = None
    work_mode: Literal["onsite", "remote", "hybrid"] = "onsite"
    visibility: Literal["public", "operators", "private"] = "public"


class PositionCreate(PositionBase):
    location: str | None = Field(None, max_length=100, description="region id or name")


class PositionRead(PositionBase):
    model_config = ConfigDict(extra="ignore")
    id: int
    languages: list[LanguageOut] = Field(default_factory=list)  # type: ignore[assignment]
    region_id: str | None
    work_mode: str  # type: ignore[assignment]
    visibility: str  # type: ignore[assignment]
    status: str


class PositionStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "filled", "closed"]


# -- feedback and suggestions ----------------------------------------------------------------
class FeedbackBase(BaseModel):
    talent_id: DbId
    accepted: bool


class FeedbackCreate(FeedbackBase):
    model_config = ConfigDict(extra="forbid")


class FeedbackRead(FeedbackBase):
    id: int
    position_id: int
    parts: dict[str, float] | None = None
    at: datetime | None = None


class PartRead(BaseModel):
    name: str
    value: float
    weight: float
    contribution: float
    key: str = Field(description="message key of the reason (render it per language)")
    params: dict[str, Any] = Field(default_factory=dict, description="codes the reason names")
    reason: str = Field(description="the reason in English")


class SuggestionRead(BaseModel):
    talent_id: int
    name: str | None
    score: float
    parts: list[PartRead]
    decision: Literal["accept", "decline"] | None = Field(
        None, description="the latest decision on this person for this position"
    )


#: names used before the contract moved here (kept for callers and stored JSON examples)
TalentIn = ProfileCreate
TalentPatch = ProfileUpdate
PositionIn = PositionCreate
