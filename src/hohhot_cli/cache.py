"""A parse cache for fact files: the validated base, stored per file content.

The first load of a fact file stores the validated base (as plain data, see
:mod:`hohhot_cli.codec`) in a cache directory; later loads of the same bytes read
it back. A wrong answer is far worse than a slow one, so:

* An entry is ``MAGIC | key | checksum | payload``. The key, which also names it,
  is a digest of :data:`FORMAT`, the code stamp (package version, its modules'
  source, Python version) and the fact file's content. The payload is a
  :mod:`marshal` dump (never a pickle), unmarshalled only after its blake2b
  checksum matches. An entry that fails a check, or is not a regular file of the
  user's under :data:`MAX_ENTRY_BYTES` (opened without following links or
  blocking), is a miss and is removed.
* A directory not owned by the user or writable by others is not used (one
  warning); a new one is made 0700.
* Writes go to a temporary file renamed into place (SIGTERM and SIGHUP held
  meanwhile, the file removed on any error; strays removed after a minute), then
  the directory is pruned to :data:`MAX_ENTRIES` and :data:`MAX_TOTAL_BYTES`,
  least recently used first.
* Only valid bases are stored; failing to read or write the cache is silent.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from hohhot_cli import __version__, codec
from hohhot_cli.loader import parse_facts
from hohhot_cli.model import FactBase
from hohhot_cli.reading import decode_text, read_bytes

try:  # blake2b without hashlib, which loads OpenSSL first: a few ms on every call
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = 2
"""Version of the entry layout and of the codec's data; bump it when either changes."""

MAGIC = b"hohhot\x00" + bytes([FORMAT])
"""The first bytes of every entry."""

MAX_ENTRIES = 8
"""Most entries kept in the directory."""

MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""Most bytes of entries kept in the directory (256 MiB)."""

MAX_ENTRY_BYTES = 128 * 1024 * 1024
"""Largest entry read or written (128 MiB; 100,000 observations take about 5 MiB)."""

STRAY_SECONDS = 60
"""Age after which a temporary file is taken for one left by a killed process."""

SUFFIX = ".entry"
TEMPORARY_PREFIX = ".entry-"

_DIGEST = 32
_HEADER = len(MAGIC) + 2 * _DIGEST
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class _Refused(Exception):
    """The cache directory is not safe to use."""


def default_cache_directory(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/hohhot``, or ``~/.cache/hohhot`` when that is unset, empty or relative."""
    root = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(root):  # the XDG rule: a relative value is ignored
        home = environ.get("HOME", "")
        root = os.path.join(home if os.path.isabs(home) else os.path.expanduser("~"), ".cache")
    return Path(root) / "hohhot"


def load_facts_cached(
    path: Path,
    *,
    cache_dir: Path | None,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> FactBase:
    """Load and validate a fact file, through the cache in ``cache_dir`` (None: no cache).

    Raises :class:`~hohhot_cli.errors.FactFileError` exactly as
    :func:`~hohhot_cli.loader.load_facts` does. ``warn`` is told, once, why a cache
    directory is not used when it is unsafe; ``progress`` is passed to the parse.
    """
    data = read_bytes(path)
    name = str(path)
    if cache_dir is None or os.name != "posix":
        return parse_facts(decode_text(data, name), name, progress)
    try:
        key = _key(data)
        directory = _open_directory(cache_dir, create=False)
    except _Refused as refusal:
        if warn is not None:
            warn(str(refusal))
        return parse_facts(decode_text(data, name), name, progress)
    except OSError:
        key, directory = b"", None
    entry = key[:16].hex() + SUFFIX
    if directory is not None:
        try:
            base = _read_entry(directory, entry, key, name)
        finally:
            os.close(directory)
        if base is not None:
            return base
    base = parse_facts(decode_text(data, name), name, progress)
    if key:
        _store(cache_dir, entry, key, base, warn)
    return base


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


def _key(data: bytes) -> bytes:
    digest = blake2b(marshal.dumps((FORMAT, *_code_stamp())), digest_size=_DIGEST)
    digest.update(data)
    return digest.digest()


def _open_directory(directory: Path, *, create: bool) -> int | None:
    """A descriptor of the cache directory, None when there is none; raises _Refused when unsafe."""
    if create:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(directory, _DIRECTORY_FLAGS)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(descriptor)
        if info.st_uid != os.getuid():
            raise _Refused(f"cache directory {directory} is not owned by you; not using it")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise _Refused(f"cache directory {directory} is writable by others; not using it")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _read_entry(directory: int, entry: str, key: bytes, path: str) -> FactBase | None:
    """The base stored in the entry; None (and the entry removed) when it is missing or fails a check."""
    try:
        descriptor = os.open(entry, _READ_FLAGS, dir_fd=directory)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), a socket, an entry we may not read
        _remove(directory, entry)
        return None
    try:
        data = _read_regular(descriptor)
        if data is not None:
            with contextlib.suppress(OSError):
                os.utime(descriptor)  # recently used: pruned last
    finally:
        os.close(descriptor)
    if (
        data is None
        or data[: len(MAGIC)] != MAGIC
        or data[len(MAGIC) : len(MAGIC) + _DIGEST] != key
        or data[len(MAGIC) + _DIGEST : _HEADER] != blake2b(memoryview(data)[_HEADER:], digest_size=_DIGEST).digest()
    ):
        _remove(directory, entry)
        return None
    try:
        return codec.decode(FactBase, marshal.loads(memoryview(data)[_HEADER:]), path=path)
    except Exception:  # checked, yet not what this code stores: never served
        _remove(directory, entry)
        return None


