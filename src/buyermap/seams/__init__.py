"""One seam per analysis, below the three edges (CLI, REST API, pages).

Each module here loads an analysis's inputs (the workspace or a file), applies the
analysis's one set of refusal rules, caches per workspace change stamp (when the edge gives
a :class:`~buyermap.seams.cache.ResultCache`; the web keeps one on the app's state, the CLI
needs none) and returns one typed pydantic document: the CLI's ``--json``, the REST
response model and the templates all serialise that same document. Request schemas build
the analysis's frozen query (``to_query()``). See docs/architecture.md, "Adding a
capability".
"""
