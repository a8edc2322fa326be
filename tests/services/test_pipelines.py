"""Pipelines and stages: create, find, add, rename, reorder, close; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from buyermap.db.models import Pipeline
from buyermap.domain.enums import DealStatus, StageKind
from buyermap.domain.pipeline import StageSpec
from buyermap.domain.stage_sets import STAGE_SETS
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import DealCreate, StageChangeCreate
from buyermap.services import deals, pipelines

T0 = datetime(2025, 1, 6, 9, 0)


def _names(pipeline: Pipeline) -> list[str]:
    return [s.name for s in pipeline.stages]


def _positions(pipeline: Pipeline) -> list[int]:
    return [s.position for s in pipeline.stages]


def _sales(session: Session) -> Pipeline:
    return pipelines.default_pipeline(session)


@pytest.mark.parametrize("preset", sorted(STAGE_SETS))
def test_it_creates_a_pipeline_from_each_preset(session: Session, preset: str) -> None:
    pipeline = pipelines.create_pipeline(session, name=f"{preset} deals", stages=STAGE_SETS[preset])
    session.expire_all()
    stored = pipelines.get_pipeline(session, pipeline_id=pipeline.id)
    assert [(s.name, s.kind, s.probability) for s in stored.stages] == [
        (s.name, s.kind.value, s.probability) for s in STAGE_SETS[preset]
    ]
    assert _positions(stored) == list(range(len(STAGE_SETS[preset])))


def test_hubspot_internal_values_find_the_labelled_stages(session: Session) -> None:
    pipeline = pipelines.create_pipeline(session, name="HubSpot", stages=STAGE_SETS["hubspot"])
    found = {
        value: pipelines.find_stage(session, pipeline=pipeline, name=value).name
        for value in ("closedwon", "qualifiedtobuy", "decisionmakerboughtin", "Closed-Lost")
    }
    assert found == {
        "closedwon": "Closed Won",
        "qualifiedtobuy": "Qualified To Buy",
        "decisionmakerboughtin": "Decision Maker Bought-In",
        "Closed-Lost": "Closed Lost",
    }


def test_an_unknown_stage_is_refused_naming_the_valid_ones(session: Session) -> None:
    with pytest.raises(NotFoundError, match=r"'Demo'.*valid stages: Lead, Qualified"):
        pipelines.find_stage(session, pipeline=_sales(session), name="Demo")


def test_several_pipelines_are_found_by_name_any_case(session: Session) -> None:
    sales = _sales(session)
    renewals = pipelines.create_pipeline(session, name="Renewals", stages=STAGE_SETS["hubspot"])
    assert pipelines.find_pipeline(session, name="  renewals ") is renewals
    assert pipelines.find_pipeline(session, name="SALES") is sales
    assert pipelines.find_pipeline(session, name="Sales Pipeline") is None
    with pytest.raises(NotFoundError, match="'Upsell'; valid pipelines: 'Sales', 'Renewals'"):
        pipelines.pipeline_named(session, name="Upsell")


def test_pipeline_names_are_unique_whatever_the_case(session: Session) -> None:
    _sales(session)
    with pytest.raises(ConflictError, match="'Sales' exists already"):
        pipelines.create_pipeline(session, name="sales", stages=pipelines.DEFAULT_STAGES)


def test_an_open_stage_is_added_before_the_won_and_lost_stages(session: Session) -> None:
    sales = _sales(session)
    stage = pipelines.add_stage(session, pipeline=sales, spec=StageSpec("Demo", probability=0.3))
    assert _names(sales)[-3:] == ["Demo", "Closed Won", "Closed Lost"]
    assert _positions(sales) == list(range(8))
    assert (stage.kind, stage.probability) == ("open", 0.3)


def test_a_lost_stage_is_added_at_the_end_and_a_position_is_honoured(session: Session) -> None:
    sales = _sales(session)
    pipelines.add_stage(session, pipeline=sales, spec=StageSpec("No budget", StageKind.LOST))
    pipelines.add_stage(session, pipeline=sales, spec=StageSpec("Intro"), position=0)
    session.expire_all()
    stored = pipelines.get_pipeline(session, pipeline_id=sales.id)
    assert _names(stored)[0] == "Intro"
    assert _names(stored)[-1] == "No budget"
    assert _positions(stored) == list(range(9))


def test_adding_a_second_won_stage_is_refused(session: Session) -> None:
    with pytest.raises(ConflictError, match=r"'Signed'.*won stage 'Closed Won' already"):
        pipelines.add_stage(
            session, pipeline=_sales(session), spec=StageSpec("Signed", StageKind.WON)
        )


@pytest.mark.parametrize("name", ["qualified", "Closed-Won", " closed  lost "])
def test_adding_a_stage_with_a_taken_name_is_refused(session: Session, name: str) -> None:
    with pytest.raises(ConflictError, match="has a stage"):
        pipelines.add_stage(session, pipeline=_sales(session), spec=StageSpec(name))


def test_a_position_outside_the_pipeline_is_refused_naming_the_range(session: Session) -> None:
    with pytest.raises(InvalidValueError, match=r"position 9 .* use 0 to 7"):
        pipelines.add_stage(session, pipeline=_sales(session), spec=StageSpec("X"), position=9)


def test_a_stage_name_longer_than_120_characters_is_refused(session: Session) -> None:
    with pytest.raises(InvalidValueError, match="121 characters long; use at most 120"):
        pipelines.add_stage(session, pipeline=_sales(session), spec=StageSpec("x" * 121))


def test_renaming_a_stage_keeps_its_history(session: Session) -> None:
    deal = deals.create_deal(session, data=DealCreate(name="Acme", opened_at=T0))
    deals.move_deal(
        session,
        data=StageChangeCreate(deal_id=deal.id, to_stage="Discovery", changed_at=T0 + timedelta(1)),
    )
    stage = pipelines.find_stage(session, pipeline=_sales(session), name="Discovery")
    pipelines.rename_stage(session, stage=stage, name="Needs analysis")
    session.expire_all()
    timeline = deals.deal_timeline(session, deal_id=deal.id)
    assert [v.stage for v in timeline] == ["Lead", "Needs analysis"]


def test_renaming_a_stage_to_another_stages_name_is_refused(session: Session) -> None:
    stage = pipelines.find_stage(session, pipeline=_sales(session), name="Lead")
    with pytest.raises(ConflictError, match="'Proposal'"):
        pipelines.rename_stage(session, stage=stage, name="PROPOSAL")
    assert pipelines.rename_stage(session, stage=stage, name="lead").name == "lead"


def test_a_pipeline_is_renamed_and_a_taken_name_refused(session: Session) -> None:
    sales = _sales(session)
    pipelines.create_pipeline(session, name="Renewals", stages=pipelines.DEFAULT_STAGES)
    assert pipelines.rename_pipeline(session, pipeline=sales, name="New  business").name == (
        "New business"
    )
    with pytest.raises(ConflictError, match="'Renewals'"):
        pipelines.rename_pipeline(session, pipeline=sales, name="renewals")


def test_update_stage_changes_probability_and_kind_within_the_rules(session: Session) -> None:
    sales = _sales(session)
    proposal = pipelines.find_stage(session, pipeline=sales, name="Proposal")
    pipelines.update_stage(session, stage=proposal, probability=0.5)
    pipelines.update_stage(session, stage=proposal, kind=StageKind.LOST)
    assert (proposal.kind, proposal.probability) == ("lost", 0.5)
    won = pipelines.find_stage(session, pipeline=sales, name="Closed Won")
    with pytest.raises(ConflictError, match="no won stage"):
        pipelines.update_stage(session, stage=won, kind=StageKind.OPEN)
    with pytest.raises(ConflictError, match="has a won stage already"):
        pipelines.update_stage(session, stage=proposal, kind=StageKind.WON)
    with pytest.raises(InvalidValueError, match=r"probability 1\.5; use a value from 0 to 1"):
        pipelines.update_stage(session, stage=proposal, probability=1.5)


def test_reorder_puts_the_stages_in_the_given_order(session: Session) -> None:
    sales = _sales(session)
    order = [
        "Lead",
        "Discovery",
        "qualified",
        "Proposal",
        "Negotiation",
        "closedwon",
        "Closed Lost",
    ]
    pipelines.reorder_stages(session, pipeline=sales, names=order)
    session.expire_all()
    stored = pipelines.get_pipeline(session, pipeline_id=sales.id)
    assert _names(stored)[:3] == ["Lead", "Discovery", "Qualified"]
    assert _positions(stored) == list(range(7))


def test_reorder_with_a_missing_or_unknown_name_is_refused_naming_it(session: Session) -> None:
    sales = _sales(session)
    with pytest.raises(InvalidValueError, match="missing stages: 'Negotiation'") as missing:
        pipelines.reorder_stages(
            session,
            pipeline=sales,
            names=["Lead", "Qualified", "Discovery", "Proposal", "Closed Won", "Closed Lost"],
        )
    assert "unknown" not in missing.value.message
    with pytest.raises(InvalidValueError, match="unknown stages: 'Demo'"):
        pipelines.reorder_stages(session, pipeline=sales, names=[*_names(sales), "Demo"])
    with pytest.raises(InvalidValueError, match="'Lead' is named twice"):
        pipelines.reorder_stages(session, pipeline=sales, names=["Lead", "lead"])
    assert _names(sales)[0] == "Lead"


def test_moving_a_deal_into_a_closed_stage_is_refused(session: Session) -> None:
    deal = deals.create_deal(session, data=DealCreate(name="Acme", opened_at=T0))
    discovery = pipelines.find_stage(session, pipeline=_sales(session), name="Discovery")
    pipelines.close_stage(session, stage=discovery)
    move = StageChangeCreate(deal_id=deal.id, to_stage="discovery", changed_at=T0 + timedelta(1))
    with pytest.raises(ConflictError, match="'Discovery' of pipeline 'Sales' is closed"):
        deals.move_deal(session, data=move)
    with pytest.raises(ConflictError, match="is closed"):
        deals.create_deal(session, data=DealCreate(name="Other", stage="Discovery"))
    pipelines.reopen_stage(session, stage=discovery)
    deals.move_deal(session, data=move)
    assert deals.get_deal(session, deal_id=deal.id).stage_id == discovery.id


def test_a_closed_stage_keeps_its_deals_and_history(session: Session) -> None:
    deal = deals.create_deal(session, data=DealCreate(name="Acme", opened_at=T0))
    lead = pipelines.find_stage(session, pipeline=_sales(session), name="Lead")
    pipelines.close_stage(session, stage=lead)
    session.expire_all()
    stored = deals.get_deal(session, deal_id=deal.id)
    assert stored.stage_id == lead.id
    assert [v.stage for v in deals.deal_timeline(session, deal_id=deal.id)] == ["Lead"]
    deals.move_deal(
        session,
        data=StageChangeCreate(
            deal_id=deal.id, to_stage="Closed Won", changed_at=T0 + timedelta(1)
        ),
    )
    assert deals.get_deal(session, deal_id=deal.id).status == DealStatus.WON


def test_a_new_deal_skips_a_closed_first_stage(session: Session) -> None:
    lead = pipelines.find_stage(session, pipeline=_sales(session), name="Lead")
    pipelines.close_stage(session, stage=lead)
    deal = deals.create_deal(session, data=DealCreate(name="Acme"))
    assert deal.stage is not None
    assert deal.stage.name == "Qualified"


def test_closing_the_won_or_last_lost_stage_is_refused(session: Session) -> None:
    sales = _sales(session)
    for name, kind in (("Closed Won", "won"), ("Closed Lost", "lost")):
        with pytest.raises(ConflictError, match=f"no {kind} stage that is not closed"):
            pipelines.close_stage(
                session, stage=pipelines.find_stage(session, pipeline=sales, name=name)
            )


def test_closing_the_default_pipeline_is_refused(session: Session) -> None:
    sales = _sales(session)
    with pytest.raises(ConflictError, match="'Sales' is the default and cannot be closed"):
        pipelines.close_pipeline(session, pipeline=sales)
    assert sales.closed_at is None


def test_a_closed_pipeline_takes_no_new_deals_until_it_is_reopened(session: Session) -> None:
    _sales(session)
    old = pipelines.create_pipeline(session, name="Old", stages=pipelines.DEFAULT_STAGES)
    pipelines.close_pipeline(session, pipeline=old)
    assert old.closed_at is not None
    with pytest.raises(ConflictError, match="pipeline 'Old' is closed"):
        deals.create_deal(session, data=DealCreate(name="Acme", pipeline_id=old.id))
    with pytest.raises(ConflictError, match="reopen it"):
        pipelines.set_default_pipeline(session, pipeline=old)
    pipelines.reopen_pipeline(session, pipeline=old)
    assert deals.create_deal(session, data=DealCreate(name="Acme", pipeline_id=old.id)).id


def test_setting_the_default_moves_it_and_new_deals_follow(session: Session) -> None:
    sales = _sales(session)
    renewals = pipelines.create_pipeline(session, name="Renewals", stages=STAGE_SETS["hubspot"])
    pipelines.set_default_pipeline(session, pipeline=renewals)
    assert (sales.is_default, renewals.is_default) == (False, True)
    assert pipelines.default_pipeline(session) is renewals
    deal = deals.create_deal(session, data=DealCreate(name="Acme"))
    assert deal.stage is not None
    assert deal.stage.name == "Appointment Scheduled"
    pipelines.close_pipeline(session, pipeline=sales)
    assert [p.name for p in pipelines.list_pipelines(session)] == ["Renewals", "Sales"]
