"""What a name on the command line means: a metric id, a topic, an alias, a ref, or an old id that moved.

Every command that takes a metric (``metric``, ``compare``, ``show``, ``cite``) resolves
its names here, so an old id (``talent.graduates_target``) or an old ref
(``gdp.growth@2016/2020``) listed in a metric's ``moved_from`` leads to the new place
everywhere, and the result says which old name it was asked by.

A ref names figures of a metric: ``gdp.total@2023`` every figure of 2023 (however many
there are, so that it stays true when a figure is added), ``gdp.total@2024#1`` the first
of several in file order, ``gdp.total@as-of-2024-05-28`` a figure its source does not date.
"""

from __future__ import annotations

from hohhot_cli.model.errors import NotFoundError
from hohhot_cli.model.facts import FactBase, Metric
from hohhot_cli.model.periods import PeriodError, Span, parse_period
from hohhot_cli.model.value import Value, replace, value
from hohhot_cli.query.results import Moved


@value
class Named(Value):
    """A metric a name leads to, with the figures it picks and the old name it was asked by."""

    metric: Metric
    """The whole metric."""
    refs: tuple[str, ...] | None = None
    """The refs of the figures a ref picks; None for the whole metric."""
    moved: Moved | None = None
    """The old id or ref asked, when the name reached the metric through ``moved_from``."""

    def shown(self) -> Metric:
        """The metric with only the figures the name picks."""
        if self.refs is None:
            return self.metric
        return replace(self.metric, observations=tuple(o for o in self.metric.observations if o.ref in self.refs))


def suggest(query: str, candidates: list[str]) -> list[str]:
    """Up to three candidates close to ``query``: near spellings, then prefixes."""
    from difflib import get_close_matches  # only on the not-found path

    lowered = query.casefold()
    prefixed = [c for c in candidates if c.startswith(lowered) or lowered.startswith(c + ".")]
    # Near spellings share the first letter: difflib alone offers 'income' for 'nope'.
    close = [c for c in get_close_matches(lowered, candidates, n=3, cutoff=0.6) if c[:1] == lowered[:1]]
    suggestions: list[str] = []
    for candidate in close + prefixed:
        if candidate not in suggestions:
            suggestions.append(candidate)
    return suggestions[:3]


def moved_ids(base: FactBase) -> list[str]:
    """The old metric ids (not refs) that lead somewhere."""
    return [old for old in base.moved if "@" not in old]


def resolve(base: FactBase, query: str) -> tuple[Named, ...]:
    """What one name leads to: an exact id, a ref, an old id, a topic prefix (``gdp``), an alias or a label.

    Raises :class:`NotFoundError` with the closest names when nothing matches.
    """
    wanted = query.strip().casefold()
    if "@" in wanted:
        return (resolve_ref(base, query),)
    exact = base.metric_by_id.get(wanted)
    if exact is not None:
        return (Named(exact),)
    new = base.moved.get(wanted)
    if new is not None:
        return (Named(base.metric_by_id[new], moved=Moved(wanted, new)),)
    by_alias = [m for m in base.metrics if wanted in {n.casefold() for n in (*m.aliases, m.label, m.label_zh) if n}]
    prefixed = tuple(Named(m) for m in base.metrics if m.id.startswith(wanted + "."))
    if prefixed:
        return prefixed
    if by_alias:
        return tuple(Named(m) for m in by_alias)
    topics = sorted({m.topic for m in base.metrics})
    names = [m.id for m in base.metrics] + topics + [a.casefold() for m in base.metrics for a in m.aliases]
    raise NotFoundError("metric", query, suggest(wanted, names + moved_ids(base)))


def resolve_ref(base: FactBase, query: str) -> Named:
    """The figures a ref names (through ``moved_from`` when it is an old one); an unknown ref suggests close ones."""
    metric_part, _, key = query.strip().partition("@")
    metric_id = metric_part.strip().casefold()
    key_part, hash_mark, number = key.partition("#")
    asked = f"{metric_id}@{key_part}"
    moves = {old.casefold(): new for old, new in base.moved.items()}
    moved: Moved | None = None
    target = moves.get(asked.casefold())
    if target is None and metric_id in base.moved:  # the whole metric moved: its refs with it
        target = f"{base.moved[metric_id]}@{key_part}"
    if target is not None:
        moved = Moved(asked + hash_mark + number, target + hash_mark + number)
    new_id, _, new_key = (target or asked).partition("@")
    metric = base.metric_by_id.get(new_id) or _named_metric(base, new_id)
    if metric is None:  # the figures of that period of the metrics spelled alike, else those metrics
        close = suggest(metric_id, [m.id for m in base.metrics] + moved_ids(base))
        refs = [o.ref for c in close if c in base.metric_by_id for o in base.metric_by_id[c].observations]
        of_period = [r for r in refs if r.partition("@")[2].partition("#")[0].casefold() == key_part]
        raise NotFoundError("figure", query.strip(), of_period[:3] or close)
    ref = f"{metric.id}@{new_key}{hash_mark}{number}".casefold()
    picked = tuple(o.ref for o in metric.observations if _names(ref, o.ref))
    if not picked:
        refs = [o.ref for o in metric.observations]
        groups = sorted({r.partition("#")[0] for r in refs})
        raise NotFoundError("figure", query.strip(), _suggest_refs(ref, refs, groups))
    return Named(metric, picked, moved)


def _named_metric(base: FactBase, name: str) -> Metric | None:
    """The one metric an alias or a label (either language) names, for the part of a ref before ``@``."""
    named = [m for m in base.metrics if name in {n.casefold() for n in (*m.aliases, m.label, m.label_zh) if n}]
    return named[0] if len(named) == 1 else None


def _names(ref: str, found: str) -> bool:
    """Whether a (casefolded) ref names a figure's ref: itself, or one of several of its period."""
    folded = found.casefold()
    return folded == ref or folded.startswith(ref + "#")


def _suggest_refs(ref: str, refs: list[str], groups: list[str]) -> list[str]:
    """Close refs of the metric: the figures of the period asked when it has several, else the nearest periods."""
    group = ref.partition("#")[0]
    numbered = [r for r in refs if r.casefold().startswith(group + "#")]
    if numbered:
        return numbered[:3]
    asked = _span(group.partition("@")[2])
    if asked is None:
        from difflib import get_close_matches

        return get_close_matches(ref, sorted(set(groups) | set(refs)), n=3, cutoff=0.6)
    spans = {g: _span(g.partition("@")[2]) for g in groups}
    alike = [g for g, span in spans.items() if span is not None and span.granularity == asked.granularity]

    def distance(g: str) -> tuple[int, str]:
        span = spans[g]
        return (abs((span.start - asked.start).days) if span is not None else 1 << 30, g)

    return sorted(alike or groups, key=distance)[:3]


def _span(key: str) -> Span | None:
    """The calendar span of what follows the ``@`` of a ref (a period, or ``as-of-DATE``), or None."""
    try:
        return parse_period(key.casefold().removeprefix("as-of-").upper())
    except PeriodError:
        return None


def resolve_all(base: FactBase, queries: list[str]) -> tuple[Named, ...]:
    """Every metric any query leads to, each once (a later ref of one adds its figures), in the order asked."""
    found: dict[str, Named] = {}
    for query in queries:
        for named in resolve(base, query):
            earlier = found.get(named.metric.id)
            if earlier is None:
                found[named.metric.id] = named
            elif earlier.refs is not None:
                refs = None if named.refs is None else (*earlier.refs, *named.refs)
                found[named.metric.id] = Named(named.metric, refs, earlier.moved or named.moved)
    return tuple(found.values())
