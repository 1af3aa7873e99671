"""Export the whole base flattened: one row per observation with its provenance.

JSON, JSONL and CSV hold the observation rows; SQLite holds them too, next to
tables of metrics, sources, industries, facts and companies, so that the file
opens in sqlite3, pandas or Datasette. Files are written atomically: into a
temporary file beside the target, renamed over it only when complete.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from hohhot_cli.encode import csv_text, json_lines, to_json
from hohhot_cli.errors import OutputError, UsageError
from hohhot_cli.model import FactBase
from hohhot_cli.queries import cited_by
from hohhot_cli.results import Figure
from hohhot_cli.rows import EXPORT_COLUMNS, EXPORT_SEPARATOR, cell, observation_fields


class ExportFormat(str, Enum):
    """Formats of ``hohhot export``."""

    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    SQLITE = "sqlite"


_ALIASES = {"db": "sqlite", "sqlite3": "sqlite", "ndjson": "jsonl"}


def choose_format(given: str, output: Path) -> ExportFormat:
    """The format asked for, else the one the file's extension names (``.db`` and ``.ndjson`` too)."""
    chosen = given.lower() or output.suffix.lstrip(".").lower()
    chosen = _ALIASES.get(chosen, chosen)
    try:
        return ExportFormat(chosen)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise UsageError(f"export format {chosen or '(none)'!r} is not one of: {choices}") from None


def export_rows(base: FactBase) -> list[dict[str, Any]]:
    """Every observation of every metric as a flat row (see :data:`EXPORT_COLUMNS`), lists joined."""
    cited = cited_by(base, (o for m in base.metrics for o in m.observations))
    rows = []
    for metric in base.metrics:
        for observation in metric.observations:
            fields = observation_fields(Figure(metric, observation), cited)
            rows.append({k: EXPORT_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in fields.items()})
    return rows


def _json_text(base: FactBase) -> str:
    return to_json(export_rows(base)) + "\n"


def _jsonl_text(base: FactBase) -> str:
    return json_lines(export_rows(base))


def _csv_text(base: FactBase, raw: bool = False) -> str:
    return csv_text(EXPORT_COLUMNS, ([cell(row[c]) for c in EXPORT_COLUMNS] for row in export_rows(base)), raw=raw)


def _write_sqlite(base: FactBase, path: str) -> None:
    try:
        _fill_sqlite(base, sqlite3.connect(path))
    except sqlite3.Error as error:
        raise OSError(str(error)) from None


def _fill_sqlite(base: FactBase, connection: sqlite3.Connection) -> None:
    try:
        with connection:
            cursor = connection.cursor()
            cursor.execute(
                "CREATE TABLE sources (id TEXT PRIMARY KEY, publisher TEXT NOT NULL, title TEXT NOT NULL, "
                "date TEXT NOT NULL, authors TEXT, url TEXT, note TEXT)"
            )
            cursor.executemany(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.publisher, s.title, s.date, EXPORT_SEPARATOR.join(s.authors), s.url, s.note)
                    for s in base.sources
                ],
            )
            cursor.execute(
                "CREATE TABLE industries (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_zh TEXT, kind TEXT NOT NULL, "
                "description TEXT)"
            )
            cursor.executemany(
                "INSERT INTO industries VALUES (?, ?, ?, ?, ?)",
                [(i.id, i.name, i.name_zh, i.kind.value, i.description) for i in base.industries],
            )
            cursor.execute(
                "CREATE TABLE metrics (id TEXT PRIMARY KEY, label TEXT NOT NULL, topic TEXT NOT NULL, "
                "unit TEXT NOT NULL, industry TEXT REFERENCES industries(id), description TEXT)"
            )
            cursor.executemany(
                "INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)",
                [(m.id, m.label, m.topic, m.unit.value, m.industry, m.description) for m in base.metrics],
            )
            columns = ", ".join(
                # NUMERIC keeps integers as integers (exact up to 2**63), floats as floats.
                f"{name} NUMERIC" if name in ("value", "converted_value") else f"{name} TEXT"
                for name in EXPORT_COLUMNS
            )
            cursor.execute(f"CREATE TABLE observations (id INTEGER PRIMARY KEY, {columns})")
            placeholders = ", ".join("?" for _ in EXPORT_COLUMNS)
            cursor.executemany(
                f"INSERT INTO observations ({', '.join(EXPORT_COLUMNS)}) VALUES ({placeholders})",
                [tuple(row[c] for c in EXPORT_COLUMNS) for row in export_rows(base)],
            )
            cursor.execute(
                "CREATE TABLE observation_sources (observation INTEGER REFERENCES observations(id), "
                "source TEXT REFERENCES sources(id))"
            )
            links: list[tuple[int, str]] = []
            number = 0
            for metric in base.metrics:
                for observation in metric.observations:
                    number += 1
                    links.extend((number, ref) for ref in observation.sources)
            cursor.executemany("INSERT INTO observation_sources VALUES (?, ?)", links)
            cursor.execute(
                "CREATE TABLE facts (id TEXT PRIMARY KEY, topic TEXT, kind TEXT, label TEXT, text TEXT, items TEXT, "
                "date TEXT, period TEXT, as_of TEXT, industry TEXT, source_ids TEXT)"
            )
            cursor.executemany(
                "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        f.id,
                        f.topic,
                        f.kind.value,
                        f.label,
                        f.text,
                        EXPORT_SEPARATOR.join(f"{i.name} {i.name_zh}".strip() for i in f.items),
                        f.date,
                        f.period,
                        f.as_of,
                        f.industry,
                        EXPORT_SEPARATOR.join(f.sources),
                    )
                    for f in base.facts
                ],
            )
            cursor.execute(
                "CREATE TABLE companies (id TEXT PRIMARY KEY, name TEXT, name_zh TEXT, industry TEXT, "
                "description TEXT, source_ids TEXT)"
            )
            cursor.executemany(
                "INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.id, c.name, c.name_zh, c.industry, c.description, EXPORT_SEPARATOR.join(c.sources))
                    for c in base.companies
                ],
            )
    finally:
        connection.close()


