"""The JSON view of every result: records of raw values (base units, ISO strings).

A list result becomes a list of records, a detail view one record. The JSON and
JSONL renderers encode these; the CSV view flattens them where it has no shape
of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from hohhot_cli.model.errors import Problem
from hohhot_cli.model.facts import Company, Fact, Metric, Observation, Source
from hohhot_cli.model.periods import parse_date, parse_period
from hohhot_cli.output.humanize import citation
from hohhot_cli.query.changes_log import ChangesResult
from hohhot_cli.query.results import (
    Cited,
    CompanyDetail,
    FactDetail,
    Figure,
    FigureDetail,
    IndustriesResult,
    IndustryComparison,
    IndustryDetail,
    IndustrySummary,
    MetricsResult,
    Moved,
    OverTime,
    Overview,
    SearchResult,
    SeriesPoint,
    SideBySide,
    SourceDetail,
    SourcesResult,
    ValidationReport,
    WithCitations,
)

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from typing import Any, TypeAlias

Record: TypeAlias = "dict[str, Any]"  # a string: typing is not imported at run time

FORMAT_VERSION = "4.1"
"""The version of the JSON and CSV shapes and of the export (see README, "Scripts").

The major number changes when a key is removed or renamed or changes its type or
meaning; the minor number when a key or a record type is added.
"""


def period_fields(period: str | None, as_of: str | None) -> Record:
    """``period_start``, ``period_end`` and ``period_kind`` of a period, else of an ``as_of`` date."""
    if period is not None:
        span = parse_period(period)
        return {
            "period_start": span.start.isoformat(),
            "period_end": span.end.isoformat(),
            "period_kind": span.granularity,
        }
    if as_of is not None:
        span = parse_date(as_of)
        return {"period_start": span.start.isoformat(), "period_end": span.end.isoformat(), "period_kind": "as_of"}
    return {"period_start": None, "period_end": None, "period_kind": None}


def source_record(source: Source) -> Record:
    """A source."""
    return {
        "id": source.id,
        "publisher": source.publisher,
        "title": source.title,
        "date": source.date,
        "authors": list(source.authors),
        "url": source.url,
        "note": source.note,
        "kind": None if source.kind is None else source.kind.value,
        "undated": source.undated,
        "read_at": source.read_at,
        "reprinted_by": source.reprinted_by or None,
        "checked": source.checked,
    }


def observation_record(cited: Cited, observation: Observation) -> Record:
    """An observation, its sources spelled out."""
    conversion = observation.conversion
    return {
        "value": observation.value,
        "period": observation.period,
        **period_fields(observation.period, observation.as_of),
        "as_of": observation.as_of,
        "exactness": observation.exactness.value,
        "status": observation.status.value,
        "status_basis": observation.status_basis or None,
        "note": observation.note,
        "converted": None
        if conversion is None
        else {"value": conversion.value, "unit": conversion.unit.value, "note": conversion.note},
        "sources": [source_record(cited[ref]) for ref in observation.sources],
        "ref": observation.ref,
        "supersedes": list(observation.supersedes),
        "superseded_by": list(observation.superseded_by),
        "conflicts_with": list(observation.conflicts_with),
        "added": observation.added,
    }


def moved_record(moved: Moved | None) -> Record | None:
    """The old id or ref a query named and its new place, or None."""
    return None if moved is None else {"old": moved.old, "new": moved.new}


def metric_record(cited: Cited, metric: Metric, latest: Observation | None, moved: Moved | None = None) -> Record:
    """A metric with its latest observation and all its observations shown."""
    return {
        "id": metric.id,
        "label": metric.label,
        "label_zh": metric.label_zh,
        "topic": metric.topic,
        "unit": metric.unit.value,
        "measure": metric.measure.value,
        "among": metric.among,
        "aims_at": metric.aims_at,
        "moved_from": list(metric.moved_from),
        "moved": moved_record(moved),
        "industry": metric.industry,
        "description": metric.description,
        "aliases": list(metric.aliases),
        "tags": list(metric.tags),
        "observation_count": len(metric.observations),
        "latest": None if latest is None else observation_record(cited, latest),
        "observations": [observation_record(cited, o) for o in metric.observations],
    }


def figure_record(cited: Cited, figure: Figure) -> Record:
    """One observation with its metric's id (``metric``), label and unit in front."""
    metric = figure.metric
    return {
        "metric": metric.id,
        "label": metric.label,
        "unit": metric.unit.value,
        **observation_record(cited, figure.observation),
    }


