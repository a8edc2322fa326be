"""Exact windowed event funnels (ClickHouse ``windowFunnel`` semantics) over event files.

A :class:`FunnelQuery` is data, :func:`run_funnel` computes it on an engine (``duckdb``,
``spark`` or ``python``), and a :class:`FunnelResult` is typed. See docs/funnels.md.
"""

from __future__ import annotations

from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery, TrendPeriod, parse_window
from buyermap.analytics.funnel.result import FunnelResult
from buyermap.analytics.funnel.runner import ENGINES, run_funnel

__all__ = [
    "ENGINES",
    "FunnelMode",
    "FunnelQuery",
    "FunnelResult",
    "TrendPeriod",
    "parse_window",
    "run_funnel",
]
