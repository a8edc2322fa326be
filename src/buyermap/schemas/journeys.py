"""I/O types of journey maps and the content library (REST bodies)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from buyermap.domain.journeys import LineKind, TemplateName
from buyermap.schemas.common import Text80, Text120, Version

Text2000 = Annotated[str, Field(max_length=2000)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]


class JourneyCreate(BaseModel):
    """A persona's (empty) map: a stage template, or ``custom`` with its stages."""

    model_config = ConfigDict(extra="forbid")

    template: TemplateName = TemplateName.SEED5
    stages: list[Text80] | None = Field(None, description="The stages of a custom template")


class LineCreate(BaseModel):
    """One line of a map: an objection needs a ``key``, an answer a ``ref`` (the key of
    the objection it answers)."""

    model_config = ConfigDict(extra="forbid")

    stage: Text80
    kind: LineKind
    text: Annotated[Text2000, Field(min_length=1)]
    key: Text80 = ""
    ref: Text80 = ""
    evidence: Text2000 = ""
    evidence_count: Count | None = None


class LineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[Text2000, Field(min_length=1)] | None = None
    ref: Text80 | None = None
    evidence: Text2000 | None = None
    evidence_count: Count | None = None
    version: Version | None = None


class LineMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: int = Field(ge=-1000, le=1000, description="Places to move: negative is up")


class AssetCreate(BaseModel):
    """A content asset; ``personas`` and ``stages`` empty: for every persona or stage."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=500)]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    type: Text80 = ""
    personas: list[Text80] = Field(default_factory=list, max_length=200)
    stages: list[Text80] = Field(default_factory=list, max_length=200)
    objections: list[Text80] = Field(default_factory=list, max_length=200)
    channel: Text120 = ""
    direction: Annotated[str, Field(pattern="^(inbound|outbound)$")] = "inbound"
    views: Count | None = None
    leads: Count | None = None


class AssetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    url: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    type: Text80 | None = None
    personas: list[Text80] | None = Field(None, max_length=200)
    stages: list[Text80] | None = Field(None, max_length=200)
    objections: list[Text80] | None = Field(None, max_length=200)
    channel: Text120 | None = None
    direction: Annotated[str, Field(pattern="^(inbound|outbound)$")] | None = None
    views: Count | None = None
    leads: Count | None = None
    version: Version | None = None


class AssetLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona: Text80
    stage: Text80


class MappingUpdate(BaseModel):
    """Declare the funnel stages (names of the pipeline's stages) one journey stage
    corresponds to; an empty list maps it to none."""

    model_config = ConfigDict(extra="forbid")

    pipeline: Text120 | None = Field(None, description="The pipeline's name (default: default)")
    journey_stage: Annotated[Text80, Field(min_length=1)]
    funnel_stages: Annotated[list[Text120], Field(max_length=100)]


class QuestionMap(BaseModel):
    """Where the answers to one form question belong: a journey stage and, optionally, an
    objection's key."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=500)]
    stage: Annotated[str, Field(min_length=1, max_length=80)]
    objection: Text80 = ""


class KeywordRule(BaseModel):
    """A keyword (or a prefix ending in ``*``) that files a form answer under an objection
    (``kind`` objection, ``key`` its key) or a stage (``kind`` stage)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["objection", "stage"]
    key: Annotated[str, Field(min_length=1, max_length=80)]
    word: Annotated[str, Field(min_length=1, max_length=80)]
