"""Persona discovery: evidence-backed buyer personas from contacts or any table.

A latent class model for mixed data (``model``), k chosen by BIC and bootstrap stability
(``selection``), personas profiled with lifts and intervals (``profile``), runs saved and
compared (``runs``). The use case is :func:`discover`; see docs/personas.md.
"""

from __future__ import annotations

from buyermap.analytics.personas.discover import DiscoverQuery, PersonaResult, discover
from buyermap.errors import InsufficientEvidenceError, PersonaInputError

__all__ = [
    "DiscoverQuery",
    "InsufficientEvidenceError",
    "PersonaInputError",
    "PersonaResult",
    "discover",
]
