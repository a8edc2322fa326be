"""The application factory: pages, REST API, static files and error translation."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import buyermap
from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings
from buyermap.web import pages
from buyermap.web.api import v1
from buyermap.web.api.v1.responses import install_openapi
from buyermap.web.csrf import new_secret
from buyermap.web.disconnect import Cancelled, StopWhenClientLeaves, client_gone
from buyermap.web.errors import install_error_handlers
from buyermap.web.templating import STATIC_DIR

DESCRIPTION = """\
The buyermap workbench: accounts, contacts, deals and their stage history.

Errors always have one shape: `{"error": {"code", "message", "details"}}`.
Lists take `q`, `sort` (prefix `-` for descending), `page` and `page_size` and return
`{items, total, page, page_size}`.
"""


def create_app(settings: Settings, *, workspace: Workspace | None = None) -> FastAPI:
    """Build the web app over a workspace (opened and migrated from ``settings`` if not given).

    Example: ``uvicorn.run(create_app(load_settings(database_url="sales.db")))``
    """
    app = FastAPI(
        title="buyermap",
        version=buyermap.__version__,
        description=DESCRIPTION,
        openapi_tags=v1.TAGS,
        # Swagger UI and ReDoc load their assets from a CDN; the workbench works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.workspace = workspace if workspace is not None else open_workspace(settings)
    app.state.csrf_secret = new_secret()  # signs the pages' CSRF tokens (web/csrf.py)
    install_error_handlers(app)
    app.add_exception_handler(Cancelled, client_gone)
    app.add_middleware(StopWhenClientLeaves)
    app.include_router(v1.router)
    install_openapi(app)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
