"""The display view of every result: titled tables of human-readable cells.

Both the rich table renderer and the Markdown renderer draw these sections;
cells are already humanised (``256.0 bn CNY``, ``as of 2019-09-24``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hohhot_cli.output.changes_view import changes_sections
from hohhot_cli.output.comparison_view import (
    industry_comparison_sections,
    over_time_sections,
    side_by_side_sections,
)
from hohhot_cli.output.glance_view import industry_summary_sections, overview_sections
from hohhot_cli.output.humanize import (
    citation,
    observation_value,
    source_date,
)
from hohhot_cli.output.search_view import figure_detail_sections, search_sections, with_refs
from hohhot_cli.output.sections import (
    Column,
    ColumnKind,
    Section,
    citations_section,
    detail_paragraphs,
    fact_list_section,
    facts_section,
    headline_cell,
    kind_text,
    rank_note,
    series_section,
    status_cell,
    when_cell,
)
from hohhot_cli.query.changes_log import ChangesResult
from hohhot_cli.query.results import (
    CompanyDetail,
    FactDetail,
    Figure,
    FigureDetail,
    IndustriesResult,
    IndustryComparison,
    IndustryDetail,
    MetricsResult,
    OverTime,
    Overview,
    SearchResult,
    SideBySide,
    SourceDetail,
    SourcesResult,
    ValidationReport,
    WithCitations,
)


def metrics_sections(result: MetricsResult) -> list[Section]:
    """``metric``: each metric's series; ``metrics``: one line per metric with its latest value."""
    if not result.index:
        return [series_section(m, result.cited, result.moved_of(i)) for i, m in enumerate(result.metrics)]
    rows = []
    for metric, latest in zip(result.metrics, result.latest, strict=True):
        rows.append(
            (
                metric.id,
                metric.label,
                observation_value(latest, metric.unit) if latest else "",
                ", ".join(x for x in (when_cell(latest, result.cited), status_cell(latest)) if x) if latest else "",
            )
        )
    columns = (
        Column("Metric", ColumnKind.ID),
        Column("Label", optional=True),
        Column("Latest", ColumnKind.VALUE),
        Column("Period", ColumnKind.PERIOD),
    )
    ranks = tuple(
        rank_note(Figure(metric, latest), result.cited)
        for metric, latest in zip(result.metrics, result.latest, strict=True)
        if latest is not None and metric.among
    )
    return [Section(f"Metrics ({len(rows)})", columns, tuple(rows), footnotes=ranks)]


def industries_sections(result: IndustriesResult) -> list[Section]:
    """``industries``."""
    rows = tuple(
        (
            s.industry.id,
            f"{s.industry.name} {s.industry.name_zh}".strip(),
            s.industry.kind.value,
            headline_cell(s.headline, result.cited),
        )
        for s in result.industries
    )
    columns = (Column("Id", ColumnKind.ID), Column("Name"), Column("Kind", ColumnKind.STATUS), Column("Headline"))
    return [Section(f"Industries ({len(rows)})", columns, rows)]


def industry_detail_sections(result: IndustryDetail) -> list[Section]:
    """``industries ID``: its summary; with ``--all``, the industry, its series, companies, facts and sources."""
    if not result.full:
        return industry_summary_sections(result)
    industry = result.summary.industry
    pairs = [
        ("Id", industry.id),
        ("Name", industry.name),
        ("Chinese", industry.name_zh),
        ("Kind", industry.kind.value),
        ("Description", industry.description),
        ("Aliases", ", ".join(industry.aliases)),
        ("Sources", ", ".join(industry.sources)),
    ]
    out = [Section(f"{industry.name} {industry.name_zh}".strip(), (), (), paragraphs=detail_paragraphs(pairs))]
    out += [series_section(m, result.cited) for m in result.metrics]
    companies = result.summary.companies
    if companies:
        out.append(
            Section(
                "Companies",
                (
                    Column("Id", ColumnKind.ID),
                    Column("Name"),
                    Column("Chinese"),
                    Column("About"),
                    Column("Source", ColumnKind.IDS),
                ),
                tuple((c.id, c.name, c.name_zh, c.description, ", ".join(c.sources)) for c in companies),
            )
        )
    if result.facts:
        out.append(facts_section("Facts", result.facts))
    out.append(citations_section(tuple(result.cited.values())))
    return out


def sources_sections(result: SourcesResult) -> list[Section]:
    """``sources``."""
    with_kind = any(u.source.kind is not None for u in result.uses)  # a version-1 file names none
    rows = tuple(
        (
            u.source.id,
            *((kind_text(u.source),) if with_kind else ()),
            source_date(u.source),
            f"{u.source.publisher}: {u.source.title}",
            str(u.total),
        )
        for u in result.uses
    )
    columns = (
        Column("Id", ColumnKind.ID),
        *((Column("Kind", ColumnKind.STATUS),) if with_kind else ()),
        Column("Date", ColumnKind.PERIOD),
        Column("Publisher: title"),
        Column("Cited by", ColumnKind.VALUE),
    )
    return [Section(f"Sources ({len(rows)})", columns, rows)]


