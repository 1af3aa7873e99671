"""A metric's observations in order, with their refs and the links between figures of one period."""

from __future__ import annotations

import datetime as _dt

from hohhot_cli.model.facts import STATUS_PREFERENCE, Exactness, Observation, Status
from hohhot_cli.model.periods import parse_period
from hohhot_cli.model.value import replace


def chronological(observation: Observation) -> tuple[_dt.date, _dt.date]:
    """The order of a metric's observations: the start and end of what dates each."""
    span = parse_period(observation.period if observation.period is not None else str(observation.as_of))
    return (span.start, span.end)


def link(metric_id: str, observations: list[Observation]) -> tuple[Observation, ...]:
    """The observations with their refs, and which of one period supersede or conflict with which.

    A ref is ``gdp.total@2021`` for a period, ``gdp.total@as-of-2024-05-28`` for a figure
    its source does not date, with ``#1``, ``#2`` (in file order) where there are several.
    Of several figures for one period (or one as-of date) that differ, the most final
    status (:data:`STATUS_PREFERENCE`) supersedes the others; figures as final as each
    other that differ conflict. Figures that can both be true (:func:`consistent`: a
    lower bound of 400 beside an exact 410.708) neither supersede nor conflict. Targets
    stand apart: a goal is not replaced by an outcome.
    """
    # A figure dated only by its source (as_of 2024) is not a figure for the period 2024.
    keys = [o.period if o.period is not None else f"as-of-{o.as_of}" for o in observations]
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    refs = [""] * len(observations)
    for key, members in groups.items():
        for number, index in enumerate(members, start=1):
            refs[index] = f"{metric_id}@{key}" + (f"#{number}" if len(members) > 1 else "")
    links: list[dict[str, list[str]]] = [{} for _ in observations]
    for members in groups.values():
        _link_group(observations, members, refs, links)
    return tuple(
        replace(
            observation,
            ref=refs[index],
            supersedes=tuple(links[index].get("supersedes", ())),
            superseded_by=tuple(links[index].get("superseded_by", ())),
            conflicts_with=tuple(links[index].get("conflicts_with", ())),
        )
        for index, observation in enumerate(observations)
    )


def _link_group(
    observations: list[Observation], members: list[int], refs: list[str], links: list[dict[str, list[str]]]
) -> None:
    """The links among the figures of one period (``members``, indexes into ``observations``)."""
    ranked = [i for i in members if observations[i].status is not Status.TARGET]
    if len({observations[i].value for i in ranked}) < 2:
        return  # one figure, or sources that agree
    rank = {i: STATUS_PREFERENCE.index(observations[i].status) for i in ranked}
    for i in ranked:
        for j in ranked:
            if i == j or consistent(observations[i], observations[j]):
                continue
            relation = "supersedes" if rank[i] < rank[j] else "superseded_by" if rank[i] > rank[j] else "conflicts_with"
            links[i].setdefault(relation, []).append(refs[j])


_LOWER = (Exactness.LOWER_BOUND,)
_UPPER = (Exactness.UPPER_BOUND,)


def consistent(first: Observation, second: Observation) -> bool:
    """True when two figures of one period can both be true: the same value, or bounds the other meets.

    A lower bound ("over 400") is met by any figure at or above it that is not an upper bound
    below it; an upper bound ("under 500") by any figure at or below it; a lower and an upper
    bound are consistent when the lower is at or below the upper; two lower bounds (or two
    upper bounds) always are, the higher (lower) one saying more. Two exact or approximate
    figures that differ are not.
    """
    if first.value == second.value:
        return True
    kinds = (first.exactness, second.exactness)
    if Exactness.LOWER_BOUND not in kinds and Exactness.UPPER_BOUND not in kinds:
        return False
    if kinds[0] == kinds[1]:
        return True  # over 380 and over 400; under 500 and under 450
    lower = [o.value for o in (first, second) if o.exactness in _LOWER]
    upper = [o.value for o in (first, second) if o.exactness in _UPPER]
    others = [o.value for o in (first, second) if o.exactness not in (*_LOWER, *_UPPER)]
    if lower and upper:
        return lower[0] <= upper[0]
    if lower:
        return others[0] >= lower[0]
    return others[0] <= upper[0]
