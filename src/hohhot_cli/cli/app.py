"""The ``hohhot`` command line: argument parsing only.

Each command parses its arguments, calls one query and returns its result;
:func:`query_command` adds the shared options (``--format``, ``--json``,
``--fields``, ``--no-header``, and ``--facts``/``--no-cache``, which the root takes
too, so that they stand before or after the command name) and hands the result
to a renderer. Per-run settings live in one :class:`Invocation` on
the click context (``ctx.obj``); :mod:`hohhot_cli.cli.main` creates it and turns
errors into exit statuses.

No ``from __future__ import annotations`` here: Typer reads the annotations at
run time.
"""

import functools
import inspect
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from hohhot_cli import __version__
from hohhot_cli.cli import actions
from hohhot_cli.cli.actions import Action, OutputOptions, selection
from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.invocation import ENV_FACTS, ENV_NO_CACHE, Invocation
from hohhot_cli.model.errors import ExitStatus, HohhotError, OutputError, UsageError
from hohhot_cli.model.facts import FactBase, IndustryKind
from hohhot_cli.output.cite import CitationStyle
from hohhot_cli.output.render import OutputFormat
from hohhot_cli.query import queries


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
    root = context.find_root()
    if not isinstance(root.obj, Invocation):
        root.obj = Invocation(Environment())
    return root.obj


# -- completion --------------------------------------------------------------


def _completion_base(context: typer.Context) -> FactBase | None:
    """The base the command line being completed names; None when it cannot be loaded."""
    run = invocation(context)
    params = context.find_root().params
    try:
        # While completing, click may leave an option's value as the text typed.
        run.configure(_text(params.get("facts")), bool(params.get("no_cache")))
        run.override(_text(context.params.get("facts")), bool(context.params.get("no_cache")))  # after the command
        return run.base()
    except HohhotError:
        return None


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, (str, Path)) else None


def complete_metric(ctx: typer.Context, incomplete: str) -> list[str]:
    """Metric ids and topics starting with what was typed (industry ids after ``compare --industries``)."""
    if ctx.params.get("industries"):
        return complete_industry(ctx, incomplete)
    base = _completion_base(ctx)
    if base is None:
        return []
    names = sorted({m.id for m in base.metrics} | {m.topic for m in base.metrics})
    return [n for n in names if n.startswith(incomplete)]


def complete_industry(ctx: typer.Context, incomplete: str) -> list[str]:
    """Industry ids starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else [i.id for i in base.industries if i.id.startswith(incomplete)]


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    """Source ids starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else [s.id for s in base.sources if s.id.startswith(incomplete)]


def complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    """Topics starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else sorted({m.topic for m in base.metrics if m.topic.startswith(incomplete)})


# -- the shared output options -------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])

FactsOption = Annotated[
    str | None,  # not Path: Path("") is ".", and an empty path must be an error
    typer.Option(
        "--facts", metavar="PATH", help=f"Use this fact file instead of the bundled one (also ${ENV_FACTS})."
    ),
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
                help="json, jsonl, csv: only these fields, comma-separated, in this order.",
                show_default=False,
            ),
        ],
    ),
    _keyword("no_header", False, Annotated[bool, typer.Option("--no-header", help="csv: leave out the header row.")]),
    _keyword("facts", None, FactsOption),
    _keyword("no_cache", False, NoCacheOption),
]
"""The options every query command shares, defined here once: format, fields, header, and the
global ``--facts`` and ``--no-cache``, which may also stand before the command name."""


def query_command(name: str, action: Action, *, replayable: bool = True, **settings: Any) -> Callable[[F], F]:
    """Register a query command: the decorated function declares it, ``action`` runs it.

    The decorated function's signature declares the command's own arguments and
    options (Typer reads them from it) and its docstring is the command's help; it
    is never called. The parsed values go, by name, to ``action`` (of
    :mod:`hohhot_cli.cli.actions`) through :func:`hohhot_cli.cli.actions.answer`, with the
    options every query command shares, which are defined once, here: ``--format``,
    ``--json``, ``--fields``, ``--no-header``, ``--facts`` and ``--no-cache``.
    ``replayable=False`` keeps its answers out of the answer cache.
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
            **arguments: Any,
        ) -> None:
            options = OutputOptions(output_format, as_json, fields, no_header, facts, no_cache)
            status = actions.answer(invocation(context), action, options, arguments, replayable=replayable)
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
        ACTIONS[name] = (action, replayable)
        return function

    return decorate


