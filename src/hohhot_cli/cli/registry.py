"""The Typer app's skeleton: the root group, the registry of commands and the options they share.

:func:`query_command` registers a query command: the decorated function declares its
arguments and options (Typer reads them) and its help; the parsed values go to an
action of :mod:`hohhot_cli.cli.actions` with the options every query command shares,
defined once here. The commands themselves are declared in :mod:`hohhot_cli.cli.app`.

No ``from __future__ import annotations`` here: Typer reads the annotations at
run time.
"""

import functools
import inspect
from collections.abc import Callable, Iterator, MutableMapping
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from hohhot_cli.cli import actions
from hohhot_cli.cli.actions import Action, OutputOptions
from hohhot_cli.cli.invocation import ENV_FACTS, ENV_NO_CACHE, Invocation, of_context
from hohhot_cli.model.errors import ExitStatus, UsageError
from hohhot_cli.output.render import OutputFormat
from hohhot_cli.query.selection import PERIOD_KINDS


class _LazyCommands(MutableMapping[str, Any]):
    """The subcommands by name, each made into a click command the first time it is looked up.

    Names come from the registrations alone, in the order of registration; a run builds
    only the command it invokes (``--help`` and completion build the ones they show).
    """

    def __init__(self, registered: list[CommandInfo]) -> None:
        self._infos = {info.name or typer.main.get_command_name(info.callback.__name__): info for info in registered}  # type: ignore[union-attr]
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        command = self._built.get(name)
        if command is None:
            command = typer.main.get_command_from_info(
                self._infos[name],  # KeyError for an unknown name, as a dict
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
            self._built[name] = command
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._infos.pop(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._infos.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._infos, *self._built]))

    def __len__(self) -> int:
        return len(self._infos.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._infos or name in self._built


class LazyGroup(TyperGroup):
    """The root command. Typer would build every subcommand's click command (and parse every
    option's annotation) at start-up; this builds them from :data:`commands` as they are asked for."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.commands = _LazyCommands(commands.registered_commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names alone: building them all is what this class avoids


app = typer.Typer(
    name="hohhot",
    help="Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,
)
"""The command line: the root callback and options. Its subcommands are registered on :data:`commands`."""

commands = typer.Typer()
"""The subcommands' registrations, which :class:`LazyGroup` builds one at a time (never run on its own)."""


def invocation(context: typer.Context) -> Invocation:
    """This run's :class:`Invocation` (a fresh one when the app is driven without :func:`main`)."""
    return of_context(context)


# -- the shared output options -------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])

FactsOption = Annotated[
    str | None,  # not Path: Path("") is ".", and an empty path must be an error
    typer.Option("--facts", metavar="PATH", help=f"Use this fact file instead of the bundled one (also ${ENV_FACTS})."),
]
NoCacheOption = Annotated[
    bool,
    typer.Option("--no-cache", help=f"Parse the fact file afresh and keep no parse cache (also {ENV_NO_CACHE}=1)."),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="Output format (default: table).", case_sensitive=False, show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
NoPagerOption = Annotated[
    bool, typer.Option("--no-pager", help="Never page output taller than the terminal (also PAGER=cat).")
]
NoColorOption = Annotated[
    bool,
    typer.Option("--no-color", help="No colour, even on a terminal (also NO_COLOR=1; CLICOLOR_FORCE=1 forces it)."),
]


def _complete_fields(ctx: typer.Context, incomplete: str) -> list[str]:
    from hohhot_cli.cli.completion import complete_fields

    return complete_fields(ctx, incomplete, ACTIONS.get(ctx.command.name or ""))


def _keyword(name: str, default: object, annotation: object) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


_OUTPUT_PARAMETERS = [
    _keyword("output_format", None, FormatOption),
    _keyword("as_json", False, JsonOption),
    _keyword(
        "fields",
        None,
        Annotated[
            str | None,
            typer.Option(
                "--fields",
                metavar="FIELD,FIELD,...",
                autocompletion=_complete_fields,
                help=(
                    "json, jsonl, csv, tsv: only these fields, comma-separated, in this order "
                    "(dotted paths: latest.value); --fields alone or --fields help lists them."
                ),
                show_default=False,
            ),
        ],
    ),
    _keyword(
        "no_header", False, Annotated[bool, typer.Option("--no-header", help="csv, tsv: leave out the header row.")]
    ),
    _keyword("facts", None, FactsOption),
    _keyword("no_cache", False, NoCacheOption),
    _keyword("no_pager", False, NoPagerOption),
    _keyword("no_color", False, NoColorOption),
]
"""The options every query command shares, defined here once: format, fields, header, and the
global ``--facts``, ``--no-cache``, ``--no-pager`` and ``--no-color``, which may also stand
before the command name."""


def query_command(name: str, action: Action, **settings: Any) -> Callable[[F], F]:
    """Register a query command: the decorated function declares it, ``action`` runs it.

    The decorated function's signature declares the command's own arguments and
    options (Typer reads them from it) and its docstring is the command's help; it
    is never called. The parsed values go, by name, to ``action`` (of
    :mod:`hohhot_cli.cli.actions`) through :func:`hohhot_cli.cli.actions.answer`, with the
    options every query command shares, which are defined once, here: ``--format``,
    ``--json``, ``--fields``, ``--no-header``, ``--facts``, ``--no-cache``, ``--no-pager``
    and ``--no-color``.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(
            context: typer.Context,
            *,
            output_format: OutputFormat | None,
            as_json: bool,
            fields: str | None,
            no_header: bool,
            facts: str | None,
            no_cache: bool,
            no_pager: bool,
            no_color: bool,
            **arguments: Any,
        ) -> None:
            options = OutputOptions(output_format, as_json, fields, no_header, facts, no_cache, no_pager, no_color)
            status = actions.answer(invocation(context), action, options, arguments)
            if status != ExitStatus.OK:
                raise typer.Exit(status)

        own = list(inspect.signature(function).parameters.values())
        context_parameter = inspect.Parameter(
            "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [context_parameter, *own, *_OUTPUT_PARAMETERS]
        )
        commands.command(name, **settings)(command)
        ACTIONS[name] = action
        return function

    return decorate


ACTIONS: dict[str, Action] = {}
"""Each query command's action, by command name."""


# -- the shared period options ---------------------------------------------------

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="PERIOD",
        help="Only figures of this period (2023, 2024-H1) or as-of date.",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", metavar="PERIOD", help="Only figures ending in or after this period.", show_default=False),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="PERIOD", help="Only figures starting in or before this period.", show_default=False
    ),
]


