"""The rules avatar's tier chart: a bar per tier with its count and share."""

from __future__ import annotations

from matplotlib.patches import Rectangle

from buyermap.charts.avatar_rules import tiers
from buyermap.charts.render import to_svg


def test_the_tier_chart_has_a_bar_per_tier_labelled_with_count_and_share() -> None:
    fig = tiers({"A": 30, "B": 50, "D": 10, "disqualified": 10})
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [round(b.get_width()) for b in bars] == [30, 50, 0, 10, 10]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["tier A", "tier B", "tier C", "tier D", "disqualified"]
    assert "30 (30%)" in [t.get_text() for t in ax.texts]
    assert to_svg(fig, title="Accounts by tier").startswith('<svg class="chart" role="img"')


def test_without_disqualified_accounts_there_is_no_bar_for_them() -> None:
    ax = tiers({"A": 1, "B": 1, "C": 1, "D": 1}).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "tier D"
