"""Plain command lines of the query commands, parsed and run without importing Typer.

Importing Typer (with its own copy of click and a hundred standard modules) takes
most of the time of a question not asked before. This module parses a command
line with the grammar read off the Typer app (:mod:`hohhot_cli.cli.grammar`), and
only a plain one:

- options before the command name the root takes, then a query command's name,
  then its options and words in any order;
- an option written in full, as declared (``--format json``, ``--format=json``,
  ``-f json``), each at most once on each side of the command name;
- a value that does not start with ``-``; a choice written exactly as listed;
- as many words as the command's argument takes.

Anything else (``--help``, ``--version``, shell completion, an unknown, repeated
or bundled option, ``--``, a choice in capitals, too few or too many words, a
command other than a query) goes to Typer, which parses it, and reports its
errors, as it always has: :func:`parse` says None. What a plain command line
parses to is what Typer passes to the same action (:mod:`hohhot_cli.cli.actions`);
``tests/test_direct.py`` checks both over generated command lines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from hohhot_cli.cli.grammar import GRAMMAR
from hohhot_cli.model.value import Value, value

TYPE_CHECKING = False  # not typing's: this path imports no more than it needs
if TYPE_CHECKING:
    from typing import Any

    from hohhot_cli.cli.invocation import Invocation

COMPLETION_VARIABLE = "_HOHHOT_COMPLETE"
"""Set by a shell asking click for completions: never a plain run."""

OUTPUT_OPTIONS = ("output_format", "as_json", "fields", "no_header", "facts", "no_cache", "no_pager", "no_color")
"""The options every query command shares: the fields of :class:`hohhot_cli.cli.actions.OutputOptions`."""


@value
class Call(Value):
    """One plain command line, parsed: what the root callback and the command's action receive."""

    command: str
    """The query command's name."""
    root: dict[str, object]
    """The root's options (``Invocation.take_root_options``), by parameter name, defaults included."""
    output_options: dict[str, object]
    """The options every query command shares, given after the command name, by :data:`OUTPUT_OPTIONS` name."""
    arguments: dict[str, object]
    """The command's own argument and options, by parameter name, as its action takes them."""
    action: str
    """The name of the command's action in :mod:`hohhot_cli.cli.actions`."""


def parse(args: list[str], environ: Mapping[str, str]) -> Call | None:
    """The command line as the query command it plainly is; None when Typer must parse it.

    A shell asking for completions goes to Typer, whether the run's ``environ`` or the
    process's own environment (which click reads) says so.
    """
    if COMPLETION_VARIABLE in environ or COMPLETION_VARIABLE in os.environ:
        return None
    grammar: dict[str, Any] = GRAMMAR
    if grammar["root"] is None:
        return None  # the root has a setting the direct path cannot follow (see cli.grammar)
    root = _scan(args, 0, grammar["root"], stop_at_first_word=True)
    if root is None:
        return None
    root_values, words, position = root
    if len(words) != 1 or words[0] not in grammar["commands"]:
        return None  # no command (the overview), or not a query command
    name = words[0]
    spec = grammar["commands"][name]
    scanned = _scan(args, position, spec, stop_at_first_word=False)
    if scanned is None:
        return None
    values, words, _ = scanned
    argument = spec["argument"]
    if argument is None:
        if words:
            return None
    else:
        parameter, nargs, required = argument
        if (required and not words) or (nargs == 1 and len(words) > 1):
            return None
        values[parameter] = (words[0] if nargs == 1 else words) if words else None
    arguments = {**spec["defaults"], **values}
    output_options = {key: arguments.pop(key) for key in OUTPUT_OPTIONS}
    return Call(name, {**grammar["root"]["defaults"], **root_values}, output_options, arguments, spec["action"])


def _scan(
    args: list[str], start: int, spec: dict[str, Any], *, stop_at_first_word: bool
) -> tuple[dict[str, object], list[str], int] | None:
    """The options and words of ``args[start:]``; the root's stop at its first word, the command's name.

    Returns the values by parameter name, the words, and where the scan stopped; None
    at the first token that is not plain.
    """
    options: dict[str, tuple[str, str]] = spec["options"]
    values: dict[str, object] = {}
    words: list[str] = []
    position = start
    while position < len(args):
        token = args[position]
        position += 1
        if not token.startswith("-"):
            words.append(token)
            if stop_at_first_word:
                break
            continue
        name, equals, attached = token.partition("=") if token.startswith("--") else (token, "", "")
        declared = options.get(name)
        if declared is None:
            return None  # --help, --version, --, -, -fjson, an unknown option
        parameter, kind = declared
        if parameter in values:
            return None  # given twice: click keeps the last; Typer says so
        if kind == "flag":
            if equals:
                return None
            values[parameter] = True
            continue
        if equals:
            value = attached
        elif position < len(args) and not args[position].startswith("-"):
            value = args[position]
            position += 1
        else:
            return None
        converted = _convert(kind, value)
        if converted is _NOT_PLAIN:
            return None
        values[parameter] = converted
    return values, words, position


_NOT_PLAIN = object()


def _convert(kind: str, value: str) -> object:
    """An option's value as Typer passes it: the text, or the enumeration's member; :data:`_NOT_PLAIN` else."""
    if kind == "text":
        return value
    module, _, name = kind.partition(":")
    if module not in sys.modules:
        __import__(module)
    enumeration = getattr(sys.modules[module], name)
    members: dict[str, object] = enumeration._value2member_map_
    return members.get(value, _NOT_PLAIN)  # as listed; another case goes to Typer


def answer(call: Call, run: Invocation) -> int:
    """Run a parsed command line as the Typer app runs it: the root's options, then the action."""
    from hohhot_cli.cli import actions

    run.take_root_options(**call.root)  # type: ignore[arg-type]
    options = actions.OutputOptions(**call.output_options)  # type: ignore[arg-type]
    action = getattr(actions, call.action)
    return actions.answer(run, action, options, dict(call.arguments))
