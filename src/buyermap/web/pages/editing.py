"""Create, edit and delete accounts, contacts and deals from the pages.

``/accounts/new``, ``/accounts/{id}/edit``, ``/accounts/{id}/delete`` and the same under
``/contacts`` and ``/deals`` (``/contacts/new?account_id=3`` and ``/deals/new?account_id=3``
start linked to an account). Each form parses into the REST API's schema and calls the
same service (see :mod:`buyermap.web.forms`); a save redirects (303) to the record's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from buyermap.errors import BuyermapError, ConflictError
from buyermap.schemas.common import MAX_INT
from buyermap.schemas.entities import (
    AccountCreate,
    AccountUpdate,
    ContactCreate,
    ContactUpdate,
    DealCreate,
    DealUpdate,
)
from buyermap.services import accounts, contacts, deals
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import (
    FormField,
    FormRejectedError,
    FormState,
    edit_state,
    form_status,
    parse_form,
    place_conflict,
    place_error,
    submitted,
    values_of,
)
from buyermap.web.pages import choices
from buyermap.web.templating import render

router = APIRouter()

RecordId = Annotated[int, Path(ge=1, le=MAX_INT)]


async def form_data(request: Request) -> FormData:
    """The submitted form (parsed once; the CSRF check read it already)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def account_fields(session: Session, *, creating: bool) -> list[FormField]:
    return [
        FormField("name", "Name", required=True),
        FormField("domain", "Web domain", hint="e.g. example.pl; one account per domain"),
        FormField("industry", "Industry"),
        FormField("employees", "Employees", kind="integer", hint="A whole number of people"),
        FormField("annual_revenue", "Annual revenue (USD)", kind="number"),
        FormField("founded_year", "Founded (year)", kind="integer", hint="1600 to 2100"),
        FormField("country", "Country"),
        FormField("region", "Region"),
        FormField(
            "parent_id",
            "Parent company",
            kind="account",
            hint="The holding this company belongs to",
        ),
        FormField("owner_id", "Owner", kind="select", choices=choices.owner_choices(session)),
        *choices.custom_fields(session, entity="account"),
    ]


def contact_fields(session: Session, *, creating: bool) -> list[FormField]:
    fields = [
        FormField("first_name", "First name"),
        FormField("last_name", "Last name"),
        FormField("email", "Email", kind="email", hint="One person per address"),
        FormField("phone", "Phone"),
        FormField("job_title", "Job title"),
        FormField("department", "Department"),
        FormField("seniority", "Seniority", kind="select", choices=choices.seniority_choices()),
    ]
    if creating:
        fields.append(
            FormField("account_id", "Works at", kind="account", hint="Adds a current position")
        )
    return fields + choices.custom_fields(session, entity="contact")


def deal_fields(session: Session, *, creating: bool) -> list[FormField]:
    fields = [
        FormField("name", "Deal name", required=True),
        FormField("account_id", "Account", kind="account"),
        FormField("amount", "Amount", kind="number", hint="In the currency below"),
        FormField("currency", "Currency", kind="select", choices=choices.currency_choices()),
        FormField("owner_id", "Owner", kind="select", choices=choices.owner_choices(session)),
        FormField("source", "Source", hint="e.g. Inbound, Referral, Trade fair"),
        FormField("channel", "Channel"),
        FormField("expected_close", "Expected close", kind="date"),
    ]
    if creating:
        fields += [
            FormField(
                "pipeline_id", "Pipeline", kind="select", choices=choices.pipeline_choices(session)
            ),
            FormField(
                "stage", "First stage", kind="select", choices=choices.first_stage_choices(session)
            ),
            FormField("opened_at", "Opened on", kind="date", hint="Today when left empty"),
        ]
    return fields + choices.custom_fields(session, entity="deal")


@dataclass(frozen=True, slots=True)
class Entity:
    """What the forms of one kind of record need."""

    kind: str  # "account"
    path: str  # "/accounts"
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    fields: Callable[..., list[FormField]]
    get: Callable[[Session, int], Any]
    create: Callable[[Session, Any], Any]
    update: Callable[[Session, int, Any], Any]
    delete: Callable[[Session, int], Any]
    name_of: Callable[[Any], str]
    hints: dict[str, str]  # a word of a service's message -> the field it is about
    gone: str  # what deleting takes with it, in words

    def title(self, record: Any) -> str:
        return self.name_of(record)


