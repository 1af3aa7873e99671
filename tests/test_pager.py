"""The pager: output taller than a terminal goes through $PAGER (less -FRX by default), never when piped."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from support import FIXTURE

from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.main import main

FAKE_PAGER = """
import os, sys
data = sys.stdin.buffer.read()
with open(sys.argv[1], "wb") as out:
    out.write(os.environ.get("LESS", "-").encode() + b"\\n" + data)
"""


def _run(tmp_path: Path, *args: str, tty: bool = True, lines: str = "20", **extra: str) -> tuple[str, str | None]:
    script = tmp_path / "fake_pager.py"
    script.write_text(FAKE_PAGER, encoding="utf-8")
    paged = tmp_path / "paged.txt"
    environ = {
        **os.environ,
        "HOHHOT_FACTS": str(FIXTURE),
        "NO_COLOR": "1",
        "COLUMNS": "80",
        "LINES": lines,
        "PAGER": f"{sys.executable} {script} {paged}",
        **extra,
    }
    environ.pop("LESS", None)
    for name, value in extra.items():
        environ[name] = value
    stdout = io.StringIO()
    code = main(list(args), Environment(stdout=stdout, stderr=io.StringIO(), environ=environ, stdout_isatty=tty))
    assert code == 0
    return stdout.getvalue(), paged.read_text(encoding="utf-8") if paged.exists() else None


def test_tall_output_on_a_terminal_is_paged_with_less_defaults(tmp_path: Path) -> None:
    stdout, paged = _run(tmp_path, "metrics")
    assert stdout == ""
    assert paged is not None and paged.startswith("FRX\nMetrics (32)\n")


def test_less_settings_of_the_user_are_kept(tmp_path: Path) -> None:
    _, paged = _run(tmp_path, "metrics", LESS="S")
    assert paged is not None and paged.startswith("S\n")


def test_no_pager_when_piped_short_or_turned_off(tmp_path: Path) -> None:
    piped, paged = _run(tmp_path, "metrics", tty=False)
    assert piped.startswith("Metrics (32)") and paged is None
    short, paged = _run(tmp_path, "search", "steppe")
    assert short.startswith("Search: steppe") and paged is None
    off, paged = _run(tmp_path, "--no-pager", "metrics")
    assert off.startswith("Metrics (32)") and paged is None
    cat, paged = _run(tmp_path, "metrics", PAGER="cat")
    assert cat.startswith("Metrics (32)") and paged is None
    tall, paged = _run(tmp_path, "metrics", lines="1000")
    assert tall.startswith("Metrics (32)") and paged is None
