"""The API's error responses, documented once for every operation (``web/errors.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
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


FILE_MEDIA = {
    ".csv": "text/csv",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""Downloads are named by their suffix; the spec says their media type, not JSON."""


def document_files(spec: dict[str, Any]) -> dict[str, Any]:
    """Give each download's 200 response its media type (a binary body) in the spec."""
    for path, operations in spec.get("paths", {}).items():
        media = next((m for s, m in FILE_MEDIA.items() if path.endswith(s)), None)
        if media is None:
            continue
        for operation in operations.values():
            ok = operation.get("responses", {}).get("200")
            if ok is not None:
                ok["content"] = {media: {"schema": {"type": "string", "format": "binary"}}}
    return spec


def install_openapi(app: FastAPI) -> None:
    """The app's spec with the downloads' media types (computed once, as FastAPI does)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_files(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
