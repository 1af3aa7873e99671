"""The display view of every result: titled tables of human-readable cells.

Both the rich table renderer and the Markdown renderer draw these sections;
cells are already humanised (``256.0 bn CNY``, ``as of 2019-09-24``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hohhot_cli.model.facts import Fact, Metric, Observation, Source, SourceKind, Status
from hohhot_cli.output.humanize import (
    SOURCE_KIND_LABELS,
    STATUS_LABELS,
    citation,
    human_value,
    observation_value,
    percent_change,
    signed,
    source_date,
    when_text,
)
from hohhot_cli.query.results import (
    Cited,
    CompanyDetail,
    FactDetail,
    Figure,
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


# -- display sections ------------------------------------------------------

GLUE = "\u00a0"
"""Joins the words of a value inside prose (``> 256.0 bn CNY``): a renderer may wrap prose only between values."""


def glued(value: str) -> str:
    """A value to put in prose: its mark, number and unit kept on one line."""
    return value.replace(" ", GLUE)


def _sources_cell(observation: Observation, cited: Cited) -> str:
    """Source ids; a secondary source says so, as a figure taken from one should."""
    return ", ".join(
        f"{ref} (secondary)" if cited[ref].kind is SourceKind.SECONDARY else ref for ref in observation.sources
    )


def _status_cell(observation: Observation) -> str:
    """The status, and whether a more final figure replaces it or an equal one disagrees."""
    # A target says so in its value ("target 50,000 people"): not a second time here.
    marks = [STATUS_LABELS[observation.status] if observation.status is not Status.TARGET else ""]
    if observation.superseded_by:
        marks.append("superseded")
    if observation.conflicts_with:
        marks.append("conflicting")
    return ", ".join(m for m in marks if m)


def _when_cell(observation: Observation, cited: Cited) -> str:
    """The period; for a figure of undated sources only, the earliest date they can have."""
    sources = [cited[ref] for ref in observation.sources]
    if observation.period is None and sources and all(s.undated for s in sources):
        return f"undated ({observation.as_of} or later)"
    return when_text(observation)


def _relation_notes(metric: Metric, cited: Cited) -> tuple[str, ...]:
    """One line per figure that supersedes or conflicts with another of the same period."""
    by_ref = {o.ref: o for o in metric.observations}

    def describe(ref: str) -> str:
        other = by_ref.get(ref)
        if other is None:
            return f"{ref} (not shown)"
        return _figure_text(other, metric, cited)

    position = {o.ref: index for index, o in enumerate(metric.observations)}
    notes = []
    for index, observation in enumerate(metric.observations):
        this = _figure_text(observation, metric, cited)
        if observation.supersedes:
            notes.append(f"{this} supersedes {'; '.join(describe(r) for r in observation.supersedes)}.")
        # Each conflicting pair once, from its first figure in the series (refs not shown come last).
        later = [r for r in observation.conflicts_with if position.get(r, len(position)) > index]
        if later:
            notes.append(f"{this} conflicts with {'; '.join(describe(r) for r in later)}.")
    return tuple(notes)


def _figure_text(observation: Observation, metric: Metric, cited: Cited) -> str:
    status = STATUS_LABELS[observation.status]
    detail = ", ".join(x for x in (status, _sources_cell(observation, cited)) if x)
    return f"{_when_cell(observation, cited)}: {glued(observation_value(observation, metric.unit))} ({detail})"


def _metric_title(metric: Metric) -> str:
    return f"{metric.id} · {metric.label}" + (f" {metric.label_zh}" if metric.label_zh else "")


def _series_section(metric: Metric, cited: Cited) -> Section:
    rows = tuple(
        (
            _when_cell(o, cited),
            observation_value(o, metric.unit),
            _status_cell(o),
            _sources_cell(o, cited),
            _note(o),
        )
        for o in metric.observations
    )
    return Section(
        _metric_title(metric),
        (
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
            Column("Status", ColumnKind.STATUS),
            Column("Source", ColumnKind.IDS),
            Column("Note"),
        ),
        rows,
        footnotes=_relation_notes(metric, cited),
    )


def _note(observation: Observation) -> str:
    note = observation.note
    if observation.conversion is not None:
        conversion = observation.conversion
        value = glued(f"= {human_value(conversion.value, conversion.unit)}")
        converted = f"{value} ({conversion.note or 'by the source'})"
        note = f"{note} {converted}".strip()
    return note


def metrics_sections(result: MetricsResult) -> list[Section]:
    """``metric``: each metric's series; ``metrics``: one line per metric with its latest value."""
    if not result.index:
        return [_series_section(m, result.cited) for m in result.metrics]
    rows = []
    for metric, latest in zip(result.metrics, result.latest, strict=True):
        rows.append(
            (
                metric.id,
                metric.label,
                observation_value(latest, metric.unit) if latest else "",
                ", ".join(x for x in (_when_cell(latest, result.cited), _status_cell(latest)) if x) if latest else "",
            )
        )
    columns = (
        Column("Metric", ColumnKind.ID),
        Column("Label", optional=True),
        Column("Latest", ColumnKind.VALUE),
        Column("Period", ColumnKind.PERIOD),
    )
    return [Section(f"Metrics ({len(rows)})", columns, tuple(rows))]


