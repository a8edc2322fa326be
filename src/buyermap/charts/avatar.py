"""Charts of a learned customer avatar (its learning's document, ``buyermap avatar learn
--json``) and of mutual fit (``buyermap avatar mutual --json``).

Each function takes the document (a mapping, as stored and as the REST API answers) and an
optional axes, and returns the figure (never shows). Every number is in words and units:
odds ratios, percentages of accounts, fit and "we fit them" out of 100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from buyermap.charts.render import (
    ACCENT,
    ACCENT_SOFT,
    AMBER,
    INK,
    LINE,
    LOST,
    MUTED,
    WON,
    new_axes,
    styled,
    wrap,
)

Doc = Mapping[str, Any]
MAX_TRAITS = 12


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def trait_label(trait: Mapping[str, Any]) -> str:
    """A trait in words: a number's range carries its column ('200-2,000 employees'), a
    category's level gets it ('industry: Software')."""
    value = str(trait["value"])
    if trait.get("low") is not None or trait.get("high") is not None or not trait.get("levels"):
        return value
    return f"{trait['feature']}: {value}"


def reason_label(feature: str, value: str) -> str:
    """A reason in words: its column named unless the words carry it already."""
    return value if feature.lower() in value.lower() else f"{feature}: {value}"


def odds_words(ratio: float) -> str:
    """An odds ratio as people say it: 'odds x2.8' or 'odds ÷1.9'."""
    if ratio >= 1:
        return f"odds x{ratio:.2f}"
    return f"odds ÷{1 / max(ratio, 1e-9):.2f}"


def traits(doc: Doc, ax: Axes | None = None) -> Figure:
    """The traits that separate buyers: one bar per trait, its effect on the odds of buying
    (log-odds against the rest of its column), favourable to the right."""
    rows: Sequence[Mapping[str, Any]] = list(doc.get("traits") or [])[:MAX_TRAITS]
    rows = sorted(rows, key=lambda t: float(t["effect"]))
    labels = [wrap(trait_label(t), 30) for t in rows]
    effects = np.array([float(t["effect"]) for t in rows], dtype=float)
    with styled():
        fig, ax = new_axes(ax, (9.0, 0.36 * max(len(rows), 2) + 1.3))
        y = np.arange(len(rows))
        colors = [WON if e > 0 else LOST for e in effects]
        ax.barh(y, effects, color=colors, height=0.62)
        top = float(np.abs(effects).max(initial=0.5))
        for yi, e, t in zip(y, effects, rows, strict=True):
            text = (
                f"{odds_words(float(t['ratio']))} ({e:+.2f}), {float(t['share']):.0%} of accounts"
            )
            # right of the bar, or right of zero for a bar to the left: never over the labels
            ax.text(max(e, 0.0) + top * 0.03, float(yi), text, va="center", fontsize=8, color=INK)
        ax.axvline(0, color=MUTED, lw=0.8)
        ax.set_yticks(y, labels)
        ax.set_xlim(-top * 1.15, top * 2.9)
        ax.set_xlabel("effect on the odds of buying (log-odds; right: more likely to buy)")
        ax.set_title("Traits that separate buyers")
        ax.tick_params(axis="y", length=0, labelsize=9, labelcolor=INK)
        if not rows:
            ax.text(0, 0, "no trait moves the odds by more than 0.05", ha="center", color=MUTED)
    return fig


def tiers(doc: Doc, ax: Axes | None = None) -> Figure:
    """Share of accounts that bought in each tier (out of fold), with the lift over the
    base rate."""
    rows: Sequence[Mapping[str, Any]] = list(doc.get("tiers") or [])
    base = float(doc.get("base_rate") or 0.0)
    names = [str(r["tier"]) for r in rows]
    rates = np.array([float(r["positive_rate"]) for r in rows], dtype=float)
    with styled():
        fig, ax = new_axes(ax, (5.2, 3.2))
        x = np.arange(len(rows))
        palette = [WON, ACCENT, ACCENT_SOFT, LOST]
        ax.bar(x, rates, color=[palette[i % 4] for i in range(len(rows))], width=0.62)
        for xi, rate, r in zip(x, rates, rows, strict=True):
            ax.text(
                float(xi),
                rate + 0.02,
                f"{rate:.0%} bought\nlift x{float(r['lift']):.2f}\n{int(r['n']):,} accounts",
                ha="center",
                va="bottom",
                fontsize=8,
                color=INK,
            )
        ax.axhline(base, color=AMBER, lw=1.2, ls="--")
        ax.text(
            len(rows) - 0.5, base, f" base rate {base:.0%}", va="bottom", ha="right", color=AMBER
        )
        ax.set_xticks(x, [f"Tier {n}" for n in names])
        ax.set_ylim(0, 1.35)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.yaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        ax.set_ylabel("accounts that bought (%)")
        ax.set_title("Buyers by tier (cross-validated)")
    return fig


