"""How a table should look on this terminal: width, colour, character set."""

from __future__ import annotations

from hohhot_cli.model.value import Value, value


@value
class Style(Value):
    """How a terminal table should look."""

    width: int = 80
    """Columns available."""
    color: bool = False
    """Whether to emit colour and bold."""
    ascii_only: bool = False
    """Whether the terminal takes ASCII only (rules drawn with '-', bars with '#')."""
    csv_raw: bool = False
    """Whether CSV text cells are written exactly, not neutralised against formulas (HOHHOT_CSV_RAW)."""
