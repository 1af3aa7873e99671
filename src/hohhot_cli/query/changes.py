"""The one rule of computed changes, and a metric over time with them.

A change is computed only between two figures that can be compared (:func:`refusal`
returns None): figures with a period (an undated figure never takes part), of the
previous comparable period (:func:`~hohhot_cli.model.periods.previous_comparable`: the
same kind of period, a year before), of the same status class (:data:`STATUS_CLASSES`),
of the same exactness and neither a bound, neither from a secondary source unless both
are, and neither period with figures that conflict. Otherwise the point says why, in
plain words. Where a source reports the year-on-year rate of the same period
(:func:`rate_metric`), it is shown beside, marked as reported.
"""

from __future__ import annotations

import math

from hohhot_cli.model.facts import Exactness, FactBase, Measure, Metric, Observation, SourceKind, Status, Unit
from hohhot_cli.model.periods import previous_comparable
from hohhot_cli.model.value import replace
from hohhot_cli.query.latest import NEVER_LATEST, preferred
from hohhot_cli.query.results import Figure, Series, SeriesPoint

STATUS_CLASSES = {
    Status.ACTUAL: "final",
    Status.REVISED: "final",
    Status.PRELIMINARY: "provisional",
    Status.FIRST_PUBLISHED: "provisional",
    Status.ESTIMATE: "estimate",
    Status.REPORTED: "reported",
}
"""Statuses whose figures stand on one basis: final figures (actual, revised); provisional ones
(preliminary, and as first published before a revision); estimates; figures of no stated status.
Targets and outdated figures are in none: no change is computed from them."""

_STATUS_WORDS = {
    Status.ACTUAL: "is final",
    Status.REVISED: "is revised",
    Status.PRELIMINARY: "is preliminary",
    Status.FIRST_PUBLISHED: "is as first published",
    Status.ESTIMATE: "is an estimate",
    Status.REPORTED: "has no stated status",
    Status.TARGET: "is a target",
    Status.OUTDATED: "is outdated",
}

_EXACTNESS_WORDS = {
    Exactness.EXACT: "is exact",
    Exactness.APPROXIMATE: "is approximate",
    Exactness.LOWER_BOUND: "is a lower bound",
    Exactness.UPPER_BOUND: "is an upper bound",
}

_BOUNDS = (Exactness.LOWER_BOUND, Exactness.UPPER_BOUND)

# Rates, ranks and temperatures change by points, places and degrees: a percent of them means nothing.
_NO_RELATIVE_CHANGE = (
    Unit.PERCENT,
    Unit.PERCENTAGE_POINTS,
    Unit.PER_1000,
    Unit.PER_100,
    Unit.RANK,
    Unit.CELSIUS,
)


def secondary(base: FactBase, observation: Observation) -> bool:
    """True for a figure that rests on secondary sources only."""
    kinds = [base.source_by_id[ref].kind for ref in observation.sources if ref in base.source_by_id]
    return bool(kinds) and all(kind is SourceKind.SECONDARY for kind in kinds)


