"""The library's own exceptions and the CLI's exit statuses.

Every failure a user can cause is one of these; the CLI turns them into a
one-line message and an exit status in a single place (``main.main``).
"""

from __future__ import annotations

from enum import IntEnum

from hohhot_cli.model.value import Value, value


class ExitStatus(IntEnum):
    """Process exit statuses."""

    OK = 0
    """Success, including an empty search."""
    ERROR = 1
    """Not found, or bad data (an invalid fact file, an unwritable output)."""
    USAGE = 2
    """Bad command-line usage."""
    INTERRUPTED = 130
    """Interrupted by Ctrl-C (SIGINT)."""
    HANGUP = 129
    """Ended by SIGHUP (128 + 1): the terminal went away."""
    TERMINATED = 143
    """Ended by SIGTERM (128 + 15)."""


class HohhotError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_status: ExitStatus = ExitStatus.ERROR


@value
class Problem(Value):
    """One thing wrong with a fact file."""

    file: str
    """The file's path as given."""
    place: str
    """Where in it: a table path (``metrics[3] (gdp.total).observations[1].period``)."""
    message: str
    """What is wrong."""
    line: int | None = None
    """1-based line number, where the parser gives one."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.place}: {self.message}" if self.place else f"{where}: {self.message}"


class FactFileError(HohhotError):
    """A fact file that cannot be read or is invalid; carries the problems found.

    ``omitted`` counts problems found beyond those given (the loader keeps the first
    1,000): a last problem then says how many more there are, so that every report of
    :attr:`problems` says so.
    """

    def __init__(self, problems: list[Problem], omitted: int = 0) -> None:
        super().__init__(str(problems[0]) if problems else "invalid fact file")
        listed = tuple(problems)
        if omitted > 0 and listed:
            plural = "s" if omitted != 1 else ""
            more = f"and {omitted:,} more problem{plural}, not listed (the first {len(listed):,} are)"
            listed += (Problem(listed[0].file, "", more),)
        self.problems: tuple[Problem, ...] = listed
        self.omitted = max(omitted, 0) if listed else 0
        """Problems found beyond those listed in :attr:`problems`."""

    @property
    def count(self) -> int:
        """How many problems were found, listed or not (the line that counts the others aside)."""
        return len(self.problems) - (1 if self.omitted else 0) + self.omitted


SEARCHABLE = ("metric", "id")
"""What an unknown name may be a word of rather than an id: the message points to ``hohhot search``."""


class NotFoundError(HohhotError):
    """An id or query that matches nothing; carries the closest known ids."""

    def __init__(self, what: str, query: str, suggestions: list[str]) -> None:
        message = f"no {what} {query!r}"
        if suggestions:
            message += f"; did you mean {', '.join(suggestions)}?"
        if what in SEARCHABLE and query.strip():
            message += "" if suggestions else "."
            message += f" Or look for it: hohhot search {' '.join(query.split())}"
        super().__init__(message)
        self.what = what
        self.query = query
        self.suggestions: tuple[str, ...] = tuple(suggestions)


class OutputError(HohhotError):
    """An output file that cannot be written."""


class UsageError(HohhotError):
    """Options that do not go together (reported like a bad flag)."""

    exit_status = ExitStatus.USAGE


class ReaderGone(Exception):
    """Standard output's reader went away (EPIPE): the run ends quietly with status 0.

    Not an OSError, so that nothing between the writer and :mod:`hohhot_cli.cli.main`
    (click turns an EPIPE OSError into status 1) decides otherwise: the status does
    not depend on when the reader left.
    """
