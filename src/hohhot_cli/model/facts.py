"""The fact base as typed, frozen objects.

Plain data only: no I/O, no formatting, no questions. The loader builds these
objects from ``facts.toml``; queries select and resolve them; renderers turn
the results into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from hohhot_cli.model.value import Value, field, value


class Exactness(str, Enum):
    """How exact a stated figure is, in the source's own terms."""

    EXACT = "exact"
    """Stated without qualifier ("53,000 graduates")."""
    APPROXIMATE = "approximate"
    """Stated as approximate or rounded ("about 100", "3.14 million")."""
    LOWER_BOUND = "lower_bound"
    """The true value is above it ("exceeded 256 billion", "over 220 billion")."""
    UPPER_BOUND = "upper_bound"
    """The true value is below it ("less than", "under")."""


class Status(str, Enum):
    """What kind of figure an observation is: how final its source says it is."""

    ACTUAL = "actual"
    """A final outcome: in a version-3 file, one its source calls final, verified or completed
    (``status_basis`` says how); in a version-1 or 2 file, any outcome without another status."""
    REVISED = "revised"
    """A later figure that replaces a preliminary or first-published one of the same period."""
    PRELIMINARY = "preliminary"
    """A reported outcome that the statistics office may still revise."""
    FIRST_PUBLISHED = "first_published"
    """As first published, before a later revision (e.g. after an economic census)."""
    ESTIMATE = "estimate"
    """An estimate by the source, not an official statistic."""
    REPORTED = "reported"
    """An outcome whose source states no status (neither preliminary nor final): a version-3 file's default."""
    TARGET = "target"
    """A goal or hope, not an outcome."""
    OUTDATED = "outdated"
    """Still printed by a source but known to be out of date; never shown as latest."""


STATUS_PREFERENCE: tuple[Status, ...] = (
    Status.REVISED,
    Status.ACTUAL,
    Status.FIRST_PUBLISHED,
    Status.PRELIMINARY,
    Status.REPORTED,
    Status.ESTIMATE,
    Status.TARGET,
    Status.OUTDATED,
)
"""Which observation of one period to prefer: the most final figure first.

A revision replaces what it revises; a final outcome comes next; a figure as first
published was final until a revision; a preliminary figure comes before it. A figure
whose source states no status ranks below every stated outcome of the same period,
and above an estimate, which its own source says is made before the outcome is known
(a planning report's estimate of 2018 gives way to the figure reported for 2018 later).
"""


class Unit(str, Enum):
    """The closed list of units. Values are stored in these base units."""

    CNY = "CNY"
    """Yuan, a total for the city (or the area the metric names)."""
    CNY_PER_PERSON = "CNY_per_person"
    """Yuan per person: income or GDP per capita, never on one scale with totals."""
    USD = "USD"
    PERCENT = "percent"
    PERCENTAGE_POINTS = "percentage_points"
    """A change of a percentage, or a difference of two."""
    PER_1000 = "per_1000"
    """Per thousand (‰): birth, death and natural growth rates."""
    PER_100 = "per_100"
    """Per hundred: the sex ratio (men per 100 women)."""
    PEOPLE = "people"
    PEOPLE_PER_KM2 = "people_per_km2"
    PEOPLE_PER_HOUSEHOLD = "people_per_household"
    VISITORS = "visitors"
    KM = "km"
    KM2 = "km2"
    MU = "mu"
    """The Chinese land measure, 1/15 hectare."""
    RANK = "rank"
    COUNT = "count"
    YEARS = "years"
    CELSIUS = "celsius"
    MW = "MW"
    KWH = "kWh"
    TONNES_PER_DAY = "tonnes_per_day"
    PFLOPS = "PFLOPS"
    """Computing power, in petaflops (10^15 floating-point operations a second)."""


class Measure(str, Enum):
    """What a metric measures: one kind for all of its observations."""

    LEVEL = "level"
    """An amount for a period or at a date (GDP, population, capacity)."""
    YOY_RATE = "yoy_rate"
    """A rate of change over one period against the same period a year before (growth)."""
    AVERAGE_RATE = "average_rate"
    """An average yearly rate over a span of several years (2016/2020)."""
    SHARE = "share"
    """A part of a whole, in percent."""
    COUNT = "count"
    """A number of things (firms, projects, years)."""
    RANK = "rank"
    """A place in a ranking; ``among`` says among what."""
    CHANGE = "change"
    """An absolute change over a span, as a source gives it."""


def default_measure(unit: Unit) -> Measure:
    """The measure of a version-1 or 2 metric, which does not say: from its unit."""
    if unit is Unit.RANK:
        return Measure.RANK
    if unit is Unit.COUNT:
        return Measure.COUNT
    return Measure.LEVEL


class IndustryKind(str, Enum):
    """The two groups of industries the city names."""

    PILLAR = "pillar"
    """One of the six pillar industrial clusters (六大产业集群)."""
    FUTURE = "future"
    """A future industry (未来产业) the city names as one it is fostering."""


