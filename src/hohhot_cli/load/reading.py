"""Reading a fact file: bytes from disk, text from bytes, a TOML document from text.

Every failure becomes a :class:`FactFileError` naming the file and, where the
parser gives one, the line; nothing here knows what a fact base holds.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hohhot_cli.load.parsers import Loads, reference_module
from hohhot_cli.model.errors import FactFileError, Problem

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Fact files larger than this are refused before parsing (64 MiB)."""

MAX_KEY_DEPTH = 100
"""Most dots a key or table header may have; tomllib's time grows with the square of the depth."""

_LINE_IN_MESSAGE = re.compile(r"at line (\d+)")
# Each pattern below may be given long runs of one character by a fact file: each starts
# only where its run starts (a lookbehind), or a run could be tried from each of its
# characters, which takes time that grows with the square of the run.
_LONG_NUMBER = re.compile(r"(?<![0-9_])[0-9_]{4000,}")
_POSITION_IN_MESSAGE = re.compile(r"(?<!\s)\s*\((?:at line \d+, column \d+|at end of document)\)")
"""Where tomllib says an error is; a message may quote a key of any length, spaces included."""


def read_bytes(file: Path) -> bytes:
    """Read a fact file's bytes, refusing a directory, a missing file or one over the size limit.

    Anything but a regular file (after following links) is refused before it is opened, so
    that a FIFO, a socket or a device never blocks or streams; the file is then opened
    without blocking and its descriptor checked again, in case it was swapped meanwhile.
    """
    name = str(file)
    try:
        _check_regular(os.stat(file), name)
        descriptor = os.open(file, _OPEN_FLAGS)
        with open(descriptor, "rb") as handle:
            _check_regular(os.fstat(descriptor), name)
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FactFileError([Problem(name, "", "no such file")]) from None
    except PermissionError:
        raise FactFileError([Problem(name, "", "permission denied")]) from None
    except IsADirectoryError:
        raise FactFileError([Problem(name, "", "is a directory, not a fact file")]) from None
    except OSError as error:
        raise FactFileError([Problem(name, "", f"cannot read: {error.strerror or error}")]) from None
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES / (1024 * 1024)
        raise FactFileError([Problem(name, "", f"larger than the {limit:g} MiB limit for fact files")])
    return data


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _check_regular(info: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FactFileError([Problem(name, "", "is a directory, not a fact file")])
    if not stat.S_ISREG(info.st_mode):
        raise FactFileError([Problem(name, "", f"is not a regular file ({_file_kind(info.st_mode)})")])


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO or pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((kind for test, kind in kinds if test(mode)), "not a file")


def decode_text(data: bytes, name: str) -> str:
    """The text of a fact file's bytes (UTF-8, an optional BOM dropped)."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + bom  # counted in the file as it is on disk
        line = data.count(b"\n", 0, offset) + 1
        raise FactFileError([Problem(name, "", f"invalid UTF-8 at byte {offset}", line)]) from None


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """The TOML document of a fact file's text; ``name`` is used in messages."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        raise FactFileError([Problem(name, "", "contains a NUL byte: not a text file", nul_line)])
    too_deep = _too_deep_key(text)
    if too_deep is not None:
        message = f"a key is nested more than {MAX_KEY_DEPTH} levels deep"
        raise FactFileError([Problem(name, "", message, too_deep)])
    tomllib = reference_module()
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line: int | None = getattr(error, "lineno", None)
        found = _LINE_IN_MESSAGE.search(message)
        if line is None and found:
            line = int(found.group(1))
        if line is None and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        message = _POSITION_IN_MESSAGE.sub("", message)
        raise FactFileError([Problem(name, "", f"TOML syntax error: {message}", line)]) from None
    except RecursionError:
        raise FactFileError([Problem(name, "", "nested too deeply to parse")]) from None
    except ValueError:  # an integer literal beyond Python's digit limit for int()
        long_number = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise FactFileError([Problem(name, "", "a number has too many digits to be a figure", line)]) from None
    except MemoryError:
        raise FactFileError([Problem(name, "", "too large to parse in memory")]) from None
    return document


# Each repeat starts at a dot and takes no other dot, and what comes before the first dot is
# one run of one class (which holds the indentation and a header's brackets): linear, no
# backtracking blow-up, even on a line of many thousand spaces.
_DEEP_KEY = re.compile(r"^[^=\n.\]]*(?:\.[^=\n.\]]*){" + str(MAX_KEY_DEPTH + 1) + "}", re.MULTILINE)


# Only a line with more dots than MAX_KEY_DEPTH can hold such a key: with every byte but
# dots and newlines deleted (fast), such a line is a run of dots, and the search above is
# needed only where there is one.
_NOT_DOT_OR_NEWLINE = bytes(sorted(set(range(256)) - {ord("."), ord("\n")}))
_MANY_DOTS = re.compile(rb"\.{" + str(MAX_KEY_DEPTH + 1).encode() + rb"}")


def _too_deep_key(text: str) -> int | None:
    """The line of a dotted key or table header deeper than :data:`MAX_KEY_DEPTH`, if any."""
    if not _many_dots(text.encode("utf-8", "surrogatepass")):
        return None
    found = _DEEP_KEY.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def _many_dots(data: bytes) -> bool:
    """Whether a line of the text (as UTF-8) has more than :data:`MAX_KEY_DEPTH` dots."""
    return _MANY_DOTS.search(data.translate(None, _NOT_DOT_OR_NEWLINE)) is not None


PART_CHARS = 1 << 20
"""Least size of a part of a large file parsed on its own (see :func:`parse_toml_in_parts`)."""

_METRIC_HEADER = "\n[[metrics]]\n"


class PartsDisagree(Exception):
    """The parts of a file do not read as the whole file would: it is to be parsed whole."""


def parse_toml_in_parts(
    text: str | bytes, loads: Loads, progress: Callable[[float], None] | None = None
) -> tuple[dict[str, Any], Iterator[list[Any]] | None] | None:
    """A file's TOML document, read a part at a time; None where :func:`parse_toml` must read it.

    A large base is a head (``schema_version``, ``[city]``, sources, industries), a long run
    of ``[[metrics]]`` and perhaps more tables after them. The text is cut before lines that
    are exactly ``[[metrics]]``, into parts of at least :data:`PART_CHARS`; each part is
    parsed by ``loads`` on its own and dropped once its metrics are built, so that the
    whole document is never held at once. Returned: the document without its metrics
    (``metrics`` an empty list), and the metrics' tables part by part, parsed as they are
    asked for (None when the file is one part: the document then has them all).
    ``progress`` is told the share of the text parsed so far.

    ``text`` may be the file's bytes: each part is then decoded on its own (a cut before a
    line is never inside a UTF-8 sequence), so that the whole text is never held either.
    Bytes that are not UTF-8, or that hold a byte order mark past the first, raise or give
    None: :func:`decode_text` and :func:`parse_toml` are then to read them.

    The parts read as the whole file does, or this raises: a part that does not parse on
    its own (a cut inside a string or an array leaves one unterminated), a head that
    names ``metrics``, or a table other than ``metrics`` in more than one part, or in a part
    but the last, raises :class:`PartsDisagree` or the parser's own error. The caller then
    parses the whole file with :func:`parse_toml`, which reports its errors.
    """
    if isinstance(text, bytes):
        start = 3 if text.startswith(_BOM) else 0
        if b"\x00" in text or text.find(_BOM, start) >= 0 or _many_dots(text):
            return None
        data = memoryview(text)
        header: str | bytes = _METRIC_HEADER.encode()

        def piece(begin: int, end: int | None = None) -> str:
            return str(data[begin:end], "utf-8")

    else:
        text = text.removeprefix("\ufeff")
        start = 0
        if "\x00" in text or _too_deep_key(text) is not None:
            return None
        header = _METRIC_HEADER
        whole = text

        def piece(begin: int, end: int | None = None) -> str:
            return whole[begin:end]

    bounds = _part_bounds(text, header, start)
    if len(bounds) < 2:
        return loads(piece(start)), None
    head = loads(piece(start, bounds[0]))
    last = loads(piece(bounds[-1]))
    metrics = last.get("metrics")
    if "metrics" in head or type(metrics) is not list or head.keys() & last.keys():
        raise PartsDisagree
    document: dict[str, Any] = {**head, "metrics": []}
    document.update((key, value) for key, value in last.items() if key != "metrics")
    return document, _metric_parts(piece, len(text), bounds, loads, metrics, progress)


_BOM = b"\xef\xbb\xbf"


def _part_bounds(text: str | bytes, header: str | bytes, start: int) -> list[int]:
    """Where parts start: the first ``[[metrics]]`` line, then one such line every PART_CHARS or more."""
    bounds: list[int] = []
    found = text.find(header, start)  # type: ignore[arg-type]
    while found >= 0:
        bounds.append(found + 1)
        found = text.find(header, found + 1 + PART_CHARS)  # type: ignore[arg-type]
    return bounds


def _metric_parts(
    piece: Callable[[int, int], str],  # the text from one offset to another
    size: int,
    bounds: list[int],
    loads: Loads,
    last: list[Any],
    progress: Callable[[float], None] | None,
) -> Iterator[list[Any]]:
    for start, end in itertools.pairwise(bounds):
        part = loads(piece(start, end))
        metrics = part.get("metrics")
        if len(part) != 1 or type(metrics) is not list:
            raise PartsDisagree
        del part
        yield metrics
        if progress is not None:
            progress(end / size)
    yield last