def choices(*values: str) -> Callable[[str], list[str]]:
    """A completion function offering ``values`` that start with what was typed (for a text option of fixed choices)."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="<year|half|quarter|month|year_to_date|day|span|as_of>",
        help="Only figures of this kind of period: year, half, quarter, month, year_to_date, day, span or as_of.",
        show_default=False,
        autocompletion=choices(*PERIOD_KINDS),
    ),
]
AnyPeriodOption = Annotated[
    bool,
    typer.Option("--any-period", help="Latest: the newest figure even when it covers part of a year (H1, Q3)."),
]


def _cite_option() -> Any:
    return typer.Option("--cite", help="Add a Sources section with the full citation of every source shown.")


_FORMATS_OF = {
    "cite": "it prints citations in the form --style names (JSON: --style csl-json)",
    "completion": "it prints a shell script",
    "schema": "it prints JSON Schema, always JSON",
}
"""The commands that are neither query commands nor ``export``, and what they print instead of a --format."""


def refuse_format(command: str | None, output_format: OutputFormat | None, as_json: bool) -> None:
    """A root ``--format`` or ``--json`` is a usage error before a command that does not take it, never ignored.

    ``schema`` prints JSON, so ``--json`` (or ``--format json``) goes with it.
    """
    if command not in _FORMATS_OF or (output_format is None and not as_json):
        return
    if command == "schema" and output_format in (None, OutputFormat.JSON):
        return
    given = "--json" if as_json else f"--format {output_format.value if output_format else ''}"
    raise UsageError(f"{given} does not go with {command}: {_FORMATS_OF[command]}")


def examples(*lines: str) -> str:
    """A help epilog of example command lines, kept as they are (click's ``\\b``)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  $ {line}" for line in lines)
