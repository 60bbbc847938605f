"""Wiring without circles: create_app registers the blueprints; web.py is a module of shared
helpers that imports no view, and no view module is part of an import cycle."""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys

from helpers import route_modules

from annotate.config import REPO_ROOT

PACKAGE = REPO_ROOT / "annotate"


def module_name(path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at module level or inside a function alike.

    Imports of the package root (``from annotate import __version__``) are left out: Python
    runs ``annotate/__init__.py`` before any of its modules, so they can close no circle."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                deps.update(known(a.name) for a in node.names if a.name.startswith("annotate"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                if base.startswith("annotate"):
                    deps.update(known(f"{base}.{a.name}") for a in node.names)
        graph[name] = {d for d in deps if d not in (None, name, "annotate")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_cycle_check_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    # and the graph sees lazy imports: create_app imports the views inside a function
    assert "annotate.workbench.views" in import_graph()["annotate"]


def test_no_view_module_and_not_web_is_in_an_import_cycle():
    web_layer = {"annotate.web", "annotate.unit_of_work"} | {module_name(p) for p, _ in route_modules()}
    tangled = [sorted(c) for c in cycles(import_graph()) if c & web_layer]
    assert not tangled, f"import cycles through the web layer: {tangled}"


def test_web_imports_no_view():
    views = {module_name(p) for p, _ in route_modules()}
    assert not import_graph()["annotate.web"] & views


def test_every_view_module_imports_alone():
    """Each route module imported first, on its own: in one fresh interpreter, the package's
    modules are forgotten before each (the libraries stay loaded, which keeps this fast)."""
    names = [module_name(p) for p, _ in route_modules()]
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'annotate' or m.startswith('annotate.')]:\n"
        "        del sys.modules[loaded]\n"
        # The package's metrics register in prometheus_client's global registry, which stays
        # loaded: forget them too, or the next import of annotate.ops.metrics finds duplicates.
        "    from prometheus_client import REGISTRY\n"
        "    for collector in list(REGISTRY._collector_to_names):\n"
        "        if any(n.startswith('annotate_') for n in REGISTRY._collector_to_names[collector]):\n"
        "            REGISTRY.unregister(collector)\n"
        "    importlib.import_module(name)\n"
        "    print('ok', name)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("ok ") == len(names) > 10
