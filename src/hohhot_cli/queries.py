"""Questions asked of a :class:`FactBase`; answers are model objects, never strings.

Each public function returns one of the result dataclasses below, which the
renderers know how to turn into tables, JSON, JSONL, CSV or Markdown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hohhot_cli.errors import NotFoundError, Problem
from hohhot_cli.model import (
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
from hohhot_cli.periods import parse_period, previous_comparable

# -- results ---------------------------------------------------------------

# Results are short-lived containers handed straight to a renderer: frozen, but
# without generated __eq__ and __repr__, which would only add start-up time
# (every command loads this module).


@dataclass(frozen=True, eq=False, repr=False)
class MetricsResult:
    """Metrics with their observations; ``index`` asks tables for one line per metric."""

    base: FactBase
    """The base the metrics come from (to resolve source ids)."""
    metrics: tuple[Metric, ...]
    """The metrics, observations possibly cut to the latest."""
    index: bool = False
    """True for the ``metrics`` index: tables show the latest value only."""


@dataclass(frozen=True, eq=False, repr=False)
class IndustriesResult:
    """A list of industries."""

    base: FactBase
    """The base they come from."""
    industries: tuple[Industry, ...]
    """The industries, in file order."""


@dataclass(frozen=True, eq=False, repr=False)
class IndustryDetail:
    """One industry with everything that belongs to it."""

    base: FactBase
    """The base it comes from."""
    industry: Industry
    """The industry."""
    metrics: tuple[Metric, ...]
    """Its metrics."""
    companies: tuple[Company, ...]
    """Its companies."""
    facts: tuple[Fact, ...]
    """Facts tied to it."""
    sources: tuple[Source, ...]
    """Every source cited by the above, in file order."""


@dataclass(frozen=True, eq=False, repr=False)
class SearchHit:
    """One search match."""

    kind: str
    """``metric``, ``industry``, ``fact``, ``company`` or ``source``."""
    id: str
    """Its id."""
    label: str
    """Its label, name or title."""
    score: int
    """Relevance; higher is better."""
    matched: tuple[str, ...]
    """Names of the fields that matched."""


@dataclass(frozen=True, eq=False, repr=False)
class SearchResult:
    """Search matches, best first."""

    query: str
    """The text searched for."""
    hits: tuple[SearchHit, ...]
    """The matches; empty when nothing matched."""


@dataclass(frozen=True, eq=False, repr=False)
class SourceUse:
    """A source and how many entries cite it."""

    source: Source
    """The source."""
    observations: int
    """Observations citing it."""
    facts: int
    """Facts, industries, companies and the city entry citing it."""

    @property
    def total(self) -> int:
        """Everything that cites it."""
        return self.observations + self.facts


@dataclass(frozen=True, eq=False, repr=False)
class SourcesResult:
    """All sources with how much each supports."""

    uses: tuple[SourceUse, ...]
    """In file order."""


@dataclass(frozen=True, eq=False, repr=False)
class SourceDetail:
    """One source and everything it supports."""

    base: FactBase
    """The base it comes from."""
    source: Source
    """The source."""
    observations: tuple[tuple[Metric, Observation], ...]
    """Each observation that cites it, with its metric."""
    facts: tuple[Fact, ...]
    """Facts citing it."""
    industries: tuple[Industry, ...]
    """Industries citing it."""
    companies: tuple[Company, ...]
    """Companies citing it."""


@dataclass(frozen=True, eq=False, repr=False)
class SideBySideRow:
    """One metric's latest observation in a side-by-side comparison."""

    metric: Metric
    """The metric."""
    observation: Observation
    """Its latest observation."""
    share_of_max: float | None
    """Value over the largest value of the same unit (0..1), for a bar; None for no bar."""


@dataclass(frozen=True, eq=False, repr=False)
class SideBySide:
    """Several metrics side by side."""

    base: FactBase
    """The base they come from."""
    rows: tuple[SideBySideRow, ...]
    """In the order asked."""


