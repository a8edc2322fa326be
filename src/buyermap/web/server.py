"""Serve an ASGI app (the workbench, usually) with uvicorn in a background thread.

For embedding the workbench in another program, a notebook, browser tests or benchmarks::

    from buyermap.web.app import create_app
    from buyermap.web.server import serve_in_background

    with serve_in_background(create_app(settings)) as base_url:
        httpx.get(f"{base_url}/accounts")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import uvicorn

from buyermap.errors import ConfigError


@contextmanager
def serve_in_background(
    app: Callable[..., Any],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 10.0,
    log_level: str = "warning",
) -> Iterator[str]:
    """Serve ``app`` on ``host:port`` in a daemon thread; yields the base URL.

    ``port=0`` lets the system pick a free port (the yielded URL names it). Waits until
    uvicorn has started (raises ``ConfigError`` after ``startup_timeout`` seconds or
    when the server dies first), and on leaving asks it to shut down and joins the thread.

    Example: ``with serve_in_background(create_app(settings)) as url: httpx.get(url)``
    """
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level))

    def run() -> None:
        with suppress(SystemExit):  # uvicorn exits when it cannot bind; reported below
            server.run()

    thread = threading.Thread(target=run, name=f"uvicorn {host}:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                raise ConfigError(
                    f"the web server on {host}:{port} stopped while starting "
                    "(is the port taken or the host not an address of this machine?)",
                    details={"host": host, "port": port},
                )
            if time.monotonic() > deadline:
                raise ConfigError(
                    f"the web server on {host}:{port} did not start within {startup_timeout:g} s",
                    details={"host": host, "port": port, "timeout": startup_timeout},
                )
            time.sleep(0.02)
        bound = server.servers[0].sockets[0].getsockname()
        address = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        yield f"http://{address}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
