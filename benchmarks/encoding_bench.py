"""Encoding detection benchmark: which detector reads short contact lists without garbling?

Runs each candidate on the corpus of tests/io/encoding_corpus.py (47 seeded CRM-like CSV
files: Polish, Czech, Hungarian, Romanian in cp1250 and ISO-8859-2, Icelandic, Finnish,
German, French in cp1252, Ukrainian and Russian in cp1251, UTF-8 with and without BOM,
UTF-16) and prints, per language/code page and overall, how many files each one reads to
exactly the text written (``ok``), reads to other text (``garbled``: a name altered) or
refuses (``refused``, only buyermap's scorer refuses), and its time. Every candidate gets
the same BOM and strict UTF-8 steps first, so the figures compare the single-byte guess:

- ``charset-normalizer``: the detector before this one (``from_bytes`` limited to cp1252,
  cp1250, ISO-8859-2, ISO-8859-15, cp1251, Mac Roman; cp1252 when it has no answer);
- ``chardet``: ``chardet.detect`` (7.x), cp1252 when it has no answer;
- ``buyermap``: :func:`buyermap.io.readers.detect_encoding` (buyermap.io.encodings).

Then the same on a stress set (tiny 10-row files and 60-row files with 2 accented names,
12 seeds per code page, ``--stress``), and times ``detect_encoding`` on a large cp1250 file
(``--large-mb``, default 256 MB, made by repeating a Polish file) to show the cost is the
sample's, not the file's.

    uv run python benchmarks/encoding_bench.py
    uv run python benchmarks/encoding_bench.py --large-mb 1024
"""

from __future__ import annotations

import argparse
import codecs
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.io.encoding_corpus import Sample, corpus, stress

from buyermap.errors import InputFileError
from buyermap.io import encodings
from buyermap.io.readers import detect_encoding

OLD_CANDIDATES = ["cp1252", "cp1250", "iso8859_2", "iso8859_15", "cp1251", "mac_roman"]


def _unicode_first(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def charset_normalizer(data: bytes) -> str:
    from charset_normalizer import from_bytes

    found = _unicode_first(data)
    if found:
        return found
    best = from_bytes(data[: 1 << 20], cp_isolation=OLD_CANDIDATES).best()
    return best.encoding if best is not None else "cp1252"


def chardet_detect(data: bytes) -> str:
    import chardet

    found = _unicode_first(data)
    if found:
        return found
    return chardet.detect(data)["encoding"] or "cp1252"


CANDIDATES: dict[str, Callable[[bytes], str]] = {
    "charset-normalizer": charset_normalizer,
    "chardet": chardet_detect,
    "buyermap": detect_encoding,
}


def outcome(detector: Callable[[bytes], str], sample: Sample) -> str:
    try:
        encoding = detector(sample.data)
    except InputFileError:
        return "refused"
    try:
        text = sample.data.decode(encoding).lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return "garbled"
    return "ok" if text == sample.text else "garbled"


def table(title: str, files: list[Sample] | tuple[Sample, ...]) -> None:
    """Per language/encoding and overall: ok / garbled / refused for each candidate."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in files:
        groups[f"{sample.language}-{sample.encoding}"].append(sample)
    names = list(CANDIDATES)
    print(f"\n{title}\n{'language-encoding':22}" + "".join(f"{n:>20}" for n in names))
    totals: dict[str, dict[str, int]] = {n: defaultdict(int) for n in names}
    seconds = dict.fromkeys(names, 0.0)
    for group, samples in groups.items():
        cells = []
        for name, detector in CANDIDATES.items():
            counts: dict[str, int] = defaultdict(int)
            for sample in samples:
                t0 = time.perf_counter()
                counts[outcome(detector, sample)] += 1
                seconds[name] += time.perf_counter() - t0
            for key, value in counts.items():
                totals[name][key] += value
            bad = "".join(f" {counts[k]}{k[0]}" for k in ("garbled", "refused") if counts[k])
            cells.append(f"{counts['ok']}/{len(samples)}{bad}")
        print(f"{group:22}" + "".join(f"{c:>20}" for c in cells))
    print("(g = garbled: some name altered; r = refused)")
    for name in names:
        t = totals[name]
        print(
            f"{name:20} ok {t['ok']}/{len(files)} ({100 * t['ok'] / len(files):.1f}%), "
            f"garbled {t['garbled']}, refused {t['refused']}, "
            f"{1000 * seconds[name] / len(files):.1f} ms per file"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-mb", type=int, default=256, help="size of the large file")
    parser.add_argument("--stress", type=int, default=12, help="seeds of the stress set (0: none)")
    args = parser.parse_args()
    started = time.perf_counter()
    files = corpus()
    print(f"corpus: {len(files)} files, built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    encodings.models()
    print(f"buyermap language models built in {time.perf_counter() - started:.2f} s (once)")
    for detector in CANDIDATES.values():  # warm-up imports
        outcome(detector, files[0])
    table("corpus (tests/io/encoding_corpus.py)", files)
    if args.stress:
        hard = stress(args.stress)
        table(f"stress: {len(hard)} files, tiny (10 rows) and two-accent (60 rows)", hard)
    polish = next(s for s in files if s.name == "pl-cp1250-full").data
    large = polish * (args.large_mb * (1 << 20) // len(polish) + 1)
    t0 = time.perf_counter()
    found = detect_encoding(large)
    print(
        f"\nlarge cp1250 file, {len(large) / (1 << 20):,.0f} MB: detect_encoding -> {found} "
        f"in {time.perf_counter() - t0:.2f} s (strict UTF-8 check of the whole file included)"
    )


if __name__ == "__main__":
    main()
