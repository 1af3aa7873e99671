"""Output taller than the terminal goes through a pager, as git and gh do.

Only when stdout is a terminal: never when piped or redirected. ``$PAGER`` names
the pager (run by the shell, like git); empty or ``cat`` turns paging off, as
does ``--no-pager``. ``less`` is the default, with ``LESS=FRX`` unless ``$LESS``
is set: quit when the text fits on one screen, keep colours, leave the text on
the screen on exit.
"""

from __future__ import annotations

from hohhot_cli.cli.environment import Environment
from hohhot_cli.output.encode import ESCAPED

DEFAULT_PAGER = "less"
DEFAULT_LESS = "FRX"


def pager_command(env: Environment) -> str | None:
    """The pager to run for this environment's stdout, or None to write directly."""
    if not env.is_terminal:
        return None
    command = env.environ.get("PAGER", DEFAULT_PAGER).strip()
    if command in ("", "cat"):
        return None
    return command


def page(env: Environment, text: str, form: str = ESCAPED) -> None:
    """Write text to stdout, through the pager when it is taller than the terminal (``form``: see Environment.write)."""
    command = pager_command(env)
    if command is None or text.count("\n") < env.height:
        env.write(text, form)
        return
    import subprocess  # only when paging

    environ = dict(env.environ)
    environ.setdefault("LESS", DEFAULT_LESS)
    environ.setdefault("LV", "-c")
    data = env.encoded(text, form)
    if env.stdout is not None:
        env.stdout.flush()
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environ)
    except OSError:  # no shell, no pager: print it as it is
        env.write(text, form)
        return
    try:
        assert process.stdin is not None
        process.stdin.write(data)
        process.stdin.close()
    except BrokenPipeError:  # the reader quit before the end: nothing more to show
        pass
    finally:
        process.wait()
