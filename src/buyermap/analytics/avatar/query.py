"""What to learn an avatar from: a frozen query (the one place it is built: the seam)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MIN_CLASS = 30
"""The floor: fewer positive or negative rows than this and learning is refused."""

COMFORT_PER_FEATURE = 10
COMFORT_MIN = 100
"""Between the floor and max(100, 10 per feature column) positives and negatives the avatar
is learned with a warning and a widened AUC interval."""


@dataclass(frozen=True, slots=True)
class LearnQuery:
    """An avatar to learn from a table.

    ``outcome`` is the column that says who bought; a row is positive when its outcome
    equals ``positive`` (compared as text, case and spaces ignored; booleans in any of the
    languages :data:`~buyermap.analytics.avatar.columns.TRUE_WORDS` lists); rows with an
    empty outcome are not trained on (they are scored). ``exclude`` names columns never
    used as features; ``id_column`` identifies a row and is never a feature either.
    """

    outcome: str
    positive: str | None = None
    id_column: str | None = None
    exclude: tuple[str, ...] = ()
    features: tuple[str, ...] = ()  # empty: every usable column
    max_bins: int = 10
    min_level_share: float = 0.01
    min_level_count: int = 10
    folds: int = 5
    interactions: int = 3
    cv_rows: int = 60_000
    seed: int = 0
    force: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # column -> words ("employees")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["exclude"] = list(self.exclude)
        out["features"] = list(self.features)
        return out
