"""What the tests share: paths, the in-process CLI runner, subprocess environments.

The test files import from here (``from support import ...``), never from conftest;
conftest only turns these into fixtures. Fact files for tests are built by
:mod:`support.factfiles`.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.main import main

REPO = Path(__file__).resolve().parent.parent.parent
"""The top of the checkout."""

BUNDLED = REPO / "facts.toml"
"""The real fact base, shipped in the wheel. Only tests/test_bundled_data.py and a few others read it."""

FIXTURE = REPO / "tests" / "data" / "fixture.toml"
"""The frozen, invented fact base that golden and JSON-shape tests read."""

ENV_FACTS = "HOHHOT_FACTS"


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


def run_cli(
    *args: str, env: dict[str, str] | None = None, tty: bool = False, facts: Path | None = FIXTURE, direct: bool = True
) -> Result:
    """Run the CLI in process, width and colour pinned (COLUMNS=80, NO_COLOR) unless ``env`` says otherwise.

    ``facts`` is the fact base used when neither ``--facts`` nor ``$HOHHOT_FACTS`` names one:
    the fixture by default, the bundled base with ``facts=None``. ``direct=False`` sends the
    command line to Typer even when it is plain (see hohhot_cli.cli.direct).
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    environ = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", **_facts_setting(facts), **(env or {})}
    environment = Environment(stdout=stdout, stderr=stderr, environ=environ, stdout_isatty=tty)
    # Help text goes through click's echo to sys.stdout: capture that too.
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(list(args), environment, direct=direct)
    return Result(code, stdout.getvalue(), stderr.getvalue())


def _facts_setting(facts: Path | None) -> dict[str, str]:
    """``$HOHHOT_FACTS`` for ``facts``, unless the test set one itself."""
    return {ENV_FACTS: str(facts)} if facts is not None and ENV_FACTS not in os.environ else {}


def complete(completer: str, incomplete: str, facts: Path | None = FIXTURE) -> list[str]:
    """What a completion function of :mod:`hohhot_cli.cli.completion` offers for ``incomplete``, on ``facts``."""
    import typer

    from hohhot_cli.cli import completion
    from hohhot_cli.cli.app import app
    from hohhot_cli.cli.invocation import Invocation

    environment = Environment(environ={**os.environ, **_facts_setting(facts)})
    context = typer.Context(typer.main.get_command(app), obj=Invocation(environment))
    result: list[str] = getattr(completion, completer)(context, incomplete)
    return result


def hohhot_executable() -> str:
    """The installed console script next to the running interpreter."""
    candidate = Path(sys.executable).with_name("hohhot")
    return str(candidate) if candidate.exists() else "hohhot"


def subprocess_env(*, facts: Path | None = FIXTURE, **extra: str) -> dict[str, str]:
    """A clean environment for subprocess runs: the fixture base (``facts=None``: the bundled one), 80 columns."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV_FACTS, "FORCE_COLOR", "NO_COLOR")}
    env.update({"COLUMNS": "80", "PYTHONDONTWRITEBYTECODE": "1"})
    if facts is not None:
        env[ENV_FACTS] = str(facts)
    env.update(extra)
    return env
