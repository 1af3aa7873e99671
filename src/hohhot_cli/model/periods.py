"""Periods: the machine-sortable strings that date an observation.

Grammar (ISO 8601 in spirit, kept small so that people can type it):

* ``2023`` a calendar year
* ``2023-H1`` a half year, ``2023-Q1`` a quarter, ``2023-05`` a month
* ``2020-11-01`` a day (a census reference date, a publication date)
* ``2016/2020`` an inclusive range of any two of the above, start before end;
  ``2024-01/2024-09``, January to a month of one year, is a year to date

Partial dates (``2021``, ``2021-06``, ``2021-06-18``) are used for source dates and
"as of" dates; they are the single-period forms without halves and quarters.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from hohhot_cli.model.value import Value, value

_SINGLE = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?))?"
)
"""A single period, matched whole (``fullmatch``): ASCII digits only, no trailing newline."""


class PeriodError(ValueError):
    """A string that is not a period of the grammar above."""


@value
class Span(Value):
    """The calendar days a period covers, and how it was written."""

    start: date
    """First day covered."""
    end: date
    """Last day covered (inclusive)."""
    granularity: str
    """``year``, ``half``, ``quarter``, ``month``, ``day``, ``year_to_date`` or ``span``."""
    text: str
    """The period as written."""


def _single(text: str) -> Span:
    match = _SINGLE.fullmatch(text)
    if match is None:
        raise PeriodError(
            f"{text!r} is not a period (expected YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD or START/END)"
        )
    year = int(match["year"])
    if year < 1000:
        raise PeriodError(f"{text!r}: year {year} is out of range")
    try:
        if match["half"]:
            half = int(match["half"][1])
            first = 1 if half == 1 else 7
            last = 6 if half == 1 else 12
            return Span(date(year, first, 1), _month_end(year, last), "half", text)
        if match["quarter"]:
            quarter = int(match["quarter"][1])
            first = 3 * quarter - 2
            return Span(date(year, first, 1), _month_end(year, first + 2), "quarter", text)
        if match["month"]:
            month = int(match["month"])
            if match["day"]:
                day = date(year, month, int(match["day"]))
                return Span(day, day, "day", text)
            return Span(date(year, month, 1), _month_end(year, month), "month", text)
    except ValueError as error:
        raise PeriodError(f"{text!r} is not a real date ({error})") from None
    return Span(date(year, 1, 1), date(year, 12, 31), "year", text)


def _month_end(year: int, month: int) -> date:
    if month == 12:  # not via 1 January of the next year, which does not exist after 9999
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def parse_period(text: str) -> Span:
    """Parse a period string; raise :class:`PeriodError` when it does not parse.

    Spans are frozen, so one parse of each string is remembered (a base of 100,000
    observations has a few hundred distinct periods); a string that does not parse
    is not remembered and raises every time.
    """
    if not isinstance(text, str):
        raise PeriodError(f"a period is a string, not {type(text).__name__}")
    return _parse_period(str(text))


@lru_cache(maxsize=4096)
def _parse_period(text: str) -> Span:
    if "/" in text:
        first_text, _, last_text = text.partition("/")
        first, last = _single(first_text), _single(last_text)
        if last.end < first.start or (first.start, first.end) > (last.start, last.end):
            raise PeriodError(f"{text!r}: the range ends before it starts")
        kind = "span"
        if first.granularity == last.granularity == "month" and first.start.year == last.start.year:
            kind = "year_to_date" if first.start.month == 1 else "span"
        return Span(first.start, last.end, kind, text)
    return _single(text)


def parse_date(text: str) -> Span:
    """Parse a partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``)."""
    span = parse_period(text)
    if span.granularity not in ("year", "month", "day"):
        raise PeriodError(f"{text!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    return span


def sort_key(text: str) -> tuple[date, date]:
    """Chronological key: by first day, then by last day (a year sorts after its Q1)."""
    span = parse_period(text)
    return (span.start, span.end)


def previous_comparable(text: str) -> str | None:
    """The period a change is measured from, or None where there is none.

    A year follows the year before; a half, quarter, month or day is compared
    year on year (the same part of the previous year), as the sources report
    growth; a year to date follows the same months of the year before; a range
    of years follows the range of the same length that ends the year before it
    starts.
    """
    span = parse_period(text)
    year = span.start.year
    if span.granularity == "year":
        return str(year - 1)
    if span.granularity in ("half", "quarter", "month"):
        return f"{year - 1}{text[4:]}"
    if span.granularity == "day":
        try:
            return date(year - 1, span.start.month, span.start.day).isoformat()
        except ValueError:
            return None
    first, _, last = text.partition("/")
    if span.granularity == "year_to_date":  # January to the same month of the year before
        return f"{year - 1}{first[4:]}/{year - 1}{last[4:]}"
    first_span, last_span = _single(first), _single(last)
    if first_span.granularity == last_span.granularity == "year":
        length = last_span.start.year - first_span.start.year + 1
        return f"{first_span.start.year - length}/{first_span.start.year - 1}"
    return None