def _figure_cell(figure: Figure, cited: Cited) -> str:
    """A figure in one cell, with all that qualifies it: ``410.708 bn CNY (2024, media-2025-gdp (secondary))``.

    Its period, its status (preliminary, superseded, ...) and its sources, wherever a figure is
    shown alone, so that no preliminary or secondary figure passes as a final one.
    """
    observation = figure.observation
    detail = ", ".join(
        x for x in (_when_cell(observation, cited), _status_cell(observation), _sources_cell(observation, cited)) if x
    )
    return f"{glued(observation_value(observation, figure.metric.unit))} ({detail})"


def _headline_cell(figure: Figure | None, cited: Cited) -> str:
    return "" if figure is None else f"{figure.metric.label}: {_figure_cell(figure, cited)}"


def industries_sections(result: IndustriesResult) -> list[Section]:
    """``industries``."""
    rows = tuple(
        (
            s.industry.id,
            f"{s.industry.name} {s.industry.name_zh}".strip(),
            s.industry.kind.value,
            _headline_cell(s.headline, result.cited),
        )
        for s in result.industries
    )
    columns = (Column("Id", ColumnKind.ID), Column("Name"), Column("Kind", ColumnKind.STATUS), Column("Headline"))
    return [Section(f"Industries ({len(rows)})", columns, rows)]


def _pairs_section(title: str, pairs: list[tuple[str, str]]) -> Section:
    return Section(title, (Column("Field", ColumnKind.ID), Column("Value")), tuple(pairs))


def industry_detail_sections(result: IndustryDetail) -> list[Section]:
    """``industries ID``: the industry, its series, companies, facts and sources."""
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
    out = [Section(f"{industry.name} {industry.name_zh}".strip(), (), (), paragraphs=_detail_paragraphs(pairs))]
    out += [_series_section(m, result.cited) for m in result.metrics]
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
        out.append(_facts_section("Facts", result.facts))
    out.append(citations_section(tuple(result.cited.values())))
    return out


def _facts_section(title: str, facts: tuple[Fact, ...]) -> Section:
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


def search_sections(result: SearchResult) -> list[Section]:
    """``search``: what kind of thing each hit is, its id and the text that matched (best first)."""
    rows = tuple((h.kind, h.id, h.text if h.text == h.label else f"{h.label}: {h.text}") for h in result.hits)
    columns = (Column("Kind", ColumnKind.STATUS), Column("Id", ColumnKind.ID), Column("Match"))
    notes = ("Open one: hohhot show ID.",) if rows else ()  # an empty search says so on stderr
    return [
        Section(f"Search: {result.query} ({len(rows)})", columns, rows, notes, highlight=tuple(result.query.split()))
    ]