ACTIONS: dict[str, tuple[Action, bool]] = {}
"""Each query command's action and whether its answers may be replayed, by command name."""


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
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="<year|half|quarter|month|year_to_date|day|span|as_of>",
        help="Only figures of this kind of period: year, half, quarter, month, year_to_date, day, span or as_of.",
        show_default=False,
    ),
]
AnyPeriodOption = Annotated[
    bool,
    typer.Option("--any-period", help="Latest: the newest figure even when it covers part of a year (H1, Q3)."),
]


def _cite_option() -> Any:
    return typer.Option("--cite", help="Add a Sources section with the full citation of every source shown.")


def examples(*lines: str) -> str:
    """A help epilog of example command lines, kept as they are (click's ``\\b``)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  $ {line}" for line in lines)


# -- commands ------------------------------------------------------------------


@app.callback()
def root(
    context: typer.Context,
    facts: FactsOption = None,
    no_cache: NoCacheOption = False,
    output_format: FormatOption = None,
    as_json: JsonOption = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never page output taller than the terminal (also PAGER=cat)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Show the version."),
    ] = False,
) -> None:
    """Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.

    Run without a command for an overview of the city.
    """
    run = invocation(context)
    # With a command, this is all the root does: hohhot_cli.cli.direct calls take_root_options
    # alone, so anything more for a command belongs in take_root_options.
    run.take_root_options(facts, no_cache, output_format, as_json, no_pager)
    if version:  # never loads the fact base: `hohhot overview` and `hohhot sources` give its date
        run.env.write(f"hohhot {__version__}\n")
        raise typer.Exit(ExitStatus.OK)
    if context.invoked_subcommand is None:
        run.emit(queries.overview(run.base()), run.chosen_format(None, False))


@query_command(
    "overview",
    actions.overview,
    short_help="The city at a glance.",
    epilog=examples("hohhot overview", "hohhot", "hohhot overview --format markdown"),
)
def overview_command() -> None:
    """The city at a glance: province, population, latest GDP, industries."""


@query_command(
    "industries",
    actions.industries,
    short_help="Industries; with an id, one in detail.",
    epilog=examples("hohhot industries", "hohhot industries dairy --cite", "hohhot industries --kind future"),
)
def industries_command(
    industry: Annotated[
        str | None,
        typer.Argument(
            help="An industry id (or name) for its details.", autocompletion=complete_industry, show_default=False
        ),
    ] = None,
    kind: Annotated[
        IndustryKind | None,
        typer.Option(
            "--kind", "-k", help="Only the pillar clusters or only the future industries.", case_sensitive=False
        ),
    ] = None,
    cite: Annotated[bool, _cite_option()] = False,
) -> None:
    """The pillar clusters and future industries; with an id, one industry in detail."""


@query_command(
    "metric",
    actions.metric,
    short_help="Metrics by id, topic or alias, with every figure.",
    epilog=examples(
        "hohhot metric gdp.total",
        "hohhot metric dairy.revenue --latest",
        'hohhot metric gdp --json | jq ".[0].observations"',
    ),
)
def metric_command(
    query: Annotated[
        list[str],
        typer.Argument(help="Metric ids, topics (gdp) or aliases.", autocompletion=complete_metric, show_default=False),
    ],
    latest: Annotated[bool, typer.Option("--latest", help="Keep only the latest observation of each.")] = False,
    any_period: AnyPeriodOption = False,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
    cite: Annotated[bool, _cite_option()] = False,
) -> None:
    """Metrics by id, topic or alias, each with all its observations."""


@query_command(
    "metrics",
    actions.metrics,
    short_help="The index of metrics with their latest values.",
    epilog=examples("hohhot metrics", "hohhot metrics --topic trade", "hohhot metrics --industry dairy --format csv"),
)
def metrics_command(
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="<topic>",
            help="Only metrics of this topic: the first part of their ids (gdp, population, trade, dairy, ...).",
            autocompletion=complete_topic,
        ),
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option(
            "--industry",
            "-i",
            metavar="<industry>",
            help="Only metrics of this industry (an id as hohhot industries lists them).",
            autocompletion=complete_industry,
        ),
    ] = None,
    any_period: AnyPeriodOption = False,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
) -> None:
    """The index of all metrics with their latest value (JSON: every observation)."""


@query_command(
    "compare",
    actions.compare,
    short_help="One metric over time, several side by side, or industries.",
    epilog=examples(
        "hohhot compare gdp.total",
        "hohhot compare trade.exports trade.imports",
        "hohhot compare --industries dairy new-energy",
    ),
)
def compare_command(
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help="One metric or topic (over time), or several metrics (side by side).",
            autocompletion=complete_metric,
            show_default=False,
        ),
    ] = None,
    industries: Annotated[
        bool, typer.Option("--industries", help="Compare industries instead (all, or the ids given).")
    ] = False,
    any_period: AnyPeriodOption = False,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
) -> None:
    """Comparison tables: one metric or topic over time, several side by side, or industries."""


@query_command(
    "search",
    actions.search,
    short_help="Find metrics, industries, companies, facts, sources.",
    epilog=examples("hohhot search dairy", "hohhot search 乳都", "hohhot show titles.dairy_capital   # open a hit"),
)
def search_command(
    text: Annotated[list[str], typer.Argument(help="Words to look for (English or Chinese).", show_default=False)],
) -> None:
    """Find metrics, industries, companies, facts and sources; best matches first."""


@query_command(
    "sources",
    actions.sources,
    short_help="The sources; with an id, one in full.",
    epilog=examples("hohhot sources", "hohhot sources cd-mayor-2024", "hohhot sources cd-mayor-2024 --cite"),
)
def sources_command(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A source id for everything it supports.", autocompletion=complete_source, show_default=False
        ),
    ] = None,
    cite: Annotated[bool, _cite_option()] = False,
) -> None:
    """The sources with how many facts each supports; with an id, one source in full."""


@query_command(
    "validate",
    actions.validate,
    replayable=False,  # reads a file of its own, which the answer cache does not check
    short_help="Check a fact file: problems and warnings.",
    epilog=examples("hohhot validate facts.toml", "hohhot validate --strict", "hohhot --facts my.toml validate"),
)
def validate_command(
    path: Annotated[
        str | None,  # not Path: Path("") is ".", and an empty path must be an error
        typer.Argument(
            metavar="[PATH]",
            help="The fact file to check (default: --facts, $HOHHOT_FACTS or the bundled base).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on problems.")] = False,
) -> None:
    """Check a fact file: every problem (exit 1), then warnings for a maintainer (exit 0 unless --strict)."""


MetadataOption = Annotated[
    str | None,
    typer.Option(
        "--metadata",
        metavar="FILE.json",
        help="With sqlite: write Datasette's metadata for the database to this file too.",
        show_default=False,
    ),
]


@commands.command(
    "export",
    short_help="Write the whole base to a file.",
    epilog=examples(
        "hohhot export --output hohhot.sqlite",
        "hohhot export -o hohhot.csv",
        "hohhot export -o data.out --format jsonl",
    ),
)
def export_command(
    context: typer.Context,
    output: Annotated[  # not Path: it would drop a trailing slash and turn "" into "."
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The file to write (a directory for datapackage; - for stdout).",
            show_default=False,
        ),
    ] = None,
    export_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="<json|jsonl|csv|sqlite|datapackage>",
            help="The file's format (default: from the file's extension).",
        ),
    ] = "",
    metadata: MetadataOption = None,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
    facts: FactsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the whole base, one row per observation with its sources, to a file or stdout."""
    # sqlite3 and tempfile: export only
    from hohhot_cli.export.files import (
        STDOUT_FORMATS,
        ExportFormat,
        choose_format,
        export_target,
        export_text,
        metadata_target,
        write_export,
    )

    run = invocation(context)
    run.override(facts, no_cache)
    chosen = selection(period, since, until, kind)
    if not export_format and (run.as_json or run.output_format is not None):  # hohhot --json export -o -
        export_format = "json" if run.as_json else run.chosen_format(None, False).value
    to_stdout = output is None or output == "-"
    if output is None and not export_format:
        raise UsageError("export needs --output FILE (or --format json|jsonl|csv for stdout)")
    if to_stdout:
        fmt = choose_format(export_format or "json", Path("-"))
        if fmt not in STDOUT_FORMATS:
            raise UsageError(f"{fmt.value} cannot be written to stdout; give --output")
        metadata_target(metadata, fmt, output)
        run.env.write(export_text(run.base(), fmt, chosen, csv_raw=run.env.csv_raw))
        return
    assert output is not None
    # A data package is written into a directory; any other export to a file, a directory or a
    # device is refused before the format is asked about.
    datapackage = export_format.lower() == ExportFormat.DATAPACKAGE.value
    target = Path(output) if datapackage else export_target(output)
    fmt = choose_format(export_format, target)
    extra = metadata_target(metadata, fmt, output)
    base = run.base()
    if target.exists() and Path(base.path).exists() and target.resolve() == Path(base.path).resolve():
        raise OutputError(f"{output}: is the fact file being read; export to another file")
    rows = write_export(base, fmt, target, chosen, csv_raw=run.env.csv_raw, metadata=extra)
    run.env.error(f"wrote {rows} observations to {output} ({fmt.value})")


