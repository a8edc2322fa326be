"""I/O types of the buying committee (REST bodies). Role and attitude are checked by the
service (the role catalogue is the workspace's), so they are text here."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from buyermap.schemas.common import Id, Text120, Text200, UtcDateTime, Version, valid_text

Influence = Annotated[int, Field(ge=1, le=5, description="1 (low) to 5 (high)")]
Evidence = Annotated[str, Field(max_length=20_000), AfterValidator(valid_text)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Text120 | None = Field(
        default=None, description="A catalogue role: its key or its label ('Economic buyer')"
    )
    influence: Influence | None = None
    attitude: Annotated[str, Field(max_length=40), AfterValidator(valid_text)] | None = Field(
        default=None, description="supporter, neutral, skeptic, opponent or unknown"
    )
    formal_position: Text200 | None = None
    real_position: Text200 | None = None
    relation: Text200 | None = Field(default=None, description="How they relate to us")
    evidence: Evidence | None = Field(default=None, description="What this rests on")
    source: Text120 | None = Field(default=None, description="Where the evidence came from")
    verified_at: UtcDateTime | None = Field(default=None, description="When last verified")


class MemberCreate(_Fields):
    """A person placed on a committee: ``contact_id`` and ``role`` are required."""

    contact_id: Id
    role: Text120 = Field(description="A catalogue role: its key or its label")


class MemberUpdate(_Fields):
    """The fields to change; left out: kept. ``version``: the one you started from."""

    version: Version | None = None


class RoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[Text120, Field(min_length=1)]
    key: Annotated[str, Field(max_length=30)] | None = None


class RequiredRole(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Annotated[Text120, Field(min_length=1)]
    stage: Annotated[Text120, Field(min_length=1, description="Required from this stage on")]


class RequiredRoles(BaseModel):
    """A pipeline's required roles; an empty list goes back to the defaults."""

    model_config = ConfigDict(extra="forbid")

    required: list[RequiredRole] = Field(max_length=50)
