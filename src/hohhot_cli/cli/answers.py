"""The answer cache: a question asked before is answered again without Typer, click or the model.

A lookup in a loop asks the same question again and again. The first run of a
question stores what it wrote (stdout and stderr, in order) and its exit status;
later runs replay them byte for byte, having imported nothing but this module,
:mod:`hohhot_cli.load.private` and :mod:`hohhot_cli.load.digest`. A wrong answer is far worse
than a slow one, so an answer is exact or it is not used:

* **Keyed on everything the output can depend on.** The key is a digest of the
  arguments, the working directory (relative paths), the whole environment, the
  encodings and error handlers of stdout and stderr and whether stderr is a
  terminal, this package's files (name, size, times and inode of each), those of
  the libraries it runs on (typer, click, rich, tomli, rtoml), Python's version and prefix.
* **Checked against the fact file on every hit.** The entry names the fact file
  the answer was computed from, with its size and the digest of the content
  that was parsed (:mod:`hohhot_cli.load.digest`); a hit reads the file whole and
  compares both. An edit that keeps the size and the modification time is
  still a miss.
* **Checked against itself.** An entry is ``MAGIC | key | checksum | payload``;
  the blake2b checksum of the payload is verified before it is unmarshalled
  (:mod:`marshal`, never pickle). A damaged, planted or foreign entry is removed
  and the question answered afresh.
* **Only what can be replayed.** Answers are stored only for successful runs of
  the query commands in a machine format (json, jsonl, csv) with stdout not a
  terminal, under :data:`MAX_ANSWER_BYTES`. Terminal output is never served
  from here, and nothing is looked up or stored with ``--no-cache`` or
  ``HOHHOT_NO_CACHE``.
* **Private, atomic and bounded.** Entries live in ``answers/`` of the parse
  cache's private directory (:mod:`hohhot_cli.load.private`), are written to a
  temporary file renamed into place, and are pruned to :data:`MAX_ANSWERS` and
  :data:`MAX_TOTAL_BYTES`, least recently used first.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys

from hohhot_cli.load import private
from hohhot_cli.load.digest import DIGEST_SIZE, content_digest, descriptor_digest

TYPE_CHECKING = False  # not typing's: importing typing would cost more than a replay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO, TypeAlias

    _Answer: TypeAlias = "tuple[tuple[str, int, bytes] | None, list[tuple[int, bytes]], int]"
    """A stored answer: the fact file (path, size, digest) or None, what was written (stream, bytes), the status."""

FORMAT = 1
"""Version of the entry layout; bump it when the entry or the key changes."""

MAGIC = b"hohhot-answer\x00" + bytes([FORMAT])
"""The first bytes of every entry."""

DIRECTORY = "answers"
"""The answers' directory, inside the cache directory."""

MAX_ANSWERS = 512
"""Most answers kept."""

MAX_TOTAL_BYTES = 64 * 1024 * 1024
"""Most bytes of answers kept (64 MiB)."""

MAX_ANSWER_BYTES = 8 * 1024 * 1024
"""Largest answer stored or read (8 MiB); a larger output is computed every time."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the parse and answer caches off."""

LIBRARIES = ("typer", "click", "rich", "tomli", "rtoml")
"""Libraries whose installed files are part of the key (where they are installed)."""

SUFFIX = ".answer"
TEMPORARY_PREFIX = ".answer-"
_HEADER = len(MAGIC) + 2 * DIGEST_SIZE
_STDOUT, _STDERR = 1, 2


class Question:
    """One run's question: the key of its answer and where answers are kept."""

    __slots__ = ("cache_dir", "key", "stream_encodings")

    def __init__(self, cache_dir: str, key: bytes, stream_encodings: tuple[tuple[str, str], tuple[str, str]]) -> None:
        self.cache_dir = cache_dir
        """The private cache directory; answers are in its :data:`DIRECTORY`."""
        self.key = key
        """The digest of everything the answer depends on but the fact file."""
        self.stream_encodings = stream_encodings
        """(encoding, errors) of stdout and of stderr, with which the recorded text is turned into bytes."""

    @property
    def entry(self) -> str:
        return self.key[:16].hex() + SUFFIX


