"""``serve_in_background``: a live server on a free port, stopped on leaving."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from buyermap.errors import ConfigError
from buyermap.web.server import serve_in_background


async def _hello(_: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", _hello)])


def test_it_serves_on_a_free_port_and_stops_on_leaving() -> None:
    with serve_in_background(APP) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert not base_url.endswith(":0")
        assert httpx.get(base_url).text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url)


def test_it_names_a_port_that_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(ConfigError, match=f"127.0.0.1:{port}"),
            serve_in_background(APP, port=port),
        ):
            pass
