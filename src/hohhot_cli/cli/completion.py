"""Shell completion: the scripts of each shell, and the ids (metrics, topics, industries, sources, any id) of
the base the command line names. Choices (formats, kinds, styles) complete from their declarations."""

from collections.abc import Callable
from enum import Enum
from pathlib import Path

import typer

from hohhot_cli.cli.invocation import of_context as invocation
from hohhot_cli.model.errors import HohhotError
from hohhot_cli.model.facts import FactBase

# -- completion --------------------------------------------------------------


COMPLETE_VARIABLE = "_HOHHOT_COMPLETE"
"""The environment variable through which a shell asks hohhot for completions."""


class Shell(str, Enum):
    """The shells whose completion scripts hohhot prints."""

    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"
    POWERSHELL = "powershell"
    PWSH = "pwsh"


def completion_script(shell: Shell) -> str:
    """The script that makes ``shell`` ask hohhot for completions, whichever shell runs hohhot."""
    from typer._completion_shared import get_completion_script  # what --show-completion prints

    return get_completion_script(prog_name="hohhot", complete_var=COMPLETE_VARIABLE, shell=shell.value) + "\n"


def install_completion(shell: Shell) -> str:
    """Install the script in ``shell``'s start-up files, as --install-completion does; says where."""
    from typer._completion_shared import install

    installed, path = install(shell=shell.value, prog_name="hohhot", complete_var=COMPLETE_VARIABLE)
    return f"{installed} completion installed in {path}; it takes effect in a new shell"


def _completion_base(context: typer.Context) -> FactBase | None:
    """The base the command line being completed names; None when it cannot be loaded (or is standard input)."""
    run = invocation(context)
    params = context.find_root().params
    try:
        # While completing, click may leave an option's value as the text typed.
        facts, after = _text(params.get("facts")), _text(context.params.get("facts"))
        if "-" in (facts, after):  # standard input belongs to the shell asking
            return None
        run.configure(facts, bool(params.get("no_cache")))
        run.override(after, bool(context.params.get("no_cache")))  # after the command
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


def complete_schema(incomplete: str) -> list[str]:
    """The commands that have a JSON Schema."""
    from hohhot_cli.output.schemas import commands

    return [c for c in commands() if c.startswith(incomplete)]

def complete_any_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Any id (metric, industry, source, fact, company) starting with what was typed; after ``METRIC@``, its refs."""
    from hohhot_cli.query.lookup import all_ids

    base = _completion_base(ctx)
    if base is None:
        return []
    return _with_refs_and_old_ids(base, [i for i in all_ids(base) if i.startswith(incomplete)], incomplete)



def complete_fields(ctx: typer.Context, incomplete: str, action: Callable[..., object] | None) -> list[str]:
    """The fields of what the command line asks ``action`` for (``--fields id,lat`` offers ``id,latest.value``)."""
    from hohhot_cli.cli.actions import OutputOptions
    from hohhot_cli.model.value import fields
    from hohhot_cli.output.render import field_names

    if action is None or _completion_base(ctx) is None:
        return []
    shared = {field.name for field in fields(OutputOptions)}
    arguments = {name: value for name, value in ctx.params.items() if name not in shared}
    for parameter in ctx.command.params:  # words click did not get to while completing: none yet
        if parameter.nargs == -1 and arguments.get(parameter.name or "") is None:
            arguments[parameter.name or ""] = []
    try:
        names = field_names(action(invocation(ctx), **arguments))
    except (HohhotError, TypeError, ValueError):  # a command line not complete enough to answer
        return []
    done, comma, last = incomplete.rpartition(",")
    return [f"{done}{comma}{name}" for name in names if name.startswith(last)]
