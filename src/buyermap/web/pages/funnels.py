"""``/funnels``: exact windowed event funnels over an uploaded event file (CSV/Parquet)
or a file on the server, built on :mod:`buyermap.analytics.funnel`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from buyermap.analytics.funnel import FunnelMode, FunnelResult
from buyermap.analytics.funnel.loading import CSV_SUFFIXES, PARQUET_SUFFIXES
from buyermap.analytics.funnel.query import parse_steps
from buyermap.charts import funnel as charts
from buyermap.charts.render import to_svg
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.seams.funnels import FunnelRequest, funnel
from buyermap.seams.requests import build
from buyermap.settings import server_path
from buyermap.web.deps import COMPUTES_ONLY
from buyermap.web.templating import is_htmx, render

router = APIRouter()

SUFFIXES = (*PARQUET_SUFFIXES, *CSV_SUFFIXES)


@dataclass(frozen=True, slots=True)
class FunnelForm:
    """What the form holds (shown back to the user with the result)."""

    path: str = ""
    steps: str = ""
    window: str = "14d"
    mode: str = FunnelMode.DEFAULT.value
    exclude: str = ""
    by: str = ""
    entity_column: str = "user_id"
    event_column: str = "event"
    time_column: str = "ts"
    modes: tuple[str, ...] = field(default=tuple(m.value for m in FunnelMode))

    def request(self) -> FunnelRequest:
        """The form as the seam's request (the one place the query is built)."""
        try:
            mode = FunnelMode(self.mode)
        except ValueError:
            valid = ", ".join(self.modes)
            raise InvalidValueError(f"unknown mode {self.mode!r}; use one of: {valid}") from None
        return build(
            FunnelRequest,
            path=self.path,
            steps=list(parse_steps(self.steps)),
            window=self.window,
            mode=mode,
            exclude=list(parse_steps(self.exclude)),
            by=self.by,
            entity_column=self.entity_column,
            event_column=self.event_column,
            time_column=self.time_column,
        )


def _suffix(name: str) -> str:
    lower = name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix):
            return suffix
    raise InvalidValueError(
        f"cannot tell the format of {name!r}: use a file ending in {', '.join(SUFFIXES)}"
    )


def funnel_from_upload(upload: UploadFile, request: FunnelRequest) -> FunnelResult:
    """Run the funnel on an uploaded file (kept in a temporary file for the engine)."""
    suffix = _suffix(upload.filename or "")
    with tempfile.TemporaryDirectory(prefix="buyermap-funnel-") as tmp:
        path = Path(tmp) / f"events{suffix}"
        with path.open("wb") as out:
            while chunk := upload.file.read(1 << 20):
                out.write(chunk)
        return funnel(path, request)[0]


def result_context(result: FunnelResult) -> dict[str, Any]:
    svgs = {"counts": to_svg(charts.counts(result), title="Funnel counts per step")}
    if result.by:
        svgs["breakdown"] = to_svg(charts.breakdown(result), title="Conversion by value")
    by_rows = sorted(result.by.items(), key=lambda kv: -kv[1][0]) if result.by else []
    return {"result": result, "svgs": svgs, "by_rows": by_rows}


@router.get("/funnels", summary="Funnels")
def funnels_page(request: Request) -> Response:
    """The funnel form: an event file (upload or server path), steps, window, mode, breakdown."""
    return render(request, "funnels.html", {"form": FunnelForm(), "result": None})


@router.post("/funnels", summary="Run a funnel", dependencies=[COMPUTES_ONLY])
def run_funnel_page(
    request: Request,
    steps: Annotated[str, Form()],
    window: Annotated[str, Form()] = "14d",
    mode: Annotated[str, Form()] = FunnelMode.DEFAULT.value,
    exclude: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
    entity_column: Annotated[str, Form()] = "user_id",
    event_column: Annotated[str, Form()] = "event",
    time_column: Annotated[str, Form()] = "ts",
    path: Annotated[str, Form()] = "",
    events: UploadFile | None = None,
) -> Response:
    """Counts, conversion, time to convert and the breakdown; HTMX gets the ``result`` block.

    A bad input (window, steps, file, column) is shown above the form (status 422, or 200
    for HTMX so that the message is swapped in).
    """
    form = FunnelForm(
        path=path,
        steps=steps,
        window=window,
        mode=mode,
        exclude=exclude,
        by=by,
        entity_column=entity_column,
        event_column=event_column,
        time_column=time_column,
    )
    context: dict[str, Any] = {"form": form, "result": None}
    try:
        asked = form.request()
        if events is not None and events.filename:
            result = funnel_from_upload(events, asked)
        elif path.strip():
            result = funnel(server_path(request.app.state.settings, path), asked)[0]
        else:
            raise InvalidValueError("give an event file: upload one or type a path on the server")
    except BuyermapError as exc:
        context["error"] = exc.message
        status = 200 if is_htmx(request) else exc.http_status
        return render(request, "funnels.html", context, block="result", status_code=status)
    context |= result_context(result)
    return render(request, "funnels.html", context, block="result")
