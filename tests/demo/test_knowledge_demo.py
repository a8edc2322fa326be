"""The demo's account knowledge (demo/knowledge.py): more of it for valuable accounts, with
gaps, stale values and supplier criteria for key accounts; no special category."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import KnowledgeValue, SupplierCriterion
from buyermap.demo import DemoSummary
from buyermap.demo.knowledge import FILL_BY_TIER, build_demo_knowledge
from buyermap.domain.enums import DataClass
from buyermap.domain.knowledge import DEFAULTS
from buyermap.seams.knowledge import completeness_document


def test_the_demo_knows_more_of_valuable_accounts_with_gaps_and_stale_values(
    session: Session, small_demo: DemoSummary
) -> None:
    built = build_demo_knowledge(session, seed=7, as_of=small_demo.as_of)
    assert built.values > 0
    assert built.stale > 0
    doc = completeness_document(session, stale_days=365, now=small_demo.as_of)
    by_tier: dict[str, list[float]] = defaultdict(list)
    for a in doc.accounts:
        by_tier[a.value_tier].append(a.completeness or 0.0)
    assert mean(by_tier["A"]) > mean(by_tier["C"]) > mean(by_tier["D"])
    assert max(by_tier["A"]) < 1.0  # gaps even at key accounts
    assert FILL_BY_TIER["A"] > FILL_BY_TIER["D"]
    assert any(a.stale for a in doc.accounts)
    keys = set(session.scalars(select(KnowledgeValue.field_key)))
    assert not {k for k in keys if DEFAULTS[k].data_class is DataClass.SPECIAL_CATEGORY}
    a_accounts = {a.account_id for a in doc.accounts if a.value_tier == "A"}
    with_criteria = set(session.scalars(select(SupplierCriterion.account_id)))
    assert with_criteria == a_accounts
    count = session.scalar(select(func.count()).select_from(KnowledgeValue))
    assert count == built.values
