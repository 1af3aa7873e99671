"""Reading a fact file: bytes from disk, text from bytes, a TOML document from text.

Every failure becomes a :class:`FactFileError` naming the file and, where the
parser gives one, the line; nothing here knows what a fact base holds.
"""

from __future__ import annotations

import os
import re
import stat
import sys

from hohhot_cli.model.errors import FactFileError, Problem

TYPE_CHECKING = False  # not typing's: a lookup from the snapshot imports neither typing nor pathlib
if TYPE_CHECKING:
    from typing import Any

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


def read_bytes(file: str | os.PathLike[str]) -> bytes:
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
    tomllib = _toml_module()
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


def _toml_module() -> Any:
    """:mod:`tomllib`, or ``tomli`` (the same parser) before Python 3.11."""
    if sys.version_info >= (3, 11):
        import tomllib  # here, not at the top: a run from the snapshot never parses TOML
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib
