"""Figures for personas: the choice of k (BIC and stability across k) and the persona card.

Functions take a run's result (the JSON-able ``PersonaResult.to_dict()``) or one persona
of it and return a matplotlib :class:`~matplotlib.figure.Figure`; they never show it and
do no I/O. :func:`figure_bytes` renders a figure in memory (PNG, PDF with matplotlib's PDF
backend, or SVG for pages).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from buyermap.analytics.personas.selection import STABLE, UNTRUSTED

INK = "#1f2933"
MUTED = "#6b7785"
ACCENT = "#2f6fb3"
GOOD = "#2e8b57"
WARN = "#c0392b"
GRID = "#e3e7ec"
A4 = (8.27, 11.69)


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def selection_figure(result: dict[str, Any], *, bucket: str | None = None) -> Figure:
    """BIC (lower is better) and bootstrap stability for every candidate k; the chosen k
    is marked, with the 0.6 (untrusted) and 0.75 (stable) lines."""
    rows = [c for c in result.get("selection", []) if c.get("bucket") == bucket]
    rows.sort(key=lambda c: c["k"])
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    ax_bic, ax_stab = fig.subplots(1, 2)
    ks = [c["k"] for c in rows]
    chosen = [c["k"] for c in rows if c.get("chosen")]
    bic = [c["bic"] for c in rows]
    ax_bic.plot(ks, bic, color=ACCENT, marker="o", linewidth=1.8)
    for k in chosen:
        ax_bic.plot(
            [k], [bic[ks.index(k)]], marker="o", markersize=12, fillstyle="none", color=GOOD
        )
        ax_bic.annotate(
            f"chosen k = {k}",
            (k, bic[ks.index(k)]),
            textcoords="offset points",
            xytext=(6, 10),
            color=GOOD,
            fontsize=9,
        )
    ax_bic.set_title("BIC by number of personas (lower is better)", fontsize=10, color=INK)
    ax_bic.set_xlabel("k", color=INK)
    ax_bic.set_xticks(ks)
    _style(ax_bic)
    with_stab = [c for c in rows if c.get("stability") is not None]
    xs = [c["k"] for c in with_stab]
    mean = [c["stability"] for c in with_stab]
    low = [c["min_stability"] for c in with_stab]
    ax_stab.bar([x - 0.18 for x in xs], mean, width=0.36, color=ACCENT, label="mean over personas")
    ax_stab.bar(
        [x + 0.18 for x in xs],
        low,
        width=0.36,
        color=[GOOD if v >= UNTRUSTED else WARN for v in low],
        label="least stable persona",
    )
    ax_stab.axhline(STABLE, color=GOOD, linestyle="--", linewidth=1)
    ax_stab.axhline(UNTRUSTED, color=WARN, linestyle=":", linewidth=1)
    ax_stab.text(ks[-1] + 0.45 if ks else 1, STABLE, "stable", color=GOOD, fontsize=8, va="center")
    ax_stab.text(
        ks[-1] + 0.45 if ks else 1, UNTRUSTED, "untrusted", color=WARN, fontsize=8, va="center"
    )
    for k in chosen:
        ax_stab.axvspan(k - 0.45, k + 0.45, color=GOOD, alpha=0.08)
    ax_stab.set_ylim(0, 1.05)
    ax_stab.set_xlim((min(ks) - 0.6, max(ks) + 1.2) if ks else (0, 2))
    ax_stab.set_xticks(ks)
    ax_stab.set_title("Bootstrap stability (Jaccard)", fontsize=10, color=INK)
    ax_stab.set_xlabel("k", color=INK)
    ax_stab.legend(fontsize=8, frameon=False, loc="lower left")
    if not with_stab:
        ax_stab.text(0.5, 0.5, "not computed", transform=ax_stab.transAxes, ha="center")
    _style(ax_stab)
    return fig


def _lift_ci(t: dict[str, Any]) -> tuple[float, float] | None:
    pop = t.get("population")
    ci = t.get("ci") or [None, None]
    if not pop or ci[0] is None or ci[1] is None or pop <= 0:
        return None
    return max(float(ci[0]) / pop, 1e-3), max(float(ci[1]) / pop, 1e-3)


def trait_label(t: dict[str, Any]) -> str:
    name = str(t["variable"]).rsplit(": ", 1)[-1].replace("_", " ")
    if t["statistic"] == "mean":
        return f"{t['value']} {name}"
    return f"{name}: {t['value']}"


def _value(t: dict[str, Any], which: str) -> str:
    v = t.get(which)
    if v is None:
        return "–"
    return f"{v:.0%}" if t["statistic"] == "share" else f"{v:,.1f}"


def traits_axes(ax: Axes, traits: Sequence[dict[str, Any]]) -> None:
    """Lift of each trait against the population (log scale) with its 95% interval."""
    shown = [t for t in traits if t.get("lift")][:8][::-1]
    ys = np.arange(len(shown))
    lifts = [float(t["lift"]) for t in shown]
    colors = [ACCENT if v >= 1 else WARN for v in lifts]
    ax.barh(ys, [math.log2(v) for v in lifts], color=colors, height=0.55, alpha=0.85)
    for y, t in zip(ys, shown, strict=True):
        ci = _lift_ci(t)
        if ci is not None:
            ax.plot([math.log2(ci[0]), math.log2(ci[1])], [y, y], color=INK, linewidth=1.4)
            for end in ci:
                ax.plot([math.log2(end)] * 2, [y - 0.12, y + 0.12], color=INK, linewidth=1.4)
    ax.set_yticks(ys)
    ax.set_yticklabels(
        [textwrap.shorten(trait_label(t), 38, placeholder="…") for t in shown], fontsize=9
    )
    ax.axvline(0, color=MUTED, linewidth=1)
    span = max([abs(math.log2(v)) for v in lifts] + [1.0]) + 0.6
    ax.set_xlim(-span, span + 1.6)
    ticks = [t for t in (-3, -2, -1, 0, 1, 2, 3) if abs(t) <= span]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{2.0**t:g}x" for t in ticks], fontsize=8)
    ax.set_xlabel("lift vs all rows (log scale), bars: 95% interval", fontsize=8, color=MUTED)
    for y, t in zip(ys, shown, strict=True):
        ax.text(
            span + 0.1,
            float(y),
            f"{_value(t, 'persona')} vs {_value(t, 'population')}  n={t['n']:,}",
            fontsize=8,
            va="center",
            color=INK,
        )
    _style(ax)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.grid(axis="y", visible=False)


def card_figure(
    persona: dict[str, Any],
    *,
    avatar: Image.Image,
    n: int,
    share_ci: tuple[float, float] | None = None,
    quotes: Sequence[str] = (),
    highlights: Sequence[str] = (),
    run_label: str = "",
) -> Figure:
    """A printable persona card (A4 portrait): avatar, name and title, size and share,
    the top traits with lift and interval bars, and quotes."""
    fig = Figure(figsize=A4)
    fig.patch.set_facecolor("white")
    ax_img = fig.add_axes((0.06, 0.815, 0.15, 0.15 * A4[0] / A4[1] * A4[1] / A4[0]))
    ax_img.imshow(np.asarray(avatar.convert("RGB")))
    ax_img.set_axis_off()
    fig.text(0.25, 0.945, str(persona["name"]), fontsize=26, weight="bold", color=INK, va="top")
    title = textwrap.fill(str(persona["title"]), 70)
    fig.text(0.25, 0.905, title, fontsize=10.5, color=MUTED, va="top", linespacing=1.4)
    share = f"{persona['share']:.0%} of rows"
    if share_ci is not None:
        share += f" (95% CI {share_ci[0]:.0%}–{share_ci[1]:.0%})"
    evidence = []
    if persona.get("stability") is not None:
        evidence.append(f"stability {persona['stability']:.2f}")
    if persona.get("mean_probability") is not None:
        evidence.append(f"mean membership probability {persona['mean_probability']:.2f}")
    fig.text(0.25, 0.85, share, fontsize=12, weight="bold", color=ACCENT, va="top")
    fig.text(
        0.25,
        0.828,
        "  ·  ".join([f"{persona['size']:,} of {n:,} rows", *evidence]),
        fontsize=9.5,
        color=INK,
        va="top",
    )
    if persona.get("low_evidence"):
        fig.text(0.25, 0.808, "LOW EVIDENCE: treat as tentative", fontsize=9, color=WARN)
    fig.text(
        0.06, 0.775, f"What sets {persona['name']} apart", fontsize=13, weight="bold", color=INK
    )
    ax = fig.add_axes((0.33, 0.44, 0.44, 0.32))
    traits_axes(ax, persona.get("traits", []))
    fig.text(0.06, 0.375, "In their words", fontsize=13, weight="bold", color=INK)
    y = 0.345
    for q in list(quotes)[:4]:
        text = textwrap.fill(f"“{q}”", 95)
        fig.text(0.08, y, text, fontsize=9.5, style="italic", color=INK, va="top")
        y -= 0.02 * (text.count("\n") + 1) + 0.014
    if not quotes:
        fig.text(0.08, y, "No quotes in the data for this persona.", fontsize=9.5, color=MUTED)
    if highlights:
        y -= 0.01
        fig.text(0.06, y, "Goals and frustrations", fontsize=13, weight="bold", color=INK)
        y -= 0.03
        for line in list(highlights)[:5]:
            fig.text(0.08, y, f"•  {line}", fontsize=9.5, color=INK, va="top")
            y -= 0.021
    descriptors = [t for t in persona.get("descriptors", []) if (t.get("score") or 0) >= 0.3][:4]
    if descriptors:
        fig.text(0.06, 0.13, "Who they are", fontsize=11, weight="bold", color=INK)
        fig.text(
            0.06,
            0.105,
            textwrap.fill(
                "; ".join(f"{trait_label(t)} ({_value(t, 'persona')})" for t in descriptors), 110
            ),
            fontsize=9,
            color=INK,
            va="top",
        )
    fig.text(
        0.06,
        0.045,
        f"buyermap persona card · {persona['key']}{' · ' + run_label if run_label else ''}\n"
        "Traits: share (levels) or mean (numbers) of the members against all rows; lift = "
        "their ratio; 95% interval; n = members with a value.",
        fontsize=7,
        color=MUTED,
        va="top",
        linespacing=1.5,
    )
    return fig


def figure_bytes(fig: Figure, fmt: str, *, dpi: int = 150) -> bytes:
    """Render ``fig`` in memory as ``png``, ``pdf`` or ``svg``."""
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"format {fmt!r} is not supported; use png, pdf or svg")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Fixed metadata so the same card gives the same bytes (no creation date).
    if fmt == "pdf":
        return {"Creator": "buyermap", "Producer": "buyermap", "CreationDate": None}
    if fmt == "svg":
        return {"Date": None, "Creator": "buyermap"}
    return {"Software": "buyermap"}


def figure_svg(fig: Figure) -> str:
    """An inline ``<svg>`` element for a page (no XML prolog)."""
    text = figure_bytes(fig, "svg").decode("utf-8")
    return text[text.index("<svg") :]
