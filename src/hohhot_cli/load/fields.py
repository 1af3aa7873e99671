"""Reading the fields of a parsed TOML document, strictly, collecting every problem.

:class:`FieldReader` is what :mod:`hohhot_cli.load.building` builds on: typed getters
that report a wrong type, an empty string, an unknown or missing key, an id of the wrong
shape, a reference to check once every id is known, each as a :class:`Problem` naming the
file, the place (``metrics[3] (gdp.total).observations[1].period``) and the line where a
search for the entry's id finds one. The work done for a bad file is bounded: at most
:data:`MAX_PROBLEMS` problems are kept (the rest are counted), and did-you-mean suggestions
share one budget per file.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from hohhot_cli.model.errors import Problem
from hohhot_cli.model.periods import PeriodError

MAX_ABS_VALUE = 10**18
"""Largest magnitude accepted for a value: beyond it a figure is a typo, and floats lose integers."""

MAX_NAME_CHARS = 500
"""Longest label, name, title or other short string (ids, publishers, authors, aliases, tags)."""

MAX_ADDRESS_CHARS = 2_000
"""Longest address (``url``, ``read_at``)."""

MAX_TEXT_CHARS = 5_000
"""Longest text: notes, descriptions and the text of a fact."""

_TEXT_KEYS = frozenset({"note", "description", "text"})
_ADDRESS_KEYS = frozenset({"url", "read_at"})

MAX_SUGGESTION_CANDIDATES = 20
"""Most ids a did-you-mean compares one unknown reference with (same first character, similar length)."""

SUGGESTION_BUDGET = 2_000
"""Most comparisons all did-you-means of one file may make (unknown keys and unknown ids alike);
beyond it problems get no suggestion, so that a file of a million typos is reported in linear time."""

DOTTED_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
"""A metric or fact id (``gdp.total``), matched whole (fullmatch) with ASCII classes."""

MAX_SUGGESTED_CHARS = 100
"""Longest unknown key or id a did-you-mean is looked for (comparing long strings costs their product)."""

MAX_PROBLEMS = 1_000
"""Most problems kept for one file; beyond them problems are only counted (:attr:`FieldReader.omitted`)."""

_ID_LINE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*[\"']([^\"'\n]*)[\"']")

E = TypeVar("E", bound=Enum)


class FieldReader:
    """Typed getters over the tables of one document, collecting problems."""

    def __init__(self, name: str, text: str | None) -> None:
        self.name = name
        self.text = text
        self.problems: list[Problem] = []
        self.omitted = 0
        """Problems found beyond the first :data:`MAX_PROBLEMS`, counted but not kept."""
        self._line_index: dict[tuple[str, str], list[int]] | None = None
        self._suggestion_budget = SUGGESTION_BUDGET
        # (place, kind, ids) of every reference, checked once all ids are known.
        self.references: list[tuple[str, str, tuple[str, ...]]] = []
        # Until a supported version is read, the lenient rules of version 1: a file with a bad
        # version gets that one problem, not one more for every key version 2 requires.
        self.version = 1
        # The base's ``updated`` date, once read: no entry was added after it.
        self.updated = ""

    def problem(self, place: str, message: str, line: int | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.name, place, message, line))
        else:
            self.omitted += 1

    @property
    def full(self) -> bool:
        """Whether problems are only counted now: a caller may skip composing their messages."""
        return len(self.problems) >= MAX_PROBLEMS

    def line_of_id(self, key: str, value: str, occurrence: int = 1) -> int | None:
        """The line of the n-th ``key = "value"``, to point people at the entry.

        The file is scanned once, into an index of every ``key = "value"`` line: a file
        with thousands of duplicate ids is reported in linear time.
        """
        if self.text is None:
            return None
        if self._line_index is None:
            self._line_index = {}
            for number, line in enumerate(self.text.splitlines(), start=1):
                found = _ID_LINE.match(line)
                if found is not None:
                    self._line_index.setdefault((found[1], found[2]), []).append(number)
        lines = self._line_index.get((key, value), [])
        return lines[occurrence - 1] if 0 < occurrence <= len(lines) else None

    def check_keys(
        self, table: dict[str, Any], place: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> bool:
        """Report unknown and missing keys; True when all required keys are there."""
        allowed, choices = _allowed_keys(required, optional)
        if allowed.issuperset(table) and all(key in table for key in required):
            return True  # the usual case, without a problem to report
        for key in table:
            if key not in allowed:
                if self.full:  # counted only: no message, no suggestion
                    self.omitted += 1
                    continue
                hint = self.closest(key, choices)
                suffix = f" (did you mean {hint!r}?)" if hint else ""
                self.problem(place, f"unknown key {key!r}{suffix}")
        complete = True
        for key in required:
            if key not in table:
                self.problem(place, f"missing required key {key!r}")
                complete = False
        return complete

    def string(self, table: dict[str, Any], key: str, place: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(at(place, key), f"expected a string, got {type_name(value)}")
            return default
        if key in table and not value.strip():
            self.problem(at(place, key), "must not be empty")
        return self.bounded(value, key, place)

    def bounded(self, value: str, key: str, place: str) -> str:
        """The string, with a problem when it holds a NUL or is longer than its kind allows (MAX_*_CHARS)."""
        if "\x00" in value:
            # Escaped in TOML as \u0000: no text needs it, and CSV writers cannot hold it.
            self.problem(at(place, key), "contains a NUL character")
        limit = MAX_TEXT_CHARS if key in _TEXT_KEYS else MAX_ADDRESS_CHARS if key in _ADDRESS_KEYS else MAX_NAME_CHARS
        if len(value) > limit:
            self.problem(at(place, key), f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    def optional_string(self, table: dict[str, Any], key: str, place: str) -> str | None:
        if key not in table:
            return None
        return self.string(table, key, place) or None

    def strings(self, table: dict[str, Any], key: str, place: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            return (self.bounded(value, key, place),)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(at(place, key), f"expected a string or a list of strings, got {type_name(value)}")
            return ()
        return tuple(self.bounded(v, key, place) for v in value)

    def boolean(self, table: dict[str, Any], key: str, place: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(at(place, key), f"expected true or false, got {type_name(value)}")
            return False
        return value

    def enum(self, table: dict[str, Any], key: str, place: str, kind: type[E], default: E | None) -> E | None:
        if key not in table:
            if default is None:
                return None
            return default
        value = table[key]
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            self.problem(at(place, key), f"{value!r} is not one of: {choices}")
            return None

    def number(self, table: dict[str, Any], key: str, place: str) -> int | float | None:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(at(place, key), f"expected a number, got {type_name(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(at(place, key), f"{value} is not a finite number")
            return None
        if abs(value) > MAX_ABS_VALUE:
            self.problem(at(place, key), "is out of range (more than 10^18 in magnitude)")
            return None
        return value

    def period(self, table: dict[str, Any], key: str, place: str, parse: Callable[[str], object]) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            value = value.isoformat()  # a bare TOML date is as good as the string
        if not isinstance(value, str):
            self.problem(at(place, key), f"expected a string, got {type_name(value)}")
            return None
        try:
            parse(value)
        except PeriodError as error:
            self.problem(at(place, key), str(error))
            return None
        return value

    def added(self, table: dict[str, Any], place: str) -> str | None:
        """The ``added`` date of a figure or fact: a full date, not after the base's ``updated`` date."""
        from hohhot_cli.model.periods import parse_date

        added = self.period(table, "added", place, parse_date)
        if added is None:
            return None
        if parse_date(added).granularity != "day":
            self.problem(at(place, "added"), f"{added!r} must be a full date (YYYY-MM-DD)")
            return None
        if self.updated and added > self.updated:
            self.problem(at(place, "added"), f"{added} is after the base's updated date, {self.updated}")
        return added

    def array_of_tables(self, document: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = document.get(key, [])
        if not isinstance(value, list):
            self.problem(key, f"expected an array of tables ([[{key}]]), got {type_name(value)}")
            return []
        return list(self.tables(key, [value]))

    def tables(self, key: str, parts: Iterable[list[Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
        """The place and table of each entry of an array of tables given in parts; other entries are problems."""
        index = 0
        for entries in parts:
            for entry in entries:
                place = f"{key}[{index}]"
                index += 1
                if not isinstance(entry, dict):
                    self.problem(place, f"expected a table, got {type_name(entry)}")
                    continue
                entry_id = entry.get("id")
                if isinstance(entry_id, str):
                    place = f"{place} ({entry_id})"
                yield place, entry

    def entry_id(self, table: dict[str, Any], place: str, pattern: re.Pattern[str], shape: str) -> str:
        value = self.string(table, "id", place)
        if value and not pattern.fullmatch(value):
            self.problem(f"{place}.id", f"{value!r} is not a valid id ({shape})", self.line_of_id("id", value))
        return value

    def suggest(self, word: str, candidates_by_start: dict[tuple[str, int], list[str]]) -> str | None:
        """The closest id to an unknown one, among a bounded set of candidates (see :func:`buckets`)."""
        if self._suggestion_budget <= 0 or len(word) > MAX_SUGGESTED_CHARS:
            return None
        candidates: list[str] = []
        for length in sorted(range(len(word) - 3, len(word) + 4), key=lambda n: abs(n - len(word))):
            candidates.extend(candidates_by_start.get((word[:1], length), ()))
            if len(candidates) >= MAX_SUGGESTION_CANDIDATES:
                break
        return self.closest(word, sorted(candidates[:MAX_SUGGESTION_CANDIDATES]))

    def closest(self, word: str, candidates: list[str]) -> str | None:
        """The closest of a few candidates to a word, while the file's suggestion budget lasts.

        A word longer than :data:`MAX_SUGGESTED_CHARS` gets none: no key or id is that long.
        """
        if self._suggestion_budget <= 0 or not candidates or len(word) > MAX_SUGGESTED_CHARS:
            return None
        self._suggestion_budget -= len(candidates)
        return _closest(word, candidates)

    def refer(self, place: str, kind: str, ids: tuple[str, ...]) -> None:
        self.references.append((place, kind, ids))

    def sources_of(self, table: dict[str, Any], place: str, key: str = "source") -> tuple[str, ...]:
        ids = self.strings(table, key, place)
        if key in table and not ids and table[key] == []:
            self.problem(at(place, key), "names no source")
        self.refer(f"{place}.source", "source", ids)
        return ids

    def industry_of(self, table: dict[str, Any], place: str) -> str | None:
        value = self.optional_string(table, "industry", place)
        if value is not None:
            self.refer(f"{place}.industry", "industry", (value,))
        return value

    def fact_of(self, table: dict[str, Any], place: str) -> str | None:
        value = self.optional_string(table, "conflicts_with", place)
        if value is not None:
            self.refer(f"{place}.conflicts_with", "fact", (value,))
        return value

    def check_unique(self, what: str, ids: list[str]) -> None:
        seen: dict[str, int] = {}
        for value in ids:
            seen[value] = seen.get(value, 0) + 1
            if value and seen[value] > 1:
                self.problem(what, f"duplicate id {value!r}", self.line_of_id("id", value, seen[value]))


@lru_cache(maxsize=64)
def _allowed_keys(required: tuple[str, ...], optional: tuple[str, ...]) -> tuple[frozenset[str], list[str]]:
    """The keys a table allows, as a set and sorted (what a did-you-mean compares with)."""
    allowed = frozenset(required) | frozenset(optional)
    return allowed, sorted(allowed)


def at(place: str, key: str) -> str:
    """The place of a key: ``metrics[0] (gdp.total).unit``, or just ``updated`` at the top."""
    return f"{place}.{key}" if place else key


def type_name(value: object) -> str:
    """What a TOML value is, as a message says it (``an integer``, ``a table``)."""
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
        _dt.date: "a date",
        _dt.datetime: "a date-time",
        _dt.time: "a time",
    }
    return names.get(type(value), type(value).__name__)


def buckets(ids: set[str]) -> dict[tuple[str, int], list[str]]:
    """Ids by first character and length: the candidates a did-you-mean looks at."""
    found: dict[tuple[str, int], list[str]] = {}
    for value in sorted(ids):
        found.setdefault((value[:1], len(value)), []).append(value)
    return found


def _closest(word: str, choices: list[str]) -> str | None:
    from difflib import get_close_matches  # only on the error path

    found = get_close_matches(word, choices, n=1, cutoff=0.75)
    return found[0] if found else None