def ask(
    argv: Sequence[str], environ: Mapping[str, str], stdout: TextIO | None, stderr: TextIO | None
) -> Question | None:
    """The question this run asks, or None when its answer must not come from (or go to) the cache."""
    if os.name != "posix" or stdout is None or stderr is None:
        return None
    if environ.get(ENV_NO_CACHE, "") not in ("", "0") or "--no-cache" in argv:
        return None
    try:
        if os.isatty(stdout.fileno()):
            return None  # terminal output is never replayed
        stderr_isatty = os.isatty(stderr.fileno())
        cwd = os.getcwd()
        encodings = ((stdout.encoding, stdout.errors or "strict"), (stderr.encoding, stderr.errors or "strict"))
        if not (_replayable_encoding(stdout.encoding) and _replayable_encoding(stderr.encoding)):
            return None
        stamp = _code_stamp()
    except (OSError, ValueError, AttributeError, LookupError):  # no descriptor, a cwd or a file gone
        return None
    facts = (
        FORMAT,
        list(argv),
        cwd,
        sorted(environ.items()),
        encodings,
        stderr_isatty,
        sys.version,
        sys.prefix,
        tuple(sys.flags),
        sys.warnoptions,
        stamp,
    )
    try:
        key = content_digest(marshal.dumps(facts))
    except ValueError:  # not marshallable (never for str): no cache
        return None
    return Question(private.cache_directory(environ), key, encodings)


def _replayable_encoding(encoding: str) -> bool:
    """Whether text written in pieces encodes to the bytes of its pieces encoded one by one.

    Not so for encodings with a byte-order mark (UTF-16, UTF-32, UTF-8 with signature) or
    a shift state (ISO-2022): their stream writes depend on what came before.
    """
    import codecs  # loaded at start-up already, with the encodings

    name = codecs.lookup(encoding).name
    return name in ("utf-8", "ascii", "latin-1") or name.startswith(("iso8859", "cp", "mac-"))


