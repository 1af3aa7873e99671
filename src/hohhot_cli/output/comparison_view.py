"""The display views of comparisons: side by side, over time, industries' headlines."""

from __future__ import annotations

from hohhot_cli.model.facts import Unit
from hohhot_cli.output.humanize import (
    observation_value,
    percent_change,
    signed,
)
from hohhot_cli.output.sections import (
    Column,
    ColumnKind,
    Section,
    glued,
    headline_cell,
    metric_notes,
    metric_title,
    moved_note,
    rank_note,
    relation_notes,
    sources_cell,
    status_cell,
    when_cell,
)
from hohhot_cli.query.results import (
    IndustryComparison,
    OverTime,
    SeriesPoint,
    SideBySide,
)

BAR_WIDTH = 16


"""Characters of the longest bar in a side-by-side comparison."""


def bar(share: float | None) -> str:
    """A proportional bar of at most :data:`BAR_WIDTH` blocks (at least one for a positive share)."""
    if share is None:
        return ""
    blocks = round(share * BAR_WIDTH)
    if share > 0 and blocks == 0:
        blocks = 1
    return "█" * blocks


def compared_text(compared: str | None) -> str:
    """The period a comparison lines up, as people read it: ``2023``, ``as of 2024-01-18``."""
    if compared is None:
        return ""
    return f"as of {compared.removeprefix('as-of-')}" if compared.startswith("as-of-") else compared


def side_by_side_sections(result: SideBySide) -> list[Section]:
    """``compare ID ID ...``: one period for every row, with bars within one unit; metrics without it named below."""
    shown = [(r, r.figure) for r in result.rows if r.figure is not None]
    rows = tuple(
        (
            r.metric.id,
            observation_value(f.observation, f.metric.unit),
            status_cell(f.observation),
            bar(r.share_of_max),
            sources_cell(f.observation, result.cited),
        )
        for r, f in shown
    )
    columns = (
        Column("Metric", ColumnKind.ID),
        Column("Value", ColumnKind.VALUE),
        Column("Status", ColumnKind.STATUS),  # left out when every figure is a final outcome
        Column("Bar", ColumnKind.BAR),
        Column("Source", ColumnKind.IDS, optional=True),
    )
    missing = [r.metric.id for r in result.rows if r.figure is None]
    period = compared_text(result.compared)
    if result.compared is None:
        title = "Comparison: no period shared"
        said = [f"No period has a figure of every metric: {', '.join(missing)}."]
    else:
        title = f"Comparison, {period}" + (" (as asked)" if result.asked else " (the latest period all share)")
        said = [f"No figure for {period}: {', '.join(missing)}."] if missing else []
    notes = ("Bars compare rows of the same unit.",) if any(r.share_of_max is not None for r in result.rows) else ()
    said += [rank_note(f, result.cited) for _, f in shown if f.metric.among]
    said += [moved_note(r.moved) for r in result.rows if r.moved is not None]
    footnotes = tuple(said)
    return [Section(title, columns if rows else (), rows, notes, footnotes)]


COMPUTED_MARK = "*"


"""Marks a number computed here, not reported by a source."""


COMPUTED_NOTE = (
    f"{COMPUTED_MARK} Change computed here from the levels shown, not reported by the source, and only between "
    "figures of the same standing: both final, both provisional (preliminary or as first published), both "
    "estimates or both of no stated status; both exact or both approximate; neither from a secondary source "
    "unless both are."
)


def reported_note(rate_id: str) -> str:
    """The footnote that says what "reported" means in the Note column of a series."""
    return (
        f"Reported: the year-on-year rate a source gives for the same period, not computed here (its source and "
        f"standing: hohhot metric {rate_id}); it may be measured otherwise (at constant prices) than a change of "
        "the levels shown."
    )


def over_time_sections(result: OverTime) -> list[Section]:
    """``compare ID``: each metric over time with its changes."""
    out = []
    for s in result.series:
        rows = tuple(_point_row(p, s.metric.unit, result) for p in s.points)
        columns = (
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
            Column("Change", ColumnKind.VALUE),
            Column("%", ColumnKind.VALUE),
            Column("Note"),
            Column("Source", ColumnKind.IDS, optional=True),
        )
        footnotes = relation_notes(s.metric, result.cited)
        rates = [p.reported.metric.id for p in s.points if p.reported is not None]
        if rates:
            footnotes = (reported_note(rates[0]), *footnotes)
        if any(p.change is not None for p in s.points):
            footnotes = (COMPUTED_NOTE, *footnotes)
        footnotes = (*metric_notes(s.metric, s.moved), *footnotes)
        out.append(Section(metric_title(s.metric), columns, rows, footnotes=footnotes))
    return out


def _point_row(p: SeriesPoint, unit: Unit, result: OverTime) -> tuple[str, ...]:
    o = p.observation
    change = percent = ""
    remarks = [status_cell(o, True)]
    if p.change is not None:
        change = ("≈ " if p.approximate else "") + signed(p.change, unit) + COMPUTED_MARK
        percent = percent_change(p.change_percent) + COMPUTED_MARK if p.change_percent is not None else ""
        remarks.append(f"vs {p.previous_period}")
    elif p.refused:
        remarks.append(f"vs {p.previous_period}: {p.refused}")
    if p.reported is not None:
        rate = p.reported
        remarks.append(f"reported {glued(observation_value(rate.observation, rate.metric.unit))}")
    return (
        when_cell(o, result.cited),
        observation_value(o, unit),
        change,
        percent,
        "; ".join(r for r in remarks if r),
        sources_cell(o, result.cited),
    )


def industry_comparison_sections(result: IndustryComparison) -> list[Section]:
    """``compare --industries``."""
    rows = []
    for row in result.rows:
        headline = headline_cell(row.headline, result.cited)
        rows.append(
            (
                row.industry.id,
                f"{row.industry.name} {row.industry.name_zh}".strip(),
                row.industry.kind.value,
                str(len(row.metric_ids)),
                ", ".join(c.name for c in row.companies),
                headline,
            )
        )
    columns = (
        Column("Industry", ColumnKind.ID),
        Column("Name", optional=True),
        Column("Kind", ColumnKind.STATUS),
        Column("Metrics", ColumnKind.VALUE),
        Column("Companies"),
        Column("Headline"),
    )
    return [Section("Industries compared", columns, tuple(rows))]
