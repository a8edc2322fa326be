"""Schemas of personas in words: hand-made personas and the words given to discovered ones
(``PersonaProfileCreate`` / ``PersonaProfileUpdate`` / ``PersonaProfilePublic``), and the
department sheets made from them (``PersonaSheet``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from buyermap.schemas.common import UtcOut, Version, valid_text

Role = Literal["buyer", "end_user"]
Origin = Literal["hand_made", "discovered"]
Department = Literal["marketing", "sales", "product", "support"]
DEPARTMENTS: tuple[Department, ...] = ("marketing", "sales", "product", "support")
NOT_BACKED = "Made by hand (a workshop's result): not backed by data."

Words = Annotated[str, Field(max_length=4000), AfterValidator(valid_text)]
Line = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(valid_text)]
Lines = Annotated[list[Line], Field(max_length=30)]
PersonaName = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(valid_text)]


def _strip_name(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _strip_lines(value: object) -> object:
    if isinstance(value, list):
        # Non-text items are left for the Line type to refuse with its own message.
        return [
            v.strip() if isinstance(v, str) else v
            for v in value
            if not isinstance(v, str) or v.strip()
        ]
    return value


class Objection(BaseModel):
    """What holds the persona back, and what we answer (empty: we have no answer yet)."""

    model_config = ConfigDict(extra="forbid")

    objection: Line
    answer: Annotated[str, Field(max_length=1000), AfterValidator(valid_text)] = ""


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _name(cls, value: object) -> object:
        return _strip_name(value)

    @field_validator(
        "goals", "frustrations", "channels", "messages", "questions", mode="before",
        check_fields=False,
    )  # fmt: skip
    @classmethod
    def _lines(cls, value: object) -> object:
        return _strip_lines(value)


class PersonaProfileCreate(_Words):
    """A hand-made persona: a name, and what the workshop said about them."""

    name: PersonaName
    description: Words = ""
    role: Role | None = Field(None, description="buyer or end_user; null: not said")
    demographics: Words = ""
    goals: Lines = Field(default_factory=list, description="Goals and motivations")
    frustrations: Lines = Field(default_factory=list)
    behaviour_online: Words = ""
    behaviour_offline: Words = ""
    channels: Lines = Field(default_factory=list, description="Where they look")
    messages: Lines = Field(default_factory=list, description="What we tell them")
    objections: Annotated[list[Objection], Field(max_length=30)] = Field(default_factory=list)
    questions: Lines = Field(default_factory=list, description="What they ask support")


class PersonaProfileUpdate(_Words):
    """A partial edit; left-out fields keep their value. ``version``: see versions."""

    name: PersonaName | None = None
    description: Words | None = None
    role: Role | None = None
    demographics: Words | None = None
    goals: Lines | None = None
    frustrations: Lines | None = None
    behaviour_online: Words | None = None
    behaviour_offline: Words | None = None
    channels: Lines | None = None
    messages: Lines | None = None
    objections: Annotated[list[Objection], Field(max_length=30)] | None = None
    questions: Lines | None = None
    version: Version | None = None


class Evidence(BaseModel):
    """The run's numbers behind a discovered persona (kept whatever it is called)."""

    run_key: str
    persona_key: str
    discovered_name: str
    size: int
    share: float
    stability: float | None
    low_evidence: bool
    n: int


class PersonaProfilePublic(BaseModel):
    key: str
    origin: Origin
    backed_by_data: bool
    note: str
    name: str
    description: str
    role: Role | None
    demographics: str
    goals: list[str]
    frustrations: list[str]
    behaviour_online: str
    behaviour_offline: str
    channels: list[str]
    messages: list[str]
    objections: list[Objection]
    questions: list[str]
    picture_url: str
    uploaded_picture: bool
    evidence: Evidence | None
    version: int | None
    created_at: UtcOut | None
    updated_at: UtcOut | None


class SheetSection(BaseModel):
    """One part of a sheet: a heading, where its lines come from, the lines."""

    heading: str
    source: str
    lines: list[str]
    empty: str = ""


class PersonaSheet(BaseModel):
    """A persona as one department needs it (marketing, sales, product, support)."""

    key: str
    name: str
    department: Department
    title: str
    origin: Origin
    backed_by_data: bool
    note: str
    description: str
    sections: list[SheetSection]

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


class JourneyPage(BaseModel):
    """A persona's journey map as a page of the workshop pack: one section per stage."""

    key: str
    name: str
    template: str  # the template in words
    status: str  # draft | published
    backed_by_data: bool
    note: str
    sections: list[SheetSection]
