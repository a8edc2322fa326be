"""Random event logs for property tests: few entities, few timestamps (many ties)."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.analytics.funnel.reference import Event

STEPS = ["a", "b", "c", "d"]
NAMES = ["a", "b", "c", "d", "x", "o"]  # x: an exclusion candidate, o: some other event
MODES = ["default", "strict_order", "strict_increase", "strict_deduplication"]

WEIGHTED = ["a", "a", "b", "b", "c", "c", "d", "d", "x", "o"]

events = st.builds(
    Event,
    entity=st.integers(1, 3),
    ts=st.integers(0, 12),
    name=st.sampled_from(WEIGHTED),
    by=st.sampled_from(["p", "q", None]),
)


@st.composite
def journeys(draw: st.DrawFn) -> list[Event]:
    """Per entity, events mostly in step order with small (often zero) gaps."""
    out: list[Event] = []
    for entity in range(1, draw(st.integers(1, 3)) + 1):
        ts = draw(st.integers(0, 3))
        for name in draw(st.lists(st.sampled_from(WEIGHTED), max_size=12)):
            ts += draw(st.integers(0, 2))
            out.append(Event(entity, ts, name, draw(st.sampled_from(["p", "q", None]))))
    return out


logs = st.one_of(st.lists(events, max_size=40), journeys())
windows = st.integers(1, 8)
step_lists = st.sampled_from([STEPS, STEPS[:2], STEPS[:3], ["b", "a", "c"], ["a"]])
exclusions = st.sampled_from([(), ("x",)])

# A funnel query over a log, as keyword arguments: ``@given(**funnel_cases)``.
funnel_cases: dict[str, st.SearchStrategy[object]] = {
    "events": logs,
    "steps": step_lists,
    "window": windows,
    "mode": st.sampled_from(MODES),
    "exclude": exclusions,
}
