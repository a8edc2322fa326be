"""``buyermap pipelines ...``: create, change and close pipelines and stages."""

from __future__ import annotations

from typing import Any

import pytest

from buyermap.cli.pipelines import parse_stages
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import StageSpec
from buyermap.errors import InvalidValueError
from tests.cli.conftest import Invoke, json_out

STAGE_KEYS = {"id", "name", "position", "kind", "probability", "closed_at"}


def _stages(pipeline: dict[str, Any]) -> list[str]:
    return [s["name"] for s in pipeline["stages"]]


def test_it_parses_a_stage_list_with_kinds_and_probabilities() -> None:
    assert parse_stages("Lead:0.1, Demo:open:30%,Stage: two,Closed Won,Gone:lost") == [
        StageSpec("Lead", StageKind.OPEN, 0.1),
        StageSpec("Demo", StageKind.OPEN, 0.3),
        StageSpec("Stage: two", StageKind.OPEN, None),
        StageSpec("Closed Won", StageKind.WON, None),
        StageSpec("Gone", StageKind.LOST, None),
    ]
    with pytest.raises(InvalidValueError, match="empty stage"):
        parse_stages("Lead,,Won")


def test_create_from_a_preset_prints_the_pipeline_as_json(bm: Invoke) -> None:
    created = json_out(bm("pipelines", "create", "Renewals", "--preset", "salesforce", "--json"))
    assert set(created) == {"id", "name", "is_default", "closed_at", "stages"}
    assert set(created["stages"][0]) == STAGE_KEYS
    assert _stages(created)[0] == "Prospecting"
    assert created["stages"][-2]["probability"] == 1.0


def test_create_from_a_stage_list_and_make_it_the_default(bm: Invoke) -> None:
    bm("init")
    created = json_out(
        bm(
            "pipelines",
            "create",
            "Partners",
            "--stages",
            "Intro:20%,Pilot:open:0.5,Signed:won,Closed Lost",
            "--default",
            "--json",
        )
    )
    assert created["is_default"] is True
    assert [(s["name"], s["kind"], s["probability"]) for s in created["stages"]] == [
        ("Intro", "open", 0.2),
        ("Pilot", "open", 0.5),
        ("Signed", "won", None),
        ("Closed Lost", "lost", None),
    ]
    listed = json_out(bm("pipelines", "list", "--json"))
    assert [(p["name"], p["is_default"]) for p in listed["pipelines"]] == [
        ("Partners", True),
        ("Sales", False),
    ]


def test_stage_commands_add_rename_set_reorder_close_and_reopen(bm: Invoke) -> None:
    bm("init")
    added = json_out(
        bm("pipelines", "add-stage", "sales", "Demo", "--probability", "0.3", "--json")
    )
    assert _stages(added)[-3:] == ["Demo", "Closed Won", "Closed Lost"]
    renamed = json_out(bm("pipelines", "rename-stage", "Sales", "demo", "Live demo", "--json"))
    assert "Live demo" in _stages(renamed)
    changed = json_out(
        bm("pipelines", "set-stage", "Sales", "Proposal", "--probability", "0.5", "--json")
    )
    assert next(s["probability"] for s in changed["stages"] if s["name"] == "Proposal") == 0.5
    order = "Lead,Live demo,Qualified,Discovery,Proposal,Negotiation,closedwon,Closed Lost"
    reordered = json_out(bm("pipelines", "reorder", "Sales", order, "--json"))
    assert _stages(reordered)[:3] == ["Lead", "Live demo", "Qualified"]
    moved = json_out(bm("pipelines", "move-stage", "Sales", "Live demo", "4", "--json"))
    assert _stages(moved)[4] == "Live demo"
    closed = json_out(bm("pipelines", "close-stage", "Sales", "Live demo", "--json"))
    assert closed["stages"][4]["closed_at"] is not None
    reopened = json_out(bm("pipelines", "reopen-stage", "Sales", "Live demo", "--json"))
    assert reopened["stages"][4]["closed_at"] is None


def test_pipeline_commands_rename_set_default_close_and_reopen(bm: Invoke) -> None:
    bm("init")
    json_out(bm("pipelines", "create", "Old", "--preset", "pipedrive", "--json"))
    assert json_out(bm("pipelines", "rename", "old", "Legacy", "--json"))["name"] == "Legacy"
    assert json_out(bm("pipelines", "close", "Legacy", "--json"))["closed_at"] is not None
    assert json_out(bm("pipelines", "reopen", "Legacy", "--json"))["closed_at"] is None
    assert json_out(bm("pipelines", "set-default", "Legacy", "--json"))["is_default"] is True
    shown = json_out(bm("pipelines", "show", "sales", "--json"))
    assert shown["is_default"] is False


def test_closing_the_default_pipeline_fails_with_one_line(bm: Invoke) -> None:
    bm("init")
    result = bm("pipelines", "close", "Sales")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: pipeline 'Sales' is the default and cannot be closed; make another pipeline "
        "the default first"
    ]


def test_reorder_with_a_missing_stage_fails_naming_it(bm: Invoke) -> None:
    bm("init")
    result = bm("pipelines", "reorder", "Sales", "Lead,Qualified,Discovery,Proposal,Closed Won")
    assert result.exit_code == 1
    assert "missing stages: 'Negotiation', 'Closed Lost'" in result.output
    assert json_out(bm("pipelines", "show", "Sales", "--json"))["stages"][4]["name"] == (
        "Negotiation"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pipelines", "show", "Upsell"), "no pipeline named 'Upsell'; valid pipelines: 'Sales'"),
        (("pipelines", "create", "X", "--preset", "zoho"), "unknown preset 'zoho'"),
        (("pipelines", "create", "sales"), "'Sales' exists already"),
        (("pipelines", "add-stage", "Sales", "Signed", "--kind", "won"), "has the won stage"),
        (("pipelines", "set-stage", "Sales", "Lead"), "give --kind and/or --probability"),
        (("pipelines", "close-stage", "Sales", "Nope"), "unknown stage 'Nope'"),
    ],
)
def test_bad_requests_fail_with_a_message_naming_the_value(
    bm: Invoke, args: tuple[str, ...], message: str
) -> None:
    bm("init")
    result = bm(*args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
