"""The import map of docs/architecture.md, checked by parsing our source (no Django, no database).

Every import counts, module level or inside a function: a lazy import hides a cycle, it does not remove it.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "jobs",
    "accounts",
    "practitioners",
    "verification",
    "search",
    "reviews",
    "landing",
    "dashboard",
    "contact",
    "api",
    "fhir",
    "demo",
    "directory",
)
# The web layer composes pages from several apps (the profile page shows reviews; the credential
# queue shows listing claims), so it may import against the apps' order. Nothing else may.
WEB_LAYER = {"views", "admin", "urls"}
LEAF = "search.cache"
# docs/architecture.md, "Which way imports go": an app imports only apps of a lower level.
LEVELS = {
    LEAF: 0,
    "jobs": 0,
    "accounts": 1,
    "practitioners": 2,
    "verification": 3,
    "search": 3,
    "reviews": 3,
    "landing": 4,
    "dashboard": 4,
    "contact": 4,
    "api": 5,
    "fhir": 5,
    "demo": 5,
    "directory": 5,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _our_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module (or package) of ours that importing `name` runs."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports."""
    modules = _our_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        found: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(_resolve(alias.name, modules) for alias in node.names if alias.name.split(".")[0] in APPS)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - (node.level - 1)]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target.split(".")[0] not in APPS:
                    continue
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    found.add(full if full in modules else _resolve(target, modules))
        found.discard(None)
        found.discard(module)
        graph[module] = found  # type: ignore[assignment]
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in `graph` as a path [a, b, …, a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _app_of(module: str) -> str:
    return LEAF if module == LEAF or module.startswith(LEAF + ".") else module.split(".")[0]


def test_the_graph_sees_imports_of_every_kind():
    graph = import_graph()
    assert "practitioners.models" in graph["search.filters"]  # absolute, from-import
    assert "search.filters" in graph["search.selectors"]  # relative
    assert "verification.services" in graph["verification.management.commands.expire_credentials"]
    assert "practitioners.geo" in graph["directory.wsgi"]  # inside a function


def test_no_import_cycle_between_modules():
    assert find_cycle(import_graph()) is None


def test_apps_depend_in_one_direction_outside_the_web_layer():
    """Models, services, selectors, forms, commands: an app never imports one that imports it back.
    `search.cache` is its own node: a leaf every write service may call."""
    apps: dict[str, set[str]] = {}
    for module, imported in import_graph().items():
        if module.rsplit(".", 1)[-1] in WEB_LAYER:
            continue
        source = _app_of(module)
        apps.setdefault(source, set()).update(_app_of(m) for m in imported if _app_of(m) != source)
    assert find_cycle(apps) is None


def test_apps_import_only_lower_levels_outside_the_web_layer():
    wrong = sorted(
        f"{module} -> {target}"
        for module, imported in import_graph().items()
        if module.rsplit(".", 1)[-1] not in WEB_LAYER
        for target in imported
        if _app_of(target) != _app_of(module) and LEVELS[_app_of(target)] >= LEVELS[_app_of(module)]
    )
    assert wrong == []


def test_search_cache_imports_nothing_of_ours():
    assert import_graph()[LEAF] == set()


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
