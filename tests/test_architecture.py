"""The layout's rules, checked by walking the source (no import of the app):

- no import cycle among the modules of ``workshop/``, ``models/`` and ``labels/``,
  imports inside functions included;
- domain modules (every module under ``workshop/`` not named ``views.py``, ``api.py``,
  ``cli.py``, ``forms.py`` or ``web.py``, apart from the few web-side modules listed in
  :data:`WEB_SIDE`) import nothing of the request context and never commit;
- ``labels/`` imports neither Flask nor the database nor the app;
- ``models/`` imports nothing of ``workshop``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workshop", "models", "labels")

#: Module names that face the web: they may use the request and commit.
WEB_NAMES = frozenset({"views", "api", "cli", "forms", "web"})

#: Web-side modules whose name does not say so: the app factory (it installs the
#: request hooks: user loader, locale selector), the error handlers (answer by
#: ``Accept``, roll back), the extensions (flask-limiter keys on the client's
#: address), the health blueprint and the API package (its CSRF hook for browser
#: sessions writing to the API), and the security request hooks the factory installs
#: (edge guards, security headers, ProxyFix), and the SQLite unit-of-work hook (a
#: request's method declares whether its transaction takes the write lock).
WEB_SIDE = frozenset({
    "workshop",
    "workshop.sqlite_tx",
    "workshop.local_time",  # the ``local`` template filter: the signed-in user's service point clock
    "workshop.security.guards",
    "workshop.security.headers",
    "workshop.security.proxy",
    "workshop.errors",
    "workshop.extensions",
    "workshop.health",
    "workshop.api",
})

#: What only the web side may import: module -> names.
REQUEST_CONTEXT = {
    "flask": {"request", "g", "session", "current_app"},
    "flask_login": {"current_user"},
}

#: What labels/ may not import (top-level package names).
LABELS_FORBIDDEN = frozenset({"flask", "flask_sqlalchemy", "flask_login", "flask_babel", "flask_wtf",
                              "sqlalchemy", "models", "workshop", "werkzeug"})


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported (absolute), or the package it was imported from
    names: tuple[str, ...]  # names imported from ``target`` (``from target import names``)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


SOURCES = _sources()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for name, path in SOURCES.items()}


def _package_of(module: str) -> str:
    return module if SOURCES[module].name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str) -> list[Import]:
    """Every import statement of ``module``, wherever it is (function bodies included)."""
    found = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            found.extend(Import(module, alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(module).split(".")
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            found.append(Import(module, base, tuple(alias.name for alias in node.names), node.lineno))
    return found


IMPORTS = {module: _imports(module) for module in SOURCES}


def _edges(module: str) -> set[str]:
    """The project modules ``module`` imports: ``from pkg import sub`` counts as an
    import of ``pkg.sub`` when that is a module, otherwise of ``pkg``."""
    targets = set()
    for imp in IMPORTS[module]:
        if imp.names:
            for name in imp.names:
                sub = f"{imp.target}.{name}"
                if sub in SOURCES:
                    targets.add(sub)
                elif imp.target in SOURCES:
                    targets.add(imp.target)
        elif imp.target in SOURCES:
            targets.add(imp.target)
    targets.discard(module)
    return targets


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def is_domain_module(module: str) -> bool:
    if not module.startswith("workshop") or module in WEB_SIDE:
        return False
    return module.rpartition(".")[2] not in WEB_NAMES


def test_the_walk_sees_the_whole_tree():
    # A walk that finds nothing would pass every rule below.
    assert {"workshop.jobs.workflow", "workshop.parts.ledger", "models.jobs", "labels.layout"} <= set(SOURCES)
    assert "workshop.bench.assignment" in _edges("workshop.jobs.workflow")
    assert any(is_domain_module(m) for m in SOURCES) and not is_domain_module("workshop.bench.views")


def test_no_import_cycles_counting_imports_inside_functions():
    graph = {module: _edges(module) for module in SOURCES}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _request_context_uses(module: str) -> list[str]:
    found = []
    for imp in IMPORTS[module]:
        forbidden = REQUEST_CONTEXT.get(imp.target, set())
        found.extend(f"{module}:{imp.line} imports {name} from {imp.target}"
                     for name in imp.names if name in forbidden)
    for node in ast.walk(TREES[module]):  # flask.request, flask_login.current_user
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.attr in REQUEST_CONTEXT.get(node.value.id, set())):
            found.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if is_domain_module(m)))
def test_domain_modules_take_no_request_context(module):
    assert _request_context_uses(module) == []


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if is_domain_module(m)))
def test_domain_modules_never_commit(module):
    commits = [f"{module}:{node.lineno}" for node in ast.walk(TREES[module])
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr == "commit"]
    assert commits == []


def test_labels_stay_pure():
    found = [f"{imp.module}:{imp.line} imports {imp.target}" for module in SOURCES if module.startswith("labels")
             for imp in IMPORTS[module] if imp.target.split(".")[0] in LABELS_FORBIDDEN]
    assert found == []


def test_models_import_nothing_of_the_app():
    found = [f"{imp.module}:{imp.line} imports {imp.target}" for module in SOURCES if module.startswith("models")
             for imp in IMPORTS[module] if imp.target.split(".")[0] == "workshop"]
    assert found == []


def test_the_request_context_check_catches_a_domain_module_reading_the_request():
    tree = ast.parse("from flask import current_app, request\nimport flask\nflask.g.x = 1\n")
    TREES["workshop.example_probe"] = tree
    SOURCES["workshop.example_probe"] = ROOT / "workshop" / "example_probe.py"
    IMPORTS["workshop.example_probe"] = _imports("workshop.example_probe")
    try:
        assert len(_request_context_uses("workshop.example_probe")) == 3
    finally:
        for table in (TREES, SOURCES, IMPORTS):
            del table["workshop.example_probe"]
