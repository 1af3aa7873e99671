"""The layout of a parse-cache entry: a table of checked sections, read whole or in part.

An entry is ``prefix | table | sections``:

* the prefix: :data:`MAGIC`, the key (32 bytes), the table's length (8 bytes) and
  the table's blake2b checksum (32 bytes);
* the table (fixed binary fields, no marshal): the content digest and size of the
  fact file the base was built from, the number of sections, then each section's
  length and blake2b checksum;
* the sections, back to back up to the end of the file, each a :mod:`marshal` dump
  of :mod:`hohhot_cli.codec` data: first the index (every metric's id, the
  casefolded aliases, every source's id), then the rest of the base (the city,
  industries, facts, companies, topics: everything but metrics and sources), then
  the sources :data:`SOURCES_PER_SECTION` at a time and the metrics with their
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

from hohhot_cli import codec
from hohhot_cli.model import FactBase, Metric, Source

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


Index = tuple[tuple[str, ...], tuple[tuple[str, int], ...], tuple[str, ...], int, int]
"""Metric ids, (casefolded alias, metric number) pairs, source ids, metrics and sources per section."""


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
    index = (
        tuple(m.id for m in metrics),
        tuple((alias.casefold(), n) for n, m in enumerate(metrics) for alias in m.aliases),
        tuple(s.id for s in sources),
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

    def index(self, data: bytes | memoryview) -> Index:
        metric_ids, aliases, source_ids, metrics_per, sources_per = marshal.loads(data)
        if type(metrics_per) is not int or type(sources_per) is not int or metrics_per < 1 or sources_per < 1:
            raise Damaged("an index of another layout")
        expected = 2 + -(-len(source_ids) // sources_per) + -(-len(metric_ids) // metrics_per)
        if len(self.sections) != expected:
            raise Damaged("an index that does not match the table")
        return metric_ids, aliases, source_ids, metrics_per, sources_per


def whole(header: Header, path: str) -> FactBase:
    """The whole base, every section checked before any is unmarshalled."""
    raw = [header.raw(number) for number in range(len(header.sections))]
    metric_ids, _, source_ids, _, sources_per = header.index(raw[0])
    first_metrics = 2 + -(-len(source_ids) // sources_per)
    sources = _concatenated(Source, raw[2:first_metrics])
    metrics = _concatenated(Metric, raw[first_metrics:])
    return _assembled(raw[1], sources, metrics, source_ids, metric_ids, path)


def for_metrics(header: Header, path: str, queries: Sequence[str]) -> FactBase | None:
    """A base with every metric the queries can name and every source those metrics cite.

    For each query, the metrics :func:`hohhot_cli.queries.resolve_metrics` may answer
    with: the one of that id, those under it as a topic, those of that alias (all
    three, a superset of its answer). The query then answers the same from this base
    as from the whole one: every metric it would pick is here, in file order, and no
    metric here is one it would pick in the whole base without picking it here.
    None when a query names none: its "not found" suggests from every metric, so the
    caller loads the whole base.
    """
    metric_ids, aliases, source_ids, metrics_per, sources_per = header.index(header.raw(0))
    chosen: set[int] = set()
    for query in queries:
        wanted = query.strip().casefold()
        prefix = wanted + "."
        found = {n for n, metric_id in enumerate(metric_ids) if metric_id == wanted or metric_id.startswith(prefix)}
        found.update(n for alias, n in aliases if alias == wanted)
        if not found:
            return None
        chosen |= found
    first_metrics = 2 + -(-len(source_ids) // sources_per)
    metrics = _picked(header, Metric, metric_ids, sorted(chosen), metrics_per, first_metrics)
    position = {source_id: n for n, source_id in enumerate(source_ids)}
    cited = sorted({position[ref] for metric in metrics for o in metric.observations for ref in o.sources})
    sources = _picked(header, Source, source_ids, cited, sources_per, 2)
    return _assembled(header.raw(1), sources, metrics, None, None, path)


def _picked(
    header: Header, cls: type, ids: tuple[str, ...], wanted: list[int], per: int, first: int
) -> tuple[Any, ...]:
    """The items at the ``wanted`` positions (in order), read from the sections that hold them."""
    picked: list[Any] = []
    loaded: dict[int, tuple[Any, ...]] = {}
    for n in wanted:
        number = n // per
        if number not in loaded:
            items: tuple[Any, ...] = codec.decode_table(cls, marshal.loads(header.raw(first + number)))
            start = number * per
            if tuple(item.id for item in items) != ids[start : start + per]:
                raise Damaged("a section that does not hold what the index says")
            loaded[number] = items
        picked.append(loaded[number][n % per])
    return tuple(picked)


def _concatenated(cls: type, sections: list[bytes | memoryview]) -> tuple[Any, ...]:
    items: list[Any] = []
    for data in sections:
        items.extend(codec.decode_table(cls, marshal.loads(data)))
    return tuple(items)


def _assembled(
    rest: bytes | memoryview,
    sources: tuple[Source, ...],
    metrics: tuple[Metric, ...],
    source_ids: tuple[str, ...] | None,
    metric_ids: tuple[str, ...] | None,
    path: str,
) -> FactBase:
    if source_ids is not None and tuple(s.id for s in sources) != source_ids:
        raise Damaged("sources that do not match the index")
    if metric_ids is not None and tuple(m.id for m in metrics) != metric_ids:
        raise Damaged("metrics that do not match the index")
    return codec.decode(FactBase, marshal.loads(rest), path=path, sources=sources, metrics=metrics)
