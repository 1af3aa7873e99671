"""The Python API: the fact base for notebooks and programs, as typed records.

::

    from hohhot_cli import api

    base = api.load()                       # the bundled base; api.load("my.toml") for another file
    gdp = base.metric("地区生产总值")          # an id, an alias or a label (Chinese or English)
    series = base.observations("gdp.total", since=2020, kind="year")
    series[-1].value, series[-1].unit, series[-1].sources
    frame = api.to_frame(series)            # a pandas DataFrame (pip install 'hohhot[pandas]')

Answers come from the queries every command uses (:mod:`hohhot_cli.query.queries`, the
period filters of :mod:`hohhot_cli.query.selection`, the one rule of "latest"): the API
adds no rule of its own, only records shaped for Python. Nothing here is on the command
line's path, so it imports what it needs.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from hohhot_cli.load.loader import load_facts
from hohhot_cli.model import facts as model
from hohhot_cli.model.errors import NotFoundError, UsageError
from hohhot_cli.query import queries
from hohhot_cli.query.latest import latest_observation
from hohhot_cli.query.naming import resolve
from hohhot_cli.query.selection import PeriodFilter, when

if TYPE_CHECKING:
    import pandas  # type: ignore[import-not-found, import-untyped, unused-ignore]

__all__ = [
    "Base",
    "InvalidQuery",
    "Metric",
    "NotFound",
    "Observation",
    "PandasMissing",
    "Source",
    "load",
    "to_frame",
]

Period = str | int | date
"""A period as the filters take it: ``"2023"``, ``"2024-H1"``, ``2020`` or a ``date``."""


class NotFound(NotFoundError, LookupError):
    """An id, alias or label that matches nothing; ``suggestions`` holds the closest ids."""

    def __init__(self, what: str, query: str, suggestions: list[str]) -> None:
        super().__init__(what, query, suggestions)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        self.args = (f"no {what} {query!r}{hint}",)  # without the command line's "hohhot search" hint


class InvalidQuery(UsageError, ValueError):
    """A period or kind that does not parse, or a topic where one metric is asked for."""


class PandasMissing(ImportError):
    """:func:`to_frame` without pandas installed."""


@dataclasses.dataclass(frozen=True)
class Metric:
    """A metric: what is measured, in which unit (see :meth:`Base.observations` for its figures)."""

    id: str
    label: str
    label_zh: str
    topic: str
    unit: str
    industry: str | None
    description: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    observation_count: int


@dataclasses.dataclass(frozen=True)
class Observation:
    """One figure with its metric, period, exactness, status and the ids of its sources."""

    metric: str
    """The metric's id."""
    label: str
    unit: str
    """The metric's unit (``CNY``, ``percent``, ``people``, ...); ``value`` is in it, in base units."""
    value: int | float
    period: str | None
    """``2023``, ``2024-H1``, ...; None for a figure its source does not date (see ``as_of``)."""
    period_start: date
    period_end: date
    period_kind: str
    """``year``, ``half``, ``quarter``, ``month``, ``year_to_date``, ``day``, ``span`` or ``as_of``."""
    as_of: str | None
    exactness: str
    """``exact``, ``approximate``, ``lower_bound`` or ``upper_bound``."""
    status: str
    """``actual``, ``revised``, ``preliminary``, ``first_published``, ``estimate``, ``target`` or ``outdated``."""
    note: str
    sources: tuple[str, ...]
    """The ids of its sources (:meth:`Base.source` gives each in full)."""
    ref: str
    """Its reference, ``gdp.total@2023``: the same in every output and export."""
    converted_value: int | float | None
    converted_unit: str | None
    supersedes: tuple[str, ...]
    superseded_by: tuple[str, ...]
    conflicts_with: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Source:
    """A document figures are taken from."""

    id: str
    publisher: str
    title: str
    date: str
    """``2024``, ``2024-05`` or ``2024-05-28``; for an undated source the earliest it can be."""
    url: str | None
    authors: tuple[str, ...]
    kind: str | None
    undated: bool
    read_at: str | None
    checked: str | None
    note: str


