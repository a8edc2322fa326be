"""Encoding detection: the corpus reads back exactly; unsure files are refused, never garbled."""

from __future__ import annotations

import csv
import importlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.errors import InputFileError
from buyermap.io import encodings
from buyermap.io.readers import detect_encoding, read_table
from tests.io.encoding_corpus import Sample, corpus

runner = CliRunner()
# "Miraøk" (cp1252) or "Mirařk" (cp1250)? One odd name is no evidence either way.
AMBIGUOUS = b"First Name,Last Name\nJan,Mira\xf8k\n"


@pytest.mark.parametrize("sample", corpus(), ids=lambda s: s.name)
def test_every_corpus_file_reads_back_exactly(sample: Sample) -> None:
    found = detect_encoding(sample.data)
    assert sample.data.decode(found).lstrip("\ufeff") == sample.text


def test_the_polish_example_of_the_bug_report_reads_as_cp1250() -> None:
    text = "First Name,Last Name,City\nŁukasz,Żółkiewski,Łódź\nJan,Kowalski,Kraków\n"
    assert detect_encoding(text.encode("cp1250")) == "cp1250"


def test_finnish_and_french_cp1252_are_not_read_as_cp1250_or_mac_roman() -> None:
    text = "First Name,Last Name,City\nPäivi,Mäkinen,Jyväskylä\nHélène,Lefèbvre,Genève\n"
    assert detect_encoding(text.encode("cp1252")) == "cp1252"


def test_pure_ascii_is_utf8_without_a_question() -> None:
    assert detect_encoding(b"Name,Email\nJohn Smith,john@x.com\n") == "utf-8"


def test_code_pages_that_read_the_file_alike_are_not_a_question() -> None:
    # cp1252, ISO-8859-15, cp1250 and ISO-8859-2 all read ü the same: nothing to ask.
    reading = encodings.guess("Name\nJürgen Müller\n".encode("cp1252"))
    assert reading is not None
    assert not reading.unsure
    assert reading.encoding == "cp1252"


def test_a_file_without_evidence_is_refused_naming_both_readings() -> None:
    with pytest.raises(InputFileError) as caught:
        detect_encoding(AMBIGUOUS)
    message = caught.value.message
    assert "cannot tell the encoding" in message
    assert '"Jan,Mirařk"' in message
    assert '"Jan,Miraøk"' in message
    assert "line 2" in message
    assert "--encoding cp1250" in message
    assert "--encoding cp1252" in message


def test_the_cli_exits_2_on_an_unsure_encoding_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(AMBIGUOUS)
    db = str(tmp_path / "w.db")
    result = runner.invoke(app, ["--db", db, "import", "contacts", str(path), "--json"])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "'contacts.csv': cannot tell the encoding" in err
    assert "--encoding cp1250" in err
    assert "--encoding cp1252" in err


