"""The display views of comparisons: side by side, over time, industries' headlines."""

from __future__ import annotations

from hohhot_cli.output.humanize import (
    observation_value,
    percent_change,
    signed,
)
from hohhot_cli.output.sections import (
    Column,
    ColumnKind,
    Section,
    headline_cell,
    metric_title,
    relation_notes,
    sources_cell,
    status_cell,
    when_cell,
)
from hohhot_cli.query.results import (
    IndustryComparison,
    OverTime,
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


def side_by_side_sections(result: SideBySide) -> list[Section]:
    """``compare ID ID ...``: latest values with bars within one unit and period."""
    rows = tuple(
        (
            r.figure.metric.id,
            observation_value(r.figure.observation, r.figure.metric.unit),
            when_cell(r.figure.observation, result.cited),
            status_cell(r.figure.observation),
            bar(r.share_of_max),
            sources_cell(r.figure.observation, result.cited),
        )
        for r in result.rows
    )
    columns = (
        Column("Metric", ColumnKind.ID),
        Column("Value", ColumnKind.VALUE),
        Column("Period", ColumnKind.PERIOD),
        Column("Status", ColumnKind.STATUS),  # left out when every figure is an unqualified outcome
        Column("Bar", ColumnKind.BAR),
        Column("Source", ColumnKind.IDS, optional=True),
    )
    notes = (
        ("Bars compare rows of the same unit and period only.",)
        if any(r.share_of_max is not None for r in result.rows)
        else ()
    )
    return [Section("Comparison", columns, rows, notes)]


COMPUTED_MARK = "*"


"""Marks a number computed here, not reported by a source."""


COMPUTED_NOTE = (
    f"{COMPUTED_MARK} Change computed here from the levels shown, not reported by the source; "
    "a growth rate a source reports may differ."
)


def over_time_sections(result: OverTime) -> list[Section]:
    """``compare ID``: each metric over time with its changes."""
    out = []
    for s in result.series:
        rows = []
        for p in s.points:
            o = p.observation
            change = percent = ""
            remarks = [status_cell(o)]
            if p.change is not None:
                change = ("≈ " if p.approximate else "") + signed(p.change, s.metric.unit) + COMPUTED_MARK
                percent = percent_change(p.change_percent) + COMPUTED_MARK if p.change_percent is not None else ""
                remarks.append(f"vs {p.previous_period}")
            else:
                remarks.append(p.remark)
            rows.append(
                (
                    when_cell(o, result.cited),
                    observation_value(o, s.metric.unit),
                    change,
                    percent,
                    "; ".join(r for r in remarks if r),
                    sources_cell(o, result.cited),
                )
            )
        columns = (
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
            Column("Change", ColumnKind.VALUE),
            Column("%", ColumnKind.VALUE),
            Column("Note"),
            Column("Source", ColumnKind.IDS, optional=True),
        )
        footnotes = relation_notes(s.metric, result.cited)
        if any(p.change is not None for p in s.points):
            footnotes = (COMPUTED_NOTE, *footnotes)
        out.append(Section(metric_title(s.metric), columns, tuple(rows), footnotes=footnotes))
    return out


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
