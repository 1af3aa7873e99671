"""The ``hohhot`` command line: argument parsing only.

Each command parses its arguments, calls one query and returns its result;
:func:`query_command` adds the shared ``--format``/``--json`` options and hands
the result to a renderer. Per-run settings live in one :class:`Invocation` on
the click context (``ctx.obj``); :mod:`hohhot_cli.main` creates it and turns
errors into exit statuses.

No ``from __future__ import annotations`` here: Typer reads the annotations at
run time.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from hohhot_cli import __version__, queries
from hohhot_cli.cite import CitationStyle
from hohhot_cli.environment import Environment
from hohhot_cli.errors import ExitStatus, HohhotError, OutputError, UsageError
from hohhot_cli.model import FactBase, IndustryKind
from hohhot_cli.render import OutputFormat, render

ENV_FACTS = "HOHHOT_FACTS"
"""Names a fact file to use instead of the bundled one."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the parse cache off."""

app = typer.Typer(
    name="hohhot",
    help="Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Invocation:
    """The settings of one run and the fact base it loads, once."""

    env: Environment
    """Streams, environment variables and terminal facts."""
    facts_path: Path | None = None
    """``--facts`` (or ``$HOHHOT_FACTS``); None for the bundled base."""
    use_cache: bool = True
    """False with ``--no-cache`` (or ``HOHHOT_NO_CACHE=1``)."""
    use_pager: bool = True
    """False with ``--no-pager``: never page, even on a terminal."""
    _base: FactBase | None = None

    def configure(self, facts: Path | None, no_cache: bool) -> None:
        """Take the root options, falling back on the environment variables."""
        environ = self.env.environ
        self.facts_path = facts or (Path(environ[ENV_FACTS]) if environ.get(ENV_FACTS) else None)
        self.use_cache = not no_cache and environ.get(ENV_NO_CACHE, "") in ("", "0")
        self._base = None

    def base(self) -> FactBase:
        """The fact base of this run, loaded (or read from the parse cache) on first use."""
        if self._base is None:
            from hohhot_cli.cache import default_cache_directory, load_facts_cached  # not for --help
            from hohhot_cli.loader import bundled_facts_path

            cache_dir = default_cache_directory(self.env.environ) if self.use_cache else None
            self._base = load_facts_cached(
                self.facts_path or bundled_facts_path(),
                cache_dir=cache_dir,
                warn=lambda message: self.env.error(f"warning: {message}"),
            )
        return self._base

    def emit(self, result: object, output_format: OutputFormat) -> None:
        """Render a result in the chosen format and write it to stdout (paged when taller than a terminal)."""
        text = render(result, output_format, self.env.style)
        if self.use_pager:
            from hohhot_cli.pager import page

            page(self.env, text)
        else:
            self.env.write(text)


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
    run.configure(params.get("facts"), bool(params.get("no_cache")))
    try:
        return run.base()
    except HohhotError:
        return None


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

_OUTPUT_PARAMETERS = [
    inspect.Parameter(
        "output_format",
        inspect.Parameter.KEYWORD_ONLY,
        default=OutputFormat.TABLE,
        annotation=Annotated[
            OutputFormat,
            typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
        ],
    ),
    inspect.Parameter(
        "as_json",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")],
    ),
]


def query_command(name: str, **settings: Any) -> Callable[[F], F]:
    """Register a command that returns a result; add ``--format`` and ``--json`` to it.

    The options are defined once, here, and every query command gets the same
    ones; the command itself takes this run's :class:`Invocation` first, parses
    its own arguments and runs a query.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(
            context: typer.Context, *args: Any, output_format: OutputFormat, as_json: bool, **kwargs: Any
        ) -> None:
            if as_json and output_format not in (OutputFormat.TABLE, OutputFormat.JSON):
                raise UsageError(f"--json contradicts --format {output_format.value}")
            run = invocation(context)
            result = function(run, *args, **kwargs)
            run.emit(result, OutputFormat.JSON if as_json else output_format)
            if getattr(result, "passes", True) is False:
                raise typer.Exit(ExitStatus.ERROR)

        own = list(inspect.signature(function).parameters.values())[1:]  # all but the invocation
        context_parameter = inspect.Parameter(
            "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [context_parameter, *own, *_OUTPUT_PARAMETERS]
        )
        app.command(name, **settings)(command)
        return function

    return decorate


def _cite_option() -> Any:
    return typer.Option("--cite", help="Add a Sources section with the full citation of every source shown.")


def with_citations(run: Invocation, result: object) -> object:
    """A result with a Sources section of full citations (``--cite``)."""
    from hohhot_cli.lookup import cited_sources
    from hohhot_cli.sections import WithCitations

    return WithCitations(result, cited_sources(run.base(), result))


def examples(*lines: str) -> str:
    """A help epilog of example command lines, kept as they are (click's ``\\b``)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  $ {line}" for line in lines)


# -- commands ------------------------------------------------------------------


@app.callback()
def root(
    context: typer.Context,
    facts: Annotated[
        Path | None,
        typer.Option("--facts", help=f"Use this fact file instead of the bundled one (also ${ENV_FACTS})."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help=f"Parse the fact file afresh and keep no parse cache (also {ENV_NO_CACHE}=1)."),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never page output taller than the terminal (also PAGER=cat)."),
    ] = False,
    version: Annotated[
        bool,
        # Not eager: handled below, once --facts and --no-cache are known wherever they stand.
        typer.Option("--version", "-V", help="Show the version and the fact base's date."),
    ] = False,
) -> None:
    """Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.

    Run without a command for an overview of the city.
    """
    run = invocation(context)
    run.configure(facts, no_cache)
    run.use_pager = not no_pager
    if version:
        try:
            updated = f"fact base updated {run.base().updated}"
        except HohhotError as error:
            updated = f"fact base unreadable: {error}"
        run.env.write(f"hohhot {__version__} ({updated})\n")
        raise typer.Exit(ExitStatus.OK)
    if context.invoked_subcommand is None:
        run.emit(queries.overview(run.base()), OutputFormat.TABLE)


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
    cite: Annotated[bool, _cite_option()] = False,
) -> object:
    """Metrics by id, topic or alias, each with all its observations."""
    result = queries.find_metrics(run.base(), query, latest=latest)
    return with_citations(run, result) if cite else result


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
) -> object:
    """The index of all metrics with their latest value (JSON: every observation)."""
    return queries.list_metrics(run.base(), topic, industry)


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
) -> object:
    """Comparison tables: one metric or topic over time, several side by side, or industries."""
    names = query or []
    if industries:
        return queries.compare_industries(run.base(), names)
    if not names:
        raise UsageError("compare needs a metric id or topic (or --industries)")
    if len(names) == 1:
        return queries.compare_over_time(run.base(), names[0])
    return queries.compare_side_by_side(run.base(), names)


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
    short_help="Check a fact file: problems and warnings.",
    epilog=examples("hohhot validate facts.toml", "hohhot validate --strict", "hohhot --facts my.toml validate"),
)
def validate_command(
    run: Invocation,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The fact file to check (default: --facts, $HOHHOT_FACTS or the bundled base).", show_default=False
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on problems.")] = False,
) -> object:
    """Check a fact file: every problem (exit 1), then warnings for a maintainer (exit 0 unless --strict)."""
    from hohhot_cli.loader import bundled_facts_path

    return queries.validate_file(path or run.facts_path or bundled_facts_path(), strict)


@app.command(
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
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.", show_default=False)],
    export_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="<json|jsonl|csv|sqlite>",
            help="The file's format (default: from the file's extension).",
        ),
    ] = "",
) -> None:
    """Write the whole base, one row per observation with its sources, to a file."""
    from hohhot_cli.export import choose_format, write_export  # sqlite3 and tempfile: export only

    run = invocation(context)
    fmt = choose_format(export_format, output)
    base = run.base()
    if output.exists() and Path(base.path).exists() and output.resolve() == Path(base.path).resolve():
        raise OutputError(f"{output}: is the fact file being read; export to another file")
    rows = write_export(base, fmt, output)
    run.env.error(f"wrote {rows} observations to {output} ({fmt.value})")


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


@app.command(
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
