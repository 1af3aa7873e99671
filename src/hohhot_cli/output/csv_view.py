"""The rows of every result, for CSV, TSV and ``--fields``, and the observation row shared with ``export``.

Rows hold raw values (base units, ids, ISO dates, lists as lists). A result with
observations gets one row per observation, built by :func:`observation_fields`, the
one place that flattens an observation with its provenance; other results are their
JSON records flattened: a nested record's fields named by their dotted path
(``latest.value``), a list of source records by its ids (``source_ids``), other lists
of records left out. The names of a result's fields are the same in every machine
format: CSV and TSV columns, and the keys ``--fields`` keeps in JSON and JSONL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hohhot_cli.model.value import Value
from hohhot_cli.model.value import value as value_class
from hohhot_cli.output.json_view import compared_fields, period_fields, records
from hohhot_cli.query.results import (
    Cited,
    Figure,
    FigureDetail,
    IndustryDetail,
    MetricsResult,
    OverTime,
    SideBySide,
    SourceDetail,
    ValidationReport,
    WithCitations,
)

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from typing import Any, TypeAlias

CsvTable: TypeAlias = "tuple[tuple[str, ...], list[tuple[Any, ...]]]"  # a string: typing is not imported at run time
"""A header and rows of raw values (lists unjoined)."""

LIST_SEPARATOR = " | "
"""Joins a list in one cell of every CSV, commands and export alike (no text of the base holds it)."""

EXPORT_COLUMNS = (
    "metric",
    "label",
    "topic",
    "unit",
    "measure",
    "industry",
    "ref",
    "period",
    "period_start",
    "period_end",
    "period_kind",
    "as_of",
    "value",
    "exactness",
    "status",
    "status_basis",
    "note",
    "converted_value",
    "converted_unit",
    "converted_note",
    "source_ids",
    "source_publishers",
    "source_titles",
    "source_dates",
    "source_urls",
    "source_undated",
    "added",
)
"""Every field of an observation row, in order: the columns of an export and of every CSV of observations."""

LIST_COLUMNS = frozenset({"source_ids", "source_publishers", "source_titles", "source_dates", "source_urls"})
"""The columns of an observation row that hold lists (arrays in JSON, joined in CSV)."""


def observation_fields(figure: Figure, cited: Cited) -> dict[str, Any]:
    """An observation flattened with its metric and sources: :data:`EXPORT_COLUMNS`, lists unjoined."""
    metric, observation = figure.metric, figure.observation
    sources = [cited[ref] for ref in observation.sources]
    conversion = observation.conversion
    return {
        "metric": metric.id,
        "label": metric.label,
        "topic": metric.topic,
        "unit": metric.unit.value,
        "measure": metric.measure.value,
        "industry": metric.industry,
        "ref": observation.ref,
        "period": observation.period,
        **period_fields(observation.period, observation.as_of),
        "as_of": observation.as_of,
        "value": observation.value,
        "exactness": observation.exactness.value,
        "status": observation.status.value,
        "status_basis": observation.status_basis or None,
        "note": observation.note,
        "converted_value": conversion.value if conversion else None,
        "converted_unit": conversion.unit.value if conversion else None,
        "converted_note": conversion.note if conversion else None,
        "source_ids": [s.id for s in sources],
        "source_publishers": [s.publisher for s in sources],
        "source_titles": [s.title for s in sources],
        "source_dates": [s.date for s in sources],
        "source_urls": [s.url for s in sources],
        "source_undated": bool(sources) and all(s.undated for s in sources),
        "added": observation.added,
    }


def cell(value: object) -> Any:
    """A raw value as a CSV cell: None empty, a list joined by :data:`LIST_SEPARATOR`, a boolean true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    return value


