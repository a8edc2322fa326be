"""The demo's touchpoints plant two timing differences by persona, and ``journeys
alignment`` recovers them (docs/demo-data.md, "Touchpoints: journey against funnel"):
the first persona lingers in requirements building, the second skips solution
exploration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.demo.journeys import build_journeys
from buyermap.demo.touchpoints import LINGER, SKIP, build_touchpoints
from buyermap.seams.alignment import alignment_document
from buyermap.services import journeys as journeys_svc
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], list[str]]]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    ws: Workspace
    with demo_workspace(f"sqlite:///{path}", seed=7, scale=0.1, personas=True) as ws:
        with ws.sessions() as s, s.begin():
            build_journeys(s, seed=7)
            assert build_touchpoints(s, seed=7) > 500
        with ws.sessions() as s:
            keys = [p.key for p in journeys_svc.personas(s)][:5]
            yield alignment_document(s), keys


def _stage(doc: dict[str, Any], persona: str, stage: str) -> dict[str, Any]:
    entry = next(p for p in doc["time_in_stage_by_persona"] if p["persona"] == persona)
    return next(st for st in entry["stages"] if st["stage"] == stage)


def test_the_first_persona_lingers_in_requirements_building(
    doc: tuple[dict[str, Any], list[str]],
) -> None:
    result, keys = doc
    stage = LINGER[0]
    lingering = _stage(result, keys[0], stage)
    assert lingering["contacts"] >= 20
    others = [_stage(result, k, stage) for k in keys[1:]]
    # the fourth persona has no content there (a planted gap of the journeys demo)
    assert sum(st["contacts"] >= 10 for st in others) >= 3
    for st in others:
        if st["contacts"]:
            assert st["median_days"] * 2 < lingering["median_days"]


def test_the_second_persona_skips_solution_exploration(
    doc: tuple[dict[str, Any], list[str]],
) -> None:
    result, keys = doc
    skipper = _stage(result, keys[1], SKIP)
    assert skipper["contacts"] == 0
    assert skipper["skipped"] >= 20
    # said in words, not as "median no finished visit yet over 0 contacts"
    assert skipper["words"] == (
        f"Solution exploration: no finished visit yet; {skipper['skipped']} skipped it"
    )
    for other in (keys[0], *keys[2:]):
        st = _stage(result, other, SKIP)
        assert st["contacts"] >= 10
        assert st["skipped"] == 0


def test_the_demo_touches_fill_the_matrix_with_a_share_off_the_mapping(
    doc: tuple[dict[str, Any], list[str]],
) -> None:
    result, _ = doc
    assert result["matched"] > 0.5 * result["touchpoints"]
    assert 0 < result["off_mapping_share"] < 1