@dataclass(frozen=True, eq=False, repr=False)
class SeriesPoint:
    """One observation of a series, with the change from the previous comparable period."""

    observation: Observation
    """The observation."""
    previous_period: str | None
    """The period the change is measured from, when there is one."""
    change: float | None
    """Absolute change in the metric's unit (percentage points for percent)."""
    change_percent: float | None
    """Relative change, in percent."""
    approximate: bool
    """True when either value is approximate, so the change is too."""
    remark: str
    """Why no change is given, when that is not obvious (a bound, a revision, a target)."""


@dataclass(frozen=True, eq=False, repr=False)
class Series:
    """One metric over time."""

    metric: Metric
    """The metric."""
    points: tuple[SeriesPoint, ...]
    """In chronological order."""


@dataclass(frozen=True, eq=False, repr=False)
class OverTime:
    """One or more metrics, each over time."""

    base: FactBase
    """The base they come from."""
    series: tuple[Series, ...]
    """One per metric."""


@dataclass(frozen=True, eq=False, repr=False)
class IndustryComparisonRow:
    """One industry in a side-by-side comparison."""

    industry: Industry
    """The industry."""
    metrics: int
    """How many metrics belong to it."""
    companies: tuple[Company, ...]
    """Its companies."""
    headline: tuple[Metric, Observation] | None
    """Its first metric's latest observation, if any."""


@dataclass(frozen=True, eq=False, repr=False)
class IndustryComparison:
    """Industries side by side."""

    base: FactBase
    """The base they come from."""
    rows: tuple[IndustryComparisonRow, ...]
    """In the order asked (all when none were named)."""


@dataclass(frozen=True, eq=False, repr=False)
class Overview:
    """The city at a glance."""

    base: FactBase
    """The base it comes from."""
    population: tuple[Metric, Observation] | None
    """Latest resident population."""
    gdp: tuple[Metric, Observation] | None
    """Latest full-year GDP."""
    pillars: tuple[Industry, ...]
    """The pillar industries."""
    emerging: tuple[Industry, ...]
    """The emerging industries."""


@dataclass(frozen=True, eq=False, repr=False)
class ValidationReport:
    """The outcome of validating a fact file."""

    file: str
    """The file checked."""
    problems: tuple[Problem, ...]
    """Every problem found; empty when valid."""
    base: FactBase | None
    """The loaded base when valid."""

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# -- metrics ---------------------------------------------------------------


def _suggest(query: str, candidates: list[str]) -> list[str]:
    from difflib import get_close_matches  # only on the not-found path

    lowered = query.casefold()
    prefixed = [c for c in candidates if c.startswith(lowered) or lowered.startswith(c + ".")]
    close = get_close_matches(lowered, candidates, n=3, cutoff=0.6)
    suggestions: list[str] = []
    for candidate in close + prefixed:
        if candidate not in suggestions:
            suggestions.append(candidate)
    return suggestions[:3]


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
    raise NotFoundError("metric", query, _suggest(wanted, names))


def find_metrics(base: FactBase, queries: list[str], latest: bool = False) -> MetricsResult:
    """Every metric matching any query, each once, in the order asked."""
    found: dict[str, Metric] = {}
    for query in queries:
        for metric in resolve_metrics(base, query):
            found.setdefault(metric.id, metric)
    metrics = tuple(found.values())
    if latest:
        metrics = tuple(_only_latest(m) for m in metrics)
    return MetricsResult(base, metrics)


def _only_latest(metric: Metric) -> Metric:
    from dataclasses import replace

    latest = metric.latest
    return replace(metric, observations=(latest,) if latest else ())


