"""What each query command does once its arguments are parsed: one query, one result, rendered.

The Typer app (:mod:`hohhot_cli.cli.app`) declares the commands, their arguments and
help, and calls these; so does :mod:`hohhot_cli.cli.direct`, which parses a plain
command line without Typer. Both call :func:`answer` with the same values, so a
command does the same whichever parsed it. Nothing here imports Typer.
"""

from __future__ import annotations

from collections.abc import Callable

from hohhot_cli.cli.invocation import Invocation, given_path
from hohhot_cli.model.errors import ExitStatus, OutputError, UsageError
from hohhot_cli.model.facts import FactBase, IndustryKind
from hohhot_cli.model.value import Value, value
from hohhot_cli.output.render import OutputFormat, Shape
from hohhot_cli.query import queries
from hohhot_cli.query.selection import PeriodFilter

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    pass

Action = Callable[..., object]
"""A query command's body: the invocation first, then the command's own arguments by name; returns a result."""


@value
class OutputOptions(Value):
    """The options every query command shares (see ``cli.query_command``)."""

    output_format: OutputFormat | None = None
    """``--format`` after the command name."""
    as_json: bool = False
    """``--json`` after the command name."""
    fields: str | None = None
    """``--fields``: a comma-separated list, as given."""
    no_header: bool = False
    """``--no-header``."""
    facts: str | None = None
    """``--facts`` after the command name."""
    no_cache: bool = False
    """``--no-cache`` after the command name."""


def answer(run: Invocation, action: Action, options: OutputOptions, arguments: dict[str, object]) -> int:
    """Run one query command: its own options over the root's, the action, then the result rendered.

    Returns the exit status: 1 when the result says it did not pass (``validate``).
    """
    run.override(options.facts, options.no_cache)
    chosen = run.chosen_format(options.output_format, options.as_json)
    fields = options.fields
    shape = Shape(tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else (), not options.no_header)
    result = action(run, **arguments)
    run.emit(result, chosen, shape)
    return ExitStatus.ERROR if getattr(result, "passes", True) is False else ExitStatus.OK


def selection(period: str | None, since: str | None, until: str | None, kind: str | None) -> PeriodFilter:
    """The period filter the options ask for."""
    return PeriodFilter.parse(period, since, until, kind)


def with_citations(run: Invocation, result: object, base: FactBase | None = None) -> object:
    """A result with a Sources section of full citations (``--cite``), from ``base`` or the whole base."""
    from hohhot_cli.query.lookup import cited_sources
    from hohhot_cli.query.results import WithCitations

    return WithCitations(result, cited_sources(base or run.base(), result))


# -- the query commands, by name ---------------------------------------------------


def overview(run: Invocation) -> object:
    return queries.overview(run.base())


def industries(
    run: Invocation, industry: str | None, kind: IndustryKind | None, cite: bool, show_all: bool = False
) -> object:
    if industry is not None:
        if kind is not None:
            raise UsageError("--kind lists industries; it does not go with an industry id")
        detail = queries.industry_detail(run.base(), industry, full=show_all)
        return with_citations(run, detail) if cite else detail
    if show_all:
        raise UsageError("--all shows one industry in full; give its id")
    result = queries.list_industries(run.base(), kind)
    return with_citations(run, result) if cite else result


def metric(
    run: Invocation,
    query: list[str],
    latest: bool,
    any_period: bool,
    period: str | None,
    since: str | None,
    until: str | None,
    kind: str | None,
    cite: bool,
) -> object:
    chosen = selection(period, since, until, kind)
    base = run.base()
    result = queries.find_metrics(base, query, latest=latest, selection=chosen, any_period=any_period)
    return with_citations(run, result, base) if cite else result


def metrics(
    run: Invocation,
    topic: str | None,
    industry: str | None,
    any_period: bool,
    period: str | None,
    since: str | None,
    until: str | None,
    kind: str | None,
) -> object:
    chosen = selection(period, since, until, kind)
    return queries.list_metrics(run.base(), topic, industry, selection=chosen, any_period=any_period)


def compare(
    run: Invocation,
    query: list[str] | None,
    industries: bool,
    any_period: bool,
    period: str | None,
    since: str | None,
    until: str | None,
    kind: str | None,
) -> object:
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


def search(run: Invocation, text: list[str]) -> object:
    from hohhot_cli.query.search import search  # only this command needs it

    return search(run.base(), " ".join(text))


def sources(run: Invocation, source: str | None, cite: bool) -> object:
    if source is not None:
        detail = queries.source_detail(run.base(), source)
        return with_citations(run, detail) if cite else detail
    result = queries.list_sources(run.base())
    return with_citations(run, result) if cite else result


def changes(run: Invocation, since: str | None, until: str | None) -> object:
    from hohhot_cli.query.changes_log import changes  # only this command needs it

    return changes(run.base(), since, until)


def validate(run: Invocation, path: str | None, strict: bool) -> object:
    from hohhot_cli.load.loader import bundled_facts_path

    file = given_path(path, "validate") or run.facts_path or bundled_facts_path()
    return queries.validate_file(file, strict)


def show(run: Invocation, item: str, cite: bool) -> object:
    from hohhot_cli.query.lookup import show

    shown = show(run.base(), item)
    return with_citations(run, shown) if cite else shown


def export(
    run: Invocation, output: str | None, export_format: str, chosen: PeriodFilter, metadata: str | None = None
) -> None:
    """``hohhot export``: the whole base to a file (said on stderr) or, in a text format, to stdout."""
    # sqlite3 and tempfile: export only
    from pathlib import Path

    from hohhot_cli.export.files import (
        STDOUT_FORMATS,
        ExportFormat,
        choose_format,
        export_target,
        export_text,
        metadata_target,
        write_export,
    )

    if not export_format and (run.as_json or run.output_format is not None):  # hohhot --json export -o -
        export_format = "json" if run.as_json else run.chosen_format(None, False).value
    if output is None and not export_format:
        raise UsageError("export needs --output FILE (or --format json|jsonl|csv for stdout)")
    if output is None or output == "-":
        fmt = choose_format(export_format or "json", Path("-"))
        if fmt not in STDOUT_FORMATS:
            raise UsageError(f"{fmt.value} cannot be written to stdout; give --output")
        metadata_target(metadata, fmt, output)
        run.env.write(export_text(run.base(), fmt, chosen, csv_raw=run.env.csv_raw))
        return
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
