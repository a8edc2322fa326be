"""Which column of a file feeds which field: suggestions from aliases and CRM presets,
explicit and saved mappings.

Targets are field names (``name``, ``domain``, ... see :mod:`buyermap.io.fields`) or
``custom.<key>``; a column mapped to nothing is kept in the record's ``extra``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import CustomFieldDef, SavedMapping
from buyermap.domain.enums import EntityKind
from buyermap.errors import InputFileError, InvalidValueError, NotFoundError
from buyermap.io.fields import ENTITY_WORD, FIELDS, norm
from buyermap.io.presets import PRESETS
from buyermap.services.custom_fields import field_schema

IGNORE = "-"  # mapping target meaning "keep this column in extra"
# Fields several columns may feed, the first non-empty one winning (Pipedrive writes a deal's
# close in "Won time" or "Lost time", by its outcome).
COALESCED = frozenset({"closed_at"})


def custom_defs(session: Session, entity: EntityKind) -> dict[str, CustomFieldDef]:
    return field_schema(session, entity=ENTITY_WORD[entity])


def suggestions(
    entity: EntityKind, columns: list[str], customs: Mapping[str, CustomFieldDef]
) -> dict[str, list[str]]:
    """For columns that map to nothing, the fields whose names or aliases look closest."""
    names: dict[str, str] = {}
    for spec in FIELDS[entity]:
        if spec.derived:
            continue
        for alias in (spec.name, *spec.aliases):
            names.setdefault(norm(alias), spec.name)
    for key, d in customs.items():
        names.setdefault(norm(d.label), f"custom.{key}")
        names.setdefault(norm(key), f"custom.{key}")
    out: dict[str, list[str]] = {}
    for column in columns:
        key = norm(column)
        if not key:
            continue
        close = difflib.get_close_matches(key, list(names), n=6, cutoff=0.6)
        contained = [n for n in names if len(n) >= 4 and (n in key or key in n)]
        fields = list(dict.fromkeys(names[n] for n in [*close, *contained]))[:3]
        if fields:
            out[column] = fields
    return out


def valid_targets(entity: EntityKind, customs: Mapping[str, CustomFieldDef]) -> list[str]:
    return [f.name for f in FIELDS[entity]] + [f"custom.{k}" for k in customs]


def suggest_mapping(
    entity: EntityKind,
    header: list[str],
    *,
    preset: str | None,
    customs: Mapping[str, CustomFieldDef],
) -> dict[str, str]:
    """Column -> field for the columns we recognise (each field fed by one column at most)."""
    preset_map = {
        norm(h): f for h, f in PRESETS.get(preset or "", {}).get(entity.value, {}).items()
    }
    alias_map: dict[str, str] = {}
    for spec in FIELDS[entity]:
        for alias in (spec.name, *spec.aliases):
            alias_map.setdefault(norm(alias), spec.name)
    custom_map: dict[str, str] = {}
    for key, d in customs.items():
        for alias in (key, d.label, f"custom.{key}"):
            custom_map.setdefault(norm(alias), f"custom.{key}")
    used: set[str] = set()
    out: dict[str, str] = {}
    for source in (preset_map, custom_map, alias_map):
        for column in header:
            if column in out:
                continue
            target = source.get(norm(column))
            if column.lower().startswith("custom.") and source is custom_map:
                target = target or f"custom.{column[7:].strip()}"
            if target and (target not in used or target in COALESCED):
                out[column] = target
                used.add(target)
    return {c: out[c] for c in header if c in out}


def load_mapping(session: Session, *, entity: EntityKind, ref: str) -> dict[str, str]:
    """A mapping from a JSON file ``{"column": "field"}`` or a saved mapping's name."""
    path = Path(ref)
    if path.suffix.lower() == ".json" or path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputFileError(f"cannot read mapping file {ref!r}: {exc}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str | None) for k, v in data.items()
        ):
            raise InputFileError(
                f'mapping file {ref!r} must be one JSON object {{"column header": "field"}}'
            )
        return {k: (v or IGNORE) for k, v in data.items()}
    saved = session.scalar(select(SavedMapping).where(SavedMapping.name == ref))
    if saved is None:
        names = ", ".join(session.scalars(select(SavedMapping.name).order_by(SavedMapping.name)))
        raise NotFoundError(
            f"no saved mapping named {ref!r} and no such JSON file; saved: {names or '(none)'}"
        )
    if saved.entity != entity.value:
        raise InvalidValueError(
            f"saved mapping {ref!r} is for {saved.entity} files, not {entity.value}; "
            f"use it with `import {saved.entity}` or save one for {entity.value}"
        )
    return dict(saved.columns)


def save_mapping(
    session: Session, *, name: str, entity: EntityKind, columns: dict[str, str]
) -> None:
    saved = session.scalar(select(SavedMapping).where(SavedMapping.name == name))
    if saved is None:
        session.add(SavedMapping(name=name, entity=entity.value, columns=dict(columns)))
    else:
        saved.entity, saved.columns = entity.value, dict(columns)
    session.flush()


def list_mappings(session: Session) -> list[SavedMapping]:
    return list(session.scalars(select(SavedMapping).order_by(SavedMapping.name)))


def resolve_mapping(
    entity: EntityKind,
    header: list[str],
    *,
    preset: str | None,
    explicit: Mapping[str, str] | None,
    customs: Mapping[str, CustomFieldDef],
) -> dict[str, str]:
    """The suggestion, overridden by an explicit mapping (whose targets are checked)."""
    mapping = suggest_mapping(entity, header, preset=preset, customs=customs)
    if not explicit:
        return mapping
    valid = set(valid_targets(entity, customs))
    by_norm = {norm(h): h for h in header}
    for column, target in explicit.items():
        actual = column if column in header else by_norm.get(norm(column))
        if actual is None:
            continue
        if target in ("", IGNORE):
            mapping.pop(actual, None)
            continue
        if target not in valid:
            raise InvalidValueError(
                f"mapping sends column {column!r} to unknown field {target!r}; "
                f"valid fields for {entity.value}: {', '.join(sorted(valid))}"
            )
        for other, t in list(mapping.items()):
            if t == target and other != actual:
                del mapping[other]
        mapping[actual] = target
    return {c: mapping[c] for c in header if c in mapping}
