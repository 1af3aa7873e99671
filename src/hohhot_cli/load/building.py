"""Building a :class:`FactBase` from a parsed TOML document, strictly.

Every problem is collected, not only the first, so that ``hohhot validate``
can report all of them at once. Problems name the file, the place (a table
path such as ``metrics[3] (gdp.total).observations[1].period``), the line
where a search for the entry's id gives one, and what is wrong.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from hohhot_cli.load.addresses import check_addresses
from hohhot_cli.model.errors import FactFileError, Problem
from hohhot_cli.model.facts import (
    STATUS_PREFERENCE,
    City,
    Company,
    Conversion,
    Exactness,
    Fact,
    FactBase,
    FactKind,
    Industry,
    IndustryKind,
    Item,
    Metric,
    Observation,
    Source,
    SourceKind,
    Status,
    Topic,
    Unit,
)
from hohhot_cli.model.periods import PeriodError, Span, parse_date, parse_period

SCHEMA_VERSION = 2
"""The file format version this loader writes about and reads."""

SCHEMA_VERSIONS = (1, 2)
"""Versions it reads: version 1 lacks source kinds, topics and Chinese labels, and calls
future industries "emerging"."""

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
"""Most comparisons all did-you-means of one file may make; beyond it problems get no suggestion."""

_ID_LINE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*[\"']([^\"'\n]*)[\"']")

# Matched whole (fullmatch), with ASCII classes: no trailing newline, no other script's digits.
_DOTTED_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
_PLAIN_ID = re.compile(r"[a-z][a-z0-9_-]*")
_SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")

E = TypeVar("E", bound=Enum)


def build_base(
    document: dict[str, Any], name: str, text: str | None, metric_parts: Iterable[list[Any]] | None = None
) -> FactBase:
    """Validate a document into a base; raise :class:`FactFileError` with every problem.

    ``text`` is the file's text, searched for the line of an entry that has a problem.
    None is for the quick way (see :mod:`hohhot_cli.load.loader`), which shows no problem: it
    only needs to know whether there is one, and asks the reference path for them all.
    ``metric_parts``, when given, are the tables of ``[[metrics]]`` in order, a list at a
    time (see :func:`~hohhot_cli.load.reading.parse_toml_in_parts`), in place of the document's
    ``metrics``: each list is dropped once its metrics are built.
    """
    builder = _Builder(name, text)
    base = builder.build(document, metric_parts)
    if builder.problems or base is None:
        raise FactFileError(builder.problems)
    return base


class _Builder:
    """Turns a parsed TOML document into model objects, collecting problems."""

    def __init__(self, name: str, text: str | None) -> None:
        self.name = name
        self.text = text
        self.problems: list[Problem] = []
        self._line_index: dict[tuple[str, str], list[int]] | None = None
        self._suggestion_budget = SUGGESTION_BUDGET
        # The sort keys of the periods and of the as-of dates plain observations have had
        # (two apart: 2024-Q1 is a period, not a date).
        self.periods: dict[str, tuple[_dt.date, _dt.date]] = {}
        self.dates: dict[str, tuple[_dt.date, _dt.date]] = {}
        self.shared: dict[Any, Any] = {}
        # (place, kind, ids) of every reference, checked once all ids are known.
        # A place is a string, or (metric place, index) for an observation's sources: formatted
        # only when a reference turns out unknown. Without a text (the quick way) the sources of
        # plain observations are not listed here: they are the tuples among the keys of shared.
        self.references: list[tuple[str | tuple[str, int], str, tuple[str, ...]]] = []
        # Until a supported version is read, the lenient rules of version 1: a file with a bad
        # version gets that one problem, not one more for every key version 2 requires.
        self.version = 1

    # -- reporting -----------------------------------------------------

    def problem(self, place: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.name, place, message, line))

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

    # -- typed getters -------------------------------------------------

    def check_keys(
        self, table: dict[str, Any], place: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> bool:
        """Report unknown and missing keys; True when all required keys are there."""
        allowed = _allowed_keys(required, optional)
        if allowed.issuperset(table) and all(key in table for key in required):
            return True  # the usual case, without a problem to report
        for key in table:
            if key not in allowed:
                hint = _closest(key, sorted(allowed))
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
            self.problem(_at(place, key), f"expected a string, got {_type_name(value)}")
            return default
        if key in table and not value.strip():
            self.problem(_at(place, key), "must not be empty")
        return self.bounded(value, key, place)

    def bounded(self, value: str, key: str, place: str) -> str:
        """The string, with a problem when it holds a NUL or is longer than its kind allows (MAX_*_CHARS)."""
        if "\x00" in value:
            # Escaped in TOML as \u0000: no text needs it, and CSV writers cannot hold it.
            self.problem(_at(place, key), "contains a NUL character")
        limit = MAX_TEXT_CHARS if key in _TEXT_KEYS else MAX_ADDRESS_CHARS if key in _ADDRESS_KEYS else MAX_NAME_CHARS
        if len(value) > limit:
            self.problem(_at(place, key), f"is {len(value):,} characters long; the limit is {limit:,}")
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
            self.problem(_at(place, key), f"expected a string or a list of strings, got {_type_name(value)}")
            return ()
        return tuple(self.bounded(v, key, place) for v in value)

    def boolean(self, table: dict[str, Any], key: str, place: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(_at(place, key), f"expected true or false, got {_type_name(value)}")
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
            self.problem(_at(place, key), f"{value!r} is not one of: {choices}")
            return None

    def number(self, table: dict[str, Any], key: str, place: str) -> int | float | None:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(_at(place, key), f"expected a number, got {_type_name(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(_at(place, key), f"{value} is not a finite number")
            return None
        if abs(value) > MAX_ABS_VALUE:
            self.problem(_at(place, key), "is out of range (more than 10^18 in magnitude)")
            return None
        return value

    def period(self, table: dict[str, Any], key: str, place: str, parse: Callable[[str], object]) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            value = value.isoformat()  # a bare TOML date is as good as the string
        if not isinstance(value, str):
            self.problem(_at(place, key), f"expected a string, got {_type_name(value)}")
            return None
        try:
            parse(value)
        except PeriodError as error:
            self.problem(_at(place, key), str(error))
            return None
        return value

    def array_of_tables(self, document: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = document.get(key, [])
        if not isinstance(value, list):
            self.problem(key, f"expected an array of tables ([[{key}]]), got {_type_name(value)}")
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
                    self.problem(place, f"expected a table, got {_type_name(entry)}")
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

    # -- the document --------------------------------------------------

    def build(self, document: dict[str, Any], metric_parts: Iterable[list[Any]] | None = None) -> FactBase | None:
        self.check_keys(
            document,
            "",
            ("schema_version", "updated", "city", "sources", "metrics"),
            ("industries", "facts", "companies", "topics"),
        )
        version = document.get("schema_version")
        # type() rather than ==: true and 1.0 compare equal to 1 but are not a version.
        if "schema_version" in document and (type(version) is not int or version not in SCHEMA_VERSIONS):
            readable = " and ".join(str(v) for v in SCHEMA_VERSIONS)
            self.problem("schema_version", f"unsupported version {version!r} (this hohhot reads {readable})")
        elif type(version) is int:
            self.version = version
        updated = self.period(document, "updated", "", parse_date) or ""
        if updated and parse_date(updated).granularity != "day":
            self.problem("updated", f"{updated!r} must be a full date (YYYY-MM-DD)")

        sources = [self.source(place, table) for place, table in self.array_of_tables(document, "sources")]
        industries = [self.industry(place, table) for place, table in self.array_of_tables(document, "industries")]
        metric_tables = (
            self.array_of_tables(document, "metrics") if metric_parts is None else self.tables("metrics", metric_parts)
        )
        metrics = [self.metric(place, table) for place, table in metric_tables]
        facts = [self.fact(place, table) for place, table in self.array_of_tables(document, "facts")]
        companies = [self.company(place, table) for place, table in self.array_of_tables(document, "companies")]
        topics = [self.topic(place, table) for place, table in self.array_of_tables(document, "topics")]
        city = self.city(document.get("city"))

        self.check_unique("sources", [s.id for s in sources])
        self.check_unique("industries", [i.id for i in industries])
        self.check_unique("companies", [c.id for c in companies])
        self.check_unique("topics", [t.id for t in topics])
        # Metrics and facts share one namespace: both are looked up by dotted id.
        self.check_unique("metrics and facts", [m.id for m in metrics] + [f.id for f in facts])
        self.check_aliases(metrics, industries)

        known = {
            "source": {s.id for s in sources},
            "industry": {i.id for i in industries},
            "fact": {f.id for f in facts},
        }
        buckets = {kind: _buckets(ids) for kind, ids in known.items()}
        if self.text is None:
            unknown = {ref for key in self.shared if type(key) is tuple for ref in key} - known["source"]
            if unknown:
                self.problem("", f"unknown sources {sorted(unknown)!r}")  # the reference path says where
        for place, kind, refs in self.references:
            ids = known[kind]
            for ref in refs:
                if ref not in ids:
                    hint = self.suggest(ref, buckets[kind])
                    suffix = f" (did you mean {hint!r}?)" if hint else ""
                    if isinstance(place, tuple):
                        place = f"{place[0]}.observations[{place[1]}].source"
                    self.problem(place, f"unknown {kind} {ref!r}{suffix}")

        if self.problems or city is None:
            return None
        return FactBase(
            schema_version=self.version,
            updated=updated,
            city=city,
            sources=tuple(sources),
            industries=tuple(industries),
            metrics=tuple(metrics),
            facts=tuple(facts),
            companies=tuple(companies),
            topics=tuple(topics),
            path=self.name,
        )

    def suggest(self, word: str, buckets: dict[tuple[str, int], list[str]]) -> str | None:
        """The closest id to an unknown one, among a bounded set of candidates, within the file's budget."""
        if self._suggestion_budget <= 0:
            return None
        candidates: list[str] = []
        for length in sorted(range(len(word) - 3, len(word) + 4), key=lambda n: abs(n - len(word))):
            candidates.extend(buckets.get((word[:1], length), ()))
            if len(candidates) >= MAX_SUGGESTION_CANDIDATES:
                break
        candidates = candidates[:MAX_SUGGESTION_CANDIDATES]
        self._suggestion_budget -= len(candidates)
        return _closest(word, sorted(candidates)) if candidates else None

    def refer(self, place: str, kind: str, ids: tuple[str, ...]) -> None:
        self.references.append((place, kind, ids))

    def sources_of(self, table: dict[str, Any], place: str, key: str = "source") -> tuple[str, ...]:
        ids = self.strings(table, key, place)
        if key in table and not ids and table[key] == []:
            self.problem(_at(place, key), "names no source")
        self.refer(f"{place}.source", "source", ids)
        return ids

    def industry_of(self, table: dict[str, Any], place: str) -> str | None:
        value = self.optional_string(table, "industry", place)
        if value is not None:
            self.refer(f"{place}.industry", "industry", (value,))
        return value

    def check_unique(self, what: str, ids: list[str]) -> None:
        seen: dict[str, int] = {}
        for value in ids:
            seen[value] = seen.get(value, 0) + 1
            if value and seen[value] > 1:
                self.problem(what, f"duplicate id {value!r}", self.line_of_id("id", value, seen[value]))

    def check_aliases(self, metrics: list[Metric], industries: list[Industry]) -> None:
        # A metric alias that is also a topic (a dotted prefix of some id) could never be
        # reached: `hohhot metric gdp` lists the gdp topic.
        topics = {m.id.rsplit(".", depth)[0] for m in metrics for depth in range(1, m.id.count(".") + 1)}
        for metric in metrics:
            for alias in metric.aliases:
                if alias.casefold() in topics:
                    self.problem(
                        f"metrics ({metric.id}).aliases", f"alias {alias!r} is a topic too, so it would never be used"
                    )
        for group, entries in (("metrics", metrics), ("industries", industries)):
            owner: dict[str, str] = {entry.id: entry.id for entry in entries}
            for entry in entries:
                for alias in entry.aliases:
                    other = owner.setdefault(alias.casefold(), entry.id)
                    if other != entry.id:
                        self.problem(f"{group} ({entry.id}).aliases", f"alias {alias!r} is already used by {other!r}")

    def source(self, place: str, table: dict[str, Any]) -> Source:
        required = ("id", "publisher", "title", "date") + (("kind",) if self.version >= 2 else ())
        optional = ("url", "authors", "note", "kind", "read_at", "reprinted_by", "checked", "undated")
        self.check_keys(table, place, required, optional)
        kind = self.enum(table, "kind", place, SourceKind, None)
        url = self.optional_string(table, "url", place)
        read_at = self.optional_string(table, "read_at", place)
        check_addresses(self.problem, place, url=url, read_at=read_at)
        checked = self.period(table, "checked", place, parse_date)
        if kind is SourceKind.REPRINT and read_at is None:
            self.problem(place, "a reprint needs 'read_at', the address of the copy that was read")
        if read_at is not None and kind is not SourceKind.REPRINT:
            self.problem(_at(place, "read_at"), "only a reprint is read somewhere else than its own address")
        if self.version >= 2 and (url or read_at) and checked is None:
            self.problem(place, "an address needs 'checked', the date it was last checked")
        return Source(
            id=self.entry_id(table, place, _SOURCE_ID, "lowercase letters, digits and hyphens"),
            publisher=self.string(table, "publisher", place),
            title=self.string(table, "title", place),
            date=self.period(table, "date", place, parse_date) or "",
            url=url,
            authors=self.strings(table, "authors", place),
            note=self.string(table, "note", place),
            kind=kind,
            read_at=read_at,
            reprinted_by=self.string(table, "reprinted_by", place),
            checked=checked,
            undated=self.boolean(table, "undated", place),
        )

    def topic(self, place: str, table: dict[str, Any]) -> Topic:
        self.check_keys(table, place, ("id", "name"), ("name_zh",))
        return Topic(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            name_zh=self.string(table, "name_zh", place),
        )

    def industry(self, place: str, table: dict[str, Any]) -> Industry:
        self.check_keys(table, place, ("id", "name", "kind", "source"), ("name_zh", "description", "aliases"))
        return Industry(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            kind=self.industry_kind(table, place),
            sources=self.sources_of(table, place),
            name_zh=self.string(table, "name_zh", place),
            description=self.string(table, "description", place),
            aliases=self.strings(table, "aliases", place),
        )

    def industry_kind(self, table: dict[str, Any], place: str) -> IndustryKind:
        if self.version == 1 and table.get("kind") == "emerging":
            return IndustryKind.FUTURE  # version 1's name for it
        return self.enum(table, "kind", place, IndustryKind, None) or IndustryKind.PILLAR

    def metric(self, place: str, table: dict[str, Any]) -> Metric:
        self.check_keys(
            table,
            place,
            ("id", "label", "unit", "observations"),
            ("description", "industry", "aliases", "tags", "label_zh"),
        )
        unit = self.enum(table, "unit", place, Unit, None)
        observations: list[Observation] = []
        raw = table.get("observations", [])
        if not isinstance(raw, list):
            self.problem(f"{place}.observations", f"expected an array of tables, got {_type_name(raw)}")
            raw = []
        if "observations" in table and not raw:
            self.problem(f"{place}.observations", "a metric needs at least one observation")
        plain_observation, rank = self.plain_observation, unit is Unit.RANK
        for index, entry in enumerate(raw):
            # The usual case first: a plain observation, nothing to report about it.
            observation = plain_observation(entry, place, index)
            if observation is None:
                where = f"{place}.observations[{index}]"
                if not isinstance(entry, dict):
                    self.problem(where, f"expected a table, got {_type_name(entry)}")
                    continue
                observation = self.observation(where, entry)
                if observation is None:
                    continue
            if rank and not _is_rank(observation.value):
                where = f"{place}.observations[{index}]"
                self.problem(f"{where}.value", f"a rank is a positive integer, not {observation.value!r}")
            observations.append(observation)
        observations.sort(key=self.chronological)
        metric_id = self.entry_id(table, place, _DOTTED_ID, "lowercase, dotted by topic: 'gdp.total'")
        return Metric(
            id=metric_id,
            label=self.string(table, "label", place),
            unit=unit or Unit.COUNT,
            observations=_link(metric_id, observations),
            description=self.string(table, "description", place),
            industry=self.industry_of(table, place),
            aliases=self.strings(table, "aliases", place),
            tags=self.strings(table, "tags", place),
            label_zh=self.string(table, "label_zh", place),
        )

    def plain_observation(self, table: object, metric_place: str, index: int) -> Observation | None:
        """The observation of a table that :meth:`observation` would take without a word, else None.

        A large base is almost all observations, nearly all of them a value, a period, a
        source or two and perhaps a status and a note: those are checked here by the same
        rules with less work. Anything else (a conversion, a date-typed period, any value
        that would be reported) returns None, and :meth:`observation` does the whole job,
        problems and all; nothing is recorded here unless the observation is taken.
        """
        if type(table) is not dict or not _OBSERVATION_KEYS.issuperset(table):
            return None
        get = table.get
        value: Any = get("value")
        kind = type(value)
        if (kind is not int and kind is not float) or not -MAX_ABS_VALUE <= value <= MAX_ABS_VALUE:
            return None  # also NaN, which compares false
        sources = get("source")
        if type(sources) is str:
            if len(sources) > MAX_NAME_CHARS or "\x00" in sources:
                return None
            sources = (sources,)
        elif type(sources) is list and sources and all(_plain_name(s) for s in sources):
            sources = tuple(sources)
        else:
            return None
        period = get("period")
        as_of = None
        if period is not None:
            if "as_of" in table or type(period) is not str:
                return None
            if period not in self.periods and not _learn(period, parse_period, self.periods):
                return None
        else:
            as_of = get("as_of")
            if "period" in table or type(as_of) is not str:  # TOML has no null: a period of None is no period
                return None
            if as_of not in self.dates and not _learn(as_of, parse_date, self.dates):
                return None
        exactness = get("exactness", _EXACT)
        if exactness is not _EXACT:
            exactness = _EXACTNESS.get(exactness) if type(exactness) is str else None
        status = get("status", _ACTUAL)
        if status is not _ACTUAL:
            status = _STATUSES.get(status) if type(status) is str else None
        note = get("note", "")
        if exactness is None or status is None:
            return None
        shared = self.shared.setdefault
        if note != "":
            if type(note) is not str or not note.strip() or len(note) > MAX_TEXT_CHARS or "\x00" in note:
                return None
            note = shared(note, note)
        elif "note" in table:  # given empty
            return None
        # Equal sources, periods and notes held once: a large base repeats them thousands of times.
        sources = shared(sources, sources)
        if period is not None:
            period = shared(period, period)
        else:
            as_of = shared(as_of, as_of)
        if self.text is not None:
            self.references.append(((metric_place, index), "source", sources))
        # Made as codec and pickle restore an object, its fields stored in declaration order
        # (the order keeps the instance dictionaries as compact as the constructor's).
        # Plain stores, not a loop: a third of the time, for 100,000 observations.
        observation: Observation = object.__new__(Observation)
        fields = vars(observation)
        fields["value"] = value
        fields["sources"] = sources
        fields["period"] = period
        fields["as_of"] = as_of
        fields["exactness"] = exactness
        fields["status"] = status
        fields["note"] = note
        fields["conversion"] = None
        fields["ref"] = ""  # set by _link, with the links below when a period has several figures
        fields["supersedes"] = ()
        fields["superseded_by"] = ()
        fields["conflicts_with"] = ()
        return observation

    def chronological(self, observation: Observation) -> tuple[_dt.date, _dt.date]:
        """:func:`~hohhot_cli.model.periods.sort_key` of what dates an observation."""
        if observation.period is not None:
            key = self.periods.get(observation.period)
        else:
            key = self.dates.get(str(observation.as_of))
        return key if key is not None else _chronological(observation)

    def observation(self, place: str, table: dict[str, Any]) -> Observation | None:
        complete = self.check_keys(
            table,
            place,
            ("value", "source"),
            ("period", "as_of", "exactness", "status", "note", "converted"),
        )
        if "period" in table and "as_of" in table:
            self.problem(place, "give either 'period' or 'as_of', not both")
        elif "period" not in table and "as_of" not in table:
            self.problem(place, "missing 'period' (or 'as_of', the source's date, for an undated figure)")
        value = self.number(table, "value", place) if "value" in table else None
        sources = self.sources_of(table, place)
        period = self.period(table, "period", place, parse_period)
        as_of = self.period(table, "as_of", place, parse_date)
        exactness = self.enum(table, "exactness", place, Exactness, Exactness.EXACT)
        status = self.enum(table, "status", place, Status, Status.ACTUAL)
        note = self.string(table, "note", place)
        conversion = self.conversion(f"{place}.converted", table.get("converted"))
        if not complete or value is None or (period is None and as_of is None):
            return None
        return Observation(
            value=value,
            sources=sources,
            period=period,
            as_of=as_of,
            exactness=exactness or Exactness.EXACT,
            status=status or Status.ACTUAL,
            note=note,
            conversion=conversion,
        )

    def conversion(self, place: str, table: object) -> Conversion | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            self.problem(place, f"expected a table, got {_type_name(table)}")
            return None
        if not self.check_keys(table, place, ("value", "unit"), ("note",)):
            return None
        value = self.number(table, "value", place)
        unit = self.enum(table, "unit", place, Unit, None)
        note = self.string(table, "note", place)
        if value is None or unit is None:
            return None
        return Conversion(value=value, unit=unit, note=note)

    def fact(self, place: str, table: dict[str, Any]) -> Fact:
        self.check_keys(
            table,
            place,
            ("id", "kind", "label", "text", "source"),
            ("items", "date", "period", "as_of", "industry", "tags", "conflicts_with"),
        )
        kind = self.enum(table, "kind", place, FactKind, None) or FactKind.FACT
        date = self.period(table, "date", place, parse_date)
        dated = "date" in table or "period" in table
        if "kind" in table and not dated:
            # A title may be known only as held on a date ("as_of"); an event needs its date.
            if kind is FactKind.EVENT:
                self.problem(place, "a fact of kind 'event' needs a 'date' or 'period'")
            elif kind is FactKind.TITLE and "as_of" not in table:
                self.problem(place, "a fact of kind 'title' needs a 'date', a 'period' or an 'as_of'")
        return Fact(
            id=self.entry_id(table, place, _DOTTED_ID, "lowercase, dotted by topic: 'plans.airport'"),
            kind=kind,
            label=self.string(table, "label", place),
            text=self.string(table, "text", place),
            sources=self.sources_of(table, place),
            items=self.items(f"{place}.items", table.get("items", [])),
            date=date,
            period=self.period(table, "period", place, parse_period),
            as_of=self.period(table, "as_of", place, parse_date),
            industry=self.industry_of(table, place),
            tags=self.strings(table, "tags", place),
            conflicts_with=self.fact_of(table, place),
        )

    def fact_of(self, table: dict[str, Any], place: str) -> str | None:
        value = self.optional_string(table, "conflicts_with", place)
        if value is not None:
            self.refer(f"{place}.conflicts_with", "fact", (value,))
        return value

    def items(self, place: str, raw: object) -> tuple[Item, ...]:
        if not isinstance(raw, list):
            self.problem(place, f"expected an array of tables, got {_type_name(raw)}")
            return ()
        items = []
        for index, entry in enumerate(raw):
            where = f"{place}[{index}]"
            if not isinstance(entry, dict):
                self.problem(where, f"expected a table, got {_type_name(entry)}")
                continue
            self.check_keys(entry, where, ("name",), ("name_zh", "note"))
            items.append(
                Item(
                    name=self.string(entry, "name", where),
                    name_zh=self.string(entry, "name_zh", where),
                    note=self.string(entry, "note", where),
                )
            )
        return tuple(items)

    def company(self, place: str, table: dict[str, Any]) -> Company:
        self.check_keys(table, place, ("id", "name", "source"), ("name_zh", "industry", "description"))
        return Company(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            sources=self.sources_of(table, place),
            name_zh=self.string(table, "name_zh", place),
            industry=self.industry_of(table, place),
            description=self.string(table, "description", place),
        )

    def city(self, table: object) -> City | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            self.problem("city", f"expected a table, got {_type_name(table)}")
            return None
        keys = ("name", "name_zh", "province", "province_zh", "source")
        self.check_keys(table, "city", keys, ())
        return City(
            name=self.string(table, "name", "city"),
            name_zh=self.string(table, "name_zh", "city"),
            province=self.string(table, "province", "city"),
            province_zh=self.string(table, "province_zh", "city"),
            sources=self.sources_of(table, "city"),
        )


