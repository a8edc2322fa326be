"""The demo workspace with its analyses, as ``buyermap demo`` and ``POST /demo`` build it:
the seeded records and personas (:func:`buyermap.demo.workspace.build_demo_workspace`),
then the customer avatar learned from the demo's accounts and saved as :data:`DEMO_AVATAR`,
so every account carries a stored fit, tier and reasons, then part of the account
knowledge (:mod:`buyermap.demo.knowledge`; docs/demo-data.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from buyermap.demo.knowledge import DemoKnowledge, build_demo_knowledge
from buyermap.demo.workspace import BuiltDemo
from buyermap.demo.workspace import build_demo_workspace as build_records
from buyermap.errors import InsufficientEvidenceError
from buyermap.seams.avatar import LearnRequest, learn_avatar

DEMO_AVATAR = "demo"
"""The name the demo's avatar is saved under (``buyermap avatar score --avatar demo``)."""


@dataclass(frozen=True, slots=True)
class DemoWorkspace:
    built: BuiltDemo
    avatar: str  # what became of the avatar, in words
    avatar_refused: bool  # True when the avatar was refused (too few won or lost accounts)
    knowledge: DemoKnowledge | None = None  # the account knowledge filled in


def build_demo_workspace(
    session: Session,
    *,
    seed: int = 7,
    scale: float = 1.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoWorkspace:
    """Build the demo, discover its personas, learn and save its avatar (every account
    scored and stored). A tiny demo may have too few outcomes: the avatar is then refused
    and said so, as the personas are. No commit."""
    built = build_records(session, seed=seed, scale=scale, progress=progress)
    if progress is not None:
        progress("avatar", 0, 1)
    try:
        learned = learn_avatar(session, LearnRequest(save=DEMO_AVATAR), progress=progress)
    except InsufficientEvidenceError as exc:
        known = build_demo_knowledge(session, seed=seed, as_of=built.summary.as_of)
        return DemoWorkspace(
            built=built,
            avatar=f"no avatar: {exc.message}",
            avatar_refused=True,
            knowledge=known,
        )
    doc = learned.document
    top = ", ".join(t.value for t in doc.traits[:3])
    return DemoWorkspace(
        built=built,
        avatar=(
            f"avatar {DEMO_AVATAR!r}: learned from {doc.n:,} accounts "
            f"({doc.positives:,} buyers), AUC {doc.auc:.2f}; {doc.stored_scores:,} accounts "
            f"scored (top traits: {top})"
        ),
        avatar_refused=False,
        knowledge=build_demo_knowledge(session, seed=seed, as_of=built.summary.as_of),
    )
