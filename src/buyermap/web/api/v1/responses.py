"""The API's error responses, documented once for every operation (``web/errors.py``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable: not_found, validation_error, conflict, ...")
    message: str = Field(description="For people: what was wrong and what would be valid")
    details: dict[str, Any] = Field(
        description="Machine-readable: the field, the valid values, per-field errors"
    )


class ErrorBody(BaseModel):
    """Every error of the API has this one shape."""

    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request cannot be read (e.g. a body that is not JSON)"),
    403: _error("Not allowed for this user (read-only users cannot change data)"),
    404: _error("No such record"),
    409: _error("Conflicts with the workspace (a duplicate, a closed stage or pipeline)"),
    422: _error("A value is not valid; details.errors names each field"),
    500: _error("A bug on our side; nothing was saved"),
}
