"""The process around the command line: exit statuses, broken pipes, a quick exit.

:func:`main` runs a command line with one :class:`~hohhot_cli.cli.invocation.Invocation`
(a plain query through :mod:`hohhot_cli.cli.direct`, any other through the Typer app of
:mod:`hohhot_cli.cli.app`) and turns every error into one line on stderr and an exit
status, in this one place. :func:`run` is the console script: it also owns the
process-wide choices a library must not make. Typer and click are imported only
when a command line is not plain.
"""

from __future__ import annotations

import gc
import os
import signal
import sys

TYPE_CHECKING = False  # not typing's: a plain query need not import it
if TYPE_CHECKING:
    from typing import Any

    from hohhot_cli.cli.environment import Environment
    from hohhot_cli.cli.invocation import Invocation


def main(argv: list[str] | None = None, env: Environment | None = None, *, direct: bool = True) -> int:
    """Run the CLI; return the exit status. Nothing but one-line messages reach stderr.

    ``direct=False`` sends every command line to Typer (the tests compare the two paths).
    """
    from hohhot_cli.cli.environment import Environment
    from hohhot_cli.cli.invocation import Invocation

    return run_invocation(argv, Invocation(env or Environment()), direct=direct)


def run_invocation(argv: list[str] | None, invocation: Invocation, *, direct: bool = True) -> int:
    """Run the CLI with the given invocation, which keeps the loaded base for the caller.

    A plain command line of a query command is parsed and run without Typer
    (:mod:`hohhot_cli.cli.direct`) unless ``direct`` is False; any other goes to Typer.
    A message that could not be written to stderr turns success into exit status 1.
    """
    from hohhot_cli.model.errors import ExitStatus

    status = _run(sys.argv[1:] if argv is None else argv, invocation, direct)
    if invocation.env.stderr_failed and status == ExitStatus.OK:
        return ExitStatus.ERROR
    return status


def _run(args: list[str], invocation: Invocation, direct: bool) -> int:
    """Run one command line; turn every error into one line on stderr and an exit status, here."""
    from hohhot_cli.model.errors import ExitStatus, FactFileError, HohhotError, ReaderGone

    environment = invocation.env
    args = _normalised(args)
    try:
        call = None
        if direct:
            from hohhot_cli.cli import direct as direct_path

            call = direct_path.parse(args, environment.environ)
        if call is not None:
            environment.debug(f"parser: direct ({call.command})")
            return direct_path.answer(call, invocation)
        environment.debug("parser: typer")
        return _run_typer(args, invocation)
    except HohhotError as error:
        message = str(error)
        if isinstance(error, FactFileError) and error.count > 1:
            message += f" (and {error.count - 1:,} more: run hohhot validate)"
        environment.error(("usage: " if error.exit_status is ExitStatus.USAGE else "error: ") + message)
        return error.exit_status
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except EOFError:  # nothing reads stdin; were it to, end as click ends a Typer command: a line break, 130
        import contextlib

        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write("\n")
        return ExitStatus.INTERRUPTED
    except Terminated as terminated:  # SIGTERM or SIGHUP, with the handlers of run()
        return terminated.exit_status
    except (BrokenPipeError, ReaderGone):
        _silence_stdout()
        return ExitStatus.OK
    except OSError as error:
        # Files are the library's to report (as HohhotError); what reaches here is click
        # writing --help or completions to a stdout that takes no more (ENOSPC, EBADF).
        _silence_stdout()
        environment.error(f"error: cannot write to standard output: {error.strerror or error}")
        return ExitStatus.ERROR


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _normalised(args: list[str]) -> list[str]:
    """The command line with two shorthands spelled out, the same for both parsers.

    ``--fields`` without a value (at the end, or before another option) is ``--fields help``,
    which lists the fields; ``--show-completion SHELL`` (and ``--install-completion SHELL``)
    is ``completion SHELL`` (``--install``): the script of the shell named, not of the
    shell hohhot runs in. Nothing after ``--`` is touched.
    """
    if len(args) == 2 and args[0] in ("--show-completion", "--install-completion") and args[1] in _SHELLS:
        return ["completion", args[1], *(["--install"] if args[0] == "--install-completion" else [])]
    if "--fields" not in args:
        return args
    out = list(args)
    for position, token in enumerate(args):
        if token == "--":
            break
        following = args[position + 1] if position + 1 < len(args) else None
        if token == "--fields" and (following is None or following.startswith("-")):
            out[position] = "--fields=help"
    return out


