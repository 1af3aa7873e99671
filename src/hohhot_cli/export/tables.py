"""The tables of the SQLite export and of the Data Package: one description serves both.

Each table has typed columns with a description, a primary key and foreign keys.
The types are those of a Table Schema, plus ``list`` (a list of strings: a JSON
array in SQLite, joined by :data:`hohhot_cli.output.csv_view.LIST_SEPARATOR` in a
CSV) and ``array`` (a JSON array of objects, in SQLite and in a CSV alike). The
rows of each table are made by :func:`table_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import EXPORT_COLUMNS


@dataclass(frozen=True)
class Column:
    """A column: its name, type and what it holds."""

    name: str
    type: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the export."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    """(column, table, column of that table)."""
    search: tuple[str, ...] = ()
    """The columns of its full-text index (SQLite)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_UNITS = (
    "Units are base units: CNY (yuan, not billions), USD, people, percent, percentage_points, "
    "km2, mu, kWh, MW, per_1000 and so on."
)

_OBSERVATION_COLUMNS: dict[str, tuple[str, str]] = {
    "metric": ("string", "The metric's id."),
    "label": ("string", "The metric's label (English)."),
    "topic": ("string", "The metric's topic."),
    "unit": ("string", "The unit of value. " + _UNITS),
    "measure": ("string", "What the metric measures: level, yoy_rate, average_rate, share, count, rank or change."),
    "industry": ("string", "The industry the metric belongs to, if any."),
    "ref": ("string", "The observation's unique reference: metric@period (gdp.total@2023), #1, #2 for several."),
    "period": ("string", "The period the figure is for: 2023, 2023-Q1, 2021-H1, 2023-05, 2020-11-01, 2016/2020."),
    "period_start": ("date", "The first day of the period (of the as_of date for a figure without a period)."),
    "period_end": ("date", "The last day of the period (of the as_of date for a figure without a period)."),
    "period_kind": ("string", "year, half, quarter, month, year_to_date, day, span or as_of."),
    "as_of": ("string", "For a figure its source does not date: the source's date (a partial ISO date)."),
    "value": ("number", "The figure, in the unit of column unit. " + _UNITS),
    "exactness": ("string", "exact, approximate, lower_bound or upper_bound."),
    "status": (
        "string",
        "actual, revised, preliminary, first_published, reported (the source states no status), estimate, "
        "target or outdated.",
    ),
    "status_basis": ("string", "For an actual figure: what its source says that makes it final."),
    "note": ("string", "Our note on the figure."),
    "converted_value": ("number", "The figure in another unit as the source gives it (converted_unit)."),
    "converted_unit": ("string", "The unit of converted_value."),
    "converted_note": ("string", "How the source converted it."),
    "source_ids": ("list", "The ids of the sources that give the figure, in order."),
    "source_publishers": ("list", "Their publishers, in the same order."),
    "source_titles": ("list", "Their titles, in the same order."),
    "source_dates": ("list", "Their dates (partial ISO dates), in the same order."),
    "source_urls": ("list", "Their addresses, in the same order (empty where none is known)."),
    "source_undated": ("boolean", "True when every source of the figure is undated (its date is only the earliest)."),
    "added": ("date", "The day the figure entered the fact base (empty where the base does not say)."),
}


def _columns(*spec: tuple[str, str, str], required: tuple[str, ...] = ()) -> tuple[Column, ...]:
    return tuple(Column(name, kind, text, name in required) for name, kind, text in spec)


OBSERVATIONS = Table(
    "observations",
    "Every figure of the base, one row per observation, with its metric and its sources.",
    _columns(
        *((name, *_OBSERVATION_COLUMNS[name]) for name in EXPORT_COLUMNS),
        required=("ref", "metric", "value"),
    ),
    ("ref",),
    (("metric", "metrics", "id"), ("industry", "industries", "id")),
    search=("label", "note", "converted_note"),
)

METRICS = Table(
    "metrics",
    "Numeric series: what each figure measures.",
    _columns(
        ("id", "string", "The metric's id (topic.name)."),
        ("label", "string", "Its label in English."),
        ("label_zh", "string", "Its label in Chinese."),
        ("topic", "string", "Its topic."),
        ("unit", "string", "The unit of its values. " + _UNITS),
        ("industry", "string", "The industry it belongs to, if any."),
        ("description", "string", "What it measures."),
        ("aliases", "list", "Other names it is found by."),
        ("tags", "list", "Tags."),
        ("latest_ref", "string", "Its latest observation, as every command of hohhot chooses it (see README)."),
        required=("id", "label", "topic", "unit"),
    ),
    ("id",),
    (("industry", "industries", "id"), ("latest_ref", "observations", "ref")),
    search=("label", "label_zh", "description", "aliases", "tags"),
)

SOURCES = Table(
    "sources",
    "The documents the figures and facts are taken from.",
    _columns(
        ("id", "string", "The source's id."),
        ("kind", "string", "official, national_media, reprint, secondary, company or international."),
        ("publisher", "string", "Who published it."),
        ("title", "string", "Its title as published."),
        ("date", "string", "Its date, a partial ISO date (2024-05-28, 2021)."),
        ("undated", "boolean", "True when the document carries no date: date is then the earliest it can have."),
        ("authors", "list", "Its named authors."),
        ("url", "string", "Where to read it."),
        ("read_at", "string", "For a reprint: the address of the copy that was read."),
        ("reprinted_by", "string", "For a reprint: who published the copy."),
        ("checked", "string", "When the address was last checked (a partial ISO date)."),
        ("note", "string", "Our note on the source."),
        required=("id", "publisher", "title", "date"),
    ),
    ("id",),
    search=("publisher", "title", "note"),
)