def list_metrics(base: FactBase, topic: str | None = None, industry: str | None = None) -> MetricsResult:
    """The index of metrics, optionally of one topic or one industry."""
    metrics = base.metrics
    if topic is not None:
        wanted = topic.strip().casefold()
        metrics = tuple(m for m in metrics if m.id == wanted or m.id.startswith(wanted + "."))
        if not metrics:
            topics = sorted({m.topic for m in base.metrics})
            raise NotFoundError("topic", topic, _suggest(wanted, topics))
    if industry is not None:
        found = get_industry(base, industry)
        metrics = tuple(m for m in metrics if m.industry == found.id)
    return MetricsResult(base, metrics, index=True)


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
    raise NotFoundError("industry", query, _suggest(wanted, known))


def list_industries(base: FactBase, kind: IndustryKind | None = None) -> IndustriesResult:
    """All industries, or those of one kind."""
    return IndustriesResult(base, tuple(i for i in base.industries if kind is None or i.kind is kind))


def industry_detail(base: FactBase, query: str) -> IndustryDetail:
    """One industry with its metrics, companies, facts and sources."""
    industry = get_industry(base, query)
    metrics = tuple(m for m in base.metrics if m.industry == industry.id)
    companies = tuple(c for c in base.companies if c.industry == industry.id)
    facts = tuple(f for f in base.facts if f.industry == industry.id)
    cited: set[str] = set(industry.sources)
    for metric in metrics:
        for observation in metric.observations:
            cited.update(observation.sources)
    sourced: list[Company | Fact] = [*companies, *facts]
    for entry in sourced:
        cited.update(entry.sources)
    sources = tuple(s for s in base.sources if s.id in cited)
    return IndustryDetail(base, industry, metrics, companies, facts, sources)


# -- search ----------------------------------------------------------------

_KIND_ORDER = {"metric": 0, "industry": 1, "company": 2, "fact": 3, "source": 4}


def search(base: FactBase, text: str) -> SearchResult:
    """Metrics, industries, companies, facts and sources matching ``text``, best first.

    Every word must match somewhere in the entry, case-insensitively. A Latin word
    matches the start of a word in a field ("capital" finds "capitals", "ai" does
    not find "dairy"); Chinese, written without spaces, matches anywhere. A word
    equal to a whole field counts three times a partial match; ids, names and
    aliases count more than tags, and tags more than descriptions. An entry whose
    id, name or alias is the whole query comes first.
    """
    import re

    query = " ".join(text.casefold().split())
    words = query.split()
    if not words:
        return SearchResult(text, ())
    patterns = [
        re.compile(re.escape(word) if not word.isascii() else rf"(?<![0-9a-z]){re.escape(word)}") for word in words
    ]
    hits: list[SearchHit] = []
    for kind, entry_id, label, fields in _searchable(base):
        score = 0
        matched: list[str] = []
        for word, pattern in zip(words, patterns, strict=True):
            best = 0
            for field_name, weight, values in fields:
                for value in values:
                    folded = value.casefold()
                    if word == folded:
                        gain = weight * 3
                    elif pattern.search(folded):
                        gain = weight
                    else:
                        continue
                    best = max(best, gain)
                    if field_name not in matched:
                        matched.append(field_name)
            if best == 0:
                break
            score += best
        else:
            names = [v.casefold() for name, _, values in fields if name in _NAME_FIELDS for v in values]
            if query in names or query == entry_id:
                score += 50
            elif len(words) > 1 and any(query in v.casefold() for _, _, values in fields for v in values):
                score += 5
            hits.append(SearchHit(kind, entry_id, label, score, tuple(matched)))
    hits.sort(key=lambda h: (-h.score, _KIND_ORDER[h.kind], h.id))
    return SearchResult(text, tuple(hits))


_NAME_FIELDS = ("label", "name", "aliases", "title")


_Fields = list[tuple[str, int, tuple[str, ...]]]


