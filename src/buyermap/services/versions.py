"""Edits that started from an older version of a record are refused, never applied blind.

Each edited record (accounts, contacts, deals, notes, committee members) carries a
``version`` that SQLAlchemy bumps on every save (``version_id_col``, see
:class:`buyermap.db.models.Versioned`). A form or API client sends back the version it read;
when the record has moved on since, :func:`check_version` refuses the save with a
:class:`~buyermap.errors.ConflictError` (409) that names both values of every field the
save would change, so the user can choose. A save without a version is applied as before,
so tools that do not know versions keep working.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic_core import to_jsonable_python

from buyermap.errors import ConflictError


class HasVersion(Protocol):
    id: int
    version: int


def take_version(changes: dict[str, Any]) -> int | None:
    """Remove the client's ``version`` from the changes to apply, and return it."""
    version = changes.pop("version", None)
    return None if version is None else int(version)


def check_version(
    record: HasVersion, *, expected: int | None, changes: dict[str, Any], what: str
) -> None:
    """Refuse a save that started from another version than the record's (see the module).

    ``changes`` are the fields the save sets; the error's ``details.conflicts`` lists each
    one whose saved value differs from the one the save brings (``yours`` and ``saved``).
    """
    if expected is None or expected == record.version:
        return
    conflicts = [
        {
            "field": field,
            "yours": to_jsonable_python(value),
            "saved": to_jsonable_python(getattr(record, field, None)),
        }
        for field, value in changes.items()
        if getattr(record, field, None) != value
    ]
    fields = ", ".join(c["field"] for c in conflicts) or "none of the fields you changed"
    raise ConflictError(
        f"{what} {record.id} was saved by someone else after you opened it (you started "
        f"from version {expected}, it is at version {record.version} now); differing: "
        f"{fields}. Reload it, or send version {record.version} to overwrite",
        details={"version": record.version, "your_version": expected, "conflicts": conflicts},
    )


def check_delete_version(record: HasVersion, *, expected: int | None, what: str) -> None:
    """Refuse to delete a record that was saved again after the version the user saw.

    The error's ``details`` carry ``version`` (the record's now), ``your_version`` and no
    ``conflicts`` (a delete changes no field). ``expected`` None deletes whatever the version.
    """
    if expected is None or expected == record.version:
        return
    raise ConflictError(
        f"{what} {record.id} was saved by someone else after you opened it (you started "
        f"from version {expected}, it is at version {record.version} now), so it was not "
        f"deleted. Reload it to see what changed, or send version {record.version} to "
        "delete it anyway",
        details={"version": record.version, "your_version": expected, "conflicts": []},
    )
