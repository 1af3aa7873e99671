"""What each query command does once its arguments are parsed: one query, one result, rendered.

The Typer app (:mod:`hohhot_cli.cli.app`) declares the commands, their arguments and
help, and calls these; so does :mod:`hohhot_cli.cli.direct`, which parses a plain
command line without Typer. Both call :func:`answer` with the same values, so a
command does the same whichever parsed it. Nothing here imports Typer.
"""

from __future__ import annotations

from collections.abc import Callable

from hohhot_cli.cli.invocation import Invocation, given_path, is_stdin
from hohhot_cli.model.errors import ExitStatus, OutputError, UsageError
from hohhot_cli.model.facts import FactBase, IndustryKind
from hohhot_cli.model.value import Value, value
from hohhot_cli.output.render import FIELDS_HELP, OutputFormat, Shape, field_names
from hohhot_cli.query import queries
from hohhot_cli.query.selection import PeriodFilter

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from hohhot_cli.output.cite import CitationStyle
    from hohhot_cli.query.results import MetricsResult, OverTime, SideBySide
    from hohhot_cli.query.search import HitKind

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
    no_pager: bool = False
    """``--no-pager`` after the command name."""
    no_color: bool = False
    """``--no-color`` after the command name."""


def answer(run: Invocation, action: Action, options: OutputOptions, arguments: dict[str, object]) -> int:
    """Run one query command: its own options over the root's, the action, then the result rendered.

    Returns the exit status: 1 when the result says it did not pass (``validate``). With
    ``--fields help`` the result's field names are written instead, one a line.
    """
    run.override(options.facts, options.no_cache)
    run.take_display_options(options.no_pager, options.no_color)
    fields = options.fields
    if fields is not None and fields.strip() == FIELDS_HELP:  # --fields help: the names, one a line
        run.env.write("".join(f"{name}\n" for name in field_names(action(run, **arguments))))
        return ExitStatus.OK
    chosen = run.chosen_format(options.output_format, options.as_json)
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
    refs: bool,
) -> object:
    chosen = selection(period, since, until, kind)
    base = run.base()
    result = queries.find_metrics(base, query, latest=latest, selection=chosen, any_period=any_period)
    shown = _with_refs(result) if refs else result
    return with_citations(run, shown, base) if cite else shown


def _with_refs(result: MetricsResult | OverTime | SideBySide) -> object:
    """The result, its tables showing each figure's ref (``--refs``)."""
    from hohhot_cli.model.value import replace

    return replace(result, refs=True)


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
    refs: bool,
) -> object:
    names = query or []
    chosen = selection(period, since, until, kind)
    if industries:
        if chosen.active or any_period or refs:
            raise UsageError("--industries compares headlines; period options and --refs go with metrics")
        return queries.compare_industries(run.base(), names)
    if not names:
        raise UsageError("compare needs a metric id or topic (or --industries)")
    result: OverTime | SideBySide
    if len(names) == 1:
        result = queries.compare_over_time(run.base(), names[0], selection=chosen)
    else:
        result = queries.compare_side_by_side(run.base(), names, selection=chosen, any_period=any_period)
    return _with_refs(result) if refs else result


def search(run: Invocation, text: list[str], kind: HitKind | None, limit: str | None) -> object:
    from hohhot_cli.query.search import search  # only this command needs it

    return search(run.base(), " ".join(text), kind, _count("--limit", limit))


def _count(option: str, text: str | None) -> int | None:
    """A whole number of at least 1, as typed (ASCII digits only); None when not given."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise UsageError(f"{option}: {text!r} is not a whole number of at least 1")
    return int(text)


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
    if is_stdin(file):  # validate -, or --facts - validate
        from hohhot_cli.cli.environment import STDIN_NAME
        from hohhot_cli.model.errors import FactFileError
        from hohhot_cli.query.results import ValidationReport

        try:
            data = run.env.read_stdin()
        except FactFileError as error:
            return ValidationReport(STDIN_NAME, error.problems, None, strict=strict)
        return queries.validate_file(STDIN_NAME, strict, data)
    return queries.validate_file(file, strict)


def show(run: Invocation, item: str, cite: bool) -> object:
    from hohhot_cli.query.lookup import show

    shown = show(run.base(), item)
    return with_citations(run, shown) if cite else shown


def cite(run: Invocation, items: list[str], style: CitationStyle, chosen: PeriodFilter) -> None:
    """``hohhot cite``: the citations behind what the ids (refs, names) show, each source once, in file order.

    With period options, only the sources of the figures they keep; none kept is an empty
    result (exit 0), said on stderr.
    """
    from hohhot_cli.output.cite import cite
    from hohhot_cli.output.encode import stream_form
    from hohhot_cli.query.lookup import sources_of

    base = run.base()
    wanted = {s.id for item in items for s in sources_of(base, item, chosen)}
    if not wanted:
        run.env.error("no figures found to cite")
        return
    run.env.write(cite([s for s in base.sources if s.id in wanted], style), stream_form(style.value))


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
        raise UsageError("export needs --output FILE (or --format json|jsonl|csv|tsv for stdout)")
    if output is None or output == "-":
        fmt = choose_format(export_format or "json", Path("-"))
        if fmt not in STDOUT_FORMATS:
            raise UsageError(f"{fmt.value} cannot be written to stdout; give --output")
        metadata_target(metadata, fmt, output)
        from hohhot_cli.output.encode import stream_form

        run.env.write(export_text(run.base(), fmt, chosen, csv_raw=run.env.csv_raw), stream_form(fmt.value))
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
