"""A rules avatar's probability: the fit calibrated on closed accounts (known answers),
or none, saying how many won and lost accounts it would need."""

from __future__ import annotations

import numpy as np
import polars as pl

from buyermap.analytics.avatar.rules import calibrate, calibration_of, score_rules
from buyermap.domain.avatar_rules import ACCOUNT_FIELDS, Rule, RuleSet
from buyermap.domain.criteria import Operator


def test_too_few_outcomes_give_no_probability_and_say_why() -> None:
    found = calibrate(np.array([10.0] * 24), np.array([True] * 4 + [False] * 20))
    assert found.method is None
    assert found.why == (
        "no probability: calibrating the fit needs at least 5 won and 5 lost accounts in the "
        "workspace, and it has 4 won and 20 lost"
    )
    assert np.isnan(found.predict(np.array([50.0]))).all()


def test_isotonic_from_100_of_each_recovers_the_win_rate_at_each_fit() -> None:
    rng = np.random.default_rng(1)
    fit = np.repeat([20.0, 80.0], 500)
    won = rng.random(1000) < np.where(fit > 50, 0.8, 0.2)
    found = calibrate(fit, won)
    assert found.method == "isotonic"
    low, high = found.predict(np.array([20.0, 80.0]))
    assert abs(low - won[:500].mean()) < 1e-9
    assert abs(high - won[500:].mean()) < 1e-9


def test_platt_below_100_of_each_rises_with_the_fit() -> None:
    rng = np.random.default_rng(2)
    fit = rng.uniform(0, 100, 60)
    won = rng.random(60) < fit / 100
    found = calibrate(fit, won)
    assert found.method == "platt"
    p = found.predict(np.array([0.0, 50.0, 100.0]))
    assert p[0] < p[1] < p[2]
    assert 0.3 < p[1] < 0.7


def test_calibration_uses_only_closed_accounts() -> None:
    rules = RuleSet((Rule("industry", Operator.IN, ("Software",), 1.0),))
    table = pl.DataFrame(
        {
            "industry": ["Software"] * 10 + ["Retail"] * 10 + ["Software"] * 50,
            "outcome": ["won"] * 8 + ["lost"] * 2 + ["won"] * 2 + ["lost"] * 8 + [None] * 50,
        }
    )
    found = calibration_of(
        rules, ACCOUNT_FIELDS, table, outcome="outcome", positive="won", negative="lost"
    )
    assert (found.method, found.n, found.won, found.lost) == ("platt", 20, 10, 10)
    scored = score_rules(rules, ACCOUNT_FIELDS, table.head(12), found)
    assert scored.probability[0] > 0.7 > 0.3 > scored.probability[11]
    assert list(scored.fit[:12]) == [100.0] * 10 + [0.0] * 2