def fact_record(fact: Fact) -> Record:
    """A fact."""
    return {
        "id": fact.id,
        "topic": fact.topic,
        "kind": fact.kind.value,
        "label": fact.label,
        "text": fact.text,
        "items": [{"name": i.name, "name_zh": i.name_zh, "note": i.note} for i in fact.items],
        "date": fact.date,
        "period": fact.period,
        **period_fields(fact.period, fact.as_of),
        "as_of": fact.as_of,
        "industry": fact.industry,
        "tags": list(fact.tags),
        "source_ids": list(fact.sources),
        "conflicts_with": [fact.conflicts_with] if fact.conflicts_with else [],
        "added": fact.added,
    }


def company_record(company: Company) -> Record:
    """A company."""
    return {
        "id": company.id,
        "name": company.name,
        "name_zh": company.name_zh,
        "industry": company.industry,
        "description": company.description,
        "source_ids": list(company.sources),
    }


def industry_record(cited: Cited, summary: IndustrySummary) -> Record:
    """An industry, with the ids of what belongs to it and its headline figure."""
    industry = summary.industry
    return {
        "id": industry.id,
        "name": industry.name,
        "name_zh": industry.name_zh,
        "kind": industry.kind.value,
        "description": industry.description,
        "aliases": list(industry.aliases),
        "metric_ids": list(summary.metric_ids),
        "company_ids": [c.id for c in summary.companies],
        "source_ids": list(industry.sources),
        "headline": _headline(cited, summary.headline),
    }


def _headline(cited: Cited, figure: Figure | None) -> Record | None:
    return None if figure is None else figure_record(cited, figure)


def metrics_records(result: MetricsResult) -> list[Record]:
    """``metric`` and ``metrics``: every metric with all its observations shown."""
    return [
        metric_record(result.cited, m, latest, result.moved_of(index))
        for index, (m, latest) in enumerate(zip(result.metrics, result.latest, strict=True))
    ]


def industries_records(result: IndustriesResult) -> list[Record]:
    """``industries``."""
    return [industry_record(result.cited, s) for s in result.industries]


def industry_detail_record(result: IndustryDetail) -> Record:
    """``industries ID``: the industry with its metrics, companies, facts and sources in full."""
    return {
        **industry_record(result.cited, result.summary),
        "metrics": [
            metric_record(result.cited, m, latest) for m, latest in zip(result.metrics, result.latest, strict=True)
        ],
        "companies": [company_record(c) for c in result.summary.companies],
        "facts": [fact_record(f) for f in result.facts],
        "sources": [source_record(s) for s in result.cited.values()],
        "newest": [figure_record(result.cited, f) for f in result.newest],
    }


def search_records(result: SearchResult) -> list[Record]:
    """``search``: the hits, best first; a metric's and a figure's with the metric's latest figure."""
    return [
        {
            "kind": h.kind,
            "id": h.id,
            "label": h.label,
            "text": h.text,
            "score": h.score,
            "matched": list(h.matched),
            "latest": None if h.latest is None else figure_record(result.cited, h.latest),
            "figure": None if h.figure is None else figure_record(result.cited, h.figure),
        }
        for h in result.hits
    ]


def sources_records(result: SourcesResult) -> list[Record]:
    """``sources``: each source with how much cites it."""
    return [
        {
            **source_record(u.source),
            "observation_count": u.observations,
            "entry_count": u.facts,
            "citation_count": u.total,
        }
        for u in result.uses
    ]


def source_detail_record(result: SourceDetail) -> Record:
    """``sources ID``: the source, its citation and everything it supports."""
    return {
        **source_record(result.source),
        "citation": citation(result.source),
        "observations": [figure_record(result.cited, f) for f in result.figures],
        "facts": [fact_record(f) for f in result.facts],
        "industry_ids": [i.id for i in result.industries],
        "company_ids": [c.id for c in result.companies],
    }


def compared_fields(compared: str | None) -> Record:
    """``compared_period`` and ``compared_as_of``: what a side-by-side comparison lines its rows up on."""
    if compared is not None and compared.startswith("as-of-"):
        return {"compared_period": None, "compared_as_of": compared.removeprefix("as-of-")}
    return {"compared_period": compared, "compared_as_of": None}


def side_by_side_records(result: SideBySide) -> list[Record]:
    """``compare ID ID ...``: each metric with its figure for the one period compared (null: it has none)."""
    return [
        {
            "metric": row.metric.id,
            "label": row.metric.label,
            "unit": row.metric.unit.value,
            "measure": row.metric.measure.value,
            "among": row.metric.among,
            **compared_fields(result.compared),
            "observation": None if row.observation is None else observation_record(result.cited, row.observation),
            "share_of_max": row.share_of_max,
            "moved": moved_record(row.moved),
        }
        for row in result.rows
    ]


