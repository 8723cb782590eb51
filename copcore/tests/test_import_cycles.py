"""No import cycles: not between two modules of the platform, and not between apps
that are layered (dashboards reads measurement's data, never the reverse).

The import graph is built from the source with the standard library's ``ast`` (no
import is executed), over every app package except tests and migrations. Every
``import`` counts, including those inside functions: an import deferred to run time
still makes two modules depend on each other. An edge goes to the module named, not
to the packages above it (importing ``a.b.c`` runs ``a/b/__init__.py``, but a package
that gathers its modules' names must not count as depending on itself).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "copcore",
    "communities",
    "knowledge",
    "measurement",
    "dashboards",
    "sessions",
    "evaluation",
    "notifications",
]
SKIPPED_PARTS = {"tests", "migrations"}

# App-level rules: (importer, imported) pairs that must never appear.
FORBIDDEN_APP_IMPORTS = {
    ("measurement", "dashboards"): "dashboards reads measurement's data; measurement "
    "reaches the dashboards' disclosure through measurement.disclosers",
}

# Apps with a known cycle inside them, left to the work that is splitting them; a cycle
# wholly inside one of these is tolerated, a cycle across apps never is. An app must
# leave this list once it has no cycle (the test says so).
KNOWN_CYCLE_APPS: dict[str, str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                continue
            found[_module_name(path)] = path
    return found


def _resolve(name: str, modules: set[str]) -> str | None:
    """The deepest platform module that ``name`` (a dotted path) names or lies in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    sources = _sources()
    modules = set(sources)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in sources.items():
        is_package = path.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from a import b`` names the module a.b when there is one, else a.
                targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
                targets = [t if t in modules else base for t in targets]
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    nodes = set(graph) | {m for targets in graph.values() for m in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_graph_sees_the_platform():
    graph = import_graph()
    assert "dashboards.selectors.audience" in graph
    assert "measurement.models" in graph["dashboards.selectors.audience"]


def _app_of(cycle: set[str]) -> str | None:
    apps = {module.split(".")[0] for module in cycle}
    return apps.pop() if len(apps) == 1 else None


def test_no_import_cycle_between_modules():
    cycles = strongly_connected(import_graph())
    new = [sorted(c) for c in cycles if _app_of(c) not in KNOWN_CYCLE_APPS]
    assert not new, f"import cycles: {new}"
    gone = set(KNOWN_CYCLE_APPS) - {_app_of(c) for c in cycles}
    assert not gone, f"no cycle left in {sorted(gone)}: remove them from KNOWN_CYCLE_APPS"


def test_layered_apps_do_not_import_upwards():
    broken = []
    for module, targets in import_graph().items():
        app = module.split(".")[0]
        for target in targets:
            rule = FORBIDDEN_APP_IMPORTS.get((app, target.split(".")[0]))
            if rule:
                broken.append(f"{module} imports {target}: {rule}")
    assert not broken, "\n".join(broken)


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [{"a", "b", "c"}]