def test_a_given_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(AMBIGUOUS)
    db = str(tmp_path / "w.db")
    args = ["--db", db, "import", "contacts", str(path), "--json", "--encoding", "cp1252"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["encoding"] == "cp1252"
    assert read_table(path, encoding="cp1250").rows == [["Jan", "Mirařk"]]


def test_a_large_file_is_judged_on_a_sample() -> None:
    polish = next(s for s in corpus() if s.name == "pl-cp1250-full").data
    big = polish * (encodings.SAMPLE_BYTES // len(polish) + 3)
    lines = encodings.sample_lines(big)
    assert len(lines) == encodings.MAX_LINES
    assert detect_encoding(big) == "cp1250"


def test_names_far_into_an_ascii_file_are_still_found() -> None:
    head = b"Name\n" + b"John Smith\n" * (encodings.SAMPLE_BYTES // 11 + 10)
    lines = encodings.sample_lines(head + "Łukasz Żółkiewski\n".encode("cp1250"))
    assert [line for _, line in lines] == ["Łukasz Żółkiewski".encode("cp1250")]
    assert lines[0][0] == head.count(b"\n") + 1


def _names(locale: str) -> tuple[str, ...]:
    """First and last names of a Faker locale (its person provider's lists)."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    out: set[str] = set()
    for key, value in vars(provider).items():
        if "name" in key and "format" not in key and isinstance(value, tuple | list | dict):
            out.update(v for v in value if isinstance(v, str) and v.isalpha())
    return tuple(sorted(out))


# Ten languages' alphabets (Latin with Central/Western European letters, and Cyrillic).
LOCALES = ["pl_PL", "cs_CZ", "hu_HU", "ro_RO", "is_IS", "fi_FI", "de_DE", "fr_FR", "ru_RU"]
LOCALES.append("uk_UA")
NAMES = {locale: _names(locale) for locale in LOCALES}
CODE_PAGES = ["cp1250", "iso8859_2", "cp1252", "iso8859_15", "cp1251", "mac_roman"]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(data=st.data(), locale=st.sampled_from(LOCALES))
def test_realistic_names_read_back_exactly_or_are_refused(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, locale: str
) -> None:
    names = st.sampled_from(NAMES[locale])
    rows = data.draw(st.lists(st.tuples(names, names), min_size=1, max_size=30), label="rows")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["First Name", "Last Name"])
    writer.writerows(rows)
    text = buffer.getvalue()
    fitting = [e for e in CODE_PAGES if _encodable(text, e)]
    encoding = data.draw(st.sampled_from(fitting or ["utf-8"]), label="encoding")
    path = tmp_path_factory.mktemp("names") / "contacts.csv"
    path.write_bytes(text.encode(encoding))
    try:
        table = read_table(path)
    except InputFileError as exc:
        event("refused")
        message = exc.message
    else:
        event("read")
        assert [tuple(row) for row in table.rows] == rows
        return
    assert "cannot tell the encoding" in message
    assert "--encoding" in message


@pytest.mark.parametrize(
    ("garbled", "right"),
    [("£ukasz", "Łukasz"), ("P‰ivi", "Päivi"), ("Mureº", "Mureş"), ("HÈlËne", "Hélène")],
)
def test_symbols_and_odd_capitals_inside_a_name_count_against_a_reading(
    garbled: str, right: str
) -> None:
    assert encodings.penalty(garbled) > 0
    assert encodings.penalty(right) == 0


def test_latin_and_cyrillic_in_one_word_count_against_a_reading() -> None:
    assert encodings.penalty("Pдivi") > encodings.penalty("Päivi") == 0
    assert encodings.penalty("Дмитро") == 0


def test_a_close_call_is_read_but_noted_with_the_other_reading(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"First Name,Last Name\nJan,Lena\xf1k\n")  # Lenańk (cp1250) or Lenañk?
    table = read_table(path)
    assert table.encoding == "cp1250"
    assert table.rows == [["Jan", "Lenańk"]]
    assert any("little evidence" in n and "--encoding cp1252" in n for n in table.notes)


def test_a_clear_file_has_no_encoding_note(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(next(s for s in corpus() if s.name == "pl-cp1250-full").data)
    table = read_table(path)
    assert table.encoding == "cp1250"
    assert table.notes == []


def test_utf8_with_a_damaged_byte_is_refused_not_read_as_a_code_page() -> None:
    text = "First Name,Last Name\nŁukasz,Żółkiewski\nHélène,Dubois\nPäivi,Mäkinen\n"
    with pytest.raises(InputFileError, match=r"looks like UTF-8 but line 5") as caught:
        detect_encoding(text.encode("utf-8") + b"Bad,\xff\n")
    assert "--encoding" in caught.value.message


def test_code_page_text_is_not_taken_for_damaged_utf8() -> None:
    # cp1250 "Ă" + "Ł" happens to be a valid UTF-8 pair; the rest is plainly not UTF-8.
    text = "Name\nĂŁ\nŁukasz Żółkiewski\nJan Wiśniewski\n"
    assert detect_encoding(text.encode("cp1250")) == "cp1250"
