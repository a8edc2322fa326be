"""Scoring rows with a rules avatar, and what its probability means.

The fit, tier and reasons come from the rules (:func:`buyermap.domain.avatar_rules.evaluate`).
A rules avatar is written by people, not learned, so its fit is not a probability. When
the workspace has outcomes (accounts with a won deal, and accounts whose deals are all
lost), the fit is **calibrated** on those closed accounts: ``probability`` is the win rate
of closed accounts at that fit, by Platt scaling (a logistic curve over the fit) with
fewer than 100 of each class, by isotonic regression (a step curve, rising with the fit)
from 100 of each. With fewer than 5 won or 5 lost accounts the probability is null and
the document says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from buyermap.domain.avatar_rules import Evaluation, RuleField, RuleSet, evaluate

MIN_CLASS = 5
ISOTONIC_CLASS = 100


@dataclass(frozen=True, slots=True)
class Calibration:
    """fit -> win probability, learned on the closed accounts."""

    method: str | None  # platt | isotonic | None
    n: int
    won: int
    lost: int
    why: str
    xs: tuple[float, ...] = ()  # isotonic knots (fit)
    ys: tuple[float, ...] = ()  # isotonic knots (probability)
    slope: float = 0.0  # platt: probability = sigmoid(slope * fit + offset)
    offset: float = 0.0

    def predict(self, fit: np.ndarray) -> np.ndarray:
        if self.method == "isotonic":
            out: np.ndarray = np.interp(fit, np.asarray(self.xs), np.asarray(self.ys))
            return out
        if self.method == "platt":
            z = np.clip(self.slope * fit + self.offset, -40, 40)
            platt: np.ndarray = 1.0 / (1.0 + np.exp(-z))
            return platt
        return np.full(fit.shape, np.nan)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "closed_accounts": self.n,
            "won": self.won,
            "lost": self.lost,
            "meaning": self.why,
        }


def calibrate(fit: np.ndarray, won: np.ndarray) -> Calibration:
    """Learn fit -> P(won) on closed accounts (``won`` True/False per account)."""
    n, pos = int(won.size), int(won.sum())
    neg = n - pos
    if pos < MIN_CLASS or neg < MIN_CLASS:
        return Calibration(
            None,
            n,
            pos,
            neg,
            f"no probability: calibrating the fit needs at least {MIN_CLASS} won and "
            f"{MIN_CLASS} lost accounts in the workspace, and it has {pos} won and {neg} lost",
        )
    if min(pos, neg) >= ISOTONIC_CLASS:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        iso.fit(fit, won.astype(np.float64))
        return Calibration(
            "isotonic",
            n,
            pos,
            neg,
            f"the win rate of closed accounts at this fit (isotonic regression on {n:,} "
            f"closed accounts: {pos:,} won, {neg:,} lost)",
            xs=tuple(float(x) for x in iso.X_thresholds_),
            ys=tuple(float(y) for y in iso.y_thresholds_),
        )
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit((fit / 100.0).reshape(-1, 1), won.astype(np.int64))
    return Calibration(
        "platt",
        n,
        pos,
        neg,
        f"the win rate of closed accounts at this fit (a logistic curve over the fit, "
        f"Platt scaling, on {n:,} closed accounts: {pos:,} won, {neg:,} lost)",
        slope=float(model.coef_[0][0]) / 100.0,
        offset=float(model.intercept_[0]),
    )


def no_calibration(why: str) -> Calibration:
    return Calibration(None, 0, 0, 0, why)


@dataclass
class RulesScore:
    fit: np.ndarray
    probability: np.ndarray  # NaN when not calibrated
    tier: np.ndarray
    evaluations: list[Evaluation]
    calibration: Calibration
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.fit.size)

    def reasons(self, row: int) -> list[dict[str, Any]]:
        return self.evaluations[row].reasons_json()

    def reasons_text(self) -> list[str]:
        return [e.reasons_text() for e in self.evaluations]


def evaluate_table(
    ruleset: RuleSet, fields: Sequence[RuleField], table: pl.DataFrame
) -> list[Evaluation]:
    return [evaluate(ruleset, row, fields) for row in table.iter_rows(named=True)]


def score_rules(
    ruleset: RuleSet,
    fields: Sequence[RuleField],
    table: pl.DataFrame,
    calibration: Calibration,
) -> RulesScore:
    """Every row of ``table`` (columns named by the fields' keys) scored."""
    found = evaluate_table(ruleset, fields, table)
    fit = np.asarray([e.fit for e in found], dtype=np.float64)
    warnings: list[str] = []
    if found:
        unknown = np.mean([bool(e.unknown) for e in found])
        if unknown >= 0.5:
            warnings.append(
                f"{unknown:.0%} of the rows lack a field a rule judges; their fit rests on the "
                "criteria that could be judged (the reasons say which are missing)"
            )
    if calibration.method is None:
        warnings.append(calibration.why)
    return RulesScore(
        fit=fit,
        probability=calibration.predict(fit),
        tier=np.asarray([e.tier for e in found], dtype=object),
        evaluations=found,
        calibration=calibration,
        warnings=warnings,
    )


def calibration_of(
    ruleset: RuleSet,
    fields: Sequence[RuleField],
    table: pl.DataFrame,
    *,
    outcome: str,
    positive: str,
    negative: str,
) -> Calibration:
    """The calibration learned on the rows of ``table`` whose ``outcome`` is set."""
    closed = table.filter(pl.col(outcome).is_in([positive, negative]))
    if closed.height == 0:
        return calibrate(np.zeros(0), np.zeros(0, dtype=bool))
    found = evaluate_table(ruleset, fields, closed)
    fit = np.asarray([e.fit for e in found], dtype=np.float64)
    won = (closed[outcome] == positive).to_numpy()
    return calibrate(fit, won)
