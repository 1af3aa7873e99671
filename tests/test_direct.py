"""The direct path: a plain command line parsed without Typer means what Typer makes of it.

Three checks: the grammar the direct path reads is the one the Typer app declares;
over generated command lines, whatever the direct path parses, Typer parses to the
same call of the same action with the same values (types included); and a corpus of
real command lines gives the same stdout, stderr and exit status both ways.
"""

from __future__ import annotations

import importlib
import inspect
import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import FIXTURE, run_cli

from hohhot_cli.cli import actions, direct, grammar
from hohhot_cli.cli import grammar_writer as cli
from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.invocation import Invocation
from hohhot_cli.cli.main import main
from hohhot_cli.model.value import fields

GRAMMAR: dict[str, Any] = grammar.GRAMMAR
QUERY_COMMANDS = list(GRAMMAR["commands"])


def test_the_grammar_is_what_the_app_declares() -> None:
    written = Path(grammar.__file__).read_text(encoding="utf-8")
    assert written == cli.grammar_module(), "the app changed: run python -m hohhot_cli.cli.grammar"


def test_every_query_command_is_in_the_grammar() -> None:
    """A query command left out (a parameter the direct path cannot take) would still work, slowly: say so."""
    assert sorted(GRAMMAR["commands"]) == sorted(cli.ACTIONS)
    assert tuple(field.name for field in fields(actions.OutputOptions)) == direct.OUTPUT_OPTIONS


@pytest.mark.parametrize("name", sorted(cli.ACTIONS))
def test_each_action_takes_what_its_command_declares(name: str) -> None:
    action = cli.ACTIONS[name]
    declared = [
        parameter for parameter in inspect.signature(cli._registered_callback(name)).parameters.values()
        if parameter.name not in direct.OUTPUT_OPTIONS and parameter.name != "context"
    ]
    taken = list(inspect.signature(action).parameters)[1:]  # all but the invocation
    assert [parameter.name for parameter in declared] == taken


# -- the parse, both ways ------------------------------------------------------------


class _BaseAsked(Exception):
    """The Typer path went to load the fact base (the overview): no query command was called."""


def _typed(values: dict[str, object]) -> dict[str, tuple[str, object]]:
    """Values with their types: an enumeration member and its text compare equal, and must not."""
    return {key: (type(value).__name__, value) for key, value in values.items()}


def typer_call(args: list[str]) -> tuple[Any, ...] | None:
    """What the Typer app passes to the root's options and to a query command's action; None when it calls none."""
    roots: list[dict[str, object]] = []
    calls: list[tuple[Any, ...]] = []

    def take_root_options(self: Invocation, facts: object, no_cache: object, output_format: object, as_json: object,
                          no_pager: object, no_color: object) -> None:
        roots.append(dict(facts=facts, no_cache=no_cache, output_format=output_format, as_json=as_json,
                          no_pager=no_pager, no_color=no_color))

    def answer(run: Invocation, action: Any, options: actions.OutputOptions, arguments: dict[str, object]) -> int:
        calls.append((action.__name__, {f.name: getattr(options, f.name) for f in fields(options)}, dict(arguments)))
        return 0

    def base(self: Invocation) -> None:
        raise _BaseAsked

    environment = Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={**os.environ}, stdout_isatty=False)
    with (
        mock.patch.object(Invocation, "take_root_options", take_root_options),
        mock.patch.object(actions, "answer", answer),
        mock.patch.object(Invocation, "base", base),
        redirect_stdout(io.StringIO()),
        redirect_stderr(io.StringIO()),
    ):
        try:
            status = main(list(args), environment, direct=False)
        except _BaseAsked:
            return None
    if status != 0 or not calls:
        return None
    assert len(roots) == 1 and len(calls) == 1
    action, options, arguments = calls[0]
    return _typed(roots[0]), action, _typed(options), _typed(arguments)


def direct_call(args: list[str]) -> tuple[Any, ...] | None:
    call = direct.parse(list(args), {})
    if call is None:
        return None
    assert GRAMMAR["commands"][call.command]["action"] == call.action
    return _typed(call.root), call.action, _typed(call.output_options), _typed(call.arguments)


_LONG_OPTIONS = sorted({o for spec in [GRAMMAR["root"], *GRAMMAR["commands"].values()] for o in spec["options"]
                        if o.startswith("--")})
_SHORT_OPTIONS = sorted({o for spec in [GRAMMAR["root"], *GRAMMAR["commands"].values()] for o in spec["options"]
                         if not o.startswith("--")})
_OTHER_OPTIONS = ["--help", "-h", "--version", "-V", "--", "-", "--strict", "--output", "-o", "--style", "-s",
                  "--install-completion", "--show-completion", "--nope", "-x", "--jso", "--no-pager"]
_VALUES = ["json", "JSON", "Json", "csv", "table", "markdown", "jsonl", "pillar", "PILLAR", "future", "gdp",
           "gdp.total", "dairy", "", "2023", "2024-H1", "year", "x=y", "-x", "-1", "a b", "乳都", "--json", "metric"]
