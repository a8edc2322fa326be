"""Mutual fit in the web: our seller profile at ``/profile`` and, on each account page, the
buyer's supplier criteria with how well we meet them (``#supplier-criteria``).

Forms post and redirect back (303); a rejected form shows the page again with what was
typed and the message next to the field (422, or 409 for a criterion the account has).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from buyermap.domain.mutual import Operator
from buyermap.errors import BuyermapError
from buyermap.schemas.mutual import CriterionCreate
from buyermap.seams.mutual import account_mutual
from buyermap.services import mutual as svc
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import (
    FormField,
    FormRejectedError,
    FormState,
    form_status,
    parse_form,
    place_error,
    submitted,
)
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import render

router = APIRouter()

OPERATOR_WORDS: dict[str, str] = {
    Operator.INCLUDES.value: "includes",
    Operator.EQUALS.value: "is exactly",
    Operator.AT_LEAST.value: "at least",
    Operator.AT_MOST.value: "at most",
}


def criterion_fields() -> list[FormField]:
    return [
        FormField(
            "criterion",
            "What they judge",
            required=True,
            hint="A key of our profile, e.g. regions served",
            datalist="profile-keys",
        ),
        FormField("operator", "How", kind="select", choices=tuple(OPERATOR_WORDS.items())),
        FormField("value", "What they ask for", required=True, hint="Several: separate with ;"),
        FormField("weight", "Weight", kind="number", hint="1 when left empty; 0 to 1,000"),
        FormField("must_have", "A must-have", kind="checkbox"),
    ]


def criteria_context(
    session: Session, *, account_id: int, state: FormState | None = None
) -> dict[str, Any]:
    """The supplier-criteria region of an account page."""
    return {
        "mutual": account_mutual(session, account_id=account_id),
        "criterion_form": state or FormState(criterion_fields(), {"operator": "includes"}),
        "profile_keys": list(svc.seller_profile(session)),
        "operator_words": OPERATOR_WORDS,
    }


M = TypeVar("M", bound=BaseModel)


def _submit(
    form: Any, fields: list[FormField], schema: type[M], save: Callable[[M], None]
) -> tuple[FormState, int | None]:
    """Parse a posted form into ``schema`` and save it: the state and None when saved, else
    the state with its messages placed and the status to show it again with."""
    values, _ = submitted(form, fields)
    state = FormState(fields, values)
    data = parse_form(schema, state)
    if data is None:
        return state, 422
    try:
        save(data)
    except BuyermapError as exc:
        place_error(state, exc)
        return state, form_status(exc)
    return state, None


@router.post(
    "/accounts/{account_id}/supplier-criteria",
    summary="Add a buyer's supplier criterion",
    dependencies=[WRITE],
)
def add_criterion(
    request: Request, session: SessionDep, account_id: RecordId, form: FormDep
) -> Response:
    """Add what the buyer asks of a supplier; back to the account page."""
    # The account page shows the form again; it imports this module for criteria_context.
    from buyermap.web.pages.accounts import account_context

    def save(data: CriterionCreate) -> None:
        svc.add_criterion(
            session, account_id=account_id, data=svc.CriterionInput(**data.model_dump(mode="json"))
        )

    state, status = _submit(form, criterion_fields(), CriterionCreate, save)
    if status is None:
        return RedirectResponse(f"/accounts/{account_id}#supplier-criteria", status_code=303)
    context = account_context(session, account_id=account_id, criteria_state=state)
    raise FormRejectedError(render(request, "account_detail.html", context, status_code=status))


@router.post(
    "/supplier-criteria/{criterion_id}/delete",
    summary="Delete a supplier criterion",
    dependencies=[WRITE],
)
def delete_criterion(session: SessionDep, criterion_id: RecordId) -> Response:
    """Delete one criterion; back to its account's page."""
    account_id = svc.get_criterion(session, criterion_id=criterion_id).account_id
    svc.delete_criterion(session, criterion_id=criterion_id)
    return RedirectResponse(f"/accounts/{account_id}#supplier-criteria", status_code=303)


class ProfileForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1, max_length=120)
    values: str = Field(min_length=1, max_length=20_000)


def profile_fields() -> list[FormField]:
    return [
        FormField("key", "Key", required=True, hint="e.g. regions served, certifications"),
        FormField("values", "Values", required=True, hint="Several: separate with ;"),
    ]


def _profile_page(
    request: Request, session: Session, state: FormState | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "profile.html",
        {
            "profile": svc.seller_profile(session),
            "profile_form": state or FormState(profile_fields()),
        },
        status_code=status,
    )


@router.get("/profile", summary="Our seller profile")
def profile_page(request: Request, session: SessionDep) -> Response:
    """What buyers' supplier criteria are judged against: our regions, certifications,
    languages, terms, ..."""
    return _profile_page(request, session)


@router.post("/profile", summary="Set a key of our profile", dependencies=[WRITE])
def set_profile_key(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Set one key's values (a new key, or new values for one we have)."""

    def save(data: ProfileForm) -> None:
        svc.set_profile_values(session, key=data.key, values=[data.values])

    state, status = _submit(form, profile_fields(), ProfileForm, save)
    if status is None:
        return RedirectResponse("/profile", status_code=303)
    raise FormRejectedError(_profile_page(request, session, state, status))


@router.post("/profile/remove", summary="Remove a key of our profile", dependencies=[WRITE])
def remove_profile_key(session: SessionDep, form: FormDep) -> Response:
    """Remove one key (named in the form's ``key``)."""
    svc.remove_profile_key(session, key=str(form.get("key", "")))
    return RedirectResponse("/profile", status_code=303)
