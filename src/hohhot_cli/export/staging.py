"""An export is whole or not at all: everything is staged beside its target, then renamed in one step.

Each file of an export (the export itself; a Data Package's members; the metadata
beside a database) is written to a temporary file in its target's directory, or the
whole of a new Data Package to a temporary directory beside it. Only when every part
is complete are they renamed over their targets, in one step that SIGINT, SIGTERM
and SIGHUP wait for: a signal that arrives then ends the run just after, with the
export complete. A rename that fails puts back what the step had replaced, from a
hard link made beforehand (or the old file moved aside where links are refused).
Any failure before that step, or any signal, removes the temporary files and leaves
the targets as they were.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hohhot_cli.model.errors import OutputError

PREFIX = ".hohhot-export-"
"""How every temporary name of an export begins (a short name: the target's may be as long as allowed)."""

_HELD = frozenset(
    number for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if number is not None
)


def cannot_write(name: str, error: OSError) -> OutputError:
    """The one message of an export that the system refused."""
    return OutputError(f"{name}: cannot write: {error.strerror or error}")


def export_target(given: str | os.PathLike[str]) -> Path:
    """The path an export may write, checked before any work: a regular file or nothing yet.

    A directory, a FIFO, a socket or a device (after following links) is refused, never
    replaced; so is a path ending in a slash, which names a directory. Messages name
    the path as given, never what a link resolves to (``/dev/stdout`` is not shown as
    ``/proc/<pid>/fd/pipe:[N]``).
    """
    text = os.fspath(given)
    if not text:
        raise OutputError("the output path is empty")
    if text.endswith(("/", os.sep)):  # Path() would drop the slash and write a file of that name
        if os.path.isdir(text):
            raise OutputError(f"{text}: is a directory")
        if os.path.exists(text.rstrip("/" + os.sep)):
            raise OutputError(f"{text}: is not a directory")
        raise OutputError(f"{text}: no such directory")
    try:
        info = os.stat(text)
    except FileNotFoundError:
        return Path(text)
    except OSError as error:  # a loop of links, a path through a file, a directory we may not search
        raise cannot_write(text, error) from None
    check_regular(info.st_mode, text)
    return Path(text)


def check_regular(mode: int, name: str) -> None:
    """Refuse, naming ``name``, anything but a regular file."""
    if stat.S_ISDIR(mode):
        raise OutputError(f"{name}: is a directory")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{name}: is not a regular file; export replaces only a regular file")


def umask() -> int:
    """The process's umask (reading it means setting it: it is put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mode_for(target: Path) -> int:
    """The mode of the file that replaces ``target``: the existing file's, else 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~umask()


@dataclass
class _Part:
    """One rename of the step: ``temporary`` over ``target`` (``name``: the target as the user gave it)."""

    temporary: str
    target: Path
    name: str
    directory: bool = False
    backup: str | None = None
    """The old target, linked (or moved) aside until the step is done."""
    linked: bool = False
    """The backup is a second link: the target stays in place until it is replaced."""
    done: bool = False


@dataclass
class Staging:
    """The parts of one export, staged; :meth:`commit` puts them all in place, or none.

    Used as a context manager: leaving it by an exception (or without a commit)
    removes whatever was staged.
    """

    parts: list[_Part] = field(default_factory=list)
    removals: list[_Part] = field(default_factory=list)
    """Files the step removes (SQLite's files left beside an old database), put back if it fails."""
    checks: list[Callable[[], None]] = field(default_factory=list)
    """Run first in the step: each may refuse the export (raising) before anything is touched."""

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def file(self, target: Path, name: str) -> str:
        """A new empty temporary file beside ``target`` (links resolved), to be renamed over it; its path."""
        if target.is_symlink():  # write the file the link points to, and keep the link
            target = target.resolve()
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise OutputError(f"{name}: no such directory {str(directory)!r}")
        try:
            handle, temporary = tempfile.mkstemp(prefix=PREFIX, suffix=".part", dir=directory)
        except OSError as error:
            raise cannot_write(name, error) from None
        os.close(handle)
        self.parts.append(_Part(temporary, target, name))
        return temporary

    def text(self, target: Path, name: str, text: str) -> None:
        """Stage ``text`` (UTF-8) as the new content of ``target``."""
        write_text(self.file(target, name), name, text)

    def directory(self, target: Path, name: str) -> Path:
        """A new temporary directory beside ``target``, which does not exist yet, to be renamed to it."""
        try:
            made = tempfile.mkdtemp(prefix=PREFIX, suffix=".part", dir=target.parent if str(target.parent) else ".")
            self.parts.append(_Part(made, target, name, directory=True))
            os.chmod(made, 0o777 & ~umask())
        except OSError as error:
            raise cannot_write(name, error) from None
        return Path(made)

    def remove(self, path: Path, name: str) -> None:
        """Remove ``path`` in the step (it is put back if the step fails)."""
        self.removals.append(_Part("", path, name))

    def commit(self) -> None:
        """Rename every part over its target, with the signals held; on failure put everything back."""
        with held_signals():
            try:
                for check in self.checks:
                    check()
                for part in self.parts:
                    if not part.directory:
                        os.chmod(part.temporary, mode_for(part.target))
                for removal in self.removals:
                    _set_aside(removal)
                for part in self.parts:
                    _put_in_place(part)
            except BaseException as error:
                failed = next((p.name for p in self.parts if not p.done), self.parts[-1].name if self.parts else "")
                self._roll_back()
                if isinstance(error, OSError):
                    raise cannot_write(failed, error) from None
                raise
            self._finish()

    def _roll_back(self) -> None:
        for part in reversed([*self.removals, *self.parts]):
            with contextlib.suppress(OSError):
                if part.done and part.backup is None and part.temporary:
                    _remove(str(part.target), part.directory)  # there was nothing before
                elif part.backup is not None and part.linked and not part.done:
                    os.unlink(part.backup)  # the old target was never replaced
                elif part.backup is not None:
                    os.replace(part.backup, part.target)
            part.backup, part.linked, part.done = None, False, False

    def _finish(self) -> None:
        for part in [*self.removals, *self.parts]:
            if part.backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(part.backup)
        for directory in {part.target.parent for part in self.parts}:
            _sync_directory(directory)
        self.parts, self.removals = [], []

    def discard(self) -> None:
        """Remove every staged file or directory (and SQLite's files beside one): nothing is left behind."""
        for part in self.parts:
            _remove(part.temporary, part.directory)
            for suffix in ("-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(part.temporary + suffix)
        self.parts, self.removals = [], []


def write_text(path: str | Path, name: str, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` and make it durable."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        raise cannot_write(name, error) from None


def _put_in_place(part: _Part) -> None:
    if part.directory:
        os.rename(part.temporary, part.target)  # fails if something took the name meanwhile
        part.done = True
        return
    if os.path.lexists(part.target):
        check_regular(os.stat(part.target).st_mode, part.name)  # made a FIFO or a device since the first check?
        backup = _free_name(part.target)
        try:
            os.link(part.target, backup)
            part.backup, part.linked = backup, True
        except OSError:  # no hard links here: move the old file aside instead
            os.replace(part.target, backup)
            part.backup = backup
    os.replace(part.temporary, part.target)
    part.done = True


def _set_aside(removal: _Part) -> None:
    backup = _free_name(removal.target)
    with contextlib.suppress(FileNotFoundError):  # gone already
        os.replace(removal.target, backup)
        removal.backup = backup
    removal.done = True


def _free_name(beside: Path) -> str:
    return str(beside.parent / f"{PREFIX}{os.urandom(6).hex()}.old")


def _remove(path: str, directory: bool) -> None:
    if directory:
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _sync_directory(directory: Path) -> None:
    """Make the renames in ``directory`` durable, where the system lets a directory be synced."""
    with contextlib.suppress(OSError):
        handle = os.open(directory if str(directory) else ".", os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the block is done (where the system can hold them)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
