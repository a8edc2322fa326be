"""The web workbench (server-rendered pages with HTMX) and the REST API (``/api/v1``)."""