def reliability(doc: Doc, ax: Axes | None = None) -> Figure:
    """Calibration: the mean predicted probability of each group against the share that
    bought; on the diagonal the probability can be read as a chance."""
    rows: Sequence[Mapping[str, Any]] = list(doc.get("reliability") or [])
    pred = np.array([float(r["predicted"]) for r in rows], dtype=float)
    seen = np.array([float(r["observed"]) for r in rows], dtype=float)
    sizes = np.array([float(r["n"]) for r in rows], dtype=float)
    with styled():
        fig, ax = new_axes(ax, (4.4, 4.0))
        ax.plot([0, 1], [0, 1], color=LINE, lw=1.2, ls="--", label="perfectly calibrated")
        ax.plot(pred, seen, color=ACCENT, lw=1.4, marker="o", ms=5, label="this avatar")
        for p, o, n in zip(pred, seen, sizes, strict=True):
            ax.annotate(
                f"{n:,.0f} acc.", (p, o), textcoords="offset points", xytext=(5, -10), fontsize=7
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        ax.yaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        ax.set_xlabel("predicted chance of buying (%)")
        ax.set_ylabel("share that bought (%)")
        ax.set_title("Reliability (out of fold)")
        ax.legend(loc="upper left", fontsize=8)
    return fig


def drift(doc: Doc, ax: Axes | None = None) -> Figure:
    """The base rate of the training accounts against the mean predicted chance of the
    accounts scored: far apart, the scored accounts look unlike the ones learned from."""
    d: Mapping[str, Any] = doc.get("drift") or {}
    training = float(d.get("training_rate") or 0.0)
    scored = d.get("scored_rate")
    with styled():
        fig, ax = new_axes(ax, (4.4, 2.4))
        labels = ["trained on", "scored"]
        values = [training, float(scored) if scored is not None else 0.0]
        y = np.arange(2)[::-1]
        ax.barh(y, values, color=[ACCENT, AMBER if scored is not None else LINE], height=0.55)
        texts = [
            f"{training:.1%} bought",
            "no accounts scored"
            if scored is None
            else f"{float(scored):.1%} expected ({int(d.get('scored_n') or 0):,} accounts)",
        ]
        for yi, v, t in zip(y, values, texts, strict=True):
            ax.text(v + 0.01, yi, t, va="center", fontsize=8.5, color=INK)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 1.45)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.xaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        ax.set_xlabel("accounts (%)")
        ax.set_title("Base rate: trained on and scored")
        ax.tick_params(axis="y", length=0, labelcolor=INK)
    return fig


QUADRANTS = (
    # (x side, y side, words): x = they fit us (fit), y = we fit them
    ("high", "high", "Fit both ways: pursue"),
    ("low", "high", "We fit them, they fit us less"),
    ("high", "low", "They fit us, we fall short"),
    ("low", "low", "Neither fits: deprioritise"),
)


def quadrant_of(fit: float, we_fit_them: float, cut: float = 50.0) -> str:
    """The quadrant's words for one account (the cut: 50 of 100 on both axes)."""
    x = "high" if fit >= cut else "low"
    y = "high" if we_fit_them >= cut else "low"
    return next(w for qx, qy, w in QUADRANTS if (qx, qy) == (x, y))


def quadrant(doc: Doc, ax: Axes | None = None) -> Figure:
    """One point per account with both numbers: x = how well they fit us (the avatar's
    fit), y = how well we fit their supplier criteria. Each point's SVG group has the id
    ``account-<id>``; :func:`buyermap.charts.render.to_svg` output can be given titles."""
    points = [
        a
        for a in doc.get("accounts") or []
        if a.get("fit") is not None and a.get("we_fit_them") is not None
    ]
    with styled():
        fig, ax = new_axes(ax, (6.0, 5.2))
        ax.axvline(50, color=LINE, lw=1.0)
        ax.axhline(50, color=LINE, lw=1.0)
        spots = {
            ("high", "high"): (97, 94, "right", "top"),
            ("low", "high"): (3, 94, "left", "top"),
            ("high", "low"): (97, 6, "right", "bottom"),
            ("low", "low"): (3, 6, "left", "bottom"),
        }
        for qx, qy, words in QUADRANTS:
            x, y, ha, va = spots[(qx, qy)]
            ax.text(x, y, wrap(words, 22), ha=ha, va=va, fontsize=8.5, color=MUTED)
        for a in points:
            fit, ours = float(a["fit"]), float(a["we_fit_them"])
            color = {
                (True, True): WON,
                (False, False): LOST,
                (True, False): AMBER,
                (False, True): ACCENT,
            }[(fit >= 50, ours >= 50)]
            dot = ax.scatter([fit], [ours], s=46, color=color, edgecolors="white", zorder=3)
            dot.set_gid(f"account-{int(a['account_id'])}")
            dot.set_urls([f"/accounts/{int(a['account_id'])}"])
        ax.set_xlim(-3, 103)
        ax.set_ylim(-3, 103)
        ax.set_xlabel("they fit us: the avatar's fit (0-100)")
        ax.set_ylabel("we fit them: their criteria we meet (0-100)")
        ax.set_title(f"Fit both ways ({len(points):,} accounts)")
        if not points:
            ax.text(50, 50, "no account has both numbers yet", ha="center", color=MUTED)
    return fig


def point_titles(svg: str, titles: Mapping[int, str]) -> str:
    """Hover text for the quadrant's points: a ``<title>`` in each ``account-<id>`` group
    (browsers show it on hover; screen readers read it); a click opens the account in
    the same tab (matplotlib's links open a new one)."""
    svg = svg.replace('" target="_blank">', '">')
    for account_id, text in titles.items():
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        svg = svg.replace(
            f'<g id="account-{account_id}">',
            f'<g id="account-{account_id}" class="point"><title>{safe}</title>',
            1,
        )
    return svg
