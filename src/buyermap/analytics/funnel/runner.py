"""Runs a :class:`FunnelQuery` over an event file on one of the engines."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from buyermap.analytics.base import Provenance, hash_files, hash_settings
from buyermap.analytics.funnel import duckdb_engine, python_engine, spark_engine
from buyermap.analytics.funnel.core import EngineOutput
from buyermap.analytics.funnel.errors import EngineUnavailableError
from buyermap.analytics.funnel.loading import EventSource, open_source
from buyermap.analytics.funnel.query import FunnelQuery
from buyermap.analytics.funnel.result import FunnelResult
from buyermap.analytics.funnel.summary import summarise
from buyermap.analytics.funnel.tally import tally_outcomes

Engine = Callable[[EventSource, FunnelQuery], EngineOutput]

ENGINES: dict[str, Engine] = {
    "duckdb": duckdb_engine.run,
    "spark": spark_engine.run,
    "python": python_engine.run,
}


def _warnings(query: FunnelQuery, out: EngineOutput, source: EventSource) -> list[str]:
    notes = [
        f"step {step!r} never occurs in column {query.event_column!r} of {source.path.name}; "
        "its count is 0"
        for step, n in zip(query.steps, out.step_events, strict=True)
        if n == 0
    ]
    if out.dropped_rows:
        notes.append(
            f"{out.dropped_rows} funnel events have no {query.entity_column!r} or no "
            f"{query.time_column!r} and were left out"
        )
    return notes


def run_funnel(path: Path, query: FunnelQuery, *, engine: str = "duckdb") -> FunnelResult:
    """Checks the file and the query, runs the engine, and summarises its outcomes."""
    runner = ENGINES.get(engine)
    if runner is None:
        raise EngineUnavailableError(
            f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}",
            details={"engine": engine},
        )
    source = open_source(path, query)
    # Hashing the file (for provenance) overlaps with the engine: hashlib releases the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        inputs_hash = pool.submit(hash_files, [path])
        out = runner(source, query)
        provenance = Provenance(
            analysis="funnel",
            inputs_hash=inputs_hash.result(),
            settings_hash=hash_settings(query.settings()),
        )
    tally = out.tally if out.tally is not None else tally_outcomes(out.outcomes, query)
    return summarise(
        tally,
        query,
        engine=engine,
        n_events=out.n_events,
        provenance=provenance,
        by_labels=out.by_labels,
        warnings=_warnings(query, out, source),
    )
