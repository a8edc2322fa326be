"""The web's analysis cache: one :class:`~buyermap.seams.cache.ResultCache` per app, kept on
``app.state`` (never a module global) and told about every flush of the app's sessions, so
a write through the app changes every change stamp at once."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event

from buyermap.seams.cache import CommitWatch, ResultCache
from buyermap.services.workspace import Workspace

_CREATE = threading.Lock()  # guards the one-time creation below, holds no data


def analysis_cache(request: Request) -> ResultCache:
    """The app's cache, created on first use and subscribed to the workspace's flushes."""
    state = request.app.state
    cache: ResultCache | None = getattr(state, "analyses", None)
    if cache is None:
        with _CREATE:
            cache = getattr(state, "analyses", None)
            if cache is None:
                workspace: Workspace = state.workspace
                cache = ResultCache(watch=CommitWatch(workspace.engine))
                event.listen(workspace.sessions, "after_flush", cache.bump)
                state.analyses = cache
    return cache


CacheDep = Annotated[ResultCache, Depends(analysis_cache)]