def link_observations(metric_id: str, observations: list[Observation]) -> tuple[Observation, ...]:
    """The observations with their refs, and which of one period supersede or conflict with which.

    A ref is ``gdp.total@2021`` for a period, ``gdp.total@as-of-2024-05-28`` for a figure
    its source does not date, with ``#1``, ``#2`` (in file order) where there are several.
    Of several figures for one period (or one as-of date) that differ, the most final
    status (:data:`STATUS_PREFERENCE`) supersedes the others; figures as final as each
    other that differ conflict. Targets stand apart: a goal is not replaced by an outcome.
    """
    return _link(metric_id, [_copy(observation) for observation in observations])


def _link(metric_id: str, observations: list[Observation]) -> tuple[Observation, ...]:
    """:func:`link_observations` of observations just made here, which nothing else holds yet.

    Their ref and links are set in place, as their constructor would have set them: no
    second copy of each observation in a large base.
    """
    # A figure dated only by its source (as_of 2024) is not a figure for the period 2024.
    keys = [o.period if o.period is not None else f"as-of-{o.as_of}" for o in observations]
    if len(set(keys)) == len(keys):  # one figure a period, as in most metrics: a ref each and no links
        for observation, key in zip(observations, keys, strict=True):
            vars(observation)["ref"] = f"{metric_id}@{key}"
        return tuple(observations)
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    refs = [""] * len(observations)
    for key, members in groups.items():
        for number, index in enumerate(members, start=1):
            refs[index] = f"{metric_id}@{key}" + (f"#{number}" if len(members) > 1 else "")
    supersedes: dict[int, list[str]] = {}
    superseded_by: dict[int, list[str]] = {}
    conflicts_with: dict[int, list[str]] = {}
    for members in groups.values():
        ranked = [i for i in members if observations[i].status is not Status.TARGET]
        if len({observations[i].value for i in ranked}) < 2:
            continue  # one figure, or sources that agree
        rank = {i: STATUS_PREFERENCE.index(observations[i].status) for i in ranked}
        for i in ranked:
            for j in ranked:
                if i == j or observations[i].value == observations[j].value:
                    continue
                if rank[i] < rank[j]:
                    supersedes.setdefault(i, []).append(refs[j])
                elif rank[i] > rank[j]:
                    superseded_by.setdefault(i, []).append(refs[j])
                else:
                    conflicts_with.setdefault(i, []).append(refs[j])
    for index, observation in enumerate(observations):
        fields = vars(observation)
        fields["ref"] = refs[index]
        for name, links in (
            ("supersedes", supersedes),
            ("superseded_by", superseded_by),
            ("conflicts_with", conflicts_with),
        ):
            fields[name] = tuple(links.get(index, ()))
    return tuple(observations)


