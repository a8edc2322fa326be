"""Dependencies point one way: nothing imports from a layer above it (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "buyermap"
LAYER = {
    "settings": 0,
    "errors": 0,
    "domain": 1,
    "db": 2,
    "schemas": 2,
    "services": 3,
    "analytics": 4,
    "io": 4,
    "demo": 4,
    "charts": 4,
    "seams": 5,
    "cli": 6,
    "web": 6,
}


def _imports(path: Path) -> list[str]:
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
    return [m for m in out if m.startswith("buyermap.")]


MODULES = sorted(
    p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "__init__.py"
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_layer_above_it(path: Path) -> None:
    layer = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    assert layer in LAYER, f"{layer!r} is in no layer; add it to LAYER and docs/architecture.md"
    above = [m for m in _imports(path) if LAYER.get(m.split(".")[1], -1) > LAYER[layer]]
    assert above == [], f"{path.relative_to(PACKAGE)} imports from a layer above it: {above}"


EDGES = ("cli", "web")
# Queries an edge still runs itself, each with the reason; move them below when touched.
OWN_QUERIES: dict[str, str] = {}


def _edge_modules() -> list[Path]:
    return [p for p in MODULES if p.relative_to(PACKAGE).parts[0] in EDGES]


def _queries(path: Path) -> list[str]:
    """Calls of ``select(...)`` and ``<x>.execute(...)`` / ``<x>.scalars(...)`` /
    ``<x>.scalar(...)``, found in the syntax tree (comments and strings do not count)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append(f"select() at line {node.lineno}")
        elif isinstance(func, ast.Attribute) and func.attr in {"execute", "scalars", "scalar"}:
            found.append(f".{func.attr}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", _edge_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_edges_run_no_queries_of_their_own(path: Path) -> None:
    name = str(path.relative_to(PACKAGE))
    if name in OWN_QUERIES:
        return
    assert _queries(path) == [], f"{name} queries the database; call a service or a seam"


def test_the_allowed_own_queries_still_exist() -> None:
    """An allowance is removed once its query moved below the edges."""
    for name in OWN_QUERIES:
        assert _queries(PACKAGE / name), f"{name} runs no query now: drop it from OWN_QUERIES"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if p.relative_to(PACKAGE).parts[:2] == ("web", "api")],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_api_does_not_import_the_pages(path: Path) -> None:
    pages = [m for m in _imports(path) if m.startswith("buyermap.web.pages")]
    assert pages == [], f"{path.relative_to(PACKAGE)} imports pages: {pages}; use a seam"
