"""The demo workspace as ``buyermap demo`` and the web's empty workspace build it: the seeded
records, then the planted personas discovered (a tiny demo may be refused)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from buyermap.analytics.personas.stored import DEMO_QUERY, discover_workspace
from buyermap.demo.forms import build_form_answers
from buyermap.demo.generator import DemoSummary, build_demo
from buyermap.demo.journeys import build_journeys
from buyermap.demo.touchpoints import build_touchpoints
from buyermap.errors import InsufficientEvidenceError

# The scale the web's "Build the demo workspace" uses: about 200 accounts, built in seconds.
WEB_SCALE = 0.1


@dataclass(frozen=True, slots=True)
class BuiltDemo:
    summary: DemoSummary
    personas: str  # what became of the persona discovery, in words
    refused: bool  # True when the personas were refused (too little data)


def build_demo_workspace(
    session: Session,
    *,
    seed: int = 7,
    scale: float = 1.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> BuiltDemo:
    """Build the demo into an empty workspace and discover its personas. No commit."""
    summary = build_demo(session, seed=seed, scale=scale, progress=progress)
    try:
        run = discover_workspace(session, query=DEMO_QUERY, progress=progress)
    except InsufficientEvidenceError as exc:
        maps, assets = build_journeys(session, seed=seed)
        return BuiltDemo(summary=summary, personas=f"no personas: {exc.message}", refused=True)
    maps, assets = build_journeys(session, seed=seed)
    touches = build_touchpoints(session, seed=seed)
    form = build_form_answers(session, seed=seed, as_of=summary.as_of)
    heard = f", {form.answers:,} form answers from {form.responses:,} respondents" if form else ""
    return BuiltDemo(
        summary=summary,
        personas=f"personas: {run.k} discovered from {run.n:,} contacts (run {run.run_key}); "
        f"{maps} journey maps, {assets} content assets, {touches:,} touchpoints{heard}",
        refused=False,
    )
