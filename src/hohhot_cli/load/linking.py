"""A metric's observations in order, with their refs and the links between figures of one period."""

from __future__ import annotations

import datetime as _dt

from hohhot_cli.model.facts import STATUS_PREFERENCE, Observation, Status
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
    other that differ conflict. Targets stand apart: a goal is not replaced by an outcome.
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
            if i == j or observations[i].value == observations[j].value:
                continue
            relation = "supersedes" if rank[i] < rank[j] else "superseded_by" if rank[i] > rank[j] else "conflicts_with"
            links[i].setdefault(relation, []).append(refs[j])
