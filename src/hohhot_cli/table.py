"""The rich table renderer; the only module that imports rich."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hohhot_cli.environment import Style
from hohhot_cli.humanize import clean
from hohhot_cli.sections import Section

_GAP = 3  # a column separator with its padding in box.SIMPLE_HEAD
_MIN_WRAPPED = 12  # narrowest a wrapped column is worth showing


def _layout(section: Section, width: int) -> tuple[list[int], bool]:
    """Which columns to show, and whether the unwrapped ones fit on one line.

    Optional columns go first when space is short. Columns that should stay on
    one line keep their natural width while everything fits; on a narrower
    terminal they may fold too, so that no cell is ever cut short.
    """
    from rich.cells import cell_len

    natural = []
    for index, column in enumerate(section.columns):
        cells = [cell_len(clean(column.name))] + [cell_len(clean(row[index])) for row in section.rows]
        natural.append(max(cells))

    def need(columns: list[int]) -> int:
        total = 0
        for index in columns:
            column = section.columns[index]
            total += (min(natural[index], _MIN_WRAPPED) if column.wrap else natural[index]) + _GAP
        return total

    shown = list(range(len(section.columns)))
    for index in reversed(range(len(section.columns))):
        if need(shown) <= width:
            break
        if section.columns[index].optional:
            shown.remove(index)
    return shown, need(shown) <= width


def table_sections(parts: list[Section], style: Style) -> str:
    """Sections as rich tables, rendered to a string at the given width.

    Cells are rich ``Text`` objects, never markup strings: text from a fact
    file such as ``[bold]x[/]`` prints as it is, and control characters were
    made visible by :func:`clean` before they get here.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(style.width, 20),
        force_terminal=style.color,
        no_color=not style.color,
        color_system="standard" if style.color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    for index, section in enumerate(parts):
        if index:
            console.print()
        title_style = "bold" if style.color else ""
        # The title on a line of its own, never wrapped to the width of a narrow table.
        console.print(Text(clean(section.title), style=title_style), soft_wrap=True)
        if section.columns:
            table = Table(
                show_edge=False,
                header_style="bold" if style.color else "",
                pad_edge=False,
                expand=False,
                box=box.ASCII2 if style.ascii_only else box.SIMPLE_HEAD,
            )
            shown, fits = _layout(section, console.width)
            for index_ in shown:
                column = section.columns[index_]
                table.add_column(
                    Text(clean(column.name)),
                    justify="right" if column.numeric else "left",
                    overflow="fold",
                    # One line per value while the table fits; past that, fold rather than crop.
                    no_wrap=fits and not column.wrap,
                )
            for row in section.rows:
                cells = (clean(row[i]) for i in shown)
                if style.ascii_only:
                    cells = (cell.replace("█", "#") for cell in cells)
                table.add_row(*(Text(cell) for cell in cells))
            console.print(table)
        for note in section.notes:
            # Not wrapped: a note may be a path or a message someone will grep for.
            console.print(Text(clean(note), style="dim" if style.color else ""), soft_wrap=True)
        for footnote in section.footnotes:
            console.print(Text(clean(footnote), style="dim" if style.color else ""), overflow="fold")
    # Rich pads every line to the full width; trailing blanks only get in the way.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
