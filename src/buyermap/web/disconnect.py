"""Stop a heavy request when its client goes away.

A forecast with millions of simulations, a backtest or a persona discovery can run for
seconds to minutes in a worker thread. When the browser tab is closed or an API client
gives up, nobody will read the answer; :class:`StopWhenClientLeaves` notices the ASGI
``http.disconnect`` message and sets the request's cancel event, and the analytics stop
at their next :func:`~buyermap.analytics.cancel.checkpoint` with
:class:`~buyermap.analytics.cancel.Cancelled`. The request's transaction rolls back like
any failed request; :func:`client_gone` answers 499 (nginx's "client closed request"),
which nobody receives, and logs one line instead of a traceback. ``app.state`` counts the
cancelled requests (``cancelled_requests``) for tests and operators.

The request body is passed through as the app reads it (back-pressure kept for uploads);
only after the last body message (or at once for a request without a body) does a task
wait for the disconnect, handing any message it gets to the app's next ``receive``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from buyermap.analytics.cancel import Cancelled, cancellable

log = logging.getLogger(__name__)

CLIENT_CLOSED_REQUEST = 499


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
    return False


class StopWhenClientLeaves:
    """ASGI middleware: a cancel event per HTTP request, set when the client disconnects."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        event = threading.Event()
        messages: asyncio.Queue[Message] = asyncio.Queue()
        watcher: asyncio.Task[None] | None = None

        async def watch() -> None:
            while True:
                message = await receive()
                await messages.put(message)
                if message["type"] == "http.disconnect":
                    event.set()
                    return

        def start_watching() -> None:
            nonlocal watcher
            if watcher is None:
                watcher = asyncio.create_task(watch())

        async def receive_for_app() -> Message:
            if watcher is not None:
                return await messages.get()
            message = await receive()
            if message["type"] == "http.disconnect":
                event.set()
            elif not message.get("more_body", False):
                start_watching()
            return message

        if not _has_body(scope):
            start_watching()
        try:
            with cancellable(event):
                await self.app(scope, receive_for_app, send)
        finally:
            if watcher is not None:
                watcher.cancel()


async def client_gone(request: Request, exc: Exception) -> Response:
    """The handler for :class:`Cancelled`: one log line, 499 to a client that is not there."""
    state: Any = request.app.state
    state.cancelled_requests = getattr(state, "cancelled_requests", 0) + 1
    log.info("%s %s stopped: the client went away", request.method, request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


__all__ = ["CLIENT_CLOSED_REQUEST", "Cancelled", "StopWhenClientLeaves", "client_gone"]
