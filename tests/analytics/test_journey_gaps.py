"""Known answers for the journey gaps: cells, unanswered objections, questions nobody
answers, priorities weighted by won revenue (or equally, said so)."""

from __future__ import annotations

from buyermap.analytics.journeys.gaps import (
    Asset,
    GapsInput,
    GapsQuery,
    MapLine,
    PersonaMap,
    run_gaps,
)

STAGES = ("problem", "solutions", "requirements", "supplier_research")
CFO = PersonaMap(
    "cfo",
    "Dyrektor finansowy Łukasz",
    STAGES,
    (
        MapLine("problem", "objection", "Too expensive", key="price"),
        MapLine("problem", "answer", "ROI calculator", ref="price"),
        MapLine("solutions", "objection", "Migration risk", key="risk"),
        MapLine("requirements", "objection", "No Czech support", key="lang"),
        MapLine("requirements", "question", "kolik to stojí?"),
        MapLine("supplier_research", "question", "references in banking"),
    ),
)
CTO = PersonaMap(
    "cto",
    "Þórdís",
    STAGES,
    (MapLine("problem", "objection", "Vendor lock-in", key="lockin"),),
)
ASSETS = (
    Asset("Migration guide", ("cfo",), ("solutions",), ("risk",), "inbound"),
    Asset("Cold e-mail", ("cfo",), ("supplier_research",), (), "outbound"),
    Asset("Webinar for all", (), ("problem",), (), "inbound"),
)


def test_it_counts_content_and_unanswered_objections_per_cell() -> None:
    result = run_gaps(GapsQuery(), GapsInput((CFO, CTO), ASSETS))
    cells = {(c.persona, c.stage): c for c in result.cells}
    assert len(cells) == 8
    assert (cells["cfo", "problem"].content_count, cells["cfo", "problem"].unanswered) == (1, 0)
    assert (cells["cfo", "solutions"].content_count, cells["cfo", "solutions"].unanswered) == (1, 0)
    req = cells["cfo", "requirements"]
    assert (req.content_count, req.objections, req.unanswered, req.unanswered_questions) == (
        0,
        1,
        1,
        1,
    )
    sup = cells["cfo", "supplier_research"]
    assert (sup.inbound, sup.outbound, sup.unanswered_questions) == (0, 1, 0)
    assert cells["cto", "problem"].content_count == 1  # the asset for every persona
    assert cells["cto", "problem"].unanswered == 1
    assert [(o.persona, o.key) for o in result.unanswered_objections] == [
        ("cfo", "lang"),
        ("cto", "lockin"),
    ]
    assert [q.text for q in result.unanswered_questions] == ["kolik to stojí?"]


def test_it_weighs_priorities_by_won_revenue_share() -> None:
    result = run_gaps(GapsQuery(), GapsInput((CFO, CTO), ASSETS, {"cfo": 750.0, "cto": 250.0}))
    assert result.weighting == "won_revenue"
    assert result.weights == {"cfo": 0.75, "cto": 0.25}
    top = result.priorities[0]
    assert (top.kind, top.persona, top.stage, top.score) == (
        "unanswered_objection",
        "cfo",
        "requirements",
        1.5,
    )
    # the CTO's unanswered objection (2 x 0.25) ranks below the CFO's empty cell (1 x 0.75)
    kinds = [(p.kind, p.persona, p.score) for p in result.priorities]
    assert kinds.index(("no_content", "cfo", 0.75)) < kinds.index(
        ("unanswered_objection", "cto", 0.5)
    )
    assert [p.rank for p in result.priorities] == list(range(1, len(result.priorities) + 1))


def test_it_weighs_equally_and_says_so_without_won_revenue() -> None:
    result = run_gaps(GapsQuery(), GapsInput((CFO, CTO), ASSETS))
    assert result.weighting == "equal"
    assert result.weights == {"cfo": 0.5, "cto": 0.5}
    assert "equal" in result.weighting_words


def test_it_counts_an_objection_answered_by_content_alone() -> None:
    lonely = PersonaMap("cfo", "CFO", STAGES, (MapLine("problem", "objection", "x", key="lang"),))
    answered = Asset("Czech support page", ("cfo",), ("supplier_research",), ("lang",))
    assert run_gaps(GapsQuery(), GapsInput((lonely,), (answered,))).unanswered_objections == []
    other = Asset("For the CTO", ("cto",), (), ("lang",))
    assert len(run_gaps(GapsQuery(), GapsInput((lonely,), (other,))).unanswered_objections) == 1


def test_it_keeps_a_personas_weight_when_asked_for_it_alone() -> None:
    data = GapsInput((CFO, CTO), ASSETS, {"cfo": 750.0, "cto": 250.0})
    alone = run_gaps(GapsQuery(persona="cto"), data)
    assert {c.persona for c in alone.cells} == {"cto"}
    assert alone.weights == {"cto": 0.25}
