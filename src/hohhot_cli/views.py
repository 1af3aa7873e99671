"""Results as plain structures, before any output format is chosen.

Three views of every query result:

* :func:`records` – JSON-ready records (numbers in base units, ISO strings);
* :func:`csv_rows` – a header and flat rows of raw values;
* :func:`sections` – titled tables of human-readable cells, for the rich
  table and Markdown renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

from hohhot_cli.model import (
    Company,
    Fact,
    FactBase,
    Industry,
    Metric,
    Observation,
    Source,
)
from hohhot_cli.queries import (
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
    citation,
    industry_headline,
)
from hohhot_cli.text import STATUS_LABELS, human_value, observation_value, percent_change, signed, when

Record = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """A column of a display table."""

    name: str
    """Header."""
    numeric: bool = False
    """Right-aligned, never wrapped."""
    wrap: bool = False
    """May wrap (long text); other columns keep their width."""
    optional: bool = False
    """Left out of a terminal table too narrow to show it (kept in Markdown)."""


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
    """Lines printed under the table."""


# -- records ---------------------------------------------------------------


def source_record(source: Source) -> Record:
    """A source as JSON."""
    return {
        "id": source.id,
        "publisher": source.publisher,
        "title": source.title,
        "date": source.date,
        "authors": list(source.authors),
        "url": source.url,
        "note": source.note,
    }


def observation_record(base: FactBase, observation: Observation) -> Record:
    """An observation as JSON, its sources spelled out."""
    conversion = observation.conversion
    return {
        "value": observation.value,
        "period": observation.period,
        "as_of": observation.as_of,
        "exactness": observation.exactness.value,
        "status": observation.status.value,
        "note": observation.note,
        "converted": None
        if conversion is None
        else {"value": conversion.value, "unit": conversion.unit.value, "note": conversion.note},
        "sources": [source_record(base.source_by_id[ref]) for ref in observation.sources],
    }


def metric_record(base: FactBase, metric: Metric) -> Record:
    """A metric with all its observations as JSON."""
    return {
        "id": metric.id,
        "label": metric.label,
        "topic": metric.topic,
        "unit": metric.unit.value,
        "industry": metric.industry,
        "description": metric.description,
        "aliases": list(metric.aliases),
        "tags": list(metric.tags),
        "observations": [observation_record(base, o) for o in metric.observations],
    }


def fact_record(fact: Fact) -> Record:
    """A fact as JSON."""
    return {
        "id": fact.id,
        "topic": fact.topic,
        "kind": fact.kind.value,
        "label": fact.label,
        "text": fact.text,
        "items": [{"name": i.name, "name_zh": i.name_zh, "note": i.note} for i in fact.items],
        "date": fact.date,
        "period": fact.period,
        "as_of": fact.as_of,
        "industry": fact.industry,
        "tags": list(fact.tags),
        "sources": list(fact.sources),
    }


def company_record(company: Company) -> Record:
    """A company as JSON."""
    return {
        "id": company.id,
        "name": company.name,
        "name_zh": company.name_zh,
        "industry": company.industry,
        "description": company.description,
        "sources": list(company.sources),
    }


def industry_record(base: FactBase, industry: Industry) -> Record:
    """An industry as JSON, with the ids of what belongs to it."""
    return {
        "id": industry.id,
        "name": industry.name,
        "name_zh": industry.name_zh,
        "kind": industry.kind.value,
        "description": industry.description,
        "aliases": list(industry.aliases),
        "metrics": [m.id for m in base.metrics if m.industry == industry.id],
        "companies": [c.id for c in base.companies if c.industry == industry.id],
        "sources": list(industry.sources),
    }


def _headline(base: FactBase, pair: tuple[Metric, Observation] | None) -> Record | None:
    if pair is None:
        return None
    metric, observation = pair
    return {
        "metric": metric.id,
        "label": metric.label,
        "unit": metric.unit.value,
        **observation_record(base, observation),
    }


@singledispatch
def records(result: object) -> Record | list[Record]:
    """The JSON view of a result: a list of records, or one record for a detail view."""
    raise TypeError(f"no JSON view for {type(result).__name__}")


@records.register
def _(result: MetricsResult) -> list[Record]:
    return [metric_record(result.base, m) for m in result.metrics]


@records.register
def _(result: IndustriesResult) -> list[Record]:
    return [industry_record(result.base, i) for i in result.industries]


@records.register
def _(result: IndustryDetail) -> Record:
    return {
        **industry_record(result.base, result.industry),
        "metrics": [metric_record(result.base, m) for m in result.metrics],
        "companies": [company_record(c) for c in result.companies],
        "facts": [fact_record(f) for f in result.facts],
        "sources": [source_record(s) for s in result.sources],
    }


@records.register
def _(result: SearchResult) -> list[Record]:
    return [
        {"kind": h.kind, "id": h.id, "label": h.label, "score": h.score, "matched": list(h.matched)}
        for h in result.hits
    ]


@records.register
def _(result: SourcesResult) -> list[Record]:
    return [
        {**source_record(u.source), "observations": u.observations, "facts": u.facts, "total": u.total}
        for u in result.uses
    ]


@records.register
def _(result: SourceDetail) -> Record:
    return {
        **source_record(result.source),
        "citation": citation(result.source),
        "observations": [
            {"metric": m.id, "label": m.label, "unit": m.unit.value, **observation_record(result.base, o)}
            for m, o in result.observations
        ],
        "facts": [fact_record(f) for f in result.facts],
        "industries": [i.id for i in result.industries],
        "companies": [c.id for c in result.companies],
    }


@records.register
def _(result: SideBySide) -> list[Record]:
    return [
        {
            "id": row.metric.id,
            "label": row.metric.label,
            "unit": row.metric.unit.value,
            **observation_record(result.base, row.observation),
            "share_of_max": row.share_of_max,
        }
        for row in result.rows
    ]


@records.register
def _(result: OverTime) -> list[Record]:
    return [
        {
            "id": s.metric.id,
            "label": s.metric.label,
            "unit": s.metric.unit.value,
            "observations": [
                {
                    **observation_record(result.base, p.observation),
                    "previous_period": p.previous_period,
                    "change": p.change,
                    "change_percent": p.change_percent,
                    "change_approximate": p.approximate,
                    "change_remark": p.remark,
                }
                for p in s.points
            ],
        }
        for s in result.series
    ]


@records.register
def _(result: IndustryComparison) -> list[Record]:
    return [
        {
            "id": row.industry.id,
            "name": row.industry.name,
            "name_zh": row.industry.name_zh,
            "kind": row.industry.kind.value,
            "metrics": row.metrics,
            "companies": [c.id for c in row.companies],
            "headline": _headline(result.base, row.headline),
        }
        for row in result.rows
    ]


@records.register
def _(result: Overview) -> Record:
    city = result.base.city
    return {
        "name": city.name,
        "name_zh": city.name_zh,
        "province": city.province,
        "province_zh": city.province_zh,
        "population": _headline(result.base, result.population),
        "gdp": _headline(result.base, result.gdp),
        "pillar_industries": [i.id for i in result.pillars],
        "emerging_industries": [i.id for i in result.emerging],
        "sources": list(city.sources),
        "updated": result.base.updated,
    }


@records.register
def _(result: ValidationReport) -> Record:
    base = result.base
    return {
        "file": result.file,
        "valid": result.valid,
        "problems": [{"file": p.file, "line": p.line, "place": p.place, "message": p.message} for p in result.problems],
        "counts": None
        if base is None
        else {
            "sources": len(base.sources),
            "industries": len(base.industries),
            "metrics": len(base.metrics),
            "observations": sum(len(m.observations) for m in base.metrics),
            "facts": len(base.facts),
            "companies": len(base.companies),
        },
    }


# -- CSV -------------------------------------------------------------------

OBSERVATION_COLUMNS = (
    "metric",
    "label",
    "unit",
    "period",
    "as_of",
    "value",
    "exactness",
    "status",
    "sources",
    "note",
    "converted_value",
    "converted_unit",
)
"""Columns of every CSV made of observations."""


def observation_row(metric: Metric, observation: Observation) -> tuple[Any, ...]:
    """One CSV row for an observation (sources as ``;``-separated ids)."""
    conversion = observation.conversion
    return (
        metric.id,
        metric.label,
        metric.unit.value,
        observation.period or "",
        observation.as_of or "",
        observation.value,
        observation.exactness.value,
        observation.status.value,
        ";".join(observation.sources),
        observation.note,
        "" if conversion is None else conversion.value,
        "" if conversion is None else conversion.unit.value,
    )


CsvTable = tuple[tuple[str, ...], list[tuple[Any, ...]]]


@singledispatch
def csv_rows(result: object) -> CsvTable:
    """The CSV view: a header and rows of raw values, lists joined by ``;``."""
    data = records(result)
    rows = data if isinstance(data, list) else [data]
    header: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in header and not _nested(value):
                header.append(key)
    return tuple(header), [tuple(_cell(row.get(key)) for key in header) for row in rows]


def _nested(value: object) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


def _cell(value: object) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


@csv_rows.register(MetricsResult)
@csv_rows.register(IndustryDetail)
def _(result: MetricsResult | IndustryDetail) -> CsvTable:
    return OBSERVATION_COLUMNS, [observation_row(m, o) for m in result.metrics for o in m.observations]


@csv_rows.register
def _(result: SourceDetail) -> CsvTable:
    return OBSERVATION_COLUMNS, [observation_row(m, o) for m, o in result.observations]


@csv_rows.register
def _(result: SideBySide) -> CsvTable:
    header = (*OBSERVATION_COLUMNS, "share_of_max")
    rows = [(*observation_row(r.metric, r.observation), _cell(r.share_of_max)) for r in result.rows]
    return header, rows


@csv_rows.register
def _(result: OverTime) -> CsvTable:
    header = (*OBSERVATION_COLUMNS, "previous_period", "change", "change_percent", "change_remark")
    rows = [
        (
            *observation_row(s.metric, p.observation),
            _cell(p.previous_period),
            _cell(p.change),
            _cell(p.change_percent),
            p.remark,
        )
        for s in result.series
        for p in s.points
    ]
    return header, rows


@csv_rows.register
def _(result: IndustryComparison) -> CsvTable:
    header = (
        "id",
        "name",
        "name_zh",
        "kind",
        "metrics",
        "companies",
        "headline_metric",
        "headline_value",
        "headline_unit",
        "headline_period",
        "headline_as_of",
        "headline_exactness",
        "headline_status",
    )
    rows = []
    for row in result.rows:
        metric, observation = row.headline if row.headline else (None, None)
        rows.append(
            (
                row.industry.id,
                row.industry.name,
                row.industry.name_zh,
                row.industry.kind.value,
                row.metrics,
                ";".join(c.id for c in row.companies),
                metric.id if metric else "",
                observation.value if observation else "",
                metric.unit.value if metric else "",
                (observation.period or "") if observation else "",
                (observation.as_of or "") if observation else "",
                observation.exactness.value if observation else "",
                observation.status.value if observation else "",
            )
        )
    return header, rows


@csv_rows.register
def _(result: Overview) -> CsvTable:
    # One row of raw values, like every other CSV: base units, ids, ISO dates.
    city = result.base.city
    header = ["name", "name_zh", "province", "province_zh"]
    row: list[Any] = [city.name, city.name_zh, city.province, city.province_zh]
    for prefix, pair in (("population", result.population), ("gdp", result.gdp)):
        header += [
            prefix,
            f"{prefix}_unit",
            f"{prefix}_period",
            f"{prefix}_exactness",
            f"{prefix}_status",
            f"{prefix}_sources",
        ]
        if pair is None:
            row += [""] * 6
        else:
            metric, observation = pair
            row += [
                observation.value,
                metric.unit.value,
                observation.when,
                observation.exactness.value,
                observation.status.value,
                ";".join(observation.sources),
            ]
    header += ["pillar_industries", "emerging_industries", "updated"]
    row += [";".join(i.id for i in result.pillars), ";".join(i.id for i in result.emerging), result.base.updated]
    return tuple(header), [tuple(row)]


@csv_rows.register
def _(result: ValidationReport) -> CsvTable:
    header = ("file", "line", "place", "message")
    return header, [(p.file, _cell(p.line), p.place, p.message) for p in result.problems]


# -- display sections ------------------------------------------------------


def _sources_cell(observation: Observation) -> str:
    return ", ".join(observation.sources)


def _status_cell(observation: Observation) -> str:
    return STATUS_LABELS[observation.status]


def _series_section(metric: Metric) -> Section:
    rows = tuple(
        (when(o), observation_value(o, metric.unit), _status_cell(o), _sources_cell(o), _note(o))
        for o in metric.observations
    )
    return Section(
        f"{metric.id} · {metric.label}",
        (
            Column("Period"),
            Column("Value", numeric=True),
            Column("Status"),
            Column("Source"),
            Column("Note", wrap=True),
        ),
        rows,
    )


def _note(observation: Observation) -> str:
    note = observation.note
    if observation.conversion is not None:
        conversion = observation.conversion
        converted = f"= {human_value(conversion.value, conversion.unit)} ({conversion.note or 'by the source'})"
        note = f"{note} {converted}".strip()
    return note


@singledispatch
def sections(result: object) -> list[Section]:
    """The display view: titled tables of human-readable cells."""
    raise TypeError(f"no table view for {type(result).__name__}")


@sections.register
def _(result: MetricsResult) -> list[Section]:
    if not result.index:
        return [_series_section(m) for m in result.metrics]
    rows = []
    for metric in result.metrics:
        latest = metric.latest
        rows.append(
            (
                metric.id,
                metric.label,
                observation_value(latest, metric.unit) if latest else "",
                ", ".join(x for x in (when(latest), _status_cell(latest)) if x) if latest else "",
            )
        )
    columns = (
        Column("Metric"),
        Column("Label", wrap=True, optional=True),
        Column("Latest", numeric=True),
        Column("Period"),
    )
    return [Section(f"Metrics ({len(rows)})", columns, tuple(rows))]


def _headline_cell(pair: tuple[Metric, Observation] | None) -> str:
    if pair is None:
        return ""
    metric, observation = pair
    return f"{metric.label}: {observation_value(observation, metric.unit)} ({when(observation)})"


@sections.register
def _(result: IndustriesResult) -> list[Section]:
    rows = tuple(
        (i.id, f"{i.name} {i.name_zh}".strip(), i.kind.value, _headline_cell(industry_headline(result.base, i)))
        for i in result.industries
    )
    columns = (Column("Id"), Column("Name", wrap=True), Column("Kind"), Column("Headline", wrap=True))
    return [Section(f"Industries ({len(rows)})", columns, rows)]


def _pairs_section(title: str, pairs: list[tuple[str, str]]) -> Section:
    return Section(title, (Column("Field"), Column("Value", wrap=True)), tuple(pairs))


@sections.register
def _(result: IndustryDetail) -> list[Section]:
    industry = result.industry
    pairs = [
        ("Id", industry.id),
        ("Name", industry.name),
        ("Chinese", industry.name_zh),
        ("Kind", industry.kind.value),
        ("Description", industry.description),
        ("Aliases", ", ".join(industry.aliases)),
        ("Sources", ", ".join(industry.sources)),
    ]
    out = [_pairs_section(industry.name, [(k, v) for k, v in pairs if v])]
    out += [_series_section(m) for m in result.metrics]
    if result.companies:
        out.append(
            Section(
                "Companies",
                (Column("Id"), Column("Name"), Column("Chinese"), Column("About", wrap=True), Column("Source")),
                tuple((c.id, c.name, c.name_zh, c.description, ", ".join(c.sources)) for c in result.companies),
            )
        )
    if result.facts:
        out.append(_facts_section("Facts", result.facts))
    out.append(_source_list_section(result.sources))
    return out


def _facts_section(title: str, facts: tuple[Fact, ...]) -> Section:
    rows = []
    for fact in facts:
        text = fact.text
        if fact.items:
            text += " " + "; ".join(f"{i.name} {i.name_zh}".strip() for i in fact.items)
        dated = fact.date or fact.period or (f"as of {fact.as_of}" if fact.as_of else "")
        rows.append((fact.id, fact.kind.value, dated, text, ", ".join(fact.sources)))
    columns = (Column("Fact"), Column("Kind"), Column("When"), Column("Text", wrap=True), Column("Source"))
    return Section(title, columns, tuple(rows))


def _source_list_section(sources: tuple[Source, ...]) -> Section:
    return Section(
        "Sources",
        (Column("Id"), Column("Citation", wrap=True)),
        tuple((s.id, citation(s)) for s in sources),
    )


@sections.register
def _(result: SearchResult) -> list[Section]:
    rows = tuple((h.kind, h.id, h.label, str(h.score)) for h in result.hits)
    columns = (Column("Kind"), Column("Id"), Column("Label", wrap=True), Column("Score", numeric=True))
    notes = () if rows else (f"Nothing matches {result.query!r}.",)
    return [Section(f"Search: {result.query} ({len(rows)})", columns, rows, notes)]


@sections.register
def _(result: SourcesResult) -> list[Section]:
    rows = tuple((u.source.id, u.source.publisher, u.source.date, u.source.title, str(u.total)) for u in result.uses)
    columns = (
        Column("Id"),
        Column("Publisher", wrap=True),
        Column("Date"),
        Column("Title", wrap=True),
        Column("Cited by", numeric=True),
    )
    return [Section(f"Sources ({len(rows)})", columns, rows)]


@sections.register
def _(result: SourceDetail) -> list[Section]:
    source = result.source
    pairs = [
        ("Id", source.id),
        ("Title", source.title),
        ("Publisher", source.publisher),
        ("Date", source.date),
        ("Authors", ", ".join(source.authors)),
        ("Address", source.url or ""),
        ("Note", source.note),
    ]
    out = [_pairs_section(source.id, [(k, v) for k, v in pairs if v])]
    if result.observations:
        rows = tuple((m.id, when(o), observation_value(o, m.unit), _status_cell(o)) for m, o in result.observations)
        out.append(
            Section(
                "Figures",
                (Column("Metric"), Column("Period"), Column("Value", numeric=True), Column("Status")),
                rows,
            )
        )
    if result.facts:
        out.append(_facts_section("Facts", result.facts))
    named = [*(f"industry {i.id}" for i in result.industries), *(f"company {c.id}" for c in result.companies)]
    notes = (f"Also names: {', '.join(named)}.",) if named else ()
    out.append(Section("Citation", (), (), (citation(source), *notes)))
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


@sections.register
def _(result: SideBySide) -> list[Section]:
    rows = tuple(
        (
            r.metric.id,
            observation_value(r.observation, r.metric.unit),
            when(r.observation),
            bar(r.share_of_max),
            _sources_cell(r.observation),
        )
        for r in result.rows
    )
    columns = (
        Column("Metric"),
        Column("Value", numeric=True),
        Column("Period"),
        Column("Bar"),
        Column("Source", wrap=True, optional=True),
    )
    notes = (
        ("Bars compare rows of the same unit and period only.",)
        if any(r.share_of_max is not None for r in result.rows)
        else ()
    )
    return [Section("Comparison", columns, rows, notes)]


@sections.register
def _(result: OverTime) -> list[Section]:
    out = []
    for s in result.series:
        rows = []
        for p in s.points:
            o = p.observation
            change = percent = ""
            remarks = [STATUS_LABELS[o.status]]
            if p.change is not None:
                change = ("≈ " if p.approximate else "") + signed(p.change, s.metric.unit)
                percent = percent_change(p.change_percent) if p.change_percent is not None else ""
                remarks.append(f"vs {p.previous_period}")
            else:
                remarks.append(p.remark)
            rows.append(
                (
                    when(o),
                    observation_value(o, s.metric.unit),
                    change,
                    percent,
                    "; ".join(r for r in remarks if r),
                    _sources_cell(o),
                )
            )
        columns = (
            Column("Period"),
            Column("Value", numeric=True),
            Column("Change", numeric=True),
            Column("%", numeric=True),
            Column("Note", wrap=True),
            Column("Source", wrap=True, optional=True),
        )
        out.append(Section(f"{s.metric.id} · {s.metric.label}", columns, tuple(rows)))
    return out


@sections.register
def _(result: IndustryComparison) -> list[Section]:
    rows = []
    for row in result.rows:
        headline = _headline_cell(row.headline)
        rows.append(
            (
                row.industry.id,
                f"{row.industry.name} {row.industry.name_zh}".strip(),
                row.industry.kind.value,
                str(row.metrics),
                ", ".join(c.name for c in row.companies),
                headline,
            )
        )
    columns = (
        Column("Industry"),
        Column("Name", wrap=True, optional=True),
        Column("Kind"),
        Column("Metrics", numeric=True),
        Column("Companies", wrap=True),
        Column("Headline", wrap=True),
    )
    return [Section("Industries compared", columns, tuple(rows))]


def _overview_pairs(result: Overview) -> list[tuple[str, str]]:
    city = result.base.city
    pairs = [
        ("City", f"{city.name} ({city.name_zh})"),
        ("Capital of", f"{city.province} ({city.province_zh})"),
    ]
    if result.population is not None:
        metric, observation = result.population
        pairs.append(
            (
                "Population",
                f"{observation_value(observation, metric.unit)} ({when(observation)}, "
                f"{', '.join(observation.sources)})",
            )
        )
    if result.gdp is not None:
        metric, observation = result.gdp
        status = STATUS_LABELS[observation.status]
        detail = ", ".join(x for x in (when(observation), status, ", ".join(observation.sources)) if x)
        pairs.append(("GDP", f"{observation_value(observation, metric.unit)} ({detail})"))
    pairs.append(("Pillar industries", ", ".join(i.name for i in result.pillars)))
    pairs.append(("Emerging industries", ", ".join(i.name for i in result.emerging)))
    pairs.append(("Fact base", f"updated {result.base.updated}"))
    return pairs


@sections.register
def _(result: Overview) -> list[Section]:
    notes = ("More: hohhot industries · hohhot metrics · hohhot search TEXT · hohhot --help",)
    return [
        Section(
            result.base.city.name, (Column("Field"), Column("Value", wrap=True)), tuple(_overview_pairs(result)), notes
        )
    ]


@sections.register
def _(result: ValidationReport) -> list[Section]:
    if result.valid and result.base is not None:
        counts = records(result)["counts"]  # type: ignore[call-overload]
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        return [Section(f"{result.file}: valid", (), (), (summary,))]
    count = len(result.problems)
    # One problem a line, compiler style (file:line: place: message), for people and grep alike.
    return [
        Section(
            f"{result.file}: {count} problem{'s' if count != 1 else ''}", (), (), tuple(str(p) for p in result.problems)
        )
    ]
