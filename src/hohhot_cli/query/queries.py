"""Questions asked of a :class:`FactBase`, answered with resolved results.

Each public function returns one of the types of :mod:`hohhot_cli.query.results`:
what is shown, with its sources resolved and its headlines computed, never the
base itself. Formatting is the renderers' job.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from hohhot_cli.model.errors import FactFileError, NotFoundError
from hohhot_cli.model.facts import (
    City,
    Company,
    Fact,
    FactBase,
    Industry,
    IndustryKind,
    Metric,
    Observation,
    Source,
    Status,
)
from hohhot_cli.query.changes import series
from hohhot_cli.query.latest import latest_observation
from hohhot_cli.query.lineup import line_up
from hohhot_cli.query.naming import Named, resolve, resolve_all, suggest
from hohhot_cli.query.results import (
    Cited,
    Figure,
    IndustriesResult,
    IndustryComparison,
    IndustryDetail,
    IndustrySummary,
    MetricsResult,
    OverTime,
    Overview,
    Series,
    SideBySide,
    SourceDetail,
    SourcesResult,
    SourceUse,
    ValidationReport,
)
from hohhot_cli.query.selection import PeriodFilter, when

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from pathlib import Path



def cited_by(base: FactBase, observations: Iterable[Observation], extra: Iterable[str] = ()) -> Cited:
    """The sources that ``observations`` (and the ids in ``extra``) cite, in file order."""
    wanted = set(extra)
    for observation in observations:
        wanted.update(observation.sources)
    return MappingProxyType({s.id: s for s in base.sources if s.id in wanted})


# -- metrics ---------------------------------------------------------------


_NO_FILTER = PeriodFilter()


def filtered(metric: Metric, selection: PeriodFilter) -> Metric:
    """The metric with only the observations the filter keeps (itself when no filter is given)."""
    if not selection.active:
        return metric
    from hohhot_cli.model.value import replace

    return replace(metric, observations=tuple(o for o in metric.observations if selection.keeps(o)))


def _metrics_result(
    base: FactBase,
    metrics: tuple[Metric, ...],
    index: bool = False,
    selection: PeriodFilter = _NO_FILTER,
    any_period: bool = False,
    named: tuple[Named, ...] = (),
) -> MetricsResult:
    metrics = tuple(filtered(m, selection) for m in metrics)
    latest = tuple(latest_observation(base, m, any_period) for m in metrics)
    cited = cited_by(base, (o for m in metrics for o in m.observations))
    return MetricsResult(metrics, latest, cited, index, tuple(n.moved for n in named))


def find_metrics(
    base: FactBase,
    queries: list[str],
    latest: bool = False,
    selection: PeriodFilter = _NO_FILTER,
    any_period: bool = False,
) -> MetricsResult:
    """Every metric any name leads to, each once, in the order asked; ``latest``: only its latest figure."""
    named = resolve_all(base, queries)
    metrics = tuple(filtered(n.shown(), selection) for n in named)
    if latest:
        metrics = tuple(_only_latest(base, m, any_period) for m in metrics)
    return _metrics_result(base, metrics, any_period=any_period, named=named)


def _only_latest(base: FactBase, metric: Metric, any_period: bool = False) -> Metric:
    from hohhot_cli.model.value import replace

    latest = latest_observation(base, metric, any_period)
    return replace(metric, observations=(latest,) if latest else ())


def list_metrics(
    base: FactBase,
    topic: str | None = None,
    industry: str | None = None,
    selection: PeriodFilter = _NO_FILTER,
    any_period: bool = False,
) -> MetricsResult:
    """The index of metrics, optionally of one topic or one industry."""
    metrics = base.metrics
    if topic is not None:
        wanted = topic.strip().casefold()
        metrics = tuple(m for m in metrics if m.id == wanted or m.id.startswith(wanted + "."))
        if not metrics:
            topics = sorted({m.topic for m in base.metrics})
            raise NotFoundError("topic", topic, suggest(wanted, topics))
    if industry is not None:
        found = get_industry(base, industry)
        metrics = tuple(m for m in metrics if m.industry == found.id)
    return _metrics_result(base, metrics, index=True, selection=selection, any_period=any_period)


# -- industries ------------------------------------------------------------


def get_industry(base: FactBase, query: str) -> Industry:
    """An industry by id or alias (English or Chinese name too)."""
    wanted = query.strip().casefold()
    found = base.industry_by_id.get(wanted)
    if found is not None:
        return found
    for industry in base.industries:
        names = {industry.name.casefold(), industry.name_zh.casefold()} | {a.casefold() for a in industry.aliases}
        if wanted in names:
            return industry
    known = [i.id for i in base.industries] + [a.casefold() for i in base.industries for a in i.aliases]
    raise NotFoundError("industry", query, suggest(wanted, known))


def _industry_metrics(base: FactBase, industry: Industry) -> tuple[Metric, ...]:
    return tuple(m for m in base.metrics if m.industry == industry.id)


def _summary(base: FactBase, industry: Industry) -> IndustrySummary:
    metrics = _industry_metrics(base, industry)
    companies = tuple(c for c in base.companies if c.industry == industry.id)
    return IndustrySummary(industry, tuple(m.id for m in metrics), companies, _headline(base, industry, metrics))


def _headline(base: FactBase, industry: Industry, metrics: tuple[Metric, ...]) -> Figure | None:
    """An industry's headline figure: the latest observation of its ``headline`` metric, where the file names one.

    Otherwise, or when that metric has no figure, the latest of its first metric that has one:
    metrics of the industry's own topic first (``dairy.revenue`` for dairy), before those that
    only belong to it (a line of a city-wide table of output by industry).
    """
    named = base.metric_by_id.get(industry.headline or "")
    ordered = sorted(metrics, key=lambda m: m.topic != industry.id)
    for metric in ([named] if named is not None else []) + ordered:
        latest = latest_observation(base, metric)
        if latest is not None:
            return Figure(metric, latest)
    return None


def _headline_sources(base: FactBase, summaries: Iterable[IndustrySummary]) -> Cited:
    return cited_by(base, (s.headline.observation for s in summaries if s.headline is not None))


def list_industries(base: FactBase, kind: IndustryKind | None = None) -> IndustriesResult:
    """All industries, or those of one kind."""
    summaries = tuple(_summary(base, i) for i in base.industries if kind is None or i.kind is kind)
    return IndustriesResult(summaries, _headline_sources(base, summaries))


NEWEST_LIMIT = 8
"""The most figures an industry's summary lists as its newest."""

