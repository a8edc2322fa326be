"""A persona card: what sets the persona apart, goals and frustrations, channels, quotes.

Every statement on the card carries the number of rows behind it (``n``) and can be traced
to those rows (the persona's contacts). Goals, motivations and frustrations come from the
data where it has them: Likert items and motivation fields among the traits, and the tags
of the members' notes (``goal:*``, ``frustration:*``, ``objection:*``), each with the share
of members who have it against the share of all assigned contacts, a lift and an interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from buyermap.analytics.personas.avatar import render_avatar
from buyermap.analytics.personas.portrait import headline
from buyermap.analytics.personas.profile import wilson
from buyermap.analytics.personas.quotes import PersonaQuote, quotes_for_persona, tag_counts
from buyermap.analytics.personas.stored import persona_dict
from buyermap.charts.personas import card_figure, figure_bytes
from buyermap.db.models import PersonaRun

TOP_TRAITS = 8
MIN_SCORE = 0.3
THEME_PREFIXES = ("goal", "frustration", "objection")
GOAL_WORDS = ("goal", "motivation", "priorit", "importance", "need", "appetite", "ease")
FRUSTRATION_WORDS = ("frustration", "pain", "objection", "challenge", "complain")
CHANNEL_WORDS = (
    "channel", "webinar", "event", "site_visit", "visit", "email", "download", "linkedin",
    "search", "referral", "content", "social", "ads",
)  # fmt: skip
ONLINE = ("webinar", "site", "email", "download", "linkedin", "search", "online", "web", "social")
OFFLINE = ("event", "referral", "meeting", "conference", "offline", "phone", "analyst", "print")


@dataclass(frozen=True, slots=True)
class Theme:
    """A note tag among the persona's members against all assigned contacts."""

    tag: str
    kind: str  # goal | frustration | objection
    label: str
    n: int  # members with the tag
    members: int  # members with any tagged note
    share: float
    population_share: float
    lift: float | None
    ci: tuple[float, float]


@dataclass
class PersonaCard:
    """Everything a persona card shows, with the evidence behind each part."""

    run: PersonaRun
    persona: dict[str, Any]
    share_ci: tuple[float, float]
    traits: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    frustrations: list[dict[str, Any]]
    themes: dict[str, list[Theme]]
    channels: list[dict[str, Any]]
    descriptors: list[dict[str, Any]]
    quotes: list[PersonaQuote] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.persona["key"])


def label_of(trait: dict[str, Any]) -> str:
    """``Buyer priorities 2026: price_sensitivity`` -> ``price sensitivity``."""
    name = str(trait["variable"]).rsplit(": ", 1)[-1]
    return name.replace("_", " ")


def mode_of(text: str) -> str | None:
    """``online`` / ``offline`` for a channel or behaviour name or level, else None."""
    low = text.lower()
    if any(w in low for w in OFFLINE):
        return "offline"
    if any(w in low for w in ONLINE):
        return "online"
    return None


def _has(words: tuple[str, ...], name: str) -> bool:
    low = name.lower()
    return any(w in low for w in words)


def _theme_label(tag: str) -> str:
    return tag.split(":", 1)[-1].replace("_", " ")


def themes(
    session: Session, *, run: PersonaRun, key: str, limit: int = 5
) -> dict[str, list[Theme]]:
    """Note tags over-represented among the persona's members, per kind (lift > 1)."""
    per, overall, with_tags, total = tag_counts(session, run=run, prefixes=THEME_PREFIXES)
    mine = per.get(key)
    members = with_tags.get(key, 0)
    out: dict[str, list[Theme]] = {k: [] for k in THEME_PREFIXES}
    if not mine or not members or not total:
        return out
    for tag, n in mine.items():
        share = n / members
        pop = overall[tag] / total
        lift = share / pop if pop > 0 else None
        if lift is None or lift <= 1.0:
            continue
        kind = tag.split(":", 1)[0]
        lo, hi = wilson(n, members)
        out[kind].append(
            Theme(tag, kind, _theme_label(tag), n, members, share, pop, lift, (lo, hi))
        )
    for kind in out:
        out[kind].sort(key=lambda t: (-(t.share - t.population_share), t.tag))
        out[kind] = out[kind][:limit]
    return out


def _distinct(t: dict[str, Any]) -> bool:
    score = t.get("score") or 0.0
    return abs(score) >= MIN_SCORE if t["statistic"] == "mean" else score >= MIN_SCORE


