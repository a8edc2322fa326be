"""Figure to bytes: inline SVG for pages, PNG for downloads; plus the shared look.

Figures are built with :class:`matplotlib.figure.Figure` directly (never pyplot), so no
global figure registry is touched and rendering is safe in a web server's threads.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# The workbench's palette (web/static/app.css).
INK = "#1d2330"
MUTED = "#687083"
LINE = "#e2e5ea"
ACCENT = "#2f5bd3"
ACCENT_SOFT = "#c9d6f6"
WON = "#1f9d63"
LOST = "#c8453b"
OPEN = "#2f5bd3"
AMBER = "#d98e04"

STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.size": 10,
    "axes.edgecolor": LINE,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlecolor": INK,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text: crisp at any zoom, small files
}
_LOCK = threading.RLock()


@contextmanager
def styled() -> Iterator[None]:
    """The shared look for building and saving figures (rcParams are global: one at a time)."""
    with _LOCK, mpl.rc_context(cast(Any, STYLE)):
        yield


def new_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure of ``size`` inches with one axes."""
    if ax is not None:
        fig = ax.get_figure()
        assert isinstance(fig, Figure)
        return fig, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def wrap(label: str, width: int = 18) -> str:
    """A long label on several lines of at most ``width`` characters (words kept whole),
    so tick labels and legends of long names (``Szerződéskötés előtti jóváhagyás``) do
    not crowd the plot or run off the figure."""
    return "\n".join(textwrap.wrap(str(label), width=width, break_long_words=False)) or label


def compact_money(value: float, _pos: object = None) -> str:
    """1234 -> 1.2k, 4_500_000 -> 4.5M (axis labels)."""
    a = abs(value)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            text = f"{value / div:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:,.0f}"


MONEY = FuncFormatter(compact_money)


def to_svg(fig: Figure, *, title: str | None = None) -> str:
    """The figure as an inline ``<svg>`` element that scales to its container's width."""
    buf = io.StringIO()
    with styled():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    label = f' role="img" aria-label="{_attr(title)}"' if title else ' role="img"'
    return text.replace("<svg", f'<svg class="chart"{label}', 1)


def to_png(fig: Figure, *, dpi: int = 144) -> bytes:
    buf = io.BytesIO()
    with styled():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