def _observation_row(figure: Figure, cited: Cited) -> tuple[Any, ...]:
    fields = observation_fields(figure, cited)
    return tuple(fields[name] for name in EXPORT_COLUMNS)


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record's scalar and list fields; a nested record's as ``key.field``; source records as their ids."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif key == "sources" and isinstance(value, list):
            flat.setdefault(f"{prefix}source_ids", [v["id"] for v in value])
        elif not (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
            flat[prefix + key] = value
    return flat


def generic_rows(result: object) -> CsvTable:
    """A result's JSON records as rows: the header from its schema, nested records flattened."""
    from hohhot_cli.output.schemas import csv_fields

    data = records(result)
    rows = [_flatten(r) for r in (data if isinstance(data, list) else [data])]
    header = csv_fields(result)
    return header, [tuple(row.get(key) for key in header) for row in rows]


def metrics_rows(result: MetricsResult | IndustryDetail) -> CsvTable:
    """``metric`` and ``industries ID``: one row per observation; the ``metrics`` index: one row per metric."""
    if isinstance(result, MetricsResult) and result.index:
        return generic_rows(result)
    figures = (Figure(m, o) for m in result.metrics for o in m.observations)
    return EXPORT_COLUMNS, [_observation_row(f, result.cited) for f in figures]


def source_detail_rows(result: SourceDetail) -> CsvTable:
    """``sources ID``: the observations it supports."""
    return EXPORT_COLUMNS, [_observation_row(f, result.cited) for f in result.figures]


_METRIC_COLUMNS = ("metric", "label", "topic", "unit", "measure", "industry")


def side_by_side_rows(result: SideBySide) -> CsvTable:
    """``compare ID ID ...``: one row per metric; a metric without a figure for the period has its own columns only."""
    header = (*EXPORT_COLUMNS, "compared_period", "compared_as_of", "share_of_max")
    compared = compared_fields(result.compared)
    rows = []
    for row in result.rows:
        figure = row.figure
        if figure is not None:
            cells = _observation_row(figure, result.cited)
        else:
            metric = row.metric
            known = (metric.id, metric.label, metric.topic, metric.unit.value, metric.measure.value, metric.industry)
            cells = known + (None,) * (len(EXPORT_COLUMNS) - len(_METRIC_COLUMNS))
        rows.append((*cells, compared["compared_period"], compared["compared_as_of"], row.share_of_max))
    return header, rows


CHANGE_COLUMNS = ("previous_period", "change.value", "change.percent", "change.approximate", "change.computed")
"""The computed change of ``compare ID``, named as in its JSON (``change`` is an object there)."""

REPORTED_COLUMNS = ("reported_rate.metric", "reported_rate.ref", "reported_rate.value")
"""The growth rate the source reports for the same period, named as in its JSON."""


def over_time_rows(result: OverTime) -> CsvTable:
    """``compare ID``: observations with the computed changes (``change.computed`` true where one is given)."""
    header = (*EXPORT_COLUMNS, *CHANGE_COLUMNS, "change_refused", *REPORTED_COLUMNS)
    rows = []
    for s in result.series:
        for p in s.points:
            computed = p.change is not None
            reported = p.reported
            rows.append(
                (
                    *_observation_row(Figure(s.metric, p.observation), result.cited),
                    p.previous_period,
                    p.change,
                    p.change_percent,
                    p.approximate if computed else None,
                    True if computed else None,
                    p.refused,
                    None if reported is None else reported.metric.id,
                    None if reported is None else reported.observation.ref,
                    None if reported is None else reported.observation.value,
                )
            )
    return header, rows


def validation_rows(result: ValidationReport) -> CsvTable:
    """``validate``: one row per problem."""
    header = ("file", "line", "place", "message", "severity")
    rows = [(p.file, p.line, p.place, p.message, "error") for p in result.problems]
    rows += [(p.file, p.line, p.place, p.message, "warning") for p in result.warnings]
    return header, rows


ROWS: dict[type, Callable[[Any], CsvTable]] = {
    MetricsResult: metrics_rows,
    IndustryDetail: metrics_rows,
    SourceDetail: source_detail_rows,
    SideBySide: side_by_side_rows,
    OverTime: over_time_rows,
    ValidationReport: validation_rows,
}
"""The row function of each result type that has a shape of its own."""


@value_class
class Rows(Value):
    """A result's rows: what CSV and TSV write and what ``--fields`` selects from in every format."""

    header: tuple[str, ...]
    """The field names, in order."""
    rows: list[tuple[Any, ...]]
    """Raw values: lists as lists, None for nothing."""
    single: bool = False
    """True for a view that is one JSON record (the overview, ``show FACT``): one object, not a list."""

    @property
    def table(self) -> CsvTable:
        return self.header, self.rows


ROWS[FigureDetail] = lambda result: (EXPORT_COLUMNS, [_observation_row(result.figure, result.cited)])  # show REF


def field_rows(result: object) -> Rows:
    """The rows of a result, raw: one per observation where it shows observations, else one per record."""
    if isinstance(result, WithCitations):
        return field_rows(result.result)  # the rows carry their sources already
    rows = ROWS.get(type(result))
    if rows is not None:
        return Rows(*rows(result))
    header, values = generic_rows(result)
    return Rows(header, values, isinstance(records(result), dict))


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_cell(value: object) -> str:
    r"""A cell of TSV: a CSV cell as text; backslash, tab and line breaks escaped (``\\``, ``\t``, ``\n``, ``\r``)."""
    text = cell(value)
    return (text if isinstance(text, str) else str(text)).translate(_TSV_ESCAPES)


def tsv_text(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False, with_header: bool = True
) -> str:
    """Tab-separated values for shell loops: LF line ends, one line a row, cells escaped by :func:`tsv_cell`.

    Unless ``raw``, text cells are then made safe as in CSV (other controls escaped, formulas
    prefixed): the TSV escapes come first, so a tab is ``\t``, never ``\u0009``.
    """
    from hohhot_cli.output.encode import neutralise

    lines = ["\t".join(tsv_cell(name) for name in header)] if with_header else []
    for row in rows:
        cells = [tsv_cell(v) for v in row]
        lines.append("\t".join(cells if raw else [neutralise(c) for c in cells]))
    return "".join(line + "\n" for line in lines)