class Base:
    """A loaded fact base, asked as the commands ask it."""

    def __init__(self, facts: model.FactBase) -> None:
        self.facts = facts
        """The underlying model (:class:`hohhot_cli.model.facts.FactBase`)."""

    @property
    def updated(self) -> str:
        """When the base was last updated (ISO date)."""
        return self.facts.updated

    def __repr__(self) -> str:
        return f"<hohhot base {self.facts.path or '(bundled)'}, updated {self.updated}>"

    def metric(self, query: str) -> Metric:
        """One metric by id (``gdp.total``), alias (``economy``) or label (``地区生产总值``, ``Regional GDP``).

        Raises :class:`NotFound` (with the closest ids) and, for a topic of several
        metrics, :class:`InvalidQuery` naming them.
        """
        found = self._resolve(query)
        if len(found) != 1:
            names = ", ".join(m.id for m in found)
            raise InvalidQuery(f"{query!r} is a topic of {len(found)} metrics ({names}); use metrics({query!r})")
        return _metric(found[0])

    def metrics(self, query: str | None = None) -> list[Metric]:
        """Every metric, or those of a topic (``gdp``), id, alias or label, in file order."""
        chosen = self.facts.metrics if query is None else self._resolve(query)
        return [_metric(m) for m in chosen]

    def observations(
        self,
        query: str | Sequence[str],
        *,
        period: Period | None = None,
        since: Period | None = None,
        until: Period | None = None,
        kind: str | None = None,
        latest: bool = False,
        any_period: bool = False,
    ) -> list[Observation]:
        """The figures of one or more metrics (ids, topics, aliases or labels), as ``hohhot metric`` gives them.

        ``period``, ``since``, ``until`` and ``kind`` filter as the command's options do;
        ``latest`` keeps each metric's latest figure (by the one rule every command
        uses), ``any_period`` lets a part-year figure be the latest.
        """
        names = [query] if isinstance(query, str) else list(query)
        ids = [m.id for name in names for m in self._resolve(name)]
        try:
            chosen = PeriodFilter.parse(_text(period), _text(since), _text(until), kind)
        except UsageError as error:
            raise InvalidQuery(str(error).removeprefix("--")) from None
        result = queries.find_metrics(self.facts, ids, latest=latest, selection=chosen, any_period=any_period)
        return [_observation(m, o) for m in result.metrics for o in m.observations]

    def latest(self, query: str, *, any_period: bool = False) -> Observation | None:
        """The latest figure of one metric, as every command chooses it; None when it has none."""
        metric = self.facts.metric_by_id[self.metric(query).id]
        found = latest_observation(self.facts, metric, any_period)
        return None if found is None else _observation(metric, found)

    def source(self, source_id: str) -> Source:
        """One source by id (as an observation's ``sources`` lists them)."""
        try:
            return _source(queries.get_source(self.facts, source_id))
        except NotFoundError as error:
            raise NotFound(error.what, error.query, list(error.suggestions)) from None

    def sources(self, ids: Iterable[str] | None = None) -> list[Source]:
        """Every source, or those of the ids given, in file order."""
        wanted = None if ids is None else set(ids)
        return [_source(s) for s in self.facts.sources if wanted is None or s.id in wanted]

    def _resolve(self, query: str) -> tuple[model.Metric, ...]:
        try:
            return tuple(named.metric for named in resolve(self.facts, query))  # ids, old ids, aliases, labels
        except NotFoundError as error:
            raise NotFound(error.what, error.query, list(error.suggestions)) from None


def load(path: str | os.PathLike[str] | None = None) -> Base:
    """The bundled fact base, or the fact file at ``path``, validated.

    Raises :class:`hohhot_cli.model.errors.FactFileError` listing every problem of an invalid file.
    """
    return Base(load_facts(path))


def to_frame(records: Iterable[Observation | Metric | Source]) -> pandas.DataFrame:
    """Records as a pandas DataFrame, one row each, a column per field (lists of ids as lists).

    Needs pandas (``pip install 'hohhot[pandas]'``); raises :class:`PandasMissing`
    (an :class:`ImportError`) without it. Period starts and ends become datetimes.
    """
    try:
        import pandas
    except ImportError as error:
        raise PandasMissing("to_frame needs pandas: pip install 'hohhot[pandas]' (or pandas>=2)") from error
    rows = list(records)
    kinds = {type(r) for r in rows}
    if len(kinds) > 1:
        raise TypeError("to_frame takes records of one kind: observations, metrics or sources")
    record_type = kinds.pop() if kinds else Observation
    columns = [f.name for f in dataclasses.fields(record_type)]
    data = [{name: _cell(getattr(r, name)) for name in columns} for r in rows]
    frame = pandas.DataFrame(data, columns=columns)
    for name in ("period_start", "period_end"):
        if name in frame:
            frame[name] = pandas.to_datetime(frame[name])
    return frame


def _cell(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _text(value: Period | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _metric(metric: model.Metric) -> Metric:
    return Metric(
        id=metric.id,
        label=metric.label,
        label_zh=metric.label_zh,
        topic=metric.topic,
        unit=metric.unit.value,
        industry=metric.industry,
        description=metric.description,
        aliases=tuple(metric.aliases),
        tags=tuple(metric.tags),
        observation_count=len(metric.observations),
    )


def _observation(metric: model.Metric, observation: model.Observation) -> Observation:
    place = when(observation)
    conversion = observation.conversion
    return Observation(
        metric=metric.id,
        label=metric.label,
        unit=metric.unit.value,
        value=observation.value,
        period=observation.period,
        period_start=place.start,
        period_end=place.end,
        period_kind=place.kind,
        as_of=observation.as_of,
        exactness=observation.exactness.value,
        status=observation.status.value,
        note=observation.note,
        sources=tuple(observation.sources),
        ref=observation.ref,
        converted_value=None if conversion is None else conversion.value,
        converted_unit=None if conversion is None else conversion.unit.value,
        supersedes=tuple(observation.supersedes),
        superseded_by=tuple(observation.superseded_by),
        conflicts_with=tuple(observation.conflicts_with),
    )


def _source(source: model.Source) -> Source:
    return Source(
        id=source.id,
        publisher=source.publisher,
        title=source.title,
        date=source.date,
        url=source.url,
        authors=tuple(source.authors),
        kind=None if source.kind is None else source.kind.value,
        undated=source.undated,
        read_at=source.read_at,
        checked=source.checked,
        note=source.note,
    )