ACCOUNT = Entity(
    kind="account",
    path="/accounts",
    create_schema=AccountCreate,
    update_schema=AccountUpdate,
    fields=account_fields,
    get=lambda s, i: accounts.get_account(s, account_id=i),
    create=lambda s, d: accounts.create_account(s, data=d),
    update=lambda s, i, d: accounts.update_account(s, account_id=i, data=d),
    delete=lambda s, i: accounts.delete_account(s, account_id=i),
    name_of=lambda a: a.name,
    hints={"domain": "domain", "parent": "parent_id", "owner": "owner_id", "custom": ""},
    gone="Its positions (who works there), the notes about it alone and its own buying "
    "committee are deleted. Notes also about a person or a deal stay, and its deals stay, "
    "without an account.",
)
CONTACT = Entity(
    kind="contact",
    path="/contacts",
    create_schema=ContactCreate,
    update_schema=ContactUpdate,
    fields=contact_fields,
    get=lambda s, i: contacts.get_contact(s, contact_id=i),
    create=lambda s, d: contacts.create_contact(s, data=d),
    update=lambda s, i, d: contacts.update_contact(s, contact_id=i, data=d),
    delete=lambda s, i: contacts.delete_contact(s, contact_id=i),
    name_of=lambda c: c.full_name,
    hints={"email": "email", "account": "account_id"},
    gone="Their positions at accounts and the notes about them alone are deleted. Notes "
    "also about an account or a deal stay.",
)
DEAL = Entity(
    kind="deal",
    path="/deals",
    create_schema=DealCreate,
    update_schema=DealUpdate,
    fields=deal_fields,
    get=lambda s, i: deals.get_deal(s, deal_id=i),
    create=lambda s, d: deals.create_deal(s, data=d),
    update=lambda s, i, d: deals.update_deal(s, deal_id=i, data=d),
    delete=lambda s, i: deals.delete_deal(s, deal_id=i),
    name_of=lambda d: d.name,
    hints={
        "stage": "stage",
        "pipeline": "pipeline_id",
        "account": "account_id",
        "owner": "owner_id",
    },
    gone="Its stage history, its buying committee and the notes about it alone are "
    "deleted. Notes also about an account or a person stay.",
)


def _with_account_choices(session: Session, state: FormState) -> None:
    """Fill each account picker with the chosen account and the first others."""
    state.fields = [
        FormField(
            f.name,
            f.label,
            kind=f.kind,
            choices=choices.account_choices(session, selected=[state.value(f.name)]),
            required=f.required,
            hint=f.hint,
        )
        if f.kind == "account"
        else f
        for f in state.fields
    ]


def form_page(
    request: Request,
    session: Session,
    entity: Entity,
    state: FormState,
    *,
    record: Any = None,
    status: int = 200,
) -> Response:
    _with_account_choices(session, state)
    if record is None:
        action, cancel, heading = f"{entity.path}/new", entity.path, f"New {entity.kind}"
    else:
        base = f"{entity.path}/{record.id}"
        action, cancel, heading = f"{base}/edit", base, f"Edit {entity.title(record)}"
    return render(
        request,
        "record_form.html",
        {
            "entity": entity,
            "form": state,
            "record": record,
            "action": action,
            "cancel": cancel,
            "heading": heading,
        },
        status_code=status,
    )


def _rejected(
    request: Request,
    session: Session,
    entity: Entity,
    state: FormState,
    *,
    record: Any = None,
    status: int,
) -> FormRejectedError:
    return FormRejectedError(
        form_page(request, session, entity, state, record=record, status=status)
    )


def new_form(request: Request, session: Session, entity: Entity, **start: str) -> Response:
    fields = entity.fields(session, creating=True)
    values = {f.name: "" for f in fields} | {"currency": "USD"} | start
    return form_page(request, session, entity, FormState(fields, values))


def create(request: Request, session: Session, entity: Entity, form: FormData) -> Response:
    fields = entity.fields(session, creating=True)
    values, _ = submitted(form, fields)
    state = FormState(fields, values)
    status = 422
    data = parse_form(entity.create_schema, state)
    if data is not None:
        try:
            record = entity.create(session, data)
        except BuyermapError as exc:
            place_error(state, exc, hints=entity.hints)
            status = form_status(exc)
        else:
            return RedirectResponse(f"{entity.path}/{record.id}", status_code=303)
    raise _rejected(request, session, entity, state, status=status)


def edit_form(request: Request, session: Session, entity: Entity, record_id: int) -> Response:
    record = entity.get(session, record_id)
    fields = entity.fields(session, creating=False)
    values = values_of(record, fields)
    state = FormState(fields, values, original=dict(values), version=record.version)
    return form_page(request, session, entity, state, record=record)


def update(
    request: Request, session: Session, entity: Entity, record_id: int, form: FormData
) -> Response:
    record = entity.get(session, record_id)
    fields = entity.fields(session, creating=False)
    state, extra = edit_state(form, fields)
    status = 422
    data = parse_form(entity.update_schema, state, extra=extra, only_changed=True)
    if data is not None:
        try:
            entity.update(session, record_id, data)
        except ConflictError as exc:
            status = 409
            if not place_conflict(state, exc, saved=values_of(record, fields)):
                place_error(state, exc, hints=entity.hints)
        except BuyermapError as exc:
            place_error(state, exc, hints=entity.hints)
            status = form_status(exc)
        else:
            return RedirectResponse(f"{entity.path}/{record_id}", status_code=303)
    raise _rejected(request, session, entity, state, record=record, status=status)


def confirm_delete(request: Request, session: Session, entity: Entity, record_id: int) -> Response:
    record = entity.get(session, record_id)
    return render(
        request,
        "record_delete.html",
        {"entity": entity, "record": record, "name": entity.title(record)},
    )


