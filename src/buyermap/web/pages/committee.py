"""The buying committee in the web: the deal page's committee region (``#committee-body``:
members with their share, completeness and risks in words; add a person by search, change
role, influence and attitude in place, remove) over HTMX, and the risk list across open
deals at ``/committee/risks``.

The account page's standing decision group (members with no deal) is the same region:
``POST /accounts/{id}/committee`` adds a person there. ``POST /deals/{id}/committee`` adds a
person, ``POST /committee-members/{id}/edit`` saves a
member's row (each select saves on change), ``POST /committee-members/{id}/delete`` removes
one; each answers the region (HTMX) or redirects to the deal page (a plain form). A rejected
form shows the region again with what was typed and the message next to the field (422, or
409 for a clash). ``GET /contacts/choices`` lists people for the search.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import personas_of_contacts
from buyermap.domain.committee import ATTITUDE_LABELS
from buyermap.domain.enums import Attitude
from buyermap.domain.labels import influence
from buyermap.errors import BuyermapError
from buyermap.schemas.committee import MemberCreate, MemberUpdate
from buyermap.seams import committee as seam
from buyermap.services import committee as svc
from buyermap.services.contacts import list_contacts
from buyermap.services.filters import ContactFilter
from buyermap.services.listing import ListQuery
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.forms import (
    FormField,
    FormRejectedError,
    FormState,
    edit_state,
    form_status,
    parse_form,
    place_error,
    submitted,
)
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import is_htmx, render

router = APIRouter()

CONTACT_CHOICES = 20
SORTS = {"amount": "amount at risk", "risk": "number of risks", "deal": "deal"}


def influence_choices() -> tuple[tuple[str, str], ...]:
    return (("", "Not rated"), *((str(i), influence(i)) for i in range(1, 6)))


def attitude_choices() -> tuple[tuple[str, str], ...]:
    return tuple((a.value, ATTITUDE_LABELS[a.value].capitalize()) for a in Attitude)


def role_choices(session: Session) -> tuple[tuple[str, str], ...]:
    return tuple(svc.role_catalogue(session).items())


def member_fields(session: Session) -> list[FormField]:
    return [
        FormField("contact_id", "Person", kind="select", required=True, hint="Type to find"),
        FormField("role", "Role", kind="select", choices=role_choices(session), required=True),
        FormField("influence", "Influence", kind="select", choices=influence_choices()),
        FormField("attitude", "Attitude to us", kind="select", choices=attitude_choices()),
    ]


def row_fields(session: Session) -> list[FormField]:
    return [
        FormField("role", "Role", kind="select", choices=role_choices(session)),
        FormField("influence", "Influence", kind="select", choices=influence_choices()),
        FormField("attitude", "Attitude to us", kind="select", choices=attitude_choices()),
        FormField("verified_at", "Verified on", kind="date"),
    ]


def person_choices(
    session: Session, *, q: str = "", selected: str = ""
) -> tuple[tuple[str, str], ...]:
    """ "Choose a person", then the people whose name, email or title matches ``q``."""
    listed = list_contacts(
        session,
        query=ListQuery(q=q or None, page_size=CONTACT_CHOICES),
        filters=ContactFilter(),
    )
    out: dict[str, str] = {"": "Choose a person"}
    for c in listed.items:
        out[str(c.id)] = c.full_name + (f" ({c.email})" if c.email else "")
    if selected and selected not in out:
        out[selected] = f"person {selected}"
    return tuple(out.items())


def committee_context(
    session: Session,
    *,
    deal_id: int | None = None,
    account_id: int | None = None,
    stale_days: int,
    state: FormState | None = None,
    row_error: tuple[int, str] | None = None,
) -> dict[str, Any]:
    """The committee region of a deal page, or of an account page (its standing decision
    group: no deal, so no completeness and no risks; who left still shows)."""
    fields = member_fields(session)
    form = state or FormState(fields, {"attitude": "unknown", "role": "champion"})
    chosen = form.value("contact_id")
    form.fields[0] = FormField(
        "contact_id",
        "Person",
        kind="select",
        required=True,
        choices=person_choices(session, selected=chosen),
    )
    if deal_id is not None:
        doc = seam.deal_committee(session, deal_id=deal_id, stale_days=stale_days)
        url = f"/deals/{deal_id}/committee"
    else:
        doc = seam.account_committee(session, account_id=account_id)
        url = f"/accounts/{account_id}/committee"
    return {
        "committee": doc,
        "personas": personas_of_contacts(session, contact_ids=[m.contact_id for m in doc.members]),
        "committee_url": url,
        "member_form": form,
        "role_choices": role_choices(session),
        "role_labels": {r.key: r.label for r in svc.role_entries(session, hidden=True)},
        "influence_choices": influence_choices(),
        "attitude_choices": attitude_choices(),
        "row_error": row_error,
        "stale_days": stale_days,
    }


def _region(
    request: Request,
    session: Session,
    deal_id: int | None,
    stale_days: int,
    account_id: int | None = None,
    **extra: Any,
) -> Response:
    status = extra.pop("status_code", 200)
    context = committee_context(
        session, deal_id=deal_id, account_id=account_id, stale_days=stale_days, **extra
    )
    return render(request, "committee.html", context, block="committee", status_code=status)


def _page(deal_id: int | None, account_id: int | None) -> str:
    """Where a plain form goes back to: the deal's committee or the account's group."""
    if deal_id is not None:
        return f"/deals/{deal_id}#committee"
    return f"/accounts/{account_id}#standing-group"


def _add(
    request: Request,
    session: Session,
    stale_days: int,
    form: Any,
    *,
    deal_id: int | None,
    account_id: int | None,
) -> Response:
    fields = member_fields(session)
    values, _ = submitted(form, fields)
    state = FormState(fields, values)
    data = parse_form(MemberCreate, state)
    status = 422
    if data is not None:
        try:
            svc.add_member(
                session,
                contact_id=data.contact_id,
                deal_id=deal_id,
                account_id=account_id,
                data=svc.MemberInput(
                    role=data.role, influence=data.influence, attitude=data.attitude
                ),
            )
        except BuyermapError as exc:
            place_error(state, exc)
            status = form_status(exc)
        else:
            if not is_htmx(request):
                return RedirectResponse(_page(deal_id, account_id), status_code=303)
            return _region(request, session, deal_id, stale_days, account_id)
    raise FormRejectedError(
        _region(request, session, deal_id, stale_days, account_id, state=state, status_code=status)
    )


@router.post(
    "/deals/{deal_id}/committee", summary="Add a person to the committee", dependencies=[WRITE]
)
def add_member(
    request: Request, session: SessionDep, settings: SettingsDep, deal_id: RecordId, form: FormDep
) -> Response:
    """Place a person on the deal's committee with a role, influence and attitude."""
    svc.deal_row(session, deal_id=deal_id)  # 404 for no such deal
    return _add(
        request, session, settings.committee_stale_days, form, deal_id=deal_id, account_id=None
    )