class SourceKind(str, Enum):
    """What a source is, which says how far to rely on it."""

    OFFICIAL = "official"
    """The city government, its statistics bureau or its own papers, on their own sites."""
    NATIONAL_MEDIA = "national_media"
    """China Daily, Xinhua, People's Daily, on their own sites."""
    REPRINT = "reprint"
    """An official or national-media text read in a copy on another site."""
    SECONDARY = "secondary"
    """A third party's summary: used only where no better source is in reach."""
    COMPANY = "company"
    """A company's own publication (a press release)."""
    INTERNATIONAL = "international"
    """An international programme's publication."""


class FactKind(str, Enum):
    """What a non-numeric fact is."""

    FACT = "fact"
    """A standing fact (a name, a location, a list)."""
    PLAN = "plan"
    """Something the city plans, intends or is working towards."""
    EVENT = "event"
    """Something that happened on a date."""
    TITLE = "title"
    """An honorary title awarded to the city."""




@value
class Source(Value):
    """A document facts are taken from."""

    id: str
    """Stable id, lowercase with hyphens (``cd-mayor-2024``)."""
    publisher: str
    """Who published it."""
    title: str
    """Its title as published (in its own language)."""
    date: str
    """Publication date as a partial ISO date (``2024-05-28``, ``2021``)."""
    url: str | None = None
    """Where to read it, when a stable address is known."""
    authors: tuple[str, ...] = ()
    """Named authors, if any."""
    note: str = ""
    """Our note on the source (dating, reprints, caveats)."""
    kind: SourceKind | None = None
    """What it is; None only in a version-1 fact file, which does not say."""
    read_at: str | None = None
    """For a reprint: the address of the copy that was read."""
    reprinted_by: str = ""
    """For a reprint: who published the copy."""
    checked: str | None = None
    """When the address (``url`` or ``read_at``) was last checked, as a partial ISO date."""
    undated: bool = False
    """The document carries no date; ``date`` is then the earliest it can have appeared."""


@value
class Conversion(Value):
    """A conversion of an observation that its source itself gives."""

    value: int | float
    """The converted value, in base units."""
    unit: Unit
    """The unit converted to."""
    note: str = ""
    """Who converted and how."""


@value
class Observation(Value):
    """One sourced value of a metric."""

    value: int | float
    """The number, in the metric's base unit (``256_000_000_000``, not 256)."""
    sources: tuple[str, ...]
    """Ids of the sources that give it (at least one)."""
    period: str | None = None
    """The period it describes (``2023``, ``2024-Q1``, ``2016/2020``); None when undated."""
    as_of: str | None = None
    """For a figure its source does not date: the source's publication date."""
    exactness: Exactness = Exactness.EXACT
    """How exact the source states it."""
    status: Status = Status.ACTUAL
    """Outcome, preliminary, target, ..."""
    note: str = ""
    """Our note: what the figure covers, caveats, the source's wording in our words."""
    conversion: Conversion | None = None
    """A conversion the source itself gives, if any."""
    ref: str = ""
    """Its reference: ``gdp.total@2021``, with ``#2`` after a second figure for the same period."""
    supersedes: tuple[str, ...] = ()
    """Refs of less final figures for the same period that it replaces (a revision, a final figure)."""
    superseded_by: tuple[str, ...] = ()
    """Refs of the more final figures for the same period that replace it."""
    conflicts_with: tuple[str, ...] = ()
    """Refs of figures for the same period, as final as this one, that give another value."""
    status_basis: str = ""
    """For an ``actual`` figure of a version-3 file: what the source says that makes it final, in our words."""
    added: str | None = None
    """The day it entered the base (``2026-12-08``); None where the file does not say."""

    @property
    def dated(self) -> str:
        """What dates it: the period, or the as-of date when the source gives no period."""
        return self.period if self.period is not None else str(self.as_of)


@value
class Metric(Value):
    """A measured quantity with its observations over time."""

    id: str
    """Stable dotted id (``gdp.total``); its first part is the topic."""
    label: str
    """Short English label."""
    unit: Unit
    """Unit of every observation's value."""
    observations: tuple[Observation, ...]
    """Observations in chronological order."""
    description: str = ""
    """What exactly is measured."""
    industry: str | None = None
    """Id of the industry it belongs to, if any."""
    aliases: tuple[str, ...] = ()
    """Other names it can be looked up by."""
    tags: tuple[str, ...] = ()
    """Search keywords."""
    label_zh: str = ""
    """The Chinese statistical term (地区生产总值)."""
    measure: Measure = Measure.LEVEL
    """What it measures; one kind for every observation."""
    among: str | None = None
    """For a rank: what it ranks among (``the 27 provincial capitals``)."""
    aims_at: str | None = None
    """For a metric of targets: the id of the metric of outcomes they aim at."""
    moved_from: tuple[str, ...] = ()
    """Old ids (``talent.graduates_target``) and old refs (``gdp.growth@2016/2020``) now found here."""

    @property
    def topic(self) -> str:
        """The first part of the id (``gdp`` for ``gdp.per_capita``)."""
        return self.id.split(".", 1)[0]


