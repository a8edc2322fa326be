"""The relationship map in the web: the account page's and the deal page's "Relationship
map" region (``#relmap-body``: the inline SVG with clickable people, a person's card, "Add a
tie", remove buttons, SVG/PNG downloads) over HTMX.

``GET /accounts/{id}/relationship-map`` shows the region (``?deal=ID``: that deal's
committee), ``GET .../people/{contact_id}`` a person's card, ``POST .../ties`` adds a tie and
``POST /ties/{id}/delete`` removes one; each post answers the region (HTMX) or redirects
back to the page (a plain form). A rejected tie shows the region again with the message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from buyermap.charts import relationship_map as draw
from buyermap.domain.relationships import BUILT_IN, TYPE_NAMES
from buyermap.errors import BuyermapError, NotFoundError
from buyermap.schemas.relationships import MapDocument
from buyermap.seams.relationship_map import relationship_map
from buyermap.services import relationships as svc
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import form_status
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import is_htmx, render

router = APIRouter()
DealParam = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _base(account_id: int, deal_id: int | None) -> tuple[str, str]:
    """The region's URL and the query that keeps the deal."""
    query = f"?deal={deal_id}" if deal_id else ""
    return f"/accounts/{account_id}/relationship-map", query


def relmap_context(
    session: Session,
    *,
    account_id: int,
    deal_id: int | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The region: the map, its SVG, the form's choices, and a message when a tie failed."""
    doc = relationship_map(session, account_id=account_id, deal_id=deal_id)
    url, query = _base(account_id, deal_id)
    names = {n.contact_id: n.name for n in doc.nodes}
    svg = draw.svg(doc, node_url=lambda c: f"{url}/people/{c}{query}") if doc.nodes else ""
    return {
        "relmap": doc,
        "relmap_svg": Markup(svg),
        "relmap_url": url,
        "relmap_query": query,
        "relmap_names": names,
        "relmap_types": [(t.key, TYPE_NAMES[t.key]) for t in BUILT_IN],
        "relmap_error": error,
        "relmap_typed": typed or {},
    }


def _region(request: Request, session: Session, **kw: Any) -> Response:
    status = kw.pop("status_code", 200)
    return render(
        request,
        "relationship_map.html",
        relmap_context(session, **kw),
        block="relmap",
        status_code=status,
    )


def _int(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _back(account_id: int, deal_id: int | None) -> str:
    return (
        f"/deals/{deal_id}#relationship-map"
        if deal_id
        else f"/accounts/{account_id}#relationship-map"
    )


@router.get("/accounts/{account_id}/relationship-map", summary="Relationship map")
def map_page(
    request: Request, session: SessionDep, account_id: RecordId, deal: DealParam = None
) -> Response:
    """The map of the account's committees (or one deal's); HTMX gets the region."""
    return _region(request, session, account_id=account_id, deal_id=deal)


def _card(doc: MapDocument, contact_id: int) -> dict[str, Any]:
    node = next((n for n in doc.nodes if n.contact_id == contact_id), None)
    if node is None:
        raise NotFoundError(f"contact {contact_id} is not on this relationship map")
    names = {n.contact_id: n.name for n in doc.nodes}
    ties = [e for e in doc.edges if contact_id in (e.from_, e.to)]
    return {"node": node, "ties": ties, "names": names}


@router.get(
    "/accounts/{account_id}/relationship-map/people/{contact_id}", summary="A person's card"
)
def person_card(
    request: Request,
    session: SessionDep,
    account_id: RecordId,
    contact_id: RecordId,
    deal: DealParam = None,
) -> Response:
    """Role, influence, attitude, positions, persona and ties of one person on the map."""
    context = relmap_context(session, account_id=account_id, deal_id=deal)
    context.update(_card(context["relmap"], contact_id))
    return render(request, "relationship_map.html", context, block="card")


@router.post(
    "/accounts/{account_id}/relationship-map/ties", summary="Add a tie", dependencies=[WRITE]
)
def add_tie(request: Request, session: SessionDep, account_id: RecordId, form: FormDep) -> Response:
    """Add a tie between two people of the map (type in words, evidence optional)."""
    typed = {k: str(form.get(k) or "") for k in ("from", "to", "type", "own_type", "evidence")}
    deal_id = _int(form.get("deal"))
    kind = typed["own_type"].strip() or typed["type"]
    error, status = None, 422
    if not typed["from"].isdigit() or not typed["to"].isdigit():
        error = "choose the two people of the tie (from and to)"
    else:
        try:
            svc.add_tie(
                session,
                from_id=int(typed["from"]),
                to_id=int(typed["to"]),
                data=svc.TieInput(type=kind, evidence=typed["evidence"]),
            )
        except BuyermapError as exc:
            error, status = exc.message, form_status(exc)
    if error is None and not is_htmx(request):
        return RedirectResponse(_back(account_id, deal_id), status_code=303)
    if error is None:
        return _region(request, session, account_id=account_id, deal_id=deal_id)
    return _region(
        request,
        session,
        account_id=account_id,
        deal_id=deal_id,
        error=error,
        typed=typed,
        status_code=status,
    )


@router.post("/ties/{tie_id}/delete", summary="Remove a tie", dependencies=[WRITE])
def delete_tie(request: Request, session: SessionDep, tie_id: RecordId, form: FormDep) -> Response:
    """Remove the tie (the people stay); HTMX gets the map's region again."""
    account_id = _int(form.get("account")) or 0
    deal_id = _int(form.get("deal"))
    svc.remove_tie(session, tie_id=tie_id)
    if not is_htmx(request) or not account_id:
        return RedirectResponse(_back(account_id, deal_id), status_code=303)
    return _region(request, session, account_id=account_id, deal_id=deal_id)
