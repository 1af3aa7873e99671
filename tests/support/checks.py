"""Checks shared by the robustness tests: no crash, one-line messages, no raw controls, display widths."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

from support import hohhot_executable, subprocess_env
from support.factfiles import UNSAFE_EXTRA

NEVER = ("Traceback", "RecursionError", "UnicodeDecodeError", "MemoryError", "Exception ignored")
"""What must never reach the user."""

TIMEOUT = 30
"""Seconds any subprocess of a test may take."""


HANG_LIMIT = 60
"""Seconds a check of hostile input may take in a child: a pattern that backtracks takes many times more."""


def printed_by_snippet(code: str) -> str:
    """What a Python snippet prints, run in a child that must end within :data:`HANG_LIMIT` seconds."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_LIMIT, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def assert_no_crash(*texts: str) -> None:
    """No traceback, no leaked exception name, no 'Exception ignored' in any of the texts."""
    for text in texts:
        for word in NEVER:
            assert word not in text, text


def one_line(text: str) -> str:
    """The single line of a one-line message, failing when there are more or none."""
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    return text[:-1]


def run(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess[Any]:
    """The console script in a subprocess on the fixture base, bytes in and out; ``drop`` removes variables."""
    environ = subprocess_env(**(env or {}))
    for name in drop:
        environ.pop(name, None)
    return subprocess.run(
        [hohhot_executable(), *args], capture_output=True, env=environ, timeout=TIMEOUT, stdin=subprocess.DEVNULL
    )


def raw_controls(text: str) -> set[str]:
    """Control characters (C0 but newline, DEL, C1), line separators and bidi controls found in text."""
    return {c for c in text if (unicodedata.category(c) == "Cc" and c != "\n") or c in UNSAFE_EXTRA}


def cells(text: str) -> int:
    """Display width on a terminal: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def strings_in(data: Any) -> Iterator[str]:
    """Every string in a parsed JSON document, keys too."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
