"""The fitted avatar: terms with their weights, the fit scale and the tier cuts, as JSON.

A row's log-odds is ``intercept + sum of its levels' weights`` (already calibrated: the
Platt slope and offset learned out of fold are folded into the weights). Its **fit** is
the log-odds rescaled linearly so that the 1st percentile of the training rows is 0 and
the 99th is 100 (clipped), so equal steps of fit are equal odds ratios; its **tier** is A,
B, C or D by the fit cuts at the training rows' 80th, 50th and 20th percentiles (A: the
top 20% of the training rows, B: the next 30%, C: the next 30%, D: the bottom 20%).
The JSON holds numbers only (edges, levels, weights), never a pickle; ``kind`` is
``learned`` (a rules avatar will share the score document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.avatar.terms import Term, pair_codes
from buyermap.errors import AvatarInputError

FORMAT = 1
TIERS = ("A", "B", "C", "D")
TIER_QUANTILES = (0.8, 0.5, 0.2)


def sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    return out


@dataclass
class AvatarModel:
    terms: list[Term]
    intercept: float
    fit_low: float = 0.0  # log-odds at fit 0
    fit_high: float = 1.0  # log-odds at fit 100
    tier_cuts: list[float] = field(default_factory=list)  # fit at the A/B, B/C, C/D cuts
    base_rate: float = 0.0
    n: int = 0
    outcome: str = ""
    positive: str = ""
    id_column: str | None = None
    kind: str = "learned"

    @property
    def columns(self) -> list[str]:
        seen: list[str] = []
        for t in self.terms:
            if t.kind != "pair" and t.column not in seen:
                seen.append(t.column)
        return seen

    def codes(self, table: pl.DataFrame) -> np.ndarray:
        """Each row's level per term (n x terms, int32); a missing column is refused."""
        missing = [c for c in self.columns if c not in table.columns]
        if missing:
            raise AvatarInputError(
                f"the table to score has no column {', '.join(map(repr, missing))}; the "
                f"avatar uses {', '.join(map(repr, self.columns))}",
                details={"missing": missing, "columns": self.columns},
            )
        out = np.zeros((table.height, len(self.terms)), dtype=np.int32)
        for i, t in enumerate(self.terms):
            if t.kind != "pair":
                out[:, i] = t.codes(table[t.column])
        for i, t in enumerate(self.terms):
            if t.kind == "pair" and t.parts is not None:
                out[:, i] = pair_codes(self.terms, out, t.parts)
        return out

    def weights(self, codes: np.ndarray) -> np.ndarray:
        """Each row's weight per term (n x terms)."""
        out = np.empty(codes.shape, dtype=np.float64)
        for i, t in enumerate(self.terms):
            out[:, i] = np.asarray(t.coef, dtype=np.float64)[codes[:, i]]
        return out

    def logits(self, codes: np.ndarray) -> np.ndarray:
        result: np.ndarray = self.intercept + self.weights(codes).sum(axis=1)
        return result

    def fit_of(self, logits: np.ndarray) -> np.ndarray:
        span = max(self.fit_high - self.fit_low, 1e-9)
        out: np.ndarray = np.clip((logits - self.fit_low) / span * 100.0, 0.0, 100.0)
        return out

    def tier_of(self, fit: np.ndarray) -> np.ndarray:
        cuts = self.tier_cuts or [80.0, 50.0, 20.0]
        index = np.full(fit.shape, 3, dtype=np.int8)
        index[fit >= cuts[2]] = 2
        index[fit >= cuts[1]] = 1
        index[fit >= cuts[0]] = 0
        return np.asarray(TIERS)[index]

    def baselines(self) -> np.ndarray:
        """Each term's training-mean weight: a reason is a level's weight above it."""
        out = np.zeros(len(self.terms))
        for i, t in enumerate(self.terms):
            counts = np.asarray(t.counts, dtype=np.float64)
            if counts.sum() > 0:
                out[i] = float(np.dot(counts, t.coef) / counts.sum())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "intercept": round(self.intercept, 6),
            "fit_low": self.fit_low,
            "fit_high": self.fit_high,
            "tier_cuts": self.tier_cuts,
            "base_rate": self.base_rate,
            "n": self.n,
            "outcome": self.outcome,
            "positive": self.positive,
            "id_column": self.id_column,
            "terms": [t.to_json() for t in self.terms],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AvatarModel:
        if doc.get("format") != FORMAT or doc.get("kind") != "learned":
            raise AvatarInputError(
                f"this avatar is of kind {doc.get('kind')!r}, format {doc.get('format')!r}; "
                f"this version scores learned avatars of format {FORMAT}"
            )
        return cls(
            terms=[Term.from_json(t) for t in doc["terms"]],
            intercept=float(doc["intercept"]),
            fit_low=float(doc["fit_low"]),
            fit_high=float(doc["fit_high"]),
            tier_cuts=[float(c) for c in doc["tier_cuts"]],
            base_rate=float(doc["base_rate"]),
            n=int(doc["n"]),
            outcome=str(doc["outcome"]),
            positive=str(doc["positive"]),
            id_column=doc.get("id_column"),
        )
