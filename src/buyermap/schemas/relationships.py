"""The relationship map as a document (nodes, edges, legend): shared by the seam
(seams/relationship_map.py) that builds it and the charts (charts/relationship_map.py) that
draw it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
