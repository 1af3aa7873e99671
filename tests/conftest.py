"""Shared fixtures: an in-process CLI runner with width and colour pinned."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hohhot_cli.environment import Environment
from hohhot_cli.loader import bundled_facts_path, load_facts
from hohhot_cli.main import main
from hohhot_cli.model import FactBase

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Result:
    """What one CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:  # shown by assertion messages
        return f"exit {self.exit_code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


Runner = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user setting leaks into a test: bundled facts, fixed width, no colour, a parse cache of its own."""
    for name in ("HOHHOT_FACTS", "FORCE_COLOR", "NO_COLOR", "HOHHOT_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    # Outside tmp_path, which some tests expect to hold nothing but what they wrote.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    yield


@pytest.fixture
def hohhot() -> Runner:
    """Run the CLI in process: ``hohhot("metric", "gdp", env={...}, tty=False)``."""

    def run(*args: str, env: dict[str, str] | None = None, tty: bool = False) -> Result:
        stdout, stderr = io.StringIO(), io.StringIO()
        environ = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", **(env or {})}
        environment = Environment(stdout=stdout, stderr=stderr, environ=environ, stdout_isatty=tty)
        # Help text goes through click's echo to sys.stdout: capture that too.
        with redirect_stdout(stdout), redirect_stderr(stderr):
            code = main(list(args), environment)
        return Result(code, stdout.getvalue(), stderr.getvalue())

    return run


@pytest.fixture(scope="session")
def base() -> FactBase:
    """The bundled fact base."""
    return load_facts(bundled_facts_path())


def hohhot_executable() -> str:
    """The installed console script next to the running interpreter."""
    candidate = Path(sys.executable).with_name("hohhot")
    return str(candidate) if candidate.exists() else "hohhot"


def subprocess_env(**extra: str) -> dict[str, str]:
    """A clean environment for subprocess runs."""
    env = {k: v for k, v in os.environ.items() if k not in ("HOHHOT_FACTS", "FORCE_COLOR", "NO_COLOR")}
    env.update({"COLUMNS": "80", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env
