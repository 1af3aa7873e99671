"""The layout of a parse-cache entry: a table of checked sections, read whole or in part.

An entry is ``prefix | table | sections``:

* the prefix: :data:`MAGIC`, the key (32 bytes), the table's length (8 bytes) and
  the table's blake2b checksum (32 bytes);
* the table (fixed binary fields, no marshal): the content digest and size of the
  fact file the base was built from, the number of sections, then each section's
  length and blake2b checksum;
* the sections, back to back up to the end of the file, each a :mod:`marshal` dump
  of :mod:`hohhot_cli.load.codec` data: first the index (every metric's id, sorted, one
  a line, with its number; the casefolded aliases; every source's id), then the rest
  of the base (the city, industries, facts, companies, topics: everything but
  metrics and sources), then the sources :data:`SOURCES_PER_SECTION` at a time and the metrics with their
  observations :data:`METRICS_PER_SECTION` at a time, both in file order.

Every byte is the magic, the key or the length (compared) or under a checksum, and
nothing is unmarshalled before its checksum matches. :func:`whole` checks every
section before it unmarshals any; :func:`for_metrics` reads the index and then only
the sections that hold the metrics a query names and the sources they cite. Both
check that what a section holds is what the index says it holds. Any failure
raises :class:`Damaged` (or another exception, from data that passed its checksum
yet is not what this code writes): the caller treats every exception as a miss.
"""

from __future__ import annotations

import marshal
import struct
from collections.abc import Callable, Sequence
from typing import Any

from hohhot_cli.load import codec
from hohhot_cli.model.facts import FactBase, Metric, Source

try:  # blake2b without hashlib, which loads OpenSSL first: a few ms on every call
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = 4
"""Version of this layout and of the codec's data; bump it when either changes."""

MAGIC = b"hohhot\x00" + bytes([FORMAT])
"""The first bytes of every entry."""

METRICS_PER_SECTION = 16
"""Metrics stored together: a lookup of one metric decodes at most this many."""

SOURCES_PER_SECTION = 64
"""Sources stored together."""

DIGEST = 32
_PREFIX = struct.Struct(f"<{len(MAGIC)}s{DIGEST}sQ{DIGEST}s")
PREFIX_BYTES = _PREFIX.size
"""Bytes before the table: magic, key, the table's length and checksum."""
_TABLE_HEAD = struct.Struct(f"<{DIGEST}sQI")
_ROW = struct.Struct(f"<Q{DIGEST}s")

Read = Callable[[int, int], bytes | memoryview]
"""Reads ``length`` bytes at ``offset`` of the entry (all of them, or raises)."""


class Damaged(Exception):
    """An entry that fails a check."""


def _checksum(data: bytes | memoryview) -> bytes:
    return blake2b(data, digest_size=DIGEST).digest()


# -- writing -------------------------------------------------------------------


def layout(key: bytes, content: bytes, size: int, base: FactBase) -> list[bytes]:
    """The entry of ``base`` (stored without its path), as parts to write one after another.

    Raises TypeError or ValueError for a value the codec or marshal cannot store.
    """
    metrics, sources = base.metrics, base.sources
    ids = [m.id for m in metrics]
    source_ids = [s.id for s in sources]
    if any("\n" in name for name in ids + source_ids):
        raise ValueError("an id with a line break cannot be indexed")
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    index = (
        "\n".join(ids[n] for n in by_id),
        struct.pack(f"<{len(by_id)}I", *by_id),
        tuple((alias.casefold(), n) for n, m in enumerate(metrics) for alias in m.aliases),
        "\n".join(source_ids),
        len(source_ids),
        METRICS_PER_SECTION,
        SOURCES_PER_SECTION,
    )
    rest = codec.encode(_rest(base))
    sections = [marshal.dumps(index), marshal.dumps(rest)]
    for start in range(0, len(sources), SOURCES_PER_SECTION):
        sections.append(marshal.dumps(codec.encode_table(Source, sources[start : start + SOURCES_PER_SECTION])))
    for start in range(0, len(metrics), METRICS_PER_SECTION):
        sections.append(marshal.dumps(codec.encode_table(Metric, metrics[start : start + METRICS_PER_SECTION])))
    table = _TABLE_HEAD.pack(content, size, len(sections)) + b"".join(
        _ROW.pack(len(section), _checksum(section)) for section in sections
    )
    return [_PREFIX.pack(MAGIC, key, len(table), _checksum(table)), table, *sections]


