"""The ``hohhot`` command line: argument parsing only.

Each command parses its arguments, calls one query and returns its result;
:func:`query_command` adds the shared ``--format``/``--json`` options and hands
the result to a renderer. :func:`main` turns every error into one line on
stderr and an exit status, in one place.

No ``from __future__ import annotations`` here: Typer reads the annotations at
run time.
"""

import functools
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from hohhot_cli import __version__
from hohhot_cli.environment import Environment
from hohhot_cli.errors import ExitStatus, FactFileError, HohhotError, OutputError, UsageError
from hohhot_cli.model import FactBase, IndustryKind
from hohhot_cli.render import OutputFormat, Style, render

app = typer.Typer(
    name="hohhot",
    help="Sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    """Per-invocation state, set afresh by ``main`` and by the root callback of every run."""

    env: Environment | None = None
    facts_path: Path | None = None
    use_cache: bool = True
    base: FactBase | None = None


_state = _State()


def get_env() -> Environment:
    """The environment of this invocation (the process's own when the app is run directly)."""
    if _state.env is None:
        _state.env = Environment()
    return _state.env


def get_base() -> FactBase:
    """The fact base for this invocation, loaded once."""
    if _state.base is None:
        import gc

        from hohhot_cli.cache import default_cache_directory, load_facts_cached
        from hohhot_cli.loader import default_facts_path

        env = get_env()
        collecting = gc.isenabled()
        gc.disable()  # a large base is hundreds of thousands of objects and no cycle
        try:
            _state.base = load_facts_cached(
                _state.facts_path or default_facts_path(),
                cache_dir=default_cache_directory({**os.environ, **env.environ}) if _state.use_cache else None,
                warn=lambda message: env.error(f"warning: {message}"),
            )
        finally:
            gc.freeze()  # kept for the whole run: out of the collector's sight
            if collecting:
                gc.enable()
    return _state.base


# -- completion --------------------------------------------------------------


def _completion_base() -> FactBase | None:
    try:
        return get_base()
    except HohhotError:
        return None


def complete_metric(incomplete: str) -> list[str]:
    """Metric ids and topics starting with what was typed."""
    base = _completion_base()
    if base is None:
        return []
    names = sorted({m.id for m in base.metrics} | {m.topic for m in base.metrics})
    return [n for n in names if n.startswith(incomplete)]


def complete_industry(incomplete: str) -> list[str]:
    """Industry ids starting with what was typed."""
    base = _completion_base()
    return [] if base is None else [i.id for i in base.industries if i.id.startswith(incomplete)]


def complete_source(incomplete: str) -> list[str]:
    """Source ids starting with what was typed."""
    base = _completion_base()
    return [] if base is None else [s.id for s in base.sources if s.id.startswith(incomplete)]


def complete_topic(incomplete: str) -> list[str]:
    """Topics starting with what was typed."""
    base = _completion_base()
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


def emit(result: object, output_format: OutputFormat) -> None:
    """Render a result in the chosen format and write it to stdout."""
    env = get_env()
    style = Style(width=env.width, color=env.color, ascii_only=env.ascii_only)
    env.write(render(result, output_format, style, ascii_only=env.ascii_only))


def query_command(name: str, **settings: Any) -> Callable[[F], F]:
    """Register a command that returns a result; add ``--format`` and ``--json`` to it.

    The options are defined once, here, and every query command gets the same
    ones; the command itself only parses its own arguments and runs a query.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(*args: Any, output_format: OutputFormat, as_json: bool, **kwargs: Any) -> None:
            if as_json and output_format not in (OutputFormat.TABLE, OutputFormat.JSON):
                raise UsageError(f"--json contradicts --format {output_format.value}")
            result = function(*args, **kwargs)
            emit(result, OutputFormat.JSON if as_json else output_format)
            if getattr(result, "valid", True) is False:
                raise typer.Exit(ExitStatus.ERROR)

        signature = inspect.signature(function)
        command.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), *_OUTPUT_PARAMETERS]
        )
        app.command(name, **settings)(command)
        return function

    return decorate


# -- commands ------------------------------------------------------------------


@app.callback()
def root(
    context: typer.Context,
    facts: Annotated[
        Path | None,
        typer.Option(
            "--facts",
            envvar="HOHHOT_FACTS",
            help="Use this fact file instead of the bundled one (also $HOHHOT_FACTS).",
            show_envvar=True,
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            envvar="HOHHOT_NO_CACHE",
            help="Parse the fact file afresh and keep no parse cache (also HOHHOT_NO_CACHE=1).",
        ),
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
    _state.facts_path = facts
    _state.use_cache = not no_cache
    _state.base = None
    if version:
        try:
            updated = f"fact base updated {get_base().updated}"
        except HohhotError as error:
            updated = f"fact base unreadable: {error}"
        get_env().write(f"hohhot {__version__} ({updated})\n")
        raise typer.Exit(ExitStatus.OK)
    if context.invoked_subcommand is None:
        from hohhot_cli.queries import overview

        emit(overview(get_base()), OutputFormat.TABLE)


@query_command("overview")
def overview_command() -> object:
    """The city at a glance: province, population, latest GDP, industries."""
    from hohhot_cli.queries import overview

    return overview(get_base())


@query_command("industries")
def industries_command(
    industry: Annotated[
        str | None,
        typer.Argument(
            help="An industry id (or name) for its details.", autocompletion=complete_industry, show_default=False
        ),
    ] = None,
    kind: Annotated[
        IndustryKind | None,
        typer.Option("--kind", "-k", help="Only pillar clusters or only emerging industries.", case_sensitive=False),
    ] = None,
) -> object:
    """The pillar clusters and emerging industries; with an id, one industry in detail."""
    from hohhot_cli import queries

    if industry is not None:
        if kind is not None:
            raise UsageError("--kind lists industries; it does not go with an industry id")
        return queries.industry_detail(get_base(), industry)
    return queries.list_industries(get_base(), kind)


@query_command("metric")
def metric_command(
    query: Annotated[
        list[str],
        typer.Argument(help="Metric ids, topics (gdp) or aliases.", autocompletion=complete_metric, show_default=False),
    ],
    latest: Annotated[bool, typer.Option("--latest", help="Keep only the latest observation of each.")] = False,
) -> object:
    """Metrics by id, topic or alias, each with all its observations."""
    from hohhot_cli.queries import find_metrics

    return find_metrics(get_base(), query, latest=latest)


@query_command("metrics")
def metrics_command(
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="Only metrics of this topic.", autocompletion=complete_topic),
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option("--industry", "-i", help="Only metrics of this industry.", autocompletion=complete_industry),
    ] = None,
) -> object:
    """The index of all metrics with their latest value (JSON: every observation)."""
    from hohhot_cli.queries import list_metrics

    return list_metrics(get_base(), topic, industry)


@query_command("compare")
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
) -> object:
    """Comparison tables: one metric or topic over time, several side by side, or industries."""
    from hohhot_cli import queries

    names = query or []
    if industries:
        return queries.compare_industries(get_base(), names)
    if not names:
        raise UsageError("compare needs a metric id or topic (or --industries)")
    if len(names) == 1:
        return queries.compare_over_time(get_base(), names[0])
    return queries.compare_side_by_side(get_base(), names)


@query_command("search")
def search_command(
    text: Annotated[list[str], typer.Argument(help="Words to look for (English or Chinese).", show_default=False)],
) -> object:
    """Find metrics, industries, companies, facts and sources; best matches first."""
    from hohhot_cli.queries import search

    return search(get_base(), " ".join(text))


@query_command("sources")
def sources_command(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A source id for everything it supports.", autocompletion=complete_source, show_default=False
        ),
    ] = None,
) -> object:
    """The sources with how many facts each supports; with an id, one source in full."""
    from hohhot_cli import queries

    if source is not None:
        return queries.source_detail(get_base(), source)
    return queries.list_sources(get_base())


@query_command("validate")
def validate_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The fact file to check (default: --facts, $HOHHOT_FACTS or the bundled base).", show_default=False
        ),
    ] = None,
) -> object:
    """Check a fact file and report every problem; exit 1 when it is invalid."""
    from hohhot_cli.loader import default_facts_path, load_facts
    from hohhot_cli.queries import ValidationReport

    file = path or _state.facts_path or default_facts_path()
    try:
        return ValidationReport(str(file), (), load_facts(file))
    except FactFileError as error:
        return ValidationReport(str(file), error.problems, None)


@app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.", show_default=False)],
    export_format: Annotated[
        str,
        typer.Option("--format", "-f", help="json, jsonl, csv or sqlite (default: from the file's extension)."),
    ] = "",
) -> None:
    """Write the whole base, one row per observation with its sources, to a file."""
    from hohhot_cli.export import ExportFormat, write_export

    chosen = export_format.lower() or output.suffix.lstrip(".").lower()
    chosen = {"db": "sqlite", "sqlite3": "sqlite", "ndjson": "jsonl"}.get(chosen, chosen)
    try:
        fmt = ExportFormat(chosen)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise UsageError(f"export format {chosen or '(none)'!r} is not one of: {choices}") from None
    base = get_base()
    if output.exists() and Path(base.path).exists() and output.resolve() == Path(base.path).resolve():
        raise OutputError(f"{output}: is the fact file being read; export to another file")
    rows = write_export(base, fmt, output)
    get_env().error(f"wrote {rows} observations to {output} ({fmt.value})")


# -- entry point ---------------------------------------------------------------


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI; return the exit status. Nothing but one-line messages reach stderr."""
    _state.env = environment = env or Environment()
    _state.facts_path = None
    _state.use_cache = True
    _state.base = None
    args = sys.argv[1:] if argv is None else argv
    try:
        command = _click_command()
        result = command.main(args=args, prog_name="hohhot", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitStatus.OK
    except HohhotError as error:
        message = str(error)
        if isinstance(error, FactFileError) and len(error.problems) > 1:
            message += f" (and {len(error.problems) - 1} more: run hohhot validate)"
        environment.error(("usage: " if error.exit_status is ExitStatus.USAGE else "error: ") + message)
        return error.exit_status
    except typer.TyperException as error:  # click's usage errors and bad parameters
        context = getattr(error, "ctx", None)
        command_path = getattr(context, "command_path", "") or "hohhot"
        environment.error(f"usage: {error.format_message()} (try '{command_path} --help')")
        return int(getattr(error, "exit_code", ExitStatus.USAGE))
    except typer.Exit as error:
        return error.exit_code
    except (KeyboardInterrupt, typer.Abort):
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitStatus.OK
    finally:
        _state.env = None
        _state.base = None


@functools.lru_cache(maxsize=1)
def _click_command() -> Any:
    """The click command behind the app, built once per process."""
    return typer.main.get_command(app)


def _silence_stdout() -> None:
    # The reader has gone; point stdout at /dev/null so that the interpreter's
    # final flush does not raise "Exception ignored ... BrokenPipeError".
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """Console-script entry point: run, flush, and leave without tearing the interpreter down.

    After a lookup in a large fact base, the interpreter would spend longer freeing
    every object one by one at exit than the lookup took. Everything that matters
    is done by then: output flushed here, export files closed and renamed.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream
            _silence_stdout()
    os._exit(status)
