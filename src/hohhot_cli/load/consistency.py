"""Checks across a metric's observations and across metrics, once every metric is read.

One measure per metric (a year-on-year rate never beside an average over a span of
years), a rank that says among what, targets that aim at a metric of the same unit,
and ``moved_from`` entries that name one new place each. Each problem is reported on
the :class:`~hohhot_cli.load.fields.FieldReader` that read the file.
"""

from __future__ import annotations

from collections.abc import Iterable

from hohhot_cli.load.fields import DOTTED_ID, FieldReader
from hohhot_cli.model.facts import Industry, Measure, Metric, Status, Unit
from hohhot_cli.model.periods import PeriodError, parse_date, parse_period


def is_span_of_years(period: str | None) -> bool:
    """True for a range of whole years (``2016/2020``): what an average yearly rate covers."""
    if period is None or "/" not in period:
        return False
    first, _, last = period.partition("/")
    return parse_period(first).granularity == parse_period(last).granularity == "year"


def _place(reader: FieldReader, metric: Metric) -> tuple[str, int | None]:
    return f"metrics ({metric.id})", reader.line_of_id("id", metric.id)


def check_metrics(reader: FieldReader, metrics: list[Metric]) -> None:
    """Measures, ranks and targets, metric by metric."""
    by_id = {m.id: m for m in metrics}
    for metric in metrics:
        place, line = _place(reader, metric)
        for message in _measure_problems(metric, reader.version):
            reader.problem(place, message, line)
        aimed = by_id.get(metric.aims_at or "")
        if metric.aims_at is None:
            continue
        if any(o.status is not Status.TARGET for o in metric.observations):
            reader.problem(f"{place}.aims_at", "only a metric of targets aims at another", line)
        if metric.aims_at == metric.id:
            reader.problem(f"{place}.aims_at", "a metric cannot aim at itself", line)
        elif aimed is not None and aimed.unit is not metric.unit:
            reader.problem(
                f"{place}.aims_at", f"aims at {aimed.id!r}, in {aimed.unit.value}, not {metric.unit.value}", line
            )


def _measure_problems(metric: Metric, version: int) -> Iterable[str]:
    measure = metric.measure
    if (measure is Measure.RANK) != (metric.unit is Unit.RANK):
        yield f"a {measure.value} measure in {metric.unit.value}: a rank is measured in 'rank', and only a rank"
    if measure is Measure.RANK and version >= 3 and not metric.among:
        yield "a rank needs 'among': what it ranks among (the 27 provincial capitals)"
    if metric.among is not None and measure is not Measure.RANK:
        yield "only a rank has 'among'"
    for observation in metric.observations:
        span = is_span_of_years(observation.period)
        # A target's period is when it is to be met: an average rate aimed at "by 2027" may give that year alone.
        goal = observation.status is Status.TARGET
        if measure is Measure.YOY_RATE and span:
            yield (
                f"a year-on-year rate cannot have a figure for the span {observation.period}: "
                "an average over a span of years is a metric of its own (measure = 'average_rate')"
            )
        elif measure is Measure.AVERAGE_RATE and observation.period is not None and not span and not goal:
            yield (
                f"an average rate over a span of years cannot have a figure for {observation.period}: "
                "a rate of one period is a metric of its own (measure = 'yoy_rate')"
            )


def check_headlines(reader: FieldReader, industries: list[Industry], metrics: list[Metric]) -> None:
    """An industry's headline is one of its own metrics (an unknown id is reported as a reference)."""
    by_id = {m.id: m for m in metrics}
    for industry in industries:
        metric = by_id.get(industry.headline or "")
        if metric is not None and metric.industry != industry.id:
            reader.problem(
                f"industries ({industry.id}).headline",
                f"{metric.id!r} is not a metric of {industry.id!r} (its industry is {metric.industry!r})",
                reader.line_of_id("id", industry.id),
            )


def check_moves(reader: FieldReader, metrics: list[Metric], fact_ids: set[str]) -> None:
    """Every old id or ref in ``moved_from`` is well formed, moves to one place, and names nothing now."""
    by_id = {m.id: m for m in metrics}
    owner: dict[str, str] = {}
    for metric in metrics:
        place, line = _place(reader, metric)
        for old in metric.moved_from:
            where = f"{place}.moved_from"
            problem = _move_problem(old, metric, by_id, fact_ids)
            if problem is None and owner.setdefault(old, metric.id) != metric.id:
                problem = f"{old!r} is moved to both {owner[old]!r} and {metric.id!r}"
            if problem is not None:
                reader.problem(where, problem, line)
    whole = {old: new for old, new in owner.items() if "@" not in old}
    for old, new in owner.items():
        old_metric = old.partition("@")[0]
        if "@" in old and old_metric in whole and whole[old_metric] != new:
            reader.problem(
                f"metrics ({new}).moved_from",
                f"{old!r} is moved to {new!r}, but all of {old_metric!r} is moved to {whole[old_metric]!r}",
                reader.line_of_id("id", new),
            )


def _move_problem(old: str, metric: Metric, by_id: dict[str, Metric], fact_ids: set[str]) -> str | None:
    """What is wrong with one ``moved_from`` entry of ``metric``, or None."""
    old_id, at, key = old.partition("@")
    if not DOTTED_ID.fullmatch(old_id) or (at and not _is_key(key)):
        return f"{old!r} is neither an old metric id ('gdp.growth') nor an old ref ('gdp.growth@2016/2020')"
    if old_id == metric.id:
        return f"{old!r} is this metric's own id"
    if not at:
        if old_id in by_id or old_id in fact_ids:
            return f"{old!r} still names a {'metric' if old_id in by_id else 'fact'}: an old id must name nothing now"
        return None
    if not any(_key(o.period, o.as_of) == key for o in metric.observations):
        return f"{old!r}: {metric.id!r} has no figure for {key} to be its new place"
    previous = by_id.get(old_id)
    if previous is not None and any(_key(o.period, o.as_of) == key for o in previous.observations):
        return f"{old!r} still names figures of {old_id!r}: an old ref must name nothing now"
    return None


def _key(period: str | None, as_of: str | None) -> str:
    """What follows the ``@`` of a ref: the period, or ``as-of-DATE``."""
    return period if period is not None else f"as-of-{as_of}"


def _is_key(key: str) -> bool:
    try:
        if key.startswith("as-of-"):
            parse_date(key.removeprefix("as-of-"))
        else:
            parse_period(key)
    except PeriodError:
        return False
    return True
