"""Robustness: Ctrl-C. Exit 130, no traceback, and JSON either whole or not written at all.

A wrapper script runs the CLI and sends itself SIGINT at one point of the work.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import subprocess_env
from support.checks import TIMEOUT, assert_no_crash

from hohhot_cli.model.errors import ExitStatus

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


# -- 4. Ctrl-C -----------------------------------------------------------------------

# Runs the CLI with a SIGINT sent to itself at one point of the work, then exits with main()'s status.
INTERRUPT_WRAPPER = """\
import os, signal, sys, time
from pathlib import Path
import hohhot_cli.load.loader as loader
import hohhot_cli.cli.invocation as invocation
import hohhot_cli.cli.main as entry
import hohhot_cli.output.json_view as records

where, *args = sys.argv[1:]

def interrupt():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)  # the KeyboardInterrupt arrives before this ends

def interrupt_after(module, name):
    real = getattr(module, name)
    def wrapper(*a, **k):
        result = real(*a, **k)
        interrupt()
        return result
    setattr(module, name, wrapper)

if where == "load":
    interrupt_after(loader, "load_base")
elif where == "views":  # half-way through building the records
    real_record = records.observation_record
    calls = []
    def observation_record(*a, **k):
        calls.append(1)
        if len(calls) == 5:
            interrupt()
        return real_record(*a, **k)
    records.observation_record = observation_record
elif where == "render":  # the output is complete, not yet written
    interrupt_after(invocation, "render")
elif where == "wait":  # wait for a real SIGINT from outside
    ready = Path(os.environ["HOHHOT_TEST_READY"])
    def load_base(*a, **k):
        ready.write_text("ready")
        time.sleep(30)
    loader.load_base = load_base
sys.exit(entry.main(args))
"""


@pytest.fixture(scope="module")
def interrupt_wrapper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupt") / "interrupted_hohhot.py"
    path.write_text(INTERRUPT_WRAPPER, encoding="utf-8")
    return path


def _assert_interrupted(status: int, stdout: bytes, stderr: bytes) -> None:
    assert status == ExitStatus.INTERRUPTED, (status, stdout, stderr)
    if stdout:
        json.loads(stdout)  # a complete document or nothing
    assert_no_crash(stderr.decode())
    assert stderr.count(b"\n") <= 1


@pytest.mark.parametrize(
    ("where", "args"),
    [
        ("load", ("metrics", "--json")),
        ("views", ("metrics", "--json")),
        ("render", ("metric", "gdp", "--json")),
        ("views", ("compare", "gdp", "-f", "jsonl")),
    ],
)
def test_interrupt_in_the_middle_of_work(interrupt_wrapper: Path, where: str, args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, str(interrupt_wrapper), where, *args],
        capture_output=True,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    _assert_interrupted(result.returncode, result.stdout, result.stderr)
    assert result.stdout == b"", "the output is written in one piece after the work, or not at all"


def test_interrupt_from_outside(interrupt_wrapper: Path, tmp_path: Path) -> None:
    """A SIGINT from another process (the terminal's Ctrl-C) while the base is loading."""
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, str(interrupt_wrapper), "wait", "metrics", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(HOHHOT_TEST_READY=str(ready)),
    )
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), process.communicate(timeout=TIMEOUT)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    _assert_interrupted(process.returncode, stdout, stderr)
    assert stdout == b""




# -- SIGTERM and SIGHUP during an export ------------------------------------------------

# The console script (hohhot_cli.cli.main.run, which installs the signal handling), with the
# export held half-way, its temporary file (and SQLite's journal) on disk, until a signal comes.
EXPORT_WRAPPER = """\
import os, sys, time
from pathlib import Path
import hohhot_cli.export.files as export
import hohhot_cli.cli.main as entry

ready = Path(os.environ["HOHHOT_TEST_READY"])

def hold():
    ready.write_text(" ".join(sorted(os.listdir(os.environ["HOHHOT_TEST_DIR"]))))
    time.sleep(30)  # the signal's exception ends this

real_rows = export.export_rows
def export_rows(*args, **kwargs):
    rows = real_rows(*args, **kwargs)
    hold()
    return rows
export.export_rows = export_rows
sys.argv = ["hohhot", *sys.argv[1:]]
entry.run()
"""


@pytest.fixture(scope="module")
def export_wrapper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "held_export.py"
    path.write_text(EXPORT_WRAPPER, encoding="utf-8")
    return path


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
@pytest.mark.parametrize(
    ("signal_number", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
def test_signal_during_export_leaves_nothing_behind(
    export_wrapper: Path, tmp_path: Path, signal_number: int, status: int, fmt: str, existing: bool
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"hohhot.{fmt}"
    if existing:
        target.write_bytes(b"the previous export\n")
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, str(export_wrapper), "--no-cache", "export", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(HOHHOT_TEST_READY=str(ready), HOHHOT_TEST_DIR=str(out)),
    )
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), process.communicate(timeout=TIMEOUT)
    time.sleep(0.1)
    seen = ready.read_text().split()
    assert any(name.startswith(".hohhot-export-") for name in seen), seen
    if fmt == "sqlite":
        assert any(name.endswith(".part-journal") for name in seen), seen
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == status, (process.returncode, stderr)
    assert stdout == b""
    assert_no_crash(stderr.decode())
    assert sorted(p.name for p in out.iterdir()) == ([target.name] if existing else [])
    if existing:
        assert target.read_bytes() == b"the previous export\n"
