"""Questions asked of a :class:`FactBase`, answered with resolved results.

Each public function returns one of the types of :mod:`hohhot_cli.query.results`:
what is shown, with its sources resolved and its headlines computed, never the
base itself. Formatting is the renderers' job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from types import MappingProxyType

from hohhot_cli.model.errors import FactFileError, NotFoundError
from hohhot_cli.model.facts import (
    STATUS_PREFERENCE,
    City,
    Company,
    Exactness,
    Fact,
    FactBase,
    Industry,
    IndustryKind,
    Metric,
    Observation,
    Source,
    Status,
    Unit,
)
from hohhot_cli.model.periods import previous_comparable
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
    SeriesPoint,
    SideBySide,
    SideBySideRow,
    SourceDetail,
    SourcesResult,
    SourceUse,
    ValidationReport,
)
from hohhot_cli.query.selection import PeriodFilter, is_part_year, when

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from pathlib import Path

_NOT_SHOWN_AS_LATEST = (Status.TARGET, Status.OUTDATED)


def latest_observation(metric: Metric, any_period: bool = False) -> Observation | None:
    """The one definition of a metric's latest observation, used by every command.

    1. Outcomes only: a target or an outdated figure is never the latest while
       anything else exists. A metric made only of goals falls back to its most
       recent target (its records say ``"status": "target"``); outdated figures never.
    2. Full years first: when a metric has a full-year figure (or one dated by a day,
       a span of years or an ``as_of`` date), a half, quarter, month or year to date is
       not its latest; ``any_period`` lifts this rule.
    3. The newest: the figure whose period ends last (an ``as_of`` figure counts by its date).
    4. Of several for that period, the most final status (:data:`STATUS_PREFERENCE`),
       then the last in the file.
    """
    outcomes = [o for o in metric.observations if o.status not in _NOT_SHOWN_AS_LATEST]
    pool = outcomes or [o for o in metric.observations if o.status is Status.TARGET]
    if not pool:
        return None
    if not any_period:
        pool = [o for o in pool if not is_part_year(o)] or pool
    order = {id(o): n for n, o in enumerate(metric.observations)}

    def rank(o: Observation) -> tuple[date, date, int, int]:
        place = when(o)
        return (place.end, place.start, -STATUS_PREFERENCE.index(o.status), order[id(o)])

    return max(pool, key=rank)


def cited_by(base: FactBase, observations: Iterable[Observation], extra: Iterable[str] = ()) -> Cited:
    """The sources that ``observations`` (and the ids in ``extra``) cite, in file order."""
    wanted = set(extra)
    for observation in observations:
        wanted.update(observation.sources)
    return MappingProxyType({s.id: s for s in base.sources if s.id in wanted})


def suggest(query: str, candidates: list[str]) -> list[str]:
    """Up to three candidates close to ``query``: near spellings, then prefixes."""
    from difflib import get_close_matches  # only on the not-found path

    lowered = query.casefold()
    prefixed = [c for c in candidates if c.startswith(lowered) or lowered.startswith(c + ".")]
    # Near spellings share the first letter: difflib alone offers 'income' for 'nope'.
    close = [c for c in get_close_matches(lowered, candidates, n=3, cutoff=0.6) if c[:1] == lowered[:1]]
    suggestions: list[str] = []
    for candidate in close + prefixed:
        if candidate not in suggestions:
            suggestions.append(candidate)
    return suggestions[:3]


# -- metrics ---------------------------------------------------------------


def resolve_metrics(base: FactBase, query: str) -> tuple[Metric, ...]:
    """Metrics for one query: an exact id, an alias, or a topic prefix (``gdp``, ``gdp.value_added``).

    Raises :class:`NotFoundError` with the closest ids when nothing matches.
    """
    wanted = query.strip().casefold()
    exact = base.metric_by_id.get(wanted)
    if exact is not None:
        return (exact,)
    by_alias = [m for m in base.metrics if wanted in (a.casefold() for a in m.aliases)]
    prefixed = tuple(m for m in base.metrics if m.id.startswith(wanted + "."))
    if prefixed:
        return prefixed
    if by_alias:
        return tuple(by_alias)
    topics = sorted({m.topic for m in base.metrics})
    names = [m.id for m in base.metrics] + topics + [a.casefold() for m in base.metrics for a in m.aliases]
    raise NotFoundError("metric", query, suggest(wanted, names))


def _matching_metrics(base: FactBase, queries: list[str]) -> tuple[Metric, ...]:
    """Every metric matching any query, each once, in the order asked."""
    found: dict[str, Metric] = {}
    for query in queries:
        for metric in resolve_metrics(base, query):
            found.setdefault(metric.id, metric)
    return tuple(found.values())


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
) -> MetricsResult:
    metrics = tuple(filtered(m, selection) for m in metrics)
    latest = tuple(latest_observation(m, any_period) for m in metrics)
    cited = cited_by(base, (o for m in metrics for o in m.observations))
    return MetricsResult(metrics, latest, cited, index)


def find_metrics(
    base: FactBase,
    queries: list[str],
    latest: bool = False,
    selection: PeriodFilter = _NO_FILTER,
    any_period: bool = False,
) -> MetricsResult:
    """Every metric matching any query, each once, in the order asked; ``latest``: only its latest figure."""
    metrics = tuple(filtered(m, selection) for m in _matching_metrics(base, queries))
    if latest:
        metrics = tuple(_only_latest(m, any_period) for m in metrics)
    return _metrics_result(base, metrics, any_period=any_period)


def _only_latest(metric: Metric, any_period: bool = False) -> Metric:
    from hohhot_cli.model.value import replace

    latest = latest_observation(metric, any_period)
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
    return IndustrySummary(industry, tuple(m.id for m in metrics), companies, _headline(industry, metrics))


def _headline(industry: Industry, metrics: tuple[Metric, ...]) -> Figure | None:
    """An industry's headline figure: the latest observation of its first metric that has one.

    Metrics of the industry's own topic come first (``dairy.revenue`` for dairy), before
    those that only belong to it (a line of a city-wide table of output by industry).
    """
    for metric in sorted(metrics, key=lambda m: m.topic != industry.id):
        latest = latest_observation(metric)
        if latest is not None:
            return Figure(metric, latest)
    return None


def _headline_sources(base: FactBase, summaries: Iterable[IndustrySummary]) -> Cited:
    return cited_by(base, (s.headline.observation for s in summaries if s.headline is not None))


def list_industries(base: FactBase, kind: IndustryKind | None = None) -> IndustriesResult:
    """All industries, or those of one kind."""
    summaries = tuple(_summary(base, i) for i in base.industries if kind is None or i.kind is kind)
    return IndustriesResult(summaries, _headline_sources(base, summaries))


def industry_detail(base: FactBase, query: str) -> IndustryDetail:
    """One industry with its metrics, companies, facts and sources."""
    industry = get_industry(base, query)
    summary = _summary(base, industry)
    metrics = _industry_metrics(base, industry)
    facts = tuple(f for f in base.facts if f.industry == industry.id)
    named: list[str] = list(industry.sources)
    entries: list[Company | Fact] = [*summary.companies, *facts]
    for entry in entries:
        named.extend(entry.sources)
    cited = cited_by(base, (o for m in metrics for o in m.observations), named)
    return IndustryDetail(summary, metrics, facts, cited, tuple(latest_observation(m) for m in metrics))


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

_NO_BAR_UNITS = (Unit.RANK,)  # a smaller rank is better: a bar would mislead
# Rates, ranks and temperatures change by points, places and degrees: a percent of them means nothing.
_NO_RELATIVE_CHANGE = (
    Unit.PERCENT,
    Unit.PERCENTAGE_POINTS,
    Unit.PER_1000,
    Unit.PER_100,
    Unit.RANK,
    Unit.CELSIUS,
)
_SAME_BASIS = {
    Status.ACTUAL: "outcome",
    Status.REVISED: "outcome",
    Status.PRELIMINARY: "outcome",
    Status.FIRST_PUBLISHED: "first_published",
}


def compare_side_by_side(
    base: FactBase, queries: list[str], selection: PeriodFilter = _NO_FILTER, any_period: bool = False
) -> SideBySide:
    """The latest value of each metric named, with bars among rows of one unit and one period.

    A bar compares like with like only: a half year is not drawn against a full
    year, nor yuan against people, and ranks get none (smaller is better).
    """
    present = [
        Figure(m, o)
        for m in _matching_metrics(base, queries)
        if (o := latest_observation(filtered(m, selection), any_period)) is not None
    ]

    def scale(figure: Figure) -> tuple[Unit, str] | None:
        if figure.metric.unit in _NO_BAR_UNITS or figure.observation.value < 0:
            return None
        return (figure.metric.unit, figure.observation.dated)

    groups: dict[tuple[Unit, str], list[float]] = {}
    for figure in present:
        key = scale(figure)
        if key is not None:
            groups.setdefault(key, []).append(float(figure.observation.value))
    rows = []
    for figure in present:
        key = scale(figure)
        values = groups.get(key, []) if key is not None else []
        share = float(figure.observation.value) / max(values) if len(values) > 1 and max(values) > 0 else None
        rows.append(SideBySideRow(figure, share))
    return SideBySide(tuple(rows), cited_by(base, (f.observation for f in present)))


def series(metric: Metric) -> Series:
    """A metric over time with the change from each previous comparable period."""
    by_period: dict[str, list[Observation]] = {}
    for observation in metric.observations:
        if observation.period is not None and observation.status not in _NOT_SHOWN_AS_LATEST:
            by_period.setdefault(observation.period, []).append(observation)
    return Series(metric, tuple(_point(metric, o, by_period) for o in metric.observations))


def _point(metric: Metric, observation: Observation, by_period: dict[str, list[Observation]]) -> SeriesPoint:
    if observation.period is None or observation.status in _NOT_SHOWN_AS_LATEST:
        return SeriesPoint(observation, None, None, None, False, "")
    previous_period = previous_comparable(observation.period)
    candidates = by_period.get(previous_period, []) if previous_period else []
    if not candidates or previous_period is None:
        return SeriesPoint(observation, None, None, None, False, "")
    basis_now = _SAME_BASIS.get(observation.status)
    # Of several figures for the previous period (say as first published and revised),
    # the one on the same basis; failing that, the most final one, to say why not.
    same_basis = [c for c in candidates if basis_now is not None and _SAME_BASIS.get(c.status) == basis_now]
    previous = min(same_basis or candidates, key=lambda o: STATUS_PREFERENCE.index(o.status))
    if not same_basis:
        remark = f"not comparable with {previous_period} ({previous.status.value} vs {observation.status.value})"
        return SeriesPoint(observation, previous_period, None, None, False, remark)
    if previous.conflicts_with:  # two accounts of the previous period: no change from either
        remark = f"{previous_period} has conflicting figures: no change"
        return SeriesPoint(observation, previous_period, None, None, False, remark)
    bounds = (Exactness.LOWER_BOUND, Exactness.UPPER_BOUND)
    if observation.exactness in bounds or previous.exactness in bounds:
        return SeriesPoint(observation, previous_period, None, None, False, "a bound: no exact change")
    change = tidy(observation.value - previous.value)
    percent = None
    if metric.unit not in _NO_RELATIVE_CHANGE and previous.value != 0:
        percent = change / abs(previous.value) * 100
        # From a vanishingly small value there is no meaningful percent.
        percent = tidy(percent) if math.isfinite(percent) else None
    approximate = Exactness.APPROXIMATE in (observation.exactness, previous.exactness)
    return SeriesPoint(observation, previous_period, change, percent, approximate, "")


def tidy(number: int | float) -> int | float:
    """A computed number without float noise (-0.8, not -0.7999999999999998): 12 significant digits.

    The base's figures have a few significant digits each, so a difference of two
    of them loses nothing at twelve; tables print it as it is.
    """
    return number if isinstance(number, int) else float(f"{number:.12g}")


def compare_over_time(base: FactBase, query: str, selection: PeriodFilter = _NO_FILTER) -> OverTime:
    """Each metric matching ``query`` (an id or a topic) over time.

    Changes are computed on the whole series, then the filter keeps the points
    asked for: a change from a period the filter leaves out is still given.
    """
    metrics = resolve_metrics(base, query)
    shown = []
    for metric in metrics:
        whole = series(metric)
        shown.append(Series(metric, tuple(p for p in whole.points if selection.keeps(p.observation))))
    # Every source of the metrics: the notes under a table name figures the filter leaves out.
    return OverTime(tuple(shown), cited_by(base, (o for m in metrics for o in m.observations)))


# -- overview --------------------------------------------------------------


def overview(base: FactBase) -> Overview:
    """Name, province, the latest population and GDP (by :func:`latest_observation`), the industries."""
    population = None
    resident = base.metric_by_id.get("population.resident")
    if resident is not None and (latest := latest_observation(resident)) is not None:
        population = Figure(resident, latest)
    gdp = None
    total = base.metric_by_id.get("gdp.total")
    if total is not None and (latest := latest_observation(total)) is not None:
        gdp = Figure(total, latest)
    shown = [f.observation for f in (population, gdp) if f is not None]
    return Overview(
        base.city,
        base.updated,
        population,
        gdp,
        tuple(i for i in base.industries if i.kind is IndustryKind.PILLAR),
        tuple(i for i in base.industries if i.kind is IndustryKind.FUTURE),
        cited_by(base, shown),
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
        return ValidationReport(str(path), error.problems, None, strict=strict)
    counts = {
        "sources": len(base.sources),
        "industries": len(base.industries),
        "metrics": len(base.metrics),
        "observations": sum(len(m.observations) for m in base.metrics),
        "facts": len(base.facts),
        "companies": len(base.companies),
    }
    return ValidationReport(str(path), (), MappingProxyType(counts), tuple(lint(base)), strict)