NEWEST_YEARS = 3
"""An industry's newest figures end in the year of the base's ``updated`` date or in the three years before."""


def newest_figures(base: FactBase, figures: Iterable[Figure], limit: int = NEWEST_LIMIT) -> tuple[Figure, ...]:
    """Of the figures given (each metric's latest), the outcomes that end in the last few years, newest first.

    Newest is the period that ends last (an ``as_of`` figure counts by its date); of figures
    that end together, the first in the order given. Targets are not outcomes: they stay
    out, as do figures ending before the year :data:`NEWEST_YEARS` before the base's update.
    """
    since = f"{int(base.updated[:4]) - NEWEST_YEARS:04d}-01-01" if base.updated else ""
    recent = [f for f in figures if f.observation.status is not Status.TARGET]
    recent = [f for f in recent if when(f.observation).end.isoformat() >= since]
    ordered = sorted(enumerate(recent), key=lambda pair: (when(pair[1].observation).end, -pair[0]), reverse=True)
    return tuple(figure for _, figure in ordered[:limit])


def industry_detail(base: FactBase, query: str, full: bool = True) -> IndustryDetail:
    """One industry with its metrics, companies, facts and sources; ``full=False`` asks for its summary.

    Either way the result holds everything (JSON and CSV give it all) and the newest figures
    besides the headline (:func:`newest_figures`); a table of the summary shows only those,
    the headline, the companies and the facts.
    """
    industry = get_industry(base, query)
    summary = _summary(base, industry)
    metrics = _industry_metrics(base, industry)
    facts = tuple(f for f in base.facts if f.industry == industry.id)
    named: list[str] = list(industry.sources)
    entries: list[Company | Fact] = [*summary.companies, *facts]
    for entry in entries:
        named.extend(entry.sources)
    cited = cited_by(base, (o for m in metrics for o in m.observations), named)
    latest = tuple(latest_observation(base, m) for m in metrics)
    headline = summary.headline.metric.id if summary.headline is not None else None
    figures = (Figure(m, o) for m, o in zip(metrics, latest, strict=True) if o is not None and m.id != headline)
    return IndustryDetail(summary, metrics, facts, cited, latest, newest_figures(base, figures), full)


def compare_industries(base: FactBase, queries: list[str]) -> IndustryComparison:
    """Industries side by side: kind, metrics, companies and a headline figure."""
    industries = [get_industry(base, q) for q in queries] if queries else list(base.industries)
    summaries = tuple(_summary(base, i) for i in dict.fromkeys(industries))
    return IndustryComparison(summaries, _headline_sources(base, summaries))


# -- sources ---------------------------------------------------------------


def _citing_counts(base: FactBase) -> dict[str, tuple[int, int]]:
    counts = {s.id: [0, 0] for s in base.sources}
    for metric in base.metrics:
        for observation in metric.observations:
            for ref in observation.sources:
                counts[ref][0] += 1
    entries: list[Fact | Industry | Company | City] = [*base.facts, *base.industries, *base.companies, base.city]
    for entry in entries:
        for ref in entry.sources:
            counts[ref][1] += 1
    return {key: (value[0], value[1]) for key, value in counts.items()}


