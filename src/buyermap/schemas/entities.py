"""Schemas of the workspace's records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from buyermap.domain.enums import DealStatus, Seniority
from buyermap.domain.pipeline import StageVisit
from buyermap.schemas.common import (
    MAX_INT,
    MAX_MONEY,
    Currency,
    Domain,
    Email,
    Id,
    Name,
    ORMModel,
    PlausibleDate,
    Text60,
    Text80,
    Text120,
    Text200,
    UtcDateTime,
    UtcOut,
    Version,
    not_null,
    reject_null,
    valid_text,
)

# Notes live in schemas/notes.py; re-exported here for the importers of the old place.
from buyermap.schemas.notes import NoteCreate as NoteCreate
from buyermap.schemas.notes import NotePublic as NotePublic

Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1600, le=2100)]
MAX_CUSTOM_TEXT = 2_000
MAX_CUSTOM_INT = 2**53


def _check_custom_value(key: str, value: Any) -> None:
    if isinstance(value, str):
        valid_text(value)
        if len(value) > MAX_CUSTOM_TEXT:
            raise ValueError(f"{key}: at most {MAX_CUSTOM_TEXT} characters")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_CUSTOM_INT:
            raise ValueError(f"{key}: {value} is out of range (at most 2^53 in size)")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{key}: numbers must be finite")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list | dict):
                raise ValueError(f"{key}: lists hold plain values only")
            _check_custom_value(key, item)
    else:
        raise ValueError(f"{key}: a custom value is text, a number, a boolean or a list")


def _valid_custom(values: dict[str, Any]) -> dict[str, Any]:
    for key, value in values.items():
        _check_custom_value(key, value)
    return values


Custom = Annotated[dict[Text80, Any], AfterValidator(_valid_custom)]
"""Custom field values by key; checked against the declared fields by the services."""

PLANTED_PREFIX = "_planted_"  # the demo's answer key: kept in the database, never shown


def _without_planted(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if not k.startswith(PLANTED_PREFIX)}


# A record's unmapped import columns as the API shows them (without the demo's answer key).
PublicExtra = Annotated[dict[str, Any], AfterValidator(_without_planted)]


class AccountBase(BaseModel):
    domain: Domain | None = None
    industry: Text120 | None = None
    employees: Count | None = None
    annual_revenue: Money | None = None
    founded_year: Year | None = None
    country: Text80 | None = None
    region: Text120 | None = None
    parent_id: Id | None = None
    owner_id: Id | None = None
    custom: Custom = Field(default_factory=dict)


class AccountCreate(AccountBase):
    name: Name


class AccountUpdate(AccountBase):
    name: Name | None = not_null()
    version: Version | None = None

    _not_null = field_validator("name")(reject_null)


class AccountPublic(ORMModel):
    id: int
    version: int = Field(description="Counts the saves; send it back to detect conflicts")
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
    created_at: UtcOut
    updated_at: UtcOut


class AccountDeleted(BaseModel):
    """What deleting an account took with it, and what it left."""

    id: int
    positions: int = Field(description="Positions of people at the account, deleted")
    notes_deleted: int = Field(description="Notes about the account alone, deleted")
    notes_kept: int = Field(description="Notes also about a contact or deal: kept, unlinked")
    committee_members: int = Field(description="Members of the account's committee, deleted")
    committee_members_kept: int = Field(
        description="Members of its deals' committees: kept with their deal, without the account"
    )
    deals_unlinked: int = Field(description="Deals of the account: kept, without an account")


class ContactBase(BaseModel):
    first_name: Text120 | None = None
    last_name: Text120 | None = None
    email: Email | None = None
    phone: Text60 | None = None
    job_title: Text200 | None = None
    department: Text120 | None = None
    seniority: Seniority | None = None
    custom: Custom = Field(default_factory=dict)


class ContactCreate(ContactBase):
    account_id: Id | None = Field(default=None, description="Links the person to this account")


class ContactUpdate(ContactBase):
    version: Version | None = None


class ContactPublic(ORMModel):
    id: int
    version: int = Field(description="Counts the saves; send it back to detect conflicts")
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
    created_at: UtcOut
    updated_at: UtcOut


class DealBase(BaseModel):
    account_id: Id | None = None
    amount: Money | None = None
    currency: Currency = "USD"
    owner_id: Id | None = None
    source: Text120 | None = None
    channel: Text120 | None = None
    expected_close: PlausibleDate | None = None
    custom: Custom = Field(default_factory=dict)


class DealCreate(DealBase):
    name: Name
    pipeline_id: Id | None = Field(default=None, description="Default pipeline when omitted")
    stage: Text120 | None = Field(
        default=None, description="Stage name; the first stage when omitted"
    )
    opened_at: UtcDateTime | None = None


class DealUpdate(BaseModel):
    name: Name | None = not_null()
    account_id: Id | None = None
    amount: Money | None = None
    currency: Currency | None = not_null()
    owner_id: Id | None = None
    source: Text120 | None = None
    channel: Text120 | None = None
    expected_close: PlausibleDate | None = None
    custom: Custom | None = not_null()
    version: Version | None = None

    _not_null = field_validator("name", "currency", "custom")(reject_null)


class DealPublic(ORMModel):
    id: int
    version: int = Field(description="Counts the saves; send it back to detect conflicts")
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
    opened_at: UtcOut | None = Field(description="Null: the source did not say when")
    expected_close: date | None
    closed_at: UtcOut | None
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
    deal_id: Id
    to_stage: Text120 = Field(description="Name of the stage the deal moves into")
    changed_at: UtcDateTime | None = None
    changed_by_id: Id | None = None
    amount: Money | None = None
    lost_reason: Text200 | None = None


class StageChangeUpdate(BaseModel):
    changed_at: UtcDateTime | None = not_null()
    amount: Money | None = None
    changed_by_id: Id | None = None

    _not_null = field_validator("changed_at")(reject_null)


class StageChangePublic(BaseModel):
    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    changed_at: UtcOut
    changed_by_id: int | None
    amount: float | None
    is_snapshot: bool = Field(
        default=False,
        description="Only the stage seen at an import: changed_at is the import time",
    )


class StageVisitPublic(BaseModel):
    stage: str
    entered_at: UtcOut
    left_at: UtcOut | None
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
