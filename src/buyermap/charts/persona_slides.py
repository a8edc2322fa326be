"""The workshop pack as an editable PowerPoint deck (python-pptx): one 16:9 slide per
department sheet or journey map, the same documents the PDF pack draws, as real text
boxes a workshop can edit. No database, no I/O."""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Sequence
from datetime import datetime

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as Deck
from pptx.text.text import TextFrame, _Paragraph
from pptx.util import Emu, Inches, Pt

from buyermap.charts.persona_sheets import description, subtitle
from buyermap.schemas.persona_profiles import JourneyPage, PersonaSheet, SheetSection

# python-pptx's RGBColor and add_paragraph carry no annotations
INK_RGB = RGBColor(0x1F, 0x29, 0x37)  # type: ignore[no-untyped-call]
MUTED_RGB = RGBColor(0x6B, 0x72, 0x80)  # type: ignore[no-untyped-call]
WARN_RGB = RGBColor(0xB9, 0x1C, 0x1C)  # type: ignore[no-untyped-call]
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
COLUMN_CHARS = 78  # characters of 11 pt text in a 6-inch column
COLUMN_LINES = 26  # lines of 11 pt text in the 5.5-inch body
FIXED_TIME = datetime(2026, 1, 1)  # the same documents give the same file


def _lines(section: SheetSection) -> list[tuple[str, bool]]:
    """The section as wrapped (text, is_heading) lines."""
    out = [(section.heading, True)]
    entries = section.lines or ([section.empty] if section.empty else [])
    for entry in entries:
        wrapped = textwrap.wrap(entry, COLUMN_CHARS - 3) or [""]
        out.extend((("•  " if i == 0 else "   ") + chunk, False) for i, chunk in enumerate(wrapped))
    return out


def _columns(sections: Sequence[SheetSection]) -> list[list[tuple[str, bool]]]:
    """The sections' lines poured into columns of ``COLUMN_LINES`` (two per slide); a
    heading never ends a column."""
    columns: list[list[tuple[str, bool]]] = [[]]
    for section in sections:
        for text, heading in _lines(section):
            room = COLUMN_LINES - len(columns[-1])
            if room <= 0 or (heading and room <= 2 and columns[-1]):
                columns.append([])
            columns[-1].append((text, heading))
    return columns


def _paragraph(frame: TextFrame) -> _Paragraph:
    paragraph: _Paragraph = frame.add_paragraph()  # type: ignore[no-untyped-call]
    return paragraph


def _write(frame: TextFrame, lines: list[tuple[str, bool]]) -> None:
    frame.word_wrap = True
    for i, (text, heading) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else _paragraph(frame)
        if heading and i > 0:
            paragraph.space_before = Pt(8)
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(14 if heading else 11)
        run.font.bold = heading
        run.font.color.rgb = INK_RGB if heading or text.startswith("•") else MUTED_RGB


def _slide(
    deck: Deck,
    page: PersonaSheet | JourneyPage,
    picture: Image.Image,
    columns: Sequence[list[tuple[str, bool]]],
    *,
    continued: bool,
) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # the blank layout
    png = io.BytesIO()
    picture.convert("RGB").save(png, format="PNG")
    png.seek(0)
    slide.shapes.add_picture(png, Inches(0.4), Inches(0.3), height=Inches(1.1))
    head = slide.shapes.add_textbox(Inches(1.7), Inches(0.25), Inches(11.2), Inches(1.2))
    frame = head.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = page.name
    run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, INK_RGB
    for text, size, color in (
        (subtitle(page) + (" (continued)" if continued else ""), 16, MUTED_RGB),
        (page.note, 11, MUTED_RGB if page.backed_by_data else WARN_RGB),
    ):
        line = _paragraph(frame).add_run()
        line.text, line.font.size, line.font.color.rgb = text, Pt(size), color
        line.font.bold = color == WARN_RGB
    for i, column in enumerate(columns):
        box = slide.shapes.add_textbox(
            Emu(Inches(0.4) + i * Inches(6.4)), Inches(1.7), Inches(6.1), Inches(5.5)
        )
        _write(box.text_frame, column)


def _page_slides(deck: Deck, page: PersonaSheet | JourneyPage, picture: Image.Image) -> None:
    """The page as one slide, or as several when its text fills more than two columns."""
    sections = list(page.sections)
    words = description(page)
    if words.strip():
        heading = "Who they are" if isinstance(page, PersonaSheet) else "The map"
        sections.insert(0, SheetSection(heading=heading, source="", lines=[words]))
    columns = _columns(sections)
    for start in range(0, len(columns), 2):
        _slide(deck, page, picture, columns[start : start + 2], continued=start > 0)


def pack_pptx(pages: Sequence[tuple[PersonaSheet | JourneyPage, Image.Image]]) -> bytes:
    """The workshop pack as one PowerPoint deck, a slide per page in the given order."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    props = deck.core_properties
    props.title, props.author, props.last_modified_by = "Workshop pack", "buyermap", "buyermap"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    for page, picture in pages:
        _page_slides(deck, page, picture)
    buf = io.BytesIO()
    deck.save(buf)
    return _fixed_times(buf.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The deck with every zip entry stamped 1980-01-01: python-pptx stamps entries with
    the time of saving (2-second resolution), so the same pack saved twice would differ."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