def _searchable(base: FactBase) -> list[tuple[str, str, str, _Fields]]:
    entries: list[tuple[str, str, str, _Fields]] = []
    for m in base.metrics:
        entries.append(
            (
                "metric",
                m.id,
                m.label,
                [
                    ("id", 10, (m.id, *m.id.split("."))),
                    ("label", 6, (m.label,)),
                    ("aliases", 6, m.aliases),
                    ("tags", 3, m.tags),
                    ("description", 1, (m.description, *(o.note for o in m.observations))),
                ],
            )
        )
    for i in base.industries:
        entries.append(
            (
                "industry",
                i.id,
                i.name,
                [
                    ("id", 10, (i.id,)),
                    ("name", 8, (i.name, i.name_zh)),
                    ("aliases", 6, i.aliases),
                    ("kind", 2, (i.kind.value,)),
                    ("description", 1, (i.description,)),
                ],
            )
        )
    for c in base.companies:
        entries.append(
            (
                "company",
                c.id,
                c.name,
                [("id", 10, (c.id,)), ("name", 8, (c.name, c.name_zh)), ("description", 1, (c.description,))],
            )
        )
    for f in base.facts:
        item_names = tuple(n for item in f.items for n in (item.name, item.name_zh) if n)
        entries.append(
            (
                "fact",
                f.id,
                f.label,
                [
                    ("id", 10, (f.id, *f.id.split("."))),
                    ("label", 6, (f.label,)),
                    ("items", 4, item_names),
                    ("tags", 3, f.tags),
                    ("text", 1, (f.text,)),
                ],
            )
        )
    for s in base.sources:
        entries.append(
            (
                "source",
                s.id,
                s.title,
                [
                    ("id", 10, (s.id,)),
                    ("title", 4, (s.title,)),
                    ("publisher", 3, (s.publisher,)),
                    ("authors", 3, s.authors),
                    ("note", 1, (s.note,)),
                ],
            )
        )
    return entries


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
        raise NotFoundError("source", query, _suggest(wanted, [s.id for s in base.sources]))
    return found


def source_detail(base: FactBase, query: str) -> SourceDetail:
    """One source and everything that cites it."""
    source = get_source(base, query)
    observations = tuple(
        (metric, observation)
        for metric in base.metrics
        for observation in metric.observations
        if source.id in observation.sources
    )
    return SourceDetail(
        base,
        source,
        observations,
        tuple(f for f in base.facts if source.id in f.sources),
        tuple(i for i in base.industries if source.id in i.sources),
        tuple(c for c in base.companies if source.id in c.sources),
    )


def citation(source: Source) -> str:
    """A one-line citation: authors, "title", publisher, date, address."""
    parts = []
    if source.authors:
        parts.append(" and ".join(source.authors) if len(source.authors) < 3 else ", ".join(source.authors))
    parts.append(f"\u201c{source.title}\u201d")
    parts.append(source.publisher)
    parts.append(source.date)
    text = ", ".join(parts)
    # No full stop after an address: it would be copied along with it.
    return f"{text}, {source.url}" if source.url else text + "."


# -- comparisons -----------------------------------------------------------

_NO_BAR_UNITS = (Unit.RANK,)  # a smaller rank is better: a bar would mislead
_SAME_BASIS = {
    Status.ACTUAL: "outcome",
    Status.PRELIMINARY: "outcome",
    Status.FIRST_PUBLISHED: "first_published",
}


def compare_side_by_side(base: FactBase, queries: list[str]) -> SideBySide:
    """The latest value of each metric named, with bars among rows of one unit and one period.

    A bar compares like with like only: a half year is not drawn against a full
    year, nor yuan against people, and ranks get none (smaller is better).
    """
    metrics = find_metrics(base, queries).metrics
    present = [(m, o) for m in metrics if (o := m.latest) is not None]

    def scale(metric: Metric, observation: Observation) -> tuple[Unit, str] | None:
        if metric.unit in _NO_BAR_UNITS or observation.value < 0:
            return None
        return (metric.unit, observation.when)

    groups: dict[tuple[Unit, str], list[float]] = {}
    for metric, observation in present:
        key = scale(metric, observation)
        if key is not None:
            groups.setdefault(key, []).append(float(observation.value))
    rows = []
    for metric, observation in present:
        key = scale(metric, observation)
        values = groups.get(key, []) if key is not None else []
        share = float(observation.value) / max(values) if len(values) > 1 and max(values) > 0 else None
        rows.append(SideBySideRow(metric, observation, share))
    return SideBySide(base, tuple(rows))


