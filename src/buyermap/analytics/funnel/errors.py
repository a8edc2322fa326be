"""Errors a funnel query can raise; each is a :mod:`buyermap.errors` subclass."""

from __future__ import annotations

from buyermap.errors import ConfigError, InputFileError, InvalidValueError


class BadWindowError(InvalidValueError):
    """The conversion window cannot be parsed or is not positive."""

    code = "bad_window"


class BadStepsError(InvalidValueError):
    """The steps are empty, repeated, or collide with an exclusion event."""

    code = "bad_steps"


class MissingColumnError(InvalidValueError):
    """A column the query needs is not in the event file."""

    code = "missing_column"


class EventFileError(InputFileError):
    """The event file is missing, of an unknown format, or unreadable."""

    code = "bad_event_file"


class EngineUnavailableError(ConfigError):
    """The engine asked for cannot run here (unknown name, Java missing, ...)."""

    code = "engine_unavailable"
