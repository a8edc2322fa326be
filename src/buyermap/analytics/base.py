"""What every analysis result carries: provenance (inputs hash, settings, version, time)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from buyermap import __version__


def hash_files(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of the given files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def hash_settings(settings: Any) -> str:
    """SHA-256 of a JSON-able description of the settings (keys sorted)."""
    text = json.dumps(settings, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a result came from. ``inputs_hash`` covers the data, ``settings_hash`` the query."""

    analysis: str
    inputs_hash: str
    settings_hash: str
    version: str = __version__
    created_at: str = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat()
    )

    def to_dict(self) -> dict[str, str]:
        return {
            "analysis": self.analysis,
            "inputs_hash": self.inputs_hash,
            "settings_hash": self.settings_hash,
            "version": self.version,
            "created_at": self.created_at,
        }
