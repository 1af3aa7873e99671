"""Renderers: a result in, a string out, one per output format.

Only :mod:`hohhot_cli.table` imports rich, and only when a table is asked for:
the JSON, JSONL, CSV and Markdown paths stay free of it. Likewise each format
imports only its own view and encoder (in the function that renders it): a
script calling hohhot in a loop pays for one format, not five.
"""

from __future__ import annotations

from enum import Enum

from hohhot_cli.environment import Style


class OutputFormat(str, Enum):
    """The output formats every query command offers."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"


def render_json(result: object, style: Style) -> str:
    from hohhot_cli.encode import to_json
    from hohhot_cli.records import records

    return to_json(records(result), style.ascii_only) + "\n"


def render_jsonl(result: object, style: Style) -> str:
    from hohhot_cli.encode import json_lines
    from hohhot_cli.records import records

    data = records(result)
    return json_lines(data if isinstance(data, list) else [data], style.ascii_only)


def render_csv(result: object, style: Style) -> str:
    from hohhot_cli.encode import csv_text
    from hohhot_cli.rows import csv_rows

    return csv_text(*csv_rows(result))


def render_markdown(result: object, style: Style) -> str:
    from hohhot_cli.markdown import markdown_sections
    from hohhot_cli.sections import markdown_view

    return markdown_sections(markdown_view(result))


def render_table(result: object, style: Style) -> str:
    from hohhot_cli.sections import sections
    from hohhot_cli.table import table_sections  # rich is imported here, and only here

    return table_sections(sections(result), style)


_RENDERERS = {
    OutputFormat.TABLE: render_table,
    OutputFormat.JSON: render_json,
    OutputFormat.JSONL: render_jsonl,
    OutputFormat.CSV: render_csv,
    OutputFormat.MARKDOWN: render_markdown,
}


def render(result: object, output_format: OutputFormat, style: Style) -> str:
    """Render a query result in one of the output formats."""
    return _RENDERERS[output_format](result, style)
