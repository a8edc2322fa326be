"""The relationship map drawn from its document (seams/relationship_map.py): an SVG written
by hand (every text escaped; clickable people for the pages) and a PNG by matplotlib.

People are circles sized by their share of the influence and filled by their attitude; ties
are arrows coloured and dashed by type, with a legend. No database, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from math import hypot

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch

from buyermap.charts.render import INK, MUTED, styled, to_png
from buyermap.schemas.relationships import MapDocument, MapNode

WIDTH, HEIGHT, MARGIN = 760, 520, 70
LEGEND_W = 190


def _px(node: MapNode) -> tuple[float, float]:
    return (
        MARGIN + node.x * (WIDTH - LEGEND_W - 2 * MARGIN),
        MARGIN + (1 - node.y) * (HEIGHT - 2 * MARGIN),
    )


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{escape(dash)}"' if dash else ""


def _short(
    edge_from: tuple[float, float], edge_to: tuple[float, float], r1: float, r2: float
) -> tuple[float, float, float, float]:
    (x1, y1), (x2, y2) = edge_from, edge_to
    d = hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / d, (y2 - y1) / d
    return x1 + ux * r1, y1 + uy * r1, x2 - ux * (r2 + 4), y2 - uy * (r2 + 4)


def svg(doc: MapDocument, *, node_url: Callable[[int], str] | None = None) -> str:
    """The map as an inline ``<svg>``; with ``node_url``, each person is a link that loads
    their card into ``#map-card`` (HTMX)."""
    title = f"Relationship map of {doc.deal or doc.account}"
    nodes = {n.contact_id: n for n in doc.nodes}
    colours = sorted(
        {e.colour for e in doc.edges} | {le.colour for le in doc.legend if le.kind == "tie"}
    )
    out = [
        f'<svg class="chart relationship-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<defs>",
    ]
    for c in colours:
        out.append(
            f'<marker id="arrow-{c[1:]}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
        )
    out.append("</defs>")
    for e in doc.edges:
        a, b = nodes[e.from_], nodes[e.to]
        x1, y1, x2, y2 = _short(_px(a), _px(b), a.radius, b.radius)
        words = f"{a.name} {e.type_label} {b.name}" + (f": {e.evidence}" if e.evidence else "")
        out.append(
            f'<line class="map-edge" data-tie="{e.id}" data-type="{escape(e.type)}" '
            f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{e.colour}" '
            f'stroke-width="2"{_dash(e.dash)} marker-end="url(#arrow-{e.colour[1:]})">'
            f"<title>{escape(words)}</title></line>"
        )
    for n in doc.nodes:
        x, y = _px(n)
        words = (
            f"{n.name}" + (f", {n.role_label}" if n.role_label else "") + f", {n.attitude_label}"
        )
        ring = "" if n.member else ' stroke-dasharray="3 2"'
        link = ""
        if node_url is not None:
            url = escape(node_url(n.contact_id))
            link = (
                f' hx-get="{url}" hx-target="#map-card" hx-swap="innerHTML" '
                'hx-trigger="click, keyup[key==&#39;Enter&#39;]" tabindex="0" '
                'style="cursor:pointer"'
            )
        out.append(
            f'<g class="map-node" data-contact="{n.contact_id}"{link}>'
            f"<title>{escape(words)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{n.radius:.1f}" fill="{n.colour}" '
            f'stroke="{INK}" stroke-width="{2 if n.member else 1}"'
            f"{ring}/>"
            f'<text x="{x:.1f}" y="{y + n.radius + 14:.1f}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{escape(n.name)}</text>'
            f'<text x="{x:.1f}" y="{y + n.radius + 28:.1f}" text-anchor="middle" '
            f'font-size="10" fill="{MUTED}">{escape(n.role_label or n.title or "")}</text></g>'
        )
    lx, ly = WIDTH - LEGEND_W + 10, 24
    out.append(f'<g class="map-legend" font-size="11" fill="{INK}">')
    out.append(f'<text x="{lx}" y="{ly}" font-weight="bold">Ties</text>')
    y = ly
    seen_attitude = False
    for le in doc.legend:
        y += 18
        if le.kind == "attitude" and not seen_attitude:
            seen_attitude = True
            y += 8
            out.append(f'<text x="{lx}" y="{y}" font-weight="bold">Attitude (fill)</text>')
            y += 18
        if le.kind == "tie":
            out.append(
                f'<line x1="{lx}" y1="{y - 4}" x2="{lx + 34}" y2="{y - 4}" stroke="{le.colour}" '
                f'stroke-width="2"{_dash(le.dash)} marker-end="url(#arrow-{le.colour[1:]})"/>'
            )
        else:
            out.append(
                f'<circle cx="{lx + 17}" cy="{y - 4}" r="6" fill="{le.colour}" stroke="{INK}"/>'
            )
        out.append(f'<text x="{lx + 44}" y="{y}">{escape(le.label)}</text>')
    y += 26
    out.append(f'<text x="{lx}" y="{y}" fill="{MUTED}">Circle size: share of influence</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def figure(doc: MapDocument) -> Figure:
    """The map as a matplotlib figure (for the PNG)."""
    with styled():
        fig = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(HEIGHT, 0)
        ax.set_axis_off()
        nodes = {n.contact_id: n for n in doc.nodes}
        ax.text(
            12,
            22,
            f"Relationship map of {doc.deal or doc.account}",
            fontsize=12,
            fontweight="bold",
            color=INK,
        )
        for e in doc.edges:
            a, b = nodes[e.from_], nodes[e.to]
            x1, y1, x2, y2 = _short(_px(a), _px(b), a.radius, b.radius)
            dashes = tuple(float(v) for v in e.dash.split()) if e.dash else None
            ax.add_patch(
                FancyArrowPatch(
                    (x1, y1),
                    (x2, y2),
                    arrowstyle="-|>",
                    mutation_scale=14,
                    color=e.colour,
                    linewidth=1.8,
                    linestyle=(0, dashes) if dashes else "-",
                )
            )
        for n in doc.nodes:
            x, y = _px(n)
            ax.add_patch(
                Circle(
                    (x, y),
                    n.radius,
                    facecolor=n.colour,
                    edgecolor=INK,
                    linewidth=2 if n.member else 1,
                )
            )
            ax.text(x, y + n.radius + 12, n.name, ha="center", fontsize=9, color=INK)
            ax.text(
                x,
                y + n.radius + 25,
                n.role_label or n.title or "",
                ha="center",
                fontsize=8,
                color=MUTED,
            )
        handles = [
            Line2D(
                [],
                [],
                color=le.colour,
                linewidth=2,
                linestyle=(0, tuple(float(v) for v in le.dash.split())) if le.dash else "-",
                label=le.label,
            )
            if le.kind == "tie"
            else Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=le.colour,
                markeredgecolor=INK,
                markersize=9,
                label=f"{le.label} (fill)",
            )
            for le in doc.legend
        ]
        ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)
    return fig


def png(doc: MapDocument) -> bytes:
    return to_png(figure(doc))
