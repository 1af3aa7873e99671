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


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV: a header row, then the rows; None and missing cells are the caller's to blank."""
    buffer = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes fields holding a bare \r as well as \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
