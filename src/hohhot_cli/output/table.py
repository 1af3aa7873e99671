"""The terminal renderer, with one layout rule for every table; the only module that imports rich.

The rule, in one place (columns declare their kind in :mod:`hohhot_cli.output.table_view`):

- ids, periods, values with their marks and units, statuses and source ids never
  wrap inside one; a list of ids or statuses may wrap between its items;
- prose columns (labels, notes, titles, text) get the width that is left and wrap
  at word boundaries;
- a column empty in every row is left out; an optional column left out for width
  is named under the table;
- where even that does not fit, each row is printed as a block of labelled lines;
- addresses are never broken; on a terminal they are links (OSC 8) as well as text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from hohhot_cli.output.humanize import visible
from hohhot_cli.output.sections import GLUE, Column, ColumnKind, Section
from hohhot_cli.output.style import Style

GAP = 2
"""Spaces between two columns."""

MIN_PROSE = 18
"""Narrowest a prose column is worth showing; below it, rows become blocks."""

URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+")

_UNBROKEN = (ColumnKind.ID, ColumnKind.VALUE, ColumnKind.BAR)
_HYPHEN = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")


def atoms(text: str, kind: ColumnKind) -> list[str]:
    """The pieces of a cell that must stay whole, in order (joined by single spaces when on one line)."""
    if not text:
        return []
    if kind in _UNBROKEN:
        return [text]
    if kind is ColumnKind.STATUS:
        items = text.split(", ")
        return [item + "," for item in items[:-1]] + [items[-1]]
    return [word for word in text.split(" ") if word]  # not at GLUE (no-break spaces): values stay whole


def _fold(word: str, width: int) -> list[str]:
    """A word wider than the column: after its hyphens, else by display cells (Chinese, which has no spaces)."""
    parts = _HYPHEN.split(word)
    if len(parts) > 1 and all(cell_len(p) <= width for p in parts):
        return parts
    pieces, current = [], ""
    for char in word:
        if current and cell_len(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, kind: ColumnKind, width: int) -> list[str]:
    """A cell as lines of at most ``width`` cells, broken only where its kind allows.

    Only a prose word wider than the whole column is cut, and never an address.
    """
    lines: list[str] = []
    current = ""
    for atom in atoms(text, kind):
        pieces = [atom]
        if kind is ColumnKind.PROSE and cell_len(atom) > width and not URL.match(atom):
            pieces = _fold(atom, width)
        for piece in pieces:
            candidate = f"{current} {piece}" if current else piece
            if current and cell_len(candidate) > width:
                lines.append(current)
                current = piece
            else:
                current = candidate
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class Layout:
    """How a section is laid out at one width."""

    shown: tuple[int, ...]
    """Indices of the columns shown."""
    widths: tuple[int, ...]
    """Width of each shown column; empty when rows are printed as blocks."""
    hidden: tuple[str, ...]
    """Names of columns with content left out for width."""


def _min_width(column: Column, cells: list[str]) -> int:
    header = cell_len(column.name)
    if column.kind is ColumnKind.PROSE:
        return max(header, min(MIN_PROSE, max((cell_len(c) for c in cells), default=0)))
    return max([header, *(cell_len(a) for c in cells for a in atoms(c, column.kind))])


def layout(section: Section, width: int) -> Layout:
    """Columns to show and their widths, following the rule in this module's docstring."""
    columns = section.columns
    cells = [[visible(row[i]) for row in section.rows] for i in range(len(columns))]
    shown = [i for i in range(len(columns)) if any(c.strip() for c in cells[i])]
    natural = {i: max([cell_len(columns[i].name), *(cell_len(c) for c in cells[i])]) for i in shown}
    minimum = {i: _min_width(columns[i], cells[i]) for i in shown}

    def need(indices: list[int]) -> int:
        return sum(minimum[i] for i in indices) + GAP * (len(indices) - 1)

    hidden: list[str] = []
    for i in reversed(list(shown)):
        if need(shown) <= width:
            break
        if columns[i].optional:
            shown.remove(i)
            hidden.append(columns[i].name)
    if need(shown) > width:
        return Layout(tuple(shown), (), tuple(reversed(hidden)))
    widths = dict(minimum)
    spare = width - need(shown)
    # Whole lines for ids, values, periods and lists first; prose shares what is left.
    for i in shown:
        if columns[i].kind is not ColumnKind.PROSE:
            extra = min(spare, natural[i] - widths[i])
            widths[i] += extra
            spare -= extra
    prose = [i for i in shown if columns[i].kind is ColumnKind.PROSE]
    while spare > 0:
        growing = [i for i in prose if widths[i] < natural[i]]
        if not growing:
            break
        share = max(spare // len(growing), 1)
        for i in growing:
            extra = min(share, natural[i] - widths[i], spare)
            widths[i] += extra
            spare -= extra
    return Layout(tuple(shown), tuple(widths[i] for i in shown), tuple(reversed(hidden)))


class _Writer:
    """Lines of rich Text, printed without any wrapping of rich's own."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.buffer = io.StringIO()
        self.console = Console(
            file=self.buffer,
            width=10_000,
            force_terminal=style.color,
            no_color=not style.color,
            color_system="standard" if style.color else None,
            highlight=False,
            emoji=False,
            markup=False,
            legacy_windows=False,
            soft_wrap=True,
        )

    highlight: tuple[str, ...] = ()

    def line(self, text: Text | str = "") -> None:
        if isinstance(text, str):
            text = Text(text)
        text.plain = text.plain.replace(GLUE, " ")  # same length: styles keep their places
        if self.style.color:
            for match in URL.finditer(text.plain):
                text.stylize(f"link {match.group()}", match.start(), match.end())
            for word in self.highlight:
                for found in re.finditer(re.escape(word), text.plain, re.IGNORECASE):
                    text.stylize("bold reverse", found.start(), found.end())
        self.console.print(text, soft_wrap=True, crop=False, no_wrap=True)

    def paragraph(self, text: str, width: int, style: str = "", hang: str = "") -> None:
        """Prose wrapped at word boundaries; lines after the first indented by ``hang``."""
        first, *rest = wrap(text, ColumnKind.PROSE, width)
        style = style if self.style.color else ""
        self.line(Text(first, style=style))
        if rest and hang and text.startswith(first):  # the first line ended between words: wrap what follows
            rest = wrap(text[len(first) :].lstrip(" "), ColumnKind.PROSE, max(width - cell_len(hang), 10))
        else:
            hang = ""
        for piece in rest:
            self.line(Text(hang + piece, style=style))

    def value(self) -> str:
        return "".join(line.rstrip() + "\n" for line in self.buffer.getvalue().splitlines())


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(width - cell_len(text), 0)
    return space + text if right else text + space


def _table(writer: _Writer, section: Section, plan: Layout) -> None:
    style = writer.style
    columns = [section.columns[i] for i in plan.shown]
    bold = "bold" if style.color else ""
    header = (" " * GAP).join(_pad(c.name, w, c.numeric) for c, w in zip(columns, plan.widths, strict=True))
    writer.line(Text(header.rstrip(), style=bold))
    total = sum(plan.widths) + GAP * (len(columns) - 1)
    writer.line(("-" if style.ascii_only else "─") * total)
    for row in section.rows:
        wrapped = [
            wrap(_cell(row[i], style), c.kind, w) for i, c, w in zip(plan.shown, columns, plan.widths, strict=True)
        ]
        for n in range(max(len(w) for w in wrapped)):
            parts = [
                _pad(lines[n] if n < len(lines) else "", w, c.numeric)
                for lines, c, w in zip(wrapped, columns, plan.widths, strict=True)
            ]
            writer.line((" " * GAP).join(parts))


def _blocks(writer: _Writer, section: Section, plan: Layout, width: int) -> None:
    """Rows too wide for columns: the first cell as a heading, the others as labelled lines."""
    columns = [section.columns[i] for i in plan.shown]
    label_width = max((cell_len(c.name) for c in columns[1:]), default=0)
    for number, row in enumerate(section.rows):
        if number:
            writer.line()
        first = _cell(row[plan.shown[0]], writer.style)
        for piece in wrap(first, columns[0].kind, width):
            writer.line(Text(piece, style="bold" if writer.style.color else ""))
        indent = " " * (label_width + 4)
        for i, column in zip(plan.shown[1:], columns[1:], strict=True):
            text = _cell(row[i], writer.style)
            if not text:
                continue
            if max(cell_len(a) for a in atoms(text, column.kind)) <= width - len(indent):
                lines = wrap(text, column.kind, width - len(indent))
                writer.line("  " + _pad(column.name, label_width, False) + "  " + lines[0])
                rest = lines[1:]
            else:  # too narrow beside its label: the value under it
                writer.line("  " + column.name)
                indent = "    "
                rest = wrap(text, column.kind, width - len(indent))
            for piece in rest:
                writer.line(indent + piece)
            indent = " " * (label_width + 4)


def _cell(text: str, style: Style) -> str:
    text = visible(text)
    return text.replace("█", "#") if style.ascii_only else text


def table_sections(parts: list[Section], style: Style) -> str:
    """Sections as text for a terminal, at the style's width.

    Text from a fact file is printed as it is (rich ``Text``, never markup), and
    control characters were made visible by :func:`visible` before they get here.
    """
    width = max(style.width, 20)
    writer = _Writer(style)
    for index, section in enumerate(parts):
        if index:
            writer.line()
        if section.wrap_title:
            writer.paragraph(visible(section.title), width, style="bold")
        else:
            writer.line(Text(visible(section.title), style="bold" if style.color else ""))
        hidden: tuple[str, ...] = ()
        if section.columns and section.rows:
            plan = layout(section, width)
            hidden = plan.hidden
            writer.highlight = section.highlight
            if plan.widths:
                _table(writer, section, plan)
            else:
                _blocks(writer, section, plan, width)
            writer.highlight = ()
        for paragraph in section.paragraphs:
            writer.paragraph(visible(paragraph), width, hang="  " if section.hanging else "")
        for note in section.notes:
            # Never wrapped: one message a line (validate's problems, compiler style), for people and grep.
            writer.line(Text(visible(note), style="dim" if style.color else ""))
        for footnote in section.footnotes:
            writer.paragraph(visible(footnote), width, style="dim")
        for name in hidden:
            writer.paragraph(f"{name} hidden: widen the terminal or use --format markdown.", width, style="dim")
    return writer.value()