def _rest(base: FactBase) -> FactBase:
    import dataclasses

    return dataclasses.replace(base, metrics=(), sources=(), path="")


# -- reading -------------------------------------------------------------------


class Header:
    """An entry's checked table: the content it was built from and where its sections lie."""

    def __init__(self, read: Read, size: int, key: bytes) -> None:
        if size < PREFIX_BYTES:
            raise Damaged("shorter than its prefix")
        magic, stored_key, table_length, table_checksum = _PREFIX.unpack(read(0, PREFIX_BYTES))
        if magic != MAGIC or stored_key != key:
            raise Damaged("another layout or another key")
        if not _TABLE_HEAD.size <= table_length <= size - PREFIX_BYTES:
            raise Damaged("a table longer than the entry")
        table = read(PREFIX_BYTES, table_length)
        if _checksum(table) != table_checksum:
            raise Damaged("the table fails its checksum")
        self.content, self.file_size, count = _TABLE_HEAD.unpack_from(table)
        if table_length != _TABLE_HEAD.size + count * _ROW.size or count < 2:
            raise Damaged("a table of the wrong length")
        self.read = read
        self.sections: list[tuple[int, int, bytes]] = []
        offset = PREFIX_BYTES + table_length
        for length, checksum in _ROW.iter_unpack(memoryview(table)[_TABLE_HEAD.size :]):
            self.sections.append((offset, length, checksum))
            offset += length
        if offset != size:
            raise Damaged("sections that do not end where the entry does")

    def raw(self, number: int) -> bytes | memoryview:
        """Section ``number``'s bytes, checked."""
        offset, length, checksum = self.sections[number]
        data = self.read(offset, length)
        if _checksum(data) != checksum:
            raise Damaged(f"section {number} fails its checksum")
        return data

    def index(self, data: bytes | memoryview) -> _Index:
        return _Index(marshal.loads(data), len(self.sections))


