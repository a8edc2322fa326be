"""Schemas of pipelines and their stages."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import STAGE_NAME_MAX, StageSpec
from buyermap.domain.stage_sets import STAGE_SETS
from buyermap.schemas.common import (
    MAX_INT,
    ORMModel,
    UtcOut,
    not_null,
    reject_null,
    valid_text,
)


def _preset(value: str) -> str:
    key = value.strip().lower()
    if key not in STAGE_SETS:
        raise ValueError(f"unknown preset {value!r}; valid presets: {', '.join(STAGE_SETS)}")
    return key


StageName = Annotated[
    str, Field(min_length=1, max_length=STAGE_NAME_MAX), AfterValidator(valid_text)
]
Probability = Annotated[float, Field(ge=0, le=1, description="Win probability, 0 to 1")]
Position = Annotated[int, Field(ge=0, le=MAX_INT, description="0 = first")]
Preset = Annotated[str, AfterValidator(_preset)]


class StageCreate(BaseModel):
    name: StageName
    kind: StageKind = StageKind.OPEN
    probability: Probability | None = None
    position: Position | None = Field(
        default=None,
        description="Where the stage goes (0 = first); open stages default to before the "
        "first won/lost stage, won and lost stages to the end",
    )

    def spec(self) -> StageSpec:
        return StageSpec(self.name, self.kind, self.probability)


class StageUpdate(BaseModel):
    name: StageName | None = not_null()
    kind: StageKind | None = not_null()
    probability: Probability | None = None
    closed: bool | None = Field(default=None, description="true closes the stage, false reopens")
    position: Position | None = None

    _not_null = field_validator("name", "kind")(reject_null)


class StagePublic(ORMModel):
    id: int
    name: str
    position: int
    kind: StageKind
    probability: float | None
    closed_at: UtcOut | None


class PipelineCreate(BaseModel):
    name: StageName
    preset: Preset | None = Field(
        default=None, description=f"A standard stage set: {', '.join(STAGE_SETS)}"
    )
    stages: list[StageCreate] | None = Field(
        default=None,
        description="The stages in order; without these and without a preset, "
        "the default B2B stages (Lead ... Closed Lost)",
    )
    is_default: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> PipelineCreate:
        if self.preset is not None and self.stages is not None:
            raise ValueError("give a preset or stages, not both")
        if any(s.position is not None for s in self.stages or ()):
            raise ValueError("stages of a new pipeline take no position: their order is the order")
        return self


class PipelineUpdate(BaseModel):
    name: StageName | None = not_null()
    is_default: bool | None = Field(
        default=None, description="true makes it the default (another pipeline stops being it)"
    )
    closed: bool | None = Field(default=None, description="true closes the pipeline, false reopens")

    _not_null = field_validator("name")(reject_null)


class PipelinePublic(ORMModel):
    id: int
    name: str
    is_default: bool
    closed_at: UtcOut | None
    stages: list[StagePublic]