def list_sources(base: FactBase) -> SourcesResult:
    """Every source with how many entries cite it."""
    counts = _citing_counts(base)
    return SourcesResult(tuple(SourceUse(s, *counts[s.id]) for s in base.sources))


def get_source(base: FactBase, query: str) -> Source:
    """A source by id."""
    wanted = query.strip().casefold()
    found = base.source_by_id.get(wanted)
    if found is None:
        raise NotFoundError("source", query, suggest(wanted, [s.id for s in base.sources]))
    return found


def source_detail(base: FactBase, query: str) -> SourceDetail:
    """One source and everything that cites it."""
    source = get_source(base, query)
    figures = tuple(
        Figure(metric, observation)
        for metric in base.metrics
        for observation in metric.observations
        if source.id in observation.sources
    )
    return SourceDetail(
        source,
        figures,
        tuple(f for f in base.facts if source.id in f.sources),
        tuple(i for i in base.industries if source.id in i.sources),
        tuple(c for c in base.companies if source.id in c.sources),
        cited_by(base, (f.observation for f in figures)),
    )


# -- comparisons -----------------------------------------------------------


def compare_side_by_side(
    base: FactBase, queries: list[str], selection: PeriodFilter = _NO_FILTER, any_period: bool = False
) -> SideBySide:
    """The metrics named, lined up on one period (see :mod:`hohhot_cli.query.lineup`), with bars within a unit."""
    named = resolve_all(base, queries)
    cited = cited_by(base, (o for n in named for o in n.shown().observations))
    result = line_up(base, named, cited, selection, any_period)
    shown = [row.observation for row in result.rows if row.observation is not None]
    return SideBySide(result.rows, cited_by(base, shown), result.compared, result.asked)


def compare_over_time(base: FactBase, query: str, selection: PeriodFilter = _NO_FILTER) -> OverTime:
    """Each metric a name leads to (an id, a topic, a ref) over time.

    Changes are computed on the whole series (:func:`hohhot_cli.query.changes.series`), then
    the filter (and a ref) keeps the points asked for: a change from a period left out is still given.
    """
    shown = []
    for named in resolve(base, query):
        whole = series(base, named.metric)
        kept = tuple(
            p
            for p in whole.points
            if selection.keeps(p.observation) and (named.refs is None or p.observation.ref in named.refs)
        )
        shown.append(Series(named.metric, kept, named.moved))
    observations = [o for s in shown for o in s.metric.observations]
    reported = [p.reported.observation for s in shown for p in s.points if p.reported is not None]
    # Every source of the metrics: the notes under a table name figures the filter leaves out.
    return OverTime(tuple(shown), cited_by(base, [*observations, *reported]))


# -- overview --------------------------------------------------------------


DEFAULT_HEADLINES = ("population.resident", "gdp.total")
"""The overview's headline metrics of a base that names none (no ``[overview]`` table)."""


def _latest_figure(base: FactBase, metric_id: str) -> Figure | None:
    metric = base.metric_by_id.get(metric_id)
    latest = None if metric is None else latest_observation(base, metric)
    return None if metric is None or latest is None else Figure(metric, latest)


def overview(base: FactBase) -> Overview:
    """Name, province, the latest figure of each headline metric (by :func:`latest_observation`), the industries.

    The headline metrics are those the base names (``[overview]``), else population and GDP;
    a metric without a figure to show is left out.
    """
    headlines = tuple(f for f in (_latest_figure(base, i) for i in base.headlines or DEFAULT_HEADLINES) if f)
    population = _latest_figure(base, "population.resident")
    gdp = _latest_figure(base, "gdp.total")
    shown = [f.observation for f in (*headlines, population, gdp) if f is not None]
    return Overview(
        base.city,
        base.updated,
        population,
        gdp,
        tuple(i for i in base.industries if i.kind is IndustryKind.PILLAR),
        tuple(i for i in base.industries if i.kind is IndustryKind.FUTURE),
        cited_by(base, shown),
        headlines,
    )


# -- validation ------------------------------------------------------------


def validate_file(path: Path | str, strict: bool = False, data: bytes | None = None) -> ValidationReport:
    """Parse a fact file afresh (never from a snapshot or a cache); report every problem, or the counts and warnings.

    ``data``: the file's bytes, already read (standard input); ``path`` then only names it.
    """
    from hohhot_cli.load.lint import lint
    from hohhot_cli.load.loader import parse_facts
    from hohhot_cli.load.reading import read_bytes

    try:
        base = parse_facts(read_bytes(path) if data is None else data, str(path))
    except FactFileError as error:
        return ValidationReport(str(path), error.problems, None, strict=strict, omitted=error.omitted)
    counts = {
        "sources": len(base.sources),
        "industries": len(base.industries),
        "metrics": len(base.metrics),
        "observations": sum(len(m.observations) for m in base.metrics),
        "facts": len(base.facts),
        "companies": len(base.companies),
    }
    return ValidationReport(str(path), (), MappingProxyType(counts), tuple(lint(base)), strict)
