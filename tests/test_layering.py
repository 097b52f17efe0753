"""The import graph keeps the layers: no cycle; transforms/ imports none of flows/, expectations/,
reports/; the synthetic sample generator is imported only by flows/ and tests/.

The graph is read from the source with ast (nothing is imported): every `import` and
`from ... import`, at module level or inside a function, between envq's own modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("transforms", "flows", "expectations", "reports", "tests")
SAMPLE = "transforms.sample"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            if "fixtures" not in path.parts:
                found[module_name(path)] = path
    return found


def imported(node: ast.AST, here: str, is_package: bool, known: dict[str, Path]) -> list[str]:
    """envq modules one import statement names (a `from X import y` names X.y when y is a
    module, else X)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] in PACKAGES]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: from the current package upwards
        base = here.split(".") if is_package else here.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] not in PACKAGES:
        return []
    return [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets = {t for node in ast.walk(tree) for t in imported(node, name, is_package, known)}
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read():
    """The reader sees the imports it must judge (else every rule below would pass vacuously)."""
    g = import_graph()
    assert "transforms.air.marts" in g["flows.stages"]
    assert "transforms.warehouse" in g["transforms.air.marts"]
    assert "transforms.sample.data" in g["flows.bench"]  # an import inside a function
    assert "transforms.water.classes" in g["transforms.water"]  # a package's __init__


def test_no_import_cycle(graph):
    assert cycles(graph) == []


def test_cycle_finder_finds_a_planted_cycle():
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(planted) == [["a", "b", "c"]]


def test_transforms_import_no_outer_layer(graph):
    outer = ("flows", "expectations", "reports", "tests")
    bad = sorted(
        (m, t)
        for m, targets in graph.items()
        if in_package(m, "transforms")
        for t in targets
        if any(in_package(t, p) for p in outer)
    )
    assert bad == []


def test_only_flows_and_tests_import_the_sample_generator(graph):
    allowed = ("flows", "tests", SAMPLE)
    bad = sorted(
        (m, t)
        for m, targets in graph.items()
        if not any(in_package(m, p) for p in allowed)
        for t in targets
        if in_package(t, SAMPLE)
    )
    assert bad == []
