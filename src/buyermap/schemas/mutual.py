"""I/O types of the seller profile and of buyers' supplier criteria (REST bodies)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from buyermap.domain.criteria import MUTUAL_OPERATORS
from buyermap.domain.mutual import Operator
from buyermap.schemas.common import ORMModel, Text120, UtcOut, Version, valid_text

Value = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(valid_text)]
Weight = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


def _mutual_operator(op: Operator) -> Operator:
    if op not in MUTUAL_OPERATORS:
        valid = ", ".join(o.value for o in MUTUAL_OPERATORS)
        raise ValueError(f"operator {op.value!r} is not one of {valid}")
    return op


MutualOperator = Annotated[Operator, AfterValidator(_mutual_operator)]


class ProfileValues(BaseModel):
    """A profile key's values."""

    model_config = ConfigDict(extra="forbid")

    values: list[Value] = Field(min_length=1, max_length=200, description="One or more values")


class ProfileEntryPublic(ORMModel):
    key: str
    values: list[str]
    version: int
    updated_at: UtcOut


class SellerProfile(BaseModel):
    profile: dict[str, list[str]] = Field(description="Our profile: key -> values")


class CriterionCreate(BaseModel):
    """A buyer's supplier-selection criterion: ``criterion`` (a profile key) ``operator``
    ``value`` (several values: ';'), weighed, perhaps a must-have."""

    model_config = ConfigDict(extra="forbid")

    criterion: Annotated[Text120, Field(min_length=1)]
    operator: MutualOperator
    value: Value
    weight: Weight = 1.0
    must_have: bool = False


class CriterionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion: Annotated[Text120, Field(min_length=1)] | None = None
    operator: MutualOperator | None = None
    value: Value | None = None
    weight: Weight | None = None
    must_have: bool | None = None
    version: Version | None = None


class CriterionPublic(ORMModel):
    id: int
    account_id: int
    criterion: str
    operator: Operator
    value: str
    weight: float
    must_have: bool
    source: str | None
    version: int
    updated_at: UtcOut
