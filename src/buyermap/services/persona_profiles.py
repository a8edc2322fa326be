"""Personas in words: hand-made personas and the words teams give discovered ones.

A :class:`~buyermap.db.models.PersonaProfile` with ``origin="hand_made"`` is a workshop's
persona (no run, not backed by data; key ``h-<name>`` when made in the editor, the key
a journeys file gave when a journeys import made it); one with ``origin="discovered"``
holds the name, description and other words a team gave persona ``persona_key`` of run
``run_id`` (key ``<run key>/<persona key>``), while the run keeps its numbers. Functions
take the session and never commit.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import PersonaProfile
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.versions import check_version, take_version

HAND_MADE = "hand_made"
DISCOVERED = "discovered"
PREFIX = "h-"
MAX_PICTURE_BYTES = 5 * 1024 * 1024
PICTURE_SIDE = 512
# Letters NFKD does not take apart (Polish, Icelandic, Nordic, German).
_FOLD = str.maketrans(
    {"ł": "l", "Ł": "l", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ø": "o", "Ø": "o",
     "æ": "ae", "Æ": "ae", "ß": "ss", "đ": "d", "Đ": "d", "œ": "oe", "Œ": "oe"}
)  # fmt: skip


def slug(name: str) -> str:
    """``Łucja Ödön-Þórsdóttir`` -> ``lucja-odon-thorsdottir`` (ASCII, at most 60 long)."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or "persona"


def is_hand_made_key(key: str) -> bool:
    return key.startswith(PREFIX)


def is_hand_made(session: Session, *, key: str) -> bool:
    """Whether ``key`` names a hand-made persona: an ``h-`` key, or the key of one a
    journeys import made (which keeps the key the journeys file gave)."""
    if is_hand_made_key(key):
        return True
    stmt = select(PersonaProfile.id).where(
        PersonaProfile.key == key, PersonaProfile.origin == HAND_MADE
    )
    return session.scalar(stmt) is not None


def _unique(session: Session, base: str) -> str:
    key, n = base, 1
    while session.scalar(select(PersonaProfile.id).where(PersonaProfile.key == key)):
        n += 1
        key = f"{base}-{n}"
    return key


def create_hand_made(
    session: Session, *, values: dict[str, Any], key: str | None = None
) -> PersonaProfile:
    """A new hand-made persona; its key is ``key`` as given (a journeys file's, refused
    when taken), else ``h-`` and the name's slug (made unique)."""
    if key is not None and session.scalar(
        select(PersonaProfile.id).where(PersonaProfile.key == key)
    ):
        raise ConflictError(f"a persona with the key {key!r} exists already")
    profile = PersonaProfile(
        key=key if key is not None else _unique(session, PREFIX + slug(str(values["name"]))),
        origin=HAND_MADE,
        **values,
    )
    session.add(profile)
    session.flush()
    return profile


def hand_made(session: Session) -> list[PersonaProfile]:
    """Hand-made personas, oldest first."""
    stmt = select(PersonaProfile).where(PersonaProfile.origin == HAND_MADE)
    return list(session.scalars(stmt.order_by(PersonaProfile.id)))


def get_hand_made(session: Session, *, key: str) -> PersonaProfile:
    profile = session.scalar(
        select(PersonaProfile).where(PersonaProfile.key == key, PersonaProfile.origin == HAND_MADE)
    )
    if profile is None:
        keys = ", ".join(p.key for p in hand_made(session)) or "none yet"
        raise NotFoundError(f"no hand-made persona {key!r}; hand-made personas: {keys}")
    return profile


def of_discovered(session: Session, *, run_id: int, persona_key: str) -> PersonaProfile | None:
    """The words given to a discovered persona, or None."""
    return session.scalar(
        select(PersonaProfile).where(
            PersonaProfile.run_id == run_id, PersonaProfile.persona_key == persona_key
        )
    )


def words_of_run(session: Session, *, run_id: int) -> dict[str, PersonaProfile]:
    """Persona key -> its words, for the run's personas that have some."""
    stmt = select(PersonaProfile).where(PersonaProfile.run_id == run_id)
    return {str(p.persona_key): p for p in session.scalars(stmt)}


def for_discovered(
    session: Session, *, run_id: int, run_key: str, persona_key: str, name: str
) -> PersonaProfile:
    """The words of a discovered persona, made (with its discovered name) when missing."""
    found = of_discovered(session, run_id=run_id, persona_key=persona_key)
    if found is not None:
        return found
    profile = PersonaProfile(
        key=f"{run_key}/{persona_key}",
        origin=DISCOVERED,
        run_id=run_id,
        persona_key=persona_key,
        name=name,
    )
    session.add(profile)
    session.flush()
    return profile


def update_profile(
    session: Session, profile: PersonaProfile, *, changes: dict[str, Any]
) -> PersonaProfile:
    """Apply a partial edit; a stale ``version`` is refused (409) naming the fields."""
    changes = dict(changes)
    expected = take_version(changes)
    check_version(profile, expected=expected, changes=changes, what="persona")
    for field, value in changes.items():
        setattr(profile, field, value)
    session.flush()
    return profile


def normalise_picture(data: bytes, *, name: str = "picture") -> bytes:
    """An uploaded picture as a PNG of at most 512 x 512; anything else is refused."""
    if not data:
        raise InvalidValueError(f"{name!r} is empty; upload a PNG, JPEG, GIF or WebP picture")
    if len(data) > MAX_PICTURE_BYTES:
        raise InvalidValueError(
            f"{name!r} is {len(data) / 1e6:.1f} MB; a picture may be at most "
            f"{MAX_PICTURE_BYTES // (1024 * 1024)} MB"
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                raise InvalidValueError(
                    f"{name!r} is a {img.format} image; upload a PNG, JPEG, GIF or WebP picture"
                )
            img.thumbnail((PICTURE_SIDE, PICTURE_SIDE))
            out = io.BytesIO()
            img.convert("RGBA").save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidValueError(
            f"{name!r} is not a picture we can read; upload a PNG, JPEG, GIF or WebP picture"
        ) from None
    return out.getvalue()


def set_picture(session: Session, profile: PersonaProfile, *, data: bytes | None) -> None:
    """Store an uploaded picture (normalised), or go back to the generated one (None)."""
    profile.picture = None if data is None else normalise_picture(data)
    session.flush()


def delete_hand_made(session: Session, *, key: str) -> None:
    profile = get_hand_made(session, key=key)
    if profile.origin != HAND_MADE:
        raise ConflictError(f"{key!r} is a discovered persona; delete its run instead")
    session.delete(profile)
    session.flush()
