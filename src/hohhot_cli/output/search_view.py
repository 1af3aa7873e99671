"""The display view of a search and of one figure (``show REF``): what a reader needs to find a figure and cite it."""

from __future__ import annotations

from hohhot_cli.model.facts import Exactness, Metric, Observation, Status
from hohhot_cli.output.humanize import STATUS_LABELS, observation_value
from hohhot_cli.output.sections import (
    Column,
    ColumnKind,
    Section,
    citations_section,
    detail_paragraphs,
    figure_cell,
    glued,
    note,
    status_cell,
    when_cell,
)
from hohhot_cli.query.results import FigureDetail, MetricsResult, OverTime, SearchHit, SearchResult, SideBySide

EXACTNESS_WORDS = {
    Exactness.EXACT: "exact",
    Exactness.APPROXIMATE: "approximate (≈)",
    Exactness.LOWER_BOUND: "a lower bound (>): the figure is more than this",
    Exactness.UPPER_BOUND: "an upper bound (<): the figure is less than this",
}
"""How exact a figure is, in words, where it is shown alone."""


def _match(hit: SearchHit) -> str:
    return hit.text if hit.text == hit.label else f"{hit.label}: {hit.text}"


def _figure(hit: SearchHit, result: SearchResult) -> str:
    """A figure hit's figure, a metric hit's latest, each with its period, status and sources."""
    shown = hit.figure or hit.latest
    return "" if shown is None else figure_cell(shown, result.cited)


def search_sections(result: SearchResult) -> list[Section]:
    """``search``: what kind of thing each hit is, its id (a figure's ref), the text that matched, a figure."""
    figures = any(h.figure or h.latest for h in result.hits)  # else no Figure column, in Markdown too
    rows = tuple((h.kind, h.id, _match(h), *((_figure(h, result),) if figures else ())) for h in result.hits)
    columns = (
        Column("Kind", ColumnKind.STATUS),
        Column("Id", ColumnKind.ID),
        Column("Match", optional=figures),  # where only one of the two fits, the figure: it is the answer
        *((Column("Figure"),) if figures else ()),
    )
    notes = ["Open one: hohhot show ID."] if rows else []  # an empty search says so on stderr
    if any(h.kind == "metric" and h.latest for h in result.hits):
        notes.append("A metric shows its latest figure; all with refs: hohhot metric ID --refs.")
    if any(h.kind == "figure" for h in result.hits):
        notes.append("Cite a figure: hohhot cite REF.")
    title = f"Search: {result.query} ({len(rows)})"
    return [Section(title, columns, rows, tuple(notes), highlight=tuple(result.query.split()))]


def _status_words(observation: Observation) -> str:
    """The status in words (an actual figure says so here) and whether another figure replaces or contradicts it."""
    named = {Status.ACTUAL: "actual", Status.TARGET: "target"}.get(observation.status, "")
    return ", ".join(x for x in (named, status_cell(observation)) if x)


def _related(metric: Metric, refs: tuple[str, ...]) -> str:
    """Other figures of the same period, by ref, each with its value and status."""
    by_ref = {o.ref: o for o in metric.observations}
    described = []
    for ref in refs:
        other = by_ref.get(ref)
        if other is None:
            described.append(ref)
            continue
        detail = ", ".join(x for x in (glued(observation_value(other, metric.unit)), STATUS_LABELS[other.status]) if x)
        described.append(f"{ref} ({detail})")
    return "; ".join(described)


def figure_detail_sections(result: FigureDetail) -> list[Section]:
    """``show REF``: the figure as paragraphs (value, period, status, exactness, note, links), its sources."""
    metric, observation = result.figure.metric, result.figure.observation
    latest = result.latest
    if latest is None or latest.ref == observation.ref:
        latest_text = "this figure" if latest is not None else ""
    else:
        latest_text = _related(metric, (latest.ref,))
    pairs = [
        ("Value", observation_value(observation, metric.unit)),
        ("Period", when_cell(observation, result.cited)),
        ("Status", _status_words(observation)),
        ("Exactness", EXACTNESS_WORDS[observation.exactness]),
        ("Note", note(observation)),
        ("Metric", f"{metric.id} (all its figures: hohhot metric {metric.id})"),
        ("Latest of the metric", latest_text),
        ("Supersedes", _related(metric, observation.supersedes)),
        ("Superseded by", _related(metric, observation.superseded_by)),
        ("Conflicts with", _related(metric, observation.conflicts_with)),
        ("Cite it", f"hohhot cite {observation.ref}"),
    ]
    title = f"{observation.ref} · {metric.label}" + (f" {metric.label_zh}" if metric.label_zh else "")
    return [
        Section(title, (), (), paragraphs=detail_paragraphs(pairs)),
        citations_section(tuple(result.cited.values())),
    ]


def with_refs(result: object, parts: list[Section]) -> list[Section]:
    """``--refs``: each table of figures (``metric``, ``compare``) with a first column of the figures' refs."""
    refs: list[list[str]]
    if isinstance(result, MetricsResult) and not result.index:
        refs = [[o.ref for o in m.observations] for m in result.metrics]
    elif isinstance(result, OverTime):
        refs = [[p.observation.ref for p in s.points] for s in result.series]
    elif isinstance(result, SideBySide):
        refs = [[r.observation.ref if r.observation is not None else "" for r in result.rows]]
    else:
        return parts
    from dataclasses import replace  # Section is a dataclass of the table views, which import dataclasses already

    column = Column("Ref", ColumnKind.ID)
    return [
        replace(part, columns=(column, *part.columns), rows=_prefixed(at, part.rows))
        for part, at in zip(parts, refs, strict=True)
    ]


def _prefixed(first: list[str], rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple((cell, *row) for cell, row in zip(first, rows, strict=True))
