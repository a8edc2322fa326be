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
