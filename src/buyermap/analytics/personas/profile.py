"""What sets each persona apart: traits with lifts and intervals, names, titles, quotes.

For every variable a persona gets one trait:

* categorical / ordinal -- the level most over-represented in the persona (largest
  standardised difference from the population share), with the persona's share, the
  population share, lift = share / population share and a 95% Wilson interval;
* count / continuous -- the persona's mean against the population mean, lift = ratio of
  means, a 95% t interval, and the median.

``n`` is the number of members with a value for that variable (missing cells are left
out, never filled). Traits are sorted by the absolute standardised difference (``score``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from buyermap.analytics.personas.encoding import Encoded

Z95 = 1.959963984540054
FIRST_NAMES = (
    "Ada", "Alex", "Amara", "Ana", "Ben", "Bianca", "Carlos", "Chen", "Clara", "Dara",
    "David", "Elena", "Emeka", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac",
    "Jamal", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina", "Maya", "Marco",
    "Nadia", "Noah", "Omar", "Olivia", "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sana",
    "Sofia", "Tariq", "Tessa", "Theo", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
)  # fmt: skip


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (0, 1 when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def t_interval(values: np.ndarray) -> tuple[float, float]:
    n = values.size
    if n < 2:
        m = float(values.mean()) if n else float("nan")
        return m, m
    m = float(values.mean())
    half = float(stats.t.ppf(0.975, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return m - half, m + half


def _r(x: float | None, nd: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, nd)


@dataclass
class Persona:
    """One discovered persona and the evidence behind it."""

    key: str
    name: str
    title: str
    index: int
    size: int
    share: float
    stability: float | None
    traits: list[dict[str, Any]]
    descriptors: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    mean_probability: float = float("nan")
    low_evidence: bool = False
    bucket: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "title": self.title,
            "bucket": self.bucket,
            "size": self.size,
            "share": round(self.share, 4),
            "stability": _r(self.stability, 3),
            "stable": None if self.stability is None else self.stability >= 0.75,
            "mean_probability": _r(self.mean_probability, 3),
            "low_evidence": self.low_evidence,
            "traits": self.traits,
            "descriptors": self.descriptors,
            "quotes": self.quotes,
        }


def variable_traits(enc: Encoded, labels: np.ndarray, k: int) -> list[list[dict[str, Any]]]:
    """Per persona, one trait per variable of ``enc`` (unsorted)."""
    out: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    n_lv = enc.n_levels
    for j, var in enumerate(enc.disc):
        a, b = int(enc.offsets[j]), int(enc.offsets[j + 1])
        nl = b - a
        col = enc.codes[:, j]
        seen = col < n_lv
        local = col[seen] - a
        table = np.bincount(labels[seen] * nl + local, minlength=k * nl).reshape(k, nl)
        pop_n = max(int(table.sum()), 1)
        pop = table.sum(0) / pop_n
        for c in range(k):
            n_c = int(table[c].sum())
            p_c = table[c] / max(n_c, 1)
            z = (p_c - pop) / np.sqrt(np.maximum(pop * (1 - pop), 1e-9))
            best = int(np.argmax(z)) if n_c else int(np.argmax(pop))
            lo, hi = wilson(float(table[c, best]), n_c)
            out[c].append(
                {
                    "variable": var.name,
                    "kind": var.kind,
                    "value": var.levels[best],
                    "statistic": "share",
                    "persona": _r(float(p_c[best])),
                    "population": _r(float(pop[best])),
                    "lift": _r(float(p_c[best] / pop[best]) if pop[best] > 0 else None, 3),
                    "ci": [_r(lo), _r(hi)],
                    "n": n_c,
                    "score": _r(float(z[best]), 3),
                    "distribution": {
                        lv: _r(float(p)) for lv, p in zip(var.levels, p_c, strict=True)
                    },
                }
            )
    numeric = [(v, enc.count_x[:, j]) for j, v in enumerate(enc.counts)]
    numeric += [(v, enc.cont_raw[:, j]) for j, v in enumerate(enc.conts)]
    for var, x in numeric:
        seen = ~np.isnan(x)
        pop_mean = float(x[seen].mean()) if seen.any() else float("nan")
        pop_sd = float(x[seen].std()) if seen.any() else float("nan")
        for c in range(k):
            vals = x[seen & (labels == c)]
            mean = float(vals.mean()) if vals.size else float("nan")
            lo, hi = t_interval(vals)
            lift = mean / pop_mean if pop_mean and pop_mean * mean > 0 else None
            score = (mean - pop_mean) / pop_sd if pop_sd and pop_sd > 0 else 0.0
            out[c].append(
                {
                    "variable": var.name,
                    "kind": var.kind,
                    "value": "high" if score > 0 else "low",
                    "statistic": "mean",
                    "persona": _r(mean, 3),
                    "population": _r(pop_mean, 3),
                    "lift": _r(lift, 3),
                    "ci": [_r(lo, 3), _r(hi, 3)],
                    "n": int(vals.size),
                    "score": _r(score, 3),
                    "median": _r(float(np.median(vals)), 3) if vals.size else None,
                    "population_sd": _r(pop_sd, 3),
                }
            )
    return out


def _label(trait: dict[str, Any]) -> str:
    name = str(trait["variable"]).replace("_", " ")
    if trait["statistic"] == "mean":
        return f"{trait['value']} {name}"
    return f"{name}: {trait['value']}"


def title_of(traits: list[dict[str, Any]], limit: int = 3) -> str:
    """The persona's top distinguishing traits, in words."""
    top = [t for t in traits if (t["score"] or 0) >= 0.3 or t["statistic"] == "mean"]
    top = [t for t in top if abs(t["score"] or 0) >= 0.3][:limit]
    return ", ".join(_label(t) for t in top) if top else "close to the population average"


