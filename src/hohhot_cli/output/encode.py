"""The one JSON encoder and the one CSV writer, for commands and exports alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from typing import Any

_c_make_encoder: Any = None
try:  # json's C half, without the json package: its decoder compiles six regular expressions on import
    from _json import encode_basestring as _c_string
    from _json import encode_basestring_ascii as _c_string_ascii
    from _json import make_encoder
except ImportError:  # another Python: the json package does it all
    pass
else:
    _c_make_encoder = make_encoder

# C1 controls, DEL and the line/paragraph separators pass through json.dumps with
# ensure_ascii=False; escape them too so that no control character reaches a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_unsafe(text: str) -> str:
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json(data: object, ascii_only: bool = False) -> str:
    """Indented JSON, keys in a stable order, non-finite numbers refused.

    The text of ``json.dumps(data, ensure_ascii=ascii_only, indent=2, allow_nan=False)``,
    character for character (:class:`_Indented`), made faster.
    """
    return _escape_unsafe(_indented_json(data, ascii_only))


def to_json_line(data: object, ascii_only: bool = False) -> str:
    """One compact JSON line."""
    return _escape_unsafe(_compact_json([data], ascii_only)[0])


def json_lines(rows: Iterable[object], ascii_only: bool = False) -> str:
    """One compact JSON line per row, each ended by a newline."""
    return "".join(_escape_unsafe(line) + "\n" for line in _compact_json(list(rows), ascii_only))


def _indented_json(data: object, ascii_only: bool) -> str:
    if _c_make_encoder is not None:
        try:
            out: list[str] = []
            _Indented(ascii_only).value(data, 0, out)
            return "".join(out)
        except (TypeError, ValueError, RecursionError):
            pass  # what json.dumps refuses (a NaN, an object it cannot encode, a cycle): it says so below
    import json

    return json.dumps(data, ensure_ascii=ascii_only, indent=2, allow_nan=False)


def _compact_json(rows: list[object], ascii_only: bool) -> list[str]:
    """``json.dumps(row, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False)`` of each row.

    That is the C encoder ``json.dumps`` makes for these arguments, called directly.
    """
    if _c_make_encoder is not None:
        try:
            string = _c_string_ascii if ascii_only else _c_string
            encoder = _c_make_encoder({}, _unencodable, string, None, ":", ",", False, False, False)
            return [string(row) if isinstance(row, str) else "".join(encoder(row, 0)) for row in rows]
        except (TypeError, ValueError, RecursionError):
            pass
    import json

    return [json.dumps(row, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False) for row in rows]


def _unencodable(value: object) -> object:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


class _Indented:
    """``json.dumps`` with ``indent=2``, but faster: Python's encoder writes indented JSON in pure
    Python, one generator step per value (2.6-3 ms for the 88 KB of ``metric gdp --json``), and
    only unindented JSON in C.

    A container that holds no non-empty container (a source, a list of ids) is written by the
    C encoder with the line break and indentation of its level as the item separator, which is
    exactly what the indented encoder puts between its items; the break after its opening and
    before its closing bracket is added around. Containers holding containers are walked here,
    value by value, with the rules of ``json.encoder._make_iterencode`` (the order of its type
    checks, its key conversions, ``[]`` and ``{}`` when empty). Anything else is left to
    ``json.dumps`` by the caller, so that its errors stay the library's.
    """

    def __init__(self, ascii_only: bool) -> None:
        self.string: Callable[[str], str] = _c_string_ascii if ascii_only else _c_string
        self.flat: dict[int, Callable[[object, int], Any]] = {}

    def flat_encoder(self, level: int) -> Callable[[object, int], Any]:
        """The C encoder of a flat container whose items stand at ``level``."""
        encoder = self.flat.get(level)
        if encoder is None:
            encoder = _c_make_encoder(
                None, _unencodable, self.string, None, ": ", ",\n" + "  " * level, False, False, False
            )
            self.flat[level] = encoder
        return encoder

    def value(self, value: object, level: int, out: list[str]) -> None:
        if isinstance(value, str):
            out.append(self.string(value))
        elif value is None:
            out.append("null")
        elif value is True:
            out.append("true")
        elif value is False:
            out.append("false")
        elif isinstance(value, int):
            out.append(int.__repr__(value))
        elif isinstance(value, float):
            out.append(_float(value))
        elif isinstance(value, (list, tuple)):
            self.container(value, value, level, out)
        elif isinstance(value, dict):
            self.container(value, value.values(), level, out)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def container(self, value: list[Any] | tuple[Any, ...] | dict[Any, Any], items: Iterable[Any], level: int,
                  out: list[str]) -> None:
        is_dict = isinstance(value, dict)
        if not value:
            out.append("{}" if is_dict else "[]")
            return
        inner = "\n" + "  " * (level + 1)
        if not any(isinstance(item, (list, tuple, dict)) and item for item in items):
            text = "".join(self.flat_encoder(level + 1)(value, 0))
            out.append(text[0] + inner + text[1:-1] + "\n" + "  " * level + text[-1])
            return
        separator = "," + inner
        if is_dict:
            out.append("{" + inner)
            first = True
            for key, item in value.items():  # type: ignore[union-attr]
                if not first:
                    out.append(separator)
                first = False
                out.append(self.string(_key(key)) + ": ")
                self.value(item, level + 1, out)
            out.append("\n" + "  " * level + "}")
        else:
            out.append("[" + inner)
            for index, item in enumerate(value):
                if index:
                    out.append(separator)
                self.value(item, level + 1, out)
            out.append("\n" + "  " * level + "]")


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("Out of range float values are not JSON compliant")
    return float.__repr__(value)


def _key(key: object) -> str:
    """A dict key as ``json`` writes it (in the order of its checks)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).

