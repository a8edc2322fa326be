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
from buyermap.schemas.persona_profiles import PersonaSheet

WRAP = 92
TOP, BOTTOM = 0.83, 0.05
LINE = 0.0165


def sheet_figure(sheet: PersonaSheet, *, picture: Image.Image) -> Figure:
    """One department sheet on an A4 page: picture, name, the data note (a hand-made
    persona says in red that it is not backed by data), then each section's lines."""
    fig = Figure(figsize=A4)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0.06, 0.86, 0.1, 0.1 * A4[0] / A4[1]))
    ax.imshow(np.asarray(picture.convert("RGB")))
    ax.set_axis_off()
    fig.text(0.19, 0.955, sheet.name, fontsize=22, weight="bold", color=INK, va="top")
    fig.text(0.19, 0.915, f"{sheet.department.capitalize()} sheet", fontsize=13, color=MUTED)
    fig.text(
        0.19,
        0.885,
        sheet.note,
        fontsize=9,
        color=MUTED if sheet.backed_by_data else WARN,
        weight="normal" if sheet.backed_by_data else "bold",
    )
    y = TOP
    if sheet.description:
        for chunk in textwrap.wrap(sheet.description, WRAP)[:6]:
            fig.text(0.06, y, chunk, fontsize=9.5, color=INK, va="top")
            y -= LINE
        y -= LINE / 2
    for section in sheet.sections:
        if y < BOTTOM + 3 * LINE:
            fig.text(0.06, y, "(continued on screen)", fontsize=8, color=MUTED, va="top")
            break
        fig.text(0.06, y, section.heading, fontsize=12.5, weight="bold", color=INK, va="top")
        if section.source:
            fig.text(0.94, y, section.source, fontsize=7.5, color=MUTED, va="top", ha="right")
        y -= LINE * 1.4
        lines = section.lines or ([section.empty] if section.empty else [])
        for entry in lines:
            wrapped = textwrap.wrap(entry, WRAP - 4) or [""]
            for i, chunk in enumerate(wrapped):
                if y < BOTTOM:
                    break
                prefix = "•  " if i == 0 and section.lines else "   "
                color = INK if section.lines else MUTED
                fig.text(0.07, y, prefix + chunk, fontsize=9.5, color=color, va="top")
                y -= LINE
        y -= LINE * 0.8
    return fig


def sheet_pdf(sheet: PersonaSheet, *, picture: Image.Image) -> bytes:
    return pack_pdf([(sheet, picture)])


def pack_pdf(pages: Sequence[tuple[PersonaSheet, Image.Image]]) -> bytes:
    """The workshop pack: one A4 page per sheet, in the given order, as one PDF; the bytes
    are deterministic (no creation date)."""
    buf = io.BytesIO()
    metadata = {"Creator": "buyermap", "Producer": "buyermap", "CreationDate": None}
    with PdfPages(buf, metadata=metadata) as pdf:
        for sheet, picture in pages:
            pdf.savefig(sheet_figure(sheet, picture=picture), facecolor="white")
    return buf.getvalue()
