"""Record versions over HTTP: ``ETag`` on reads and saves, ``If-Match`` on saves and deletes.

A GET of one account, contact, deal or note answers ``ETag: "<version>"``; a PATCH or
DELETE may send that version back in ``If-Match`` (``"3"``, ``W/"3"`` or ``3``) or, for a
PATCH, in the body's ``version``. A stale version is refused with 409 (the error's
``details`` carry ``version``, ``your_version`` and the differing fields, see
:mod:`buyermap.services.versions`); a write without any version is applied as before.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Response

from buyermap.errors import InvalidValueError
from buyermap.schemas.common import MAX_INT
from buyermap.web.api.v1.responses import ErrorBody

_IF_MATCH = re.compile(r'(?:W/)?"(\d{1,10})"|(\d{1,10})')
VALID_FORM = 'a record version as "3", W/"3" or 3'


def parse_if_match(value: str | None) -> int | None:
    """The version an ``If-Match`` header names; None when there is no header."""
    if value is None:
        return None
    text = value.strip()
    if text == "*":
        return None  # any version (RFC 9110): the save is applied whatever the version
    match = _IF_MATCH.fullmatch(text)
    number = None if match is None else int(match.group(1) or match.group(2))
    if number is None or not 1 <= number <= MAX_INT:
        raise InvalidValueError(
            f"If-Match: {value!r} is not a record version; send {VALID_FORM} "
            f"(a whole number from 1 to {MAX_INT}, the ETag of your last read)",
            details={"field": "If-Match", "value": value, "valid": VALID_FORM},
        )
    return number


def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=40,
            description='The version you started from, as the ETag of your read gave it: "3" '
            '(also W/"3" or 3; * for any). A stale one is refused with 409; leave it out to save '
            "whatever the record's version is now.",
        ),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


IfMatchDep = Annotated[int | None, Depends(if_match)]


def expected_version(header: int | None, body: int | None) -> int | None:
    """One version from the header and the body; both given and different is a 422."""
    if header is not None and body is not None and header != body:
        raise InvalidValueError(
            f"If-Match says version {header} but the body's version is {body}; send one of "
            "them, or the same version in both",
            details={"field": "version", "if_match": header, "version": body},
        )
    return header if header is not None else body


def with_version(data: Any, header: int | None) -> Any:
    """The update ``data`` carrying the one version the client started from (if any)."""
    version = expected_version(header, data.version)
    return data if version is None else data.model_copy(update={"version": version})


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


ETAG: dict[str, Any] = {
    "ETag": {
        "description": 'The record\'s version, quoted ("3"): send it back in If-Match to '
        "have a stale save refused (409).",
        "schema": {"type": "string", "pattern": r'^"\d+"$'},
    }
}
"""The ``ETag`` response header, documented on the reads and saves of one record."""

VERSIONED: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": "The record was saved by someone else after the version you sent "
        "(If-Match or version): details.version is the record's version now, "
        "details.your_version yours, details.conflicts each differing field with both values",
    }
}
