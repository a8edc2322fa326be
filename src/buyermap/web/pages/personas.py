"""``/personas``: the personas list, persona cards, side-by-side comparison, runs.

Every page works on the active run, or on the run named by ``?run=`` (id or key).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.avatar import render_avatar
from buyermap.analytics.personas.cards import fmt_ci, fmt_value, label_of
from buyermap.analytics.personas.members import contacts_of_persona
from buyermap.analytics.personas.portrait import headline, headlines
from buyermap.analytics.personas.runs import compare
from buyermap.charts.personas import figure_bytes, figure_svg, selection_figure
from buyermap.db.models import PersonaRun
from buyermap.errors import InvalidValueError
from buyermap.seams.avatar import latest_top_tier_split
from buyermap.seams.persona_profiles import hand_made_personas
from buyermap.seams.personas import card_document, persona_list
from buyermap.services.persona_profiles import is_hand_made
from buyermap.web.analyses import CacheDep
from buyermap.web.deps import SessionDep
from buyermap.web.pages.listing import PageQueryDep, list_context
from buyermap.web.pages.persona_words import hand_made_page, uploaded_picture
from buyermap.web.templating import render

router = APIRouter()

RunParam = Annotated[str | None, Query()]


@lru_cache(maxsize=256)
def avatar_png(name: str, title: str, size: int) -> bytes:
    """The persona's picture, drawn locally and deterministically (cached)."""
    buf = io.BytesIO()
    render_avatar(name, title, size=size).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def ci_bar(t: dict[str, Any]) -> tuple[float, float, float] | None:
    """Where a trait's 95% interval and the population value sit on a 0..100 track:
    (left %, width %, population %); shares use 0..100%, means 0..1.2 x the largest."""
    ci = t.get("ci") or [None, None]
    pop = t.get("population")
    if ci[0] is None or ci[1] is None or pop is None:
        return None
    top = 1.0 if t["statistic"] == "share" else max(float(ci[1]), float(pop), 1e-9) * 1.2
    left = max(float(ci[0]), 0.0) / top * 100
    width = max((float(ci[1]) - max(float(ci[0]), 0.0)) / top * 100, 1.0)
    return round(left, 2), round(min(width, 100 - left), 2), round(float(pop) / top * 100, 2)


def _helpers() -> dict[str, Any]:
    return {"fmt_value": fmt_value, "fmt_ci": fmt_ci, "label_of": label_of, "ci_bar": ci_bar}


def _run_query(run: PersonaRun, active: PersonaRun | None) -> str:
    """``?run=KEY`` when the page shows a run other than the active one."""
    return "" if active is not None and run.id == active.id else f"?run={run.run_key}"


@router.get("/personas", summary="Personas")
def personas_page(
    request: Request, session: SessionDep, cache: CacheDep, run: RunParam = None
) -> Response:
    """The personas of the active run (or ``?run=``): picture, name, title, share, stability;
    the document ``GET /api/v1/personas`` answers (:func:`seams.personas.persona_list`).
    With an avatar that has scored the accounts, a table of how its top tier splits across
    the active run's personas (``GET /api/v1/avatars/{name}/personas``)."""
    active = svc.active_run(session)
    shown = svc.get_run(session, ref=run) if run else active
    context: dict[str, Any] = {
        "run": None,
        "active": active,
        "runs": svc.list_runs(session),
        "hand_made": hand_made_personas(session),
    }
    if shown is not None:
        listed = persona_list(session, run=shown.run_key, cache=cache)
        context["run"] = listed.run
        context["personas"] = listed.personas
        context["warnings"] = listed.warnings
        context["run_q"] = _run_query(shown, active)
        context["headlines"] = headlines(shown.result)
    shows_active = shown is not None and active is not None and shown.id == active.id
    context["top_tier"] = latest_top_tier_split(session) if shows_active else None
    return render(request, "personas.html", context)


@router.get("/personas/runs", summary="Persona runs")
def runs_page(request: Request, session: SessionDep) -> Response:
    """Every stored run with its provenance; pick two to compare."""
    return render(
        request,
        "persona_runs.html",
        {"runs": svc.list_runs(session), "active": svc.active_run(session)},
    )


@router.get("/personas/runs/compare", summary="Compare persona runs")
def compare_runs_page(
    request: Request, session: SessionDep, a: Annotated[str, Query()], b: Annotated[str, Query()]
) -> Response:
    """Personas of two runs matched by profile, with share and profile change (drift)."""
    run_a, run_b = svc.get_run(session, ref=a), svc.get_run(session, ref=b)
    report = compare(svc.run_doc(run_a), svc.run_doc(run_b))
    return render(
        request,
        "persona_runs.html",
        {
            "runs": svc.list_runs(session),
            "active": svc.active_run(session),
            "report": report,
            "run_a": run_a,
            "run_b": run_b,
        },
    )


