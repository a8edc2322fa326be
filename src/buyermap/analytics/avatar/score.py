"""Scoring rows with an avatar: fit 0-100, probability, tier and the reasons in words.

A row's reasons are the (at most) three terms whose weight for the row differs most from
that term's training mean (the traits that moved it most), each in words with its effect
in log-odds and as an odds ratio. The rows scored are compared with the training rows:
the drift of the base rate (their mean probability against the training base rate) and,
per column, a rise in empty or never-seen values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.avatar.learn import drift, drift_warning
from buyermap.analytics.avatar.model import AvatarModel, sigmoid

REASONS = 3
UNSEEN_RISE = 0.2


@dataclass
class ScoreResult:
    fit: np.ndarray
    probability: np.ndarray
    tier: np.ndarray
    top: np.ndarray  # n x REASONS: global level index (term offset + level) of each reason
    effects: np.ndarray  # n x REASONS: the reason's effect (log-odds)
    words: list[str]  # global level index -> words
    features: list[str]  # global level index -> the term's feature label
    level_effects: list[float]  # global level index -> its effect (weight - term baseline)
    drift: dict[str, Any]
    warnings: list[str]

    @property
    def n(self) -> int:
        return int(self.fit.size)

    def reasons(self, row: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for j in range(self.top.shape[1]):
            effect = float(self.effects[row, j])
            if abs(effect) < 1e-3:
                continue
            index = int(self.top[row, j])
            out.append(
                {
                    "feature": self.features[index],
                    "value": self.words[index],
                    "effect": round(effect, 3),
                    "ratio": round(math.exp(effect), 3),
                }
            )
        return out

    def reasons_text(self) -> list[str]:
        """Each row's reasons as one line: ``Software (+0.90, odds x2.46); ...``. A reason's
        effect depends only on its level, so each level's line is written once."""
        lines = pl.Series(
            [
                None if abs(e) < 1e-3 else f"{w} ({e:+.2f}, odds x{math.exp(e):.2f})"
                for w, e in zip(self.words, self.level_effects, strict=True)
            ],
            dtype=pl.Utf8,
        )
        parts = [lines.gather(self.top[:, j]) for j in range(self.top.shape[1])]
        frame = pl.DataFrame({f"r{j}": p for j, p in enumerate(parts)})
        joined = frame.select(
            pl.concat_str([pl.col(c) for c in frame.columns], separator="; ", ignore_nulls=True)
        ).to_series()
        return [str(v) for v in joined.to_list()]


def score(model: AvatarModel, table: pl.DataFrame, *, reasons: int = REASONS) -> ScoreResult:
    """Every row of ``table`` scored (the avatar's columns must be there; others are kept
    aside by the caller)."""
    codes = model.codes(table)
    weights = model.weights(codes)
    logits = model.intercept + weights.sum(axis=1)
    deviation = weights - model.baselines()[None, :]
    k = min(reasons, deviation.shape[1])
    size = np.abs(deviation)
    if k < size.shape[1]:
        part = np.argpartition(-size, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(size, part, axis=1), axis=1, kind="stable")
        top_terms = np.take_along_axis(part, order, axis=1)
    else:
        top_terms = np.argsort(-size, axis=1, kind="stable")
    effects = np.take_along_axis(deviation, top_terms, axis=1)
    offsets = np.concatenate([[0], np.cumsum([t.n_levels for t in model.terms])[:-1]])
    levels = np.take_along_axis(codes, top_terms, axis=1)
    top = offsets[top_terms] + levels
    words: list[str] = []
    features: list[str] = []
    level_effects: list[float] = []
    for t, base in zip(model.terms, model.baselines(), strict=True):
        for code in range(t.n_levels):
            words.append(t.level_words(code, model.terms))
            features.append(t.label)
            level_effects.append(float(t.coef[code] - base))
    probability = sigmoid(logits)
    fit = model.fit_of(logits)
    d = drift(model.base_rate, probability)
    warnings = [w for w in [drift_warning(d)] if w is not None]
    warnings += _unseen(model, codes)
    return ScoreResult(
        fit=fit,
        probability=probability,
        tier=model.tier_of(fit),
        top=top,
        effects=effects,
        words=words,
        features=features,
        level_effects=level_effects,
        drift=d,
        warnings=warnings,
    )


def _unseen(model: AvatarModel, codes: np.ndarray) -> list[str]:
    out: list[str] = []
    if codes.shape[0] == 0:
        return out
    for i, t in enumerate(model.terms):
        if t.kind == "pair":
            continue
        counts = np.asarray(t.counts, dtype=np.float64)
        trained = counts[t.missing_code] / max(counts.sum(), 1.0)
        now = float(np.mean(codes[:, i] == t.missing_code))
        if now - trained >= UNSEEN_RISE:
            out.append(
                f"column {t.column!r} is empty in {now:.0%} of the rows scored (in training: "
                f"{trained:.0%}); their fit leans on the other columns"
            )
        if t.kind != "number":
            other = len(t.levels)
            trained_other = counts[other] / max(counts.sum(), 1.0)
            now_other = float(np.mean(codes[:, i] == other))
            if now_other - trained_other >= UNSEEN_RISE:
                out.append(
                    f"column {t.column!r} holds values not seen in training in {now_other:.0%} "
                    "of the rows scored; they count as 'other'"
                )
    return out