def _copy(observation: Observation) -> Observation:
    """A copy of an observation, made as :mod:`copy` and pickle make one (no ``__init__`` runs)."""
    copied: Observation = object.__new__(Observation)
    vars(copied).update(vars(observation))
    return copied


def _chronological(observation: Observation) -> tuple[_dt.date, _dt.date]:
    """The order of a metric's observations: :func:`~hohhot_cli.model.periods.sort_key` of what dates each."""
    span = parse_period(observation.period if observation.period is not None else str(observation.as_of))
    return (span.start, span.end)


_OBSERVATION_KEYS = frozenset({"value", "source", "period", "as_of", "exactness", "status", "note"})
"""The keys of an observation :meth:`_Builder.plain_observation` takes (not ``converted``)."""

_OBSERVATION_FIELDS = (
    ("value", dataclasses.MISSING),
    ("sources", dataclasses.MISSING),
    ("period", None),
    ("as_of", None),
    ("exactness", Exactness.EXACT),
    ("status", Status.ACTUAL),
    ("note", ""),
    ("conversion", None),
    ("ref", ""),
    ("supersedes", ()),
    ("superseded_by", ()),
    ("conflicts_with", ()),
)
"""Observation's fields and defaults, in the order :meth:`_Builder.plain_observation` stores them."""
_OBSERVATION_DECLARED = tuple((field.name, field.default) for field in dataclasses.fields(Observation))
if _OBSERVATION_DECLARED != _OBSERVATION_FIELDS:  # pragma: no cover - a change plain_observation must follow
    raise ImportError("Observation's fields are not those _Builder.plain_observation stores")
