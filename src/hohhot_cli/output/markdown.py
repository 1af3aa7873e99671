"""Sections as GitHub-flavoured Markdown: a heading, a pipe table, notes."""

from __future__ import annotations

import re

from hohhot_cli.output.humanize import visible
from hohhot_cli.output.sections import Section

# Markdown that a viewer would act on: emphasis and strike-through, table pipes, links and
# images, raw HTML (a "<" opens a tag; "&lt;" shows it as text) and character references
# (an "&" of the text is "&amp;", so "&#x202E;" shows as written and makes no character).
# ">" stays: cells never start a quote.
_MARKDOWN_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "~": "\\~",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "<": "&lt;",
        "&": "&amp;",
    }
)


# What starts a block when it begins a line (the rest is escaped everywhere, above): an ATX
# heading (#), a quote (>), a list (-, +, "1." or "1)"), a setext underline or thematic break
# (=, -); code fences (``` and ~~~) are escaped above. Leading blanks would make an indented
# code block: the first becomes an entity.
_BLOCK_START = re.compile(r"[#>+=~-]|[0-9]{1,9}(?=[.)])")
_CLOSING_HASHES = re.compile(r"([ \t])(#+[ \t]*)$")


def _markdown_cell(text: str) -> str:
    """Text as Markdown shows it: made visible as in a table (:func:`visible`), then its markup escaped."""
    return visible(text).replace("\u00a0", " ").translate(_MARKDOWN_ESCAPES) or " "


def _markdown_line(text: str) -> str:
    """Text that starts a line (a note, a citation, a heading's text): a cell, its block syntax escaped."""
    line = _markdown_cell(text)
    if not line.strip():
        return line
    if line[0] in " \t":
        return f"&#{ord(line[0])};{line[1:]}"
    found = _BLOCK_START.match(line)
    if found is None:
        return line
    if found.group()[0].isdigit():  # "1." and "1)" start an ordered list: escape the punctuation
        return f"{found.group()}\\{line[found.end():]}"
    return "\\" + line


def _heading(text: str) -> str:
    """A heading's text: escaped as a line start, and a trailing run of # kept (not read as a closing sequence)."""
    return _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), _markdown_line(text))


def markdown_sections(parts: list[Section]) -> str:
    """Sections as Markdown: ``###`` headings, pipe tables, notes as paragraphs."""
    out: list[str] = []
    for section in parts:
        out.append(f"### {_heading(section.title)}\n")
        for paragraph in section.paragraphs:
            # A hanging section (the citations) is a list; each item escaped as a line of its own.
            out.append(("- " if section.hanging else "") + _markdown_line(paragraph) + "\n")
        if section.columns:
            out.append("| " + " | ".join(_markdown_cell(c.name) for c in section.columns) + " |")
            out.append("|" + "|".join("---:" if c.numeric else "---" for c in section.columns) + "|")
            for row in section.rows:
                out.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
            out.append("")
        for note in (*section.notes, *section.footnotes):
            out.append(_markdown_line(note) + "\n")
    return "\n".join(out).rstrip("\n") + "\n"
