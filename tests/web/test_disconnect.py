"""A heavy request stops when its client goes away (web/disconnect.py, analytics/cancel.py)."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from buyermap.analytics.cancel import Cancelled, cancellable, checkpoint
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.factories import demo_workspace
from tests.web.test_pipeline_pages import DemoApp, demo_app

__all__ = ["demo_app"]

BACKTEST = "/api/v1/pipeline/backtest"
HEAVY = b"simulations=100000&bootstrap=100&horizon_days=90"


def _call(app: Any, path: str, query: bytes, *, client_leaves: bool) -> list[dict[str, Any]]:
    """One GET straight through the ASGI app; the client leaves at once if asked."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "root_path": "",
    }
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def main() -> None:
        first = True

        async def receive() -> dict[str, Any]:
            nonlocal first
            if first:
                first = False
                return {"type": "http.request", "body": b"", "more_body": False}
            if not client_leaves:
                await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app(scope, receive, send)

    asyncio.run(main())
    return sent


def test_a_checkpoint_raises_only_inside_a_cancelled_block() -> None:
    import threading

    checkpoint()  # outside any block: nothing happens
    event = threading.Event()
    with cancellable(event):
        checkpoint()
        event.set()
        with pytest.raises(Cancelled):
            checkpoint()
    checkpoint()  # the block is over


def test_a_backtest_stops_when_the_client_has_gone(demo_app: DemoApp) -> None:
    app = demo_app.client.app
    before = getattr(app.state, "cancelled_requests", 0)  # type: ignore[attr-defined]
    sent = _call(app, BACKTEST, HEAVY, client_leaves=True)
    assert sent[0]["status"] == 499
    assert app.state.cancelled_requests == before + 1  # type: ignore[attr-defined]


def test_a_client_that_stays_gets_its_answer(demo_app: DemoApp) -> None:
    app = demo_app.client.app
    before = getattr(app.state, "cancelled_requests", 0)  # type: ignore[attr-defined]
    sent = _call(
        app, "/api/v1/pipeline/forecast", b"simulations=200&horizon_days=30", client_leaves=False
    )
    assert sent[0]["status"] == 200
    assert getattr(app.state, "cancelled_requests", 0) == before  # type: ignore[attr-defined]


def test_a_real_server_stops_a_backtest_when_the_socket_closes(
    tmp_path: Any,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with demo_workspace(url, scale=0.1) as workspace:
        app = create_app(Settings(database_url=url), workspace=workspace)
        with serve_in_background(app) as base:
            parts = urlsplit(base)
            with socket.create_connection((parts.hostname, parts.port)) as sock:
                request = f"GET {BACKTEST}?{HEAVY.decode()} HTTP/1.1\r\nHost: x\r\n\r\n"
                sock.sendall(request.encode())
                time.sleep(0.5)  # the backtest is running
            deadline = time.monotonic() + 60
            while getattr(app.state, "cancelled_requests", 0) == 0:
                assert time.monotonic() < deadline, "the backtest ran on after the client left"
                time.sleep(0.05)
