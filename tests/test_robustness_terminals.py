"""Robustness: locales, encodings and terminals: C and ASCII locales, colour on a pty, FORCE_COLOR, NO_COLOR, COLUMNS.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time

import pytest
from support import Runner, hohhot_executable, subprocess_env
from support.checks import TIMEOUT, assert_no_crash, one_line, run

from hohhot_cli.model.errors import ExitStatus

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


# -- 5. locales and terminals --------------------------------------------------------


def test_c_locale(hohhot: Runner) -> None:
    """LC_ALL=C: Python's UTF-8 mode keeps the Chinese names intact."""
    result = run("overview", "--json", env={"LC_ALL": "C"}, drop=("LANG", "PYTHONIOENCODING", "PYTHONUTF8"))
    assert result.returncode == 0, result
    assert json.loads(result.stdout)["name_zh"] == "呼和浩特"
    assert_no_crash(result.stderr.decode())


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},  # a C locale without UTF-8 mode: ASCII
    ],
    ids=["pythonioencoding-ascii", "c-locale-ascii"],
)
def test_ascii_stdout_json_escapes_chinese(env: dict[str, str]) -> None:
    result = run("overview", "--json", env=env, drop=("LANG",))
    assert result.returncode == 0, result
    result.stdout.decode("ascii")
    assert b"\\u547c\\u548c\\u6d69\\u7279" in result.stdout
    assert json.loads(result.stdout)["name_zh"] == "呼和浩特"
    assert_no_crash(result.stderr.decode())


@pytest.mark.parametrize("fmt", FORMATS)
def test_ascii_stdout_every_format(fmt: str) -> None:
    """What an ASCII stdout cannot hold: JSON escapes, table escapes, Markdown references; CSV is UTF-8 anyway."""
    result = run("industries", "--format", fmt, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result
    assert_no_crash(result.stderr.decode())
    if fmt == "csv":
        assert "乳业" in result.stdout.decode("utf-8"), "CSV has no escapes of its own: UTF-8 whatever the encoding"
        return
    text = result.stdout.decode("ascii")
    if fmt in ("json", "jsonl"):
        names = (
            [json.loads(line)["name_zh"] for line in text.splitlines()]
            if fmt == "jsonl"
            else [r["name_zh"] for r in json.loads(text)]
        )
        assert "乳业" in names
    elif fmt == "markdown":
        assert "&#20083;&#19994;" in text, "乳业, as character references"
    else:
        assert "\\u4e73\\u4e1a" in text, "乳业, escaped"


def test_ascii_stderr_error_message() -> None:
    result = run("industries", "呼和", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == ExitStatus.ERROR
    assert result.stdout == b""
    line = one_line(result.stderr.decode("ascii"))
    assert line.startswith("hohhot: error: no industry '\\u547c\\u548c'")


def _run_on_terminal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The console script with a pty as stdout; what it printed there, newlines as \\n."""
    try:
        master, slave = pty.openpty()
    except OSError:  # a container without /dev/ptmx
        pytest.skip("no pseudo-terminal available")
    process = subprocess.Popen(
        [hohhot_executable(), *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=subprocess_env(**env),
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    _, errors = process.communicate(timeout=TIMEOUT)
    return process.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), errors.decode()


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
    ],
    ids=["terminal", "term-dumb", "no-color"],
)
def test_colour_on_a_real_terminal(env: dict[str, str], coloured: bool) -> None:
    status, shown, errors = _run_on_terminal("industries", env=env)
    assert status == 0, errors
    assert "Industries (4)" in re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert ("\x1b" in shown) is coloured
    assert_no_crash(errors)


def test_json_on_a_terminal_with_force_color_has_no_escapes() -> None:
    status, shown, errors = _run_on_terminal("metric", "gdp", "--json", env={"FORCE_COLOR": "1", "TERM": "xterm"})
    assert status == 0, errors
    assert "\x1b" not in shown
    json.loads(shown)


@pytest.mark.parametrize("fmt", FORMATS)
def test_force_color_colours_only_tables(fmt: str) -> None:
    result = run("metric", "gdp", "--format", fmt, env={"FORCE_COLOR": "1"})
    assert result.returncode == 0, result
    assert (b"\x1b[" in result.stdout) is (fmt == "table")
    if fmt == "json":
        json.loads(result.stdout)


def test_no_color_on_a_pipe() -> None:
    result = run("industries", env={"NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm"})
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout


@pytest.mark.parametrize(
    "columns",
    [
        "",
        "abc",
        "-5",
        "0",
        "7",
        "99999",
        "３０",
        "²",
    ],
)
def test_any_columns_value_gives_a_table(hohhot: Runner, columns: str) -> None:
    result = hohhot("industries", env={"COLUMNS": columns})
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Industries (4)\n")