@router.get("/personas/runs/{run_id}", summary="Persona run")
def run_page(request: Request, session: SessionDep, run_id: str) -> Response:
    """A run: provenance, the choice of k with charts of BIC and stability across k,
    warnings and the variables used."""
    found = svc.get_run(session, ref=run_id)
    buckets = sorted({c.get("bucket") or "" for c in found.result.get("selection", [])})
    charts = [
        (b or None, figure_svg(selection_figure(found.result, bucket=b or None))) for b in buckets
    ]
    return render(
        request,
        "persona_run.html",
        {"run": found, "charts": charts, "active": svc.active_run(session)},
    )


@router.get("/personas/runs/{run_id}/selection.png", summary="Choice of k chart")
def run_chart_png(session: SessionDep, run_id: str) -> Response:
    """The BIC and stability chart of a run as a PNG."""
    found = svc.get_run(session, ref=run_id)
    return Response(figure_bytes(selection_figure(found.result), "png"), media_type="image/png")


@router.get("/personas/compare", summary="Compare personas")
def compare_page(
    request: Request,
    session: SessionDep,
    keys: Annotated[list[str] | None, Query()] = None,
    run: RunParam = None,
) -> Response:
    """Personas side by side (``?keys=p1&keys=p2``; all of the run when none are given):
    each variable in a row, with every persona's value, lift and n."""
    found = svc.require_run(session, ref=run)
    every = found.result.get("personas", [])
    wanted = keys or [p["key"] for p in every]
    chosen = [svc.persona_dict(found, k) for k in wanted]
    if not chosen:
        raise InvalidValueError("choose at least one persona to compare")
    variables: list[str] = []
    for p in chosen:
        for t in p["traits"]:
            if t["variable"] not in variables:
                variables.append(t["variable"])
    best = {
        v: max(abs(t.get("score") or 0) for p in chosen for t in p["traits"] if t["variable"] == v)
        for v in variables
    }
    variables.sort(key=lambda v: -best[v])
    table = [
        (
            v,
            [next((t for t in p["traits"] if t["variable"] == v), None) for p in chosen],
        )
        for v in variables
    ]
    return render(
        request,
        "persona_compare.html",
        {
            "run": found,
            "personas": chosen,
            "every": every,
            "table": table,
            "run_q": _run_query(found, svc.active_run(session)),
            "headlines": headlines(found.result),
            **_helpers(),
        },
    )


@router.get("/personas/{key}", summary="Persona card")
def persona_page(
    request: Request, session: SessionDep, cache: CacheDep, key: str, run: RunParam = None
) -> Response:
    """A persona card (printable on one page), rendered from the card document that
    ``GET /api/v1/personas/{key}`` answers (:func:`seams.personas.card_document`): picture,
    name and headline, a portrait, goals and frustrations in words, channels and real
    quotes; the evidence (value, population value, lift, interval, n) one click away."""
    if is_hand_made(session, key=key):
        return hand_made_page(request, session, key)
    found = svc.require_run(session, ref=run)
    card = card_document(session, key=key, run=found.run_key, cache=cache)
    return render(
        request,
        "persona.html",
        {
            "card": card,
            "p": card,
            "run": found,
            "run_q": _run_query(found, svc.active_run(session)),
            **_helpers(),
        },
    )


@router.get("/personas/{key}/avatar.png", summary="Persona picture")
def avatar_page(
    session: SessionDep,
    key: str,
    run: RunParam = None,
    size: Annotated[int, Query(ge=32, le=512)] = 160,
) -> Response:
    """The persona's picture: the uploaded one, else generated locally and
    deterministically from its profile (a rename keeps the picture)."""
    uploaded = uploaded_picture(session, key, run, size)
    if uploaded is not None:
        return Response(uploaded, media_type="image/png", headers={"Cache-Control": "no-cache"})
    found = svc.require_run(session, ref=run)
    p = svc.persona_dict(found, key)
    return Response(
        avatar_png(str(p["name"]), str(p["title"]), size),
        media_type="image/png",
        headers={"Cache-Control": "max-age=3600"},
    )


@router.get("/personas/{key}/contacts", summary="Contacts of a persona")
def persona_contacts_page(
    request: Request, session: SessionDep, key: str, query: PageQueryDep, run: RunParam = None
) -> Response:
    """The persona's contacts with their membership probability (most certain first):
    the rows behind every statement of the card. HTMX gets the ``results`` block."""
    found = svc.require_run(session, ref=run)
    p = svc.persona_dict(found, key)
    listed = contacts_of_persona(session, run=found, key=key, query=query)
    context = list_context(request, query, listed, default_sort="-probability")
    context.update(
        {
            "p": p,
            "headline": headline(p),
            "run": found,
            "run_q": _run_query(found, svc.active_run(session)),
        }
    )
    return render(request, "persona_contacts.html", context, block="results")
