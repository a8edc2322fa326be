"""Each local engine, end to end from a file, agrees with the reference per entity."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from buyermap.analytics.funnel import duckdb_engine, python_engine
from buyermap.analytics.funnel.loading import open_source
from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery
from tests.analytics.funnel.helpers import T0, as_reference, write_events
from tests.analytics.funnel.reference import Event, reference_funnel
from tests.analytics.funnel.strategies import funnel_cases

RUNNERS = {"duckdb": duckdb_engine.run, "python": python_engine.run}


@pytest.mark.parametrize("engine", sorted(RUNNERS))
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@settings(max_examples=25, deadline=None)
@given(**funnel_cases)
def test_engine_matches_the_reference(
    engine: str,
    suffix: str,
    events: list[Event],
    steps: list[str],
    window: int,
    mode: str,
    exclude: tuple[str, ...],
) -> None:
    query = FunnelQuery(
        steps=tuple(steps),
        window_seconds=window,
        mode=FunnelMode(mode),
        exclude=exclude,
        by="plan",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = write_events(events, Path(tmp) / f"events{suffix}")
        out = RUNNERS[engine](open_source(path, query), query)
    got = as_reference(out.outcomes, out.by_labels, t0=T0)
    assert got == reference_funnel(events, steps, window, mode, exclude)
