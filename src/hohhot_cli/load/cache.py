"""A cache of built bases for ``--facts`` files, keyed by the file's content.

A fact file given with ``--facts`` (or ``HOHHOT_FACTS``) has no snapshot in the wheel; parsing
and validating one of 10,000 observations takes about a second, reading its snapshot a few
hundredths. So the first load of a file stores the snapshot of its base
(:mod:`hohhot_cli.load.snapshot`) in ``$XDG_CACHE_HOME/hohhot``, and later loads of the same
bytes read it. The bundled base never uses this cache: its snapshot is in the wheel.

A wrong answer is far worse than a slow one, so:

* An entry is named by the SHA-256 of the fact file's content and of the code that built it
  (the source of the model and load layers), and is used only when
  its header names that content and model and its body matches its checksum
  (:func:`hohhot_cli.load.snapshot.load`); an entry that fails is removed.
* Entries are opened without following links or blocking, and read only when they are
  regular files of the user's under :data:`MAX_ENTRY_BYTES`.
* The directory must be the user's: one owned by another user is refused, and one others
  may read or write is tightened to 0700 (refused when that fails), with one warning.
* Writes go to a temporary file renamed into place (SIGTERM and SIGHUP held meanwhile, the
  file removed on any error, strays removed after a minute); then the directory is pruned
  to :data:`MAX_ENTRIES`, least recently used first. Only valid bases are stored; failing to
  read or write the cache is no error.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

from hohhot_cli.load import snapshot
from hohhot_cli.model.facts import FactBase

MAX_ENTRIES = 8
"""Most entries kept in the directory."""

MAX_ENTRY_BYTES = 128 * 1024 * 1024
"""Largest entry read or written (128 MiB; 10,000 observations take about 3 MiB)."""

STRAY_SECONDS = 60
"""Age after which a temporary file is taken for one left by a killed process."""

SUFFIX = ".snapshot"
TEMPORARY_PREFIX = ".snapshot-"

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_CODE_LAYERS = ("model", "load")


class Refused(Exception):
    """The cache directory is not safe to use; the message says why."""


def default_cache_directory(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/hohhot``, or ``~/.cache/hohhot`` when that is unset, empty or relative."""
    root = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(root):  # the XDG rule: a relative value is ignored
        home = environ.get("HOME", "")
        root = os.path.join(home if os.path.isabs(home) else os.path.expanduser("~"), ".cache")
    return Path(root) / "hohhot"


def entry_name(facts_digest: str) -> str:
    """The entry's file name: the content digest and the code that built the base.

    The code is hashed from its source, not its times: a copy that keeps times
    (``cp -p``, ``rsync -a``) must not pass an edit off as the old code.
    """
    parts = [facts_digest.encode()]
    package = Path(__file__).resolve().parents[1]
    for layer in _CODE_LAYERS:
        for module in sorted((package / layer).glob("*.py")):
            parts.append(module.name.encode() + b"\0" + module.read_bytes())
    return snapshot.content_digest(b"\0".join(parts))[:40] + SUFFIX


def read(directory: Path, facts_digest: str, path: str) -> FactBase | None:
    """The base stored for this content; None (the entry removed if there is one) when it cannot be used."""
    descriptor = _open_directory(directory, create=False)
    if descriptor is None:
        return None
    try:
        name = entry_name(facts_digest)
        data = _read_entry(descriptor, name)
        if data is None:
            return None
        try:
            base = snapshot.load(data, facts_digest, path)
        except snapshot.SnapshotMismatch:
            _remove(descriptor, name)
            return None
        with contextlib.suppress(OSError):
            os.utime(name, dir_fd=descriptor)  # recently used: pruned last
        return base
    finally:
        os.close(descriptor)


def store(directory: Path, facts_digest: str, base: FactBase) -> None:
    """Store the snapshot of a base built from content of this digest, then prune."""
    data = snapshot.dump(base, facts_digest)
    if len(data) > MAX_ENTRY_BYTES:
        return
    descriptor = _open_directory(directory, create=True)
    if descriptor is None:
        return
    try:
        name = entry_name(facts_digest)
        _write_atomically(descriptor, name, data)
        _prune(descriptor, name)
    finally:
        os.close(descriptor)


def _open_directory(directory: Path, *, create: bool) -> int | None:
    """A descriptor of the private cache directory; None when there is none. Raises :class:`Refused`."""
    if create:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    try:
        descriptor = os.open(directory, _DIRECTORY_FLAGS)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(descriptor)
        if info.st_uid != os.getuid():
            raise Refused(f"cache directory {directory} is not owned by you; not using it")
        if stat.S_IMODE(info.st_mode) & 0o077:
            try:
                os.chmod(descriptor, 0o700)
            except OSError:
                raise Refused(f"cache directory {directory} is open to others and cannot be made private") from None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _read_entry(directory: int, name: str) -> bytes | None:
    """The bytes of a regular file of the user's, under the size limit; else None (and removed)."""
    try:
        descriptor = os.open(name, _READ_FLAGS, dir_fd=directory)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), an entry we may not read
        _remove(directory, name)
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or not 0 < info.st_size <= MAX_ENTRY_BYTES:
            _remove(directory, name)
            return None
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _write_atomically(directory: int, name: str, data: bytes) -> None:
    """Write a temporary file and rename it into place; remove it on any error or interruption."""
    import signal

    temporary = TEMPORARY_PREFIX + os.urandom(8).hex()
    # A SIGTERM or SIGHUP waits until the entry is in place or the temporary file gone.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
    try:
        descriptor = os.open(temporary, _WRITE_FLAGS, 0o600, dir_fd=directory)
        try:
            with open(descriptor, "wb", closefd=False) as handle:
                handle.write(data)
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        _remove(directory, temporary)
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _prune(directory: int, keep: str) -> None:
    """Remove stray temporary files, then the least recently used entries beyond :data:`MAX_ENTRIES`."""
    now = time.time()
    entries = []
    with os.scandir(directory) as listing:
        for item in listing:
            with contextlib.suppress(OSError):
                if item.name.startswith(TEMPORARY_PREFIX):
                    if now - item.stat(follow_symlinks=False).st_mtime > STRAY_SECONDS:
                        _remove(directory, item.name)
                elif item.name.endswith(SUFFIX) and item.name != keep:
                    entries.append((item.stat(follow_symlinks=False).st_mtime_ns, item.name))
    for _, name in sorted(entries, reverse=True)[MAX_ENTRIES - 1 :]:
        _remove(directory, name)


def _remove(directory: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=directory)
