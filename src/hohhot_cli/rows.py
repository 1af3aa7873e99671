"""The CSV view of every result, and the observation row shared with ``export``.

Rows hold raw values (base units, ids, ISO dates). A result with observations
gets one row per observation, built by :func:`observation_fields`, the one
place that flattens an observation with its provenance; other results are
their JSON records with nested values left out and lists joined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hohhot_cli.records import records
from hohhot_cli.results import (
    Cited,
    Figure,
    IndustryComparison,
    IndustryDetail,
    MetricsResult,
    OverTime,
    Overview,
    SideBySide,
    SourceDetail,
    ValidationReport,
)
from hohhot_cli.sections import WithCitations

CsvTable = tuple[tuple[str, ...], list[tuple[Any, ...]]]
"""A header and rows of raw values."""

LIST_SEPARATOR = ";"
"""Joins a list in one cell of a command's CSV."""

EXPORT_SEPARATOR = " | "
"""Joins a list in one cell of an export (several sources' fields, authors)."""

EXPORT_COLUMNS = (
    "metric",
    "label",
    "topic",
    "unit",
    "industry",
    "period",
    "as_of",
    "value",
    "exactness",
    "status",
    "note",
    "converted_value",
    "converted_unit",
    "converted_note",
    "source_ids",
    "source_publishers",
    "source_titles",
    "source_dates",
    "source_urls",
)
"""Every field of an observation row, in order: the columns of an export."""

OBSERVATION_COLUMNS = (
    ("metric", "metric"),
    ("label", "label"),
    ("unit", "unit"),
    ("period", "period"),
    ("as_of", "as_of"),
    ("value", "value"),
    ("exactness", "exactness"),
    ("status", "status"),
    ("sources", "source_ids"),
    ("note", "note"),
    ("converted_value", "converted_value"),
    ("converted_unit", "converted_unit"),
)
"""(header, field) of the columns of a command's CSV made of observations."""


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
        "industry": metric.industry,
        "period": observation.period,
        "as_of": observation.as_of,
        "value": observation.value,
        "exactness": observation.exactness.value,
        "status": observation.status.value,
        "note": observation.note,
        "converted_value": conversion.value if conversion else None,
        "converted_unit": conversion.unit.value if conversion else None,
        "converted_note": conversion.note if conversion else None,
        "source_ids": [s.id for s in sources],
        "source_publishers": [s.publisher for s in sources],
        "source_titles": [s.title for s in sources],
        "source_dates": [s.date for s in sources],
        "source_urls": [s.url or "" for s in sources],
    }


def cell(value: object, separator: str = LIST_SEPARATOR) -> Any:
    """A raw value as a CSV cell: None empty, a list joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(str(v) for v in value)
    return value


def _observation_rows(figures: Iterable[Figure], cited: Cited) -> list[tuple[Any, ...]]:
    return [_observation_row(f, cited) for f in figures]


def _observation_row(figure: Figure, cited: Cited) -> tuple[Any, ...]:
    fields = observation_fields(figure, cited)
    return tuple(cell(fields[name]) for _, name in OBSERVATION_COLUMNS)


_OBSERVATION_HEADER = tuple(header for header, _ in OBSERVATION_COLUMNS)


def generic_rows(result: object) -> CsvTable:
    """A result's JSON records as rows: nested values left out, lists joined."""
    data = records(result)
    rows = data if isinstance(data, list) else [data]
    header: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in header and not _nested(value):
                header.append(key)
    return tuple(header), [tuple(cell(row.get(key)) for key in header) for row in rows]


def _nested(value: object) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


def metrics_rows(result: MetricsResult | IndustryDetail) -> CsvTable:
    """``metric``, ``metrics`` and ``industries ID``: one row per observation."""
    figures = (Figure(m, o) for m in result.metrics for o in m.observations)
    return _OBSERVATION_HEADER, _observation_rows(figures, result.cited)


def source_detail_rows(result: SourceDetail) -> CsvTable:
    """``sources ID``: the observations it supports."""
    return _OBSERVATION_HEADER, _observation_rows(result.figures, result.cited)


