"""``/personas/discover``: persona discovery from the web, through the same seam as the CLI
and ``POST /api/v1/personas/discover`` (:func:`buyermap.seams.personas.discover_personas`).

Why a bounded synchronous run behind a spinner, not a background job: the request schema
caps the work (restarts x bootstrap x fit_rows <= ``MAX_DISCOVER_WORK``, fitted on a sample
of at most ``fit_rows`` contacts), so a run ends in seconds to a minute; a synchronous
request keeps the run in the request's transaction (nothing half-stored when it fails, the
same as the CLI and REST) and needs no job state on ``app.state`` that a second worker
process would not see. The form disables its button and shows a spinner while it runs,
then sends the user to the new run's page. A refusal (too little data, a bad setting) is
shown on the form, in words.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from buyermap.errors import BuyermapError
from buyermap.seams.personas import DiscoverRequest, discover_personas, split
from buyermap.seams.requests import build
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.templating import render

router = APIRouter()

DEFAULTS = DiscoverRequest()


def _form(values: dict[str, Any] | None = None) -> dict[str, Any]:
    form: dict[str, Any] = {
        "k": "auto",
        "k_max": DEFAULTS.k_max,
        "min_share": DEFAULTS.min_share,
        "seed": DEFAULTS.seed,
        "restarts": DEFAULTS.restarts,
        "bootstrap": DEFAULTS.bootstrap,
        "fit_rows": DEFAULTS.fit_rows,
        "variables": "",
        "exclude": "",
        "describe": "",
        "role_column": "",
        "quote_column": "",
        "force": False,
        "activate": True,
    }
    form.update(values or {})
    return form


@router.get("/personas/discover", summary="Discover personas")
def discover_page(request: Request) -> Response:
    """The discovery form with the CLI's settings and their bounds."""
    return render(request, "persona_discover.html", {"form": _form(), "message": None})


Text = Annotated[str, Form()]


@router.post("/personas/discover", summary="Run a persona discovery", dependencies=[WRITE])
def discover_run(
    request: Request,
    session: SessionDep,
    k: Text = "auto",
    k_max: Text = "8",
    min_share: Text = "0.05",
    seed: Text = "0",
    restarts: Text = "10",
    bootstrap: Text = "10",
    fit_rows: Text = "20000",
    variables: Text = "",
    exclude: Text = "",
    describe: Text = "",
    role_column: Text = "",
    quote_column: Text = "",
    force: Annotated[str | None, Form()] = None,
    activate: Annotated[str | None, Form()] = None,
) -> Response:
    """Discover personas in the workspace's contacts, store the run, open its page."""
    given: dict[str, Any] = {
        "k": k,
        "k_max": k_max,
        "min_share": min_share,
        "seed": seed,
        "restarts": restarts,
        "bootstrap": bootstrap,
        "fit_rows": fit_rows,
        "variables": split(variables),
        "exclude": split(exclude),
        "describe": split(describe),
        "role_column": role_column.strip() or None,
        "quote_column": quote_column.strip() or None,
        "force": force is not None,
        "activate": activate is not None,
    }
    try:
        found = discover_personas(session, build(DiscoverRequest, **given))
    except BuyermapError as exc:
        shown = _form(
            {
                **given,
                "variables": variables,
                "exclude": exclude,
                "describe": describe,
                "role_column": role_column,
                "quote_column": quote_column,
            }
        )
        return render(
            request,
            "persona_discover.html",
            {"form": shown, "message": exc.message},
            status_code=exc.http_status,
        )
    assert found.run is not None  # a workspace discovery stores its run
    return RedirectResponse(f"/personas/runs/{found.run.run_key}", status_code=303)
