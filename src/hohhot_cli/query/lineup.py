"""Side-by-side comparisons: one period for every row.

``compare A B C`` lines the metrics up on the latest period they all have a figure for
(or the one ``--period`` asks for), by the rules of "latest": outcomes only (targets for
a metric made of nothing but goals), full years before parts of a year unless
``--any-period``, then the period that ends last. A figure its source does not date
lines up only with figures as of the same date, and one whose only source is undated
never. A metric without a figure for that period is a missing row, never shown with
another period; with no period shared, no row has a figure.
"""

from __future__ import annotations

from datetime import date

from hohhot_cli.model.facts import FactBase, Observation, Unit
from hohhot_cli.query.latest import UNDATED, dating, outcome_pool, preferred
from hohhot_cli.query.naming import Named
from hohhot_cli.query.results import Cited, SideBySide, SideBySideRow
from hohhot_cli.query.selection import PART_YEAR_KINDS, PeriodFilter, when

_NO_BAR_UNITS = (Unit.RANK,)  # a smaller rank is better: a bar would mislead


def line_key(observation: Observation) -> str:
    """What lines a figure up with others: its period, or ``as-of-DATE`` (never the same as a period)."""
    return observation.period if observation.period is not None else f"as-of-{observation.as_of}"


def _candidates(base: FactBase, named: Named, selection: PeriodFilter) -> dict[str, list[Observation]]:
    """A metric's figures that may line up, by :func:`line_key`."""
    kept = [o for o in outcome_pool(named.shown()) if selection.keeps(o) and dating(base, o) != UNDATED]
    found: dict[str, list[Observation]] = {}
    for observation in kept:
        found.setdefault(line_key(observation), []).append(observation)
    return found


def _newest(keys: set[str], figures: dict[str, list[Observation]], any_period: bool) -> str | None:
    """The period to compare: full years (and days, spans, dates) first unless ``any_period``, then the newest."""
    if not keys:
        return None
    place = {key: when(figures[key][0]) for key in keys}
    whole = {key for key in keys if place[key].kind not in PART_YEAR_KINDS}
    pool = keys if any_period or not whole else whole

    def order(key: str) -> tuple[date, date, bool, str]:
        return (place[key].end, place[key].start, not key.startswith("as-of-"), key)

    return max(pool, key=order)


def line_up(
    base: FactBase, names: tuple[Named, ...], cited: Cited, selection: PeriodFilter, any_period: bool
) -> SideBySide:
    """The metrics named, each with its figure for the period they share (see the module's rules)."""
    figures = [_candidates(base, named, selection) for named in names]
    if selection.period is not None:  # the period asked for, whoever has it
        had = {key for found in figures for key in found}
        as_of = f"as-of-{selection.period}"
        compared: str | None = as_of if as_of in had else selection.period
    else:
        shared = set(figures[0]) if figures else set()
        for found in figures[1:]:
            shared &= set(found)
        merged = {key: next(f[key] for f in figures if key in f) for key in shared}
        compared = _newest(shared, merged, any_period)
    chosen = [preferred(found.get(compared, ())) if compared is not None else None for found in figures]
    rows = _with_bars(names, chosen)
    return SideBySide(rows, cited, compared, selection.period is not None)


def _with_bars(names: tuple[Named, ...], chosen: list[Observation | None]) -> tuple[SideBySideRow, ...]:
    """Rows, with a bar for each figure among two or more of one unit (none for ranks or below zero)."""

    def scale(named: Named, observation: Observation | None) -> Unit | None:
        if observation is None or named.metric.unit in _NO_BAR_UNITS or observation.value < 0:
            return None
        return named.metric.unit

    groups: dict[Unit, list[float]] = {}
    for named, observation in zip(names, chosen, strict=True):
        unit = scale(named, observation)
        if unit is not None and observation is not None:
            groups.setdefault(unit, []).append(float(observation.value))
    rows = []
    for named, observation in zip(names, chosen, strict=True):
        unit = scale(named, observation)
        values = groups.get(unit, []) if unit is not None else []
        share = None
        if observation is not None and len(values) > 1 and max(values) > 0:
            share = float(observation.value) / max(values)
        rows.append(SideBySideRow(named.metric, observation, share, named.moved))
    return tuple(rows)
