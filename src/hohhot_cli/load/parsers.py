"""Which TOML parser reads a fact file: the reference one, or a faster one where it is installed.

The reference is :mod:`tomllib` (``tomli`` on Python 3.10): every error message, and
every file it refuses, is its word. rtoml (``pip install 'hohhot[fast]'``) parses
a large base seven times faster, and is used only where it cannot disagree:

* never on text with a feature the reference may read otherwise: TOML 1.1's ``\\e`` and
  ``\\x`` escapes and times without seconds (anything like ``07:32`` not followed by
  seconds), a carriage return (rtoml keeps ``\\r\\n`` in a multi-line string where the
  reference reads ``\\n``), a byte order mark past the first character, or an inline
  table that is not plainly on one line with no trailing comma (TOML 1.1 allows both);
* on any failure of rtoml, and on any problem the fact base has, the file is parsed again
  by the reference, and what is reported comes from there (see :mod:`hohhot_cli.load.loader`).

``HOHHOT_TOML_PARSER=reference`` (or :func:`use_reference`) turns rtoml off.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import Any

ENV_PARSER = "HOHHOT_TOML_PARSER"
"""Set to ``reference`` to parse with tomllib (tomli on 3.10) even where rtoml is installed."""

Loads = Callable[[str], dict[str, Any]]

_forced_reference = False


def use_reference(forced: bool = True) -> None:
    """Parse with the reference parser only (``forced``), or let the fast one be used again."""
    global _forced_reference
    _forced_reference = forced


def reference_module() -> Any:
    """The reference parser's module: :mod:`tomllib`, or ``tomli`` before Python 3.11."""
    if sys.version_info >= (3, 11):
        import tomllib  # here, not at the top: a parse-cache hit never needs it
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


def fast_loads() -> Loads | None:
    """rtoml's ``loads`` where it is installed and not turned off, else None."""
    if _forced_reference or os.environ.get(ENV_PARSER, "") == "reference":
        return None
    try:
        import rtoml
    except ImportError:
        return None
    loads: Loads = rtoml.loads
    return loads


def fast_parser_fits(text: str) -> bool:
    """Whether the text is free of everything on which rtoml and the reference may disagree (see above)."""
    if ("\\" in text and ("\\e" in text or "\\x" in text)) or "\r" in text or text.find("\ufeff", 1) >= 0:
        return False
    minutes, plain_inline = _patterns()
    for found in minutes.finditer(text):  # cheap to find: it starts with a colon
        if text[max(0, found.start() - 2) : found.start()].isdigit():
            return False
    start = text.find("{")
    while start >= 0:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        if line_end < 0:
            line_end = len(text)
        line = text[line_start:line_end]
        if '"""' in line or "'''" in line:
            return False
        if plain_inline.fullmatch(line) is None and _one_line_inline().fullmatch(line) is None:
            return False
        start = text.find("{", line_end)
    return True


_MINUTES = r":[0-9][0-9](?![:0-9])"

# What a line holding an inline table may be, for rtoml to read it: `key = {...}`,
# `key = [{...}, ...]` or an element `{...},` of a multi-line array, each inline table
# closed on the line, without a trailing comma, nested at most once. A line that starts
# inside a multi-line string and has no triple quote stays inside it, so it does no harm
# to match it here; any other line is tokenised here as a TOML parser does.
_WS = r"[ \t]*"
_STRING = r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'"
_KEY = rf"(?:[A-Za-z0-9_-]+|{_STRING})(?:{_WS}\.{_WS}(?:[A-Za-z0-9_-]+|{_STRING}))*"
# A bare scalar ends on a character that is not a space or a tab, which are the _WS after it:
# ending anywhere in its trailing spaces would let each scalar match in several ways, and a
# line that fails to match would then be tried in exponentially many (a fact file could hang
# the screen). The lines it accepts are the same either way. For the same reason an optional
# comma takes the spaces before it, `(?:{_WS},)?{_WS}`: `{_WS},?{_WS}` could split a run of
# spaces between its two parts in as many ways as the run is long.
_SCALAR = rf"(?:{_STRING}|[^\s,{{}}\[\]\"'#=](?:[^,{{}}\[\]\"'#=\n]*[^ \t,{{}}\[\]\"'#=\n])?)"
_ARRAY = rf"\[{_WS}(?:{_SCALAR}(?:{_WS},{_WS}{_SCALAR})*(?:{_WS},)?{_WS})?\]"
_PLAIN_VALUE = rf"(?:{_SCALAR}|{_ARRAY})"
_INNER = rf"\{{{_WS}(?:{_KEY}{_WS}={_WS}{_PLAIN_VALUE}(?:{_WS},{_WS}{_KEY}{_WS}={_WS}{_PLAIN_VALUE})*{_WS})?\}}"
_VALUE = rf"(?:{_SCALAR}|{_ARRAY}|{_INNER})"
_INLINE = rf"\{{{_WS}(?:{_KEY}{_WS}={_WS}{_VALUE}(?:{_WS},{_WS}{_KEY}{_WS}={_WS}{_VALUE})*{_WS})?\}}"
_ITEM = rf"(?:{_INLINE}|{_SCALAR}|{_ARRAY})"
_ONE_LINE_INLINE = (
    rf"{_WS}(?:{_KEY}{_WS}={_WS}(?:{_INLINE}|\[{_WS}{_ITEM}(?:{_WS},{_WS}{_ITEM})*(?:{_WS},)?{_WS}\])"
    rf"|{_INLINE}(?:{_WS},)?){_WS}(?:#[^\n]*)?"
)

# The usual lines that hold an inline table, `key = { key = "text", key = 12_300, ... }` and
# an element `{ key = "text", ... },` of a multi-line array: a few of the forms the pattern
# above takes (each part here matches one of its parts), so that every line this matches,
# it matches too. Compiled in a millisecond, where the pattern above takes over 20: the
# screen asks that one only of lines this does not take.
_BARE_KEY = r"[A-Za-z0-9_-]+"
_PLAIN_SCALAR = r"(?:\"[^\"\\\n]*\"|[A-Za-z0-9_.+-]+)"
_PLAIN_PAIR = rf"{_BARE_KEY}{_WS}={_WS}{_PLAIN_SCALAR}"
_PLAIN_TABLE = rf"\{{{_WS}{_PLAIN_PAIR}(?:{_WS},{_WS}{_PLAIN_PAIR})*{_WS}\}}"
_PLAIN_INLINE = rf"{_WS}(?:{_BARE_KEY}{_WS}={_WS}{_PLAIN_TABLE}|{_PLAIN_TABLE}(?:{_WS},)?){_WS}"

_COMPILED: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
_COMPILED_INLINE: list[re.Pattern[str]] = []


def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The screen's quick patterns, compiled on first use (a run that reads the parse cache needs neither)."""
    if not _COMPILED:
        _COMPILED.append((re.compile(_MINUTES), re.compile(_PLAIN_INLINE)))
    return _COMPILED[0]


def _one_line_inline() -> re.Pattern[str]:
    """The whole pattern of a line with inline tables, compiled on first use: about 20 ms."""
    if not _COMPILED_INLINE:
        _COMPILED_INLINE.append(re.compile(_ONE_LINE_INLINE))
    return _COMPILED_INLINE[0]
