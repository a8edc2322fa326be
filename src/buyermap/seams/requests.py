"""Building a request schema from plain values (the CLI's options) with the API's errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from buyermap.errors import InvalidValueError

M = TypeVar("M", bound=BaseModel)


def build(model: type[M], **values: Any) -> M:
    """``model(**values)``; a bad value raises :class:`InvalidValueError` naming the field
    (the REST API validates the same schema and answers 422 with the same field)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidValueError(summary, details={"errors": errors}) from None
