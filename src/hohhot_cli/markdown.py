"""Sections as GitHub-flavoured Markdown: a heading, a pipe table, notes."""

from __future__ import annotations

from hohhot_cli.humanize import clean
from hohhot_cli.sections import Section

# Markdown that a viewer would act on: emphasis, table pipes, links and images, and raw
# HTML (a "<" opens a tag; "&lt;" shows it as text). ">" stays: cells never start a quote.
_MARKDOWN_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "`": "\\`", "<": "&lt;"}
)


def _markdown_cell(text: str) -> str:
    return clean(text).replace("\u00a0", " ").translate(_MARKDOWN_ESCAPES) or " "


def markdown_sections(parts: list[Section]) -> str:
    """Sections as Markdown: ``###`` headings, pipe tables, notes as paragraphs."""
    out: list[str] = []
    for section in parts:
        out.append(f"### {_markdown_cell(section.title)}\n")
        for paragraph in section.paragraphs:
            out.append(_markdown_cell(paragraph) + "\n")
        if section.columns:
            out.append("| " + " | ".join(_markdown_cell(c.name) for c in section.columns) + " |")
            out.append("|" + "|".join("---:" if c.numeric else "---" for c in section.columns) + "|")
            for row in section.rows:
                out.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
            out.append("")
        for note in (*section.notes, *section.footnotes):
            out.append(_markdown_cell(note) + "\n")
    return "\n".join(out).rstrip("\n") + "\n"
