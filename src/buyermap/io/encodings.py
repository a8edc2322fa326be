"""Guess the single-byte code page of a CSV file from what its names look like.

A contact list is short and mostly names, so byte statistics (charset-normalizer, chardet)
often take one code page for another: Polish cp1250 read as cp1252 turns ``Łukasz`` into
``£ukasz``, French cp1252 read as cp1250 turns ``Hélène`` into ``Hélčne``. Here each
candidate code page decodes a sample of the file and the decoded words are scored against
letter-bigram models of 22 languages (built once, at first use, from Faker's name and place
lists: about 1 s), with penalties for what never occurs in a name: symbols or C1 controls
inside a word (``£ukasz``, ``P‰ivi``), an accented capital after a small letter
(``HÈlËne``), Cyrillic and Latin letters in one word. Each word may come from another
language than the file's at a cost, so a Polish list with a few Czech names still reads well.

When the best two code pages read letters differently and their scores differ by less than
:data:`MIN_MARGIN` (natural log-likelihood), :func:`guess` says so and the caller refuses:
a garbled name imported is worse than a question. Code pages that read the file the same
(cp1252 and ISO-8859-15 without ``€ Š Ž``) are not a question.

Only the lines holding non-ASCII bytes among the first :data:`SAMPLE_BYTES` are decoded
(at most :data:`MAX_LINES`), so a 1 GB file costs a sample, plus one ``memchr`` scan per
byte a code page leaves undefined.

Figures (``uv run python benchmarks/encoding_bench.py``, 2-core machine under load): on the
59 files of tests/io/encoding_corpus.py (10 language / code page pairs plus UTF-8, UTF-8 BOM
and UTF-16; 10-150 rows, some with 2 or 4 accented names among ASCII ones) this scorer reads
59/59 exactly, chardet 7.7 59/59, charset-normalizer 45/59 (14 garbled); on 312 harder files
(10 rows, or 60 rows with 2 accented names) 312/312, chardet 307/312 (5 garbled: Polish,
Czech and Romanian names), charset-normalizer 233/312. None refused. About 1 s once to
build the models, then 10-30 ms per file (chardet 2-3 ms); 1.1-1.5 s on a 1 GB cp1250 file.
The models and the corpus draw on the same Faker lists, so real files may be harder.
"""

from __future__ import annotations

import importlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

