"""Cooperative cancellation of long analyses.

A long computation (Monte Carlo simulation, bootstrap refits, a backtest's origins, persona
model selection) calls :func:`checkpoint` between its steps. Outside a :func:`cancellable`
block it costs a context-variable lookup and does nothing; inside one, it raises
:class:`Cancelled` once the block's event is set. The web sets the event when the client
goes away (``web.disconnect``), so a request nobody waits for stops at the next step instead
of running to the end. Threads started by the edge (FastAPI runs sync routes in a thread
pool) see the caller's event because the pool copies the context.

Why not a library: cancelling CPU-bound work in a worker thread needs the work to look at a
flag (Python cannot interrupt a thread), and the flag has to reach numpy loops deep in the
analytics without a parameter on every function; a context variable does exactly that.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_EVENT: ContextVar[threading.Event | None] = ContextVar("buyermap_cancel", default=None)


class Cancelled(Exception):  # noqa: N818 - reads as the state it reports
    """The work was cancelled (the client went away); nothing was produced."""


@contextmanager
def cancellable(event: threading.Event) -> Iterator[threading.Event]:
    """Run the block so that :func:`checkpoint` raises :class:`Cancelled` once ``event`` is set."""
    token = _EVENT.set(event)
    try:
        yield event
    finally:
        _EVENT.reset(token)


def checkpoint() -> None:
    """Raise :class:`Cancelled` if the surrounding work has been cancelled."""
    event = _EVENT.get()
    if event is not None and event.is_set():
        raise Cancelled("the work was cancelled before it finished")
