"""Warnings about a valid fact base: what a maintainer should look at, never an error.

``hohhot validate`` prints them after the problems; they change the exit status
only with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hohhot_cli.model.errors import Problem
from hohhot_cli.model.facts import FactBase, SourceKind
from hohhot_cli.model.periods import parse_date

STALE_AFTER = timedelta(days=365)
"""An address not checked for longer than this before the base's ``updated`` date is stale."""


def lint(base: FactBase) -> list[Problem]:
    """Every warning about ``base``, in file order of what it concerns."""
    warnings: list[Problem] = []

    def warn(place: str, message: str) -> None:
        warnings.append(Problem(base.path, place, message))

    updated = parse_date(base.updated).start if base.updated else None
    for source in base.sources:
        place = f"sources ({source.id})"
        if (source.url or source.read_at) and source.checked is None:
            warn(place, "its address carries no 'checked' date")
        elif source.checked and updated and parse_date(source.checked).end < updated - STALE_AFTER:
            warn(place, f"its address was last checked on {source.checked}, over a year before {base.updated}")
    secondary = {s.id for s in base.sources if s.kind is SourceKind.SECONDARY}
    topics = {t.id for t in base.topics}
    for metric in base.metrics:
        place = f"metrics ({metric.id})"
        if base.topics and metric.topic not in topics:
            warn(place, f"topic {metric.topic!r} has no [[topics]] entry with its names")
        if base.schema_version >= 2 and not metric.label_zh:
            warn(place, "no 'label_zh' (the Chinese term)")
        if len(metric.observations) == 1 and metric.observations[0].period is None:
            warn(place, "a single observation and no period: nothing dates it but its source")
        by_ref = {o.ref: o for o in metric.observations}
        for observation in metric.observations:
            where = f"{place}.observations ({observation.ref})"
            if all(ref in secondary for ref in observation.sources):
                warn(where, f"rests on a secondary source only ({', '.join(observation.sources)})")
            # Once per group of figures that differ, when none of them says why.
            related = [*observation.supersedes, *observation.superseded_by, *observation.conflicts_with]
            if (
                related
                and observation.ref < min(related)
                and not any(by_ref[r].note for r in [observation.ref, *related])
            ):
                warn(where, "differs from other figures for the same period, and none has a note saying why")
    _check_added(base, warn)
    return warnings


def _check_added(base: FactBase, warn: Callable[[str, str], None]) -> None:
    """An entry added before its source appeared; one without ``added`` in a base that dates the others."""
    figures = ((f"metrics ({m.id}).observations ({o.ref})", o) for m in base.metrics for o in m.observations)
    entries = [
        *((place, o.added, o.sources) for place, o in figures),
        *((f"facts ({f.id})", f.added, f.sources) for f in base.facts),
    ]
    dating = any(added for _, added, _ in entries)
    for place, added, sources in entries:
        if added is None:
            if dating:
                warn(place, "no 'added' date, so hohhot changes never lists it")
            continue
        for ref in sources:
            source = base.source_by_id[ref]
            if parse_date(added).start < parse_date(source.date).start:
                warn(place, f"added on {added}, before its source {ref} appeared ({source.date})")
