"""A parse cache for fact files: the validated base, stored per file content.

The first load of a fact file stores the validated base (as plain data, see
:mod:`hohhot_cli.load.codec`) in a cache directory; later loads of the same bytes read
it back, whole or (for ``hohhot metric``) in part. A wrong answer is far worse than a
slow one, so:

* An entry (layout: :mod:`hohhot_cli.load.entry`) is named by its key, a digest of
  :data:`FORMAT`, the code stamp (package version, its modules' source, Python
  version) and the fact file's content digest, which it also stores. Its sections
  are :mod:`marshal` dumps (never a pickle), each unmarshalled only after its own
  blake2b checksum matches; a lookup of a few metrics reads the index and the
  sections it needs, not the whole entry. An entry that fails a check, or is not a
  regular file of the user's under :data:`MAX_ENTRY_BYTES` (opened without following
  links or blocking), is a miss and is removed.
* The content digest comes from hashing the file, or, without reading it, from a
  record of the file as last read: its device, inode, size, modification and change
  times and digest (checksummed too). The record is used only while ``stat`` says
  all five are unchanged. Any write, ``utime`` or ``chmod`` sets the change time to
  the present, and a file moved or copied into place is another inode made now; a
  record is written only when both times were :data:`RACY_NS` older than the read
  (as git treats its index), so that no later change can leave them as recorded.
* A directory not owned by the user or writable by others is not used (one
  warning); a new one is made 0700.
* Writes go to a temporary file renamed into place (SIGTERM and SIGHUP held
  meanwhile, the file removed on any error; strays removed after a minute), then
  the directory is pruned to :data:`MAX_ENTRIES` and :data:`MAX_TOTAL_BYTES`,
  least recently used first, and to :data:`MAX_RECORDS` records.
* Only valid bases are stored; failing to read or write the cache is silent.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import struct
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from hohhot_cli import __version__
from hohhot_cli.load import entry, private
from hohhot_cli.load.digest import content_digest
from hohhot_cli.load.entry import FORMAT, MAGIC
from hohhot_cli.load.loader import parse_facts
from hohhot_cli.load.reading import MAX_FILE_BYTES, read_bytes
from hohhot_cli.model.facts import FactBase

try:  # blake2b without hashlib, which loads OpenSSL first: a few ms on every call
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

__all__ = ["FORMAT", "MAGIC", "default_cache_directory", "load_facts_cached", "load_metrics_cached"]

MAX_ENTRIES = 8
"""Most entries kept in the directory."""

MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""Most bytes of entries kept in the directory (256 MiB)."""

MAX_ENTRY_BYTES = 128 * 1024 * 1024
"""Largest entry read or written (128 MiB; 100,000 observations take about 5 MiB)."""

MAX_RECORDS = 64
"""Most records of files seen kept in the directory (each under 200 bytes)."""

RACY_NS = 2_000_000_000
"""A file changed less than this before it was read (2 s) is not recorded as seen: its
times may not yet tell a later change from this one (coarse timestamps, a clock tick)."""

STRAY_SECONDS = 60
"""Age after which a temporary file is taken for one left by a killed process."""

SUFFIX = ".entry"
RECORD_SUFFIX = ".seen"
TEMPORARY_PREFIX = ".entry-"

_DIGEST = entry.DIGEST
_HEADER = entry.PREFIX_BYTES
_RECORD = struct.Struct(f"<{len(MAGIC)}sQQQqq{_DIGEST}s")
_RECORD_BYTES = _RECORD.size + _DIGEST
_READ_FLAGS = private.READ_FLAGS

_clock = time.time_ns
"""The clock a file's times are compared with (replaced in tests)."""

Identity = tuple[int, int, int, int, int]
"""What ``stat`` says of a file: device, inode, size, modification and change times (ns)."""

Loaded = Callable[[str, int, bytes], None]
"""Told of a loaded base: the path as given, the file's size, the content digest of what was parsed."""


