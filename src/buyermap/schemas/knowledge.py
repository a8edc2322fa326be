"""I/O types of account knowledge (REST bodies). Keys, tiers and values are checked by the
service against the workspace's template, so they are text (or numbers) here."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from buyermap.schemas.common import Id, Text200, UtcDateTime, Version, valid_text

Words = Annotated[str, Field(max_length=20_000), AfterValidator(valid_text)]
Tier = Annotated[str, Field(max_length=1, description="A, B, C or D")]
Effort = Annotated[int, Field(ge=1, le=5)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Value = (
    Annotated[bool, Field(description="yes_no fields")]
    | Number
    | Words
    | Annotated[list[Text200], Field(max_length=500, description="list fields")]
)


class ValuePut(BaseModel):
    """What we know for one field: the value in the field's type (text is read as the CLI
    reads it); ``contact_id`` for decision-maker fields; ``version`` the one you started
    from (or ``If-Match``)."""

    model_config = ConfigDict(extra="forbid")

    value: Value
    contact_id: Id | None = None
    verified_at: UtcDateTime | None = Field(default=None, description="Default: now")
    source: Annotated[str, Field(max_length=120), AfterValidator(valid_text)] | None = None
    version: Version | None = None


class FieldPatch(BaseModel):
    """Change a template field: turn it on or off (a special category on only with a
    ``legal_basis``), its tier floor, cost, worth or label."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    legal_basis: Words | None = Field(default=None, description="Why you may collect it")
    by: Text200 | None = Field(default=None, description="Who decided (recorded)")
    from_tier: Tier | None = None
    cost: Effort | None = None
    worth: Effort | None = None
    label: Text200 | None = None


class FieldCreate(BaseModel):
    """A custom field."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
    label: Annotated[Text200, Field(min_length=1)]
    block: Annotated[str, Field(max_length=20, description="company, decision_group, ...")]
    type: Annotated[str, Field(max_length=20, description="text, number, money, ...")]
    data_class: Annotated[str, Field(max_length=20)] = "professional"
    from_tier: Tier = "C"
    cost: Effort = 2
    worth: Effort = 3
    choices: Annotated[list[Text200], Field(max_length=100)] = []
