"""Output taller than the terminal goes through a pager, as git and gh do.

Only when stdout is a terminal: never when piped or redirected. ``$PAGER`` names
the pager; empty or ``cat`` turns paging off, as does ``--no-pager``. ``less`` is
the default, with ``LESS=FRX`` unless ``$LESS`` is set: quit when the text fits on
one screen, keep colours, leave the text on the screen on exit.

A pager that cannot show the text never costs the text: one that is not found, or
that ends with a failure before it has read anything (a bad option, no terminal),
is passed over and the text written to stdout directly, saying nothing unless
``HOHHOT_DEBUG`` asks (then one line says why). A plain command (words without
shell syntax) is run directly, as git does; one with shell syntax (``less | tee``,
``$HOME/bin/pager``) through ``/bin/sh``.
"""

from __future__ import annotations

import os

from hohhot_cli.cli.environment import Environment
from hohhot_cli.output.encode import ESCAPED

DEFAULT_PAGER = "less"
DEFAULT_LESS = "FRX"

_SHELL_SYNTAX = frozenset("|&;<>()$`\\\"'*?[#~=%\n")
"""Characters that make a pager command the shell's to read."""

_CHUNK = 65536


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
    argv = _pager_argv(env, command)
    if argv is None:
        env.write(text, form)
        return
    environ = dict(env.environ)
    environ.setdefault("LESS", DEFAULT_LESS)
    environ.setdefault("LV", "-c")
    data = env.encoded(text, form)
    if env.stdout is not None:
        env.stdout.flush()
    status, consumed = _run_pager(argv, environ, data)
    if status is None:
        env.debug(f"pager: {command!r} could not be started; writing directly")
        env.write(text, form)
    elif status != 0 and consumed == 0:
        env.debug(f"pager: {command!r} ended with status {status} before reading; writing directly")
        env.write(text, form)


def _pager_argv(env: Environment, command: str) -> list[str] | None:
    """The pager's argument vector (``sh -c`` for shell syntax); None, said in debug, when it is not found."""
    import shlex
    import shutil

    try:
        words = shlex.split(command)
    except ValueError:  # an unmatched quote: the shell's to report
        words = []
    plain = bool(words) and not any(c in _SHELL_SYNTAX for c in command)
    program = words[0] if words else ""
    if program and not any(c in _SHELL_SYNTAX for c in program):
        found = shutil.which(program, path=env.environ.get("PATH", os.defpath))
        if found is None:
            env.debug(f"pager: {program!r} not found; writing directly")
            return None
        if plain:
            return [found, *words[1:]]
    return ["/bin/sh", "-c", command]


def _run_pager(argv: list[str], environ: dict[str, str], data: bytes) -> tuple[int | None, int]:
    """Run the pager on ``data``: its exit status (None: not started) and how many bytes it read.

    The pipe's reading end stays open here too, so that a pager that ends early is not a
    broken pipe, and what it left unread can be counted (``FIONREAD``) once it has ended.
    """
    import subprocess  # only when paging

    try:
        import fcntl
        import select
        import termios
    except ImportError:  # not a POSIX system: a plain pipe, and no count of what was read
        return _run_pager_plainly(argv, environ, data)
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(argv, stdin=read_end, env=environ)
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None, 0
    sent = 0
    try:
        os.set_blocking(write_end, False)
        while sent < len(data) and process.poll() is None:
            select.select([], [write_end], [], 0.05)
            try:
                sent += os.write(write_end, data[sent : sent + _CHUNK])
            except BlockingIOError:
                continue
    finally:
        os.close(write_end)  # the end of the text, for the pager
        status = process.wait()
        unread = bytearray(4)
        try:
            fcntl.ioctl(read_end, termios.FIONREAD, unread)
        except OSError:
            unread = bytearray(4)
        os.close(read_end)
    import sys

    return status, sent - int.from_bytes(unread, sys.byteorder)


def _run_pager_plainly(argv: list[str], environ: dict[str, str], data: bytes) -> tuple[int | None, int]:
    import subprocess

    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=environ)
    except OSError:
        return None, 0
    consumed = 0
    try:
        assert process.stdin is not None
        process.stdin.write(data)
        consumed = len(data)
        process.stdin.close()
    except BrokenPipeError:  # the reader quit early: it read nothing when it quit at once
        pass
    finally:
        status = process.wait()
    return status, consumed