def sources_sections(result: SourcesResult) -> list[Section]:
    """``sources``."""
    with_kind = any(u.source.kind is not None for u in result.uses)  # a version-1 file names none
    rows = tuple(
        (
            u.source.id,
            *((_kind_text(u.source),) if with_kind else ()),
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


def _kind_text(source: Source) -> str:
    return "" if source.kind is None else SOURCE_KIND_LABELS[source.kind]


def _detail_paragraphs(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """``Field: value`` paragraphs, the empty ones left out."""
    return tuple(f"{k}: {v}" for k, v in pairs if v)


def _fact_list_section(title: str, facts: tuple[Fact, ...]) -> Section:
    """Facts by id and label only; ``hohhot show ID`` gives each in full."""
    rows = tuple((f.id, f.kind.value, f.label) for f in facts)
    columns = (Column("Fact", ColumnKind.ID), Column("Kind", ColumnKind.STATUS), Column("Label"))
    return Section(title, columns, rows, notes=("Each in full: hohhot show ID.",))


def source_detail_sections(result: SourceDetail) -> list[Section]:
    """``sources ID``: the source as paragraphs, the figures and facts it supports, its citation."""
    source = result.source
    pairs = [
        ("Title", source.title),
        ("Publisher", source.publisher),
        ("Date", source_date(source)),
        ("Kind", _kind_text(source)),
        ("Authors", ", ".join(source.authors)),
        ("Address", source.url or ""),
        ("Read at", source.read_at or ""),
        ("Reprinted by", source.reprinted_by),
        ("Checked", source.checked or ""),
        ("Note", source.note),
    ]
    out = [Section(source.id, (), (), paragraphs=_detail_paragraphs(pairs))]
    if result.figures:
        rows = tuple(
            (
                f.metric.id,
                _when_cell(f.observation, result.cited),
                observation_value(f.observation, f.metric.unit),
                _status_cell(f.observation),
            )
            for f in result.figures
        )
        columns = (
            Column("Metric", ColumnKind.ID),
            Column("Period", ColumnKind.PERIOD),
            Column("Value", ColumnKind.VALUE),
            Column("Status", ColumnKind.STATUS),
        )
        out.append(Section(f"Figures ({len(rows)})", columns, rows))
    if result.facts:
        out.append(_fact_list_section(f"Facts ({len(result.facts)})", result.facts))
    named = [
        *(f"industries: {', '.join(i.id for i in result.industries)}",) * bool(result.industries),
        *(f"companies: {', '.join(c.id for c in result.companies)}",) * bool(result.companies),
    ]
    paragraphs = (citation(source), *(f"Also names {'; '.join(named)}.",) * bool(named))
    out.append(Section("Citation", (), (), paragraphs=paragraphs))
    return out


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
            _when_cell(r.figure.observation, result.cited),
            _status_cell(r.figure.observation),
            bar(r.share_of_max),
            _sources_cell(r.figure.observation, result.cited),
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
            remarks = [_status_cell(o)]
            if p.change is not None:
                change = ("≈ " if p.approximate else "") + signed(p.change, s.metric.unit) + COMPUTED_MARK
                percent = percent_change(p.change_percent) + COMPUTED_MARK if p.change_percent is not None else ""
                remarks.append(f"vs {p.previous_period}")
            else:
                remarks.append(p.remark)
            rows.append(
                (
                    _when_cell(o, result.cited),
                    observation_value(o, s.metric.unit),
                    change,
                    percent,
                    "; ".join(r for r in remarks if r),
                    _sources_cell(o, result.cited),
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
        footnotes = _relation_notes(s.metric, result.cited)
        if any(p.change is not None for p in s.points):
            footnotes = (COMPUTED_NOTE, *footnotes)
        out.append(Section(_metric_title(s.metric), columns, tuple(rows), footnotes=footnotes))
    return out


def industry_comparison_sections(result: IndustryComparison) -> list[Section]:
    """``compare --industries``."""
    rows = []
    for row in result.rows:
        headline = _headline_cell(row.headline, result.cited)
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


def _overview_pairs(result: Overview) -> list[tuple[str, str]]:
    city = result.city
    pairs = [
        ("City", f"{city.name} ({city.name_zh})"),
        ("Capital of", f"{city.province} ({city.province_zh})"),
    ]
    for name, figure in (("Population", result.population), ("GDP", result.gdp)):
        if figure is not None:
            pairs.append((name, _figure_cell(figure, result.cited)))
    pairs.append(("Pillar industries", ", ".join(i.name for i in result.pillars)))
    pairs.append(("Future industries", ", ".join(i.name for i in result.future)))
    pairs.append(("Fact base", f"updated {result.updated}"))
    return pairs


def overview_sections(result: Overview) -> list[Section]:
    """The bare ``hohhot``."""
    more = ("More: hohhot industries · hohhot metrics · hohhot search TEXT · hohhot show ID · hohhot --help",)
    return [
        Section(
            result.city.name,
            (Column("Field", ColumnKind.ID), Column("Value")),
            tuple(_overview_pairs(result)),
            footnotes=more,
        )
    ]


def validation_sections(result: ValidationReport) -> list[Section]:
    """``validate``: the counts of a valid file and its warnings, or one problem a line."""
    if result.valid and result.counts is not None:
        summary = ", ".join(f"{v} {k}" for k, v in result.counts.items())
        out = [Section(f"{result.file}: valid", (), (), paragraphs=(summary,), wrap_title=False)]
    else:
        count = len(result.problems)
        # One problem a line, compiler style (file:line: place: message), for people and grep alike.
        title = f"{result.file}: {count} problem{'s' if count != 1 else ''}"
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
    return view(result)


# -- opening any id, citations -----------------------------------------------------


def citations_section(sources: tuple[Source, ...] | list[Source]) -> Section:
    """A "Sources" section: one full citation a paragraph (addresses whole)."""
    return Section("Sources", (), (), paragraphs=tuple(f"{s.id}: {citation(s)}" for s in sources), hanging=True)


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
    out = [Section(fact.label, (), (), paragraphs=(fact.text, *_detail_paragraphs(pairs)))]
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
    paragraphs = (*(company.description,) * bool(company.description), *_detail_paragraphs(pairs))
    return [Section(company.name, (), (), paragraphs=paragraphs), citations_section(tuple(result.cited.values()))]


def with_citations_sections(view: WithCitations) -> list[Section]:
    """The result's sections, then a "Sources" section with full citations."""
    shown = [s for s in sections(view.result) if s.title != "Sources"]  # a shorter list, replaced
    return [*shown, citations_section(view.sources)]


SECTIONS[FactDetail] = fact_detail_sections
SECTIONS[CompanyDetail] = company_detail_sections
SECTIONS[WithCitations] = with_citations_sections