@router.post(
    "/accounts/{account_id}/committee",
    summary="Add a person to the account's standing decision group",
    dependencies=[WRITE],
)
def add_standing_member(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    account_id: RecordId,
    form: FormDep,
) -> Response:
    """Place a person in the account's standing decision group (no deal) with a role,
    influence and attitude."""
    svc.get_account(session, account_id=account_id)  # 404 for no such account
    return _add(
        request, session, settings.committee_stale_days, form, deal_id=None, account_id=account_id
    )


@router.post(
    "/committee-members/{member_id}/edit",
    summary="Save a committee member",
    dependencies=[WRITE],
)
def save_member(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    member_id: RecordId,
    form: FormDep,
) -> Response:
    """Save the member's changed role, influence, attitude or verification date; a save
    started from an older version is refused (409) with both values in words."""
    member = svc.get_member(session, member_id=member_id)
    deal_id = member.deal_id
    account_id = None if deal_id is not None else member.account_id
    days = settings.committee_stale_days
    state, extra = edit_state(form, row_fields(session))
    data = parse_form(MemberUpdate, state, extra=extra, only_changed=True)
    problem: str | None = "; ".join(m for ms in state.errors.values() for m in ms) or None
    status = 422
    if data is not None:
        changes = data.model_dump(exclude_unset=True)
        version = changes.pop("version", None)
        try:
            svc.update_member(session, member_id=member_id, changes=changes, version=version)
        except BuyermapError as exc:
            problem, status = exc.message, form_status(exc)
        else:
            problem = None
    if problem is None:
        if not is_htmx(request):
            return RedirectResponse(_page(deal_id, account_id), status_code=303)
        return _region(request, session, deal_id, days, account_id)
    raise FormRejectedError(
        _region(
            request,
            session,
            deal_id,
            days,
            account_id,
            row_error=(member_id, problem),
            status_code=status,
        )
    )