_COMMAND_WORDS = [*QUERY_COMMANDS, "export", "schema", "cite", "metricz", "Metric", ""]

_token = st.one_of(
    st.sampled_from(_LONG_OPTIONS),
    st.sampled_from(_SHORT_OPTIONS),
    st.sampled_from(_OTHER_OPTIONS),
    st.sampled_from(_VALUES),
    st.sampled_from(_COMMAND_WORDS),
    st.builds(lambda option, value: f"{option}={value}", st.sampled_from(_LONG_OPTIONS + _OTHER_OPTIONS),
              st.sampled_from(_VALUES)),
    st.builds(lambda option, value: option + value, st.sampled_from(_SHORT_OPTIONS), st.sampled_from(_VALUES)),
    st.text(max_size=4),
)
_root_token = st.sampled_from(
    [o for o in GRAMMAR["root"]["options"] if GRAMMAR["root"]["options"][o][1] == "flag"]
    + ["--facts", "--format", "-f", "--version", "--help"] + _VALUES[:8]
)


@st.composite
def _grammatical_lines(draw: st.DrawFn) -> list[str]:
    """Lines built from the grammar: mostly plain, some with a repeated option, a wrong case or a stray word."""

    def given(options: dict[str, tuple[str, str]], how_many: int) -> list[list[str]]:
        pieces = []
        for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=how_many)):
            kind = options[option][1]
            if kind == "flag":
                pieces.append([option])
                continue
            if kind == "text":
                value = draw(st.sampled_from(_VALUES))
            else:
                values = [member.value for member in _enumeration(kind)]
                value = draw(st.sampled_from([*values, *(v.upper() for v in values), "nope"]))
            glued = option.startswith("--") and draw(st.booleans())
            pieces.append([f"{option}={value}"] if glued else [option, value])
        return pieces

    root = [token for piece in given(GRAMMAR["root"]["options"], 3) for token in piece]
    name = draw(st.sampled_from(QUERY_COMMANDS))
    argument = GRAMMAR["commands"][name]["argument"]
    most = 0 if argument is None else 1 if argument[1] == 1 else 3
    extra = draw(st.sampled_from([0, 0, 0, 1]))  # now and then one word too many
    words = [[word] for word in draw(st.lists(st.sampled_from(_VALUES[:14]), max_size=most + extra))]
    pieces = draw(st.permutations([*given(GRAMMAR["commands"][name]["options"], 4), *words]))
    return [*root, name, *(token for piece in pieces for token in piece)]


def _enumeration(kind: str) -> Any:
    module, _, name = kind.partition(":")
    return getattr(importlib.import_module(module), name)


_command_lines = st.one_of(
    st.lists(_token, max_size=8),
    st.builds(lambda root, command, rest: [*root, command, *rest], st.lists(_root_token, max_size=3),
              st.sampled_from(_COMMAND_WORDS), st.lists(_token, max_size=7)),
    _grammatical_lines(),
    _grammatical_lines(),
    _grammatical_lines(),
    _grammatical_lines(),
)