def source_detail_sections(result: SourceDetail) -> list[Section]:
    """``sources ID``: the source as paragraphs, the figures and facts it supports, its citation."""
    source = result.source
    pairs = [
        ("Title", source.title),
        ("Publisher", source.publisher),
        ("Date", source_date(source)),
        ("Kind", kind_text(source)),
        ("Authors", ", ".join(source.authors)),
        ("Address", source.url or ""),
        ("Read at", source.read_at or ""),
        ("Reprinted by", source.reprinted_by),
        ("Checked", source.checked or ""),
        ("Note", source.note),
    ]
    out = [Section(source.id, (), (), paragraphs=detail_paragraphs(pairs))]
    if result.figures:
        # The status beside the period, as in the index of metrics: the table stays a table at 80 columns.
        rows = tuple(
            (
                f.metric.id,
                ", ".join(x for x in (when_cell(f.observation, result.cited), status_cell(f.observation)) if x),
                observation_value(f.observation, f.metric.unit),
            )
            for f in result.figures
        )
        columns = (
            Column("Metric", ColumnKind.ID),
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
        )
        out.append(Section(f"Figures ({len(rows)})", columns, rows))
    if result.facts:
        out.append(fact_list_section(f"Facts ({len(result.facts)})", result.facts))
    named = [
        *(f"industries: {', '.join(i.id for i in result.industries)}",) * bool(result.industries),
        *(f"companies: {', '.join(c.id for c in result.companies)}",) * bool(result.companies),
    ]
    paragraphs = (citation(source), *(f"Also names {'; '.join(named)}.",) * bool(named))
    out.append(Section("Citation", (), (), paragraphs=paragraphs))
    return out


def validation_sections(result: ValidationReport) -> list[Section]:
    """``validate``: the counts of a valid file and its warnings, or one problem a line."""
    if result.valid and result.counts is not None:
        summary = ", ".join(f"{v} {k}" for k, v in result.counts.items())
        out = [Section(f"{result.file}: valid", (), (), paragraphs=(summary,), wrap_title=False)]
    else:
        count = result.problem_count
        # One problem a line, compiler style (file:line: place: message), for people and grep alike.
        title = f"{result.file}: {count:,} problem{'s' if count != 1 else ''}"
        out = [Section(title, (), (), tuple(str(p) for p in result.problems), wrap_title=False)]
    if result.warnings:
        count = len(result.warnings)
        title = f"{count} warning{'s' if count != 1 else ''}" + (" (failing: --strict)" if result.strict else "")
        out.append(Section(title, (), (), tuple(f"warning: {p}" for p in result.warnings)))
    return out


SECTIONS: dict[type, Callable[[Any], list[Section]]] = {
    MetricsResult: metrics_sections,
    IndustriesResult: industries_sections,
    IndustryDetail: industry_detail_sections,
    SearchResult: search_sections,
    SourcesResult: sources_sections,
    SourceDetail: source_detail_sections,
    SideBySide: side_by_side_sections,
    OverTime: over_time_sections,
    IndustryComparison: industry_comparison_sections,
    Overview: overview_sections,
    ValidationReport: validation_sections,
}


"""The section function of each result type."""


def sections(result: object) -> list[Section]:
    """The display view: titled tables of human-readable cells."""
    try:
        view = SECTIONS[type(result)]
    except KeyError:
        raise TypeError(f"no table view for {type(result).__name__}") from None
    parts = view(result)
    return with_refs(result, parts) if getattr(result, "refs", False) else parts


def markdown_view(result: object) -> list[Section]:
    """The sections of a result for Markdown: under them, a list of the full citations of its sources."""
    parts = sections(result)
    cited = getattr(result, "cited", None)
    if cited and not any(part.title == "Sources" for part in parts):
        parts.append(citations_section(tuple(cited.values())))
    return parts


def fact_detail_sections(result: FactDetail) -> list[Section]:
    """``show FACT``: the fact as paragraphs, its items, its sources."""
    fact = result.fact
    dated = fact.date or fact.period or (f"as of {fact.as_of}" if fact.as_of else "")
    pairs = [
        ("Id", fact.id),
        ("Kind", fact.kind.value),
        ("When", dated),
        ("Industry", fact.industry or ""),
        ("Another account", fact.conflicts_with or ""),
    ]
    out = [Section(fact.label, (), (), paragraphs=(fact.text, *detail_paragraphs(pairs)))]
    if fact.items:
        rows = tuple((i.name, i.name_zh, i.note) for i in fact.items)
        out.append(Section("Named", (Column("Name"), Column("Chinese"), Column("Note")), rows))
    out.append(citations_section(tuple(result.cited.values())))
    return out


def company_detail_sections(result: CompanyDetail) -> list[Section]:
    """``show COMPANY``: the company as paragraphs and its sources."""
    company = result.company
    industry = f"{result.industry.id} ({result.industry.name})" if result.industry else ""
    pairs = [("Id", company.id), ("Chinese", company.name_zh), ("Industry", industry)]
    paragraphs = (*(company.description,) * bool(company.description), *detail_paragraphs(pairs))
    return [Section(company.name, (), (), paragraphs=paragraphs), citations_section(tuple(result.cited.values()))]


def with_citations_sections(view: WithCitations) -> list[Section]:
    """The result's sections, then a "Sources" section with full citations."""
    shown = [s for s in sections(view.result) if s.title != "Sources"]  # a shorter list, replaced
    return [*shown, citations_section(view.sources)]


SECTIONS[FactDetail] = fact_detail_sections


SECTIONS[ChangesResult] = changes_sections


SECTIONS[CompanyDetail] = company_detail_sections


SECTIONS[FigureDetail] = figure_detail_sections


SECTIONS[WithCitations] = with_citations_sections