INDUSTRIES = Table(
    "industries",
    "Pillar industries and future industries of Hohhot.",
    _columns(
        ("id", "string", "The industry's id."),
        ("name", "string", "Its name in English."),
        ("name_zh", "string", "Its name in Chinese."),
        ("kind", "string", "pillar or future."),
        ("description", "string", "What it covers."),
        ("aliases", "list", "Other names it is found by."),
        ("source_ids", "list", "The sources that describe it."),
        required=("id", "name", "kind"),
    ),
    ("id",),
    search=("name", "name_zh", "description", "aliases"),
)

FACTS = Table(
    "facts",
    "Sourced statements that are not one number: plans, lists, events, titles.",
    _columns(
        ("id", "string", "The fact's id."),
        ("topic", "string", "Its topic."),
        ("kind", "string", "What kind of statement it is."),
        ("label", "string", "Its label."),
        ("text", "string", "The statement, in our words."),
        ("items", "array", "The items of a list: objects with name, name_zh and note."),
        ("date", "string", "When it happened (a partial ISO date)."),
        ("period", "string", "The period it is about."),
        ("as_of", "string", "The date of its source, for a statement not otherwise dated."),
        ("industry", "string", "The industry it is about, if any."),
        ("tags", "list", "Tags."),
        ("source_ids", "list", "Its sources."),
        ("added", "date", "The day the fact entered the fact base (empty where the base does not say)."),
        required=("id", "kind", "label"),
    ),
    ("id",),
    (("industry", "industries", "id"),),
    search=("label", "text"),
)

COMPANIES = Table(
    "companies",
    "Companies the sources name.",
    _columns(
        ("id", "string", "The company's id."),
        ("name", "string", "Its name in English."),
        ("name_zh", "string", "Its name in Chinese."),
        ("industry", "string", "Its industry, if any."),
        ("description", "string", "What it does."),
        ("source_ids", "list", "The sources that name it."),
        required=("id", "name"),
    ),
    ("id",),
    (("industry", "industries", "id"),),
    search=("name", "name_zh", "description"),
)

TOPICS = Table(
    "topics",
    "The topics: the first part of metric and fact ids (gdp in gdp.total).",
    _columns(
        ("id", "string", "The topic's id."),
        ("name", "string", "Its name in English."),
        ("name_zh", "string", "Its name in Chinese."),
        required=("id", "name"),
    ),
    ("id",),
    search=("name", "name_zh"),
)

OBSERVATION_SOURCES = Table(
    "observation_sources",
    "Which source gives which figure: one row per observation and source.",
    _columns(
        ("observation", "string", "The observation's ref."),
        ("source", "string", "The source's id."),
        ("position", "integer", "The source's place in the observation's list of sources, from 1."),
        required=("observation", "source", "position"),
    ),
    ("observation", "position"),
    (("observation", "observations", "ref"), ("source", "sources", "id")),
)

TABLES = (OBSERVATIONS, METRICS, SOURCES, INDUSTRIES, FACTS, COMPANIES, TOPICS, OBSERVATION_SOURCES)
"""Every table, observations first: the order of the Data Package's resources."""


def table_rows(
    base: FactBase, observation_rows: list[dict[str, Any]], latest: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table as dicts of raw values (lists as lists, None for nothing).

    ``observation_rows`` are those of the export (see
    :func:`hohhot_cli.export.files.export_rows`); ``latest`` the ref of each metric's
    latest observation among them.
    """
    return {
        "observations": observation_rows,
        "metrics": [
            {
                "id": m.id,
                "label": m.label,
                "label_zh": m.label_zh,
                "topic": m.topic,
                "unit": m.unit.value,
                "industry": m.industry,
                "description": m.description,
                "aliases": list(m.aliases),
                "tags": list(m.tags),
                "latest_ref": latest.get(m.id),
            }
            for m in base.metrics
        ],
        "sources": [
            {
                "id": s.id,
                "kind": s.kind.value if s.kind else None,
                "publisher": s.publisher,
                "title": s.title,
                "date": s.date,
                "undated": s.undated,
                "authors": list(s.authors),
                "url": s.url,
                "read_at": s.read_at,
                "reprinted_by": s.reprinted_by,
                "checked": s.checked,
                "note": s.note,
            }
            for s in base.sources
        ],
        **_other_rows(base),
        "observation_sources": [
            {"observation": row["ref"], "source": source, "position": number}
            for row in observation_rows
            for number, source in enumerate(row["source_ids"], start=1)
        ],
    }


def _other_rows(base: FactBase) -> dict[str, list[dict[str, Any]]]:
    return {
        "industries": [
            {
                "id": i.id,
                "name": i.name,
                "name_zh": i.name_zh,
                "kind": i.kind.value,
                "description": i.description,
                "aliases": list(i.aliases),
                "source_ids": list(i.sources),
            }
            for i in base.industries
        ],
        "facts": [
            {
                "id": f.id,
                "topic": f.topic,
                "kind": f.kind.value,
                "label": f.label,
                "text": f.text,
                "items": [{"name": i.name, "name_zh": i.name_zh, "note": i.note} for i in f.items],
                "date": f.date,
                "period": f.period,
                "as_of": f.as_of,
                "industry": f.industry,
                "tags": list(f.tags),
                "source_ids": list(f.sources),
                "added": f.added,
            }
            for f in base.facts
        ],
        "companies": [
            {
                "id": c.id,
                "name": c.name,
                "name_zh": c.name_zh,
                "industry": c.industry,
                "description": c.description,
                "source_ids": list(c.sources),
            }
            for c in base.companies
        ],
        "topics": [{"id": t.id, "name": t.name, "name_zh": t.name_zh} for t in base.topics],
    }
