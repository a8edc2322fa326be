"""Moving deals between stages: the board at ``/deals/board`` and the deal page's move form.

Both post to ``POST /deals/{id}/move``, which records a stage change through
``services.deals.move_deal`` (who: the chosen person, else the current user; when: the
chosen day, else now). From the board (HTMX, a hidden ``board`` field naming the
pipeline) the answer is the board again; from the deal page, a redirect to the deal (303;
HTMX gets ``HX-Redirect``), or the move form with the reason when the move is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.db.models import Deal
from buyermap.db.types import utcnow
from buyermap.domain.enums import StageKind
from buyermap.errors import BuyermapError
from buyermap.schemas.common import MAX_INT
from buyermap.schemas.entities import StageChangeCreate
from buyermap.services import deals as deal_svc
from buyermap.services.board import lost_reason_names, open_stages, pipeline_board
from buyermap.web.deps import WRITE, CurrentUser, CurrentUserDep, SessionDep, WriterDep
from buyermap.web.forms import (
    FormField,
    FormRejectedError,
    FormState,
    form_status,
    parse_form,
    place_error,
)
from buyermap.web.pages import choices
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import is_htmx, render

router = APIRouter()

MOVE_HINTS = {"stage": "to_stage", "lost reason": "lost_reason", "earlier": "changed_at"}


def move_fields(session: Session, deal: Deal, user: CurrentUser) -> list[FormField]:
    stages = tuple(
        (s.name, s.name + {"won": " (won)", "lost": " (lost)"}.get(s.kind, ""))
        for s in open_stages(deal.pipeline)
    )
    return [
        FormField("to_stage", "Move to stage", kind="select", choices=stages, required=True),
        FormField("changed_at", "On", kind="date", hint="Now when left empty"),
        FormField(
            "changed_by_id",
            "Moved by",
            kind="select",
            choices=choices.owner_choices(session, empty=f"Me ({user.name})"),
        ),
        FormField(
            "lost_reason",
            "Lost reason",
            hint="Only for a move to a lost stage, e.g. Budget cut",
            datalist="lost-reasons",
        ),
    ]


def move_context(
    session: Session, deal: Deal, user: CurrentUser, state: FormState | None = None
) -> dict[str, Any]:
    """What the deal page's move form needs (``move``, ``lost_reasons``)."""
    if state is None:
        fields = move_fields(session, deal, user)
        current = deal.stage.name if deal.stage is not None else ""
        values = {"to_stage": current, "changed_by_id": str(user.id or "")}
        state = FormState(fields, values)
    return {"move": state, "lost_reasons": lost_reason_names(session)}


def _board_context(
    session: Session, pipeline_id: int | None, *, message: str | None = None
) -> dict[str, Any]:
    board = pipeline_board(session, pipeline_id=pipeline_id)
    return {
        "board": board,
        "pipelines": choices.pipeline_choices(session),
        "lost_reasons": lost_reason_names(session),
        "now": utcnow(),
        "board_message": message,
        "lost_kind": StageKind.LOST.value,
    }


@router.get("/deals/board", summary="Pipeline board")
def board_page(
    request: Request,
    session: SessionDep,
    pipeline_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    """The open stages of a pipeline as columns of deal cards; HTMX gets the ``board`` block."""
    return render(request, "board.html", _board_context(session, pipeline_id), block="board")


@router.post("/deals/{deal_id}/move", summary="Move a deal", dependencies=[WRITE])
def move_deal(
    request: Request, session: SessionDep, deal_id: RecordId, form: FormDep, user: WriterDep
) -> Response:
    """Record a stage change (who and when); answers the board or goes to the deal."""
    deal = deal_svc.get_deal(session, deal_id=deal_id)
    board = form.get("board")
    fields = move_fields(session, deal, user)
    state = FormState(fields, {})
    for f in fields:
        raw = form.get(f.name)
        state.values[f.name] = raw.strip() if isinstance(raw, str) else ""
    if not state.values["changed_by_id"] and user.id is not None:
        state.values["changed_by_id"] = str(user.id)
    status = 422
    data = parse_form(StageChangeCreate, state, extra={"deal_id": deal_id})
    if data is not None:
        try:
            deal_svc.move_deal(session, data=data)
        except BuyermapError as exc:
            place_error(state, exc, hints=MOVE_HINTS)
            status = form_status(exc)
        else:
            if isinstance(board, str) and board:
                context = _board_context(session, int(board) if board.isdigit() else None)
                return render(request, "board.html", context, block="board")
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": f"/deals/{deal_id}"})
            return RedirectResponse(f"/deals/{deal_id}", status_code=303)
    if isinstance(board, str) and board:
        problems = "; ".join(
            [m for ms in state.errors.values() for m in ms]
            + ([state.message] if state.message else [])
        )
        context = _board_context(
            session,
            int(board) if board.isdigit() else None,
            message=f"{deal.name} was not moved: {problems}",
        )
        raise FormRejectedError(
            render(request, "board.html", context, block="board", status_code=status)
        )
    context = {"deal": deal, **move_context(session, deal, user, state)}
    raise FormRejectedError(
        render(request, "deal_move.html", context, block="move", status_code=status)
    )


@router.get("/deals/{deal_id}/move", summary="Move a deal (form)")
def move_form(
    request: Request, session: SessionDep, deal_id: RecordId, user: CurrentUserDep
) -> Response:
    """The move form of a deal on a page of its own."""
    deal = deal_svc.get_deal(session, deal_id=deal_id)
    return render(request, "deal_move.html", {"deal": deal, **move_context(session, deal, user)})