@value
class Item(Value):
    """A named member of a list fact (a district, a country, an area of cooperation)."""

    name: str
    """English name."""
    name_zh: str = ""
    """Chinese name, where a source gives it."""
    note: str = ""
    """Our note."""


@value
class Fact(Value):
    """A sourced statement that is not a single number: a plan, a list, an event, a title."""

    id: str
    """Stable dotted id (``plans.airport``); its first part is the topic."""
    kind: FactKind
    """Fact, plan, event or title."""
    label: str
    """Short English label."""
    text: str
    """The fact in our own words."""
    sources: tuple[str, ...]
    """Ids of the sources that give it."""
    items: tuple[Item, ...] = ()
    """Members, for a list."""
    date: str | None = None
    """When it happened (events, titles), as a partial ISO date."""
    period: str | None = None
    """The period it describes, if any."""
    as_of: str | None = None
    """For an undated statement: the publication date of its source."""
    industry: str | None = None
    """Id of the industry it belongs to, if any."""
    tags: tuple[str, ...] = ()
    """Search keywords."""
    conflicts_with: str | None = None
    """Id of another fact that gives a different account of the same thing."""
    added: str | None = None
    """The day it entered the base (``2026-12-08``); None where the file does not say."""

    @property
    def topic(self) -> str:
        """The first part of the id."""
        return self.id.split(".", 1)[0]


@value
class Company(Value):
    """A company the sources name."""

    id: str
    """Stable id (``yili``)."""
    name: str
    """English name."""
    sources: tuple[str, ...]
    """Ids of the sources that name it."""
    name_zh: str = ""
    """Chinese name, where a source gives it."""
    industry: str | None = None
    """Id of its industry."""
    description: str = ""
    """What it is, in our words."""


@value
class Industry(Value):
    """An industry the city names: a pillar cluster or a future industry."""

    id: str
    """Stable id (``dairy``)."""
    name: str
    """English name."""
    kind: IndustryKind
    """Pillar cluster or future industry."""
    sources: tuple[str, ...]
    """Ids of the sources that name it."""
    name_zh: str = ""
    """Chinese name."""
    description: str = ""
    """What it covers, in our words."""
    aliases: tuple[str, ...] = ()
    """Other names it can be looked up by."""
    headline: str | None = None
    """The id of the metric whose latest figure sums it up, where the file names one."""


@value
class Topic(Value):
    """A topic: the first part of metric and fact ids, with its names."""

    id: str
    """The id part (``gdp``)."""
    name: str
    """English name."""
    name_zh: str = ""
    """Chinese name (地区生产总值)."""


@value
class City(Value):
    """The city the base is about."""

    name: str
    """English name."""
    name_zh: str
    """Chinese name."""
    province: str
    """The province-level division it is the capital of."""
    province_zh: str
    """Its Chinese name."""
    sources: tuple[str, ...]
    """Ids of the sources for the above."""


@value
class FactBase(Value):
    """The whole fact base, validated."""

    schema_version: int
    """Version of the file format."""
    updated: str
    """The date the base was last updated (ISO)."""
    city: City
    """The city itself."""
    sources: tuple[Source, ...]
    """All sources, in file order."""
    industries: tuple[Industry, ...]
    """All industries, in file order."""
    metrics: tuple[Metric, ...]
    """All metrics, in file order."""
    facts: tuple[Fact, ...]
    """All non-numeric facts, in file order."""
    companies: tuple[Company, ...]
    """All companies, in file order."""
    topics: tuple[Topic, ...] = ()
    """Names of the topics, in file order."""
    headlines: tuple[str, ...] = ()
    """Ids of the metrics the overview shows, in the file's order (its ``[overview]`` ``headlines``)."""
    path: str = ""
    """The file it was loaded from."""
    source_by_id: Mapping[str, Source] = field(init=False, repr=False, compare=False)
    industry_by_id: Mapping[str, Industry] = field(init=False, repr=False, compare=False)
    metric_by_id: Mapping[str, Metric] = field(init=False, repr=False, compare=False)
    fact_by_id: Mapping[str, Fact] = field(init=False, repr=False, compare=False)
    company_by_id: Mapping[str, Company] = field(init=False, repr=False, compare=False)
    topic_by_id: Mapping[str, Topic] = field(init=False, repr=False, compare=False)
    moved: Mapping[str, str] = field(init=False, repr=False, compare=False)
    """Where each old id or ref of a metric's ``moved_from`` is now: a metric id, or a ref (``new.id@2016/2020``)."""

    def __post_init__(self) -> None:
        # Frozen: indexes are set once here, through object.__setattr__.
        for name, items in (
            ("source_by_id", self.sources),
            ("industry_by_id", self.industries),
            ("metric_by_id", self.metrics),
            ("fact_by_id", self.facts),
            ("company_by_id", self.companies),
            ("topic_by_id", self.topics),
        ):
            object.__setattr__(self, name, MappingProxyType({item.id: item for item in items}))
        moved = {}
        for metric in self.metrics:
            for old in metric.moved_from:
                _, at, key = old.partition("@")
                moved[old] = f"{metric.id}@{key}" if at else metric.id
        object.__setattr__(self, "moved", MappingProxyType(moved))