def refusal(base: FactBase, now: Observation, before: Observation) -> str | None:
    """Why no change is computed from ``before`` to ``now``, in plain words; None when one may be.

    Each figure's traits that stand in the way are named: ``not computed: the 2024 figure has
    no stated status and comes from a secondary source; the 2023 figure is preliminary``.
    """
    traits: tuple[list[str], list[str]] = ([], [])
    pair = (now, before)
    if now.period is None or before.period is None:
        return "not computed: a figure without a period is never compared"
    classes = [STATUS_CLASSES.get(o.status) for o in pair]
    if None in classes or classes[0] != classes[1]:
        for found, o in zip(traits, pair, strict=True):
            found.append(_STATUS_WORDS[o.status])
    if now.exactness is not before.exactness or now.exactness in _BOUNDS:
        for found, o in zip(traits, pair, strict=True):
            if o.exactness is not Exactness.EXACT:
                found.append(_EXACTNESS_WORDS[o.exactness])
    kinds = [secondary(base, o) for o in pair]
    if kinds[0] != kinds[1]:
        for found, is_secondary in zip(traits, kinds, strict=True):
            if is_secondary:
                found.append("comes from a secondary source")
    for found, o in zip(traits, pair, strict=True):
        if o.conflicts_with:
            found.append("conflicts with another figure for its period")
    if not traits[0] and not traits[1]:
        return None
    said = [f"the {o.period} figure {_joined(found)}" for found, o in zip(traits, pair, strict=True) if found]
    return "not computed: " + "; ".join(said)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rate_metric(base: FactBase, metric: Metric) -> Metric | None:
    """The metric of the year-on-year rate reported for a level: ``X.growth`` (``gdp.growth`` for ``gdp.total``)."""
    if metric.measure not in (Measure.LEVEL, Measure.COUNT):
        return None
    names = [f"{metric.id}.growth"]
    if metric.id.endswith(".total"):
        names.append(f"{metric.id.removesuffix('.total')}.growth")
    for name in names:
        found = base.metric_by_id.get(name)
        if found is not None and found.measure is Measure.YOY_RATE:
            return found
    return None


def series(base: FactBase, metric: Metric) -> Series:
    """A metric over time with the change from each previous comparable period, and any reported rate."""
    by_period: dict[str, list[Observation]] = {}
    for observation in metric.observations:
        if observation.period is not None and observation.status not in NEVER_LATEST:
            by_period.setdefault(observation.period, []).append(observation)
    rates = rate_metric(base, metric)
    rate_by_period: dict[str, list[Observation]] = {}
    for rate in rates.observations if rates is not None else ():
        if rate.period is not None and rate.status not in NEVER_LATEST:
            rate_by_period.setdefault(rate.period, []).append(rate)
    points = []
    for observation in metric.observations:
        point = _point(base, metric, observation, by_period)
        reported = preferred(rate_by_period.get(observation.period or "", ()))
        if reported is not None and rates is not None and observation.status not in NEVER_LATEST:
            point = replace(point, reported=Figure(rates, reported))
        points.append(point)
    return Series(metric, tuple(points))


def _point(
    base: FactBase, metric: Metric, observation: Observation, by_period: dict[str, list[Observation]]
) -> SeriesPoint:
    if observation.period is None or observation.status in NEVER_LATEST:
        return SeriesPoint(observation, None, None, None, False)
    previous_period = previous_comparable(observation.period)
    candidates = by_period.get(previous_period, []) if previous_period else []
    if not candidates or previous_period is None:
        return SeriesPoint(observation, None, None, None, False)
    # Of several figures for the previous period (as first published and revised), the most
    # final of those it may be compared with; failing that, the most final one, to say why not.
    comparable = [c for c in candidates if refusal(base, observation, c) is None]
    previous = preferred(comparable or candidates)
    assert previous is not None  # candidates is not empty
    reason = refusal(base, observation, previous)
    if reason is not None:
        return SeriesPoint(observation, previous_period, None, None, False, reason)
    change = tidy(observation.value - previous.value)
    percent = None
    if metric.unit not in _NO_RELATIVE_CHANGE and previous.value != 0:
        percent = change / abs(previous.value) * 100
        # From a vanishingly small value there is no meaningful percent.
        percent = tidy(percent) if math.isfinite(percent) else None
    approximate = observation.exactness is Exactness.APPROXIMATE
    return SeriesPoint(observation, previous_period, change, percent, approximate)


def tidy(number: int | float) -> int | float:
    """A computed number without float noise (-0.8, not -0.7999999999999998): 12 significant digits.

    The base's figures have a few significant digits each, so a difference of two
    of them loses nothing at twelve; tables print it as it is.
    """
    return number if isinstance(number, int) else float(f"{number:.12g}")
