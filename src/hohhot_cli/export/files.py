"""Export the whole base flattened: one row per observation with its provenance.

JSON, JSONL, CSV and TSV hold the observation rows; SQLite (:mod:`hohhot_cli.export.sqlite`)
holds them too, next to tables of metrics, sources, industries, facts and companies,
so that the file opens in sqlite3, pandas or Datasette; a Data Package
(:mod:`hohhot_cli.export.datapackage`) holds the same tables as CSV. An export is
whole or not at all: staged beside its target and renamed over it only when complete
(:mod:`hohhot_cli.export.staging`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from hohhot_cli.export.staging import Staging, cannot_write, export_target, write_text
from hohhot_cli.model.errors import UsageError
from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import EXPORT_COLUMNS, cell, observation_fields, tsv_text
from hohhot_cli.output.encode import csv_text, json_lines, to_json
from hohhot_cli.query.latest import latest_observation
from hohhot_cli.query.queries import cited_by, filtered
from hohhot_cli.query.results import Figure
from hohhot_cli.query.selection import PeriodFilter

__all__ = [
    "STDOUT_FORMATS",
    "ExportFormat",
    "choose_format",
    "export_rows",
    "export_target",
    "export_text",
    "latest_refs",
    "metadata_target",
    "write_export",
]


class ExportFormat(str, Enum):
    """Formats of ``hohhot export``."""

    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    SQLITE = "sqlite"
    DATAPACKAGE = "datapackage"


STDOUT_FORMATS = (ExportFormat.JSON, ExportFormat.JSONL, ExportFormat.CSV, ExportFormat.TSV)
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


def latest_refs(base: FactBase, selection: PeriodFilter | None = None) -> dict[str, str]:
    """The ref of each metric's latest observation among those the filter keeps, as every command chooses it."""
    keep = selection or PeriodFilter()
    latest = ((m.id, latest_observation(base, filtered(m, keep))) for m in base.metrics)
    return {metric: observation.ref for metric, observation in latest if observation is not None}


def _json_text(base: FactBase, rows: list[dict[str, Any]]) -> str:
    from hohhot_cli.output.json_view import FORMAT_VERSION

    document = {"format_version": FORMAT_VERSION, "fact_base_updated": base.updated, "observations": rows}
    return to_json(document) + "\n"


def _jsonl_text(base: FactBase, rows: list[dict[str, Any]]) -> str:
    return json_lines(rows)


def _csv_text(base: FactBase, rows: list[dict[str, Any]], raw: bool = False) -> str:
    return csv_text(EXPORT_COLUMNS, ([cell(row[c]) for c in EXPORT_COLUMNS] for row in rows), raw=raw)


def _tsv_text(base: FactBase, rows: list[dict[str, Any]], raw: bool = False) -> str:
    return tsv_text(EXPORT_COLUMNS, ([row[c] for c in EXPORT_COLUMNS] for row in rows), raw=raw)


def _render(base: FactBase, export_format: ExportFormat, rows: list[dict[str, Any]], csv_raw: bool) -> str:
    if export_format is ExportFormat.CSV:
        return _csv_text(base, rows, raw=csv_raw)
    if export_format is ExportFormat.TSV:
        return _tsv_text(base, rows, raw=csv_raw)
    return _TEXT_WRITERS[export_format](base, rows)


def export_text(
    base: FactBase, export_format: ExportFormat, selection: PeriodFilter | None = None, *, csv_raw: bool = False
) -> str:
    """The export in a text format (json, jsonl, csv, tsv), for stdout."""
    return _render(base, export_format, export_rows(base, selection), csv_raw)


_TEXT_WRITERS: dict[ExportFormat, Callable[[FactBase, list[dict[str, Any]]], str]] = {
    ExportFormat.JSON: _json_text,
    ExportFormat.JSONL: _jsonl_text,
    ExportFormat.CSV: _csv_text,
    ExportFormat.TSV: _tsv_text,
}


def metadata_target(metadata: str | None, export_format: ExportFormat, output: str | None) -> Path | None:
    """The file ``--metadata`` names, checked: with the sqlite format only, a file of its own."""
    if metadata is None:
        return None
    same = output is not None and os.path.abspath(metadata) == os.path.abspath(output)
    if export_format is not ExportFormat.SQLITE or same:
        raise UsageError("--metadata goes with the sqlite format only, to a file of its own")
    return export_target(metadata)


def _meta(base: FactBase) -> list[tuple[str, str]]:
    from hohhot_cli import __version__
    from hohhot_cli.output.json_view import FORMAT_VERSION

    return [
        ("format_version", FORMAT_VERSION),
        ("fact_base_updated", base.updated),
        ("tool_version", __version__),
        ("list_format", "json"),
    ]


def write_export(
    base: FactBase,
    export_format: ExportFormat,
    output: Path,
    selection: PeriodFilter | None = None,
    *,
    csv_raw: bool = False,
    metadata: Path | None = None,
) -> int:
    """Write the export, whole or not at all; return the number of observation rows.

    Raises :class:`OutputError` when a file cannot be written or is not a regular file
    (see :func:`export_target`). Whatever ends the export (an error, Ctrl-C, or SIGTERM
    or SIGHUP, which the console script turns into exceptions too), no temporary file
    is left behind and every target is as it was; see :mod:`hohhot_cli.export.staging`.
    ``metadata`` (SQLite only) is Datasette's metadata file, written in the same step.
    """

    def rows_of() -> list[dict[str, Any]]:
        return export_rows(base, selection)

    def latest_of(rows: list[dict[str, Any]]) -> dict[str, str]:
        return latest_refs(base, selection)

    if export_format is ExportFormat.DATAPACKAGE:
        from hohhot_cli.export.datapackage import write_datapackage

        return write_datapackage(base, output, rows_of, latest_of)
    name = str(output)  # messages name the path as given
    export_target(output)
    if metadata is not None:
        export_target(metadata)
    with Staging() as staging:
        temporary = staging.file(output, name)
        if export_format is ExportFormat.SQLITE:
            from hohhot_cli.export import sqlite

            sqlite.guard_target(staging, output, name)
            try:
                count = sqlite.write_database(temporary, base, rows_of, latest_of, _meta(base))
            except OSError as error:
                raise cannot_write(name, error) from None
        else:
            rows = rows_of()
            write_text(temporary, name, _render(base, export_format, rows, csv_raw))
            count = len(rows)
        if metadata is not None:
            from hohhot_cli.export.metadata import datasette_metadata

            document = datasette_metadata(base, output.name.rsplit(".", 1)[0] if "." in output.name else output.name)
            staging.text(metadata, str(metadata), to_json(document) + "\n")
        staging.commit()
    return count
