"""One settings object, read from the environment (prefix ``BUYERMAP_``).

Invalid values fail loudly at start-up: a mistyped port or an unknown database
scheme is reported once, with the value and what would be valid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from buyermap.errors import ConfigError, InvalidValueError

DEFAULT_DB = "buyermap.db"
_SCHEMES = ("sqlite", "postgresql")


def database_url(value: str | Path) -> str:
    """Turn a ``--db`` value (a file path or a URL) into a SQLAlchemy URL.

    >>> database_url("work.db")
    'sqlite:///work.db'
    >>> database_url("postgresql://localhost/sales")
    'postgresql+psycopg://localhost/sales'
    """
    text = str(value).strip()
    if not text:
        raise ConfigError("the database is empty; give a file path or a postgresql:// URL")
    if "://" not in text:
        return f"sqlite:///{text}"
    scheme, _, rest = text.partition("://")
    base = scheme.split("+", 1)[0]
    if base not in _SCHEMES:
        raise ConfigError(
            f"unknown database scheme {scheme!r} in {text!r}; "
            "use a file path (SQLite), sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    if base in ("postgresql", "postgres") and "+" not in scheme:
        return f"postgresql+psycopg://{rest}"
    return text


class Settings(BaseSettings):
    """Process-wide settings. Every field can be set as ``BUYERMAP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BUYERMAP_", extra="ignore")

    database_url: Annotated[str, Field(description="Workspace database: a path or a URL")] = (
        DEFAULT_DB
    )
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    page_size: Annotated[int, Field(ge=1, le=1000)] = 50
    echo_sql: bool = False
    files_root: Annotated[
        Path, Field(description="Folder the web workbench may read server-side files from")
    ] = Path(".")
    upload_dir: Annotated[
        Path | None,
        Field(description="Folder for files uploaded to /import (default: the system temp dir)"),
    ] = None
    upload_max_mb: Annotated[
        int, Field(ge=1, le=2000, description="Largest file /import takes, in megabytes")
    ] = 50
    committee_stale_days: Annotated[
        int,
        Field(
            ge=1,
            le=3650,
            description="A committee member verified longer ago than this many days is "
            "flagged stale_verification",
        ),
    ] = 180
    knowledge_stale_days: Annotated[
        int,
        Field(
            ge=1,
            le=3650,
            description="Account knowledge verified (or, never verified, saved) longer ago "
            "than this many days is marked stale",
        ),
    ] = 365
    knowledge_tiers: Annotated[
        str | None,
        Field(
            description="The lowest account value (won revenue + expected value of open "
            "deals) of tiers A, B and C, e.g. 100000,25000,5000; unset: the 90th, 60th and "
            "30th percentiles of the workspace's accounts",
        ),
    ] = None

    @field_validator("knowledge_tiers")
    @classmethod
    def _tiers(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_tier_floors(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return database_url(value)


def parse_tier_floors(text: str) -> tuple[float, float, float]:
    """``A,B,C`` floors of the knowledge value tiers, highest first.

    >>> parse_tier_floors("100000, 25000, 5000")
    (100000.0, 25000.0, 5000.0)
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        floors = tuple(float(p) for p in parts)
    except ValueError:
        floors = ()
    if len(floors) != 3 or not floors[0] >= floors[1] >= floors[2] > 0:
        raise ValueError(
            f"{text!r} is not three falling positive amounts for tiers A,B,C, "
            "e.g. 100000,25000,5000"
        )
    return (floors[0], floors[1], floors[2])


def server_path(settings: Settings, raw: str) -> Path:
    """A file path typed into the web workbench, confined to ``files_root``.

    The workbench may be reachable from other machines; it must not read any file the
    process can. Relative paths are taken inside the root.
    """
    root = settings.files_root.expanduser().resolve()
    path = (root / Path(raw.strip()).expanduser()).resolve()
    if not path.is_relative_to(root):
        raise InvalidValueError(
            f"path {raw.strip()!r} is outside the folder the workbench reads files from; "
            "upload the file, or ask whoever runs buyermap to set BUYERMAP_FILES_ROOT "
            "to the folder that holds it"
        )
    return path


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (e.g. from ``--db``)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(
            f"invalid setting BUYERMAP_{name.upper()}={first.get('input')!r}: {first['msg']}"
        ) from exc
