"""The package's layout: layers that import only those below them, no import cycle, rich only in
the table renderer, a library below the CLI that neither prints nor exits, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

from support import REPO

PACKAGE = REPO / "src" / "hohhot_cli"

LAYERS = ("model", "load", "query", "output", "export", "cli")
"""From the ground up: each layer may import those before it, never those after it."""

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
GENERATED = {"cli.grammar"}
"""Written by a program (``python -m hohhot_cli.cli.grammar``), not by hand."""


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name below ``hohhot_cli`` (``query.queries``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules a module imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hohhot_cli"):
            base = node.module.removeprefix("hohhot_cli").removeprefix(".")
            for alias in node.names:
                submodule = f"{base}.{alias.name}" if base else alias.name
                found.add(submodule if submodule in modules else (base or "__init__"))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("hohhot_cli.") for a in node.names if a.name.startswith("hohhot_cli.")}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _layer(module: str) -> int | None:
    top = module.split(".", 1)[0]
    return LAYERS.index(top) if top in LAYERS else None


def test_the_package_is_in_layers() -> None:
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(LAYERS)
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py", "api.py"]


def test_the_python_api_stands_on_the_library_not_the_cli() -> None:
    """``hohhot_cli.api`` asks the queries the commands ask; it never goes through the command line."""
    imported = _graph()["api"]
    assert imported and not [m for m in imported if _layer(m) is None or m.startswith(("cli.", "export."))]
    assert {"query.queries", "query.selection"} <= imported


def test_each_layer_imports_only_those_below_it() -> None:
    upward = []
    for module, imported in _graph().items():
        here = _layer(module)
        if here is None:
            continue
        for other in imported:
            there = _layer(other)
            if there is not None and there > here:
                upward.append(f"{module} -> {other}")
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(module) :], module]))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*trail, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_the_graph_sees_the_imports() -> None:
    """The tests above would pass on an empty graph: check they read real edges."""
    graph = _graph()
    assert "output.json_view" in graph["output.csv_view"]
    assert "output.sections" in graph["output.table"]
    assert "cli.app" in graph["cli.main"]


def test_only_the_table_renderer_imports_rich() -> None:
    importers = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n == "rich" or n.startswith("rich.") for n in names):
                importers.append(name)
    assert sorted(set(importers)) == ["output.table"]


def test_the_library_below_the_cli_neither_prints_nor_exits() -> None:
    """Messages and exit statuses belong to the CLI; the library raises its own exceptions."""
    for name, path in _modules().items():
        if _layer(name) is None or name.startswith("cli."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
        names = {c.id for c in calls if isinstance(c, ast.Name)} | {
            f"{c.value.id}.{c.attr}" for c in calls if isinstance(c, ast.Attribute) and isinstance(c.value, ast.Name)
        }
        assert not names & {"print", "sys.exit", "os._exit", "exit"}, name


def test_modules_and_functions_are_of_a_readable_size() -> None:
    too_long = []
    for name, path in _modules().items():
        if name in GENERATED:
            continue
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {length} lines")
    assert too_long == []
