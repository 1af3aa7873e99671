"""When an observation is, in machine terms, and which observations a filter keeps.

Every observation is placed on the calendar the same way everywhere: its period
(or, for a figure its source does not date, its ``as_of`` date) gives a first
day, a last day and a kind. The kinds are those of :func:`periods.parse_period`
plus ``as_of``. Filters (``--period``, ``--since``, ``--until``, ``--kind``) and
the one rule of "latest" (:func:`hohhot_cli.query.latest.latest_observation`) read
these, never the strings.
"""

from __future__ import annotations

from datetime import date

from hohhot_cli.model.errors import UsageError
from hohhot_cli.model.facts import Observation
from hohhot_cli.model.periods import PeriodError, parse_date, parse_period
from hohhot_cli.model.value import Value, value

PERIOD_KINDS = ("year", "half", "quarter", "month", "year_to_date", "day", "span", "as_of")
"""Every ``period_kind``: the granularities of the period grammar, and ``as_of`` for an undated figure."""

PART_YEAR_KINDS = frozenset({"half", "quarter", "month", "year_to_date"})
"""Kinds that cover part of a year: "latest" prefers a full year to these."""


@value
class When(Value):
    """An observation's place on the calendar."""

    start: date
    """First day covered (for ``as_of``: the first day the date can mean)."""
    end: date
    """Last day covered (for ``as_of``: the last day the date can mean)."""
    kind: str
    """One of :data:`PERIOD_KINDS`."""


def when(observation: Observation) -> When:
    """The calendar place of an observation: its period, else its ``as_of`` date."""
    if observation.period is not None:
        span = parse_period(observation.period)
        return When(span.start, span.end, span.granularity)
    span = parse_date(str(observation.as_of))
    return When(span.start, span.end, "as_of")


def is_part_year(observation: Observation) -> bool:
    """True for a half, quarter, month or year to date."""
    return when(observation).kind in PART_YEAR_KINDS


@value
class PeriodFilter(Value):
    """``--period``, ``--since``, ``--until`` and ``--kind``: which observations to keep."""

    period: str | None = None
    """Keep figures of exactly this period (``2023``, ``2024-H1``) or as-of date."""
    since: date | None = None
    """Keep figures that end on or after this day."""
    until: date | None = None
    """Keep figures that start on or before this day."""
    kind: str | None = None
    """Keep figures of this kind only."""

    @classmethod
    def parse(
        cls, period: str | None = None, since: str | None = None, until: str | None = None, kind: str | None = None
    ) -> PeriodFilter:
        """Read the options as typed; a period that does not parse is a usage error."""
        if kind is not None and kind not in PERIOD_KINDS:
            raise UsageError(f"--kind {kind!r} is not one of: {', '.join(PERIOD_KINDS)}")
        return cls(
            _checked("--period", period),
            _bound("--since", since, start=True),
            _bound("--until", until, start=False),
            kind,
        )

    @property
    def active(self) -> bool:
        """True when any option was given."""
        return any(x is not None for x in (self.period, self.since, self.until, self.kind))

    def keeps(self, observation: Observation) -> bool:
        """Whether the observation passes every option given."""
        if not self.active:
            return True
        place = when(observation)
        if self.period is not None and observation.dated != self.period:
            return False
        if self.since is not None and place.end < self.since:
            return False
        if self.until is not None and place.start > self.until:
            return False
        return self.kind is None or place.kind == self.kind


def _checked(option: str, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        parse_period(text)
    except PeriodError as error:
        raise UsageError(f"{option}: {error}") from None
    return text


def _bound(option: str, text: str | None, start: bool) -> date | None:
    if _checked(option, text) is None or text is None:
        return None
    span = parse_period(text)
    return span.start if start else span.end
