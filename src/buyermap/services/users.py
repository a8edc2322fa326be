"""Seller-side people (owners). Logins and roles build on this table later."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import User


def get_or_create_user(session: Session, *, name: str) -> User:
    """Find an owner by email (when ``name`` looks like one) or by name; create when missing."""
    text = name.strip()
    if "@" in text:
        user = session.scalar(select(User).where(func.lower(User.email) == text.lower()))
        if user is None:
            user = User(name=text.split("@", 1)[0], email=text.lower())
            session.add(user)
            session.flush()
        return user
    user = session.scalar(select(User).where(User.name == text))
    if user is None:
        user = User(name=text)
        session.add(user)
        session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every seller-side person, by name: the choices of an owner or "moved by" select."""
    return list(session.scalars(select(User).order_by(User.name, User.id)))