def _read_regular(descriptor: int) -> bytes | None:
    """The content of a regular file of the user's that is not too large, else None."""
    try:
        info = os.fstat(descriptor)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or not _HEADER < info.st_size <= MAX_ENTRY_BYTES
        ):
            return None
        chunks = []
        left = info.st_size
        while left > 0:
            chunk = os.read(descriptor, left)
            if not chunk:
                return None  # shorter than it said
            chunks.append(chunk)
            left -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError:
        return None


def _store(cache_dir: Path, entry: str, key: bytes, base: FactBase, warn: Callable[[str], None] | None) -> None:
    """Write the entry and tidy the directory; a cache that cannot be written is no cache, not an error."""
    try:
        payload = marshal.dumps(codec.encode(_without_path(base)))
    except (TypeError, ValueError):  # a value the codec or marshal cannot store: no entry
        return
    if _HEADER + len(payload) > MAX_ENTRY_BYTES:
        return
    try:
        directory = _open_directory(cache_dir, create=True)
    except _Refused as refusal:  # made unsafe since it was read
        if warn is not None:
            warn(str(refusal))
        return
    except OSError:
        return
    if directory is None:
        return
    try:
        checksum = blake2b(payload, digest_size=_DIGEST).digest()
        _write_atomically(directory, entry, (MAGIC, key, checksum, payload))
        _tidy(directory, entry)
    except OSError:
        pass
    finally:
        os.close(directory)


def _without_path(base: FactBase) -> FactBase:
    """The base as stored: the entry serves every path with this content, and each load sets its own."""
    import dataclasses

    return dataclasses.replace(base, path="")


def _write_atomically(directory: int, entry: str, parts: tuple[bytes, ...]) -> None:
    """Write a temporary file and rename it into place; remove it on any error or interruption."""
    import signal

    temporary = TEMPORARY_PREFIX + os.urandom(8).hex()
    # A SIGTERM or SIGHUP waits until the entry is in place or the temporary file gone.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
    try:
        descriptor = os.open(temporary, _WRITE_FLAGS, 0o600, dir_fd=directory)
        try:
            try:
                for part in parts:
                    view = memoryview(part)
                    while view:
                        view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
            os.replace(temporary, entry, src_dir_fd=directory, dst_dir_fd=directory)
        except BaseException:
            _remove(directory, temporary)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _tidy(directory: int, keep: str) -> None:
    """Remove stray temporary files and entries of older layouts, then prune to the bounds."""
    import time

    now = time.time()
    entries = []
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
            except OSError:
                continue
    count, total = 1, os.stat(keep, dir_fd=directory, follow_symlinks=False).st_size
    over = False
    for _, name, size in sorted(entries, reverse=True):  # most recently used first
        count, total = count + 1, total + size
        over = over or count > MAX_ENTRIES or total > MAX_TOTAL_BYTES
        if over:
            _remove(directory, name)


def _remove(directory: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=directory)