def default_cache_directory(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/hohhot``, or ``~/.cache/hohhot`` when that is unset, empty or relative."""
    return Path(private.cache_directory(environ))


def load_facts_cached(
    path: Path,
    *,
    cache_dir: Path | None,
    warn: Callable[[str], None] | None = None,
    on_loaded: Loaded | None = None,
    progress: Callable[[str], None] | None = None,
) -> FactBase:
    """Load and validate a fact file, through the cache in ``cache_dir`` (None: no cache).

    Raises :class:`~hohhot_cli.model.errors.FactFileError` exactly as
    :func:`~hohhot_cli.load.loader.load_facts` does. ``warn`` is told, once, why a cache
    directory is not used when it is unsafe. ``on_loaded`` is called once with the
    path (as a string), the file's size and the :func:`~hohhot_cli.load.digest.content_digest`
    of the bytes the returned base was built from; ``progress`` is passed to the parse.
    """
    return _load(path, cache_dir, warn, on_loaded, None, progress)


def load_metrics_cached(
    path: Path,
    queries: Sequence[str],
    *,
    cache_dir: Path | None,
    warn: Callable[[str], None] | None = None,
    on_loaded: Loaded | None = None,
    progress: Callable[[str], None] | None = None,
) -> FactBase:
    """A base from which :func:`~hohhot_cli.query.queries.find_metrics` answers ``queries`` as from the whole one.

    From a cache entry, it holds the metrics the queries may name and the sources they
    cite (see :func:`hohhot_cli.load.entry.for_metrics`), besides the city, industries, facts,
    companies and topics; otherwise, and when a query names no metric, the whole base.
    Ask nothing else of it. Arguments as for :func:`load_facts_cached`.
    """
    return _load(path, cache_dir, warn, on_loaded, tuple(queries), progress)


def _load(
    path: Path,
    cache_dir: Path | None,
    warn: Callable[[str], None] | None,
    on_loaded: Loaded | None,
    queries: tuple[str, ...] | None,
    progress: Callable[[str], None] | None,
) -> FactBase:
    name = str(path)
    directory: int | None = None
    if cache_dir is not None and os.name == "posix":
        try:
            directory = _open_directory(cache_dir, create=False)
        except private.Refused as refusal:
            if warn is not None:
                warn(str(refusal))
            cache_dir = None
        except OSError:
            pass
    else:
        cache_dir = None
    try:
        return _load_through(directory, cache_dir, path, name, warn, on_loaded, queries, progress)
    finally:
        if directory is not None:
            os.close(directory)


def _load_through(
    directory: int | None,
    cache_dir: Path | None,
    path: Path,
    name: str,
    warn: Callable[[str], None] | None,
    on_loaded: Loaded | None,
    queries: tuple[str, ...] | None,
    progress: Callable[[str], None] | None,
) -> FactBase:
    """The base: from the entry of the content a record says the file has, else read, hashed and looked up."""
    seen = _seen(directory, path) if directory is not None else None
    if seen is not None:  # the file is as it was when it was last read: its digest is known
        size, digest = seen
        base = _read_entry(directory, digest, name, queries)  # type: ignore[arg-type]
        if base is not None:
            _report(on_loaded, name, size, digest)
            return base
    clock = _clock()
    before = _identity(path)
    data = read_bytes(path)
    after = _identity(path)
    size, digest = len(data), content_digest(data)
    base = None
    if directory is not None and (seen is None or seen[1] != digest):
        base = _read_entry(directory, digest, name, queries)
    parsed = base is None
    if base is None:
        # Decoded a part at a time: at 500,000 observations the whole text would be 114 MB of the peak.
        base = parse_facts(data, name, progress)
    del data
    if cache_dir is not None:
        record = None
        steady = before is not None and before == after and before[2] == size
        if steady and before is not None and max(before[3], before[4]) < clock - RACY_NS:
            record = _record(before, digest)
        if parsed or record is not None:
            _store(cache_dir, digest, size, base if parsed else None, record, warn)
    _report(on_loaded, name, size, digest)
    return base


def _report(on_loaded: Loaded | None, name: str, size: int, digest: bytes) -> None:
    if on_loaded is not None:
        on_loaded(name, size, digest)


def _code_stamp() -> tuple[str, ...]:
    """What a cached base depends on besides the file: this package's code and Python.

    A digest of every module's source, not their times: a copy that keeps times
    (``cp -p``, ``rsync -a``) must not pass an edit off as the old code.
    """
    digest = blake2b(digest_size=_DIGEST)
    package = Path(__file__).parent
    for module in sorted(os.listdir(package)):
        if module.endswith(".py"):
            digest.update(module.encode() + b"\x00")
            digest.update((package / module).read_bytes())
    return (__version__, sys.version, digest.hexdigest())


def _key(content: bytes) -> bytes:
    """The entry's key: the code stamp and the content digest of the fact file."""
    digest = blake2b(marshal.dumps((FORMAT, *_code_stamp())), digest_size=_DIGEST)
    digest.update(content)
    return digest.digest()


def _open_directory(directory: Path, *, create: bool) -> int | None:
    """A descriptor of the cache directory, None when there is none; raises private.Refused when unsafe."""
    return private.open_directory(str(directory), create=create)


def _entry_name(key: bytes) -> str:
    return key[:16].hex() + SUFFIX


def _read_entry(directory: int, digest: bytes, path: str, queries: tuple[str, ...] | None) -> FactBase | None:
    """The base stored for this content (in part for ``queries``); None (and the entry removed
    when there is one) when it is missing or fails a check."""
    try:
        key = _key(digest)
    except OSError:  # the package's sources cannot be read: no key, no cache
        return None
    name = _entry_name(key)
    try:
        descriptor = os.open(name, _READ_FLAGS, dir_fd=directory)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), a socket, an entry we may not read
        _remove(directory, name)
        return None
    try:
        base = _read_open_entry(descriptor, key, digest, path, queries)
        if base is not None:
            with contextlib.suppress(OSError):
                os.utime(descriptor)  # recently used: pruned last
    finally:
        os.close(descriptor)
    if base is None:
        _remove(directory, name)
    return base


