"""``serve``: the web workbench and REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from buyermap.cli.common import console, state


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port.")] = None,
) -> None:
    """Serve the web workbench and the REST API (/api/v1, OpenAPI at /openapi.json).

    Example: [bold]buyermap --db sales.db serve --port 8000[/]
    """
    import uvicorn

    from buyermap.web.app import create_app

    settings = state(ctx).settings
    host = host or settings.host
    port = port or settings.port
    application = create_app(settings, workspace=state(ctx).workspace())
    console.print(f"buyermap workbench on http://{host}:{port}  (Ctrl+C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