def series(metric: Metric) -> Series:
    """A metric over time with the change from each previous comparable period."""
    by_period: dict[str, list[Observation]] = {}
    for observation in metric.observations:
        if observation.period is not None and observation.status not in (Status.TARGET, Status.OUTDATED):
            by_period.setdefault(observation.period, []).append(observation)
    points = []
    for observation in metric.observations:
        points.append(_point(metric, observation, by_period))
    return Series(metric, tuple(points))


def _point(metric: Metric, observation: Observation, by_period: dict[str, list[Observation]]) -> SeriesPoint:
    if observation.period is None or observation.status in (Status.TARGET, Status.OUTDATED):
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
    bounds = (Exactness.LOWER_BOUND, Exactness.UPPER_BOUND)
    if observation.exactness in bounds or previous.exactness in bounds:
        return SeriesPoint(observation, previous_period, None, None, False, "a bound: no exact change")
    change = _tidy(observation.value - previous.value)
    percent = None
    if metric.unit not in (Unit.PERCENT, Unit.RANK) and previous.value != 0:
        percent = change / abs(previous.value) * 100
        # From a vanishingly small value there is no meaningful percent.
        percent = _tidy(percent) if math.isfinite(percent) else None
    approximate = Exactness.APPROXIMATE in (observation.exactness, previous.exactness)
    return SeriesPoint(observation, previous_period, change, percent, approximate, "")


def _tidy(number: int | float) -> int | float:
    """A difference without float noise (-0.8, not -0.7999999999999998): 12 significant digits."""
    return number if isinstance(number, int) else float(f"{number:.12g}")


def compare_over_time(base: FactBase, query: str) -> OverTime:
    """Each metric matching ``query`` (an id or a topic) over time."""
    return OverTime(base, tuple(series(m) for m in resolve_metrics(base, query)))


def industry_headline(base: FactBase, industry: Industry) -> tuple[Metric, Observation] | None:
    """An industry's headline figure: the latest observation of its first metric that has one."""
    for metric in base.metrics:
        if metric.industry == industry.id and (latest := metric.latest) is not None:
            return (metric, latest)
    return None


def compare_industries(base: FactBase, queries: list[str]) -> IndustryComparison:
    """Industries side by side: kind, metrics, companies and a headline figure."""
    industries = [get_industry(base, q) for q in queries] if queries else list(base.industries)
    rows = []
    for industry in dict.fromkeys(industries):
        metrics = [m for m in base.metrics if m.industry == industry.id]
        companies = tuple(c for c in base.companies if c.industry == industry.id)
        rows.append(IndustryComparisonRow(industry, len(metrics), companies, industry_headline(base, industry)))
    return IndustryComparison(base, tuple(rows))


# -- overview --------------------------------------------------------------


def overview(base: FactBase) -> Overview:
    """Name, province, population, the latest full-year GDP and the industries."""
    population = None
    resident = base.metric_by_id.get("population.resident")
    if resident is not None and resident.latest is not None:
        population = (resident, resident.latest)
    gdp = None
    total = base.metric_by_id.get("gdp.total")
    if total is not None:
        years = [
            o
            for o in total.observations
            if o.period is not None
            and parse_period(o.period).granularity == "year"
            and o.status not in (Status.TARGET, Status.OUTDATED)
        ]
        if years:
            gdp = (total, years[-1])
    return Overview(
        base,
        population,
        gdp,
        tuple(i for i in base.industries if i.kind is IndustryKind.PILLAR),
        tuple(i for i in base.industries if i.kind is IndustryKind.EMERGING),
    )
