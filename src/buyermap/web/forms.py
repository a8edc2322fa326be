"""What every page form shares: fields, typed values kept, errors next to their field.

A form is a list of :class:`FormField` (the schema's field name, a label in words, an input
kind). A submitted form is parsed into the same pydantic schema the REST API takes
(``AccountCreate``, ``DealUpdate``, ...) and handed to the same service, so a form
validates exactly like the API. What the user typed is kept as text
(:attr:`FormState.values`) and rendered back on a failed submit, so nothing is lost:

* a pydantic error goes next to the field its ``loc`` names (``custom.<key>`` for a
  custom field);
* a service error goes next to the field its ``details.field`` names, or the field its
  message is about (``hints``: a word of the message -> field), else above the form;
* a stale save (``ConflictError`` with ``details.conflicts``) lists each field with
  "your value" and "saved value" and a choice between them per field (see
  :func:`edit_state`); the re-rendered form carries the current version, so saving again
  applies the chosen values, and a link reloads all the saved ones.

An edit form also carries the values it was opened with (hidden ``orig.<name>`` inputs);
only fields whose value changed are sent to the service, so a save never writes back a
value the user did not touch over someone else's newer one.

A failed submit renders its response and raises :class:`FormRejectedError` with it: the
request's transaction rolls back (see :data:`buyermap.web.deps.SessionDep`) and the edge
answers with the form (422, or 409 for a conflict).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from buyermap.db.models import CustomFieldDef
from buyermap.domain.enums import CustomFieldType
from buyermap.errors import BuyermapError, ConflictError, InvalidValueError
from buyermap.services.custom_fields import check_value

ORIGINAL = "orig."  # prefix of the hidden inputs holding the values an edit started from
PICK = "pick."  # prefix of a conflict's radios: ``pick.<name>`` is "mine" or "saved"
CUSTOM = "custom."  # prefix of custom fields' names (``custom.budget_owner``)
NUMERIC = frozenset({"integer", "number"})
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class FormField:
    """One input. ``kind``: text, textarea, email, integer, number, date, select,
    checkbox, multi (comma-separated list) or account (a search-as-you-type select)."""

    name: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (value, label in words)
    required: bool = False
    hint: str = ""
    custom: CustomFieldDef | None = None
    datalist: str = ""  # id of a <datalist> of suggestions

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True, slots=True)
class ConflictRow:
    field: str
    label: str
    yours: str
    saved: str


@dataclass(slots=True)
class FormState:
    """A form as rendered: its fields, the text in each, and what was wrong."""

    fields: list[FormField]
    values: dict[str, str] = field(default_factory=dict)
    original: dict[str, str] | None = None  # an edit form's starting values
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None
    conflicts: list[ConflictRow] = field(default_factory=list)
    version: int | None = None

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def add_error(self, name: str | None, message: str) -> None:
        known = {f.name for f in self.fields}
        if name in known:
            self.errors.setdefault(name, []).append(message)
        else:
            self.message = message if self.message is None else f"{self.message}; {message}"

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.message or self.conflicts)

    def label_of(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name.replace("_", " "))


class FormRejectedError(Exception):
    """A form that did not pass, with the response that shows it again (see the module)."""

    def __init__(self, response: Response) -> None:
        super().__init__("form rejected")
        self.response = response


async def form_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormRejectedError)
    return exc.response


# -- values as text ------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """A stored value as an input shows it (``120000.0`` -> ``120000``, a day as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def values_of(record: Any, fields: Iterable[FormField]) -> dict[str, str]:
    """The text of each field for a stored record (custom fields from ``record.custom``)."""
    custom: Mapping[str, Any] = getattr(record, "custom", None) or {}
    out = {}
    for f in fields:
        if f.name.startswith(CUSTOM):
            out[f.name] = as_text(custom.get(f.name.removeprefix(CUSTOM)))
        else:
            out[f.name] = as_text(getattr(record, f.name, None))
    return out


def submitted(form: FormData, fields: Iterable[FormField]) -> tuple[dict[str, str], dict[str, str]]:
    """(values, original values) as the browser sent them; a checkbox is "on" or "".

    An edit's field that came with neither a value nor its ``orig.`` input was not on the
    form (a script posting some fields): it is left out, so it keeps its stored value.
    """
    values, original = {}, {}
    for f in fields:
        raw = form.get(f.name)
        old = form.get(ORIGINAL + f.name)
        if isinstance(old, str):
            original[f.name] = old.strip()
        elif raw is None and any(k.startswith(ORIGINAL) for k in form):
            continue
        values[f.name] = raw.strip() if isinstance(raw, str) else ""
    return values, original


def edit_state(form: FormData, fields: list[FormField]) -> tuple[FormState, dict[str, str] | None]:
    """A submitted edit form and the version it carries (as the schema's ``extra``).

    After a conflict the user settles each field with a radio (``pick.<name>``): "saved"
    takes the saved value (the form's ``orig.`` value since the conflict), so that field
    is not sent and stays as saved; "mine" (the default) sends what the user typed."""
    values, original = submitted(form, fields)
    for name in values:
        if form.get(PICK + name) == "saved" and name in original:
            values[name] = original[name]
    raw = form.get("version")
    version = raw.strip() if isinstance(raw, str) and raw.strip() else None
    started = int(version) if version is not None and version.isdigit() else None
    state = FormState(fields, values, original=original, version=started)
    return state, ({"version": version} if version is not None else None)


# -- text to a schema ----------------------------------------------------------------------


def _number_text(text: str) -> str:
    """Digits as people type them: ``1 200`` and ``1 200`` (a no-break space) -> ``1200``."""
    return "".join(text.split())


def _custom_value(f: FormField, text: str) -> Any:
    assert f.custom is not None
    kind = CustomFieldType(f.custom.type)
    if text == "":
        return None
    if kind is CustomFieldType.BOOLEAN:
        return text == "on"
    if kind is CustomFieldType.INTEGER:
        try:
            return int(_number_text(text))
        except ValueError:
            raise InvalidValueError(f"“{text}” is not a whole number; enter e.g. 12") from None
    if kind is CustomFieldType.NUMBER:
        try:
            return float(_number_text(text).replace(",", "."))
        except ValueError:
            raise InvalidValueError(f"“{text}” is not a number; enter e.g. 12.5") from None
    if kind is CustomFieldType.MULTI_CHOICE:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


_FRIENDLY = {
    "missing": "Required: enter a value",
    "string_too_short": "Required: enter a value",
    "too_short": "Required: enter a value",
}
_PARSING = {
    "int_parsing": "“{}” is not a whole number; enter digits only, e.g. 1200",
    "int_from_float": "“{}” is not a whole number; enter digits only, e.g. 1200",
    "float_parsing": "“{}” is not a number; enter digits with a dot for decimals, e.g. 1250000.50",
    "date_from_datetime_parsing": "“{}” is not a date; enter it as YYYY-MM-DD, e.g. 2026-03-31",
    "date_parsing": "“{}” is not a date; enter it as YYYY-MM-DD, e.g. 2026-03-31",
    "datetime_from_date_parsing": "“{}” is not a date; enter it as YYYY-MM-DD, e.g. 2026-03-31",
}


def friendly(error: Mapping[str, Any], typed: str) -> str:
    """A pydantic error in words, naming what was typed."""
    kind = str(error.get("type", ""))
    if kind in _FRIENDLY and typed == "":
        return _FRIENDLY[kind]
    if kind in _PARSING:
        return _PARSING[kind].format(typed)
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if typed and typed not in message:
        return f"{message} (you entered “{typed}”)"
    return message[:1].upper() + message[1:]


def _loc_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "custom":
        return CUSTOM + parts[1]
    return parts[0] if parts else ""


def parse_form(
    schema: type[M],
    state: FormState,
    *,
    extra: Mapping[str, Any] | None = None,
    only_changed: bool = False,
) -> M | None:
    """Build ``schema`` from the form's text (None, with ``state.errors`` filled, when it
    does not validate). ``only_changed``: send only fields that differ from
    ``state.original`` (an edit), an emptied field as null; otherwise empty fields are left
    out (the schema's default applies). ``extra`` adds values that are not inputs."""
    payload: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    original = state.original or {}
    for f in state.fields:
        if only_changed and f.name not in state.values:
            continue
        text = state.value(f.name)
        if only_changed and f.name in original and original[f.name] == text:
            continue
        if f.custom is not None:
            try:
                value = _custom_value(f, text)
                custom[f.name.removeprefix(CUSTOM)] = check_value(f.custom, value)
            except InvalidValueError as exc:
                state.add_error(f.name, exc.message)
            continue
        if text == "" and not f.required:
            if f.kind == "checkbox":
                payload[f.name] = False
            elif only_changed:
                payload[f.name] = [] if f.kind == "multi" else None
            continue
        if f.kind == "checkbox":
            payload[f.name] = True
        elif f.kind in NUMERIC:
            payload[f.name] = _number_text(text)
        elif f.kind == "multi":
            payload[f.name] = [part.strip() for part in text.split(",") if part.strip()]
        else:
            payload[f.name] = text
    if custom:
        payload["custom"] = custom
    payload.update(extra or {})
    try:
        parsed = schema.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            name = _loc_name(err.get("loc", ()))
            state.add_error(name, friendly(err, state.value(name)))
        return None
    return None if state.errors else parsed


def form_status(exc: BuyermapError) -> int:
    """The status of a form shown again: 409 for a conflict, else 422 (the form is there,
    so a missing referenced record is a bad value, not a missing page)."""
    return 409 if isinstance(exc, ConflictError) else 422


def place_error(
    state: FormState, exc: BuyermapError, *, hints: Mapping[str, str] | None = None
) -> None:
    """Put a service's error next to the field it concerns (see the module)."""
    message = exc.message
    name = exc.details.get("field") if isinstance(exc.details, dict) else None
    if isinstance(name, str):
        message = message.removeprefix(f"{name}: ")
    else:
        lowered = message.lower()
        name = next((f for word, f in (hints or {}).items() if word in lowered), None)
    state.add_error(name, message[:1].upper() + message[1:])


def _shown(value: Any, f: FormField | None) -> str:
    text = as_text(value)
    if f is not None and f.choices:
        text = dict(f.choices).get(text, text)
    return text if text != "" else "(empty)"


def place_conflict(state: FormState, exc: ConflictError, *, saved: Mapping[str, str]) -> bool:
    """Show a stale save's conflicts; False when ``exc`` is no version conflict.

    ``saved`` are the record's current values as text: they become the form's starting
    values (and the values of the fields the user did not change), and the form takes the
    current version, so saving again keeps the user's changes and the others' elsewhere.
    """
    details = exc.details
    if "conflicts" not in details or "version" not in details:
        return False
    by_name = {f.name: f for f in state.fields}
    rows = []
    for conflict in details["conflicts"]:
        name = str(conflict["field"])
        if name == "custom" and isinstance(conflict["yours"], dict):
            theirs = conflict["saved"] if isinstance(conflict["saved"], dict) else {}
            for key, mine in conflict["yours"].items():
                if theirs.get(key) != mine:
                    f = by_name.get(CUSTOM + key)
                    rows.append(
                        ConflictRow(
                            field=CUSTOM + key,
                            label=f.label if f else key,
                            yours=_shown(mine, f),
                            saved=_shown(theirs.get(key), f),
                        )
                    )
            continue
        f = by_name.get(name)
        rows.append(
            ConflictRow(
                field=name,
                label=f.label if f else name.replace("_", " "),
                yours=_shown(conflict["yours"], f),
                saved=_shown(conflict["saved"], f),
            )
        )
    state.conflicts = rows
    state.version = int(details["version"])
    started = state.original or {}
    for name, value in saved.items():  # fields the user left alone show what is saved now
        if name in started and state.values.get(name) == started[name]:
            state.values[name] = value
    state.original = dict(saved)
    return True
