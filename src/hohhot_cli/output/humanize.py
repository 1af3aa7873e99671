"""How people read the base: numbers with units and marks, periods, citations, safe strings.

Tables and Markdown use all of it, their text through :func:`visible`; JSON and CSV print
raw values and use only :func:`citation` (a source's citation line) and, for messages on
stderr, :func:`clean`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from hohhot_cli.model.facts import Exactness, Observation, Source, SourceKind, Status, Unit

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from decimal import Decimal

# What must never reach a terminal as it is: C0 and C1 controls, DEL, the line and paragraph
# separators, bidi embeddings, overrides, isolates and marks, and lone surrogates (bytes of a
# file name or argument that are not UTF-8 arrive as U+DC80..U+DCFF).
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CLEANERS: dict[bool, re.Pattern[str]] = {}
"""The pattern of :func:`clean` (False) and :func:`visible` (True, backslashes too), compiled on first use
(1 ms that JSON and CSV never spend)."""

UNIT_SYMBOLS: Mapping[Unit, str] = MappingProxyType(
    {
        Unit.CNY: "CNY",
        Unit.CNY_PER_PERSON: "CNY per person",
        Unit.USD: "USD",
        Unit.PERCENT: "%",
        Unit.PERCENTAGE_POINTS: "pp",
        Unit.PER_1000: "‰",
        Unit.PER_100: "per 100",
        Unit.PEOPLE: "people",
        Unit.PEOPLE_PER_KM2: "people per km²",
        Unit.PEOPLE_PER_HOUSEHOLD: "people per household",
        Unit.VISITORS: "visitors",
        Unit.KM: "km",
        Unit.KM2: "km²",
        Unit.MU: "mu",
        Unit.RANK: "",
        Unit.COUNT: "",
        Unit.YEARS: "years",
        Unit.CELSIUS: "°C",
        Unit.MW: "MW",
        Unit.KWH: "kWh",
        Unit.TONNES_PER_DAY: "t per day",
        Unit.PFLOPS: "PFLOPS",
    }
)
"""How each unit is written after a number in tables."""

EXACTNESS_MARKS = {
    Exactness.EXACT: "",
    Exactness.APPROXIMATE: "≈ ",
    Exactness.LOWER_BOUND: "> ",
    Exactness.UPPER_BOUND: "< ",
}
"""Prefix shown before a value for each exactness."""

STATUS_LABELS = {
    Status.ACTUAL: "",
    Status.REVISED: "revised",
    Status.PRELIMINARY: "preliminary",
    Status.FIRST_PUBLISHED: "first published",
    Status.ESTIMATE: "estimate",
    Status.REPORTED: "not stated",
    Status.TARGET: "target",
    Status.OUTDATED: "outdated",
}
"""How each status is written in tables' Status column (a final figure needs no word; "not stated": its
source gives no status, neither preliminary nor final)."""

STATUS_PHRASES = {**STATUS_LABELS, Status.REPORTED: "status not stated"}
"""How each status is written beside a figure, out of a Status column: ``410.708 bn CNY (2024, status not stated)``."""


def clean(text: str) -> str:
    """Make text safe for a terminal: the sanitiser of messages on stderr and of citations.

    Control characters (C0, C1, DEL, line and paragraph separators), bidi controls and
    lone surrogates become visible escapes such as ``\\x1b`` and ``\\u202e`` (an undecodable
    byte of a file name, held as U+DCFF, as ``\\xff``): a message stays on its line and no
    escape sequence reaches the terminal. A backslash stays as it is: values quoted in a
    message are Python literals (``repr``), where a backslash of the text is already doubled.
    """
    return _cleaner(False).sub(_escape, text)


def visible(text: str) -> str:
    """Text as tables and Markdown show it: :func:`clean`, and a backslash of the text doubled.

    So every backslash escape in a table is the program's own: ``\\x1b`` is an ESC of the text,
    ``\\\\x1b`` the four characters ``\\x1b``, and ``\\u4e73`` a character a stream that takes
    ASCII only could not print (never the same as a label that holds that text).
    """
    return _cleaner(True).sub(_escape, text)


def _cleaner(backslash: bool) -> re.Pattern[str]:
    pattern = _CLEANERS.get(backslash)
    if pattern is None:
        pattern = _CLEANERS[backslash] = re.compile("[" + _UNSAFE + ("\\\\" if backslash else "") + "]")
    return pattern


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by surrogateescape: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain_number(value: int | float | Decimal) -> str:
    """A number with thousands separators and the digits it was given with: ``3,446,100``, ``0.2``, ``10.0``.

    An integer has no decimals; a float keeps the digits of its shortest form (``10.0`` stays
    ``10.0``: the source gave one decimal), with no float noise (never ``0.30000000000000004``).
    """
    from decimal import Decimal  # tables and Markdown only: the JSON path never loads decimal

    number = value if isinstance(value, Decimal) else _decimal(value)
    if number.as_tuple().exponent >= 0 and abs(number) < Decimal(10) ** 18:  # type: ignore[operator]
        return f"{int(number):,}"
    sign = "-" if number < 0 else ""
    whole, _, fraction = format(abs(number), "f").partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def _decimal(value: int | float) -> Decimal:
    # repr() is the shortest string that reads back as the same float: no 0.30000000000000004.
    from decimal import Decimal

    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def human_value(value: int | float, unit: Unit) -> str:
    """A value in its unit, with the digits the source gave: ``256 bn CNY``, ``410.708 bn CNY``, ``70 %``, ``15th``."""
    if unit in (Unit.CNY, Unit.USD) and abs(value) >= 1_000_000_000:
        # In billions, a whole number's trailing zeros are no digits the source gave: 380 bn, not 380.0 bn.
        whole = int(value) if isinstance(value, float) and value.is_integer() else value
        billions = (_decimal(whole) / 1_000_000_000).normalize()
        return f"{plain_number(billions)} bn {UNIT_SYMBOLS[unit]}"
    if unit is Unit.RANK and float(value).is_integer():
        return ordinal(int(value))
    symbol = UNIT_SYMBOLS[unit]
    number = plain_number(value)
    return f"{number} {symbol}" if symbol else number


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``15th``; a number below 1 is no place and gets no suffix (``-3``, never ``-3th``)."""
    if number < 1:
        return str(number)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def observation_value(observation: Observation, unit: Unit) -> str:
    """The value with its exactness mark and target word: ``> 256.0 bn CNY``, ``target 50,000 people``."""
    text = EXACTNESS_MARKS[observation.exactness] + human_value(observation.value, unit)
    if observation.status is Status.TARGET:
        text = "target " + text
    return text


