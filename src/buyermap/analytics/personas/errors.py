"""Errors of persona discovery (part of :mod:`buyermap.errors`' family)."""

from __future__ import annotations

from buyermap.errors import BuyermapError


class InsufficientEvidenceError(BuyermapError):
    """Too few rows to discover personas: the command refuses (exit code 2)."""

    code = "insufficient_evidence"
    http_status = 422
    exit_code = 2


class PersonaInputError(BuyermapError):
    """A column, option or run given for persona discovery is unusable."""

    code = "persona_input_error"
    http_status = 422
    exit_code = 2
