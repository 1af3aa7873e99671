"""The grammar of plain command lines, read off the Typer app and written to :mod:`hohhot_cli.cli.grammar`.

Run ``python -m hohhot_cli.cli.grammar_writer`` after a change of options; a test says
when the written grammar is stale.
"""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from hohhot_cli.cli.app import root
from hohhot_cli.cli.registry import ACTIONS, app, commands

# -- the grammar of plain command lines ------------------------------------------


def grammar() -> dict[str, Any]:
    """What :mod:`hohhot_cli.cli.direct` may parse without Typer, read off the click commands.

    The root's options and, for each query command, its options, its one positional
    argument and the value of each parameter when it is not given. Only what the
    direct path parses exactly as click does is described: a flag, an option taking
    one text, an option taking one of an enumeration's values; an option the
    direct path cannot take (``--version``, ``--help``) is left out, so a command
    line that uses it goes to Typer. A command with a setting the direct path does
    not follow (``context_settings`` beyond the help options, deprecation) is left
    out; a root with one leaves out everything. ``hohhot_cli/grammar.py`` holds the
    result, written by ``python -m hohhot_cli.cli.grammar``; a test keeps the two equal.
    """
    group = typer.main.get_command(app)
    described: dict[str, Any] = {"root": None, "commands": {}}
    root_plain = (
        set(group.context_settings) <= {"help_option_names"}
        and not getattr(group, "chain", False)
        and getattr(group, "_result_callback", None) is None
        and not getattr(group, "deprecated", False)
        and not group.allow_interspersed_args  # options before the command name are the root's
        and not group.ignore_unknown_options
    )
    if not root_plain:
        return described
    described["root"] = _describe(group, root, _ROOT_LEFT_OUT)
    if described["root"] is None:
        return described
    for name, action in ACTIONS.items():
        command = group.commands[name]  # type: ignore[attr-defined]
        if command.context_settings or getattr(command, "deprecated", False):
            continue
        if not command.allow_interspersed_args or command.ignore_unknown_options or command.allow_extra_args:
            continue
        declaration = _registered_callback(name)
        entry = _describe(command, declaration, ())
        if entry is None:
            continue  # a parameter the direct path cannot take: the command always goes to Typer
        entry["action"] = action.__name__
        described["commands"][name] = entry
    return described


_ROOT_LEFT_OUT = ("version", "install_completion", "show_completion")
"""The root's options the direct path never takes: given, they send the command line to Typer."""


_TEXT_TYPES = ("text", "str")
"""click's name for its string type, in the package (text) and in Typer's own copy (str)."""


def _registered_callback(name: str) -> Callable[..., Any]:
    for info in commands.registered_commands:
        if info.name == name and info.callback is not None:
            return info.callback
    raise KeyError(name)


def _describe(command: Any, callback: Callable[..., Any], left_out: tuple[str, ...]) -> dict[str, Any] | None:
    """One command's options, argument and defaults; None when one of its parameters is not plain.

    Parameters are told apart by click's own names for them (``param_type_name``, the
    type's ``name``), which hold whether click is Typer's own copy or the package.
    """
    annotations = {name: parameter.annotation for name, parameter in inspect.signature(callback).parameters.items()}
    options: dict[str, tuple[str, str]] = {}
    defaults: dict[str, object] = {}
    argument: tuple[str, int, bool] | None = None
    for parameter in command.params:
        if parameter.name in left_out:
            continue
        type_name = getattr(parameter.type, "name", None)
        plain = (
            parameter.expose_value
            and not parameter.is_eager
            and parameter.callback is None
            and parameter.envvar is None
            and not parameter.multiple
            and not getattr(parameter, "deprecated", False)
        )
        if not plain:
            return None
        if parameter.param_type_name == "argument":
            if argument is not None or parameter.nargs not in (1, -1) or parameter.default is not None:
                return None
            if type_name not in _TEXT_TYPES:
                return None
            argument = (parameter.name, parameter.nargs, parameter.required)
            continue
        if parameter.param_type_name != "option" or parameter.secondary_opts or parameter.nargs != 1:
            return None
        if parameter.count or parameter.required or parameter.prompt is not None:
            return None
        kind: str
        if parameter.is_flag and type_name == "boolean":
            if getattr(parameter, "flag_value", True) is not True or parameter.default is not False:
                return None
            kind = "flag"
        elif type_name == "choice" and not parameter.is_flag:
            enumeration = _enumeration(annotations.get(parameter.name))
            if enumeration is None or parameter.default is not None:
                return None
            if list(parameter.type.choices) != [member.value for member in enumeration]:
                return None
            kind = f"{enumeration.__module__}:{enumeration.__qualname__}"
        elif type_name in _TEXT_TYPES and not parameter.is_flag:
            if parameter.default is not None:
                return None
            kind = "text"
        else:
            return None
        defaults[parameter.name] = parameter.default
        for opt in parameter.opts:
            options[opt] = (parameter.name, kind)
    return {"options": options, "argument": argument, "defaults": defaults}


def _enumeration(annotation: object) -> Any:
    """The Enum class an option's annotation names (``Annotated[X | None, ...]``), else None."""
    import enum
    import types
    import typing

    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return None
            annotation = members[0]
        else:
            break
    return annotation if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else None


def grammar_module() -> str:
    """The text of ``hohhot_cli/grammar.py``: :func:`grammar` as a Python literal."""
    import pprint

    literal = pprint.pformat(grammar(), width=116, sort_dicts=False)
    return _GRAMMAR_MODULE.format(literal=literal)


_GRAMMAR_MODULE = '''"""The grammar of plain command lines, which :mod:`hohhot_cli.cli.direct` parses without Typer.

Read off the Typer app by ``hohhot_cli.cli.grammar_writer.grammar`` and written here by
``python -m hohhot_cli.cli.grammar``: do not edit. A test keeps it equal to what the
app declares.
"""

GRAMMAR = {literal}

if __name__ == "__main__":  # python -m hohhot_cli.cli.grammar: write this file afresh
    from pathlib import Path

    from hohhot_cli.cli.grammar_writer import grammar_module

    Path(__file__).write_text(grammar_module(), encoding="utf-8")
'''
