"""``/pipeline``: stage analytics of the workspace, rendered from the seam's document
(:mod:`buyermap.seams.pipeline`): the same one ``/api/v1/pipeline/stats`` returns."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from buyermap.analytics.personas.stored import active_run
from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.analytics.pipeline.stats import StatsResult
from buyermap.charts import pipeline as charts
from buyermap.charts import tiers as tier_charts
from buyermap.charts.render import to_svg
from buyermap.seams.cache import ResultCache
from buyermap.seams.pipeline import StatsRequest, check_by, pipeline_stats
from buyermap.seams.pipeline_tiers import pipeline_stats_by_tier
from buyermap.services.links import deal_links
from buyermap.services.relations import workspace_currency
from buyermap.web.analyses import CacheDep
from buyermap.web.deps import SessionDep
from buyermap.web.templating import render

router = APIRouter()

CHARTS: dict[str, tuple[Callable[[StatsResult], Any], str]] = {
    "funnel": (charts.stage_funnel, "Stage funnel: deals that reached each stage"),
    "time_in_stage": (charts.time_in_stage, "Median and p90 days in each stage"),
    "losses": (charts.losses, "Deals lost after each stage, by lost reason"),
    "cohorts": (charts.cohorts, "Deals by creation month: won, lost, open"),
}


def svg_for(cache: ResultCache, key: Hashable, draw: Callable[[], Any], title: str) -> str:
    """A chart rendered to inline SVG once per result (``key`` names result and chart)."""
    return cache.get(("svg", key), lambda: to_svg(draw(), title=title))


def _cached_svg(cache: ResultCache, key: Hashable, result: StatsResult, name: str) -> str:
    draw, title = CHARTS[name]
    return svg_for(cache, (key, name), lambda: draw(result), title)


@router.get("/pipeline", summary="Pipeline")
def pipeline_page(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    by: Annotated[
        str | None,
        Query(description="Breakdown column: segment, owner, source, persona (with a run)"),
    ] = None,
) -> Response:
    """Stage funnel, conversion, time in stage, losses, cohorts, stale deals, breakdowns and
    the deals by avatar tier (win rate with its interval, days to win, open pipeline).

    The breakdown selector swaps the ``breakdown`` block over HTMX; it offers persona when
    the workspace has a persona run (a deal's persona is its lead buyer's).
    """
    analysed = pipeline_stats(session, StatsRequest(), cache=cache)
    result, doc = analysed.result, analysed.document
    column = check_by(result, by)
    svgs = {name: _cached_svg(cache, analysed.key, result, name) for name in CHARTS}
    stale = doc.stale.deals
    tiers = pipeline_stats_by_tier(session, StatsRequest(), cache=cache)
    tier_svg = (
        svg_for(
            cache,
            (tiers.key, "tiers"),
            lambda: tier_charts.win_rates(tiers.result.outcomes),
            "Win rate by avatar tier, with its 95% interval",
        )
        if tiers.document.avatar is not None
        else ""
    )
    context = {
        "tiers": tiers.document,
        "tier_svg": tier_svg,
        "result": doc,
        "s": doc,
        "svgs": svgs,
        "stale": stale,
        "links": deal_links(session, ids=[d.deal_id for d in stale]),
        "by": column,
        "columns": list(doc.breakdowns),
        "breakdown": doc.breakdowns.get(column, []) if column else [],
        "persona_run": run.run_key if (run := active_run(session)) else None,
        "stages": [row.stage for row in doc.stages],
        "left_out": describe_left_out(doc.left_out.model_dump()),
        "currency": workspace_currency(session),
    }
    return render(request, "pipeline.html", context, block="breakdown")