def channel_traits(traits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Channel and behaviour traits, each with ``mode`` (online/offline) and, for a
    channel question, its levels ordered by the persona's share."""
    out = []
    for t in traits:
        if not _has(CHANNEL_WORDS, str(t["variable"])):
            continue
        levels = sorted((t.get("distribution") or {}).items(), key=lambda kv: -(kv[1] or 0))
        out.append(
            {
                **t,
                "label": label_of(t),
                "mode": mode_of(str(t["value"])) or mode_of(str(t["variable"])),
                "levels": [
                    {"level": lv, "share": p, "mode": mode_of(lv)} for lv, p in levels[:4] if p
                ],
            }
        )
    return out


def persona_card(session: Session, *, run: PersonaRun, key: str, quotes: int = 4) -> PersonaCard:
    """Assemble the card of persona ``key`` of ``run`` (NotFoundError for an unknown key)."""
    p = persona_dict(run, key)
    traits: list[dict[str, Any]] = [{**t, "label": label_of(t)} for t in p["traits"]]
    distinct = [t for t in traits if _distinct(t)][:TOP_TRAITS] or traits[:3]
    goals = [
        t
        for t in traits
        if _has(GOAL_WORDS, str(t["variable"])) and not _has(FRUSTRATION_WORDS, str(t["variable"]))
        if t["kind"] in ("ordinal", "categorical", "count", "continuous") and _distinct(t)
        if t["statistic"] == "share" or (t.get("score") or 0) > 0
    ][:5]
    frustrations = [
        t for t in traits if _has(FRUSTRATION_WORDS, str(t["variable"])) and _distinct(t)
    ][:5]
    return PersonaCard(
        run=run,
        persona=p,
        share_ci=share_ci(p, n=int(run.n)),
        traits=distinct,
        goals=goals,
        frustrations=frustrations,
        themes=themes(session, run=run, key=key),
        channels=channel_traits(traits),
        descriptors=[{**t, "label": label_of(t)} for t in p.get("descriptors", [])][:6],
        quotes=quotes_for_persona(session, run=run, key=key, limit=quotes) if quotes else [],
    )


def share_ci(persona: dict[str, Any], *, n: int) -> tuple[float, float]:
    """95% Wilson interval of the persona's share of the run's ``n`` rows."""
    return wilson(float(persona["size"]), float(max(n, 1)))


def fmt_value(t: dict[str, Any], which: str) -> str:
    """A trait's persona or population value for people: 42% for shares, 3.1 for means."""
    v = t.get(which)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if t["statistic"] == "share":
        return f"{float(v):.0%}"
    return f"{float(v):,.1f}"


def fmt_ci(t: dict[str, Any]) -> str:
    ci = t.get("ci") or [None, None]
    if ci[0] is None or ci[1] is None:
        return "–"
    if t["statistic"] == "share":
        return f"{float(ci[0]):.0%}–{float(ci[1]):.0%}"
    return f"{float(ci[0]):,.1f}–{float(ci[1]):,.1f}"


def card_image(
    persona: dict[str, Any],
    *,
    n: int,
    quotes: list[str],
    run_label: str,
    fmt: str,
    highlights: list[str] | None = None,
) -> bytes:
    """The persona card as a PNG or PDF (matplotlib figure: avatar, name and title, share,
    top traits with lift and interval bars, quotes). The title is the one the HTML card
    shows, made from the defining traits (:func:`portrait.headline`), not the stored one;
    the picture stays the one the pages show (drawn from the stored title)."""
    fig = card_figure(
        {**persona, "title": headline(persona)},
        avatar=render_avatar(str(persona["name"]), str(persona["title"]), size=256),
        n=n,
        share_ci=share_ci(persona, n=n),
        quotes=quotes,
        highlights=highlights or [],
        run_label=run_label,
    )
    return figure_bytes(fig, fmt)


def card_image_of(card: PersonaCard, *, fmt: str) -> bytes:
    return card_image(
        card.persona,
        n=int(card.run.n),
        quotes=[q.text for q in card.quotes] or list(card.persona.get("quotes", [])),
        run_label=f"run {card.run.run_key}",
        fmt=fmt,
        highlights=highlights(card),
    )


def highlights(card: PersonaCard) -> list[str]:
    """One line per goal, frustration and objection: member share vs all, lift and n."""
    lines = [
        f"{label_of(t)} rated {t['value']}: {fmt_value(t, 'persona')} vs "
        f"{fmt_value(t, 'population')} (n={t['n']:,})"
        for t in card.goals
        if t["statistic"] == "share"
    ][:2]
    for kind in THEME_PREFIXES:
        for th in card.themes.get(kind, [])[:2]:
            lines.append(
                f"{kind} · {th.label} (notes): {th.share:.0%} of members vs "
                f"{th.population_share:.0%} of all (n={th.n:,} of {th.members:,})"
            )
    return lines
