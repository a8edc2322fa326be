"""Printable persona sheets (A4, one page per department) and the workshop pack (one PDF,
every persona's sheets). Functions take :class:`~buyermap.schemas.persona_profiles.PersonaSheet`
documents and a picture and return figures or bytes; no database, no I/O."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from PIL import Image

from buyermap.charts.personas import A4, INK, MUTED, WARN
from buyermap.schemas.persona_profiles import JourneyPage, PersonaSheet, SheetSection

WRAP = 92
TOP, BOTTOM = 0.83, 0.05
LINE = 0.0165


def _pages(
    *,
    name: str,
    subtitle: str,
    note: str,
    backed_by_data: bool,
    description: str,
    sections: Sequence[SheetSection],
    picture: Image.Image,
) -> list[Figure]:
    """A4 pages: picture, name, subtitle, the data note (in red when the persona is not
    backed by data), the description, then each section's lines; what does not fit goes
    on to a next page headed "(continued)"."""
    fig = Figure(figsize=A4)
    fig.patch.set_facecolor("white")
    figures = [fig]
    ax = fig.add_axes((0.06, 0.86, 0.1, 0.1 * A4[0] / A4[1]))
    ax.imshow(np.asarray(picture.convert("RGB")))
    ax.set_axis_off()
    fig.text(0.19, 0.955, name, fontsize=22, weight="bold", color=INK, va="top")
    fig.text(0.19, 0.915, subtitle, fontsize=13, color=MUTED)
    fig.text(
        0.19,
        0.885,
        note,
        fontsize=9,
        color=MUTED if backed_by_data else WARN,
        weight="normal" if backed_by_data else "bold",
    )
    y = TOP

    def next_page() -> None:
        nonlocal fig, y
        fig = Figure(figsize=A4)
        fig.patch.set_facecolor("white")
        figures.append(fig)
        fig.text(0.06, 0.955, f"{name}: {subtitle} (continued)", fontsize=12, color=MUTED)
        y = 0.92

    if description:
        for chunk in textwrap.wrap(description, WRAP)[:6]:
            fig.text(0.06, y, chunk, fontsize=9.5, color=INK, va="top")
            y -= LINE
        y -= LINE / 2
    for section in sections:
        if y < BOTTOM + 3 * LINE:
            next_page()
        fig.text(0.06, y, section.heading, fontsize=12.5, weight="bold", color=INK, va="top")
        if section.source:
            fig.text(0.94, y, section.source, fontsize=7.5, color=MUTED, va="top", ha="right")
        y -= LINE * 1.4
        lines = section.lines or ([section.empty] if section.empty else [])
        for entry in lines:
            wrapped = textwrap.wrap(entry, WRAP - 4) or [""]
            for i, chunk in enumerate(wrapped):
                if y < BOTTOM:
                    next_page()
                prefix = "•  " if i == 0 and section.lines else "   "
                color = INK if section.lines else MUTED
                fig.text(0.07, y, prefix + chunk, fontsize=9.5, color=color, va="top")
                y -= LINE
        y -= LINE * 0.8
    return figures


def subtitle(page: PersonaSheet | JourneyPage) -> str:
    if isinstance(page, JourneyPage):
        return f"Buyer journey ({page.status})"
    return f"{page.department.capitalize()} sheet"


def description(page: PersonaSheet | JourneyPage) -> str:
    if isinstance(page, JourneyPage):
        return f"Stages: {page.template}."
    return page.description


def sheet_figures(sheet: PersonaSheet | JourneyPage, *, picture: Image.Image) -> list[Figure]:
    """One department sheet, or the persona's journey map, on A4 pages (one unless it is
    long)."""
    return _pages(
        name=sheet.name,
        subtitle=subtitle(sheet),
        note=sheet.note,
        backed_by_data=sheet.backed_by_data,
        description=description(sheet),
        sections=sheet.sections,
        picture=picture,
    )


def sheet_pdf(sheet: PersonaSheet, *, picture: Image.Image) -> bytes:
    return pack_pdf([(sheet, picture)])


def pack_pdf(pages: Sequence[tuple[PersonaSheet | JourneyPage, Image.Image]]) -> bytes:
    """The workshop pack: one A4 page per sheet (or journey map), in the given order, as
    one PDF; the bytes are deterministic (no creation date)."""
    buf = io.BytesIO()
    metadata = {"Creator": "buyermap", "Producer": "buyermap", "CreationDate": None}
    with PdfPages(buf, metadata=metadata) as pdf:
        for sheet, picture in pages:
            for figure in sheet_figures(sheet, picture=picture):
                pdf.savefig(figure, facecolor="white")
    return buf.getvalue()