_TEXT_WRITERS: dict[ExportFormat, Callable[[FactBase], str]] = {
    ExportFormat.JSON: _json_text,
    ExportFormat.JSONL: _jsonl_text,
    ExportFormat.CSV: _csv_text,
}


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
        raise OutputError(f"{text}: cannot write: {error.strerror or error}") from None
    _check_regular(info.st_mode, text)
    return Path(text)


def _check_regular(mode: int, name: str) -> None:
    if stat.S_ISDIR(mode):
        raise OutputError(f"{name}: is a directory")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{name}: is not a regular file; export replaces only a regular file")


def _mode_for(output: Path) -> int:
    """The mode a plainly created file would get: the existing target's, else 0666 less the umask."""
    try:
        return output.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def write_export(base: FactBase, export_format: ExportFormat, output: Path, *, csv_raw: bool = False) -> int:
    """Write the export atomically; return the number of observation rows.

    Raises :class:`OutputError` when the file cannot be written or is not a
    regular file (see :func:`export_target`); no partial file is left behind,
    whatever ends the export (an error, Ctrl-C, or SIGTERM or SIGHUP, which the
    console script turns into exceptions too).
    """
    name = str(output)  # messages name the path as given
    export_target(output)
    if output.is_symlink():  # write the file the link points to, and keep the link
        output = output.resolve()
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{name}: no such directory {str(directory)!r}")
    try:
        # A short name of its own: the target's name may already be as long as the system allows.
        handle, temporary = tempfile.mkstemp(prefix=".hohhot-export-", suffix=".part", dir=directory)
    except OSError as error:
        raise OutputError(f"{name}: cannot write: {error.strerror or error}") from None
    try:
        if export_format is ExportFormat.SQLITE:
            os.close(handle)
            os.unlink(temporary)  # sqlite3 wants to create the file itself
            _write_sqlite(base, temporary)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                raw_csv = csv_raw and export_format is ExportFormat.CSV
                stream.write(_csv_text(base, raw=True) if raw_csv else _TEXT_WRITERS[export_format](base))
        os.chmod(temporary, _mode_for(output))
        with contextlib.suppress(FileNotFoundError):  # made a FIFO or a device since the first check?
            _check_regular(os.stat(output).st_mode, name)
        os.replace(temporary, output)
    except BaseException as error:
        for leftover in (temporary, *(temporary + suffix for suffix in _SQLITE_SIDE_FILES)):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
        if isinstance(error, OSError):
            raise OutputError(f"{name}: cannot write: {error.strerror or error}") from None
        raise
    return sum(len(m.observations) for m in base.metrics)


_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
"""Files SQLite may keep beside a database while it writes."""