def name_of(title: str, taken: set[str]) -> str:
    """A human first name chosen deterministically from the title, unique in ``taken``."""
    start = int(hashlib.sha256(title.encode()).hexdigest(), 16) % len(FIRST_NAMES)
    for step in range(len(FIRST_NAMES)):
        name = FIRST_NAMES[(start + step) % len(FIRST_NAMES)]
        if name not in taken:
            return name
    return f"{FIRST_NAMES[start]} {len(taken) + 1}"


def quotes_of(
    texts: list[str | None], labels: np.ndarray, prob: np.ndarray, k: int, per: int = 3
) -> list[list[str]]:
    """Per persona: up to ``per`` distinct non-empty texts of its most certain members."""
    out: list[list[str]] = [[] for _ in range(k)]
    order = np.argsort(-prob, kind="stable")
    for i in order:
        c = int(labels[i])
        text = texts[i]
        if len(out[c]) >= per or not text or not text.strip():
            continue
        clean = " ".join(text.split())[:280]
        if clean not in out[c]:
            out[c].append(clean)
    return out


def build_personas(
    *,
    enc: Encoded,
    descriptors: Encoded | None,
    labels: np.ndarray,
    prob: np.ndarray,
    k: int,
    stability: tuple[float, ...] | None,
    quotes: list[str | None] | None,
    key_prefix: str = "",
    bucket: str | None = None,
    taken_names: set[str] | None = None,
) -> list[Persona]:
    """Profile each of the ``k`` personas given hard labels and membership probabilities."""
    n = max(labels.size, 1)
    traits = variable_traits(enc, labels, k)
    desc = variable_traits(descriptors, labels, k) if descriptors is not None else None
    said = quotes_of(quotes, labels, prob, k) if quotes is not None else None
    taken = taken_names if taken_names is not None else set()
    out: list[Persona] = []
    for c in range(k):
        ordered = sorted(traits[c], key=lambda t: -abs(t["score"] or 0))
        title = title_of(ordered)
        name = name_of(title, taken)
        taken.add(name)
        members = labels == c
        out.append(
            Persona(
                key=f"{key_prefix}p{c + 1}",
                name=name,
                title=title,
                index=c,
                size=int(members.sum()),
                share=float(members.sum()) / n,
                stability=None if stability is None else stability[c],
                traits=ordered,
                descriptors=sorted(desc[c], key=lambda t: -abs(t["score"] or 0)) if desc else [],
                quotes=said[c] if said else [],
                mean_probability=float(prob[members].mean()) if members.any() else float("nan"),
                bucket=bucket,
            )
        )
    return out