def when_text(observation: Observation) -> str:
    """The period as people read it, or ``as of DATE`` for an undated figure."""
    if observation.period is not None:
        return observation.period
    return f"as of {observation.as_of}"


def signed(value: int | float, unit: Unit) -> str:
    """A change with its sign: ``+15.98 bn CNY``, ``-1.2 pp``."""
    if unit in (Unit.PERCENT, Unit.PERCENTAGE_POINTS):
        text = plain_number(value) + " pp"
    elif unit is Unit.RANK:
        text = plain_number(value) + " places"
    else:
        text = human_value(value, unit)
    return text if text.startswith("-") else "+" + text


def percent_change(value: float) -> str:
    """``+5.8 %``, to one decimal."""
    return f"{value:+.1f} %"


SOURCE_KIND_LABELS = {
    SourceKind.OFFICIAL: "official",
    SourceKind.NATIONAL_MEDIA: "national media",
    SourceKind.REPRINT: "reprint",
    SourceKind.SECONDARY: "secondary",
    SourceKind.COMPANY: "company",
    SourceKind.INTERNATIONAL: "international",
}
"""How each kind of source is named in tables and citations."""


def source_date(source: Source) -> str:
    """The publication date, or ``undated, 2021 or later`` for a source that carries none."""
    return f"undated, {source.date} or later" if source.undated else source.date


def citation(source: Source) -> str:
    """A one-line citation: authors, "title", publisher, date, [kind], addresses, when checked.

    A reprint names the original and says where its copy was read.
    """
    parts = []
    if source.authors:
        parts.append(" and ".join(source.authors) if len(source.authors) < 3 else ", ".join(source.authors))
    parts.append(f"\u201c{source.title}\u201d")
    parts.append(source.publisher)
    parts.append(source_date(source))
    text = ", ".join(parts)
    if source.kind is not None:
        text += f" [{SOURCE_KIND_LABELS[source.kind]}]"
    addresses = [source.url] if source.url else []
    if source.read_at:
        copy = f"read in a copy by {source.reprinted_by}" if source.reprinted_by else "read in a copy"
        addresses.append(f"{copy} at {source.read_at}")
    if not addresses:
        return text + "."
    checked = f" (checked {source.checked})" if source.checked else ""
    # No full stop after an address: it would be copied along with it.
    return f"{text}, {'; '.join(addresses)}{checked}"
