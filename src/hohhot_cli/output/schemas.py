"""The JSON Schemas (draft 2020-12) of every command's JSON output and of the export.

They live in ``schema.json`` beside this module, shipped in the wheel: shared
record definitions (``$defs``) and one entry per command. ``hohhot schema``
prints them; the CSV of a result with no rows takes its header from them, so
that a header never depends on the data.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from typing import Any, TypeAlias

DRAFT = "https://json-schema.org/draft/2020-12/schema"

Schema: TypeAlias = "dict[str, Any]"  # a string: typing is not imported at run time


@functools.lru_cache(maxsize=1)
def _document() -> Schema:
    text = resources.files("hohhot_cli.output").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: Schema = json.loads(text)
    return loaded


def format_version() -> str:
    """The version of the output formats the schemas describe."""
    return str(_document()["format_version"])


def commands() -> list[str]:
    """The commands that have a schema, in order."""
    return list(_document()["commands"])


def command_schema(name: str) -> Schema:
    """A standalone schema of one command's JSON output; ``KeyError`` for an unknown command."""
    document = _document()
    body = document["commands"][name]
    return {
        "$schema": DRAFT,
        "title": f"hohhot {name} --json",
        "format_version": document["format_version"],
        **body,
        "$defs": document["$defs"],
    }


def all_schemas() -> Schema:
    """Every command's schema, with the format version."""
    return {"format_version": format_version(), "schemas": {name: command_schema(name) for name in commands()}}


def definition(name: str) -> Schema:
    """One record definition (``metric``, ``observation``, ...)."""
    found: Schema = _document()["$defs"][name]
    return found


def _fields(schema: Schema, prefix: str = "") -> list[str]:
    """The CSV columns of a record: nested records flattened as ``key.field``, sources as ``source_ids``."""
    out: list[str] = []
    for key, value in schema.get("properties", {}).items():
        nested = _nested_record(value)
        if nested is not None:
            out += _fields(nested, f"{prefix}{key}.")
        elif key == "sources":
            if f"{prefix}source_ids" not in out:  # a record with its source_ids and its sources in full
                out.append(f"{prefix}source_ids")
        elif value.get("type") == "array" and "$ref" in value.get("items", {}):
            continue  # a list of records: left out of a row
        elif value.get("type") == "array" and value.get("items", {}).get("type") == "object":
            continue
        else:
            out.append(prefix + key)
    return out


def _nested_record(value: Schema) -> Schema | None:
    for option in [value, *value.get("anyOf", [])]:
        if "$ref" in option:
            return definition(option["$ref"].rsplit("/", 1)[1])
        if option.get("type") == "object" and "properties" in option:
            inline: Schema = option
            return inline
    return None


_RECORD_OF = {
    "MetricsResult": "metric",
    "IndustriesResult": "industry",
    "IndustryComparison": "industry",
    "SearchResult": "search_hit",
    "SourcesResult": "source_use",
    "Overview": "overview",
    "FactDetail": "fact_detail",
    "CompanyDetail": "company_detail",
    "ChangesResult": "change",
}


_DETAIL_OF = {
    **_RECORD_OF,
    "IndustryDetail": "industry_detail",
    "FigureDetail": "figure",
    "SourceDetail": "source_detail",
    "SideBySide": "side_by_side_row",
    "OverTime": "series",
    "ValidationReport": "validation",
}


def _shown(result: object) -> object:
    """The result itself, or the one a ``--cite`` view wraps (its records are the result's)."""
    return getattr(result, "result", result) if type(result).__name__ == "WithCitations" else result


def record_fields(result: object) -> tuple[str, ...]:
    """The keys of a result's JSON records, in order (what ``--fields`` may name)."""
    return tuple(definition(_DETAIL_OF[type(_shown(result)).__name__])["properties"])


def csv_fields(result: object) -> tuple[str, ...]:
    """The CSV header of a result made of plain records (see :func:`hohhot_cli.output.csv_view.generic_rows`)."""
    return tuple(_fields(definition(_RECORD_OF[type(_shown(result)).__name__])))
