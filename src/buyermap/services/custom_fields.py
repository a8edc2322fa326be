"""The workspace's typed custom-field schema, and validation of values against it.

Teams need many fields that differ from one team to the next (the account-knowledge
blocks, committee notes, survey facts). Each field is declared once per entity with a
type; values in ``custom`` are checked against the declaration on every write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import CustomFieldDef
from buyermap.domain.enums import CustomFieldType, DataClass
from buyermap.errors import ConflictError, InvalidValueError

ENTITIES = ("account", "contact", "deal")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


def define_field(
    session: Session,
    *,
    entity: str,
    key: str,
    type: CustomFieldType,
    label: str | None = None,
    choices: list[str] | None = None,
    data_class: DataClass = DataClass.NONE,
    required: bool = False,
) -> CustomFieldDef:
    if entity not in ENTITIES:
        raise InvalidValueError(f"unknown entity {entity!r}; use one of: {', '.join(ENTITIES)}")
    if not _KEY.match(key):
        raise InvalidValueError(
            f"field key {key!r} is not valid; use lowercase letters, digits and _ "
            "starting with a letter (e.g. budget_owner)"
        )
    is_choice = type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
    if is_choice and not choices:
        raise InvalidValueError(f"field {key!r} of type {type.value} needs a list of choices")
    if not is_choice and choices:
        raise InvalidValueError(f"field {key!r} of type {type.value} takes no choices")
    exists = session.scalar(
        select(CustomFieldDef).where(CustomFieldDef.entity == entity, CustomFieldDef.key == key)
    )
    if exists is not None:
        raise ConflictError(f"{entity} field {key!r} is defined already")
    field = CustomFieldDef(
        entity=entity,
        key=key,
        label=label or key.replace("_", " ").capitalize(),
        type=type.value,
        choices=choices or [],
        data_class=data_class.value,
        required=required,
    )
    session.add(field)
    session.flush()
    return field


def field_schema(session: Session, *, entity: str) -> dict[str, CustomFieldDef]:
    rows = session.scalars(select(CustomFieldDef).where(CustomFieldDef.entity == entity))
    return {f.key: f for f in rows}


def check_value(field: CustomFieldDef, value: Any) -> Any:
    """A JSON value checked against the field's type; returns the stored form."""
    if value is None:
        return None
    kind = CustomFieldType(field.type)
    name = f"custom field {field.key!r} ({kind.value})"
    if kind is CustomFieldType.TEXT and isinstance(value, str):
        return value
    if kind is CustomFieldType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return value
    if (
        kind is CustomFieldType.NUMBER
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return float(value)
    if kind is CustomFieldType.BOOLEAN and isinstance(value, bool):
        return value
    if kind is CustomFieldType.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidValueError(
                f"{name} got {value!r}; expected a date as YYYY-MM-DD"
            ) from None
    if kind is CustomFieldType.CHOICE and isinstance(value, str):
        if value not in field.choices:
            raise InvalidValueError(
                f"{name} got {value!r}; valid choices: {', '.join(field.choices)}"
            )
        return value
    if kind is CustomFieldType.MULTI_CHOICE and isinstance(value, list):
        bad = [v for v in value if v not in field.choices]
        if bad:
            raise InvalidValueError(
                f"{name} got {bad[0]!r}; valid choices: {', '.join(field.choices)}"
            )
        return list(value)
    raise InvalidValueError(f"{name} got {value!r}, which is not a valid {kind.value} value")


def validate_custom(session: Session, *, entity: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a record's custom values against the schema; unknown keys are refused."""
    schema = field_schema(session, entity=entity)
    unknown = sorted(set(values) - set(schema))
    if unknown:
        valid = ", ".join(sorted(schema)) or "none defined yet"
        raise InvalidValueError(
            f"unknown {entity} custom field {unknown[0]!r}; defined fields: {valid}"
        )
    out = {key: check_value(schema[key], value) for key, value in values.items()}
    missing = [k for k, f in schema.items() if f.required and out.get(k) is None]
    if missing:
        raise InvalidValueError(f"{entity} custom field {missing[0]!r} is required")
    return out
