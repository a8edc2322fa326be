"""Runs are saved with provenance, replayed for assignment, and compared for drift."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from buyermap.analytics.personas.discover import PersonaResult
from buyermap.analytics.personas.runs import assign, compare, load_run, save_run
from buyermap.analytics.personas.synth import SynthData
from buyermap.errors import PersonaInputError


def test_a_run_is_saved_with_inputs_hash_settings_version_and_model(
    planted_result: PersonaResult, tmp_path: Path
) -> None:
    path = save_run(planted_result, runs_dir=tmp_path, source="planted.csv")
    doc = json.loads(path.read_text())
    assert doc["provenance"]["inputs_hash"] == "planted"
    assert doc["provenance"]["version"]
    assert doc["settings"]["min_share"] == 0.05
    assert len(doc["models"][0]["model"]["weights"]) == 4
    assert load_run(doc["run_id"][:10], runs_dir=tmp_path)["run_id"] == doc["run_id"]


def test_assigning_the_training_rows_reproduces_the_personas(
    planted: SynthData, planted_result: PersonaResult, tmp_path: Path
) -> None:
    doc = load_run(str(save_run(planted_result, runs_dir=tmp_path, source="x")))
    again = assign(doc, planted.frame, id_column="contact_id")
    assert again.persona.tolist() == planted_result.assignments.persona.tolist()
    np.testing.assert_allclose(again.probability, planted_result.assignments.probability)


def test_comparing_a_run_with_itself_shows_no_drift(planted_result: PersonaResult) -> None:
    from buyermap.analytics.personas.runs import run_document

    doc = run_document(planted_result, source="x")
    report = compare(doc, doc)
    assert report["same_inputs"]
    assert not report["drift"]
    assert all(p["a"] == p["b"] and p["profile_change"] == 0 for p in report["pairs"])


def test_a_persona_whose_share_moves_more_than_twenty_percent_is_flagged(
    planted_result: PersonaResult,
) -> None:
    from buyermap.analytics.personas.runs import run_document

    a = run_document(planted_result, source="x")
    b = copy.deepcopy(a)
    b["run_id"] = "later"
    people = b["result"]["personas"]
    people[0]["share"], people[3]["share"] = people[0]["share"] * 0.7, people[3]["share"] * 1.1
    report = compare(a, b)
    flagged = {p["a"]: p["drift"] for p in report["pairs"]}
    assert flagged == {"p1": True, "p2": False, "p3": False, "p4": False}
    assert report["drift"]


def test_an_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PersonaInputError, match="no saved persona run 'nope'"):
        load_run("nope", runs_dir=tmp_path)


def test_saving_the_same_run_twice_keeps_both(
    planted_result: PersonaResult, tmp_path: Path
) -> None:
    first = save_run(planted_result, runs_dir=tmp_path, source="x")
    second = save_run(planted_result, runs_dir=tmp_path, source="x")
    assert first != second
    assert json.loads(second.read_text())["run_id"].endswith("-2")
    with pytest.raises(PersonaInputError, match="ambiguous"):
        load_run(json.loads(first.read_text())["run_id"][:8], runs_dir=tmp_path)
