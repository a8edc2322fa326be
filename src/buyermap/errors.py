"""One family of errors. Each edge (CLI, web, REST API) translates them once."""

from __future__ import annotations

from typing import Any


class BuyermapError(Exception):
    """Base of every error a user can cause. ``code`` is stable; the message is for people."""

    code = "error"
    http_status = 400
    exit_code = 1

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ConfigError(BuyermapError):
    code = "config_error"
    exit_code = 2


class NotFoundError(BuyermapError):
    code = "not_found"
    http_status = 404


class InvalidValueError(BuyermapError):
    code = "validation_error"
    http_status = 422


class ForbiddenError(BuyermapError):
    """The request is understood but this user may not make it (e.g. a write by a
    read-only user, or a form post without its CSRF token)."""

    code = "forbidden"
    http_status = 403
    exit_code = 1


class ConflictError(BuyermapError):
    code = "conflict"
    http_status = 409


class ImportRejectedError(BuyermapError):
    """A file was not imported (all-or-nothing mode) because some rows were invalid."""

    code = "import_rejected"
    http_status = 422
    exit_code = 1


class InputFileError(BuyermapError):
    """A file cannot be read at all (missing, unknown format, undecodable)."""

    code = "bad_input_file"
    exit_code = 2


class InsufficientEvidenceError(BuyermapError):
    """Too few rows (or positives, negatives) for an analysis to stand on: it refuses and
    names how many it needs (exit code 2). Persona discovery and the avatar raise it."""

    code = "insufficient_evidence"
    http_status = 422
    exit_code = 2


class AnalysisInputError(BuyermapError):
    """A column, value, option or saved run given to an analysis is unusable (exit code 2).
    Each analysis names its own ``code`` in a subclass."""

    code = "analysis_input_error"
    http_status = 422
    exit_code = 2


class PersonaInputError(AnalysisInputError):
    code = "persona_input_error"


class AvatarInputError(AnalysisInputError):
    code = "avatar_input_error"