def _code_stamp() -> list[tuple[object, ...]]:
    """The files of this package and of its libraries, as the file system describes them.

    Size, times and inode of each file: an edit, a reinstall or a copy (even one
    that keeps times, which gets a new inode and change time) changes the stamp.
    """
    stamp: list[tuple[object, ...]] = []
    package = os.path.dirname(os.path.abspath(__file__))
    with os.scandir(package) as listing:
        for item in listing:
            if item.name != "__pycache__" and not item.name.startswith("."):
                info = item.stat(follow_symlinks=True)
                stamp.append((item.name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev))
    stamp.sort()
    for library in LIBRARIES:
        for directory in sys.path[1:]:  # not the first: the script's own directory, or '' with -c
            try:
                info = os.stat(os.path.join(directory or ".", library, "__init__.py"))
            except OSError:
                continue
            stamp.append((library, directory, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
            break
    return stamp


def replay(question: Question) -> int | None:
    """Write the stored answer to the question and return its exit status; None when there is none to trust."""
    try:
        cache = private.open_directory(question.cache_dir, create=False)
    except (private.Refused, OSError):
        return None  # the full run says why, once
    if cache is None:
        return None
    try:
        directory = private.open_directory(DIRECTORY, create=False, parent=cache)
    except (private.Refused, OSError):
        return None
    finally:
        os.close(cache)
    if directory is None:
        return None
    try:
        answer = _read_answer(directory, question)
    finally:
        os.close(directory)
    if answer is None:
        return None
    chunks, status = answer
    return _write_out(chunks, status)


def _read_answer(directory: int, question: Question) -> tuple[list[tuple[int, bytes]], int] | None:
    """The stored answer, checked; None (and a damaged or foreign entry removed) when there is none to trust."""
    entry = question.entry
    try:
        descriptor = os.open(entry, private.READ_FLAGS, dir_fd=directory)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), a socket, an entry we may not read
        private.remove(directory, entry)
        return None
    try:
        data = private.read_regular(descriptor, smallest=_HEADER, largest=_HEADER + MAX_ANSWER_BYTES)
        answer = _checked(data, question)
        if answer is None:
            private.remove(directory, entry)
            return None
        fact_file, chunks, status = answer
        if fact_file is not None and not _unchanged(*fact_file):
            return None  # the fact file changed: the full run answers and stores the new answer
        with contextlib.suppress(OSError):
            os.utime(descriptor)  # recently used: pruned last
        return chunks, status
    finally:
        os.close(descriptor)


def _checked(data: bytes | None, question: Question) -> _Answer | None:
    """The entry's content when it is an answer to this question, intact, as :func:`remember` stores it."""
    if (
        data is None
        or data[: len(MAGIC)] != MAGIC
        or data[len(MAGIC) : len(MAGIC) + DIGEST_SIZE] != question.key
        or data[len(MAGIC) + DIGEST_SIZE : _HEADER] != content_digest(memoryview(data)[_HEADER:])
    ):
        return None
    try:
        fact_file, chunks, status = marshal.loads(memoryview(data)[_HEADER:])
    except (ValueError, EOFError, TypeError):  # checked, yet not what this code stores: never served
        return None
    return (fact_file, chunks, status) if _valid(fact_file, chunks, status) else None


def _valid(fact_file: object, chunks: object, status: object) -> bool:
    """Whether unmarshalled data has the shape :func:`remember` stores."""
    if fact_file is not None and not (
        isinstance(fact_file, tuple)
        and len(fact_file) == 3
        and isinstance(fact_file[0], str)
        and isinstance(fact_file[1], int)
        and isinstance(fact_file[2], bytes)
    ):
        return False
    return (
        isinstance(status, int)
        and isinstance(chunks, list)
        and all(
            isinstance(chunk, tuple)
            and len(chunk) == 2
            and chunk[0] in (_STDOUT, _STDERR)
            and isinstance(chunk[1], bytes)
            for chunk in chunks
        )
    )


def _unchanged(path: str, size: int, digest: bytes) -> bool:
    """Whether the file at ``path`` is a regular file of exactly this size and content digest."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a device or FIFO is never opened, as the full run refuses it
            return False
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags)
    except OSError:
        return False
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
        return descriptor_digest(descriptor) == (size, digest)
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _write_out(chunks: list[tuple[int, bytes]], status: int) -> int:
    """Write the answer as the full run wrote it; return the exit status the full run would have had."""
    for stream, data in chunks:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(stream, view) :]
        except BrokenPipeError:
            if stream == _STDOUT:  # the reader has gone: quiet, status 0, as a full run ends (errors.ReaderGone)
                _silence_stdout()
                return 0
        except OSError as error:
            if stream == _STDERR:  # nowhere to say it; the exit status says it (as main.run_invocation does)
                status = status or 1
                continue
            message = f"hohhot: error: cannot write to standard output: {error.strerror or error}\n"
            _silence_stdout()
            with contextlib.suppress(OSError):
                os.write(_STDERR, message.encode("ascii", "backslashreplace"))
            return 1
    return status


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, _STDOUT)
    except OSError:
        pass


def remember(
    question: Question, transcript: Sequence[tuple[int, str]], fact_file: tuple[str, int, bytes] | None, status: int
) -> None:
    """Store the answer a full run gave; a cache that cannot be written is no cache, not an error."""
    if any(stream != _STDOUT for stream, _ in transcript):
        return  # a warning belongs to its moment (an unsafe directory, say): such a run is not replayed
    (out_encoding, out_errors), (err_encoding, err_errors) = question.stream_encodings
    try:
        chunks = [
            (stream, text.encode(*((out_encoding, out_errors) if stream == _STDOUT else (err_encoding, err_errors))))
            for stream, text in transcript
        ]
    except (UnicodeError, LookupError):  # the full run wrote it another way: do not guess
        return
    if sum(len(data) for _, data in chunks) > MAX_ANSWER_BYTES:
        return
    try:
        payload = marshal.dumps((fact_file, chunks, int(status)))
    except ValueError:  # not plain data: nothing to store
        return
    if len(payload) > MAX_ANSWER_BYTES:
        return
    try:
        cache = private.open_directory(question.cache_dir, create=True)
        if cache is None:
            return
        try:
            directory = private.open_directory(DIRECTORY, create=True, parent=cache)
        finally:
            os.close(cache)
    except (private.Refused, OSError):  # the parse cache has said why, once
        return
    if directory is None:
        return
    try:
        parts = (MAGIC, question.key, content_digest(payload), payload)
        private.write_atomically(directory, question.entry, parts, TEMPORARY_PREFIX)
        private.prune(
            directory,
            question.entry,
            suffix=SUFFIX,
            temporary_prefix=TEMPORARY_PREFIX,
            max_entries=MAX_ANSWERS,
            max_bytes=MAX_TOTAL_BYTES,
        )
    except OSError:
        pass
    finally:
        os.close(directory)
