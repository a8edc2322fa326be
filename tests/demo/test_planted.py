"""The planted structure is in the generated data: who wins, rotting deals, personas."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta
from statistics import mean

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, Contact, Deal, Stage, StageChange, SurveyAnswer
from buyermap.demo.constants import DEFAULT_AS_OF, ROTTING_FACTOR, win_probability
from buyermap.demo.deals import median_advance_days
from buyermap.demo.personas import PERSONA_BY_KEY

SETTLED_DAYS = 300  # deals opened this long before as_of have (almost) all reached their fate


def test_the_win_model_is_the_documented_one() -> None:
    # sigmoid(-1.6 + 0.9 software + 0.9 (200-2000) + 0.5 DACH + 1.0 referral) = sigmoid(1.7)
    p = win_probability(industry="Software", employees=500, region="DACH", source="referral")
    assert p == pytest.approx(1 / (1 + math.exp(-1.7)))
    tiny = win_probability(industry="Retail", employees=12, region="APAC", source="outbound")
    assert tiny == pytest.approx(1 / (1 + math.exp(4.5)))


def _settled_deals(session: Session) -> list[tuple[Deal, Account, float]]:
    cutoff = DEFAULT_AS_OF - timedelta(days=SETTLED_DAYS)
    rows = session.execute(
        select(Deal, Account)
        .join(Account, Account.id == Deal.account_id)
        .where(Deal.opened_at <= cutoff)
    ).all()
    out = []
    for deal, account in rows:
        assert account.industry is not None
        assert account.employees is not None
        assert account.region is not None
        assert deal.source is not None
        p = win_probability(
            industry=account.industry,
            employees=account.employees,
            region=account.region,
            source=deal.source,
        )
        assert p == pytest.approx(deal.extra["_planted_win_probability"], abs=1e-6)
        out.append((deal, account, p))
    return out


def _check_rate(won: list[bool], expected: list[float], label: str) -> float:
    n = len(won)
    assert n >= 20, f"{label}: too few deals ({n})"
    observed, want = sum(won) / n, mean(expected)
    se = math.sqrt(want * (1 - want) / n)
    assert abs(observed - want) < 4 * se + 0.01, f"{label}: {observed:.3f} vs {want:.3f}"
    return observed


def test_won_share_follows_the_planted_model_by_predicted_bin(stat_session: Session) -> None:
    deals = sorted(_settled_deals(stat_session), key=lambda t: t[2])
    quarter = len(deals) // 4
    rates = []
    for q in range(4):
        chunk = deals[q * quarter : (q + 1) * quarter]
        won = [d.status == "won" for d, _, _ in chunk]
        rates.append(_check_rate(won, [p for *_, p in chunk], f"quartile {q + 1}"))
    assert rates == sorted(rates)
    assert rates[-1] > 3 * rates[0]


def test_ideal_customers_win_far_more_than_tiny_retailers(stat_session: Session) -> None:
    deals = _settled_deals(stat_session)
    icp = [
        (d, p)
        for d, a, p in deals
        if a.industry in ("Software", "Financial Services")
        and 200 <= (a.employees or 0) <= 2000
        and d.source in ("referral", "webinar", "partner")
    ]
    tiny_retail = [
        (d, p) for d, a, p in deals if a.industry == "Retail" and (a.employees or 0) < 50
    ]
    icp_rate = _check_rate([d.status == "won" for d, _ in icp], [p for _, p in icp], "ICP")
    low_rate = _check_rate(
        [d.status == "won" for d, _ in tiny_retail], [p for _, p in tiny_retail], "tiny retail"
    )
    assert icp_rate > 0.55
    assert low_rate < 0.15


def _visits(session: Session) -> list[tuple[float, str]]:
    """(days in stage, outcome) per stay in an open stage; outcome advance | lost | open."""
    stages = {s.id: s for s in session.scalars(select(Stage))}
    history: dict[int, list[StageChange]] = defaultdict(list)
    for c in session.scalars(
        select(StageChange).order_by(StageChange.deal_id, StageChange.changed_at)
    ):
        history[c.deal_id].append(c)
    visits = []
    for changes in history.values():
        for k, change in enumerate(changes):
            if stages[change.to_stage_id].kind != "open":
                continue
            if k + 1 < len(changes):
                nxt = changes[k + 1]
                days = (nxt.changed_at - change.changed_at).total_seconds() / 86400
                lost = stages[nxt.to_stage_id].kind == "lost"
                visits.append((days, "lost" if lost else "advance"))
            else:
                visits.append(((DEFAULT_AS_OF - change.changed_at).total_seconds() / 86400, "open"))
    return visits


def test_the_longer_a_deal_waits_the_less_likely_it_advances(stat_session: Session) -> None:
    visits = _visits(stat_session)
    windows = [(0.0, 10.0), (10.0, 30.0), (30.0, 90.0), (90.0, 400.0)]
    rates = []
    for lo, hi in windows:
        exposure = sum(min(d, hi) - lo for d, _ in visits if d > lo)
        advanced = sum(1 for d, o in visits if o == "advance" and lo < d <= hi)
        rates.append(advanced / exposure)
    assert rates[0] > rates[1] > rates[2] > rates[3]
    assert rates[3] < rates[0] / 10


def test_open_deals_include_a_planted_group_of_rotting_deals(stat_session: Session) -> None:
    open_deals = list(stat_session.scalars(select(Deal).where(Deal.status == "open")))
    rotting = [d for d in open_deals if d.extra["_planted_rotting"]]
    assert len(rotting) >= 0.15 * len(open_deals)
    stage_names = {s.id: s.name for s in stat_session.scalars(select(Stage))}
    for deal in rotting:
        last = max(
            stat_session.scalars(
                select(StageChange.changed_at).where(StageChange.deal_id == deal.id)
            )
        )
        days = (DEFAULT_AS_OF - last).total_seconds() / 86400
        assert deal.stage_id is not None
        assert days > ROTTING_FACTOR * median_advance_days(stage_names[deal.stage_id])


SIGNATURE = {
    "economic_buyer": "price_sensitivity",
    "technical_evaluator": "integration_importance",
    "operations_champion": "implementation_speed",
    "end_user_specialist": "support_need",
    "founder_ceo": "innovation_appetite",
}
TOP_CHANNEL = {
    "economic_buyer": "analyst report",
    "technical_evaluator": "webinar",
    "operations_champion": "peer referral",
    "end_user_specialist": "search",
    "founder_ceo": "events",
}


def test_planted_personas_differ_in_their_answers(stat_session: Session) -> None:
    persona_of = {c.id: c.extra["_planted_persona"] for c in stat_session.scalars(select(Contact))}
    likert: dict[tuple[str, str], list[float]] = defaultdict(list)
    channels: dict[str, Counter[str]] = defaultdict(Counter)
    for a in stat_session.scalars(select(SurveyAnswer)):
        assert a.contact_id is not None
        persona = persona_of[a.contact_id]
        if a.value_number is not None:
            likert[(persona, a.question)].append(a.value_number)
        elif a.question == "preferred_channel" and a.value_text:
            channels[persona][a.value_text] += 1
    for persona, item in SIGNATURE.items():
        own = mean(likert[(persona, item)])
        others = [mean(likert[(p, item)]) for p in SIGNATURE if p != persona]
        assert own > max(others) + 0.5, f"{persona} on {item}: {own:.2f} vs {others}"
        assert channels[persona].most_common(1)[0][0] == TOP_CHANNEL[persona]


def test_planted_personas_differ_in_role_and_behaviour(stat_session: Session) -> None:
    by_persona: dict[str, list[Contact]] = defaultdict(list)
    for c in stat_session.scalars(select(Contact)):
        by_persona[c.extra["_planted_persona"]].append(c)
    assert set(by_persona) == set(PERSONA_BY_KEY)
    assert {c.seniority for c in by_persona["founder_ceo"]} <= {"owner", "c_level"}
    assert {c.seniority for c in by_persona["end_user_specialist"]} <= {"entry", "specialist"}
    assert {c.department for c in by_persona["technical_evaluator"]} == {"IT"}

    def avg(persona: str, key: str) -> float:
        return mean(float(c.custom[key]) for c in by_persona[persona])

    for key, leader in (
        ("site_visits", "technical_evaluator"),
        ("events_attended", "founder_ceo"),
        ("emails_opened", "operations_champion"),
    ):
        assert max(by_persona, key=lambda p: avg(p, key)) == leader
    for persona, members in by_persona.items():
        roles = Counter(c.custom["buying_role"] for c in members)
        assert roles.most_common(1)[0][0] == PERSONA_BY_KEY[persona].buying_role
