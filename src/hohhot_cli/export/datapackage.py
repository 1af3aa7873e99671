"""``hohhot export --format datapackage``: a Frictionless Data Package in a directory.

One CSV resource for each table of :mod:`hohhot_cli.export.tables` (observations,
metrics, sources, industries, facts, companies, observation_sources), each described
by a typed Table Schema with its primary and foreign keys in ``datapackage.json``,
with the package's licence, sources, version and time of creation. Lists are joined
by :data:`hohhot_cli.output.csv_view.LIST_SEPARATOR`, as in every CSV.

The package is replaced whole or not at all (see :mod:`hohhot_cli.export.staging`): a
new directory is written beside the target and renamed to it; in an existing
directory every member is written beside the old one and all are renamed together.
A member that is not a regular file (a directory, a FIFO, a device) is refused
before anything is written; members keep their permissions.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hohhot_cli.export.staging import Staging, export_target, write_text
from hohhot_cli.export.tables import TABLES, Column, Table, table_rows
from hohhot_cli.model.errors import OutputError
from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import LIST_SEPARATOR, cell
from hohhot_cli.output.encode import csv_text, to_json

DESCRIPTOR = "datapackage.json"

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
"""The licence of the fact base's compilation, labels and notes (README, "Licences"); the figures are facts
from the sources cited, whose own terms apply to their texts. The code's licence (MIT) is not the data's."""

MEMBERS = (DESCRIPTOR, *(f"{table.name}.csv" for table in TABLES))
"""Every file of the package."""

_TYPES = {"list": "string"}
_LIST_NOTE = f" A list, joined by {LIST_SEPARATOR!r}."
_ARRAY_NOTE = " A JSON array."
_PATH = re.compile(r"^(?=^[^./~])(^((?!\.{2}).)*$).*$")
"""A path or address the Data Package profile accepts."""


def _field(column: Column) -> dict[str, Any]:
    description = column.description
    if column.type == "list":
        description += _LIST_NOTE
    elif column.type == "array":
        description += _ARRAY_NOTE
    field: dict[str, Any] = {"name": column.name, "type": _TYPES.get(column.type, column.type)}
    field["description"] = description
    if column.required:
        field["constraints"] = {"required": True}
    return field


def _schema(table: Table) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(c) for c in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [column], "reference": {"resource": other, "fields": [key]}}
            for column, other, key in table.foreign_keys
        ]
    return schema


def descriptor(base: FactBase) -> dict[str, Any]:
    """The ``datapackage.json`` of the export."""
    from hohhot_cli import __version__
    from hohhot_cli.output.json_view import FORMAT_VERSION

    resources = [
        {
            "name": table.name,
            "path": f"{table.name}.csv",
            "profile": "tabular-data-resource",
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": _schema(table),
        }
        for table in TABLES
    ]
    return {
        "profile": "tabular-data-package",
        "name": "hohhot",
        "title": "Sourced facts and figures about Hohhot",
        "description": "Every figure, fact, industry and company of the hohhot fact base, with its sources.",
        "version": package_version(base.updated),
        "created": created(),
        "licenses": [LICENSE],
        "sources": [_source(s.publisher, s.title, s.date, s.url) for s in base.sources],
        "keywords": ["hohhot", "inner mongolia", "china", "statistics"],
        "format_version": FORMAT_VERSION,
        "fact_base_updated": base.updated,
        "tool_version": __version__,
        "resources": resources,
    }


def _source(publisher: str, title: str, date: str, url: str | None) -> dict[str, str]:
    source = {"title": f"{publisher}: {title} ({date})"}
    if url and _PATH.match(url):
        source["path"] = url
    return source


def package_version(updated: str) -> str:
    """The package's version: the date of the fact base as three numbers (2026-11-22: 2026.11.22)."""
    numbers = [int(part) for part in re.findall(r"\d+", updated)[:3]]
    return ".".join(str(n) for n in [*numbers, 0, 0, 0][:3])


def created() -> str:
    """Now, in RFC 3339 (UTC); ``SOURCE_DATE_EPOCH`` fixes it, for a package that is the same on every run."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = int(fixed) if fixed.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _csv_cell(value: Any, kind: str) -> Any:
    if kind == "array":
        return json.dumps(value, ensure_ascii=False)
    return cell(value)


def member_texts(base: FactBase, rows: list[dict[str, Any]], latest: dict[str, str]) -> dict[str, str]:
    """The text of every member of the package, the descriptor last."""
    every = table_rows(base, rows, latest)
    texts = {
        f"{table.name}.csv": csv_text(
            table.names, ([_csv_cell(row[c.name], c.type) for c in table.columns] for row in every[table.name])
        )
        for table in TABLES
    }
    texts[DESCRIPTOR] = to_json(descriptor(base)) + "\n"
    return texts


def write_datapackage(
    base: FactBase,
    directory: Path,
    rows_of: Callable[[], list[dict[str, Any]]],
    latest_of: Callable[[list[dict[str, Any]]], dict[str, str]],
) -> int:
    """Write the package into ``directory`` (made if missing), whole or not at all; return the number of rows."""
    name = str(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{name}: is a file; a data package is written into a directory")
    existing = directory.is_dir()
    targets = {member: export_target(os.path.join(name, member)) for member in MEMBERS} if existing else {}
    parent = directory.parent if str(directory.parent) else Path(".")
    if not existing and not parent.is_dir():
        raise OutputError(f"{name}: no such directory {str(parent)!r}")
    rows = rows_of()
    texts = member_texts(base, rows, latest_of(rows))
    with Staging() as staging:
        if existing:
            for member, text in texts.items():
                staging.text(targets[member], os.path.join(name, member), text)
        else:
            made = staging.directory(directory, name)
            for member, text in texts.items():
                write_text(made / member, os.path.join(name, member), text)
        staging.commit()
    return len(rows)
