"""A deterministic corpus of short CRM contact exports in the code pages people send.

Each :class:`Sample` is one CSV file: ``text`` (what the file means) and ``data`` (its
bytes). Per language and code page there are three files, all seeded:

- ``full``: 150 rows of Faker names and companies of the locale, cities and job titles in
  the language (hand lists below where Faker has none or gives English);
- ``small``: 20 such rows;
- ``few``: 150 rows of which only 4 carry a non-ASCII letter (the hard case: the other 146
  use names Faker spells in ASCII), and ``two``: 60 rows of which 2 do; not for Cyrillic,
  where every name is non-ASCII.

Languages and code pages: Polish, Czech, Hungarian, Romanian in cp1250 and ISO-8859-2
(Romanian with the cedilla letters Ş ş Ţ ţ those code pages have), Icelandic, Finnish,
German, French in cp1252, Ukrainian and Russian in cp1251; plus UTF-8 with and without BOM
and UTF-16 LE with BOM, tab-separated (Excel's "Unicode text"). 59 files in all.

Used by tests/io/test_encodings.py and benchmarks/encoding_bench.py.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass
from functools import cache

from faker import Faker

HEADER = ["First Name", "Last Name", "Email", "Company", "City", "Job Title"]

# Job titles (and cities where Faker has no address data) written in each language.
JOBS = {
    "pl": [
        "Kierownik sprzedaży",
        "Główny księgowy",
        "Dyrektor handlowy",
        "Specjalista ds. zakupów",
        "Właściciel",
        "Kierownik działu IT",
        "Przedstawiciel handlowy",
        "Członek zarządu",
    ],
    "cs": [
        "Obchodní ředitel",
        "Účetní",
        "Vedoucí nákupu",
        "Jednatel",
        "Správce sítě",
        "Manažer prodeje",
        "Technický ředitel",
        "Asistentka ředitele",
    ],
    "hu": [
        "Értékesítési vezető",
        "Ügyvezető igazgató",
        "Könyvelő",
        "Beszerzési menedzser",
        "Informatikai vezető",
        "Pénzügyi igazgató",
        "Kereskedelmi képviselő",
        "Tulajdonos",
    ],
    "ro": [
        "Director vânzări",
        "Contabil șef",
        "Manager achiziții",
        "Director general",
        "Administrator",
        "Specialist IT",
        "Reprezentant vânzări",
        "Șef de departament",
    ],
    "is": [
        "Framkvæmdastjóri",
        "Sölustjóri",
        "Fjármálastjóri",
        "Innkaupastjóri",
        "Tæknistjóri",
        "Markaðsstjóri",
        "Bókari",
        "Verkefnastjóri",
    ],
    "fi": [
        "Myyntipäällikkö",
        "Toimitusjohtaja",
        "Hankintapäällikkö",
        "Kirjanpitäjä",
        "Tietohallintojohtaja",
        "Myyjä",
        "Talousjohtaja",
        "Asiakkuuspäällikkö",
    ],
    "de": [
        "Geschäftsführer",
        "Vertriebsleiter",
        "Einkäufer",
        "Leiter Rechnungswesen",
        "Prokurist",
        "Außendienstmitarbeiter",
        "IT-Leiterin",
        "Technischer Geschäftsführer",
    ],
    "fr": [
        "Directeur général",
        "Responsable des achats",
        "Chargée d'affaires",
        "Directrice financière",
        "Ingénieur commercial",
        "Gérant",
        "Comptable",
        "Responsable sécurité",
    ],
    "uk": [
        "Генеральний директор",
        "Менеджер з продажу",
        "Бухгалтер",
        "Керівник відділу",
        "Комерційний директор",
        "Інженер",
        "Фінансовий директор",
        "Закупівельник",
    ],
    "ru": [
        "Генеральный директор",
        "Менеджер по продажам",
        "Главный бухгалтер",
        "Коммерческий директор",
        "Руководитель отдела",
        "Инженер",
        "Закупщик",
        "Финансовый директор",
    ],
}
IS_CITIES = [
    "Reykjavík",
    "Kópavogur",
    "Hafnarfjörður",
    "Akureyri",
    "Garðabær",
    "Mosfellsbær",
    "Árborg",
    "Akranes",
    "Fjarðabyggð",
    "Ísafjörður",
]
IS_COMPANIES = [
    "Össur hf.",
    "Marel hf.",
    "Hagar hf.",
    "Sjóvá",
    "Íslandsbanki",
    "Landsvirkjun",
    "Eimskip",
    "Síminn hf.",
    "Brim hf.",
    "Ölgerðin",
]
LOCALE = {
    "pl": "pl_PL",
    "cs": "cs_CZ",
    "hu": "hu_HU",
    "ro": "ro_RO",
    "is": "is_IS",
    "fi": "fi_FI",
    "de": "de_DE",
    "fr": "fr_FR",
    "uk": "uk_UA",
    "ru": "ru_RU",
}
CODE_PAGES = [
    *((lang, enc) for enc in ("cp1250", "iso8859_2") for lang in ("pl", "cs", "hu", "ro")),
    *((lang, "cp1252") for lang in ("is", "fi", "de", "fr")),
    *((lang, "cp1251") for lang in ("uk", "ru")),
]
UNICODE = [
    ("pl", "utf-8"),
    ("ru", "utf-8"),
    ("fr", "utf-8-sig"),
    ("cs", "utf-8-sig"),
    ("de", "utf-16"),
    ("hu", "utf-16"),
    ("is", "utf-16"),
]
_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")
_APOSTROPHE = str.maketrans("ʼ’", "''")  # Ukrainian names: cp1251 has only the ASCII one
_CYRILLIC_LATIN = str.maketrans(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    "abvgdeejzijklmnoprstufhccss_y_eyaiieg",
)


@dataclass(frozen=True)
class Sample:
    name: str  # e.g. "pl-cp1250-few"
    language: str
    encoding: str
    text: str
    data: bytes


def _ascii(text: str) -> str:
    text = text.lower().translate(_CYRILLIC_LATIN).replace("ł", "l")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum() or ch == ".") or "x"


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _row(fake: Faker, rng: random.Random, lang: str, plain: bool) -> list[str]:
    """One contact; ``plain``: only names, company and city Faker spells in ASCII."""
    for _ in range(200):
        first, last = fake.first_name(), fake.last_name()
        company = rng.choice(IS_COMPANIES) if lang == "is" else fake.company()
        city = rng.choice(IS_CITIES) if lang == "is" else fake.city()
        job = rng.choice(JOBS[lang])
        if not plain or all(s.isascii() for s in (first, last, company, city)):
            break
    if plain:
        job = "Manager"  # the hard case: nothing but ASCII in this row
        company, city = _plain(company), _plain(city)
    email = f"{_ascii(first)}.{_ascii(last)}@example.com"
    return [first, last, email, company, city, job]


def _accented(row: list[str]) -> bool:
    return not all(cell.isascii() for cell in row)


SIZES = {"full": 150, "small": 20, "tiny": 10, "few": 150, "two": 60}
ACCENTED = {"few": 4, "two": 2}  # rows with a non-ASCII letter; the others are ASCII


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _table(lang: str, kind: str, seed: int) -> list[list[str]]:
    fake = _faker(LOCALE[lang])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    few = ACCENTED.get(kind)
    if few is None:
        return [_row(fake, rng, lang, plain=False) for _ in range(SIZES[kind])]
    rows = [_row(fake, rng, lang, plain=True) for _ in range(SIZES[kind] - few)]
    accented: list[list[str]] = []
    while len(accented) < few:
        row = _row(fake, rng, lang, plain=False)
        if _accented(row[:2]):
            accented.append([*row[:3], rows[0][3], rows[0][4], "Manager"])
    for i, row in enumerate(accented):
        rows.insert(10 + (len(rows) // few) * i, row)
    return rows


def _text(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def sample(lang: str, encoding: str, kind: str, seed: int) -> Sample:
    """One file: ``kind`` (see :data:`SIZES`) of language ``lang``, in ``encoding``."""
    rows = _table(lang, kind, seed)
    if lang == "ro" and not encoding.startswith("utf"):
        rows = [[cell.translate(_CEDILLA) for cell in row] for row in rows]
    if not encoding.startswith("utf"):
        rows = [[cell.translate(_APOSTROPHE) for cell in row] for row in rows]
    text = _text(rows, "\t" if encoding == "utf-16" else ",")
    utf16 = encoding == "utf-16"
    data = b"\xff\xfe" + text.encode("utf-16-le") if utf16 else text.encode(encoding)
    return Sample(f"{lang}-{encoding}-{kind}", lang, encoding, text, data)


@cache
def corpus() -> tuple[Sample, ...]:
    """The 59 files, always the same."""
    out: list[Sample] = []
    for lang, enc in [*CODE_PAGES, *UNICODE]:
        kinds = ("full",) if enc.startswith("utf") else ("full", "small", "few", "two")
        for kind in kinds:
            if kind in ACCENTED and lang in ("uk", "ru"):
                continue
            out.append(sample(lang, enc, kind, seed=len(out) + 1))
    return tuple(out)


def stress(seeds: int = 12) -> list[Sample]:
    """Harder files for the benchmark: per code page and seed a ``tiny`` file (10 rows) and,
    for Latin languages, a ``two`` file (60 rows, 2 with accents): 312 files for 12 seeds."""
    out: list[Sample] = []
    for lang, enc in CODE_PAGES:
        for seed in range(1000, 1000 + seeds):
            for kind in ("tiny", "two"):
                if kind in ACCENTED and lang in ("uk", "ru"):
                    continue
                found = sample(lang, enc, kind, seed)
                out.append(Sample(f"{found.name}-{seed}", lang, enc, found.text, found.data))
    return out