def side_by_side_rows(result: SideBySide) -> CsvTable:
    """``compare ID ID ...``."""
    header = (*_OBSERVATION_HEADER, "share_of_max")
    rows = [(*_observation_row(r.figure, result.cited), cell(r.share_of_max)) for r in result.rows]
    return header, rows


def over_time_rows(result: OverTime) -> CsvTable:
    """``compare ID``: observations with the computed changes."""
    header = (*_OBSERVATION_HEADER, "previous_period", "change", "change_percent", "change_remark")
    rows = [
        (
            *_observation_row(Figure(s.metric, p.observation), result.cited),
            cell(p.previous_period),
            cell(p.change),
            cell(p.change_percent),
            p.remark,
        )
        for s in result.series
        for p in s.points
    ]
    return header, rows


def industry_comparison_rows(result: IndustryComparison) -> CsvTable:
    """``compare --industries``: the headline flattened into columns."""
    header = (
        "id",
        "name",
        "name_zh",
        "kind",
        "metrics",
        "companies",
        "headline_metric",
        "headline_value",
        "headline_unit",
        "headline_period",
        "headline_as_of",
        "headline_exactness",
        "headline_status",
    )
    rows = []
    for row in result.rows:
        industry = row.industry
        head: tuple[Any, ...] = ("",) * 7
        if row.headline is not None:
            metric, observation = row.headline.metric, row.headline.observation
            head = (
                metric.id,
                observation.value,
                metric.unit.value,
                observation.period or "",
                observation.as_of or "",
                observation.exactness.value,
                observation.status.value,
            )
        companies = LIST_SEPARATOR.join(c.id for c in row.companies)
        rows.append(
            (industry.id, industry.name, industry.name_zh, industry.kind.value, len(row.metric_ids), companies, *head)
        )
    return header, rows


def overview_rows(result: Overview) -> CsvTable:
    """The bare ``hohhot``: one row of raw values, like every other CSV."""
    city = result.city
    header = ["name", "name_zh", "province", "province_zh"]
    row: list[Any] = [city.name, city.name_zh, city.province, city.province_zh]
    for prefix, figure in (("population", result.population), ("gdp", result.gdp)):
        header += [prefix, *(f"{prefix}_{part}" for part in ("unit", "period", "exactness", "status", "sources"))]
        if figure is None:
            row += [""] * 6
        else:
            observation = figure.observation
            row += [
                observation.value,
                figure.metric.unit.value,
                observation.dated,
                observation.exactness.value,
                observation.status.value,
                LIST_SEPARATOR.join(observation.sources),
            ]
    header += ["pillar_industries", "future_industries", "updated"]
    row += [
        LIST_SEPARATOR.join(i.id for i in result.pillars),
        LIST_SEPARATOR.join(i.id for i in result.future),
        result.updated,
    ]
    return tuple(header), [tuple(row)]


def validation_rows(result: ValidationReport) -> CsvTable:
    """``validate``: one row per problem."""
    header = ("file", "line", "place", "message", "severity")
    rows = [(p.file, cell(p.line), p.place, p.message, "error") for p in result.problems]
    rows += [(p.file, cell(p.line), p.place, p.message, "warning") for p in result.warnings]
    return header, rows


ROWS: dict[type, Callable[[Any], CsvTable]] = {
    MetricsResult: metrics_rows,
    IndustryDetail: metrics_rows,
    SourceDetail: source_detail_rows,
    SideBySide: side_by_side_rows,
    OverTime: over_time_rows,
    IndustryComparison: industry_comparison_rows,
    Overview: overview_rows,
    ValidationReport: validation_rows,
}
"""The row function of each result type that has a shape of its own."""


def _with_citations_rows(view: WithCitations) -> CsvTable:
    return csv_rows(view.result)  # the rows carry their sources already


ROWS[WithCitations] = _with_citations_rows


def csv_rows(result: object) -> CsvTable:
    """The CSV view: a header and rows of raw values, lists joined by ``;``."""
    return ROWS.get(type(result), generic_rows)(result)
