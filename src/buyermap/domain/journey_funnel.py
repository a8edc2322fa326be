"""The default mapping between journey stages and funnel stages, and its checks. No I/O.

By name first: a funnel stage whose name reads as a journey stage's key or words (case,
spaces and punctuation ignored) maps to it. The other open funnel stages spread over the
journey stages by order (funnel stage ``k`` of ``m`` to journey stage ``k * n // m`` of
``n``); a journey stage left without one gets the funnel stage at its place by order
(``j * m // n``). Won stages map to the last journey stage; lost stages to none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from buyermap.domain.journeys import stage_word


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def default_mapping(
    journey: Sequence[str], funnel: Sequence[tuple[str, str]]
) -> dict[str, list[str]]:
    """``journey``: stage keys in order; ``funnel``: (name, kind) in pipeline order."""
    out: dict[str, list[str]] = {j: [] for j in journey}
    if not journey:
        return out
    names = {_norm(j): j for j in journey} | {_norm(stage_word(j)): j for j in journey}
    open_stages = [name for name, kind in funnel if kind == "open"]
    by_order: list[tuple[int, str]] = []
    for k, name in enumerate(open_stages):
        hit = names.get(_norm(name))
        if hit is not None:
            out[hit].append(name)
        else:
            by_order.append((k, name))
    n, m = len(journey), len(open_stages)
    for k, name in by_order:
        out[journey[min(n - 1, k * n // m)]].append(name)
    for j, key in enumerate(journey):
        if not out[key] and m:
            out[key].append(open_stages[min(m - 1, j * m // n)])
    out[journey[-1]].extend(name for name, kind in funnel if kind == "won")
    order = {name: i for i, (name, _) in enumerate(funnel)}
    return {k: sorted(set(v), key=order.__getitem__) for k, v in out.items()}


def check_mapping(
    mapping: dict[str, list[str]], journey: Sequence[str], funnel: Sequence[str]
) -> list[str]:
    """Problems of a declared mapping, each naming the bad value and the valid ones."""
    problems: list[str] = []
    for key, stages in mapping.items():
        if key not in journey:
            problems.append(
                f"journey stage {key!r} is not one of the journeys' stages: {', '.join(journey)}"
            )
        for name in stages:
            if name not in funnel:
                problems.append(
                    f"funnel stage {name!r} (for {key!r}) is not a stage of the pipeline: "
                    f"{', '.join(funnel)}"
                )
    return problems
