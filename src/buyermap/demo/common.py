"""Helpers shared by the demo planners: seeded randomness, fakers, dates, ascii slugs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from faker import Faker

from buyermap.demo.constants import COUNTRIES

Row = dict[str, Any]


@dataclass
class PlanContext:
    """What every planning step shares: the seed, the scale and the demo's "today"."""

    seed: int
    scale: float
    as_of: datetime
    _fakers: dict[str, Faker] = field(default_factory=dict, repr=False)

    def rng(self, phase: int) -> np.random.Generator:
        """An independent stream per phase, so changing one phase leaves the others alone."""
        return np.random.default_rng([self.seed, phase])

    def faker(self, locale: str) -> Faker:
        fake = self._fakers.get(locale)
        if fake is None:
            fake = Faker(locale)
            locales = sorted({c.locale for c in COUNTRIES} | {locale})
            fake.seed_instance(self.seed * 1000 + locales.index(locale))
            self._fakers[locale] = fake
        return fake

    def days_ago(self, days: float) -> datetime:
        return minute(self.as_of - timedelta(days=float(days)))


def minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def ascii_slug(text: str, *, sep: str = "-") -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    return sep.join(words)


def weighted_choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    idx = rng.choice(len(keys), size=size, p=p / p.sum())
    return [keys[int(i)] for i in idx]


def unique(value: str, taken: set[str], *, fmt: str = "{base}{n}") -> str:
    """``value``, or ``value`` with a number added until it is not taken; then take it."""
    candidate, n = value, 2
    while candidate in taken:
        candidate = fmt.format(base=value, n=n)
        n += 1
    taken.add(candidate)
    return candidate
