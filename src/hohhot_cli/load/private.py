"""Private cache directories and the files in them, for the parse and the answer caches.

Standard library only and nothing slow to import: the answer cache uses this
before anything else of the package is loaded.

* A directory not owned by the user or writable by others is refused
  (:class:`Refused`, which callers turn into one warning); a new one is made 0700.
* Files are opened without following links or blocking, and read only when they
  are regular files of the user's under a size cap.
* Writes go to a temporary file renamed into place, with SIGTERM and SIGHUP held
  meanwhile and the file removed on any error.
"""

from __future__ import annotations

import contextlib
import os
import stat

TYPE_CHECKING = False  # not typing's: the answer cache's path loads neither typing nor pathlib
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""Flags to open a cache file: never through a link, never blocking on a FIFO."""

_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(Exception):
    """A cache directory is not safe to use; the message says why."""


def cache_directory(environ: Mapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/hohhot``, or ``~/.cache/hohhot`` when that is unset, empty or relative."""
    root = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(root):  # the XDG rule: a relative value is ignored
        home = environ.get("HOME", "")
        root = os.path.join(home if os.path.isabs(home) else os.path.expanduser("~"), ".cache")
    return os.path.join(root, "hohhot")


def open_directory(directory: str, *, create: bool, parent: int | None = None) -> int | None:
    """A descriptor of a private cache directory, None when there is none; raises :class:`Refused` when unsafe.

    With ``parent`` (a descriptor), ``directory`` is a name inside it. Raises OSError
    when it cannot be made or opened (not a directory, no permission).
    """
    if create:
        if parent is None:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        else:
            with contextlib.suppress(FileExistsError):
                os.mkdir(directory, 0o700, dir_fd=parent)
    try:
        descriptor = os.open(directory, _DIRECTORY_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(descriptor)
        if info.st_uid != os.getuid():
            raise Refused(f"cache directory {directory} is not owned by you; not using it")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise Refused(f"cache directory {directory} is writable by others; not using it")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(descriptor: int, *, smallest: int, largest: int) -> bytes | None:
    """The content of a regular file of the user's of ``smallest < size <= largest`` bytes, else None."""
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or not smallest < info.st_size <= largest:
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


def write_atomically(directory: int, entry: str, parts: Sequence[bytes], temporary_prefix: str) -> None:
    """Write a temporary file and rename it into place; remove it on any error or interruption."""
    import signal

    temporary = temporary_prefix + os.urandom(8).hex()
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
            remove(directory, temporary)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def prune(
    directory: int, keep: str, *, suffix: str, temporary_prefix: str, max_entries: int, max_bytes: int,
    stray_seconds: float = 60.0,
) -> None:
    """Remove stray temporary files, then entries beyond the bounds, least recently used first."""
    import time

    now = time.time()
    entries = []
    with os.scandir(directory) as listing:
        for item in listing:
            name = item.name
            try:
                if name.startswith(temporary_prefix):
                    if now - item.stat(follow_symlinks=False).st_mtime > stray_seconds:
                        remove(directory, name)
                elif name.endswith(suffix) and name != keep:
                    info = item.stat(follow_symlinks=False)
                    entries.append((info.st_mtime_ns, name, info.st_size))
            except OSError:
                continue
    count, total = 1, os.stat(keep, dir_fd=directory, follow_symlinks=False).st_size
    over = False
    for _, name, size in sorted(entries, reverse=True):  # most recently used first
        count, total = count + 1, total + size
        over = over or count > max_entries or total > max_bytes
        if over:
            remove(directory, name)


def remove(directory: int, name: str) -> None:
    """Remove a file in the directory, if it is there."""
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=directory)