def _run_typer(args: list[str], invocation: Invocation) -> int:
    """Parse and run the command line with the Typer app; Typer's own exits become statuses here."""
    import typer

    from hohhot_cli.model.errors import ExitStatus

    try:
        command = _click_command()
        result = command.main(args=args, prog_name="hohhot", standalone_mode=False, obj=invocation)
        return int(result) if isinstance(result, int) else ExitStatus.OK
    except SystemExit as leaving:  # click's own exit when stdout's reader has gone (EPIPE): status 1
        return ExitStatus.OK if leaving.code is None else leaving.code if isinstance(leaving.code, int) else 1
    except typer.TyperException as error:  # click's usage errors and bad parameters
        context = getattr(error, "ctx", None)
        command_path = getattr(context, "command_path", "") or "hohhot"
        invocation.env.error(f"usage: {error.format_message()} (try '{command_path} --help')")
        return int(getattr(error, "exit_code", ExitStatus.USAGE))
    except typer.Exit as error:
        return error.exit_code
    except typer.Abort:
        return ExitStatus.INTERRUPTED


_COMMAND: list[Any] = []


def _click_command() -> Any:
    """The click command behind the app, built once per process."""
    if not _COMMAND:
        import typer

        from hohhot_cli.cli.app import app

        _COMMAND.append(typer.main.get_command(app))
    return _COMMAND[0]


def _silence_stdout() -> None:
    # The reader has gone; point stdout at /dev/null so that the interpreter's
    # final flush does not raise "Exception ignored ... BrokenPipeError".
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class _ClosedStream:
    """sys.stdout when the process started with stdout closed (``>&-``): every write is an error.

    Without it click would drop ``--help`` silently and exit 0.
    """

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: object) -> int:
        from hohhot_cli.model.errors import OutputError

        raise OutputError("standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _hold_standard_descriptors() -> None:
    """Keep descriptors 0-2 taken when the process started with one closed.

    Otherwise the next file opened (the fact file, an export) would get the number
    of stdout or stderr, and a stray write meant for either would land in it.
    """
    for number in (0, 1, 2):
        try:
            os.fstat(number)
        except OSError:
            try:
                placeholder = os.open(os.devnull, os.O_RDONLY)
                if placeholder != number:
                    os.dup2(placeholder, number)
                    os.close(placeholder)
            except OSError:
                pass
    if sys.stdout is None:
        sys.stdout = _ClosedStream()


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like KeyboardInterrupt so that clean-up code runs (see main.run).

    A BaseException, as KeyboardInterrupt is: ``except Exception`` must not swallow it.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return 128 + self.signal_number


def _raise_terminated(number: int, frame: object) -> None:
    raise Terminated(number)


def _terminate_like_interrupt() -> dict[int, Any]:
    """Make SIGTERM and SIGHUP raise :class:`Terminated`, as SIGINT raises KeyboardInterrupt.

    The exception unwinds the run like Ctrl-C: an export removes its temporary file
    (and SQLite's journal), and the process exits with 128 + the signal's number. A
    signal the parent set to be ignored (``nohup``) stays ignored. While the parse
    cache writes an entry it holds both signals (:mod:`hohhot_cli.load.cache`); one that
    arrives meanwhile is raised here once the entry is complete. Returns the
    handlers replaced, to put back.
    """
    previous: dict[int, Any] = {}
    for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, _raise_terminated)
    return previous


def run() -> None:
    """Console-script entry point: answer, flush, and leave without tearing the interpreter down.

    A run is short and makes no reference cycles worth collecting: the cyclic collector
    stays off. At the end the interpreter would spend longer freeing every object one by
    one than the lookup took; everything that matters is done by then (output flushed
    here, export files closed and renamed).
    """
    gc.disable()
    _hold_standard_descriptors()
    previous = _terminate_like_interrupt()
    # The invocation is held until the process leaves: dropping it would free the base object by object.
    _invocation = None
    try:
        from hohhot_cli.cli.environment import Environment
        from hohhot_cli.cli.invocation import Invocation

        _invocation = Invocation(Environment())
        status = run_invocation(None, _invocation)
    except KeyboardInterrupt:  # before the run, which turns its own into 130
        status = 130
    except Terminated as terminated:  # before the run, or while an error was being reported
        status = terminated.exit_status
    finally:
        for number, handler in previous.items():  # the work is done: a late signal just ends the process
            signal.signal(number, handler)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream
            _silence_stdout()
    os._exit(status)
