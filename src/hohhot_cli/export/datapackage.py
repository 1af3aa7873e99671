"""``hohhot export --format datapackage``: a Frictionless Data Package in a directory.

Five CSV resources (observations, metrics, sources, industries, facts), each
described by a Table Schema in ``datapackage.json``; lists are joined by
:data:`hohhot_cli.output.csv_view.LIST_SEPARATOR`, as in every CSV. Each file is written
through a temporary file renamed over it when complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from hohhot_cli.model.errors import OutputError
from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import EXPORT_COLUMNS, LIST_COLUMNS, LIST_SEPARATOR, cell
from hohhot_cli.output.encode import csv_text, to_json

_NUMBERS = ("value", "converted_value")
_LIST_NOTE = f"A list, joined by {LIST_SEPARATOR!r}."


def _field(name: str, lists: frozenset[str] = LIST_COLUMNS, required: tuple[str, ...] = ()) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": "number" if name in _NUMBERS else "string"}
    if name in lists:
        field["description"] = _LIST_NOTE
    if name in required:
        field["constraints"] = {"required": True}
    return field


Table = tuple[str, tuple[str, ...], list[list[Any]], dict[str, Any]]


def _tables(base: FactBase, observation_rows: list[dict[str, Any]]) -> list[Table]:
    observations = [[cell(row[c]) for c in EXPORT_COLUMNS] for row in observation_rows]
    metrics = [
        [
            m.id,
            m.label,
            m.label_zh,
            m.topic,
            m.unit.value,
            m.industry,
            m.description,
            cell(list(m.aliases)),
            cell(list(m.tags)),
        ]
        for m in base.metrics
    ]
    sources = [
        [
            s.id,
            s.kind.value if s.kind else None,
            s.publisher,
            s.title,
            s.date,
            cell(list(s.authors)),
            s.url,
            s.read_at,
            s.checked,
            cell(s.undated),
            s.note,
        ]
        for s in base.sources
    ]
    industries = [
        [i.id, i.name, i.name_zh, i.kind.value, i.description, cell(list(i.aliases)), cell(list(i.sources))]
        for i in base.industries
    ]
    facts = [
        [f.id, f.topic, f.kind.value, f.label, f.text, f.date, f.period, f.as_of, f.industry, cell(list(f.sources))]
        for f in base.facts
    ]
    metric_key = {"fields": ["metric"], "reference": {"resource": "metrics", "fields": ["id"]}}
    return [
        ("observations", EXPORT_COLUMNS, observations, {"foreignKeys": [metric_key]}),
        (
            "metrics",
            ("id", "label", "label_zh", "topic", "unit", "industry", "description", "aliases", "tags"),
            metrics,
            {"primaryKey": ["id"]},
        ),
        (
            "sources",
            ("id", "kind", "publisher", "title", "date", "authors", "url", "read_at", "checked", "undated", "note"),
            sources,
            {"primaryKey": ["id"]},
        ),
        (
            "industries",
            ("id", "name", "name_zh", "kind", "description", "aliases", "source_ids"),
            industries,
            {"primaryKey": ["id"]},
        ),
        (
            "facts",
            ("id", "topic", "kind", "label", "text", "date", "period", "as_of", "industry", "source_ids"),
            facts,
            {"primaryKey": ["id"]},
        ),
    ]


_LISTS = frozenset({*LIST_COLUMNS, "aliases", "tags", "authors"})


def descriptor(base: FactBase, tables: list[Table]) -> dict[str, Any]:
    """The ``datapackage.json`` of the export."""
    from hohhot_cli import __version__
    from hohhot_cli.output.json_view import FORMAT_VERSION

    resources = []
    for name, header, _rows, keys in tables:
        required = ("id",) if "primaryKey" in keys else ("metric", "value")
        schema: dict[str, Any] = {
            "fields": [_field(h, _LISTS, required) for h in header],
            "missingValues": [""],
            **keys,
        }
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "hohhot",
        "title": "Sourced facts and figures about Hohhot",
        "format_version": FORMAT_VERSION,
        "fact_base_updated": base.updated,
        "tool_version": __version__,
        "resources": resources,
    }


def write_datapackage(base: FactBase, directory: Path, observation_rows: list[dict[str, Any]]) -> int:
    """Write the package into ``directory`` (made if missing); return the number of observation rows.

    ``observation_rows`` are :func:`hohhot_cli.export.files.export_rows`, lists unjoined.
    """
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory}: is a file; a data package is written into a directory")
    try:
        directory.mkdir(parents=False, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{directory}: cannot write: {error.strerror or error}") from None
    tables = _tables(base, observation_rows)
    files = {f"{name}.csv": csv_text(header, rows) for name, header, rows, _keys in tables}
    files["datapackage.json"] = to_json(descriptor(base, tables)) + "\n"
    for name, text in files.items():
        _write_atomically(directory / name, text)
    return len(tables[0][2])


def _write_atomically(path: Path, text: str) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=".hohhot-export-", suffix=".part", dir=path.parent)
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise OutputError(f"{path}: cannot write: {error.strerror or error}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
