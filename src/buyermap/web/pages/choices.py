"""What the page forms offer to choose from, in words: owners, accounts, currencies,
seniority bands, stages and the inputs of the declared custom fields."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from buyermap.domain.enums import CustomFieldType, NoteKind, Seniority
from buyermap.errors import NotFoundError
from buyermap.services.accounts import get_account, list_accounts
from buyermap.services.board import open_stages
from buyermap.services.custom_fields import field_schema
from buyermap.services.listing import ListQuery
from buyermap.services.pipelines import list_pipelines
from buyermap.services.users import list_users
from buyermap.web.forms import CUSTOM, FormField

Choices = tuple[tuple[str, str], ...]

SENIORITY_LABELS: dict[str, str] = {
    Seniority.ENTRY: "Entry level",
    Seniority.SPECIALIST: "Specialist",
    Seniority.MANAGER: "Manager",
    Seniority.DIRECTOR: "Director",
    Seniority.VP: "Vice president",
    Seniority.C_LEVEL: "C-level executive",
    Seniority.OWNER: "Owner or founder",
}
NOTE_KIND_LABELS: dict[str, str] = {
    NoteKind.NOTE: "Note",
    NoteKind.CALL: "Call",
    NoteKind.MEETING: "Meeting",
    NoteKind.INTERVIEW: "Interview",
    NoteKind.EMAIL: "Email",
    NoteKind.SURVEY: "Survey",
}
# The currencies offered first; a deal's own currency is always among the choices.
CURRENCIES = (
    ("USD", "US dollar (USD)"),
    ("EUR", "Euro (EUR)"),
    ("GBP", "Pound sterling (GBP)"),
    ("PLN", "Polish złoty (PLN)"),
    ("CZK", "Czech koruna (CZK)"),
    ("HUF", "Hungarian forint (HUF)"),
    ("RON", "Romanian leu (RON)"),
    ("ISK", "Icelandic króna (ISK)"),
    ("SEK", "Swedish krona (SEK)"),
    ("NOK", "Norwegian krone (NOK)"),
    ("DKK", "Danish krone (DKK)"),
    ("CHF", "Swiss franc (CHF)"),
    ("CAD", "Canadian dollar (CAD)"),
    ("AUD", "Australian dollar (AUD)"),
    ("JPY", "Japanese yen (JPY)"),
)
ACCOUNT_CHOICES = 20  # accounts a picker lists before the user types

_CUSTOM_KINDS = {
    CustomFieldType.TEXT: "text",
    CustomFieldType.INTEGER: "integer",
    CustomFieldType.NUMBER: "number",
    CustomFieldType.BOOLEAN: "checkbox",
    CustomFieldType.DATE: "date",
    CustomFieldType.CHOICE: "select",
    CustomFieldType.MULTI_CHOICE: "multi",
}


def seniority_choices() -> Choices:
    return (("", "Not known"), *SENIORITY_LABELS.items())


def note_kind_choices() -> Choices:
    return tuple(NOTE_KIND_LABELS.items())


def currency_choices(current: str | None = None) -> Choices:
    if current and current not in dict(CURRENCIES):
        return ((current, current), *CURRENCIES)
    return CURRENCIES


def owner_choices(session: Session, *, empty: str = "No owner") -> Choices:
    return (("", empty), *((str(u.id), u.name) for u in list_users(session)))


def pipeline_choices(session: Session) -> Choices:
    return tuple(
        (str(p.id), p.name + (" (default)" if p.is_default else ""))
        for p in list_pipelines(session)
        if p.closed_at is None
    )


def first_stage_choices(session: Session) -> Choices:
    """Open stages of the open pipelines by name (the default pipeline's first)."""
    seen: dict[str, str] = {"": "Its pipeline's first stage"}
    for pipeline in list_pipelines(session):
        if pipeline.closed_at is None:
            for stage in open_stages(pipeline):
                seen.setdefault(stage.name, stage.name)
    return tuple(seen.items())


def account_choices(
    session: Session, *, q: str | None = None, selected: Iterable[str] = ()
) -> Choices:
    """ "No account", the selected accounts, then the first accounts matching ``q``."""
    out: dict[str, str] = {"": "No account"}
    for value in selected:
        if value.isdigit():
            try:
                out[value] = get_account(session, account_id=int(value)).name
            except NotFoundError:  # a stale id is simply not offered
                continue
    listed = list_accounts(session, query=ListQuery(q=q or None, page_size=ACCOUNT_CHOICES))
    for account in listed.items:
        out.setdefault(str(account.id), account.name)
    return tuple(out.items())


def custom_fields(session: Session, *, entity: str) -> list[FormField]:
    """An input per custom field declared for ``entity``, of the field's type."""
    fields = []
    for key, spec in sorted(field_schema(session, entity=entity).items()):
        kind = _CUSTOM_KINDS[CustomFieldType(spec.type)]
        choices: Choices = ()
        hint = ""
        if kind == "select":
            choices = (("", "Not set"), *((c, c) for c in spec.choices))
        elif kind == "multi":
            hint = "Any of: " + ", ".join(spec.choices) + " (separate with commas)"
        elif kind == "integer":
            hint = "A whole number"
        elif kind == "number":
            hint = "A number"
        fields.append(
            FormField(
                name=CUSTOM + key,
                label=spec.label,
                kind=kind,
                choices=choices,
                required=spec.required,
                hint=hint,
                custom=spec,
            )
        )
    return fields
