"""The ``hohhot`` command line: argument parsing only.

Each command parses its arguments, calls one query and returns its result;
:func:`query_command` adds the shared options (``--format``, ``--json``,
``--fields``, ``--no-header``, and ``--facts``/``--no-cache``, which the root takes
too, so that they stand before or after the command name) and hands the result
to a renderer. Per-run settings live in one :class:`Invocation` on
the click context (``ctx.obj``); :mod:`hohhot_cli.main` creates it and turns
errors into exit statuses.

No ``from __future__ import annotations`` here: Typer reads the annotations at
run time.
"""

import functools
import inspect
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from hohhot_cli import __version__, queries
from hohhot_cli.cite import CitationStyle
from hohhot_cli.environment import Environment
from hohhot_cli.errors import ExitStatus, HohhotError, OutputError, UsageError
from hohhot_cli.model import FactBase, IndustryKind
from hohhot_cli.render import MACHINE_FORMATS, OutputFormat, Shape, render

ENV_FACTS = "HOHHOT_FACTS"
"""Names a fact file to use instead of the bundled one."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the parse cache off."""


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


@dataclass
class Invocation:
    """The settings of one run and the fact base it loads, once."""

    env: Environment
    """Streams, environment variables and terminal facts."""
    facts_path: Path | None = None
    """``--facts`` (or ``$HOHHOT_FACTS``); None for the bundled base."""
    use_cache: bool = True
    """False with ``--no-cache`` (or ``HOHHOT_NO_CACHE=1``)."""
    output_format: OutputFormat | None = None
    """``--format`` given before the command name."""
    as_json: bool = False
    """``--json`` given before the command name."""
    use_pager: bool = True
    """False with ``--no-pager``: never page, even on a terminal."""
    replayable: bool = False
    """Set when this run's output may be stored in the answer cache and replayed (see :mod:`hohhot_cli.answers`)."""
    fact_files: list[tuple[str, int, bytes]] = field(default_factory=list)
    """Every fact file loaded: its path, size and content digest (the answer cache checks them on a hit)."""
    loads: int = 0
    """How many times a base was asked of the loader: every load must be in :attr:`fact_files`."""
    _base: FactBase | None = None

    @property
    def fact_file(self) -> tuple[str, int, bytes] | None:
        """The one fact file this run's output came from (None: it read none).

        Raises ValueError when that is not known for sure: more than one file, or a
        load that did not say what it read.
        """
        if len(set(self.fact_files)) > 1 or len(self.fact_files) != self.loads:
            raise ValueError("the fact files this run read are not known for sure")
        return self.fact_files[0] if self.fact_files else None

    def configure(self, facts: str | None, no_cache: bool) -> None:
        """Take the root options, falling back on the environment variables (an empty one is unset)."""
        environ = self.env.environ
        self.facts_path = given_path(facts, "--facts") or (Path(environ[ENV_FACTS]) if environ.get(ENV_FACTS) else None)
        self.use_cache = not no_cache and environ.get(ENV_NO_CACHE, "") in ("", "0")
        self._base = None

    def override(self, facts: str | None, no_cache: bool) -> None:
        """Take ``--facts`` and ``--no-cache`` given after the command name, over those given before it."""
        if facts is not None:
            self.facts_path = given_path(facts, "--facts")
            self._base = None
        if no_cache:
            self.use_cache = False
            self._base = None

    def chosen_format(self, output_format: OutputFormat | None, as_json: bool) -> OutputFormat:
        """The format of this run: the command's own options first, then the root's, else a table."""
        as_json = as_json or self.as_json
        given = output_format or self.output_format
        if as_json and given not in (None, OutputFormat.TABLE, OutputFormat.JSON):
            raise UsageError(f"--json contradicts --format {given.value}")
        return OutputFormat.JSON if as_json else (given or OutputFormat.TABLE)

    def base(self) -> FactBase:
        """The fact base of this run, loaded (or read from the parse cache) on first use."""
        if self._base is None:
            from hohhot_cli.cache import default_cache_directory, load_facts_cached  # not for --help
            from hohhot_cli.loader import bundled_facts_path

            cache_dir = default_cache_directory(self.env.environ) if self.use_cache else None
            self.loads += 1
            self._base = load_facts_cached(
                self.facts_path or bundled_facts_path(),
                cache_dir=cache_dir,
                warn=lambda message: self.env.error(f"warning: {message}"),
                on_loaded=self._loaded,
                progress=self.progress(),
            )
        return self._base

    def progress(self) -> Callable[[str], None] | None:
        """Where a long parse says how far it has gone: stderr when it is a terminal, else nowhere."""
        return self.env.progress if self.env.stderr_is_terminal else None

    def base_for_metrics(self, queries: list[str]) -> FactBase:
        """A base from which ``queries.find_metrics`` answers these queries as from the whole base.

        From the parse cache, only the metrics they may name and the sources those cite are
        read; ask nothing else of it. The whole base when it is loaded already.
        """
        if self._base is not None:
            return self._base
        from hohhot_cli.cache import default_cache_directory, load_metrics_cached
        from hohhot_cli.loader import bundled_facts_path

        self.loads += 1
        return load_metrics_cached(
            self.facts_path or bundled_facts_path(),
            queries,
            cache_dir=default_cache_directory(self.env.environ) if self.use_cache else None,
            warn=lambda message: self.env.error(f"warning: {message}"),
            on_loaded=self._loaded,
            progress=self.progress(),
        )

    def _loaded(self, path: str, size: int, digest: bytes) -> None:
        self.fact_files.append((path, size, digest))

    def emit(
        self, result: object, output_format: OutputFormat, shape: Shape | None = None, *, replayable: bool = True
    ) -> None:
        """Render a result in the chosen format and write it to stdout (paged when taller than a terminal).

        A result in a machine format, not on a terminal, with the caches on, may be
        replayed from the answer cache unless the caller says otherwise (``replayable``:
        the result depends on more than the arguments, the environment and the fact base).
        """
        text = render(result, output_format, self.env.style, shape or Shape())
        self.replayable = (
            replayable and self.use_cache and output_format in MACHINE_FORMATS and not self.env.is_terminal
        )
        if output_format in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
            from hohhot_cli.emptiness import nothing_found

            message = nothing_found(result)
            if message:
                self.env.error(message)
        if self.use_pager and self.env.is_terminal:  # never paged when piped: a script pays nothing for it
            from hohhot_cli.pager import page

            page(self.env, text)
        else:
            self.env.write(text)


