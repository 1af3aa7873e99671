"""The one rule of "latest", and which of several figures of one period to show.

Every command that shows a metric's latest figure (``metric --latest``, ``metrics``,
the overview, industries' headlines, search, JSON ``latest``) asks
:func:`latest_observation`; every place that shows one figure of a period out of
several (a side-by-side comparison, a reported rate beside a change) asks
:func:`preferred`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from hohhot_cli.model.facts import STATUS_PREFERENCE, Exactness, FactBase, Metric, Observation, Status
from hohhot_cli.query.selection import is_part_year, when

NEVER_LATEST = (Status.TARGET, Status.OUTDATED)
"""Never a metric's latest while it has an outcome (an outdated figure never at all)."""

EXACTNESS_PREFERENCE = (Exactness.EXACT, Exactness.APPROXIMATE, Exactness.LOWER_BOUND, Exactness.UPPER_BOUND)
"""Of figures as final as each other for one period, the exact one first, then an approximate one, then a bound."""

DATED_BY_PERIOD, DATED_BY_SOURCE, UNDATED = 2, 1, 0
"""How well a figure is dated: by its period; by the date of the source that gives it (``as_of``);
by nothing but the earliest date an undated source can have (``as_of`` of an undated source)."""


def dating(base: FactBase, observation: Observation) -> int:
    """How well a figure is dated: :data:`DATED_BY_PERIOD`, :data:`DATED_BY_SOURCE` or :data:`UNDATED`."""
    if observation.period is not None:
        return DATED_BY_PERIOD
    sources = [base.source_by_id[ref] for ref in observation.sources if ref in base.source_by_id]
    if sources and all(s.undated for s in sources):
        return UNDATED
    return DATED_BY_SOURCE


def is_undated(observation: Observation) -> bool:
    """A figure without a period: its ``as_of`` is the date of its source, not the period it describes."""
    return observation.period is None


def standing(observation: Observation) -> tuple[int, int]:
    """Larger is preferred: the most final status first, then exact before approximate before a bound."""
    return (-STATUS_PREFERENCE.index(observation.status), -EXACTNESS_PREFERENCE.index(observation.exactness))


def preferred(observations: Iterable[Observation]) -> Observation | None:
    """Of figures for one period, the one to show: most final status, then most exact, then the last in the file."""
    best: Observation | None = None
    for observation in observations:
        if best is None or standing(observation) >= standing(best):
            best = observation
    return best


def outcome_pool(metric: Metric) -> list[Observation]:
    """The figures "latest" chooses from: outcomes, or the targets of a metric made of nothing but goals."""
    outcomes = [o for o in metric.observations if o.status not in NEVER_LATEST]
    return outcomes or [o for o in metric.observations if o.status is Status.TARGET]


def latest_observation(base: FactBase, metric: Metric, any_period: bool = False) -> Observation | None:
    """The one definition of a metric's latest observation, used by every command.

    1. Outcomes only: a target or an outdated figure is never the latest while
       anything else exists. A metric made only of goals falls back to its most
       recent target (its records say ``"status": "target"``); outdated figures never.
    2. Dated first: a figure without a period (``as_of``) is never the latest while the
       metric has a figure with a period, and one whose only source is undated (its
       ``as_of`` only the earliest date the source can have) never while any other exists.
    3. Full years first: when a metric has a full-year figure (or one dated by a day,
       a span of years or an ``as_of`` date), a half, quarter, month or year to date is
       not its latest; ``any_period`` lifts this rule.
    4. The newest: the figure whose period ends last (an ``as_of`` figure counts by its date).
    5. Of several for that period, the most final status (:data:`STATUS_PREFERENCE`), then
       the most exact (an exact figure before an approximate one, before a bound), then the
       last in the file.
    """
    pool = outcome_pool(metric)
    if not pool:
        return None
    best = max(dating(base, o) for o in pool)
    pool = [o for o in pool if dating(base, o) == best]
    if not any_period:
        pool = [o for o in pool if not is_part_year(o)] or pool
    order = {id(o): n for n, o in enumerate(metric.observations)}

    def rank(o: Observation) -> tuple[date, date, tuple[int, int], int]:
        place = when(o)
        return (place.end, place.start, standing(o), order[id(o)])

    return max(pool, key=rank)
