"""Themes of open form answers: keyword rules first, TF-IDF clusters for the rest.

Words are compared folded: lowercase, diacritics dropped and the letters NFKD cannot split
spelt out (``ł`` l, ``ø`` o, ``þ`` th, ``ð`` d, ``ß`` ss, ``æ`` ae), so ``Cenę`` and
``cene`` are one word. A keyword matches a word that starts with the keyword's root: the
keyword less its last quarter (at least 3 letters), so ``cena`` matches ``ceny``, ``cenie``,
``cenami``; ``drahý`` matches ``drahé``, ``drahou``; ``integrace`` matches ``integraci``. A
keyword ending in ``*`` is a prefix as written. Keywords of 3 letters or fewer match a word
at most 3 letters longer (Hungarian ``ár``: ``ára``, ``árak``).

Answers no rule catches are clustered with TF-IDF over word roots (the first 6 folded
letters, stop words of the languages we sell in left out) and k-means (seeded, so the same
answers give the same themes), with the number of themes the cosine silhouette likes best
(up to ``max_clusters``). An answer that shares no root with any other answer stays
unthemed rather than filling a theme of its own. Each theme has its top words, a count,
examples and a suggestion (a rule's stage or objection with why, or the stage its question
is mapped to). No model is downloaded: everything runs from the answers.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from buyermap import __version__
from buyermap.domain.journeys import stage_word

_EXTRA = str.maketrans(
    {"ł": "l", "ø": "o", "þ": "th", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i"}
)
_WORD = re.compile(r"[a-z0-9]+")
MIN_CLUSTER = 3
MAX_CLUSTERS = 10  # the default: on the demo's form, 6 left one theme of 127 mixed answers
ROOT = 6
SILHOUETTE_SAMPLE = 2000
# stopwordsiso's lists (stopwords-iso) for the languages our users write; English from
# scikit-learn's shorter list, because stopwords-iso's 1,298 English words drop the very words
# answers are about ("problem", "value", "case", "need").
STOP_LANGUAGES = ("pl", "ro", "cs", "hu", "fi", "de", "sv", "da", "no", "fr", "es", "it", "nl")
# No stop-word package on PyPI covers Icelandic (stopwords-iso, stop-words and NLTK's lists
# have none): its commonest function words, written here.
ICELANDIC = frozenset(
    re.findall(
        r"\S+",
        "að af alla allt annað á án bara eða eftir ef ég eins en er ert fyrir frá fá gat get "
        "geta hafa hann hún hef hefur hér hjá hvað hvernig hver í inn já með mér mig mjög nei "
        "né nú og okkar okkur sem sig sína sinn sér svo til um upp úr var vegna við vera verið "
        "voru það þar þau þeir þetta þessi þið þú því",
    )
)


def fold(text: str) -> str:
    """Lowercase without diacritics: ``Żółć Þórdís`` -> ``zolc thordis``."""
    low = unicodedata.normalize("NFKC", text).lower().translate(_EXTRA)
    return "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@functools.cache
def stop_words() -> frozenset[str]:
    """The folded stop words of every language in ``STOP_LANGUAGES``, English and
    Icelandic; left out of the clusters' roots (never of keyword rules)."""
    import stopwordsiso
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    found: set[str] = set(ENGLISH_STOP_WORDS) | ICELANDIC
    for lang in STOP_LANGUAGES:
        found |= set(stopwordsiso.stopwords(lang))
    return frozenset(w for text in found for w in words(text))


def keyword_matches(keyword: str, word: str) -> bool:
    """Whether folded ``word`` is an inflection of ``keyword`` (see the module's rule)."""
    k = fold(keyword.strip())
    if k.endswith("*"):
        return word.startswith(k[:-1]) and len(k) > 1
    if len(k) <= 3:
        return word.startswith(k) and len(word) <= len(k) + 3
    root = k[: max(3, math.ceil(len(k) * 0.75))]
    return word.startswith(root)


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str  # stage | objection
    key: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    id: int
    text: str
    question: str = ""
    mapped: tuple[str, str] | None = None  # (stage, objection) of its question


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str
    key: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "why": self.why}


@dataclass
class Theme:
    label: str
    source: str  # keywords | clusters
    words: list[str]
    answer_ids: list[int]
    examples: list[str]
    suggested: Suggestion | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "source": self.source,
            "words": self.words,
            "answers": len(self.answer_ids),
            "answer_ids": self.answer_ids,
            "examples": self.examples,
            "suggested": None if self.suggested is None else self.suggested.to_dict(),
        }


@dataclass
class ThemesResult:
    themes: list[Theme]
    answers: int
    unthemed: int
    version: str = __version__
    notes: list[str] = field(default_factory=list)


def _hits(rule: Rule, tokens: Sequence[str]) -> list[str]:
    return sorted({k for k in rule.keywords for t in tokens if keyword_matches(k, t)})


def _examples(members: Iterable[Answer], n: int = 3) -> list[str]:
    """The first ``n`` different texts (many answers repeat word for word)."""
    out: list[str] = []
    for a in members:
        if a.text not in out:
            out.append(a.text)
            if len(out) == n:
                break
    return out


