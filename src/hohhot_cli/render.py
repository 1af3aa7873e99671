"""Renderers: a result in, a string out, one per output format.

Only :mod:`hohhot_cli.table` imports rich, and only when a table is asked for:
the JSON, JSONL, CSV and Markdown paths stay free of it.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from enum import Enum

from hohhot_cli.text import clean
from hohhot_cli.views import Section, csv_rows, records, sections


class OutputFormat(str, Enum):
    """The output formats every query command offers."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class Style:
    """How a terminal table should look."""

    width: int = 80
    """Columns available."""
    color: bool = False
    """Whether to emit colour and bold."""
    ascii_only: bool = False
    """Whether the terminal takes ASCII only (rules drawn with '-', bars with '#')."""


# C1 controls, DEL and the line/paragraph separators pass through json.dumps with
# ensure_ascii=False; escape them too so that no control character reaches a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def to_json(data: object, ascii_only: bool = False) -> str:
    """Indented JSON, keys in a stable order, non-finite numbers refused."""
    text = json.dumps(data, ensure_ascii=ascii_only, indent=2, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json_line(data: object, ascii_only: bool = False) -> str:
    """One compact JSON line."""
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_json(result: object, ascii_only: bool = False) -> str:
    return to_json(records(result), ascii_only) + "\n"


def render_jsonl(result: object, ascii_only: bool = False) -> str:
    data = records(result)
    rows = data if isinstance(data, list) else [data]
    return "".join(to_json_line(row, ascii_only) + "\n" for row in rows)


def render_csv(result: object) -> str:
    import csv

    header, rows = csv_rows(result)
    buffer = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes fields holding a bare \r as well as \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


# Markdown that a viewer would act on: emphasis, table pipes, links and images, and raw
# HTML (a "<" opens a tag; "&lt;" shows it as text). ">" stays: cells never start a quote.
_MARKDOWN_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "`": "\\`", "<": "&lt;"}
)


def _markdown_cell(text: str) -> str:
    return clean(text).translate(_MARKDOWN_ESCAPES) or " "


def markdown_sections(parts: list[Section]) -> str:
    """Sections as GitHub-flavoured Markdown: a heading, a pipe table, notes."""
    out: list[str] = []
    for section in parts:
        out.append(f"### {_markdown_cell(section.title)}\n")
        if section.columns:
            out.append("| " + " | ".join(_markdown_cell(c.name) for c in section.columns) + " |")
            out.append("|" + "|".join("---:" if c.numeric else "---" for c in section.columns) + "|")
            for row in section.rows:
                out.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
            out.append("")
        for note in section.notes:
            out.append(_markdown_cell(note) + "\n")
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(result: object) -> str:
    return markdown_sections(sections(result))


def render_table(result: object, style: Style) -> str:
    from hohhot_cli.table import table_sections  # rich is imported here, and only here

    return table_sections(sections(result), style)


def render(result: object, output_format: OutputFormat, style: Style, ascii_only: bool = False) -> str:
    """Render a query result in one of the output formats."""
    if output_format is OutputFormat.JSON:
        return render_json(result, ascii_only)
    if output_format is OutputFormat.JSONL:
        return render_jsonl(result, ascii_only)
    if output_format is OutputFormat.CSV:
        return render_csv(result)
    if output_format is OutputFormat.MARKDOWN:
        return render_markdown(result)
    return render_table(result, style)
