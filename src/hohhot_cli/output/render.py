"""Renderers: a result in, a string out, one per output format.

Only :mod:`hohhot_cli.output.table` imports rich, and only when a table is asked for:
the JSON, JSONL, CSV and Markdown paths stay free of it. Likewise each format
imports only its own view and encoder (in the function that renders it): a
script calling hohhot in a loop pays for one format, not five.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from hohhot_cli.model.errors import UsageError
from hohhot_cli.model.value import Value, value
from hohhot_cli.output.style import Style

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from typing import Any

    from hohhot_cli.output.csv_view import Rows


class OutputFormat(str, Enum):
    """The output formats every query command offers."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"


MACHINE_FORMATS = (OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.CSV, OutputFormat.TSV)
"""The formats ``--fields`` applies to."""

FIELDS_HELP = "help"
"""``--fields help`` lists the fields of a command's result instead of printing it."""


@value
class Shape(Value):
    """What the shared output options ask of a machine format: which fields, and a CSV header or not."""

    fields: tuple[str, ...] = ()
    """Only these fields, in this order (all when empty)."""
    header: bool = True
    """False for ``--no-header``: CSV and TSV rows only."""


def field_names(result: object) -> tuple[str, ...]:
    """The fields of a result, in order: what ``--fields`` may name, in every machine format."""
    from hohhot_cli.output.csv_view import field_rows

    return field_rows(result).header


def _chosen(available: Sequence[str], fields: tuple[str, ...]) -> list[int]:
    """Indexes of the fields asked for; an unknown one is a usage error naming the valid ones."""
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} for --fields; valid fields: {', '.join(available)}")
    return [list(available).index(f) for f in fields]


def _selected(result: object, shape: Shape | None) -> Rows:
    """The result's rows, with only the fields ``shape`` asks for."""
    from hohhot_cli.output.csv_view import Rows, field_rows

    rows = field_rows(result)
    if shape is None or not shape.fields:
        return rows
    keep = _chosen(rows.header, shape.fields)
    return Rows(tuple(rows.header[i] for i in keep), [tuple(row[i] for i in keep) for row in rows.rows], rows.single)


def _json_data(result: object, shape: Shape | None) -> Any:
    """The JSON records; with ``--fields``, the result's rows as objects of those fields (keys as named)."""
    if shape is None or not shape.fields:
        from hohhot_cli.output.json_view import records

        return records(result)
    rows = _selected(result, shape)
    objects = [dict(zip(rows.header, row, strict=True)) for row in rows.rows]
    return objects[0] if rows.single and len(objects) == 1 else objects


def render_json(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.encode import to_json

    return to_json(_json_data(result, shape), style.ascii_only) + "\n"


def render_jsonl(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.encode import json_lines

    data = _json_data(result, shape)
    return json_lines(data if isinstance(data, list) else [data], style.ascii_only)


def render_csv(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.csv_view import cell
    from hohhot_cli.output.encode import csv_text

    rows = _selected(result, shape)
    text = csv_text(rows.header, [tuple(cell(v) for v in row) for row in rows.rows], raw=style.csv_raw)
    return text.split("\r\n", 1)[1] if shape is not None and not shape.header else text


def render_tsv(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.csv_view import tsv_text

    rows = _selected(result, shape)
    return tsv_text(rows.header, rows.rows, raw=style.csv_raw, with_header=shape is None or shape.header)


def render_markdown(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.markdown import markdown_sections
    from hohhot_cli.output.table_view import markdown_view

    return markdown_sections(markdown_view(result))


def render_table(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.table import table_sections  # rich is imported here, and only here
    from hohhot_cli.output.table_view import sections

    return table_sections(sections(result), style)


_RENDERERS = {
    OutputFormat.TABLE: render_table,
    OutputFormat.JSON: render_json,
    OutputFormat.JSONL: render_jsonl,
    OutputFormat.CSV: render_csv,
    OutputFormat.TSV: render_tsv,
    OutputFormat.MARKDOWN: render_markdown,
}


def render(result: object, output_format: OutputFormat, style: Style, shape: Shape | None = None) -> str:
    """Render a query result in one of the output formats."""
    if output_format not in MACHINE_FORMATS and shape is not None and shape != Shape():
        raise UsageError("--fields and --no-header go with --format json, jsonl, csv or tsv")
    return _RENDERERS[output_format](result, style, shape)