:func:`neutralise` escapes a tab or a carriage return (``\\u0009``) before it looks at these."""

# What a CSV cell does not carry as it is (but with HOHHOT_CSV_RAW): the characters tables make
# visible (C0 and C1 controls, DEL, line and paragraph separators, bidi controls, lone
# surrogates), all but the line feed, which a quoted cell holds as a line break.
_CSV_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _csv_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape): the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"  # as JSON writes it: a JSON list in a cell stays JSON


def neutralise(cell: Any) -> Any:
    """A text cell made safe to open or print: controls as ``\\u001b``, a formula prefixed with ``'``.

    A control character (any but the line feed), a bidi control or a lone surrogate becomes
    a visible escape, as JSON writes it (``\\u001b``, ``\\u202e``; a byte of a file name that
    is not UTF-8 ``\\xff``); then a cell that a spreadsheet would run as a formula gets a
    leading ``'``. Only text: a number (``-3.5``) is never touched, and is written as a number.
    """
    if not isinstance(cell, str):
        return cell
    if _CSV_UNSAFE.search(cell) is not None:
        cell = _CSV_UNSAFE.sub(_csv_escape, cell)
    if cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, raw: bool = False) -> str:
    """RFC 4180 CSV: a header row, then the rows; None and missing cells are the caller's to blank.

    Text cells are made safe (:func:`neutralise`: controls escaped, formulas prefixed) unless
    ``raw`` (``HOHHOT_CSV_RAW``), for programs that read the text exactly.
    """
    import csv  # only here: the JSON paths do not load it
    import io

    buffer = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes fields holding a bare \r as well as \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    if raw:
        writer.writerows(rows)
    else:
        writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


# -- what a stream that cannot hold a character gets instead ----------------------------------

ESCAPED = "escaped"
"""Tables: a backslash escape (``\\u4e73``); the text's own backslashes are doubled (``humanize.visible``)."""
MARKDOWN = "markdown"
"""Markdown: a character reference (``&#x4e73;``), which shows the character; the text's own ``&`` is ``&amp;``."""
JSON = "json"
"""JSON: a JSON escape (``\\u4e73``, a surrogate pair beyond U+FFFF), as ``ensure_ascii`` writes it."""
UTF8 = "utf-8"
"""Formats without escapes of their own (CSV, TSV, citations): UTF-8 bytes, whatever the stream's encoding."""

STREAM_FORMS = {
    "table": ESCAPED,
    "markdown": MARKDOWN,
    "json": JSON,
    "jsonl": JSON,
    "csl-json": JSON,
    "csv": UTF8,
    "tsv": UTF8,
    "text": UTF8,
    "bibtex": UTF8,
    "biblatex": UTF8,
    "ris": UTF8,
}
"""The form of each output format and citation style; any other output (help, versions, schemas) is ESCAPED."""

_NOT_ASCII = re.compile("[^\x00-\x7f]")


def stream_form(name: str) -> str:
    """How an output format or citation style (by its name) is written to a stream that cannot hold all of it."""
    return STREAM_FORMS.get(name, ESCAPED)


def fit(text: str, encoding: str, form: str) -> str:
    """``text`` as a stream of ``encoding`` can write it, by the rule of ``form`` (never ambiguous).

    UTF8 text is the caller's to write as UTF-8 bytes (:func:`utf8_bytes`); given here, it is
    escaped as ESCAPED is, for a stream that takes only text.
    """
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:  # an encoding Python does not know: ASCII is safe
        encoding = "ascii"
    if form == MARKDOWN:
        return text.encode(encoding, "xmlcharrefreplace").decode(encoding)
    if form == JSON:  # outside strings JSON is ASCII: every other character is in a string, where \u holds it
        string = _c_string_ascii if _c_make_encoder is not None else _json_ascii()
        return _NOT_ASCII.sub(lambda m: string(m.group())[1:-1], text)
    return text.encode(encoding, "backslashreplace").decode(encoding)


def utf8_bytes(text: str) -> bytes:
    """UTF-8 bytes of ``text``; a byte of a file name that is not UTF-8 (U+DC80..U+DCFF) as that byte."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no byte stands for: escaped, visibly
        return text.encode("utf-8", "backslashreplace")


def _json_ascii() -> Callable[[str], str]:
    from json.encoder import py_encode_basestring_ascii

    return py_encode_basestring_ascii
