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

from typing import Annotated, Any

import typer

from hohhot_cli import __version__
from hohhot_cli.cli import actions
from hohhot_cli.cli.actions import selection
from hohhot_cli.cli.completion import (
    complete_any_id,
    complete_industry,
    complete_metric,
    complete_source,
    complete_topic,
)
from hohhot_cli.cli.registry import (
    AnyPeriodOption,
    FactsOption,
    FormatOption,
    JsonOption,
    KindOption,
    NoCacheOption,
    NoColorOption,
    NoPagerOption,
    PeriodOption,
    SinceOption,
    UntilOption,
    _cite_option,
    app,
    choices,
    commands,
    examples,
    invocation,
    query_command,
    refuse_format,
)
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import IndustryKind
from hohhot_cli.output.cite import CitationStyle
from hohhot_cli.query import queries
from hohhot_cli.query.search import HitKind

__all__ = ["app", "commands", "root"]
"""The app, with every command of this module registered on it."""


def _refs_option() -> Any:
    return typer.Option("--refs", help="Show each figure's ref (gdp.total@2023), what show and cite take.")


# -- commands ------------------------------------------------------------------


@app.callback()
def root(
    context: typer.Context,
    facts: FactsOption = None,
    no_cache: NoCacheOption = False,
    output_format: FormatOption = None,
    as_json: JsonOption = False,
    no_pager: NoPagerOption = False,
    no_color: NoColorOption = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Show the version."),
    ] = False,
) -> None:
    """Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.

    Run without a command for an overview of the city.
    """
    run = invocation(context)
    # With a query command, this is all the root does: hohhot_cli.cli.direct calls take_root_options
    # alone, so anything more for a query command belongs in take_root_options.
    run.take_root_options(facts, no_cache, output_format, as_json, no_pager, no_color)
    refuse_format(context.invoked_subcommand, output_format, as_json)
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
    epilog=examples("hohhot industries --kind future", "hohhot industries dairy", "hohhot industries dairy --all"),
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
    show_all: Annotated[
        bool,
        typer.Option("--all", help="With an id: every figure, company, fact and source, not the summary."),
    ] = False,
) -> None:
    """The pillar clusters and future industries; with an id, one industry: its summary, or all of it (--all)."""


@query_command(
    "metric",
    actions.metric,
    short_help="Metrics by id, topic, alias or label, with every figure.",
    epilog=examples(
        "hohhot metric gdp.total --refs",
        "hohhot metric 常住人口 --latest",
        'hohhot metric gdp --json | jq ".[0].observations"',
    ),
)
def metric_command(
    query: Annotated[
        list[str],
        typer.Argument(
            help="Metric ids, topics (gdp), aliases or labels (常住人口).",
            autocompletion=complete_metric,
            show_default=False,
        ),
    ],
    latest: Annotated[bool, typer.Option("--latest", help="Keep only the latest observation of each.")] = False,
    any_period: AnyPeriodOption = False,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
    cite: Annotated[bool, _cite_option()] = False,
    refs: Annotated[bool, _refs_option()] = False,
) -> None:
    """Metrics by id, topic, alias or label, each with all its observations."""


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
    refs: Annotated[bool, _refs_option()] = False,
) -> None:
    """Comparison tables: one metric or topic over time, several side by side, or industries."""