_EXACT, _ACTUAL = Exactness.EXACT, Status.ACTUAL  # a module's global is read faster than an enum's member
_EXACTNESS: dict[str, Exactness] = {member.value: member for member in Exactness}
_STATUSES: dict[str, Status] = {member.value: member for member in Status}


def _learn(text: str, parse: Callable[[str], Span], into: dict[str, tuple[_dt.date, _dt.date]]) -> bool:
    """Whether ``parse`` takes ``text``; if so, its sort key is kept in ``into``."""
    try:
        span = parse(text)
    except PeriodError:
        return False
    into[text] = (span.start, span.end)
    return True


def _plain_name(value: object) -> bool:
    """A string :meth:`_Builder.bounded` takes as a name without a word."""
    return type(value) is str and len(value) <= MAX_NAME_CHARS and "\x00" not in value


@lru_cache(maxsize=64)
def _allowed_keys(required: tuple[str, ...], optional: tuple[str, ...]) -> frozenset[str]:
    return frozenset(required) | frozenset(optional)


def _is_rank(value: int | float) -> bool:
    """1st, 2nd, ...: a whole number of at least 1."""
    return value >= 1 and float(value).is_integer()


def _at(place: str, key: str) -> str:
    """The place of a key: ``metrics[0] (gdp.total).unit``, or just ``updated`` at the top."""
    return f"{place}.{key}" if place else key


def _type_name(value: object) -> str:
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


def _buckets(ids: set[str]) -> dict[tuple[str, int], list[str]]:
    """Ids by first character and length: the candidates a did-you-mean looks at."""
    buckets: dict[tuple[str, int], list[str]] = {}
    for value in sorted(ids):
        buckets.setdefault((value[:1], len(value)), []).append(value)
    return buckets


def _closest(word: str, choices: list[str]) -> str | None:
    from difflib import get_close_matches  # only on the error path

    found = get_close_matches(word, choices, n=1, cutoff=0.75)
    return found[0] if found else None
