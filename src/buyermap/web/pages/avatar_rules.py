"""The rules editor: ``/avatars/{name}/rules`` and ``/avatars/rules/new``.

For a rules avatar the page lists its criteria as a form, one row each (field, how,
value, weight, kind, reason, remove), with an empty row to add one and a button for
another; saving makes a new version and rescores every account, and the page shows the
versions and how the accounts now score. For a learned avatar it lists the rules the
avatar proposes, with a checkbox each, to accept into a rules avatar under a name.

Forms post and redirect (303); a rejected form is shown again with what was typed and
the message beside the row (422, or 409 for a name that belongs to a learned avatar).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from buyermap.charts.avatar_rules import tiers as tier_chart
from buyermap.charts.render import to_svg
from buyermap.db.models import Avatar
from buyermap.domain.avatar_rules import RuleKind
from buyermap.domain.criteria import Operator
from buyermap.errors import BuyermapError
from buyermap.seams.avatar import avatar_of
from buyermap.seams.avatar_rules import (
    AcceptRequest,
    RuleIn,
    RulesRequest,
    TiersIn,
    accept_rules,
    proposed_rules,
    rules_avatar,
    ruleset_of,
    save_rules,
    scores_of,
)
from buyermap.services import avatars as svc
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import FormRejectedError, form_status
from buyermap.web.pages.editing import FormDep
from buyermap.web.templating import render

router = APIRouter()

OPERATOR_WORDS: dict[str, str] = {
    Operator.IN.value: "is one of",
    Operator.EQUALS.value: "is",
    Operator.INCLUDES.value: "includes",
    Operator.AT_LEAST.value: "at least",
    Operator.AT_MOST.value: "at most",
    Operator.BETWEEN.value: "between (low; high)",
}
KIND_WORDS: dict[str, str] = {
    RuleKind.CRITERION.value: "counts for the fit",
    RuleKind.MUST_HAVE.value: "must-have",
    RuleKind.DISQUALIFIER.value: "disqualifier",
}
MAX_ROWS = 200
ROW_FIELDS = ("field", "operator", "value", "weight", "kind", "reason")


def _rows_of(form: FormData) -> list[dict[str, str]]:
    """The editor's rows as typed (``r3.field`` ...), without the removed and blank ones."""
    try:
        count = min(int(str(form.get("rows", "0"))), MAX_ROWS)
    except ValueError:
        count = 0
    out: list[dict[str, str]] = []
    for i in range(count):
        row = {f: str(form.get(f"r{i}.{f}", "")).strip() for f in ROW_FIELDS}
        if form.get(f"r{i}.remove") or not (row["field"] and row["value"]):
            continue
        out.append(row)
    return out


def _tiers_of(form: FormData) -> dict[str, str]:
    return {t: str(form.get(f"tier_{t.lower()}", "")).strip() for t in "ABC"}


def _request(rows: list[dict[str, str]], tiers: dict[str, str]) -> RulesRequest:
    def number(text: str, default: float) -> float:
        try:
            return float(text.replace(",", ".")) if text else default
        except ValueError:
            return float("nan")

    return RulesRequest.model_construct(
        rules=[
            RuleIn.model_construct(
                field=r["field"],
                operator=r["operator"],
                value=r["value"],
                weight=r["weight"] or None,
                kind=r["kind"] or "criterion",
                reason=r["reason"][:300],
            )
            for r in rows
        ],
        tiers=TiersIn(
            A=number(tiers["A"], 75.0), B=number(tiers["B"], 50.0), C=number(tiers["C"], 25.0)
        ),
    )


def _base(session: Session) -> dict[str, Any]:
    return {
        "operator_words": OPERATOR_WORDS,
        "kind_words": KIND_WORDS,
        "fields": svc.rule_fields(session),
    }


def _editor(
    request: Request,
    session: Session,
    *,
    avatar: Avatar | None,
    rows: list[dict[str, str]] | None = None,
    tiers: dict[str, str] | None = None,
    name: str = "",
    error: str | None = None,
    error_row: int | None = None,
    blank: int = 1,
    status: int = 200,
) -> Response:
    doc = None
    scores = None
    chart = None
    if avatar is not None:
        doc = rules_avatar(session, name=avatar.name, version=avatar.version)
        scores = scores_of(session, avatar=avatar)
        if scores.top:
            chart = to_svg(
                tier_chart(scores.tiers),
                title="Accounts by tier: " + ", ".join(f"{t} {n}" for t, n in scores.tiers.items()),
            )
        if rows is None:
            rows = [
                {
                    "field": r.field,
                    "operator": r.operator,
                    "value": "; ".join(r.values),
                    "weight": f"{r.weight:g}",
                    "kind": r.kind,
                    "reason": r.reason,
                }
                for r in doc.rules
            ]
        if tiers is None:
            tiers = {t: f"{v:g}" for t, v in doc.tiers.items()}
    rows = list(rows or [])
    rows += [dict.fromkeys(ROW_FIELDS, "") for _ in range(blank)]
    context = _base(session) | {
        "doc": doc,
        "scores": scores,
        "chart": chart,
        "rows": rows,
        "tiers": tiers or {"A": "75", "B": "50", "C": "25"},
        "name": name,
        "error": error,
        "error_row": error_row,
        "action": f"/avatars/{quote(avatar.name)}/rules" if avatar else "/avatars/rules/new",
    }
    return render(request, "avatar_rules.html", context, status_code=status)


