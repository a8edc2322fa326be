"""Typed dependencies shared by pages and the REST API.

* :data:`SessionDep` gives a route a session inside a transaction. The request owns the
  transaction: it is committed when the route returns without error and rolled back
  otherwise, *before* the response is sent (``scope="function"``), so a client never sees
  a success for a write that was not stored. Services only ``flush``; they never commit.
* :data:`CurrentUserDep` is the seam for authentication. Today every request is made by
  the same local, anonymous user with full rights (the workbench listens on localhost).
  When logins arrive, :func:`get_current_user` will read the session cookie or bearer
  token, load :class:`buyermap.db.models.User` and raise an authentication error; routes
  that declare ``CurrentUserDep``, and the API and page routers (which depend on it
  through :func:`remember_user`), then need no change. Tests swap the user with
  ``app.dependency_overrides[get_current_user]``.
* :data:`WRITE` (``Depends(require_write)``) is the write guard: every route that changes
  data declares it (``dependencies=[WRITE]`` on the route, or on a router that only
  writes), and it refuses read-only users with 403 ``forbidden``. A route that uses POST
  only to compute (a funnel over a file) declares :data:`COMPUTES_ONLY` instead.
  ``tests/web/test_guard.py`` walks the route table: every POST/PUT/PATCH/DELETE route
  must carry one of the two, and each guarded route refuses a read-only user, so routes
  added later are covered without a new test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from buyermap.domain.enums import UserRole
from buyermap.errors import ForbiddenError
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings


def get_workspace(request: Request) -> Workspace:
    """The workspace the app was created with (see :func:`buyermap.web.app.create_app`)."""
    workspace: Workspace = request.app.state.workspace
    return workspace


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """Who makes the request. ``id`` is None for the local user (no row in ``users``)."""

    id: int | None
    name: str
    role: UserRole
    is_authenticated: bool


LOCAL_USER = CurrentUser(id=None, name="local user", role=UserRole.OWNER, is_authenticated=False)


def get_current_user() -> CurrentUser:
    """The authentication seam: the local user until logins exist (see the module docstring)."""
    return LOCAL_USER


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]


def get_session(workspace: WorkspaceDep, user: CurrentUserDep) -> Iterator[Session]:
    """One session and one transaction per request: commit on success, roll back on error.
    The changes it makes are logged as the request's user's (:mod:`buyermap.db.audit`)."""
    with workspace.sessions() as session, session.begin():
        session.info["actor"] = user.name
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# Roles that may change the workspace. Anything else (read_only, roles added later) may not.
WRITING_ROLES = frozenset({UserRole.OWNER, UserRole.MEMBER})


def require_write(user: CurrentUserDep) -> CurrentUser:
    """The write guard: the current user, if they may change data; 403 otherwise."""
    if user.role not in WRITING_ROLES:
        raise ForbiddenError(
            f"{user.name} has read-only access and cannot change the workspace",
            details={"role": str(user.role), "needs": sorted(str(r) for r in WRITING_ROLES)},
        )
    return user


def computes_only() -> None:
    """Marks a POST route that changes nothing (it only computes a result from its input),
    so read-only users may call it. The guard test accepts it in place of :data:`WRITE`."""


WRITE = Depends(require_write)
COMPUTES_ONLY = Depends(computes_only)
WriterDep = Annotated[CurrentUser, WRITE]


def remember_user(request: Request, user: CurrentUserDep) -> CurrentUser:
    """Resolve the user once per request and keep it on ``request.state`` for templates."""
    request.state.user = user
    return user


def request_user(request: Request) -> CurrentUser:
    """The user a dependency already resolved for this request, else the local user."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, CurrentUser) else LOCAL_USER
