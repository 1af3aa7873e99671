"""``hohhot export -o FILE.sqlite``: a database that sqlite3, sqlite-utils and Datasette understand.

The tables of :mod:`hohhot_cli.export.tables`, with their primary and foreign keys
(``observations.ref`` is the key of a figure); lists are JSON arrays (``json_each``
reads them) and booleans 0 or 1. Each table with text to search has a full-text index
as sqlite-utils makes one (a ``<table>_fts`` FTS5 table with ``content=[<table>]``,
kept in step by triggers), which ``sqlite-utils search`` and Datasette's search box
use. Views: ``observation_details``, ``observation_citations`` and
``latest_observations`` (each metric's latest figure, as the commands choose it).

A database is replaced only when no other program is using it. SQLite keeps files
beside a database (``-wal``, ``-shm``, ``-journal``) and would apply those of the old
database to the new one: a database another program has open (a lock on its
``-shm`` or a write lock on the file) is refused; files left by a program that has
ended are removed in the step that puts the new database in place.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hohhot_cli.export.staging import Staging
from hohhot_cli.export.tables import TABLES, Table, table_rows
from hohhot_cli.model.errors import OutputError
from hohhot_cli.model.facts import FactBase

SIDE_FILES = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database."""

_SQL_TYPES = {
    "string": "TEXT",
    "date": "TEXT",
    "list": "TEXT",
    "array": "TEXT",
    # NUMERIC keeps integers as integers (exact up to 2**63), floats as floats.
    "number": "NUMERIC",
    "integer": "INTEGER",
    "boolean": "INTEGER",
}

# Where SQLite's unix VFS takes its locks: in the database file, the bytes from PENDING_BYTE
# for 512 (a writer holds a write lock there); in the -shm file, bytes 120 to 128, of which
# every connection to a database in WAL mode holds byte 128 for as long as it is open.
_DATABASE_LOCKS = (0x40000000, 512)
_SHM_LOCKS = (120, 9)

_VIEWS = (
    "CREATE VIEW observation_details AS SELECT o.ref, o.metric, m.label, m.label_zh, m.topic, o.unit, m.industry, "
    "o.period, o.period_start, o.period_end, o.period_kind, o.as_of, o.value, o.exactness, o.status, o.note, "
    "m.description AS metric_description, o.source_ids, o.source_undated "
    "FROM observations o JOIN metrics m ON m.id = o.metric",
    "CREATE VIEW observation_citations AS SELECT o.ref AS observation, o.metric, o.period, o.period_start, "
    "o.period_end, o.period_kind, o.as_of, o.value, o.unit, o.status, os.position, s.id AS source, s.publisher, "
    "s.title, s.date, s.undated, s.url "
    "FROM observation_sources os JOIN observations o ON o.ref = os.observation "
    "JOIN sources s ON s.id = os.source",
    "CREATE VIEW latest_observations AS SELECT m.label_zh, o.* "
    "FROM metrics m JOIN observations o ON o.ref = m.latest_ref ORDER BY m.rowid",
)


def write_database(
    path: str,
    base: FactBase,
    rows_of: Callable[[], list[dict[str, Any]]],
    latest_of: Callable[[list[dict[str, Any]]], dict[str, str]],
    meta: list[tuple[str, str]],
) -> int:
    """Fill a new database at ``path``; return the number of observations.

    ``rows_of`` gives the observation rows (asked for once the tables exist),
    ``latest_of`` the latest ref of each metric among them.
    """
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta)
            for table in TABLES:
                connection.execute(create_table(table))
            rows = rows_of()
            every = table_rows(base, rows, latest_of(rows))
            for table in TABLES:
                _insert(connection, table, every[table.name])
            for view in _VIEWS:
                connection.execute(view)
            for table in TABLES:
                _add_search(connection, table)
        return len(rows)
    except sqlite3.Error as error:
        raise OSError(str(error)) from None
    finally:
        connection.close()


def create_table(table: Table) -> str:
    """The ``CREATE TABLE`` statement of a table, with its keys."""
    keys = {column: (other, key) for column, other, key in table.foreign_keys}
    single = table.primary_key[0] if len(table.primary_key) == 1 else None
    lines = []
    for column in table.columns:
        line = f"[{column.name}] {_SQL_TYPES[column.type]}"
        if column.name == single:
            line += " PRIMARY KEY"
        if column.required:
            line += " NOT NULL"
        if column.name in keys:
            other, key = keys[column.name]
            line += f" REFERENCES [{other}]([{key}])"
        lines.append(line)
    if single is None:
        lines.append(f"PRIMARY KEY ({', '.join(f'[{k}]' for k in table.primary_key)})")
    return f"CREATE TABLE [{table.name}] (\n   " + ",\n   ".join(lines) + "\n)"