def delete(request: Request, session: Session, entity: Entity, record_id: int) -> Response:
    record = entity.get(session, record_id)
    name = entity.title(record)
    summary = entity.delete(session, record_id)
    params: dict[str, str | int] = {"kind": entity.kind, "name": name}
    if isinstance(summary, BaseModel):
        params |= {k: v for k, v in summary.model_dump().items() if k != "id"}
    return RedirectResponse(f"/deleted?{urlencode(params)}", status_code=303)


# -- the routes: six per kind of record, from one table ----------------------------------

StartAccount = Annotated[
    int | None,
    Query(ge=1, le=MAX_INT, description="Start linked to this account (its id)"),
]

# (method, path after the record's path, summary with {a} for "an account", description)
ROUTES = (
    (
        "GET",
        "/new",
        "New {kind}",
        "The form for a new {kind} (``?account_id=`` starts "
        "linked to that account, for contacts and deals).",
    ),
    (
        "POST",
        "/new",
        "Create {a}",
        "Create the {kind} and go to its page; a rejected form comes back with the reasons.",
    ),
    (
        "GET",
        "/{record_id}/edit",
        "Edit {a}",
        "The {kind}'s form, with its version for detecting a concurrent save.",
    ),
    (
        "POST",
        "/{record_id}/edit",
        "Save {a}",
        "Save the changed fields; a stale version "
        "shows both values of each field, to pick per field.",
    ),
    (
        "GET",
        "/{record_id}/delete",
        "Confirm deleting {a}",
        "Asks before deleting and says what goes with the {kind}.",
    ),
    (
        "POST",
        "/{record_id}/delete",
        "Delete {a}",
        "Delete the {kind}; the next page says what went with it.",
    ),
)


def _handlers(entity: Entity) -> tuple[Callable[..., Response], ...]:
    """The six route functions of one kind of record, in the order of :data:`ROUTES`."""

    def new(request: Request, session: SessionDep, account_id: StartAccount = None) -> Response:
        linked = account_id is not None and entity.kind != "account"
        start = {"account_id": str(account_id)} if linked else {}
        return new_form(request, session, entity, **start)

    def make(request: Request, session: SessionDep, form: FormDep) -> Response:
        return create(request, session, entity, form)

    def edit(request: Request, session: SessionDep, record_id: RecordId) -> Response:
        return edit_form(request, session, entity, record_id)

    def save(request: Request, session: SessionDep, record_id: RecordId, form: FormDep) -> Response:
        return update(request, session, entity, record_id, form)

    def ask(request: Request, session: SessionDep, record_id: RecordId) -> Response:
        return confirm_delete(request, session, entity, record_id)

    def remove(request: Request, session: SessionDep, record_id: RecordId) -> Response:
        return delete(request, session, entity, record_id)

    return new, make, edit, save, ask, remove


for _entity in (ACCOUNT, CONTACT, DEAL):
    _a = ("an " if _entity.kind[0] in "aeiou" else "a ") + _entity.kind
    for (_method, _tail, _summary, _doc), _handler in zip(ROUTES, _handlers(_entity), strict=True):
        router.add_api_route(
            _entity.path + _tail,
            _handler,
            methods=[_method],
            summary=_summary.format(kind=_entity.kind, a=_a),
            description=_doc.format(kind=_entity.kind),
            dependencies=[WRITE] if _method == "POST" else None,
            name=f"{_handler.__name__}_{_entity.kind}",
        )


# -- shared --------------------------------------------------------------------------------

DELETED_COUNTS = (
    ("positions", "position of a person at it", "positions of people at it", "deleted"),
    ("notes_deleted", "note about it alone", "notes about it alone", "deleted"),
    ("notes_kept", "note also about a person or deal", "notes also about a person or deal", "kept"),
    ("committee_members", "member of its own committee", "members of its own committee", "deleted"),
    (
        "committee_members_kept",
        "member of its deals' committees",
        "members of its deals' committees",
        "kept with their deal",
    ),
    ("deals_unlinked", "deal", "deals", "kept, now without an account"),
)


@router.get("/deleted", summary="Deleted")
def deleted(request: Request, kind: str = "record", name: str = "") -> Response:
    """What a delete took with it (the page a delete redirects to)."""
    lines = []
    for key, one, many, verb in DELETED_COUNTS:
        raw = request.query_params.get(key)
        if raw is not None and raw.isdigit() and int(raw) > 0:
            n = int(raw)
            lines.append(f"{n:,} {one if n == 1 else many} {verb}")
    paths = {"account": "/accounts", "contact": "/contacts", "deal": "/deals"}
    return render(
        request,
        "deleted.html",
        {"kind": kind, "name": name, "lines": lines, "back": paths.get(kind, "/")},
    )


@router.get("/accounts/choices", summary="Accounts to choose from")
def account_options(
    request: Request, session: SessionDep, field: str = "account_id", account_search: str = ""
) -> Response:
    """The options of an account picker for what was typed (HTMX search as you type)."""
    selected = request.query_params.get(field, "")
    options = choices.account_choices(session, q=account_search.strip(), selected=[selected])
    return render(request, "_account_options.html", {"options": options, "selected": selected})
