"""The display sections every view is made of, and the cells and sections views share.

A :class:`Section` is a titled table of human-readable cells (or paragraphs); the rich
table renderer and the Markdown renderer both draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hohhot_cli.model.facts import Fact, Metric, Observation, Source, SourceKind, Status
from hohhot_cli.output.humanize import (
    SOURCE_KIND_LABELS,
    STATUS_LABELS,
    STATUS_PHRASES,
    citation,
    human_value,
    observation_value,
    when_text,
)
from hohhot_cli.query.results import (
    Cited,
    Figure,
    Moved,
)


class ColumnKind(str, Enum):
    """What a column holds, which decides how the terminal table lays it out (see :mod:`hohhot_cli.output.table`)."""

    ID = "id"
    """One id: never wrapped."""
    IDS = "ids"
    """Ids joined by ", ": wrapped between ids, never inside one."""
    PERIOD = "period"
    """A period or date, perhaps with words (``as of 2024-05-28``): wrapped only at spaces, before prose."""
    VALUE = "value"
    """A number with its mark and unit (``> 256.0 bn CNY``), a count: right-aligned, never wrapped."""
    STATUS = "status"
    """Status words joined by ", ": wrapped between them, never inside one."""
    BAR = "bar"
    """A proportional bar: never wrapped."""
    PROSE = "prose"
    """Labels, notes, titles, text: the width that is left, wrapped at word boundaries."""


@dataclass(frozen=True)
class Column:
    """A column of a display table."""

    name: str
    """Header."""
    kind: ColumnKind = ColumnKind.PROSE
    """What it holds; decides wrapping and alignment."""
    optional: bool = False
    """Left out of a terminal table too narrow to show it, with a line saying so (kept in Markdown)."""

    @property
    def numeric(self) -> bool:
        """Right-aligned."""
        return self.kind is ColumnKind.VALUE


@dataclass(frozen=True)
class Section:
    """One titled table of human-readable cells, with lines to print under it."""

    title: str
    """Heading above the table."""
    columns: tuple[Column, ...]
    """The columns."""
    rows: tuple[tuple[str, ...], ...]
    """Cells, one tuple per row."""
    notes: tuple[str, ...] = field(default=())
    """Lines printed under the table as they are, never wrapped (messages, problems: one a line)."""
    footnotes: tuple[str, ...] = field(default=())
    """Prose printed under the table, wrapped to the width at word boundaries."""
    wrap_title: bool = True
    """False for a title someone will grep for (a file name and its problems): never wrapped."""
    hanging: bool = False
    """Indent the lines a paragraph wraps onto, so that each paragraph (a citation) starts a line of its own."""
    highlight: tuple[str, ...] = field(default=())
    """Words to highlight in cells on a terminal (a search's query)."""
    paragraphs: tuple[str, ...] = field(default=())
    """Prose printed under the title (before any notes), wrapped at word boundaries; addresses stay whole."""


GLUE = "\u00a0"


"""Joins the words of a value inside prose (``> 256.0 bn CNY``): a renderer may wrap prose only between values."""


def glued(value: str) -> str:
    """A value to put in prose: its mark, number and unit kept on one line."""
    return value.replace(" ", GLUE)


def sources_cell(observation: Observation, cited: Cited) -> str:
    """Source ids; a secondary source says so, as a figure taken from one should."""
    return ", ".join(
        f"{ref} (secondary)" if cited[ref].kind is SourceKind.SECONDARY else ref for ref in observation.sources
    )


def status_cell(observation: Observation, phrase: bool = False) -> str:
    """The status, and whether a more final figure replaces it or an equal one disagrees.

    ``phrase`` for a figure shown out of a Status column (``status not stated``, not ``not stated``).
    """
    # A target says so in its value ("target 50,000 people"): not a second time here.
    labels = STATUS_PHRASES if phrase else STATUS_LABELS
    marks = [labels[observation.status] if observation.status is not Status.TARGET else ""]
    if observation.superseded_by:
        marks.append("superseded")
    if observation.conflicts_with:
        marks.append("conflicting")
    return ", ".join(m for m in marks if m)


def when_cell(observation: Observation, cited: Cited) -> str:
    """The period; for a figure of undated sources only, the earliest date they can have."""
    sources = [cited[ref] for ref in observation.sources]
    if observation.period is None and sources and all(s.undated for s in sources):
        return f"undated ({observation.as_of} or later)"
    return when_text(observation)


def relation_notes(metric: Metric, cited: Cited) -> tuple[str, ...]:
    """One line per figure that supersedes or conflicts with another of the same period."""
    by_ref = {o.ref: o for o in metric.observations}

    def describe(ref: str) -> str:
        other = by_ref.get(ref)
        if other is None:
            return f"{ref} (not shown)"
        return figure_text(other, metric, cited)

    position = {o.ref: index for index, o in enumerate(metric.observations)}
    notes = []
    for index, observation in enumerate(metric.observations):
        this = figure_text(observation, metric, cited)
        if observation.supersedes:
            notes.append(f"{this} supersedes {'; '.join(describe(r) for r in observation.supersedes)}.")
        # Each conflicting pair once, from its first figure in the series (refs not shown come last).
        later = [r for r in observation.conflicts_with if position.get(r, len(position)) > index]
        if later:
            notes.append(f"{this} conflicts with {'; '.join(describe(r) for r in later)}.")
    return tuple(notes)


def figure_text(observation: Observation, metric: Metric, cited: Cited) -> str:
    status = STATUS_PHRASES[observation.status]
    detail = ", ".join(x for x in (status, sources_cell(observation, cited)) if x)
    return f"{when_cell(observation, cited)}: {glued(observation_value(observation, metric.unit))} ({detail})"


def metric_title(metric: Metric) -> str:
    return f"{metric.id} · {metric.label}" + (f" {metric.label_zh}" if metric.label_zh else "")


def moved_note(moved: Moved) -> str:
    """Said under a table of a metric reached by an old id or ref."""
    return f"{moved.old} is now {moved.new}."


def metric_notes(metric: Metric, moved: Moved | None = None) -> tuple[str, ...]:
    """What a table of a metric says under it about the metric: how it was reached, what its ranks rank among,
    what its targets aim at, which old ids lead to it."""
    notes = [moved_note(moved)] if moved is not None else []
    if metric.among:
        notes.append(
            f"Places among {metric.among}, each as of the period or date shown: not a place held today."
        )
    if metric.aims_at:
        notes.append(f"Targets for {metric.aims_at}: goals, not outcomes.")
    if metric.moved_from:
        notes.append(f"Formerly: {', '.join(metric.moved_from)}.")
    return tuple(notes)


def when_phrase(observation: Observation, cited: Cited) -> str:
    """When a figure stands, in a sentence: ``as of 2019-09-26``, ``for 2021-H1``."""
    text = when_cell(observation, cited)
    return text if observation.period is None else f"for {text}"


def rank_note(figure: Figure, cited: Cited) -> str:
    """A rank with what it ranks among and when.

    ``gdp.growth_rank: 1st among the 27 provincial capitals, as of 2019-09-26.``
    """
    value = observation_value(figure.observation, figure.metric.unit)
    return f"{figure.metric.id}: {value} among {figure.metric.among}, {when_phrase(figure.observation, cited)}."


def series_section(metric: Metric, cited: Cited, moved: Moved | None = None) -> Section:
    rows = tuple(
        (
            when_cell(o, cited),
            observation_value(o, metric.unit),
            status_cell(o),
            sources_cell(o, cited),
            note(o),
        )
        for o in metric.observations
    )
    return Section(
        metric_title(metric),
        (
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
            Column("Status", ColumnKind.STATUS),
            Column("Source", ColumnKind.IDS),
            Column("Note"),
        ),
        rows,
        footnotes=(*metric_notes(metric, moved), *relation_notes(metric, cited)),
    )


def note(observation: Observation) -> str:
    note = observation.note
    if observation.status_basis:
        note = f"{note} Final: {observation.status_basis}.".strip()
    if observation.conversion is not None:
        conversion = observation.conversion
        value = glued(f"= {human_value(conversion.value, conversion.unit)}")
        converted = f"{value} ({conversion.note or 'by the source'})"
        note = f"{note} {converted}".strip()
    return note


def figure_cell(figure: Figure, cited: Cited) -> str:
    """A figure in one cell, with all that qualifies it: ``410.708 bn CNY (2024, media-2025-gdp (secondary))``.

    Its period, its status (preliminary, superseded, ...) and its sources, wherever a figure is
    shown alone, so that no preliminary or secondary figure passes as a final one.
    """
    observation = figure.observation
    detail = ", ".join(
        x
        for x in (when_cell(observation, cited), status_cell(observation, True), sources_cell(observation, cited))
        if x
    )
    value = glued(observation_value(observation, figure.metric.unit))
    among = f" among {figure.metric.among}" if figure.metric.among else ""
    return f"{value}{among} ({detail})"


def headline_cell(figure: Figure | None, cited: Cited) -> str:
    return "" if figure is None else f"{figure.metric.label}: {figure_cell(figure, cited)}"


def pairs_section(title: str, pairs: list[tuple[str, str]]) -> Section:
    return Section(title, (Column("Field", ColumnKind.ID), Column("Value")), tuple(pairs))


def facts_section(title: str, facts: tuple[Fact, ...]) -> Section:
    rows = []
    for fact in facts:
        text = fact.text
        if fact.items:
            text = f"{text.rstrip()} Named: {'; '.join(f'{i.name} {i.name_zh}'.strip() for i in fact.items)}."
        dated = fact.date or fact.period or (f"as of {fact.as_of}" if fact.as_of else "")
        if fact.conflicts_with:
            text += f" (Another account: {fact.conflicts_with}.)"
        rows.append((fact.id, fact.kind.value, dated, text, ", ".join(fact.sources)))
    columns = (
        Column("Fact", ColumnKind.ID),
        Column("Kind", ColumnKind.STATUS),
        Column("When", ColumnKind.PERIOD),
        Column("Text"),
        Column("Source", ColumnKind.IDS),
    )
    return Section(title, columns, tuple(rows))


def kind_text(source: Source) -> str:
    return "" if source.kind is None else SOURCE_KIND_LABELS[source.kind]


def detail_paragraphs(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """``Field: value`` paragraphs, the empty ones left out."""
    return tuple(f"{k}: {v}" for k, v in pairs if v)


def fact_list_section(title: str, facts: tuple[Fact, ...]) -> Section:
    """Facts by id and label only; ``hohhot show ID`` gives each in full."""
    rows = tuple((f.id, f.kind.value, f.label) for f in facts)
    columns = (Column("Fact", ColumnKind.ID), Column("Kind", ColumnKind.STATUS), Column("Label"))
    return Section(title, columns, rows, notes=("Each in full: hohhot show ID.",))


def citations_section(sources: tuple[Source, ...] | list[Source]) -> Section:
    """A "Sources" section: one full citation a paragraph (addresses whole)."""
    return Section("Sources", (), (), paragraphs=tuple(f"{s.id}: {citation(s)}" for s in sources), hanging=True)
