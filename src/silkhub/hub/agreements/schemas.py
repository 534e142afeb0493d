"""The contract of agreements, their commitments and milestones, and of commitment
performance: one model family per resource (base → create / update / read), used alike by the
API, the web forms, the CLI and the reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from silkhub.hub.common import Amount, DbId

AGREEMENT_KINDS: tuple[str, ...] = ("mou", "framework", "contract")
COMMITMENT_STATUSES: tuple[str, ...] = ("open", "fulfilled", "cancelled")
MILESTONE_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "missed", "cancelled")
#: traffic lights of an agreement (see :func:`silkhub.hub.performance.traffic_light`)
TRAFFIC_LIGHTS: tuple[str, ...] = ("green", "amber", "red", "grey")


# -- milestones -------------------------------------------------------------------------------
class MilestoneBase(BaseModel):
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    due_on: date | None = None
    status: str = "planned"
    done_on: date | None = None
    evidence: str | None = Field(None, max_length=20000)


class MilestoneCreate(MilestoneBase):
    """A step of a commitment with its due date (and, once done, the date and evidence)."""

    model_config = ConfigDict(extra="forbid")


class MilestoneUpdate(BaseModel):
    """A milestone's new status (done needs a date; evidence is kept)."""

    model_config = ConfigDict(extra="forbid")
    status: str
    done_on: date | None = None
    evidence: str | None = Field(None, max_length=20000)


class MilestoneRead(MilestoneBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
    commitment_id: int


# -- commitments ------------------------------------------------------------------------------
class CommitmentBase(BaseModel):
    """Who owes what under an agreement, how much and by when."""

    owed_by_id: DbId
    owed_to_id: DbId | None = None
    what_en: str | None = Field(None, max_length=1000)
    what_zh: str | None = Field(None, max_length=1000)
    amount: Amount | None = None
    currency: str | None = Field(None, max_length=3)
    year: int | None = Field(None, ge=1900, le=2100)
    due_on: date | None = None
    status: str = "open"
    fulfilled_on: date | None = None
    fulfilled_amount: Amount | None = None
    evidence: str | None = Field(None, max_length=20000)


class CommitmentCreate(CommitmentBase):
    model_config = ConfigDict(extra="forbid")


class CommitmentFulfil(BaseModel):
    """Marks a commitment fulfilled: the date, the amount delivered and the evidence."""

    model_config = ConfigDict(extra="forbid")
    fulfilled_on: date
    fulfilled_amount: Amount | None = None
    evidence: str | None = Field(None, max_length=20000)


class CommitmentRead(CommitmentBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: int
    owed_by_id: int  # type: ignore[assignment]
    owed_to_id: int | None = None  # type: ignore[assignment]


# -- agreements -------------------------------------------------------------------------------
class AgreementBase(BaseModel):
    title_en: str | None = Field(None, max_length=500)
    title_zh: str | None = Field(None, max_length=500)
    description_en: str | None = Field(None, max_length=20000)
    description_zh: str | None = Field(None, max_length=20000)
    signed_on: date | None = None
    effective_on: date | None = None
    expiry_on: date | None = None


class AgreementCreate(AgreementBase):
    """Fields to create an agreement (commitments may be given inline)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="mou, framework or contract")
    event_id: DbId | None = None
    party_ids: list[DbId] = Field(min_length=1)
    project_ids: list[DbId] = Field(default_factory=list)
    commitments: list[CommitmentCreate] = Field(default_factory=list)
    visibility: str = "public"
    external_id: str | None = Field(None, max_length=200)


class AgreementUpdate(AgreementBase):
    """Fields to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    visibility: str | None = None


class AgreementRead(AgreementBase):
    id: int
    kind: str
    event_id: int | None
    party_ids: list[int]
    project_ids: list[int]
    commitments: list[CommitmentRead]
    visibility: str
    external_id: str | None

    @classmethod
    def of(cls, a: Any) -> AgreementRead:
        return cls(
            id=a.id,
            kind=a.kind,
            title_en=a.title_en,
            title_zh=a.title_zh,
            description_en=a.description_en,
            description_zh=a.description_zh,
            signed_on=a.signed_on,
            effective_on=a.effective_on,
            expiry_on=a.expiry_on,
            event_id=a.event_id,
            party_ids=sorted(p.organisation_id for p in a.parties),
            project_ids=sorted(p.project_id for p in a.projects),
            commitments=[CommitmentRead.model_validate(c) for c in a.commitments],
            visibility=a.visibility,
            external_id=a.external_id,
        )


class AgreementPage(BaseModel):
    items: list[AgreementRead]
    next_cursor: str | None
    limit: int


# -- performance ------------------------------------------------------------------------------
class PerformanceRead(BaseModel):
    """On-time rate, fulfilled amount, overdue items and the traffic light
    (definitions in :mod:`silkhub.core.commitments` and :mod:`silkhub.hub.performance`)."""

    commitments: int
    evaluated: int
    on_time: int
    late: int
    overdue: int
    pending: int
    cancelled: int
    on_time_rate: float | None
    committed_usd: float
    fulfilled_usd: float
    fulfilment_rate: float | None
    overdue_ids: list[int] = Field(default_factory=list)
    max_days_overdue: int
    overdue_milestones: int = 0
    traffic_light: str = Field("grey", description=", ".join(TRAFFIC_LIGHTS))


class OverdueRead(BaseModel):
    """An open commitment or unfinished milestone past its due date."""

    model_config = ConfigDict(from_attributes=True)
    kind: str
    id: int
    agreement_id: int
    owed_by_id: int
    owed_by: str
    what: str
    due_on: date
    days_overdue: int
    what_en: str | None = None
    what_zh: str | None = None
    owed_by_zh: str | None = None


# names used before the contract was gathered here (callers, tests, the demo)
CommitmentIn = CommitmentCreate
MilestoneIn = MilestoneCreate
AgreementIn = AgreementCreate
AgreementPatch = AgreementUpdate
FulfilIn = CommitmentFulfil
