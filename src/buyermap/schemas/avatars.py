"""Schemas of saved customer avatars (REST API)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from buyermap.schemas.common import ORMModel, UtcOut


class AvatarSummary(ORMModel):
    """A saved avatar version (``GET /api/v1/avatars``)."""

    id: int
    name: str
    version: int
    kind: str = Field(description="learned (from outcomes) or rules")
    source: str = Field(description="'workspace' or the file it was learned from")
    source_hash: str
    created_at: UtcOut


class AvatarPublic(AvatarSummary):
    """A saved avatar with its settings and the learning's document (``metrics``)."""

    settings: dict[str, Any]
    metrics: dict[str, Any]