def _top(counter: Counter[str], n: int = 5) -> list[str]:
    return [w for w, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _mapped(answers: Sequence[Answer]) -> Suggestion | None:
    maps = Counter(a.mapped for a in answers if a.mapped is not None)
    if not maps:
        return None
    (stage, objection), n = sorted(maps.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    why = (
        f"{n} of {len(answers)} answers are to questions filed under the stage "
        f"“{stage_word(stage)}”"
    )
    if objection:
        return Suggestion("objection", objection, why + f" and the objection {objection}")
    return Suggestion("stage", stage, why)


def _kept(text: str) -> list[str]:
    stop = stop_words()
    return [w for w in words(text) if len(w) > 3 and w not in stop]


def _labels(matrix: Any, *, max_themes: int) -> list[int]:
    """k-means labels of the rows of ``matrix`` (L2-normalised TF-IDF), with the number of
    clusters from 2 to ``max_themes`` whose cosine silhouette is highest among those whose
    every cluster is big enough to be a theme (``MIN_CLUSTER``), if any is."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = matrix.shape[0]
    best: tuple[bool, float, list[int]] | None = None
    for k in range(2, max(2, min(max_themes, n // MIN_CLUSTER)) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(matrix)
        sizes = Counter(labels.tolist())
        if len(sizes) < 2:
            continue
        # a split into groups too small to be themes loses against one that keeps them
        whole = min(sizes.values()) >= MIN_CLUSTER
        score = float(
            silhouette_score(
                matrix,
                labels,
                metric="cosine",
                sample_size=min(n, SILHOUETTE_SAMPLE),
                random_state=0,
            )
        )
        if best is None or (whole, score) > best[:2]:
            best = (whole, score, [int(x) for x in labels])
    return best[2] if best is not None else [0] * n


def _clusters(rest: list[Answer], *, max_themes: int) -> list[Theme]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    def analyzer(text: str) -> list[str]:
        return [w[:ROOT] for w in _kept(text)]

    vec = TfidfVectorizer(analyzer=analyzer, min_df=2)
    try:
        matrix = vec.fit_transform([a.text for a in rest])
    except ValueError:  # no root shared by two answers
        return []
    has_roots = [i for i in range(matrix.shape[0]) if matrix[i].nnz > 0]
    if len(has_roots) < MIN_CLUSTER * 2:
        return []
    rest, matrix = [rest[i] for i in has_roots], matrix[has_roots]
    labels = _labels(matrix, max_themes=max_themes)
    vocab = vec.get_feature_names_out()
    out: list[Theme] = []
    for c in sorted(set(labels)):
        members = [a for a, lab in zip(rest, labels, strict=True) if lab == c]
        if len(members) < MIN_CLUSTER:
            continue
        rows = matrix[[i for i, lab in enumerate(labels) if lab == c]]
        weight = rows.sum(axis=0).A1
        roots = [str(vocab[i]) for i in weight.argsort()[::-1][:5] if weight[i] > 0]
        # a root shown as the commonest whole word it stands for
        shown: Counter[str] = Counter(w for a in members for w in _kept(a.text))
        top = [
            _top(Counter({w: n for w, n in shown.items() if w[:ROOT] == r}), 1)[0] for r in roots
        ]
        out.append(
            Theme(
                label=", ".join(top[:3]),
                source="clusters",
                words=top,
                answer_ids=[a.id for a in members],
                examples=_examples(members),
                suggested=_mapped(members),
            )
        )
    return out


def run_themes(
    answers: Sequence[Answer], rules: Sequence[Rule], *, max_clusters: int = MAX_CLUSTERS
) -> ThemesResult:
    """Group ``answers``: one theme per rule that catches some (the rule with most keyword
    hits wins an answer; ties go to the first rule), then clusters of the rest."""
    by_rule: dict[int, list[tuple[Answer, list[str]]]] = {}
    rest: list[Answer] = []
    for a in answers:
        tokens = words(a.text)
        best: tuple[int, list[str]] | None = None
        for i, rule in enumerate(rules):
            hits = _hits(rule, tokens)
            if hits and (best is None or len(hits) > len(best[1])):
                best = (i, hits)
        if best is None:
            rest.append(a)
        else:
            by_rule.setdefault(best[0], []).append((a, best[1]))
    themes: list[Theme] = []
    for i, members in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rule = rules[i]
        hit_words: Counter[str] = Counter(h for _, hs in members for h in hs)
        top = _top(hit_words)
        themes.append(
            Theme(
                label=f"{rule.kind} {rule.key}: {', '.join(top[:3])}",
                source="keywords",
                words=top,
                answer_ids=[a.id for a, _ in members],
                examples=_examples(a for a, _ in members),
                suggested=Suggestion(
                    rule.kind,
                    rule.key,
                    f"keywords of the {rule.kind} "
                    f"{stage_word(rule.key) if rule.kind == 'stage' else rule.key}: "
                    f"{', '.join(top)}",
                ),
            )
        )
    notes: list[str] = []
    clustered = _clusters(rest, max_themes=max_clusters) if len(rest) >= MIN_CLUSTER * 2 else []
    if rest and not clustered:
        notes.append(f"{len(rest)} answers match no keyword and are too few or too unlike to group")
    themes.extend(clustered)
    grouped = sum(len(t.answer_ids) for t in themes)
    return ThemesResult(
        themes=themes, answers=len(answers), unthemed=len(answers) - grouped, notes=notes
    )
