"""A persona sheet as a standalone HTML page (``buyermap personas sheet --out x.html``):
no scripts, no outside files, the picture inlined."""

from __future__ import annotations

import base64
from html import escape

from buyermap.schemas.persona_profiles import PersonaSheet

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;color:#1f2933}"
    ".note{color:#6b7785}.note.hand{color:#c0392b;font-weight:bold}"
    ".src{color:#6b7785;font-size:.8rem}.empty{color:#6b7785}"
    "header{display:flex;gap:1rem;align-items:center}"
)


def sheet_html(sheet: PersonaSheet, *, picture_png: bytes) -> str:
    """The sheet as an HTML document."""
    src = "data:image/png;base64," + base64.b64encode(picture_png).decode("ascii")
    note_class = "note" if sheet.backed_by_data else "note hand"
    parts = [
        "<!doctype html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(sheet.title)}</title>',
        f"<style>{STYLE}</style></head><body>",
        f'<header><img src="{src}" width="96" height="96" alt="Picture of {escape(sheet.name)}">',
        f"<div><h1>{escape(sheet.name)}</h1><p>{escape(sheet.department.capitalize())} sheet</p>",
        f'<p class="{note_class}">{escape(sheet.note)}</p></div></header>',
    ]
    if sheet.description:
        parts.append(f"<p>{escape(sheet.description)}</p>")
    for section in sheet.sections:
        parts.append(f"<section><h2>{escape(section.heading)}</h2>")
        if section.source:
            parts.append(f'<p class="src">From {escape(section.source)}</p>')
        if section.lines:
            items = "".join(f"<li>{escape(line)}</li>" for line in section.lines)
            parts.append(f"<ul>{items}</ul>")
        elif section.empty:
            parts.append(f'<p class="empty">{escape(section.empty)}</p>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
