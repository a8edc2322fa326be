"""The relationship map as a document (nodes, edges, legend): shared by the seam
(seams/relationship_map.py) that builds it and the charts (charts/relationship_map.py) that
draw it."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from buyermap.schemas.common import Id, Text120, Version, valid_text


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MapNode(_Doc):
    contact_id: int
    name: str
    email: str | None
    title: str | None = Field(description="Their title at the account")
    role: str | None = Field(description="Committee role key; null: not on a committee")
    role_label: str | None
    influence: int | None = Field(description="1 (low) to 5 (high); null: not rated")
    share: float | None = Field(description="Share of the map's rated influence, 0-1")
    attitude: str
    attitude_label: str
    persona: str | None = Field(description="Their persona in the active persona run")
    member: bool = Field(description="On a committee (false: only tied to someone who is)")
    x: float = Field(description="Place across, 0-1")
    y: float = Field(description="Place down, 0-1")
    radius: float = Field(description="Drawn radius in pixels (from the share)")
    colour: str = Field(description="Fill colour (from the attitude)")


class MapEdge(_Doc):
    id: int
    from_: int = Field(alias="from", serialization_alias="from")
    to: int
    type: str
    type_label: str
    evidence: str | None
    source: str | None
    strength: int | None = Field(description="1 (weak) to 5 (strong); null: not rated")
    version: int
    colour: str
    dash: str = Field(description="SVG stroke-dasharray; empty: solid")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LegendEntry(_Doc):
    kind: str = Field(description="tie or attitude")
    key: str
    label: str
    colour: str
    dash: str


class MapDocument(_Doc):
    account_id: int
    account: str
    deal_id: int | None
    deal: str | None
    nodes: list[MapNode]
    edges: list[MapEdge]
    legend: list[LegendEntry]
    message: str | None = Field(description="What to do when the map is empty")


# -- REST bodies ----------------------------------------------------------------------------

TieType = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        description="reports to, influences, ally, rival, informal advisor (words or keys), "
        "or your own type in words",
    ),
    AfterValidator(valid_text),
]
Strength = Annotated[int, Field(ge=1, le=5, description="1 (weak) to 5 (strong)")]
Evidence = Annotated[str, Field(max_length=2000), AfterValidator(valid_text)]


class TieCreate(BaseModel):
    """A tie from one person to another."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Id = Field(alias="from", description="The contact the tie starts from")
    to: Id = Field(description="The contact it points to")
    type: TieType
    evidence: Evidence | None = Field(default=None, description="What the tie rests on")
    source: Text120 | None = Field(default=None, description="Where the evidence came from")
    strength: Strength | None = None


class TieUpdate(BaseModel):
    """The fields to change; left out: kept. ``version``: the one you started from."""

    model_config = ConfigDict(extra="forbid")

    type: TieType | None = None
    evidence: Evidence | None = None
    source: Text120 | None = None
    strength: Strength | None = None
    version: Version | None = None


class TieDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: int
    from_: int = Field(alias="from", serialization_alias="from")
    to: int
    type: str
    type_label: str
    evidence: str | None
    source: str | None
    strength: int | None
    version: int
