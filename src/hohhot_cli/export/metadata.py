"""``hohhot export -o FILE.sqlite --metadata FILE.json``: Datasette's metadata for the database.

Title, description, licence and source of the database, and for each table its
description, full-text index and the description of every column (with the units
of the figures), as ``datasette FILE.sqlite --metadata FILE.json`` reads them.
"""

from __future__ import annotations

from typing import Any

from hohhot_cli.export.datapackage import LICENSE
from hohhot_cli.export.tables import TABLES
from hohhot_cli.model.facts import FactBase

_LABELS = {"metrics": "label", "sources": "title", "industries": "name", "facts": "label", "companies": "name"}
"""The column Datasette shows for a row that another table links to."""


def datasette_metadata(base: FactBase, database: str) -> dict[str, Any]:
    """The metadata of the export, for a database Datasette names ``database`` (the file's name less its suffix)."""
    from hohhot_cli import __version__

    tables: dict[str, Any] = {}
    for table in TABLES:
        entry: dict[str, Any] = {
            "description": table.description,
            "columns": {c.name: c.description for c in table.columns},
        }
        if table.search:
            entry["fts_table"] = f"{table.name}_fts"
        if table.name in _LABELS:
            entry["label_column"] = _LABELS[table.name]
        tables[table.name] = entry
    tables["latest_observations"] = {"description": "The latest figure of each metric, as hohhot's commands show it."}
    tables["meta"] = {"description": "The export's format version, the fact base's date and the tool's version."}
    return {
        "title": "Sourced facts and figures about Hohhot",
        "description": (
            f"The hohhot fact base of {base.updated}, exported by hohhot {__version__}: every figure with its sources."
        ),
        "license": LICENSE["name"],
        "license_url": LICENSE["path"],
        "source": f"The hohhot fact base, updated {base.updated} (each table of sources names its documents)",
        "databases": {database: {"tables": tables}},
    }