def _insert(connection: sqlite3.Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    convert = [(c.name, c.type) for c in table.columns]
    names = ", ".join(f"[{name}]" for name, _ in convert)
    marks = ", ".join("?" for _ in convert)
    connection.executemany(
        f"INSERT INTO [{table.name}] ({names}) VALUES ({marks})",
        [tuple(_value(row[name], kind) for name, kind in convert) for row in rows],
    )


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("list", "array"):
        return json.dumps(value, ensure_ascii=False)
    if kind == "boolean":
        return int(bool(value))
    return value


def _add_search(connection: sqlite3.Connection, table: Table) -> None:
    """A full-text index as sqlite-utils makes one: ``<table>_fts`` with ``content=[<table>]``, and triggers.

    The trigram tokenizer finds any part of a word of three characters or more, in
    Chinese as in English (a Chinese label is one run of characters, no words).
    """
    if not table.search:
        return
    fts = f"{table.name}_fts"
    columns = ", ".join(f"[{c}]" for c in table.search)
    new = ", ".join(f"new.[{c}]" for c in table.search)
    old = ", ".join(f"old.[{c}]" for c in table.search)
    tokenizer = "trigram" if sqlite3.sqlite_version_info >= (3, 34) else "unicode61"
    connection.execute(
        f"CREATE VIRTUAL TABLE [{fts}] USING FTS5 ({columns}, tokenize='{tokenizer}', content=[{table.name}])"
    )
    connection.execute(f"INSERT INTO [{fts}] ([{fts}]) VALUES ('rebuild')")
    delete = f"INSERT INTO [{fts}] ([{fts}], rowid, {columns}) VALUES ('delete', old.rowid, {old});"
    insert = f"INSERT INTO [{fts}] (rowid, {columns}) VALUES (new.rowid, {new});"
    for suffix, event, body in (("ai", "INSERT", insert), ("ad", "DELETE", delete), ("au", "UPDATE", delete + insert)):
        connection.execute(f"CREATE TRIGGER [{table.name}_{suffix}] AFTER {event} ON [{table.name}] BEGIN {body} END")


# -- the files SQLite keeps beside the database it replaces ----------------------------------


def guard_target(staging: Staging, target: Path, name: str) -> None:
    """Refuse a database in use now, and again in the step that replaces it, which removes stale side files."""
    real = target.resolve() if target.is_symlink() else target
    refuse_in_use(real, name)

    def at_commit() -> None:
        refuse_in_use(real, name)
        for suffix in SIDE_FILES:
            side = Path(f"{real}{suffix}")
            if os.path.lexists(side):
                staging.remove(side, name + suffix)

    staging.checks.append(at_commit)


def refuse_in_use(database: Path, name: str) -> None:
    """Raise :class:`OutputError` when another program has ``database`` open in WAL mode or is writing it."""
    shm = Path(f"{database}-shm")
    held = _locked(shm, *_SHM_LOCKS, exclusive=True)
    if held is None:
        raise OutputError(
            f"{name}: cannot tell whether another program has this database open ({name}-shm cannot be locked); "
            "close any program using it, or export to another file"
        )
    if not held:
        held = _locked(database, *_DATABASE_LOCKS, exclusive=False)
    if held:
        raise OutputError(f"{name}: the database is in use by another program; close it, or export to another file")
    if held is None and any(os.path.lexists(f"{database}{suffix}") for suffix in SIDE_FILES):
        raise OutputError(
            f"{name}: cannot tell whether another program is writing this database; "
            "close any program using it, or export to another file"
        )


def _locked(path: Path, start: int, length: int, *, exclusive: bool) -> bool | None:
    """Whether another process holds a lock that conflicts with ours on those bytes; None: cannot tell."""
    try:
        import fcntl
    except ImportError:  # no POSIX locks here
        return False if not os.path.lexists(path) else None
    try:
        handle = os.open(path, (os.O_RDWR if exclusive else os.O_RDONLY) | os.O_NONBLOCK)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        try:
            fcntl.lockf(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB, length, start)
        except OSError as error:
            return True if error.errno in (errno.EACCES, errno.EAGAIN) else None
        with contextlib.suppress(OSError):
            fcntl.lockf(handle, fcntl.LOCK_UN, length, start)
        return False
    finally:
        os.close(handle)