@settings(deadline=None, max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(_command_lines)
def test_what_the_direct_path_parses_typer_parses_alike(args: list[str]) -> None:
    parsed = direct_call(args)
    if parsed is not None:
        assert parsed == typer_call(args)


PLAIN = [
    ["metric", "gdp", "--json"],
    ["metric", "gdp", "gdp.total", "--latest", "--format", "csv"],
    ["metric", "--json", "gdp"],
    ["--json", "metric", "gdp"],
    ["--format=jsonl", "--no-cache", "metric", "gdp", "--period=2023"],
    ["-f", "json", "industries", "-k", "future"],
    ["industries", "--kind=pillar", "--cite"],
    ["industries", "dairy"],
    ["metrics", "-t", "trade", "-i", "dairy", "--any-period"],
    ["compare"],
    ["compare", "--industries", "dairy", "steppe"],
    ["search", "乳都", "capital", "--fields", "id,kind"],
    ["search", "gdp", "2023", "--kind", "figure", "--limit", "3"],
    ["show", "gdp.total@2021#2"],
    ["metric", "gdp.total", "--refs", "--period", "2023"],
    ["compare", "trade.exports", "trade.imports", "--refs"],
    ["sources", "--no-header", "--format", "csv"],
    ["show", "gdp.total", "--cite"],
    ["overview", "--format", "markdown"],
    ["validate", "--strict"],
    ["--no-pager", "--facts", "x.toml", "metric", "gdp", "--facts", "y.toml"],
    ["metric", "gdp", "--no-pager", "--no-color"],
    ["--no-color", "metrics", "--no-pager"],
    ["metric", ""],
]
NOT_PLAIN = [
    [],
    ["--json"],
    ["--help"],
    ["metric", "--help"],
    ["-h"],
    ["--version"],
    ["metric"],
    ["metric", "gdp", "--json", "--json"],
    ["metric", "gdp", "--", "--json"],
    ["metric", "gdp", "-fjson"],
    ["metric", "gdp", "--format", "JSON"],
    ["metric", "gdp", "--period"],
    ["metric", "gdp", "--period", "-1"],
    ["metric", "gdp", "--json=1"],
    ["metric", "-"],
    ["industries", "dairy", "steppe"],
    ["industries", "--kind", "Pillar"],
    ["search", "gdp", "--kind", "Figure"],
    ["search", "gdp", "--limit"],
    ["show"],
    ["metrics", "gdp"],
    ["export", "-f", "json"],
    ["schema"],
    ["cite", "gdp"],
    ["Metric", "gdp"],
]


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_command_lines_are_parsed_directly_as_typer_parses_them(args: list[str]) -> None:
    parsed = direct_call(args)
    assert parsed is not None
    assert parsed == typer_call(args)


@pytest.mark.parametrize("args", NOT_PLAIN, ids=" ".join)
def test_other_command_lines_go_to_typer(args: list[str]) -> None:
    assert direct.parse(args, {}) is None


def test_shell_completion_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert direct.parse(["metric", "gdp"], {direct.COMPLETION_VARIABLE: "bash_complete"}) is None
    monkeypatch.setenv(direct.COMPLETION_VARIABLE, "bash_complete")
    assert direct.parse(["metric", "gdp"], {}) is None


# -- the output, both ways -----------------------------------------------------------

FORMATS = ["table", "json", "jsonl", "csv", "markdown"]
OUTPUT_LINES: list[list[str]] = [
    *[[*line, "--format", fmt] for fmt in FORMATS for line in (
        ["overview"], ["industries"], ["industries", "dairy", "--cite"], ["metric", "gdp"],
        ["metric", "gdp.total", "--latest"], ["metrics", "--topic", "trade"], ["compare", "gdp.total"],
        ["compare", "trade.exports", "trade.imports"], ["compare", "--industries"], ["search", "dairy"],
        ["sources"], ["sources", "fg-trade-2023", "--cite"], ["show", "titles.dairy_capital"], ["validate"],
        ["search", "gdp", "2023"], ["search", "population", "--kind", "metric", "--limit", "2"],
        ["show", "gdp.total@2023"], ["show", "乳业"], ["metric", "常住人口", "--refs"],
        ["compare", "gdp.total", "--refs"], ["compare", "trade.exports", "trade.imports", "--refs"],
    )],
    ["metric", "gdp", "--json", "--fields", "metric_id,value"],
    ["metric", "gdp", "--format", "csv", "--no-header"],
    ["--json", "metric", "gdp", "--format", "csv"],  # contradicts: a usage error
    ["metric", "no-such-metric", "--json"],  # not found
    ["metric", "gdp", "--period", "20x3"],  # a bad period
    ["industries", "dairy", "--kind", "future"],  # an id with --kind
    ["compare"],  # nothing to compare
    ["compare", "--industries", "--since", "2020"],
    ["search", "no-such-thing-anywhere"],  # empty, still a success
    ["show", "nothing-by-this-id"],
    ["show", "gdp.total@2031"],  # no such figure
    ["show", "gdp.total@2021"],  # two figures
    ["search", "gdp", "--limit", "0"],  # a bad count
    ["compare", "--industries", "--refs"],
    ["validate", "tests/no-such-file.toml"],
    ["--facts", "", "metric", "gdp"],  # an empty path
    ["metric", "gdp", "--facts", str(FIXTURE), "--no-cache", "--json"],
]


@pytest.mark.parametrize("args", OUTPUT_LINES, ids=" ".join)
def test_the_direct_path_prints_what_typer_prints(args: list[str]) -> None:
    assert direct.parse(args, {}) is not None, "not a plain line: this test would compare Typer with itself"
    directly = run_cli(*args)
    through_typer = run_cli(*args, direct=False)
    assert directly == through_typer, f"direct:\n{directly}\n\nthrough Typer:\n{through_typer}"


@pytest.mark.parametrize("error", [EOFError(), KeyboardInterrupt()])
def test_an_error_inside_an_action_ends_alike_both_ways(error: BaseException) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise error

    with mock.patch("hohhot_cli.query.search.search", fail):  # what the action calls, on both paths
        directly = run_cli("search", "dairy", "--json")
        through_typer = run_cli("search", "dairy", "--json", direct=False)
    assert directly == through_typer
    assert "Traceback" not in directly.stderr


def test_a_setting_the_direct_path_does_not_follow_sends_every_line_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    """click would read HOHHOT_FORMAT and the like from the environment: the grammar must then describe nothing."""
    monkeypatch.setitem(cli.app.info.context_settings, "auto_envvar_prefix", "HOHHOT")
    assert cli.grammar()["commands"] == {}


def test_a_deprecated_command_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer warns that a deprecated command is deprecated; the direct path would not."""
    info = next(info for info in cli.commands.registered_commands if info.name == "metrics")
    monkeypatch.setattr(info, "deprecated", True)
    described = cli.grammar()["commands"]
    assert "metrics" not in described
    assert "metric" in described
