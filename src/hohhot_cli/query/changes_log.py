"""What is new in the fact base: the figures and facts it took in between two dates.

Every figure and fact may carry ``added``, the day it entered the base. Between two days
(``hohhot changes --since D --until D``; by default from the base's ``updated`` date,
the day of its latest release, on):

- a figure added then is ``revised`` when it supersedes a figure of the same period
  that was in the base before it or came in the same day (its ``supersedes``), else
  ``added``;
- a figure in the base before then (or of no known date) is ``superseded`` when a
  figure added then supersedes it; its date is that of the first such figure;
- a fact added then is ``added``.

Entries of no known date are never listed: nothing says when they came. The list is
newest first; of one day, figures in the order of the file, then facts.
"""

from __future__ import annotations

from types import MappingProxyType

from hohhot_cli.model.errors import UsageError
from hohhot_cli.model.facts import Fact, FactBase, Metric, Observation
from hohhot_cli.model.periods import PeriodError, parse_date
from hohhot_cli.model.value import Frozen
from hohhot_cli.model.value import value as result
from hohhot_cli.query.results import Cited, Figure

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable

ADDED, REVISED, SUPERSEDED = "added", "revised", "superseded"
"""What happened to a figure or fact: the values of :attr:`Change.what`."""


@result
class Change(Frozen):
    """One figure or fact that came into the base, or that a new figure superseded."""

    date: str
    """The day it happened (ISO): the figure's or fact's ``added`` date, or that of the figure superseding it."""
    what: str
    """:data:`ADDED`, :data:`REVISED` or :data:`SUPERSEDED`."""
    figure: Figure | None = None
    """The figure, with its metric; None for a fact."""
    fact: Fact | None = None
    """The fact; None for a figure."""
    related: tuple[Figure, ...] = ()
    """For a revision, the figures it supersedes; for a superseded figure, those that supersede it."""


@result
class ChangesResult(Frozen):
    """``hohhot changes``: what the base took in between two days."""

    since: str
    """The first day (ISO) of the window."""
    until: str | None
    """The last day (ISO), or None for no end."""
    changes: tuple[Change, ...]
    """Newest first."""
    cited: Cited
    """The sources of every figure and fact listed."""
    since_updated: bool = False
    """True when ``since`` is the base's ``updated`` date, taken for want of ``--since``."""


def _day(option: str, text: str, first: bool) -> str:
    """The first (or last) day of a date given as ``2026``, ``2026-12`` or ``2026-12-08``."""
    try:
        span = parse_date(text)
    except PeriodError as error:
        raise UsageError(f"{option}: {error}") from None
    return (span.start if first else span.end).isoformat()


def changes(base: FactBase, since: str | None = None, until: str | None = None) -> ChangesResult:
    """The figures and facts added, revised or superseded from ``since`` to ``until`` (see the module).

    ``since`` defaults to the base's ``updated`` date; either may be a year or month (its first or last day).
    """
    start = _day("--since", since, True) if since is not None else base.updated
    end = _day("--until", until, False) if until is not None else None
    if end is not None and end < start:
        raise UsageError(f"--until {until} is before --since {since or base.updated}")

    def within(day: str | None) -> bool:
        return day is not None and day >= start and (end is None or day <= end)

    found = [change for metric in base.metrics for change in _figure_changes(metric, within)]
    found += [Change(str(f.added), ADDED, fact=f) for f in base.facts if within(f.added)]
    found.sort(key=lambda c: c.date, reverse=True)  # stable: file order within a day, figures before facts
    wanted = {ref for c in found for f in (c.figure, *c.related) if f for ref in f.observation.sources}
    wanted.update(ref for c in found if c.fact for ref in c.fact.sources)
    cited = MappingProxyType({s.id: s for s in base.sources if s.id in wanted})
    return ChangesResult(start, end, tuple(found), cited, since is None)


def _figure_changes(metric: Metric, within: Callable[[str | None], bool]) -> list[Change]:
    """The changes among one metric's figures, in file order."""
    by_ref = {o.ref: o for o in metric.observations}
    out = []
    for observation in metric.observations:
        if within(observation.added):
            earlier = [by_ref[r] for r in observation.supersedes if r in by_ref and _before(by_ref[r], observation)]
            what = REVISED if earlier else ADDED
            figure = Figure(metric, observation)
            out.append(Change(str(observation.added), what, figure, None, _figures(metric, earlier)))
            continue
        newer = [by_ref[r] for r in observation.superseded_by if r in by_ref and within(by_ref[r].added)]
        day = min((str(n.added) for n in newer), default=None)
        # Superseded then only if it was there before: not a figure that came after the window.
        if day is not None and (observation.added is None or observation.added < day):
            out.append(Change(day, SUPERSEDED, Figure(metric, observation), None, _figures(metric, newer)))
    return out


def _before(old: Observation, new: Observation) -> bool:
    """Whether ``old`` was in the base before ``new`` came, or came the same day (an unknown date is before)."""
    return old.added is None or (new.added is not None and old.added <= new.added)


def _figures(metric: Metric, observations: list[Observation]) -> tuple[Figure, ...]:
    return tuple(Figure(metric, o) for o in observations)
