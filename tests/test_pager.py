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


# -- a pager that cannot show the text ------------------------------------------------


def _run_with(pager: str, *args: str, **extra: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    environ = {**os.environ, "HOHHOT_FACTS": str(FIXTURE), "NO_COLOR": "1", "COLUMNS": "80", "LINES": "20",
               "PAGER": pager, **extra}
    if "HOHHOT_DEBUG" not in extra:
        environ.pop("HOHHOT_DEBUG", None)
    code = main(list(args or ["metrics"]), Environment(stdout=stdout, stderr=stderr, environ=environ,
                                                        stdout_isatty=True))
    return code, stdout.getvalue(), stderr.getvalue()


def test_a_pager_not_found_is_passed_over_quietly() -> None:
    expected = _run_with("cat")[1]
    assert expected.startswith("Metrics (32)\n")
    for pager in ("/nonexistent", "no-such-pager-anywhere", "no-such-pager-anywhere -R"):
        code, stdout, stderr = _run_with(pager)
        assert (code, stdout, stderr) == (0, expected, ""), pager


def test_a_pager_that_fails_before_reading_is_passed_over(tmp_path: Path) -> None:
    expected = _run_with("cat")[1]
    for pager in ("false", f"{sys.executable} -c 'import sys; sys.exit(3)'", "exit 4; cat"):
        code, stdout, stderr = _run_with(pager)
        assert (code, stdout, stderr) == (0, expected, ""), pager


def test_a_pager_that_read_the_text_is_not_second_guessed(tmp_path: Path) -> None:
    """A pager that read the text and then failed has shown it: it is not written twice."""
    seen = tmp_path / "seen.txt"
    script = f"import sys; open({str(seen)!r}, 'wb').write(sys.stdin.buffer.read()); sys.exit(1)"
    code, stdout, stderr = _run_with(f"{sys.executable} -c {script!r}")
    assert (code, stdout, stderr) == (0, "", "")
    assert seen.read_text(encoding="utf-8") == _run_with("cat")[1]


def test_hohhot_debug_says_why_the_pager_was_passed_over() -> None:
    code, stdout, stderr = _run_with("/nonexistent", HOHHOT_DEBUG="1")
    assert code == 0 and stdout.startswith("Metrics (32)\n")
    assert "hohhot: debug: pager: '/nonexistent' not found; writing directly\n" in stderr
    code, stdout, stderr = _run_with("false", HOHHOT_DEBUG="1")
    assert "hohhot: debug: pager: 'false' ended with status 1 before reading; writing directly\n" in stderr


def _on_a_terminal(args: list[str], *, unset: tuple[str, ...] = (), **extra: str) -> tuple[int, bytes, bytes]:
    """Run the installed hohhot with stdout on a pseudo-terminal; what the terminal showed, and stderr."""
    import pty
    import subprocess

    from support import hohhot_executable, subprocess_env

    controller, terminal = pty.openpty()
    env = subprocess_env(LINES="10", NO_COLOR="1", **extra)
    for name in unset:
        env.pop(name, None)
    process = subprocess.Popen([hohhot_executable(), *args], stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=subprocess.PIPE, env=env)
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: every writer of the terminal has gone
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.stderr is not None
    errors = process.stderr.read()
    return process.wait(), bytes(shown), errors


def test_on_a_terminal_a_missing_pager_still_shows_the_output() -> None:
    status, shown, errors = _on_a_terminal(["metrics"], PAGER="/nonexistent")
    assert status == 0, errors
    assert errors == b""
    text = shown.decode().replace("\r\n", "\n")
    assert text.startswith("Metrics (32)\n") and "trade.total" in text
    # No $PAGER, and no less on the PATH.
    status, shown_without_less, errors = _on_a_terminal(["metrics"], unset=("PAGER",), PATH="/nonexistent")
    assert status == 0 and errors == b"" and shown_without_less == shown
