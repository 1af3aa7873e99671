"""The package's layout: no import cycle, rich only in the table renderer, a library without prints."""

from __future__ import annotations

import ast
from pathlib import Path

from support import REPO

PACKAGE = REPO / "src" / "hohhot_cli"


def _imports(path: Path) -> set[str]:
    """The package modules a module imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hohhot_cli"):
            if node.module == "hohhot_cli":  # from hohhot_cli import queries, __version__
                found |= {alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists()}
                found.add("__init__")
            else:
                found.add(node.module.removeprefix("hohhot_cli."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("hohhot_cli.") for a in node.names if a.name.startswith("hohhot_cli.")}
    return found


def _graph() -> dict[str, set[str]]:
    return {path.stem: _imports(path) - {path.stem} for path in sorted(PACKAGE.glob("*.py"))}


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
    """The test above would pass on an empty graph: check it reads real edges."""
    graph = _graph()
    assert "records" in graph["rows"] and "sections" in graph["table"] and "cli" in graph["main"]


def test_only_the_table_renderer_imports_rich() -> None:
    importers = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(name == "rich" or name.startswith("rich.") for name in names):
                importers.append(path.stem)
    assert sorted(set(importers)) == ["table"]


def test_the_library_below_the_cli_neither_prints_nor_exits() -> None:
    """Messages and exit statuses belong to main.py; the library raises its own exceptions."""
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("main", "cli", "__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
        names = {c.id for c in calls if isinstance(c, ast.Name)} | {
            f"{c.value.id}.{c.attr}" for c in calls if isinstance(c, ast.Attribute) and isinstance(c.value, ast.Name)
        }
        assert not names & {"print", "sys.exit", "os._exit", "exit"}, path.name
