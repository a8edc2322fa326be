"""A persona in words: a headline made from its defining traits ("Finance decision maker
who cares about price"), a short portrait paragraph, and its goals and frustrations as
sentences, from what the run and the members' notes already hold (traits, note themes).

The numbers behind each sentence stay on the card as evidence; these functions only
choose and word them. Enum values read as words (:func:`buyermap.domain.labels.label`),
Likert answers with their scale (:func:`buyermap.domain.labels.likert`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from buyermap.domain.labels import label, likert

ROLE_VARIABLES = ("committee_role", "buying_role", "role", "persona_role")
DEPARTMENT_VARIABLES = ("department", "function", "team")
SENIORITY_VARIABLES = ("seniority", "level")
MIN_SCORE = 0.3
LIKERT_LEVELS = {"1", "2", "3", "4", "5"}


class ThemeLike(Protocol):
    """A note theme of the card (``cards.Theme`` or ``schemas.personas.ThemePublic``)."""

    @property
    def label(self) -> str: ...
    @property
    def share(self) -> float: ...
    @property
    def population_share(self) -> float: ...


def base_name(trait: Mapping[str, Any]) -> str:
    """``Buyer priorities 2026: price_sensitivity`` -> ``price_sensitivity``."""
    return str(trait["variable"]).rsplit(": ", 1)[-1].strip()


def words(name: str) -> str:
    """``price_sensitivity`` -> ``price sensitivity``."""
    return name.replace("_", " ").strip()


def _defining(traits: Iterable[Mapping[str, Any]], names: tuple[str, ...]) -> str | None:
    """The over-represented level of the first defining trait among ``names``."""
    for t in traits:
        defining = (t.get("score") or 0) >= MIN_SCORE and t["statistic"] == "share"
        if defining and base_name(t).lower() in names:
            return str(t["value"])
    return None


def _is_likert(t: Mapping[str, Any]) -> bool:
    return t.get("kind") == "ordinal" and str(t["value"]) in LIKERT_LEVELS


def cares_about(traits: Iterable[Mapping[str, Any]], limit: int = 2) -> list[str]:
    """What the persona rates high (a Likert item answered 4 or 5 more than by all),
    strongest first: ``["price sensitivity", "ease of use"]``."""
    out = []
    for t in traits:
        if _is_likert(t) and int(str(t["value"])) >= 4 and (t.get("score") or 0) >= MIN_SCORE:
            out.append(words(base_name(t)))
    return out[:limit]


def headline(persona: Mapping[str, Any]) -> str:
    """The card's title in words from the defining traits: department, role (or
    seniority) and what they care about most."""
    traits: list[Mapping[str, Any]] = list(persona.get("traits", []))
    role = _defining(traits, ROLE_VARIABLES)
    seniority = _defining(traits, SENIORITY_VARIABLES)
    department = _defining(traits, DEPARTMENT_VARIABLES)
    noun = label(role) if role else (label(seniority) if seniority else "Contact")
    head = f"{department} {noun[:1].lower() + noun[1:]}" if department else noun
    if role is None and seniority is not None and department is None:
        head = f"{label(seniority)} contact"
    cares = cares_about(traits, limit=1)
    if cares:
        return f"{head} who cares about {cares[0]}"
    if head == "Contact":
        return "Contact close to the average of all contacts"
    return head


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def portrait(
    persona: Mapping[str, Any], *, themes: Mapping[str, Sequence[ThemeLike]], channels: list[Any]
) -> str:
    """A short paragraph: who they are, how many look like them, what they care about,
    where they are found."""
    traits: list[Mapping[str, Any]] = list(persona.get("traits", []))
    name = str(persona["name"])
    role = _defining(traits, ROLE_VARIABLES)
    seniority = _defining(traits, SENIORITY_VARIABLES)
    department = _defining(traits, DEPARTMENT_VARIABLES)
    parts: list[str] = []
    who = label(seniority).lower() if seniority else "contact"
    where = f" in {department}" if department else ""
    first = f"{name} is {_article(who)} {who}{where}"
    if role:
        first += f", most often the {label(role).lower()} in a buying committee"
    parts.append(first + ".")
    share = float(persona.get("share") or 0)
    parts.append(f"About {share:.0%} of the contacts look like {name}.")
    cares = cares_about(traits)
    goals = [t.label for t in themes.get("goal", [])[:2]]
    if cares or goals:
        wanted = cares + [g for g in goals if g not in cares]
        parts.append(f"They care about {_join(wanted[:3])}.")
    pains = [t.label for t in themes.get("frustration", [])[:1]]
    pains += [t.label for t in themes.get("objection", [])[:1]]
    if pains:
        parts.append(f"What holds them back: {_join(pains)}.")
    found = [c for c in channels if c.get("statistic") == "share" and (c.get("score") or 0) > 0]
    if found:
        best = found[0]
        mine, everyone = float(best["persona"]), float(best["population"])
        parts.append(
            f"They are reached best through {best['value']} "
            f"({mine:.0%} of them, against {everyone:.0%} of all)."
        )
    return " ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# the note themes each list reads: (theme kind, the words before its label)
GOAL_THEMES: tuple[tuple[str, str], ...] = (("goal", ""),)
FRUSTRATION_THEMES: tuple[tuple[str, str], ...] = (
    ("frustration", "frustrated by"),
    ("objection", "objecting to"),
)


def trait_sentences(
    traits: Iterable[Mapping[str, Any]],
    themes: Mapping[str, Sequence[ThemeLike]],
    kinds: Sequence[tuple[str, str]],
) -> list[str]:
    """Rated items in words with their scale, then the note themes of ``kinds``."""
    out = []
    for t in traits:
        if t["statistic"] != "share":
            continue
        value = likert(t["value"]) if _is_likert(t) else str(t["value"])
        out.append(
            f"{words(base_name(t)).capitalize()}: {float(t['persona']):.0%} of them answer "
            f"{value}, against {float(t['population']):.0%} of all"
        )
    for kind, what in kinds:
        for th in themes.get(kind, []):
            head = f"{what.capitalize()} {th.label}" if what else th.label.capitalize()
            out.append(
                f"{head}: in the notes of {th.share:.0%} of them, "
                f"against {th.population_share:.0%} of all"
            )
    return out


def goal_sentences(
    goal_traits: Iterable[Mapping[str, Any]], themes: Mapping[str, Sequence[ThemeLike]]
) -> list[str]:
    """Goals and motivations in words: rated items with their scale, then note themes."""
    return trait_sentences(goal_traits, themes, GOAL_THEMES)


def frustration_sentences(
    frustration_traits: Iterable[Mapping[str, Any]], themes: Mapping[str, Sequence[ThemeLike]]
) -> list[str]:
    """Frustrations and objections in words: rated items, then note themes."""
    return trait_sentences(frustration_traits, themes, FRUSTRATION_THEMES)


def headlines(result: Mapping[str, Any]) -> dict[str, str]:
    """The headline of every persona of a run's result, by key."""
    return {str(p["key"]): headline(p) for p in result.get("personas", [])}