def _save(
    request: Request, session: Session, form: FormData, *, name: str, avatar: Avatar | None
) -> Response:
    rows, tiers = _rows_of(form), _tiers_of(form)

    def again(error: str | None = None, *, status: int = 422, row: int | None = None) -> Response:
        return _editor(
            request,
            session,
            avatar=avatar,
            rows=rows,
            tiers=tiers,
            name=name,
            error=error,
            error_row=row,
            blank=2 if error is None else max(1, 3 - len(rows)),
            status=status,
        )

    if form.get("action") == "add":
        return again(status=200)
    if not name.strip():
        raise FormRejectedError(again("Give the rules avatar a name."))
    if not rows:
        raise FormRejectedError(
            again("Add at least one criterion: a field, how it is judged and a value.")
        )
    try:
        ruleset = ruleset_of(_request(rows, tiers), svc.rule_fields(session))
        saved = save_rules(session, name=name, ruleset=ruleset, source="web")
    except BuyermapError as exc:
        row = exc.details.get("rule")
        raise FormRejectedError(
            again(
                exc.message,
                status=form_status(exc),
                row=row - 1 if isinstance(row, int) else None,
            )
        ) from None
    return RedirectResponse(f"/avatars/{quote(saved.avatar.name)}/rules", status_code=303)


@router.get("/avatars/rules/new", summary="A new rules avatar")
def new_rules(request: Request, session: SessionDep) -> Response:
    """Write an ideal customer as criteria: fields, values, weights, must-haves."""
    return _editor(request, session, avatar=None, blank=3)


@router.post("/avatars/rules/new", summary="Save a new rules avatar", dependencies=[WRITE])
def create_rules(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Save the criteria under the name given (version 1, or a new version)."""
    return _save(request, session, form, name=str(form.get("name", "")), avatar=None)


@router.get("/avatars/{name}/rules", summary="Edit a rules avatar")
def edit_rules(
    request: Request,
    session: SessionDep,
    name: str,
    version: int | None = Query(None, ge=1, le=1_000_000),
) -> Response:
    """A rules avatar's criteria to edit, its versions and how the accounts score; for a
    learned avatar, its proposed rules to accept into a rules avatar."""
    avatar = avatar_of(session, name=name, version=version)
    if avatar.kind == "rules":
        return _editor(request, session, avatar=avatar, name=avatar.name)
    return _proposals(request, session, avatar)


def _proposals(
    request: Request,
    session: Session,
    avatar: Avatar,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "avatar_rules_accept.html",
        {
            "avatar": avatar,
            "proposals": proposed_rules(avatar),
            "suggested": f"{avatar.name} rules",
            "error": error,
        },
        status_code=status,
    )


@router.post(
    "/avatars/{name}/rules", summary="Save a rules avatar's new version", dependencies=[WRITE]
)
def update_rules(request: Request, session: SessionDep, name: str, form: FormDep) -> Response:
    """Save the edited criteria as a new version; every account is rescored."""
    avatar = avatar_of(session, name=name)
    return _save(request, session, form, name=name, avatar=avatar)


@router.post(
    "/avatars/{name}/rules/accept",
    summary="Accept proposed rules into a rules avatar",
    dependencies=[WRITE],
)
def accept(request: Request, session: SessionDep, name: str, form: FormDep) -> Response:
    """Accept the ticked proposals of the learned avatar into the rules avatar named."""
    avatar = avatar_of(session, name=name)
    picked = [int(str(v)) for v in form.getlist("rule") if str(v).isdigit()]
    target = str(form.get("save", "")).strip()
    if not picked or not target:
        why = "Tick at least one rule." if not picked else "Give the rules avatar a name."
        raise FormRejectedError(_proposals(request, session, avatar, error=why, status=422))
    try:
        saved = accept_rules(
            session,
            learned=name,
            request=AcceptRequest(save=target, rules=picked),
            version=avatar.version,
        )
    except BuyermapError as exc:
        raise FormRejectedError(
            _proposals(request, session, avatar, error=exc.message, status=form_status(exc))
        ) from None
    return RedirectResponse(f"/avatars/{quote(saved.avatar.name)}/rules", status_code=303)