def over_time_records(result: OverTime) -> list[Record]:
    """``compare ID``: each metric's observations with the computed changes."""
    return [
        {
            "id": s.metric.id,
            "label": s.metric.label,
            "unit": s.metric.unit.value,
            "measure": s.metric.measure.value,
            "moved": moved_record(s.moved),
            "observations": [_point_record(result.cited, p) for p in s.points],
        }
        for s in result.series
    ]


def _point_record(cited: Cited, point: SeriesPoint) -> Record:
    return {
        **observation_record(cited, point.observation),
        "previous_period": point.previous_period,
        "change": None
        if point.change is None
        else {
            "value": point.change,
            "percent": point.change_percent,
            "approximate": point.approximate,
            "computed": True,
        },
        "change_refused": point.refused,
        "reported_rate": None if point.reported is None else figure_record(cited, point.reported),
    }


def industry_comparison_records(result: IndustryComparison) -> list[Record]:
    """``compare --industries``: industry records, as ``industries`` gives them."""
    return [industry_record(result.cited, row) for row in result.rows]


def overview_record(result: Overview) -> Record:
    """The bare ``hohhot``: the city at a glance."""
    city = result.city
    return {
        "name": city.name,
        "name_zh": city.name_zh,
        "province": city.province,
        "province_zh": city.province_zh,
        "population": _headline(result.cited, result.population),
        "gdp": _headline(result.cited, result.gdp),
        "headlines": [figure_record(result.cited, f) for f in result.headlines],
        "pillar_industry_ids": [i.id for i in result.pillars],
        "future_industry_ids": [i.id for i in result.future],
        "source_ids": list(city.sources),
        "updated": result.updated,
    }


def validation_record(result: ValidationReport) -> Record:
    """``validate``: the problems, or the counts of a valid file."""
    return {
        "file": result.file,
        "valid": result.valid,
        "problems": [_problem_record(p) for p in result.problems],
        "warnings": [_problem_record(p) for p in result.warnings],
        "counts": None if result.counts is None else {_COUNT_NAMES[k]: v for k, v in result.counts.items()},
    }


_COUNT_NAMES = {
    "sources": "source_count",
    "industries": "industry_count",
    "metrics": "metric_count",
    "observations": "observation_count",
    "facts": "fact_count",
    "companies": "company_count",
}


def _problem_record(problem: Problem) -> Record:
    return {"file": problem.file, "line": problem.line, "place": problem.place, "message": problem.message}


RECORDS: dict[type, Callable[[Any], Record | list[Record]]] = {
    MetricsResult: metrics_records,
    IndustriesResult: industries_records,
    IndustryDetail: industry_detail_record,
    SearchResult: search_records,
    SourcesResult: sources_records,
    SourceDetail: source_detail_record,
    SideBySide: side_by_side_records,
    OverTime: over_time_records,
    IndustryComparison: industry_comparison_records,
    Overview: overview_record,
    ValidationReport: validation_record,
}
"""The record function of each result type."""


def fact_detail_record(result: FactDetail) -> Record:
    """``show FACT``: the fact with its sources in full."""
    return {**fact_record(result.fact), "sources": [source_record(s) for s in result.cited.values()]}


def company_detail_record(result: CompanyDetail) -> Record:
    """``show COMPANY``: the company with its sources in full."""
    return {**company_record(result.company), "sources": [source_record(s) for s in result.cited.values()]}


def _changes_records(result: ChangesResult) -> list[Record]:
    from hohhot_cli.output.changes_view import changes_records  # this command only

    return changes_records(result, source_record)


RECORDS[FactDetail] = fact_detail_record
RECORDS[FigureDetail] = lambda result: {  # show REF
    **figure_record(result.cited, result.figure),
    "moved": moved_record(result.moved),
}
RECORDS[ChangesResult] = _changes_records
RECORDS[CompanyDetail] = company_detail_record
RECORDS[WithCitations] = lambda view: records(view.result)  # JSON records carry their sources already


def records(result: object) -> Record | list[Record]:
    """The JSON view of a result: a list of records, or one record for a detail view."""
    try:
        view = RECORDS[type(result)]
    except KeyError:
        raise TypeError(f"no JSON view for {type(result).__name__}") from None
    return view(result)