class _Index:
    """The index section: metric ids (sorted, one a line, with their numbers), aliases, source ids."""

    def __init__(self, data: Any, sections: int) -> None:
        self.ids_text, order, self.aliases, self.source_text, self.source_count, self.metrics_per, self.sources_per = (
            data
        )
        if type(self.metrics_per) is not int or type(self.sources_per) is not int:
            raise Damaged("an index of another layout")
        if self.metrics_per < 1 or self.sources_per < 1 or len(order) % 4:
            raise Damaged("an index of another layout")
        self.order: tuple[int, ...] = struct.unpack(f"<{len(order) // 4}I", order)
        self.metric_count = len(self.order)
        self.first_metrics = 2 + -(-self.source_count // self.sources_per)
        if sections != self.first_metrics + -(-self.metric_count // self.metrics_per):
            raise Damaged("an index that does not match the table")

    def metric_ids(self) -> list[str]:
        """Every metric id, in file order."""
        ids = [""] * self.metric_count
        lines = self.ids_text.split("\n") if self.metric_count else []
        if len(lines) != self.metric_count:
            raise Damaged("an index of another length")
        for line, n in zip(lines, self.order, strict=True):
            ids[n] = line
        return ids

    def source_ids(self) -> list[str]:
        """Every source id, in file order."""
        ids = self.source_text.split("\n") if self.source_count else []
        if len(ids) != self.source_count:
            raise Damaged("an index of another length")
        return ids

    def named(self, wanted: str) -> dict[int, str] | None:
        """The metrics ``wanted`` (stripped and casefolded) may name, by number, with their ids:
        the one of that id, those under it, those of that alias. None when it names none."""
        if not wanted or "\n" in wanted:  # an empty line, or across lines: no id is either
            return None
        found: dict[int, str] = {}
        lines = "\n" + self.ids_text + "\n"
        exact = lines.find("\n" + wanted + "\n")
        if exact >= 0:
            found[self.order[lines.count("\n", 0, exact)]] = wanted
        prefix = wanted + "."
        start = lines.find("\n" + prefix)  # sorted: the ids under it follow one another
        if start >= 0:
            line, position = lines.count("\n", 0, start), start + 1
            while lines.startswith(prefix, position):
                end = lines.index("\n", position)
                found[self.order[line]] = lines[position:end]
                line, position = line + 1, end + 1
        ids = None
        for alias, n in self.aliases:
            if alias == wanted:
                if ids is None:
                    ids = self.metric_ids()
                found[n] = ids[n]
        return found or None


def whole(header: Header, path: str) -> FactBase:
    """The whole base, every section checked before any is unmarshalled."""
    raw = [header.raw(number) for number in range(len(header.sections))]
    index = header.index(raw[0])
    sources = _concatenated(Source, raw[2 : index.first_metrics])
    metrics = _concatenated(Metric, raw[index.first_metrics :])
    if [s.id for s in sources] != index.source_ids() or [m.id for m in metrics] != index.metric_ids():
        raise Damaged("sections that do not hold what the index says")
    return _assembled(raw[1], sources, metrics, path)


def for_metrics(header: Header, path: str, queries: Sequence[str]) -> FactBase | None:
    """A base with every metric the queries can name and every source those metrics cite.

    For each query, the metrics :func:`hohhot_cli.query.queries.resolve_metrics` may answer
    with: the one of that id, those under it as a topic, those of that alias (all
    three, a superset of its answer). The query then answers the same from this base
    as from the whole one: every metric it would pick is here, in file order, and no
    metric here is one it would pick in the whole base without picking it here.
    None when a query names none: its "not found" suggests from every metric, so the
    caller loads the whole base.
    """
    index = header.index(header.raw(0))
    chosen: dict[int, str] = {}
    for query in queries:
        found = index.named(query.strip().casefold())
        if found is None:
            return None
        chosen.update(found)
    metrics = _picked(header, Metric, chosen, index.metric_count, index.metrics_per, index.first_metrics)
    source_ids = index.source_ids()
    position = {source_id: n for n, source_id in enumerate(source_ids)}
    cited = {position[ref] for metric in metrics for o in metric.observations for ref in o.sources}
    sources = _picked(header, Source, {n: source_ids[n] for n in cited}, index.source_count, index.sources_per, 2)
    return _assembled(header.raw(1), sources, metrics, path)


def _picked(header: Header, cls: type, wanted: dict[int, str], count: int, per: int, first: int) -> tuple[Any, ...]:
    """The items of the ``wanted`` numbers (in file order), read from the sections that hold them;
    each must have the id the index gives it."""
    picked: list[Any] = []
    loaded: dict[int, tuple[Any, ...]] = {}
    for n in sorted(wanted):
        number = n // per
        if number not in loaded:
            items: tuple[Any, ...] = codec.decode_table(cls, marshal.loads(header.raw(first + number)))
            if len(items) != min(per, count - number * per):
                raise Damaged("a section of another length")
            loaded[number] = items
        item = loaded[number][n % per]
        if item.id != wanted[n]:
            raise Damaged("a section that does not hold what the index says")
        picked.append(item)
    return tuple(picked)


def _concatenated(cls: type, sections: list[bytes | memoryview]) -> tuple[Any, ...]:
    items: list[Any] = []
    for data in sections:
        items.extend(codec.decode_table(cls, marshal.loads(data)))
    return tuple(items)


def _assembled(
    rest: bytes | memoryview, sources: tuple[Source, ...], metrics: tuple[Metric, ...], path: str
) -> FactBase:
    return codec.decode(FactBase, marshal.loads(rest), path=path, sources=sources, metrics=metrics)
