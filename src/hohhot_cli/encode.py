"""The one JSON encoder and the one CSV writer, for commands and exports alike."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

# C1 controls, DEL and the line/paragraph separators pass through json.dumps with
# ensure_ascii=False; escape them too so that no control character reaches a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_unsafe(text: str) -> str:
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json(data: object, ascii_only: bool = False) -> str:
    """Indented JSON, keys in a stable order, non-finite numbers refused."""
    return _escape_unsafe(json.dumps(data, ensure_ascii=ascii_only, indent=2, allow_nan=False))


def to_json_line(data: object, ascii_only: bool = False) -> str:
    """One compact JSON line."""
    return _escape_unsafe(json.dumps(data, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False))


def json_lines(rows: Iterable[object], ascii_only: bool = False) -> str:
    """One compact JSON line per row, each ended by a newline."""
    return "".join(to_json_line(row, ascii_only) + "\n" for row in rows)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def neutralise(cell: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else as it is.

    Only text: a number (``-3.5``) is never touched, and is written as a number.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False) -> str:
    """RFC 4180 CSV: a header row, then the rows; None and missing cells are the caller's to blank.

    Text cells that start like a formula are neutralised (:func:`neutralise`) unless
    ``raw`` (``HOHHOT_CSV_RAW``), for programs that read the text exactly.
    """
    buffer = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes fields holding a bare \r as well as \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    if raw:
        writer.writerows(rows)
    else:
        writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
