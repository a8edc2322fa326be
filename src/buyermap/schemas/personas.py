"""Schemas of persona runs, personas, cards and contact assignments (REST API)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from buyermap.schemas.common import ORMModel, Text120, UtcOut

Columns = Annotated[list[Text120], Field(max_length=200)]
MAX_DISCOVER_WORK = 25_000_000
"""Bound on restarts x bootstrap x fit_rows: a request that asks for more is refused."""


class PersonaSummary(ORMModel):
    key: str
    name: str
    title: str
    size: int
    share: float
    stability: float | None
    bucket: str | None
    low_evidence: bool


class PersonaRunSummary(ORMModel):
    id: int
    run_key: str
    created_at: UtcOut
    source: str
    inputs_hash: str
    version: str
    k: int
    n: int
    is_active: bool
    settings: dict[str, Any]


class PersonaRunPublic(PersonaRunSummary):
    """A run with its personas and the full result (selection, warnings, variables)."""

    personas: list[PersonaSummary]
    result: dict[str, Any]


class PersonaList(BaseModel):
    """A run's personas (``GET /api/v1/personas``, the Personas page), with its warnings."""

    run: PersonaRunSummary
    personas: list[PersonaSummary]
    warnings: list[str] = Field(default_factory=list, description="The run's warnings.")


class QuotePublic(BaseModel):
    text: str
    contact_id: int
    contact_name: str = ""
    probability: float
    source: str


class ThemePublic(BaseModel):
    """A note tag (goal, frustration, objection) among members against all contacts."""

    tag: str
    kind: str
    label: str = ""
    n: int
    members: int
    share: float
    population_share: float
    lift: float | None
    ci: tuple[float, float]


class PersonaPublic(BaseModel):
    """A persona's card: traits with lift, interval and n; themes; channels; quotes."""

    run_key: str
    key: str
    name: str
    discovered_name: str = Field("", description="The name discovery gave (kept on rename)")
    description: str = Field("", description="A team's description in words")
    title: str
    headline: str = Field("", description="The defining traits in words")
    portrait: str = Field("", description="A short paragraph about the persona")
    goals: list[str] = Field(default_factory=list, description="Goals and motivations")
    frustrations: list[str] = Field(default_factory=list, description="Frustrations and objections")
    bucket: str | None
    size: int
    share: float
    share_ci: tuple[float, float]
    stability: float | None
    mean_probability: float | None
    low_evidence: bool
    traits: list[dict[str, Any]]
    distinct_traits: list[dict[str, Any]] = Field(
        default_factory=list, description="The traits that set the persona apart"
    )
    goal_traits: list[dict[str, Any]] = Field(
        default_factory=list, description="The traits behind the goals"
    )
    frustration_traits: list[dict[str, Any]] = Field(
        default_factory=list, description="The traits behind the frustrations"
    )
    descriptors: list[dict[str, Any]]
    themes: dict[str, list[ThemePublic]]
    channels: list[dict[str, Any]]
    quotes: list[QuotePublic]
    run_quotes: list[str] = Field(
        default_factory=list, description="Quotes the run stored (without their members)"
    )
    contacts_url: str


class ContactPersonaPublic(BaseModel):
    contact_id: int
    run_id: int
    run_key: str
    persona_key: str
    name: str
    title: str
    probability: float


class AssignedPublic(BaseModel):
    """Contacts assigned to the run's personas (see ``persona_contacts.Assigned``)."""

    run_key: str
    assigned: int
    new: int
    changed: int
    unchanged: int
    kept: int
    dropped: int
    personas: dict[str, int]
