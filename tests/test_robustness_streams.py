"""Robustness: pipes. A reader that goes away early, closed stdout or stderr: no traceback, a sane status.

These need real pipes, so they run the console script in a subprocess (on the fixture base).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support import Runner, hohhot_executable, subprocess_env
from support.checks import TIMEOUT, assert_no_crash
from support.factfiles import generated_base

from hohhot_cli.model.errors import ExitStatus

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


# -- 3. pipes ------------------------------------------------------------------------


def _pipeline(args: tuple[str, ...], reader: list[str], env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """hohhot ARGS | READER with real pipes: hohhot's status and stderr, and what the reader printed."""
    writer = subprocess.Popen(
        [hohhot_executable(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(**(env or {})),
    )
    assert writer.stdout is not None and writer.stderr is not None
    consumer = subprocess.Popen(reader, stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()  # only the reader holds the read end now
    shown, _ = consumer.communicate(timeout=TIMEOUT)
    errors = writer.stderr.read()
    writer.stderr.close()
    return writer.wait(timeout=TIMEOUT), shown, errors


def test_pipe_into_head_lines(hohhot: Runner) -> None:
    status, shown, errors = _pipeline(("metrics",), ["head", "-n", "1"])
    assert status == 0  # quiet, whenever the reader leaves
    assert shown.decode() == hohhot("metrics").stdout.splitlines(keepends=True)[0]
    assert_no_crash(errors.decode())


def test_pipe_into_head_bytes(hohhot: Runner) -> None:
    status, shown, errors = _pipeline(("metrics", "--json"), ["head", "-c", "10"])
    assert status == 0  # quiet, whenever the reader leaves
    assert shown == hohhot("metrics", "--json").stdout.encode()[:10]
    assert_no_crash(errors.decode())


@pytest.fixture(scope="module")
def big_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid synthetic base (benchmarks/make_facts.py) whose output is far larger than a pipe's buffer."""
    path = tmp_path_factory.mktemp("big") / "big.toml"
    path.write_text(generated_base(3000), encoding="utf-8")
    return path


def test_reader_going_away_mid_stream(big_facts: Path) -> None:
    """Megabytes of JSON lines into head: the reader exits while hohhot is still writing."""
    status, shown, errors = _pipeline(("--facts", str(big_facts), "metrics", "-f", "jsonl"), ["head", "-n", "1"])
    assert status == 0  # quiet, whenever the reader leaves
    assert json.loads(shown)["id"]
    assert_no_crash(errors.decode())


@pytest.mark.parametrize("fmt", FORMATS)
def test_reader_closed_before_the_first_write(fmt: str) -> None:
    process = subprocess.Popen(
        [hohhot_executable(), "metrics", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
    )
    assert process.stdout is not None
    process.stdout.close()  # before the interpreter has even started
    _, errors = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0
    assert_no_crash(errors.decode())
    assert errors.count(b"\n") <= 1


def _closing(fd: int) -> Any:
    return lambda: os.close(fd)


def test_closed_stdout_is_an_error_not_a_traceback() -> None:
    result = subprocess.run(
        [hohhot_executable(), "metrics"],
        stderr=subprocess.PIPE,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_closing(1),
    )
    assert result.returncode == ExitStatus.ERROR
    assert_no_crash(result.stderr.decode())
    assert result.stderr.count(b"\n") <= 1


@pytest.mark.parametrize(
    ("args", "status"),
    [
        pytest.param(("metric", "gdp", "--json"), ExitStatus.OK, id="nothing-to-say"),
        pytest.param(("bogus",), ExitStatus.USAGE, id="usage"),
        pytest.param(("export", "-o", "{tmp}/out.csv"), ExitStatus.OK, id="export"),
    ],
)
def test_closed_stderr_keeps_the_exit_status(tmp_path: Path, args: tuple[str, ...], status: int) -> None:
    result = subprocess.run(
        [hohhot_executable(), *(a.format(tmp=tmp_path) for a in args)],
        stdout=subprocess.DEVNULL,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_closing(2),
    )
    assert result.returncode == status




# -- 5. a stdout or stderr that takes no more --------------------------------------------

WRITING_COMMANDS = [
    *(("metrics", "--format", fmt) for fmt in FORMATS),
    ("--version",),
    ("--help",),
    ("metric", "--help"),
    ("validate",),
]


def _stdout_full() -> dict[str, Any]:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    return {"stdout": open("/dev/full", "w")}  # closed by the caller


def _stdout_read_only() -> dict[str, Any]:
    return {"stdout": open(os.devnull)}  # 1</dev/null: open, but not for writing


def _stdout_closed() -> dict[str, Any]:
    return {"stdout": subprocess.DEVNULL, "preexec_fn": _closing(1)}


STDOUTS = {"full": _stdout_full, "read-only": _stdout_read_only, "closed": _stdout_closed}
MESSAGES = {
    "full": "hohhot: error: cannot write to standard output: No space left on device",
    "read-only": "hohhot: error: cannot write to standard output: Bad file descriptor",
    "closed": "hohhot: error: standard output is closed",
}


@pytest.mark.parametrize("stdout", sorted(STDOUTS))
@pytest.mark.parametrize("args", WRITING_COMMANDS, ids=" ".join)
def test_failed_write_to_stdout_is_one_line_and_exit_1(stdout: str, args: tuple[str, ...]) -> None:
    streams = STDOUTS[stdout]()
    try:
        result = subprocess.run(
            [hohhot_executable(), *args],
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=subprocess_env(),
            timeout=TIMEOUT,
            **streams,
        )
    finally:
        if hasattr(streams["stdout"], "close"):
            streams["stdout"].close()
    errors = result.stderr.decode()
    assert_no_crash(errors)
    assert errors == MESSAGES[stdout] + "\n"
    assert result.returncode == ExitStatus.ERROR


@pytest.mark.parametrize("stderr", ["full", "read-only"])
def test_failed_write_to_stderr_is_exit_1(tmp_path: Path, stderr: str) -> None:
    """The export's report cannot be written: the status says so (there is nowhere to say more)."""
    if stderr == "full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full" if stderr == "full" else os.devnull, "w" if stderr == "full" else "r") as stream:
        result = subprocess.run(
            [hohhot_executable(), "export", "-o", str(tmp_path / "out.csv")],
            stdout=subprocess.DEVNULL,
            stderr=stream,
            stdin=subprocess.DEVNULL,
            env=subprocess_env(),
            timeout=TIMEOUT,
        )
    assert result.returncode == ExitStatus.ERROR
    assert (tmp_path / "out.csv").exists()
