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


class OutputFormat(str, Enum):
    """The output formats every query command offers."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"


MACHINE_FORMATS = (OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.CSV)
"""The formats ``--fields`` applies to."""


@value
class Shape(Value):
    """What the shared output options ask of a machine format: which fields, and a CSV header or not."""

    fields: tuple[str, ...] = ()
    """Only these fields, in this order (all when empty)."""
    header: bool = True
    """False for ``--no-header``: CSV rows only."""


def _chosen(available: Sequence[str], fields: tuple[str, ...]) -> list[int]:
    """Indexes of the fields asked for; an unknown one is a usage error naming the valid ones."""
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} for --fields; valid fields: {', '.join(available)}")
    return [list(available).index(f) for f in fields]


def _json_data(result: object, shape: Shape | None) -> Any:
    from hohhot_cli.output.json_view import records

    data = records(result)
    if shape is None or not shape.fields:
        return data
    from hohhot_cli.output.schemas import record_fields

    _chosen(record_fields(result), shape.fields)
    if isinstance(data, list):
        return [{f: row.get(f) for f in shape.fields} for row in data]
    return {f: data.get(f) for f in shape.fields}


def render_json(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.encode import to_json

    return to_json(_json_data(result, shape), style.ascii_only) + "\n"


def render_jsonl(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.encode import json_lines

    data = _json_data(result, shape)
    return json_lines(data if isinstance(data, list) else [data], style.ascii_only)


def render_csv(result: object, style: Style, shape: Shape | None = None) -> str:
    from hohhot_cli.output.csv_view import csv_rows
    from hohhot_cli.output.encode import csv_text

    header, rows = csv_rows(result)
    if shape is not None and shape.fields:
        keep = _chosen(header, shape.fields)
        header, rows = tuple(header[i] for i in keep), [tuple(row[i] for i in keep) for row in rows]
    text = csv_text(header, rows, raw=style.csv_raw)
    return text.split("\r\n", 1)[1] if shape is not None and not shape.header else text


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
    OutputFormat.MARKDOWN: render_markdown,
}


def render(result: object, output_format: OutputFormat, style: Style, shape: Shape | None = None) -> str:
    """Render a query result in one of the output formats."""
    if output_format not in MACHINE_FORMATS and shape is not None and shape != Shape():
        raise UsageError("--fields and --no-header go with --format json, jsonl or csv")
    return _RENDERERS[output_format](result, style, shape)
