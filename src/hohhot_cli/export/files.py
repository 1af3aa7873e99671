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

from hohhot_cli.model.errors import OutputError, UsageError
from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import EXPORT_COLUMNS, LIST_COLUMNS, LIST_SEPARATOR, cell, observation_fields
from hohhot_cli.output.encode import csv_text, json_lines, to_json
from hohhot_cli.query.queries import cited_by
from hohhot_cli.query.results import Figure
from hohhot_cli.query.selection import PeriodFilter


class ExportFormat(str, Enum):
    """Formats of ``hohhot export``."""

    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    SQLITE = "sqlite"
    DATAPACKAGE = "datapackage"


STDOUT_FORMATS = (ExportFormat.JSON, ExportFormat.JSONL, ExportFormat.CSV)
"""The formats ``-o -`` can write to stdout; the others are files or directories."""


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


def export_rows(base: FactBase, selection: PeriodFilter | None = None) -> list[dict[str, Any]]:
    """Every observation (the filter keeps) as a flat row (see :data:`EXPORT_COLUMNS`), lists as lists."""
    cited = cited_by(base, (o for m in base.metrics for o in m.observations))
    keep = selection or PeriodFilter()
    return [
        observation_fields(Figure(metric, observation), cited)
        for metric in base.metrics
        for observation in metric.observations
        if keep.keeps(observation)
    ]


def _json_text(base: FactBase, selection: PeriodFilter | None = None) -> str:
    from hohhot_cli.output.json_view import FORMAT_VERSION

    document = {
        "format_version": FORMAT_VERSION,
        "fact_base_updated": base.updated,
        "observations": export_rows(base, selection),
    }
    return to_json(document) + "\n"


def _jsonl_text(base: FactBase, selection: PeriodFilter | None = None) -> str:
    return json_lines(export_rows(base, selection))


def _csv_text(base: FactBase, selection: PeriodFilter | None = None, raw: bool = False) -> str:
    rows = ([cell(row[c]) for c in EXPORT_COLUMNS] for row in export_rows(base, selection))
    return csv_text(EXPORT_COLUMNS, rows, raw=raw)


def export_text(
    base: FactBase, export_format: ExportFormat, selection: PeriodFilter | None = None, *, csv_raw: bool = False
) -> str:
    """The export in a text format (json, jsonl, csv), for stdout."""
    if csv_raw and export_format is ExportFormat.CSV:
        return _csv_text(base, selection, raw=True)
    return _TEXT_WRITERS[export_format](base, selection)


def _write_sqlite(base: FactBase, path: str, selection: PeriodFilter | None = None) -> None:
    try:
        _fill_sqlite(base, sqlite3.connect(path), selection)
    except sqlite3.Error as error:
        raise OSError(str(error)) from None


def _fill_sqlite(base: FactBase, connection: sqlite3.Connection, selection: PeriodFilter | None = None) -> None:
    from hohhot_cli import __version__
    from hohhot_cli.output.json_view import FORMAT_VERSION

    try:
        with connection:
            cursor = connection.cursor()
            cursor.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            cursor.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("format_version", FORMAT_VERSION),
                    ("fact_base_updated", base.updated),
                    ("tool_version", __version__),
                    ("list_separator", LIST_SEPARATOR),
                ],
            )
            cursor.execute(
                "CREATE TABLE sources (id TEXT PRIMARY KEY, publisher TEXT NOT NULL, title TEXT NOT NULL, "
                "date TEXT NOT NULL, authors TEXT, url TEXT, note TEXT)"
            )
            cursor.executemany(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.publisher, s.title, s.date, LIST_SEPARATOR.join(s.authors), s.url, s.note)
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
            rows = export_rows(base, selection)
            kept = {(r["metric"], r["ref"]) for r in rows}
            cursor.executemany(
                f"INSERT INTO observations ({', '.join(EXPORT_COLUMNS)}) VALUES ({placeholders})",
                [tuple(cell(row[c]) if c in LIST_COLUMNS else row[c] for c in EXPORT_COLUMNS) for row in rows],
            )
            cursor.execute(
                "CREATE TABLE observation_sources (observation INTEGER REFERENCES observations(id), "
                "source TEXT REFERENCES sources(id))"
            )
            links: list[tuple[int, str]] = []
            number = 0
            for metric in base.metrics:
                for observation in metric.observations:
                    if (metric.id, observation.ref) in kept:
                        number += 1
                        links.extend((number, ref) for ref in observation.sources)
            cursor.executemany("INSERT INTO observation_sources VALUES (?, ?)", links)
            cursor.execute(
                "CREATE VIEW observation_details AS SELECT o.id, o.metric, m.label, m.topic, o.unit, m.industry, "
                "o.period, o.period_start, o.period_end, o.period_kind, o.as_of, o.value, o.exactness, o.status, "
                "o.note, m.description AS metric_description, o.source_ids "
                "FROM observations o JOIN metrics m ON m.id = o.metric"
            )
            cursor.execute(
                "CREATE VIEW observation_citations AS SELECT o.id AS observation, o.metric, o.period, o.period_start, "
                "o.period_end, o.period_kind, o.as_of, "
                "o.value, o.unit, o.status, s.id AS source, s.publisher, s.title, s.date, s.url "
                "FROM observation_sources os JOIN observations o ON o.id = os.observation "
                "JOIN sources s ON s.id = os.source"
            )
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
                        LIST_SEPARATOR.join(f"{i.name} {i.name_zh}".strip() for i in f.items),
                        f.date,
                        f.period,
                        f.as_of,
                        f.industry,
                        LIST_SEPARATOR.join(f.sources),
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
                    (c.id, c.name, c.name_zh, c.industry, c.description, LIST_SEPARATOR.join(c.sources))
                    for c in base.companies
                ],
            )
    finally:
        connection.close()


_TEXT_WRITERS: dict[ExportFormat, Callable[[FactBase, PeriodFilter | None], str]] = {
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


def write_export(
    base: FactBase,
    export_format: ExportFormat,
    output: Path,
    selection: PeriodFilter | None = None,
    *,
    csv_raw: bool = False,
) -> int:
    """Write the export atomically; return the number of observation rows.

    Raises :class:`OutputError` when the file cannot be written or is not a
    regular file (see :func:`export_target`); no partial file is left behind,
    whatever ends the export (an error, Ctrl-C, or SIGTERM or SIGHUP, which the
    console script turns into exceptions too).
    """
    if export_format is ExportFormat.DATAPACKAGE:
        from hohhot_cli.export.datapackage import write_datapackage

        return write_datapackage(base, output, export_rows(base, selection))
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
            _write_sqlite(base, temporary, selection)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                if csv_raw and export_format is ExportFormat.CSV:
                    stream.write(_csv_text(base, selection, raw=True))
                else:
                    stream.write(_TEXT_WRITERS[export_format](base, selection))
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
    return (
        len(export_rows(base, selection))
        if selection is not None and selection.active
        else sum(len(m.observations) for m in base.metrics)
    )


_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
"""Files SQLite may keep beside a database while it writes."""
