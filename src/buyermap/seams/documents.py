"""What every seam's documents share: strict, frozen pydantic models and provenance."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Doc(BaseModel):
    """A document an edge serialises: unknown keys are refused, so a result type that grows
    a field without its document (or a document that drifts from it) fails a test."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(Doc):
    analysis: str
    inputs_hash: str
    settings_hash: str
    version: str
    created_at: str
