"""What a table says on stderr when a result holds nothing: "no ... found".

Machine formats stay silent (an empty JSON list, a CSV header alone); a person
reading a table is told, on stderr, so that stdout stays the data. The exit
status is 0 either way.
"""

from __future__ import annotations

from hohhot_cli.output.changes_view import window
from hohhot_cli.query.changes_log import ChangesResult
from hohhot_cli.query.results import (
    IndustriesResult,
    IndustryDetail,
    MetricsResult,
    OverTime,
    SearchResult,
    SideBySide,
    SourceDetail,
)


def nothing_found(result: object) -> str | None:
    """The message for an empty result, or None when it holds something."""
    if isinstance(result, MetricsResult) and not any(m.observations for m in result.metrics):
        return "no observations found"
    if isinstance(result, OverTime) and not any(s.points for s in result.series):
        return "no observations found"
    if isinstance(result, SideBySide) and result.compared is None:
        ids = ", ".join(r.metric.id for r in result.rows)
        return f"no period has a figure of every metric ({ids}): nothing compared"
    if isinstance(result, SideBySide) and not any(r.observation is not None for r in result.rows):
        return "no observations found"
    if isinstance(result, SearchResult) and not result.hits:
        return f"no matches found for {result.query!r}"
    if isinstance(result, IndustriesResult) and not result.industries:
        return "no industries found"
    if isinstance(result, IndustryDetail) and not any(m.observations for m in result.metrics):
        return f"no figures found for {result.summary.industry.id}"
    if isinstance(result, SourceDetail) and not result.figures:
        return f"no figures found citing {result.source.id}"
    if isinstance(result, ChangesResult) and not result.changes:
        return f"no figures or facts added, revised or superseded {window(result)}"
    return None
