"""The workshop workbook round trip: whatever a map holds (names in Polish, Czech,
Hungarian, Icelandic, Finnish, Romanian; brackets; evidence), exporting it and importing
the workbook back changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from buyermap.domain.journeys import TEMPLATES, Line, clean_text
from buyermap.io.journeys import export_journeys, import_journeys
from buyermap.services import journeys as svc

STAGES = list(TEMPLATES["seed5"])
WORDS = st.sampled_from(
    ["Łódź", "žluťoučký", "Győr", "Þórshöfn", "Hämeenlinna", "Brașov", "[x]", "a;b", "100 %"]
)
TEXT = (
    st.lists(WORDS | st.text(min_size=1, max_size=12), min_size=1, max_size=4)
    .map(lambda parts: clean_text(" ".join(parts)))
    .filter(bool)
)
KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyzłžő_", min_size=1, max_size=8)


@st.composite
def maps(draw: st.DrawFn) -> list[Line]:
    keys = draw(st.lists(KEY, min_size=0, max_size=3, unique=True))
    lines: list[Line] = []
    for key in keys:
        lines.append(Line(draw(st.sampled_from(STAGES)), "objection", draw(TEXT), key=key))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["task", "question", "channel", "content", "answer"]))
        if kind == "answer" and not keys:
            continue
        lines.append(
            Line(
                draw(st.sampled_from(STAGES)),
                kind,
                draw(TEXT),
                ref=draw(st.sampled_from(keys)) if kind == "answer" else "",
                evidence=draw(st.sampled_from(["", "3 interviews, Kraków", "ankieta"])),
                evidence_count=draw(st.none() | st.integers(0, 50)),
            )
        )
    return lines


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=maps(), persona=st.sampled_from(["ředitel", "jón", "pääjohtaja", "dyrektor_it"]))
def test_it_changes_nothing_when_an_unedited_export_is_imported(
    session: Session, lines: list[Line], persona: str
) -> None:
    nested = session.begin_nested()
    try:
        journey = svc.ensure_journey(session, persona=persona, template="seed5")
        svc.replace_lines(session, journey=journey, lines=lines)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "maps.xlsx"
            export_journeys(session, path=out)
            report = import_journeys(session, path=out)
        assert report.rejected == 0, report.errors
        assert report.changes == 0, [p.diff for p in report.personas]
        assert sorted(svc.lines_of(journey), key=repr) == sorted(lines, key=repr)
    finally:
        nested.rollback()
