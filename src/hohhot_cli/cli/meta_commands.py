"""The commands about the tool itself: ``schema`` (the JSON Schemas) and ``completion`` (shell scripts).

No ``from __future__ import annotations`` here: Typer reads the annotations at run time.
"""

from typing import Annotated

import typer

from hohhot_cli.cli.completion import (
    Shell,
    complete_schema,
    completion_script,
    install_completion,
)
from hohhot_cli.cli.registry import (
    NoColorOption,
    NoPagerOption,
    choices,
    commands,
    examples,
    invocation,
)
from hohhot_cli.model.errors import UsageError


@commands.command(
    "schema",
    short_help="JSON Schema of a command's JSON output.",
    epilog=examples("hohhot schema metric", "hohhot schema export > export.schema.json", "hohhot schema | jq 'keys'"),
)
def schema_command(
    context: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(
            help="A command (metric, sources, export, ...); all of them when left out.",
            show_default=False,
            autocompletion=complete_schema,
        ),
    ] = None,
    no_pager: NoPagerOption = False,
    no_color: NoColorOption = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a command's JSON output, with the format version."""
    from hohhot_cli.output.encode import to_json
    from hohhot_cli.output.schemas import all_schemas, command_schema, commands

    run = invocation(context)
    run.take_display_options(no_pager, no_color)
    if command is None:
        run.env.write(to_json(all_schemas()) + "\n")
        return
    if command not in commands():
        raise UsageError(f"no schema for {command!r}; one of: {', '.join(commands())}")
    run.env.write(to_json(command_schema(command)) + "\n")


# -- shell completion --------------------------------------------------------------


@commands.command(
    "completion",
    short_help="The shell completion script for bash, zsh or fish.",
    epilog=examples(
        "hohhot completion bash > ~/.local/share/bash-completion/completions/hohhot",
        "hohhot completion zsh > ~/.zfunc/_hohhot",
        "hohhot completion fish > ~/.config/fish/completions/hohhot.fish",
    ),
)
def completion_command(
    context: typer.Context,
    shell: Annotated[
        str,
        typer.Argument(
            metavar="SHELL",
            help="bash, zsh, fish, powershell or pwsh.",
            show_default=False,
            autocompletion=choices(*(s.value for s in Shell)),
        ),
    ],
    install: Annotated[
        bool, typer.Option("--install", help="Install it in the shell's start-up files instead of printing it.")
    ] = False,
) -> None:
    """Print the completion script of a shell, whichever shell runs hohhot (or install it with --install)."""
    run = invocation(context)
    try:
        chosen = Shell(shell)
    except ValueError:
        raise UsageError(f"no completion for {shell!r}; one of: {', '.join(s.value for s in Shell)}") from None
    run.env.write(install_completion(chosen) + "\n" if install else completion_script(chosen))