@router.post(
    "/committee-members/{member_id}/delete",
    summary="Take a person off the committee",
    dependencies=[WRITE],
)
def delete_member(
    request: Request, session: SessionDep, settings: SettingsDep, member_id: RecordId
) -> Response:
    """Remove the member (the person stays); HTMX gets the region again."""
    member = svc.get_member(session, member_id=member_id)
    deal_id = member.deal_id
    account_id = None if deal_id is not None else member.account_id
    svc.remove_member(session, member_id=member_id)
    if not is_htmx(request):
        return RedirectResponse(_page(deal_id, account_id), status_code=303)
    return _region(request, session, deal_id, settings.committee_stale_days, account_id)


@router.get("/contacts/choices", summary="People to choose from")
def contact_options(
    request: Request,
    session: SessionDep,
    contact_search: Annotated[str, Query(max_length=200)] = "",
    contact_id: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The options of a person picker for what was typed (HTMX search as you type)."""
    options = person_choices(session, q=contact_search.strip(), selected=contact_id)
    first = options[1][0] if len(options) > 1 and contact_search.strip() else contact_id
    return render(request, "_account_options.html", {"options": options, "selected": first})


@router.get("/committee/risks", summary="Committee risks")
def risks_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sort: Annotated[seam.RiskSort, Query()] = "amount",
) -> Response:
    """Open deals with a committee risk, in words, sorted by amount at risk (or by the
    number of risks); an empty state says what to do."""
    doc = seam.risk_list(session, sort=sort, stale_days=settings.committee_stale_days)
    return render(
        request,
        "committee_risks.html",
        {
            "doc": doc,
            "flagged": [d for d in doc.deals if d.flags],
            "sort": sort,
            "sorts": SORTS,
            "open_deals": len(doc.deals),
        },
    )


CUT_TITLES = {
    "coverage": "How many people we talk to",
    "economic_buyer": "Whether and when the economic buyer took part",
    "top_attitude": "The attitude of the most influential member",
}


@router.get("/committee/wins", summary="What wins")
def wins_page(request: Request, session: SessionDep) -> Response:
    """Win rates of closed deals by committee coverage, the economic buyer's part and the
    attitude of the most influential member, each with its 95% interval, the findings in
    words and the caveat; below the evidence floor, what to import instead."""
    try:
        doc: seam.WinsDocument | None = seam.wins(session)
        refused = None
    except BuyermapError as exc:
        doc, refused = None, str(exc)
    cuts = {cut: [g for g in doc.groups if g.cut == cut] if doc else [] for cut in CUT_TITLES}
    return render(
        request,
        "committee_wins.html",
        {"doc": doc, "refused": refused, "cuts": cuts, "titles": CUT_TITLES},
    )