@query_command(
    "search",
    actions.search,
    short_help="Find metrics, figures, industries, companies, facts, sources.",
    epilog=examples(
        "hohhot search GDP 2023            # the figures of 2023 first",
        "hohhot search 乳都 --kind fact --limit 3",
        "hohhot show titles.dairy_capital   # open a hit",
    ),
)
def search_command(
    text: Annotated[
        list[str],
        typer.Argument(
            help="Words to look for (English or Chinese); a period (2023, 2024-H1) asks for figures; a ref finds one.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        HitKind | None,
        typer.Option("--kind", "-k", help="Only hits of this kind.", case_sensitive=False),
    ] = None,
    limit: Annotated[
        str | None,  # not int: the direct path takes text, and the action checks it
        typer.Option("--limit", "-n", metavar="N", help="At most N hits, the best.", show_default=False),
    ] = None,
) -> None:
    """Find metrics, figures, industries, companies, facts and sources; best matches first.

    Hits are ranked by where the words matched (ids and labels, then aliases, tags,
    descriptions, notes), then by how central the entry is (industries, their headline
    metrics and the overview's first; then figures, metrics, industries, facts,
    companies, sources; fewer dots in the id; more figures), then by id. A metric
    shows its latest figure.
    """


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


@query_command(
    "changes",
    actions.changes,
    short_help="What is new: figures and facts added, revised or superseded.",
    epilog=examples(
        "hohhot changes",
        "hohhot changes --since 2026-11-01 --json",
        "hohhot changes --since 2026-11 --until 2026-11 --format csv",
    ),
)
def changes_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="From this day on (2026-11-01; a month or year from its first day). Default: the base's updated date.",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="Up to this day (a month or year: to its last day).", show_default=False
        ),
    ] = None,
) -> None:
    """What is new in the fact base: the figures and facts it took in between two days, newest first.

    A new figure that supersedes an earlier one of the same period is a revision, and the
    earlier one is listed as superseded. By default, since the base's last update (its
    updated date, the date of the latest release in CHANGELOG.md).
    """


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
            metavar="<json|jsonl|csv|tsv|sqlite|datapackage>",
            help="The file's format (default: from the file's extension).",
            autocompletion=choices("json", "jsonl", "csv", "tsv", "sqlite", "datapackage"),
        ),
    ] = "",
    metadata: MetadataOption = None,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    kind: KindOption = None,
    facts: FactsOption = None,
    no_cache: NoCacheOption = False,
    no_pager: NoPagerOption = False,
    no_color: NoColorOption = False,
) -> None:
    """Write the whole base, one row per observation with its sources, to a file or stdout."""
    run = invocation(context)
    run.override(facts, no_cache)
    run.take_display_options(no_pager, no_color)
    actions.export(run, output, export_format, selection(period, since, until, kind), metadata)


# -- opening any id, citations ---------------------------------------------------


@query_command(
    "show",
    actions.show,
    short_help="Open any id: metric, figure, industry, source, fact, company.",
    epilog=examples(
        "hohhot show gdp.total@2023         # one figure, by its ref",
        "hohhot show 乳业 --cite",
        "hohhot show titles.dairy_capital --json",
    ),
)
def show_command(
    item: Annotated[
        str,
        typer.Argument(
            help="A metric, industry, source, fact or company id, a figure's ref (gdp.total@2023) or a name.",
            autocompletion=complete_any_id,
            show_default=False,
        ),
    ],
    cite: Annotated[bool, _cite_option()] = False,
) -> None:
    """Open any id in full: a metric, a figure (by its ref), an industry, a source, a fact or a company.

    A name works as an id where it names one thing exactly: a metric's alias or label in
    either language, an industry's or a company's name, a fact's label.
    """


@commands.command(
    "cite",
    short_help="Citations for reference managers and pandoc.",
    epilog=examples(
        "hohhot cite gdp.total@2023 --style bibtex   # one figure's sources",
        "hohhot cite dairy.revenue --period 2023",
        "hohhot cite gdp --style csl-json > refs.json && pandoc --citeproc --bibliography refs.json report.md",
    ),
)
def cite_command(
    context: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(
            help="Figure refs (gdp.total@2023), metric ids or topics, industry, source, fact or company ids, names.",
            autocompletion=complete_any_id,
            show_default=False,
        ),
    ],
    style: Annotated[
        CitationStyle,
        typer.Option("--style", "-s", help="The form of the citations.", case_sensitive=False),
    ] = CitationStyle.TEXT,
    period: PeriodOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Print the citations behind what ids show, for a reference manager, pandoc or a report.

    A ref cites one figure's sources; --period, --since and --until keep the figures of
    the metrics (and refs) named that they select, and cite only theirs.
    """
    run = invocation(context)
    actions.cite(run, items, style, selection(period, since, until, None))


# The commands about the tool itself, registered on the same app.
from hohhot_cli.cli import meta_commands  # noqa: E402, F401 - registers schema and completion
