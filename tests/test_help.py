"""Help that teaches: short summaries, examples, choices; completion from the right namespace."""

from __future__ import annotations

import pytest
import typer
from support import FIXTURE, Runner
from typer._completion_classes import BashComplete

from hohhot_cli.cli.app import app, commands

COMMANDS = [c.name for c in commands.registered_commands if c.name]


def test_the_command_list_shows_whole_summaries(hohhot: Runner) -> None:
    text = hohhot("--help").stdout
    commands = text.split("Commands:\n", 1)[1].splitlines()
    assert len(commands) == len(COMMANDS)
    assert not [line for line in commands if line.rstrip().endswith("...")]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_examples_and_no_bare_types(hohhot: Runner, name: str) -> None:
    text = hohhot(name, "--help").stdout
    examples = text.split("Examples:\n", 1)[1]
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 3 and all(line.startswith(f"$ hohhot {name}") or "hohhot" in line for line in lines)
    assert "<str>" not in text and "<text>" not in text
    body = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(body) == len(set(body)), "no line said twice"


def _completions(args: list[str], incomplete: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("HOHHOT_FACTS", str(FIXTURE))
    command = typer.main.get_command(app)
    completer = BashComplete(command, {}, "hohhot", "_HOHHOT_COMPLETE")
    return [c.value for c in completer.get_completions(args, incomplete)]


def test_completion_follows_the_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _completions(["compare", "--industries"], "a", monkeypatch) == ["artificial-intelligence"]
    assert "gdp.total" in _completions(["compare"], "gdp", monkeypatch)
    assert _completions(["metrics", "--topic"], "tr", monkeypatch) == ["trade"]
    assert "titles.dairy_capital" in _completions(["show"], "titles.", monkeypatch)
    assert "steppe" in _completions(["cite"], "st", monkeypatch)


def test_suggestions_come_from_the_right_namespace(hohhot: Runner) -> None:
    topic = hohhot("metrics", "--topic", "nope")
    assert topic.stderr == "hohhot: error: no topic 'nope'\n"
    compared = hohhot("compare", "gdp.total", "nope")
    assert compared.stderr == "hohhot: error: no metric 'nope'. Or look for it: hohhot search nope\n"
    metric = hohhot("metric", "foo")
    assert metric.stderr.endswith("Or look for it: hohhot search foo\n")
    industry = hohhot("compare", "--industries", "diary")
    assert "no industry 'diary'; did you mean dairy?" in industry.stderr
