"""What queries return: resolved answers, holding what is shown and nothing more.

A result never holds the fact base: the sources its figures cite are resolved
into ``cited``, headlines and counts are computed, so that a renderer only
formats. Results are short-lived containers handed straight to a renderer:
frozen value classes (:mod:`hohhot_cli.model.value`) compared by identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hohhot_cli.model.errors import Problem
from hohhot_cli.model.facts import (
    City,
    Company,
    Fact,
    Industry,
    Metric,
    Observation,
    Source,
)
from hohhot_cli.model.value import Frozen, field
from hohhot_cli.model.value import value as result

Cited = Mapping[str, Source]
"""Sources by id: every source the figures of a result cite, in file order."""

@result
class Moved(Frozen):
    """An old id or ref that a query named, and where it is now (a metric's ``moved_from``)."""

    old: str
    """The old id or ref as asked (``gdp.growth@2016/2020``)."""
    new: str
    """Its new place (``gdp.growth.average@2016/2020``)."""


@result
class Figure(Frozen):
    """One observation together with the metric it belongs to."""

    metric: Metric
    """The metric."""
    observation: Observation
    """The observation shown."""


@result
class MetricsResult(Frozen):
    """Metrics with their observations; ``index`` asks tables for one line per metric."""

    metrics: tuple[Metric, ...]
    """The metrics, observations possibly cut to the latest."""
    latest: tuple[Observation | None, ...]
    """Each metric's latest observation, in the order of ``metrics``."""
    cited: Cited
    """The sources of every observation shown."""
    index: bool = False
    """True for the ``metrics`` index: tables show the latest value only."""
    moved: tuple[Moved | None, ...] = ()
    """For each metric, the old id or ref it was asked by, if any (empty: none was)."""
    refs: bool = False
    """True for ``--refs``: tables show each figure's ref."""

    def moved_of(self, index: int) -> Moved | None:
        """How the metric at ``index`` was reached, when by an old id or ref."""
        return self.moved[index] if index < len(self.moved) else None


@result
class IndustrySummary(Frozen):
    """An industry with the ids of what belongs to it and its headline figure."""

    industry: Industry
    """The industry."""
    metric_ids: tuple[str, ...]
    """Ids of its metrics."""
    companies: tuple[Company, ...]
    """Its companies."""
    headline: Figure | None
    """Its first metric's latest observation, if any."""


@result
class IndustriesResult(Frozen):
    """A list of industries."""

    industries: tuple[IndustrySummary, ...]
    """The industries, in file order."""
    cited: Cited
    """The sources of the headline figures."""


@result
class IndustryDetail(Frozen):
    """One industry with everything that belongs to it."""

    summary: IndustrySummary
    """The industry, its metric ids, companies and headline."""
    metrics: tuple[Metric, ...]
    """Its metrics."""
    facts: tuple[Fact, ...]
    """Facts tied to it."""
    cited: Cited
    """Every source cited by the above, in file order."""
    latest: tuple[Observation | None, ...] = ()
    """Each metric's latest observation, in the order of ``metrics``."""
    newest: tuple[Figure, ...] = ()
    """The newest of those latest figures, newest first (see :func:`hohhot_cli.query.queries.newest_figures`)."""
    full: bool = True
    """False for the summary a table shows without ``--all``: headline, newest figures, companies, facts."""


@result
class SearchHit(Frozen):
    """One search match."""

    kind: str
    """``metric``, ``industry``, ``fact``, ``company``, ``source`` or ``figure``."""
    id: str
    """Its id (a figure's ref)."""
    label: str
    """Its label, name or title."""
    score: int
    """Relevance; higher is better."""
    matched: tuple[str, ...]
    """Names of the fields that matched."""
    latest: Figure | None = None
    """For a metric or a figure, the metric's latest figure (:func:`hohhot_cli.query.latest.latest_observation`)."""
    text: str = ""
    """The text that matched best (a label, a name, a sentence), for showing the match in context."""
    figure: Figure | None = None
    """For a figure hit, the figure itself."""


@result
class SearchResult(Frozen):
    """Search matches, best first."""

    query: str
    """The text searched for."""
    hits: tuple[SearchHit, ...]
    """The matches; empty when nothing matched."""
    cited: Cited = field(default_factory=lambda: MappingProxyType({}))
    """The sources of the figures shown: the latest of each metric found, and each figure found."""


@result
class SourceUse(Frozen):
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


@result
class SourcesResult(Frozen):
    """All sources with how much each supports."""

    uses: tuple[SourceUse, ...]
    """In file order."""


@result
class SourceDetail(Frozen):
    """One source and everything it supports."""

    source: Source
    """The source."""
    figures: tuple[Figure, ...]
    """Each observation that cites it, with its metric."""
    facts: tuple[Fact, ...]
    """Facts citing it."""
    industries: tuple[Industry, ...]
    """Industries citing it."""
    companies: tuple[Company, ...]
    """Companies citing it."""
    cited: Cited
    """Every source cited by those observations (this one and any co-cited)."""


@result
class SideBySideRow(Frozen):
    """One metric in a side-by-side comparison: its figure for the period compared, or none."""

    metric: Metric
    """The metric."""
    observation: Observation | None
    """Its figure for the period compared; None when it has none (a missing row)."""
    share_of_max: float | None
    """Value over the largest value of the same unit (0..1), for a bar; None for no bar."""
    moved: Moved | None = None
    """The old id or ref it was asked by, if any."""

    @property
    def figure(self) -> Figure | None:
        """The metric with its figure, when it has one."""
        return None if self.observation is None else Figure(self.metric, self.observation)


@result
class SideBySide(Frozen):
    """Several metrics side by side, lined up on one period."""

    rows: tuple[SideBySideRow, ...]
    """In the order asked, those without a figure for the period too."""
    cited: Cited
    """The sources of the observations shown."""
    compared: str | None = None
    """What lines the rows up: a period (``2023``) or an as-of date (``as-of-2024-01-18``); None when none is shared."""
    asked: bool = False
    """True when the period was asked for (``--period``), not chosen as the latest shared."""
    refs: bool = False
    """True for ``--refs``: tables show each figure's ref."""


@result
class SeriesPoint(Frozen):
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
    """True when both values are approximate, so the change is too."""
    refused: str | None = None
    """Why no change is computed from the previous period's figure, in plain words; None when one is, or none exists."""
    reported: Figure | None = None
    """The year-on-year rate a source reports for the same period, shown beside the change."""


@result
class Series(Frozen):
    """One metric over time."""

    metric: Metric
    """The metric."""
    points: tuple[SeriesPoint, ...]
    """In chronological order."""
    moved: Moved | None = None
    """The old id or ref it was asked by, if any."""


@result
class OverTime(Frozen):
    """One or more metrics, each over time."""

    series: tuple[Series, ...]
    """One per metric."""
    cited: Cited
    """The sources of the observations shown."""
    refs: bool = False
    """True for ``--refs``: tables show each figure's ref."""


@result
class IndustryComparison(Frozen):
    """Industries side by side."""

    rows: tuple[IndustrySummary, ...]
    """In the order asked (all when none were named)."""
    cited: Cited
    """The sources of the headline figures."""


@result
class Overview(Frozen):
    """The city at a glance."""

    city: City
    """Its names and province."""
    updated: str
    """When the fact base was last updated."""
    population: Figure | None
    """Latest resident population."""
    gdp: Figure | None
    """Latest full-year GDP."""
    pillars: tuple[Industry, ...]
    """The pillar industries."""
    future: tuple[Industry, ...]
    """The future industries."""
    cited: Cited
    """The sources of every figure shown."""
    headlines: tuple[Figure, ...] = ()
    """The latest figure of each headline metric the base names, in its order (those with a figure)."""


@result
class ValidationReport(Frozen):
    """The outcome of validating a fact file."""

    file: str
    """The file checked."""
    problems: tuple[Problem, ...]
    """The problems found (the first 1,000, then one that counts the others); empty when valid."""
    counts: Mapping[str, int] | None
    """How many sources, industries, metrics, observations, facts and companies, when valid."""
    warnings: tuple[Problem, ...] = ()
    """What a maintainer should look at in a valid file (see :mod:`hohhot_cli.load.lint`)."""
    strict: bool = False
    """Whether warnings fail the check too."""
    omitted: int = 0
    """Problems found beyond those listed (the last problem listed says how many)."""

    @property
    def problem_count(self) -> int:
        """How many problems were found, listed or not."""
        return len(self.problems) - (1 if self.omitted else 0) + self.omitted

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def passes(self) -> bool:
        """True when valid and, with ``strict``, free of warnings too: the exit status follows this."""
        return self.valid and not (self.strict and self.warnings)


@result
class FactDetail(Frozen):
    """``show FACT``: one fact in full, with its sources."""

    fact: Fact
    """The fact."""
    cited: Cited
    """Its sources."""


@result
class FigureDetail(Frozen):
    """``show REF``: one figure in full, with its metric and its sources."""

    figure: Figure
    """The figure and its metric (whose observations give the figures it supersedes or conflicts with)."""
    latest: Observation | None
    """The metric's latest figure, by :func:`hohhot_cli.query.latest.latest_observation`."""
    cited: Cited
    """The figure's own sources: what ``cite REF`` prints."""
    moved: Moved | None = None
    """The old ref it was asked by, if any."""


@result
class CompanyDetail(Frozen):
    """``show COMPANY``: one company, its industry and its sources."""

    company: Company
    """The company."""
    industry: Industry | None
    """The industry it belongs to, if any."""
    cited: Cited
    """Its sources."""


@result
class WithCitations(Frozen):
    """A result shown with the full citations of its sources (``--cite``)."""

    result: object
    """What the command shows."""
    sources: tuple[Source, ...]
    """The sources behind it, in file order."""