def given_path(text: str | None, what: str) -> Path | None:
    """A path from the command line; an empty one is an error (``Path("")`` would be the directory ``.``)."""
    if text is None:
        return None
    if not text:
        raise UsageError(f"{what}: the path is empty")
    return Path(text)


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


def query_command(name: str, *, replayable: bool = True, **settings: Any) -> Callable[[F], F]:
    """Register a command that returns a result; add ``--format`` and ``--json`` to it.

    The options are defined once, here, and every query command gets the same
    ones; the command itself takes this run's :class:`Invocation` first, parses
    its own arguments and runs a query. ``replayable=False`` keeps its answers out
    of the answer cache.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(
            context: typer.Context,
            *args: Any,
            output_format: OutputFormat | None,
            as_json: bool,
            fields: str | None,
            no_header: bool,
            facts: str | None,
            no_cache: bool,
            **kwargs: Any,
        ) -> None:
            run = invocation(context)
            run.override(facts, no_cache)
            chosen = run.chosen_format(output_format, as_json)
            shape = Shape(tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else (), not no_header)
            result = function(run, *args, **kwargs)
            run.emit(result, chosen, shape, replayable=replayable)
            if getattr(result, "passes", True) is False:
                raise typer.Exit(ExitStatus.ERROR)

        own = list(inspect.signature(function).parameters.values())[1:]  # all but the invocation
        context_parameter = inspect.Parameter(
            "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [context_parameter, *own, *_OUTPUT_PARAMETERS]
        )
        commands.command(name, **settings)(command)
        return function

    return decorate


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


def selection(period: str | None, since: str | None, until: str | None, kind: str | None) -> Any:
    """The period filter the options ask for."""
    from hohhot_cli.selection import PeriodFilter

    return PeriodFilter.parse(period, since, until, kind)


def _cite_option() -> Any:
    return typer.Option("--cite", help="Add a Sources section with the full citation of every source shown.")


def with_citations(run: Invocation, result: object, base: FactBase | None = None) -> object:
    """A result with a Sources section of full citations (``--cite``), from ``base`` or the whole base."""
    from hohhot_cli.lookup import cited_sources
    from hohhot_cli.results import WithCitations

    return WithCitations(result, cited_sources(base or run.base(), result))


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
    run.configure(facts, no_cache)
    run.output_format, run.as_json = output_format, as_json
    run.use_pager = not no_pager
    if version:  # never loads the fact base: `hohhot overview` and `hohhot sources` give its date
        run.env.write(f"hohhot {__version__}\n")
        raise typer.Exit(ExitStatus.OK)
    if context.invoked_subcommand is None:
        run.emit(queries.overview(run.base()), run.chosen_format(None, False))


@query_command(
    "overview",
    short_help="The city at a glance.",
    epilog=examples("hohhot overview", "hohhot", "hohhot overview --format markdown"),
)
def overview_command(run: Invocation) -> object:
    """The city at a glance: province, population, latest GDP, industries."""
    return queries.overview(run.base())


@query_command(
    "industries",
    short_help="Industries; with an id, one in detail.",
    epilog=examples("hohhot industries", "hohhot industries dairy --cite", "hohhot industries --kind future"),
)
def industries_command(
    run: Invocation,
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
) -> object:
    """The pillar clusters and future industries; with an id, one industry in detail."""
    if industry is not None:
        if kind is not None:
            raise UsageError("--kind lists industries; it does not go with an industry id")
        detail = queries.industry_detail(run.base(), industry)
        return with_citations(run, detail) if cite else detail
    result = queries.list_industries(run.base(), kind)
    return with_citations(run, result) if cite else result


@query_command(
    "metric",
    short_help="Metrics by id, topic or alias, with every figure.",
    epilog=examples(
        "hohhot metric gdp.total",
        "hohhot metric dairy.revenue --latest",
        'hohhot metric gdp --json | jq ".[0].observations"',
    ),
)
def metric_command(
    run: Invocation,
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
) -> object:
    """Metrics by id, topic or alias, each with all its observations."""
    chosen = selection(period, since, until, kind)
    base = run.base_for_metrics(query)
    result = queries.find_metrics(base, query, latest=latest, selection=chosen, any_period=any_period)
    return with_citations(run, result, base) if cite else result


@query_command(
    "metrics",
    short_help="The index of metrics with their latest values.",
    epilog=examples("hohhot metrics", "hohhot metrics --topic trade", "hohhot metrics --industry dairy --format csv"),
)
def metrics_command(
    run: Invocation,
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
) -> object:
    """The index of all metrics with their latest value (JSON: every observation)."""
    chosen = selection(period, since, until, kind)
    return queries.list_metrics(run.base(), topic, industry, selection=chosen, any_period=any_period)


@query_command(
    "compare",
    short_help="One metric over time, several side by side, or industries.",
    epilog=examples(
        "hohhot compare gdp.total",
        "hohhot compare trade.exports trade.imports",
        "hohhot compare --industries dairy new-energy",
    ),
)
def compare_command(
    run: Invocation,
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
) -> object:
    """Comparison tables: one metric or topic over time, several side by side, or industries."""
    names = query or []
    chosen = selection(period, since, until, kind)
    if industries:
        if chosen.active or any_period:
            raise UsageError("--industries compares headlines; period options go with metrics")
        return queries.compare_industries(run.base(), names)
    if not names:
        raise UsageError("compare needs a metric id or topic (or --industries)")
    if len(names) == 1:
        return queries.compare_over_time(run.base(), names[0], selection=chosen)
    return queries.compare_side_by_side(run.base(), names, selection=chosen, any_period=any_period)


@query_command(
    "search",
    short_help="Find metrics, industries, companies, facts, sources.",
    epilog=examples("hohhot search dairy", "hohhot search 乳都", "hohhot show titles.dairy_capital   # open a hit"),
)
def search_command(
    run: Invocation,
    text: Annotated[list[str], typer.Argument(help="Words to look for (English or Chinese).", show_default=False)],
) -> object:
    """Find metrics, industries, companies, facts and sources; best matches first."""
    from hohhot_cli.search import search  # only this command needs it

    return search(run.base(), " ".join(text))


@query_command(
    "sources",
    short_help="The sources; with an id, one in full.",
    epilog=examples("hohhot sources", "hohhot sources cd-mayor-2024", "hohhot sources cd-mayor-2024 --cite"),
)
def sources_command(
    run: Invocation,
    source: Annotated[
        str | None,
        typer.Argument(
            help="A source id for everything it supports.", autocompletion=complete_source, show_default=False
        ),
    ] = None,
    cite: Annotated[bool, _cite_option()] = False,
) -> object:
    """The sources with how many facts each supports; with an id, one source in full."""
    if source is not None:
        detail = queries.source_detail(run.base(), source)
        return with_citations(run, detail) if cite else detail
    result = queries.list_sources(run.base())
    return with_citations(run, result) if cite else result


@query_command(
    "validate",
    replayable=False,  # reads a file of its own, which the answer cache does not check
    short_help="Check a fact file: problems and warnings.",
    epilog=examples("hohhot validate facts.toml", "hohhot validate --strict", "hohhot --facts my.toml validate"),
)
def validate_command(
    run: Invocation,
    path: Annotated[
        str | None,  # not Path: Path("") is ".", and an empty path must be an error
        typer.Argument(
            metavar="[PATH]",
            help="The fact file to check (default: --facts, $HOHHOT_FACTS or the bundled base).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on problems.")] = False,
) -> object:
    """Check a fact file: every problem (exit 1), then warnings for a maintainer (exit 0 unless --strict)."""
    from hohhot_cli.loader import bundled_facts_path

    file = given_path(path, "validate") or run.facts_path or bundled_facts_path()
    return queries.validate_file(file, strict, progress=run.progress())


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
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
    facts: FactsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the whole base, one row per observation with its sources, to a file or stdout."""
    # sqlite3 and tempfile: export only
    from hohhot_cli.export import STDOUT_FORMATS, ExportFormat, choose_format, export_target, export_text, write_export

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
        run.env.write(export_text(run.base(), fmt, chosen, csv_raw=run.env.csv_raw))
        return
    assert output is not None
    # A data package is written into a directory; any other export to a file, a directory or a
    # device is refused before the format is asked about.
    datapackage = export_format.lower() == ExportFormat.DATAPACKAGE.value
    target = Path(output) if datapackage else export_target(output)
    fmt = choose_format(export_format, target)
    base = run.base()
    if target.exists() and Path(base.path).exists() and target.resolve() == Path(base.path).resolve():
        raise OutputError(f"{output}: is the fact file being read; export to another file")
    rows = write_export(base, fmt, target, chosen, csv_raw=run.env.csv_raw)
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
    from hohhot_cli.encode import to_json
    from hohhot_cli.schemas import all_schemas, command_schema, commands

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
    from hohhot_cli.lookup import all_ids

    base = _completion_base(ctx)
    return [] if base is None else [i for i in all_ids(base) if i.startswith(incomplete)]


@query_command(
    "show",
    short_help="Open any id: metric, industry, source, fact, company.",
    epilog=examples("hohhot show titles.dairy_capital", "hohhot show yili --cite", "hohhot show gdp.total --json"),
)
def show_command(
    run: Invocation,
    item: Annotated[
        str,
        typer.Argument(
            help="A metric, industry, source, fact or company id (as search lists them).",
            autocompletion=complete_any_id,
            show_default=False,
        ),
    ],
    cite: Annotated[bool, _cite_option()] = False,
) -> object:
    """Open any id: a metric, an industry, a source, a fact or a company, in full."""
    from hohhot_cli.lookup import show

    shown = show(run.base(), item)
    return with_citations(run, shown) if cite else shown


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
    from hohhot_cli.cite import cite
    from hohhot_cli.lookup import sources_of

    run = invocation(context)
    base = run.base()
    wanted = {s.id for item in items for s in sources_of(base, item)}
    sources = [s for s in base.sources if s.id in wanted]
    run.env.write(cite(sources, style))
