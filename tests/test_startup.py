"""What start-up imports: deterministic, unlike a time (see benchmarks/ for times)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from support import subprocess_env

_PROBE = """
import json, sys
from hohhot_cli.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], env=subprocess_env(NO_COLOR="1"), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in json.loads(result.stderr.splitlines()[-1])}


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "gdp", "--json"),
        ("metric", "gdp", "--format", "jsonl"),
        ("metrics", "--format", "csv"),
        ("industries", "--json"),
        ("search", "dairy", "--format", "markdown"),
    ],
)
def test_machine_formats_import_neither_rich_nor_pydantic(args: tuple[str, ...]) -> None:
    loaded = _modules_after(*args)
    assert not loaded & {"rich", "pydantic", "pygments", "markdown_it"}, sorted(loaded)


def test_table_path_imports_rich_but_not_pydantic() -> None:
    loaded = _modules_after("industries")
    assert "rich" in loaded
    assert "pydantic" not in loaded


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("hohhot metric trade.t", ["trade.total", "trade.total_usd"]),
        ("hohhot industries da", ["dairy"]),
        ("hohhot sources fg-p", ["fg-profile", "fg-profile-2024"]),
    ],
)
def test_shell_completion_of_ids(words: str, expected: list[str]) -> None:
    """Typer's bash completion protocol, as the shell runs it."""
    env = subprocess_env(_HOHHOT_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD="2")
    result = subprocess.run([sys.executable, "-m", "hohhot_cli"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_undecodable_argument_bytes_print_escaped(fmt: str) -> None:
    """A byte that is not UTF-8 in argv arrives as a lone surrogate; it must not crash the output."""
    result = subprocess.run(
        [sys.executable, "-m", "hohhot_cli", "search", b"\xff", "--format", fmt],
        env=subprocess_env(PYTHONIOENCODING="utf-8"),
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    if fmt == "json":
        assert json.loads(result.stdout) == []


def test_ascii_terminal_gets_ascii_rules_and_bars() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hohhot_cli", "compare", "trade.exports", "trade.imports"],
        env=subprocess_env(PYTHONIOENCODING="ascii", NO_COLOR="1"),
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    result.stdout.decode("ascii")  # nothing but ASCII
    assert re.search(rb"\n.*  ################  +fg-trade-2023\n", result.stdout), result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "gdp", "--json"),
        ("--format", "csv", "metrics", "--topic", "trade"),
        ("industries",),
        ("search", "dairy", "--format", "markdown"),
    ],
)
def test_a_plain_query_imports_neither_typer_nor_click(args: tuple[str, ...]) -> None:
    """Parsed by hohhot_cli.cli.direct: Typer is most of a new question's start-up."""
    loaded = _modules_after(*args)
    assert not loaded & {"typer", "click", "shellingham"}, sorted(loaded)


@pytest.mark.parametrize("args", [("metric", "--help"), ("metric", "gdp", "--format", "JSON"), ("schema", "metric")])
def test_any_other_command_line_goes_to_typer(args: tuple[str, ...]) -> None:
    assert "typer" in _modules_after(*args)
