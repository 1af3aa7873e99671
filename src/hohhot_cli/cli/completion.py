"""Shell completion of ids: metrics, topics, industries, sources and any id, from the base the command line names."""

from pathlib import Path

import typer

from hohhot_cli.cli.registry import invocation
from hohhot_cli.model.errors import HohhotError
from hohhot_cli.model.facts import FactBase

# -- completion --------------------------------------------------------------


def _completion_base(context: typer.Context) -> FactBase | None:
    """The base the command line being completed names; None when it cannot be loaded."""
    run = invocation(context)
    params = context.find_root().params
    try:
        # While completing, click may leave an option's value as the text typed.
        run.configure(_text(params.get("facts")), bool(params.get("no_cache")))
        run.override(_text(context.params.get("facts")), bool(context.params.get("no_cache")))  # after the command
        return run.base()
    except HohhotError:
        return None


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, (str, Path)) else None


def complete_metric(ctx: typer.Context, incomplete: str) -> list[str]:
    """Metric ids and topics starting with what was typed (industry ids after ``compare --industries``)."""
    if ctx.params.get("industries"):
        return complete_industry(ctx, incomplete)
    base = _completion_base(ctx)
    if base is None:
        return []
    names = sorted({m.id for m in base.metrics} | {m.topic for m in base.metrics})
    return _with_refs_and_old_ids(base, [n for n in names if n.startswith(incomplete)], incomplete)


def _with_refs_and_old_ids(base: FactBase, found: list[str], incomplete: str) -> list[str]:
    """After ``ID@``, the refs of that metric's figures; where no current id fits, the old ids that moved."""
    if "@" in incomplete:
        metric = base.metric_by_id.get(incomplete.partition("@")[0])
        refs = [] if metric is None else [o.ref for o in metric.observations]
        groups = {r.partition("#")[0] for r in refs}
        old = [r for r in base.moved if "@" in r]
        return sorted(r for r in {*refs, *groups, *old} if r.startswith(incomplete))
    if found:
        return found
    return sorted(old for old in base.moved if "@" not in old and old.startswith(incomplete))


def complete_industry(ctx: typer.Context, incomplete: str) -> list[str]:
    """Industry ids starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else [i.id for i in base.industries if i.id.startswith(incomplete)]


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    """Source ids starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else [s.id for s in base.sources if s.id.startswith(incomplete)]


def complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    """Topics starting with what was typed."""
    base = _completion_base(ctx)
    return [] if base is None else sorted({m.topic for m in base.metrics if m.topic.startswith(incomplete)})



def complete_any_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Any id (metric, industry, source, fact, company) starting with what was typed; after ``METRIC@``, its refs."""
    from hohhot_cli.query.lookup import all_ids

    base = _completion_base(ctx)
    if base is None:
        return []
    return _with_refs_and_old_ids(base, [i for i in all_ids(base) if i.startswith(incomplete)], incomplete)