def _read_open_entry(
    descriptor: int, key: bytes, digest: bytes, path: str, queries: tuple[str, ...] | None
) -> FactBase | None:
    try:
        info = os.fstat(descriptor)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or not _HEADER < info.st_size <= MAX_ENTRY_BYTES
        ):
            return None
        size = info.st_size
        if queries is None:  # all of it: one read
            data = memoryview(_pread(descriptor, size, 0))
            header = entry.Header(lambda offset, length: data[offset : offset + length], size, key)
        else:
            header = entry.Header(lambda offset, length: _pread(descriptor, length, offset), size, key)
        if header.content != digest:
            return None
        base = None if queries is None else entry.for_metrics(header, path, queries)
        return base if base is not None else entry.whole(header, path)
    except Exception:  # damaged, or checked yet not what this code stores: never served
        return None


def _pread(descriptor: int, length: int, offset: int) -> bytes:
    """Exactly ``length`` bytes at ``offset``; raises when the file is shorter."""
    chunks = []
    while length > 0:
        chunk = os.pread(descriptor, length, offset)
        if not chunk:
            raise entry.Damaged("shorter than it said")
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _entry_parts(digest: bytes, size: int, base: FactBase) -> list[bytes] | None:
    """The entry to store for a base parsed from content of this digest and size; None when none can be."""
    try:
        parts = entry.layout(_key(digest), digest, size, base)
    except (TypeError, ValueError, OverflowError, struct.error, OSError):  # a value that cannot be stored
        return None
    return parts if sum(map(len, parts)) <= MAX_ENTRY_BYTES else None


# -- records of files seen: their content digest without reading them -----------------------


