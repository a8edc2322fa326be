"""Errors of the avatar (part of :mod:`buyermap.errors`' family)."""

from __future__ import annotations

from buyermap.errors import BuyermapError


class AvatarEvidenceError(BuyermapError):
    """Too few positive or negative rows to learn an avatar: refused (exit code 2)."""

    code = "insufficient_evidence"
    http_status = 422
    exit_code = 2


class AvatarInputError(BuyermapError):
    """A column, value or option given to the avatar is unusable (exit code 2)."""

    code = "avatar_input_error"
    http_status = 422
    exit_code = 2
