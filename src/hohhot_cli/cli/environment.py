"""What the CLI needs from the outside world, in one object that tests replace."""

from __future__ import annotations

import os
import re
import sys

from hohhot_cli.output.encode import ESCAPED, UTF8, fit, utf8_bytes
from hohhot_cli.output.style import Style

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import BinaryIO, TextIO

_PROBE = "呼和浩特≈█"  # characters our output uses beyond ASCII

ENV_DEBUG = "HOHHOT_DEBUG"
"""Set (to anything but empty or 0) to trace on stderr which paths a run took, and how long each step took."""

STDIN_NAME = "<stdin>"
"""How standard input is named in messages, where a path would be (``validate -``, ``--facts -``)."""

ENV_CSV_RAW = "HOHHOT_CSV_RAW"
"""Set (to anything but empty or 0) to write CSV text cells exactly, formulas included."""


class _Default:
    """The process's own stream, as opposed to None (a stream the process started without)."""


DEFAULT = _Default()


class Environment:
    """Standard streams, environment variables and terminal facts (the process's own by default)."""

    def __init__(
        self,
        stdout: TextIO | _Default | None = DEFAULT,
        stderr: TextIO | _Default | None = DEFAULT,
        environ: Mapping[str, str] | None = None,
        stdout_isatty: bool | None = None,
        stdin: BinaryIO | _Default | None = DEFAULT,
    ) -> None:
        self.stdout: TextIO | None = sys.stdout if isinstance(stdout, _Default) else stdout
        """Where data goes (None: the process started with it closed)."""
        self.stderr: TextIO | None = sys.stderr if isinstance(stderr, _Default) else stderr
        """Where messages go."""
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        """Environment variables (NO_COLOR, CLICOLOR, CLICOLOR_FORCE, FORCE_COLOR, COLUMNS, TERM, PAGER)."""
        self.stdout_isatty = stdout_isatty
        """Whether stdout is a terminal; None to ask the stream."""
        self.stderr_failed = False
        """Set when a message could not be written to stderr (a full disk, a descriptor not open for writing)."""
        self.no_color = False
        """Set by ``--no-color``: no colour, whatever the environment says."""
        self.stdin: BinaryIO | None = getattr(sys.stdin, "buffer", None) if isinstance(stdin, _Default) else stdin
        """Where ``-`` reads from, as bytes (None: the process started without it)."""
        self._stdin_data: bytes | None = None

    @property
    def debugging(self) -> bool:
        """Whether ``HOHHOT_DEBUG`` asks for a trace of which paths ran, on stderr."""
        return self.environ.get(ENV_DEBUG, "") not in ("", "0")

    @property
    def is_terminal(self) -> bool:
        if self.stdout_isatty is not None:
            return self.stdout_isatty
        try:
            return self.stdout is not None and self.stdout.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def color(self) -> bool:
        """Whether tables are coloured, by the conventions of no-color.org, bixense.com/clicolors and force-color.org.

        ``--no-color`` or ``NO_COLOR`` (not empty) turn colour off, and win; ``CLICOLOR_FORCE``
        (not empty nor ``0``) or ``FORCE_COLOR`` (not empty) turn it on, even when piped;
        otherwise colour only on a terminal, unless ``CLICOLOR=0`` or ``TERM=dumb``.
        """
        environ = self.environ
        if self.no_color or environ.get("NO_COLOR"):
            return False
        if environ.get("CLICOLOR_FORCE", "") not in ("", "0") or environ.get("FORCE_COLOR"):
            return True
        if environ.get("CLICOLOR") == "0" or environ.get("TERM") == "dumb":
            return False
        return self.is_terminal

    @property
    def width(self) -> int:
        """COLUMNS when set to a number, else the terminal's width, else 80."""
        try:
            columns = int(self.environ.get("COLUMNS", ""))
        except ValueError:  # unset, empty, or digits int() does not read ("²")
            columns = 0
        if columns > 0:
            return min(columns, 1000)
        if self.is_terminal:
            import shutil  # a terminal's size only: shutil costs a piped run its imports

            return shutil.get_terminal_size((80, 24)).columns
        return 80

    @property
    def height(self) -> int:
        """LINES when set to a number, else the terminal's height, else 24 (for the pager)."""
        try:
            lines = int(self.environ.get("LINES", ""))
        except ValueError:
            lines = 0
        if lines > 0:
            return lines
        if self.is_terminal:
            import shutil

            return shutil.get_terminal_size((80, 24)).lines
        return 24

    @property
    def ascii_only(self) -> bool:
        """True when stdout cannot encode the non-ASCII characters we print."""
        encoding = getattr(self.stdout, "encoding", None) or "utf-8"
        try:
            _PROBE.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            return True
        return False

    @property
    def csv_raw(self) -> bool:
        """Whether CSV (of commands and of ``export``) keeps text cells that start like a formula as they are."""
        return self.environ.get(ENV_CSV_RAW, "") not in ("", "0")

    @property
    def style(self) -> Style:
        """The look of tables on this stdout, and how CSV is written."""
        return Style(width=self.width, color=self.color, ascii_only=self.ascii_only, csv_raw=self.csv_raw)

    def read_stdin(self) -> bytes:
        """Standard input's bytes, read once (a second ``-`` gets the same), refused over the fact-file limit."""
        if self._stdin_data is None:
            from hohhot_cli.load.reading import MAX_FILE_BYTES
            from hohhot_cli.model.errors import FactFileError, Problem

            if self.stdin is None:
                raise FactFileError([Problem(STDIN_NAME, "", "standard input is closed")])
            try:
                data = self.stdin.read(MAX_FILE_BYTES + 1)
            except (OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or error
                raise FactFileError([Problem(STDIN_NAME, "", f"cannot read: {reason}")]) from None
            if len(data) > MAX_FILE_BYTES:
                limit = MAX_FILE_BYTES / (1024 * 1024)
                raise FactFileError([Problem(STDIN_NAME, "", f"larger than the {limit:g} MiB limit for fact files")])
            self._stdin_data = data
        return self._stdin_data

    def write(self, text: str, form: str = ESCAPED) -> None:
        """Write data to stdout; what its encoding cannot hold is written by the rule of ``form``.

        ``form`` is one of :mod:`hohhot_cli.output.encode`'s (see :func:`~hohhot_cli.output.encode.stream_form`):
        a table gets backslash escapes, Markdown character references, JSON its ``\\u`` escapes,
        and CSV, TSV and citations are UTF-8 bytes whatever the encoding: never text that reads
        the same as other text.
        """
        if self.stdout is None:  # started with stdout closed (>&-)
            from hohhot_cli.model.errors import OutputError

            raise OutputError("standard output is closed")
        try:
            buffer = getattr(self.stdout, "buffer", None) if form == UTF8 else None
            if buffer is not None:
                self.stdout.flush()
                buffer.write(self.encoded(text, form))
                buffer.flush()
                return
            if self.ascii_only:
                text = self._fit(text, form)
            try:
                self.stdout.write(text)
            except UnicodeEncodeError:  # lone surrogates, from undecodable bytes in argv or a file name
                self.stdout.write(self._fit(text, form))
            self.stdout.flush()
        except BrokenPipeError:  # the reader went away: the run ends quietly (see errors.ReaderGone)
            from hohhot_cli.model.errors import ReaderGone

            raise ReaderGone() from None
        except OSError as error:  # a full disk (ENOSPC), stdout opened for reading only (EBADF), ...
            from hohhot_cli.model.errors import OutputError

            raise OutputError(f"cannot write to standard output: {error.strerror or error}") from None

    def encoded(self, text: str, form: str = ESCAPED) -> bytes:
        """The bytes :meth:`write` would write for ``text`` (for a pager, which takes bytes)."""
        if form == UTF8:
            return utf8_bytes(text)
        encoding = getattr(self.stdout, "encoding", None) or "utf-8"
        text = self._fit(text, form)
        try:
            return text.encode(encoding)
        except LookupError:
            return text.encode("ascii", "backslashreplace")

    def _fit(self, text: str, form: str) -> str:
        return fit(text, getattr(self.stdout, "encoding", None) or "utf-8", form)

    def debug(self, message: str) -> None:
        """One trace line to stderr when :attr:`debugging`, else nothing."""
        if self.debugging:
            self.error(f"debug: {message}")

    def error(self, message: str) -> None:
        """One line to stderr, prefixed with the program name; a failure to write it sets :attr:`stderr_failed`.

        Every message of a run comes here, the direct path's, Typer's usage errors and warnings
        alike, and is made safe here (:func:`message_text`).
        """
        if self.stderr is None:  # started with stderr closed (2>&-): nowhere to say it
            return
        line = f"hohhot: {message_text(message)}\n"
        encoding = getattr(self.stderr, "encoding", None) or "utf-8"
        try:
            line.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            line = line.encode("ascii", "backslashreplace").decode("ascii")
        try:
            self.stderr.write(line)
            self.stderr.flush()
        except BrokenPipeError:  # a reader of stderr that went away: quiet, as on stdout
            pass
        except OSError:  # nowhere to say it; the exit status says it (see main.run_invocation)
            self.stderr_failed = True


_QUOTED_BYTE: list[re.Pattern[str]] = []


def message_text(message: str) -> str:
    """A message as stderr shows it: one line, no control character, a byte that is not UTF-8 as ``\\xff``.

    Values are quoted in messages as Python literals (``repr``, ours and click's), where such a
    byte of an argument, held as U+DCFF, reads ``\\udcff``: written ``\\xff`` here, as unquoted
    text is by :func:`~hohhot_cli.output.humanize.clean`. A backslash of the text itself is
    doubled in a literal, so ``\\\\udcff`` (typed as such) stays as it is.
    """
    from hohhot_cli.output.humanize import clean  # a path or id from the user may hold control characters

    if "\\udc" in message:
        if not _QUOTED_BYTE:
            _QUOTED_BYTE.append(re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])"))
        message = _QUOTED_BYTE[0].sub(r"\1\\x\2", message)
    return clean(message)