def _identity(path: Path) -> Identity | None:
    """What ``stat`` says of the regular file at ``path`` (links followed); None for anything else."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _record_name(identity: Identity) -> str:
    return blake2b(struct.pack("<QQ", identity[0], identity[1]), digest_size=16).hexdigest() + RECORD_SUFFIX


def _record(identity: Identity, digest: bytes) -> tuple[str, bytes] | None:
    """The record that the file of this identity holds content of this digest: its name and bytes."""
    try:
        body = _RECORD.pack(MAGIC, *identity, digest)
        return _record_name(identity), body + blake2b(body, digest_size=_DIGEST).digest()
    except (struct.error, OverflowError):
        return None


def _seen(directory: int, path: Path) -> tuple[int, bytes] | None:
    """The size and content digest of the file at ``path`` when a record of it matches what
    ``stat`` says of it now: same device, inode, size, modification and change times.

    Any write or ``utime`` sets the change time to the present, which no one can set
    back, and a replaced file (``mv``, ``cp -p``) is another inode made now; a record
    is only written for a file whose times were :data:`RACY_NS` in the past when it was
    read, so no later change can leave both times as recorded.
    """
    identity = _identity(path)
    if identity is None:
        return None
    name = _record_name(identity)
    try:
        descriptor = os.open(name, _READ_FLAGS, dir_fd=directory)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size != _RECORD_BYTES:
            data = b""
        else:
            data = os.pread(descriptor, _RECORD_BYTES, 0)
    except OSError:
        data = b""
    finally:
        os.close(descriptor)
    body, checksum = data[: _RECORD.size], data[_RECORD.size :]
    if len(data) != _RECORD_BYTES or blake2b(body, digest_size=_DIGEST).digest() != checksum:
        _remove(directory, name)
        return None
    magic, *recorded, digest = _RECORD.unpack(body)
    if magic != MAGIC or tuple(recorded) != identity:
        return None  # another version's record, or the file changed: a new record replaces it
    return identity[2], digest


# -- writing -------------------------------------------------------------------------------


def _store(
    cache_dir: Path,
    digest: bytes,
    size: int,
    base: FactBase | None,
    record: tuple[str, bytes] | None,
    warn: Callable[[str], None] | None,
) -> None:
    """Write the entry of ``base`` (None: none) and the record, then tidy the directory.

    A cache that cannot be written is no cache, not an error.
    """
    parts = None if base is None else _entry_parts(digest, size, base)
    if parts is None and record is None:
        return
    try:
        directory = _open_directory(cache_dir, create=True)
    except private.Refused as refusal:  # made unsafe since it was read
        if warn is not None:
            warn(str(refusal))
        return
    except OSError:
        return
    if directory is None:
        return
    try:
        name = _entry_name(_key(digest))
        if parts is not None:
            _write_atomically(directory, name, parts)
        if record is not None:
            _write_atomically(directory, *record)
        _tidy(directory, name)
    except OSError:
        pass
    finally:
        os.close(directory)


def _write_atomically(directory: int, entry: str, parts: Sequence[bytes] | bytes) -> None:
    """Write a temporary file and rename it into place (see :func:`hohhot_cli.load.private.write_atomically`)."""
    private.write_atomically(directory, entry, [parts] if isinstance(parts, bytes) else parts, TEMPORARY_PREFIX)


def _tidy(directory: int, keep: str) -> None:
    """Remove stray temporary files and entries of older layouts, then prune to the bounds."""
    now = time.time()
    entries = []
    records = []
    with os.scandir(directory) as listing:
        for item in listing:
            name = item.name
            try:
                if name.startswith(TEMPORARY_PREFIX):
                    if now - item.stat(follow_symlinks=False).st_mtime > STRAY_SECONDS:
                        _remove(directory, name)
                elif name.endswith(".marshal"):  # written by the first layout, never read again
                    _remove(directory, name)
                elif name.endswith(SUFFIX) and name != keep:
                    info = item.stat(follow_symlinks=False)
                    entries.append((info.st_mtime_ns, name, info.st_size))
                elif name.endswith(RECORD_SUFFIX):
                    records.append((item.stat(follow_symlinks=False).st_mtime_ns, name))
            except OSError:
                continue
    for _, name in sorted(records, reverse=True)[MAX_RECORDS:]:  # the most recently written kept
        _remove(directory, name)
    try:
        count, total = 1, os.stat(keep, dir_fd=directory, follow_symlinks=False).st_size
    except FileNotFoundError:  # only a record was written, and the entry has gone since
        count, total = 0, 0
    over = False
    for _, name, size in sorted(entries, reverse=True):  # most recently used first
        count, total = count + 1, total + size
        over = over or count > MAX_ENTRIES or total > MAX_TOTAL_BYTES
        if over:
            _remove(directory, name)


_remove = private.remove
