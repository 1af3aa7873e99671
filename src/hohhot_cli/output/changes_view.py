"""``hohhot changes``: its JSON records (CSV flattens them) and its display sections.

A record says when (``date``), what happened (``what``: added, revised, superseded), to
what (``kind``: figure or fact; ``id``, the metric's or fact's, and ``ref``, the figure's),
and carries the figure's value, period, status, relations and sources.
"""

from __future__ import annotations

from hohhot_cli.query.changes_log import ADDED, REVISED, Change, ChangesResult
from hohhot_cli.query.results import Cited

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from hohhot_cli.model.facts import Source
    from hohhot_cli.output.sections import Section


def change_record(cited: Cited, change: Change, source_record: Callable[[Source], Any]) -> dict[str, Any]:
    """One change: a figure with its metric, or a fact; ``source_record`` writes a source (JSON's own)."""
    if change.figure is not None:
        metric, observation = change.figure.metric, change.figure.observation
        return {
            "date": change.date,
            "what": change.what,
            "kind": "figure",
            "id": metric.id,
            "ref": observation.ref,
            "label": metric.label,
            "value": observation.value,
            "unit": metric.unit.value,
            "period": observation.period,
            "as_of": observation.as_of,
            "exactness": observation.exactness.value,
            "status": observation.status.value,
            "supersedes": list(observation.supersedes),
            "superseded_by": list(observation.superseded_by),
            "sources": [source_record(cited[ref]) for ref in observation.sources],
        }
    fact = change.fact
    assert fact is not None, "a change is of a figure or of a fact"
    return {
        "date": change.date,
        "what": change.what,
        "kind": "fact",
        "id": fact.id,
        "ref": None,
        "label": fact.label,
        "value": None,
        "unit": None,
        "period": fact.period,
        "as_of": fact.as_of,
        "exactness": None,
        "status": None,
        "supersedes": [],
        "superseded_by": [],
        "sources": [source_record(cited[ref]) for ref in fact.sources],
    }


def changes_records(result: ChangesResult, source_record: Callable[[Source], Any]) -> list[dict[str, Any]]:
    """``changes``: newest first (called by :mod:`hohhot_cli.output.json_view`, which gives its ``source_record``)."""
    return [change_record(result.cited, c, source_record) for c in result.changes]


def window(result: ChangesResult) -> str:
    """The days a result covers, as a title says them."""
    since = f"since {result.since}" if result.until is None else f"from {result.since} to {result.until}"
    return f"{since} (the fact base's last update)" if result.since_updated else since


def changes_sections(result: ChangesResult) -> list[Section]:
    """One section a day, newest first: the figures (with what happened to each), then the facts."""
    from hohhot_cli.output.sections import Column, ColumnKind, Section, fact_list_section, figure_cell

    figures = [c for c in result.changes if c.figure is not None]
    facts = [c for c in result.changes if c.fact is not None]
    counts = ", ".join(f"{sum(c.what == w for c in figures)} {w}" for w in (ADDED, REVISED, "superseded"))
    summary = f"Figures: {counts}. Facts: {len(facts)} added." if result.changes else "Nothing."
    out = [Section(f"What is new {window(result)}", (), (), paragraphs=(summary,))]
    for day in dict.fromkeys(c.date for c in result.changes):
        rows = []
        for change in (c for c in figures if c.date == day):
            assert change.figure is not None
            figure = change.figure
            text = f"{figure.observation.ref} · {figure.metric.label}: {figure_cell(figure, result.cited)}"
            if change.related:
                verb = "Supersedes" if change.what == REVISED else "Superseded by"
                others = "; ".join(f"{f.observation.ref}: {figure_cell(f, result.cited)}" for f in change.related)
                text += f". {verb} {others}."
            rows.append((change.what, text))
        if rows:
            columns = (Column("Change", ColumnKind.STATUS), Column("Ref · figure"))
            out.append(Section(f"{day}: figures ({len(rows)})", columns, tuple(rows)))
        listed = [c.fact for c in facts if c.date == day and c.fact is not None]
        if listed:
            out.append(fact_list_section(f"{day}: facts ({len(listed)})", tuple(listed)))
    return out