# Tried in this order; among code pages that read the file the same, the first is named.
CANDIDATES = ("cp1252", "cp1250", "cp1251", "iso8859_15", "iso8859_2", "mac_roman", "latin-1")
# Faker locale per language model.
LOCALES = (
    *("pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "is_IS", "fi_FI", "sv_SE"),
    *("da_DK", "no_NO", "de_DE", "fr_FR", "es_ES", "pt_PT", "it_IT", "nl_NL", "en_US", "uk_UA"),
    *("ru_RU", "bg_BG"),
)
SAMPLE_BYTES = 4 << 20
MAX_LINES = 1000
ASCII_WEIGHT = 0.3  # of the ASCII words of those lines, which tell the file's language
MIN_MARGIN = 6.0  # nats between the best two readings that differ in letters
SWITCH = 8.0  # cost of a word in another language than the file's
SYMBOL = 9.0  # a non-letter inside a word: £ukasz, P‰ivi, Mureº
CONTROL = 20.0  # a C1 control character
CASE = 7.0  # an accented capital after a small letter or inside a word before one (HÈlËne,
# RÈmy), or an accented small letter between capitals
# How rare each code page is in the files people send (natural log prior).
PRIOR = {"iso8859_2": -1.0, "iso8859_15": -1.0, "mac_roman": -4.0, "latin-1": -2.0}
SCRIPT = 9.0  # Cyrillic and Latin letters in one word
_K = 4.0  # weight of the letter frequency in a bigram's probability
_UNSEEN = 0.0001  # pseudo-count of a letter the language never writes
_ORDINALS = frozenset("ªºµ")
# Words each language writes often that Faker's lists have few of (its French list has no
# towns, its Icelandic none at all): common words and places with the accented letters.
EXTRA = {
    "fr_FR": "père mère frère première dernière après très collège système problème Genève "
    "Hélène Thérèse Agnès Joséphine Mégane Lefèbvre Barrière Molière Lumière Sèvres "
    "Isère Ardèche Nîmes Besançon Orléans société générale régional crèche ingénieure",
    "is_IS": "Guðrún Sigurður Guðmundur Aðalheiður Eðvald Steinþór Þórður Bragadóttir "
    "Sauðárkrókur Borgarnes Egilsstaðir Húsavík Grindavík Siglufjörður Seyðisfjörður "
    "Dalvík Hveragerði Þorlákshöfn Suðurnes Ægir Æsa Héðinn Bjarnheiður Friðrik",
    "pl_PL": "Dąbrowski Bąk Gąsiorowski Mądry Ząbkowice Wąsowicz Zając Piątek Wąchock Głąb "
    "Ślęzak Łódź Wrocław Gdańsk Kraków Poznań Białystok Świętochłowice Żółkiewski "
    "Łukasz Wiśniewski Maciąg Dąbek Rząsa Sędziszów Wąbrzeźno Kłodzko Mściwój",
    "ro_RO": "Ştefan Şerban Mureşan Constanţa Timişoara Braşov Piteşti Ţurcanu Băneasa "
    "Târgovişte Iaşi Bucureşti Sălaj Vâlcea Ţiriac Căpăţână Neamţ Năstase preşedinte",
    "hu_HU": "Győr Pécs Szőke Kőszeg Lőrinc Ödön Szűcs Fűzesabony Előd Szűts Bőröcz "
    "Erdős Kővári Fehérvár Hódmezővásárhely Nyíregyháza Szőllősi Gyűrűs Ősz Kőbánya",
    "cs_CZ": "Dvořák Procházka Kučera Veselý Růžička Plzeň Budějovice Děčín Jihlava Králové "
    "Ústí Třebíč Přerov Šťastný Němec Čermák Hořejší Žďár Kroměříž Čáslav",
    "de_DE": "Müller Schröder Jäger Köln München Düsseldorf Straße Größe Fröhlich Bärbel "
    "Jürgen Jörg Lübeck Nürnberg Würzburg Gößweinstein Grüße Bürgermeister",
    "fi_FI": "Päivi Jyväskylä Hämeenlinna Järvinen Mäkinen Hyvönen Kärkkäinen Pöyry "
    "Tähtinen Seinäjoki Äänekoski Hyvinkää Ylöjärvi Jääskeläinen Häkkinen",
}
# Romanian comma letters and their cedilla look-alikes (cp1250 and ISO-8859-2 have only
# those) are one letter to the models.
_FOLD = str.maketrans("șțȘȚ", "şţŞŢ")
# Words are runs of bytes other than ASCII non-letters: those bytes read the same in every
# candidate, so the words of every reading line up.
_WORD = re.compile(rb"[A-Za-z\x80-\xff]+")
_WORD_TEXT = re.compile(r"[^\x00-\x40\x5b-\x60\x7b-\x7f]+")
# The non-ASCII letters each language writes (small letters): a word of Faker's lists with
# another one (a foreign name, a typo) does not teach that language.
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщьюя"
ALPHABETS = {
    "pl_PL": "ąćęłńóśźż",
    "cs_CZ": "áčďéěíňóřšťúůýž",
    "sk_SK": "áäčďéíĺľňóôŕšťúýž",
    "hu_HU": "áéíóöőúüű",
    "ro_RO": "ăâîşţ",
    "hr_HR": "čćđšž",
    "sl_SI": "čšžćđ",
    "is_IS": "áðéíóúýþæö",
    "fi_FI": "äöåšž",
    "sv_SE": "åäöé",
    "da_DK": "æøåé",
    "no_NO": "æøåéô",
    "de_DE": "äöüßé",
    "fr_FR": "àâæçéèêëîïôœùûüÿ",
    "es_ES": "áéíñóúü",
    "pt_PT": "áàâãçéêíóôõú",
    "it_IT": "àèéìíîòóùú",
    "nl_NL": "áéëïóöüèç",
    "en_US": "é",
    "uk_UA": _CYRILLIC + "іїєґʼ",
    "ru_RU": _CYRILLIC + "ъыэё",
    "bg_BG": _CYRILLIC + "ъ",
}


@dataclass(frozen=True)
class Reading:
    """What :func:`guess` found: the code page, and the runner-up when it reads letters
    differently (with the score margin and the first line where the two differ)."""

    encoding: str
    language: str
    margin: float = math.inf
    runner_up: str | None = None
    line: int = 0
    text: str = ""
    runner_up_text: str = ""

    @property
    def unsure(self) -> bool:
        return self.runner_up is not None and self.margin < MIN_MARGIN


class _Model:
    """Letter-bigram log probabilities of one language, with ``^``/``$`` for word ends."""

    def __init__(self, words: Counter[str]) -> None:
        pairs: Counter[tuple[str, str]] = Counter()
        firsts: Counter[str] = Counter()
        letters: Counter[str] = Counter()
        for word, n in words.items():
            chars = "^" + word + "$"
            for a, b in pairwise(chars):
                pairs[a, b] += n
                firsts[a] += n
                letters[b] += n
        total = sum(letters.values())
        self.unseen = math.log(_K * _UNSEEN / (total + 5.0))
        self.letter = {c: math.log(_K * (n + 0.05) / (total + 5.0)) for c, n in letters.items()}
        self.context = {a: math.log(n + _K) for a, n in firsts.items()}
        self.pair = {
            (a, b): math.log(n + _K * (letters[b] + 0.05) / (total + 5.0)) - self.context[a]
            for (a, b), n in pairs.items()
        }

    def score(self, word: str) -> float:
        chars = "^" + word + "$"
        total = 0.0
        pair, letter, context, unseen = self.pair, self.letter, self.context, self.unseen
        for ab in pairwise(chars):
            lp = pair.get(ab)
            if lp is None:
                lp = letter.get(ab[1], unseen) - context.get(ab[0], math.log(_K))
            total += lp
        return total


def _faker_words(locale: str) -> Counter[str]:
    alphabet = ALPHABETS[locale]
    words: Counter[str] = Counter()
    for word in EXTRA.get(locale, "").lower().translate(_FOLD).split():
        words[word] += 3
    for kind in ("person", "address", "company", "job"):
        try:
            module = importlib.import_module(f"faker.providers.{kind}.{locale}")
        except ImportError:
            continue
        for key, value in vars(module.Provider).items():
            if key.startswith("_") or "format" in key or not isinstance(value, tuple | list | dict):
                continue
            for item in value:
                if isinstance(item, str) and "{" not in item and "#" not in item:
                    for word in _WORD_TEXT.findall(item.lower().translate(_FOLD)):
                        if word.isalpha() and all(c < "\x80" or c in alphabet for c in word):
                            words[word] += 1
    return words


@cache
def models() -> dict[str, _Model]:
    """The language models, by Faker locale (built once per process)."""
    return {locale: _Model(_faker_words(locale)) for locale in LOCALES}


def penalty(word: str) -> float:
    """What no language model knows: symbols and controls in a word, odd capitals, scripts."""
    cost = 0.0
    latin = cyrillic = 0
    prev = ""
    for i, ch in enumerate(word):
        if ch < "\x80":
            latin += 1
            prev = ch
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            cost += CONTROL
        elif cat[0] != "L" or ch in _ORDINALS:
            cost += SYMBOL
        else:
            if "CYRILLIC" in unicodedata.name(ch, ""):
                cyrillic += 1
            else:
                latin += 1
            nxt = word[i + 1] if i + 1 < len(word) else ""
            odd_capital = cat == "Lu" and (prev.islower() or (i > 0 and nxt.islower()))
            if odd_capital or (cat == "Ll" and prev.isupper() and nxt.isupper()):
                cost += CASE
        prev = ch
    if latin and cyrillic:
        cost += SCRIPT * min(latin, cyrillic)
    return cost


def sample_lines(data: bytes) -> list[tuple[int, bytes]]:
    """(file line number, line) of the lines holding non-ASCII bytes, from the first
    :data:`SAMPLE_BYTES` (or from the first block of that size holding one)."""
    start = 0
    head = data[:SAMPLE_BYTES]
    while head.isascii():  # ~10 GB/s; the 128 searches below run on one block only
        start += SAMPLE_BYTES
        if start >= len(data):
            return []
        head = data[start : start + SAMPLE_BYTES]
    if start:
        found = (head.find(bytes((b,))) for b in range(128, 256))
        start = data.rfind(b"\n", 0, start + min(i for i in found if i >= 0)) + 1
        head = data[start : start + SAMPLE_BYTES]
    line_no = data.count(b"\n", 0, start) + 1
    lines = head.split(b"\n")
    if start + len(head) < len(data):
        lines.pop()  # cut off by the sample
    out: list[tuple[int, bytes]] = []
    for offset, line in enumerate(lines):
        if not line.isascii():
            out.append((line_no + offset, line))
            if len(out) >= MAX_LINES:
                break
    return out


def damaged_utf8(lines: list[tuple[int, bytes]]) -> tuple[int, str] | None:
    """(line number, line read as UTF-8) of the first line that is not UTF-8, when most of
    the non-ASCII characters of ``lines`` are UTF-8 (a UTF-8 file with a few bad bytes: no
    code page reads it right); ``None`` otherwise. Text in a code page holds a valid
    multi-byte UTF-8 sequence only by rare chance."""
    good = bad = 0
    first: tuple[int, str] | None = None
    for number, line in lines:
        text = line.decode("utf-8", errors="replace")
        wrong = text.count("\ufffd")
        bad += wrong
        good += sum(1 for ch in text if ch > "\x7f") - wrong
        if wrong and first is None:
            first = (number, text.rstrip("\r"))
    return first if first is not None and good >= 2 * bad else None


def _decodable(data: bytes, encoding: str) -> bool:
    """Whether every byte of ``data`` has a character in ``encoding`` (memchr per gap)."""
    gaps = _gaps(encoding)
    return not any(gap in data for gap in gaps)


@cache
def _gaps(encoding: str) -> tuple[bytes, ...]:
    out = []
    for b in range(128, 256):
        try:
            bytes((b,)).decode(encoding)
        except UnicodeDecodeError:
            out.append(bytes((b,)))
    return tuple(out)


def _differs_in_letters(a: str, b: str) -> bool:
    return any(x != y and (x.isalpha() or y.isalpha()) for x, y in zip(a, b, strict=True))


def guess(data: bytes) -> Reading | None:
    """The most likely reading of ``data`` (not UTF-8, no BOM) among :data:`CANDIDATES`;
    ``None`` when it has no non-ASCII byte."""
    lines = sample_lines(data)
    if not lines:
        return None
    candidates = [e for e in CANDIDATES if _decodable(data, e)]
    present = bytes(sorted(set(b"".join(line for _, line in lines).translate(None, _ASCII))))
    # One candidate per distinct reading of the bytes present.
    readings: dict[str, str] = {}
    for enc in candidates:
        readings.setdefault(present.decode(enc), enc)
    encodings = list(readings.values())
    words: set[bytes] = set()  # each distinct word is one piece of evidence
    for _, line in lines:
        words.update(_WORD.findall(line))
    table = models()
    plain = {w for w in words if w.isascii()}
    base = {
        locale: ASCII_WEIGHT * s
        for locale, s in _score(plain, "ascii", table, dict.fromkeys(table, 0.0)).items()
    }
    accented = words - plain
    scores = {}
    for enc in encodings:
        total, language = _best(_score(accented, enc, table, base))
        scores[enc] = (total + PRIOR.get(enc, 0.0), language)
    ranked = sorted(encodings, key=lambda e: -scores[e][0])
    best = ranked[0]
    best_map = present.decode(best)
    rival = next((e for e in ranked[1:] if _differs_in_letters(best_map, present.decode(e))), None)
    if rival is None:
        return Reading(encoding=best, language=scores[best][1])
    number, mine, theirs = 0, "", ""
    for number, line in lines:  # noqa: B007 (the loop finds the first differing line)
        mine, theirs = line.decode(best), line.decode(rival)
        if mine != theirs:
            break
    return Reading(
        encoding=best,
        language=scores[best][1],
        margin=scores[best][0] - scores[rival][0],
        runner_up=rival,
        line=number,
        text=mine.rstrip("\r"),
        runner_up_text=theirs.rstrip("\r"),
    )


_ASCII = bytes(range(128))


def _score(
    words: set[bytes], encoding: str, table: dict[str, _Model], base: dict[str, float]
) -> dict[str, float]:
    """``base`` plus the log-likelihood of the words read in ``encoding``, per language
    (each word may switch language at :data:`SWITCH`)."""
    per_language = dict(base)
    for raw in words:
        word = raw.decode(encoding)
        fixed = -penalty(word) if not raw.isascii() else 0.0
        folded = word.lower().translate(_FOLD)
        scores = {locale: model.score(folded) for locale, model in table.items()}
        anywhere = max(scores.values()) - SWITCH
        for locale, s in scores.items():
            per_language[locale] += max(s, anywhere) + fixed
    return per_language


def _best(per_language: dict[str, float]) -> tuple[float, str]:
    language = max(per_language, key=lambda loc: per_language[loc])
    return per_language[language], language