@commands.command(
    "schema",
    short_help="JSON Schema of a command's JSON output.",
    epilog=examples("hohhot schema metric", "hohhot schema export > export.schema.json", "hohhot schema | jq 'keys'"),
)
def schema_command(
    context: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(help="A command (metric, sources, export, ...); all of them when left out.", show_default=False),
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a command's JSON output, with the format version."""
    from hohhot_cli.output.encode import to_json
    from hohhot_cli.output.schemas import all_schemas, command_schema, commands

    run = invocation(context)
    if command is None:
        run.env.write(to_json(all_schemas()) + "\n")
        return
    if command not in commands():
        raise UsageError(f"no schema for {command!r}; one of: {', '.join(commands())}")
    run.env.write(to_json(command_schema(command)) + "\n")


# -- opening any id, citations ---------------------------------------------------


def complete_any_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Any id (metric, industry, source, fact, company) starting with what was typed."""
    from hohhot_cli.query.lookup import all_ids

    base = _completion_base(ctx)
    return [] if base is None else [i for i in all_ids(base) if i.startswith(incomplete)]


@query_command(
    "show",
    actions.show,
    short_help="Open any id: metric, industry, source, fact, company.",
    epilog=examples("hohhot show titles.dairy_capital", "hohhot show yili --cite", "hohhot show gdp.total --json"),
)
def show_command(
    item: Annotated[
        str,
        typer.Argument(
            help="A metric, industry, source, fact or company id (as search lists them).",
            autocompletion=complete_any_id,
            show_default=False,
        ),
    ],
    cite: Annotated[bool, _cite_option()] = False,
) -> None:
    """Open any id: a metric, an industry, a source, a fact or a company, in full."""


@commands.command(
    "cite",
    short_help="Citations for reference managers and pandoc.",
    epilog=examples(
        "hohhot cite gdp.total",
        "hohhot cite gdp.total dairy --style bibtex > hohhot.bib",
        "hohhot cite gdp --style csl-json > refs.json && pandoc --citeproc --bibliography refs.json report.md",
    ),
)
def cite_command(
    context: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(
            help="Metric ids or topics, industry, source, fact or company ids.",
            autocompletion=complete_any_id,
            show_default=False,
        ),
    ],
    style: Annotated[
        CitationStyle,
        typer.Option("--style", "-s", help="The form of the citations.", case_sensitive=False),
    ] = CitationStyle.TEXT,
) -> None:
    """Print the citations behind what ids show, for a reference manager, pandoc or a report."""
    from hohhot_cli.output.cite import cite
    from hohhot_cli.query.lookup import sources_of

    run = invocation(context)
    base = run.base()
    wanted = {s.id for item in items for s in sources_of(base, item)}
    sources = [s for s in base.sources if s.id in wanted]
    run.env.write(cite(sources, style))


# -- the grammar of plain command lines ------------------------------------------


def grammar() -> dict[str, Any]:
    """What :mod:`hohhot_cli.cli.direct` may parse without Typer, read off the click commands.

    The root's options and, for each query command, its options, its one positional
    argument and the value of each parameter when it is not given. Only what the
    direct path parses exactly as click does is described: a flag, an option taking
    one text, an option taking one of an enumeration's values; an option the
    direct path cannot take (``--version``, ``--help``) is left out, so a command
    line that uses it goes to Typer. A command with a setting the direct path does
    not follow (``context_settings`` beyond the help options, deprecation) is left
    out; a root with one leaves out everything. ``hohhot_cli/grammar.py`` holds the
    result, written by ``python -m hohhot_cli.cli.grammar``; a test keeps the two equal.
    """
    group = typer.main.get_command(app)
    described: dict[str, Any] = {"root": None, "commands": {}}
    root_plain = (
        set(group.context_settings) <= {"help_option_names"}
        and not getattr(group, "chain", False)
        and getattr(group, "_result_callback", None) is None
        and not getattr(group, "deprecated", False)
        and not group.allow_interspersed_args  # options before the command name are the root's
        and not group.ignore_unknown_options
    )
    if not root_plain:
        return described
    described["root"] = _describe(group, root, _ROOT_LEFT_OUT)
    if described["root"] is None:
        return described
    for name, (action, replayable) in ACTIONS.items():
        command = group.commands[name]  # type: ignore[attr-defined]
        if command.context_settings or getattr(command, "deprecated", False):
            continue
        if not command.allow_interspersed_args or command.ignore_unknown_options or command.allow_extra_args:
            continue
        declaration = _registered_callback(name)
        entry = _describe(command, declaration, ())
        if entry is None:
            continue  # a parameter the direct path cannot take: the command always goes to Typer
        entry["action"] = action.__name__
        entry["replayable"] = replayable
        described["commands"][name] = entry
    return described


_ROOT_LEFT_OUT = ("version", "install_completion", "show_completion")
"""The root's options the direct path never takes: given, they send the command line to Typer."""


_TEXT_TYPES = ("text", "str")
"""click's name for its string type, in the package (text) and in Typer's own copy (str)."""


def _registered_callback(name: str) -> Callable[..., Any]:
    for info in commands.registered_commands:
        if info.name == name and info.callback is not None:
            return info.callback
    raise KeyError(name)


def _describe(command: Any, callback: Callable[..., Any], left_out: tuple[str, ...]) -> dict[str, Any] | None:
    """One command's options, argument and defaults; None when one of its parameters is not plain.

    Parameters are told apart by click's own names for them (``param_type_name``, the
    type's ``name``), which hold whether click is Typer's own copy or the package.
    """
    annotations = {name: parameter.annotation for name, parameter in inspect.signature(callback).parameters.items()}
    options: dict[str, tuple[str, str]] = {}
    defaults: dict[str, object] = {}
    argument: tuple[str, int, bool] | None = None
    for parameter in command.params:
        if parameter.name in left_out:
            continue
        type_name = getattr(parameter.type, "name", None)
        plain = (
            parameter.expose_value
            and not parameter.is_eager
            and parameter.callback is None
            and parameter.envvar is None
            and not parameter.multiple
            and not getattr(parameter, "deprecated", False)
        )
        if not plain:
            return None
        if parameter.param_type_name == "argument":
            if argument is not None or parameter.nargs not in (1, -1) or parameter.default is not None:
                return None
            if type_name not in _TEXT_TYPES:
                return None
            argument = (parameter.name, parameter.nargs, parameter.required)
            continue
        if parameter.param_type_name != "option" or parameter.secondary_opts or parameter.nargs != 1:
            return None
        if parameter.count or parameter.required or parameter.prompt is not None:
            return None
        kind: str
        if parameter.is_flag and type_name == "boolean":
            if getattr(parameter, "flag_value", True) is not True or parameter.default is not False:
                return None
            kind = "flag"
        elif type_name == "choice" and not parameter.is_flag:
            enumeration = _enumeration(annotations.get(parameter.name))
            if enumeration is None or parameter.default is not None:
                return None
            if list(parameter.type.choices) != [member.value for member in enumeration]:
                return None
            kind = f"{enumeration.__module__}:{enumeration.__qualname__}"
        elif type_name in _TEXT_TYPES and not parameter.is_flag:
            if parameter.default is not None:
                return None
            kind = "text"
        else:
            return None
        defaults[parameter.name] = parameter.default
        for opt in parameter.opts:
            options[opt] = (parameter.name, kind)
    return {"options": options, "argument": argument, "defaults": defaults}


def _enumeration(annotation: object) -> Any:
    """The Enum class an option's annotation names (``Annotated[X | None, ...]``), else None."""
    import enum
    import types
    import typing

    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return None
            annotation = members[0]
        else:
            break
    return annotation if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else None


def grammar_module() -> str:
    """The text of ``hohhot_cli/grammar.py``: :func:`grammar` as a Python literal."""
    import pprint

    literal = pprint.pformat(grammar(), width=116, sort_dicts=False)
    return _GRAMMAR_MODULE.format(literal=literal)


_GRAMMAR_MODULE = '''"""The grammar of plain command lines, which :mod:`hohhot_cli.cli.direct` parses without Typer.

Read off the Typer app by ``hohhot_cli.cli.app.grammar`` and written here by
``python -m hohhot_cli.cli.grammar``: do not edit. A test keeps it equal to what the
app declares.
"""

GRAMMAR = {literal}

if __name__ == "__main__":  # python -m hohhot_cli.cli.grammar: write this file afresh
    from pathlib import Path

    from hohhot_cli.cli.app import grammar_module

    Path(__file__).write_text(grammar_module(), encoding="utf-8")
'''
