"""Schemas of the workspace's records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from buyermap.domain.enums import DealStatus, Seniority
from buyermap.domain.pipeline import StageVisit
from buyermap.schemas.common import (
    Currency,
    Domain,
    Email,
    Name,
    ORMModel,
    UtcDateTime,
)

# Notes live in schemas/notes.py; re-exported here for the importers of the old place.
from buyermap.schemas.notes import NoteCreate as NoteCreate
from buyermap.schemas.notes import NotePublic as NotePublic

Count = Annotated[int, Field(ge=0)]
Money = Annotated[float, Field(ge=0)]
Year = Annotated[int, Field(ge=1600, le=2100)]

PLANTED_PREFIX = "_planted_"  # the demo's answer key: kept in the database, never shown


def _without_planted(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if not k.startswith(PLANTED_PREFIX)}


# A record's unmapped import columns as the API shows them (without the demo's answer key).
PublicExtra = Annotated[dict[str, Any], AfterValidator(_without_planted)]


class AccountBase(BaseModel):
    domain: Domain | None = None
    industry: str | None = None
    employees: Count | None = None
    annual_revenue: Money | None = None
    founded_year: Year | None = None
    country: str | None = None
    region: str | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class AccountCreate(AccountBase):
    name: Name


class AccountUpdate(AccountBase):
    name: Name | None = None


class AccountPublic(ORMModel):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    annual_revenue: float | None
    founded_year: int | None
    country: str | None
    region: str | None
    parent_id: int | None
    owner_id: int | None
    custom: dict[str, Any]
    extra: PublicExtra
    created_at: datetime
    updated_at: datetime


class ContactBase(BaseModel):
    first_name: str | None = None
    last_name: str | None = None
    email: Email | None = None
    phone: str | None = None
    job_title: str | None = None
    department: str | None = None
    seniority: Seniority | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class ContactCreate(ContactBase):
    account_id: int | None = Field(default=None, description="Links the person to this account")


class ContactUpdate(ContactBase):
    pass


class ContactPublic(ORMModel):
    id: int
    first_name: str | None
    last_name: str | None
    full_name: str
    email: str | None
    phone: str | None
    job_title: str | None
    department: str | None
    seniority: str | None
    custom: dict[str, Any]
    extra: PublicExtra
    created_at: datetime
    updated_at: datetime


class DealBase(BaseModel):
    account_id: int | None = None
    amount: Money | None = None
    currency: Currency = "USD"
    owner_id: int | None = None
    source: str | None = None
    channel: str | None = None
    expected_close: date | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class DealCreate(DealBase):
    name: Name
    pipeline_id: int | None = Field(default=None, description="Default pipeline when omitted")
    stage: str | None = Field(default=None, description="Stage name; the first stage when omitted")
    opened_at: UtcDateTime | None = None


class DealUpdate(BaseModel):
    name: Name | None = None
    account_id: int | None = None
    amount: Money | None = None
    currency: Currency | None = None
    owner_id: int | None = None
    source: str | None = None
    channel: str | None = None
    expected_close: date | None = None
    custom: dict[str, Any] | None = None


class DealPublic(ORMModel):
    id: int
    name: str
    account_id: int | None
    pipeline_id: int
    stage_id: int | None
    stage_name: str | None = None
    amount: float | None
    currency: str
    owner_id: int | None
    source: str | None
    channel: str | None
    opened_at: datetime | None = Field(description="Null: the source did not say when")
    expected_close: date | None
    closed_at: datetime | None
    status: DealStatus
    lost_reason: str | None = None
    custom: dict[str, Any]
    extra: PublicExtra

    @model_validator(mode="before")
    @classmethod
    def _names_of_related(cls, data: Any) -> Any:
        """From an ORM deal: its stage and lost reason by name, not as objects."""
        if isinstance(data, dict):
            return data
        fields = {k: getattr(data, k) for k in cls.model_fields if hasattr(data, k)}
        stage, reason = getattr(data, "stage", None), getattr(data, "lost_reason", None)
        fields["stage_name"] = stage.name if stage is not None else None
        fields["lost_reason"] = reason.name if reason is not None else None
        return fields


class StageChangeCreate(BaseModel):
    deal_id: int
    to_stage: str = Field(description="Name of the stage the deal moves into")
    changed_at: UtcDateTime | None = None
    changed_by_id: int | None = None
    amount: Money | None = None
    lost_reason: str | None = None


class StageChangeUpdate(BaseModel):
    changed_at: UtcDateTime | None = None
    amount: Money | None = None
    changed_by_id: int | None = None


class StageChangePublic(BaseModel):
    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    changed_at: datetime
    changed_by_id: int | None
    amount: float | None
    is_snapshot: bool = Field(
        default=False,
        description="Only the stage seen at an import: changed_at is the import time",
    )


class StageVisitPublic(BaseModel):
    stage: str
    entered_at: datetime
    left_at: datetime | None
    days: float
    amount: float | None
    entered_known: bool = Field(
        default=True, description="False: in the stage at least since entered_at (an import)"
    )
    left_known: bool = Field(default=True, description="False: left by left_at (an import)")

    @classmethod
    def from_visit(cls, visit: StageVisit, now: datetime) -> StageVisitPublic:
        """A stay in a stage; ``days`` runs to ``now`` while the deal is still there."""
        return cls(
            stage=visit.stage,
            entered_at=visit.start,
            left_at=visit.end,
            days=round(visit.days(now), 2),
            amount=visit.amount,
            entered_known=visit.start_known,
            left_known=visit.end_known,
        )


class WorkspaceStatus(BaseModel):
    database: str
    accounts: int
    contacts: int
    deals: int
    stage_changes: int
    notes: int
    open_deals: int
    won_deals: int
    lost_deals: int
    survey_answers: int
    pipelines: int
