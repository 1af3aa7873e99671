"""One run's settings and the fact base it loads: what the command line asked for, without Typer.

Both ways of running a command build one :class:`Invocation`: the Typer app
(:mod:`hohhot_cli.cli.app`) and the direct path (:mod:`hohhot_cli.cli.direct`), which
answers a plain command line without importing Typer. Neither module's argument
parsing lives here; only what the parsed options mean.
"""

from __future__ import annotations

from hohhot_cli.cli.environment import Environment
from hohhot_cli.model.errors import UsageError
from hohhot_cli.output.encode import stream_form
from hohhot_cli.output.render import OutputFormat, Shape, render

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from hohhot_cli.model.facts import FactBase

ENV_FACTS = "HOHHOT_FACTS"
"""Names a fact file to use instead of the bundled one."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the cache of ``--facts`` files off."""


class Invocation:
    """The settings of one run and the fact base it loads, once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        """Streams, environment variables and terminal facts."""
        self.facts_path: Path | None = None
        """``--facts`` (or ``$HOHHOT_FACTS``); None for the bundled base."""
        self.use_cache = True
        """False with ``--no-cache`` (or ``HOHHOT_NO_CACHE=1``)."""
        self.output_format: OutputFormat | None = None
        """``--format`` given before the command name."""
        self.as_json = False
        """``--json`` given before the command name."""
        self.use_pager = True
        """False with ``--no-pager``: never page, even on a terminal."""
        self._base: FactBase | None = None

    def configure(self, facts: str | None, no_cache: bool) -> None:
        """Take the root options, falling back on the environment variables (an empty one is unset)."""
        environ = self.env.environ
        self.facts_path = given_path(facts, "--facts") or given_path(environ.get(ENV_FACTS) or None, ENV_FACTS)
        self.use_cache = not no_cache and environ.get(ENV_NO_CACHE, "") in ("", "0")
        self._base = None

    def take_root_options(
        self,
        facts: str | None,
        no_cache: bool,
        output_format: OutputFormat | None,
        as_json: bool,
        no_pager: bool,
        no_color: bool,
    ) -> None:
        """Take the options given before the command name."""
        self.configure(facts, no_cache)
        self.output_format, self.as_json = output_format, as_json
        self.use_pager = not no_pager
        self.env.no_color = no_color

    def take_display_options(self, no_pager: bool, no_color: bool) -> None:
        """Take ``--no-pager`` and ``--no-color`` given after the command name (as before it, they turn off)."""
        if no_pager:
            self.use_pager = False
        if no_color:
            self.env.no_color = True

    def override(self, facts: str | None, no_cache: bool) -> None:
        """Take ``--facts`` and ``--no-cache`` given after the command name, over those given before it."""
        if facts is not None:
            self.facts_path = given_path(facts, "--facts")
            self._base = None
        if no_cache:
            self.use_cache = False
            self._base = None

    def chosen_format(self, output_format: OutputFormat | None, as_json: bool) -> OutputFormat:
        """The format of this run: the command's own options first, then the root's, else a table."""
        as_json = as_json or self.as_json
        given = output_format or self.output_format
        if as_json and given not in (None, OutputFormat.TABLE, OutputFormat.JSON):
            raise UsageError(f"--json contradicts --format {given.value}")
        return OutputFormat.JSON if as_json else (given or OutputFormat.TABLE)

    @property
    def reads_stdin(self) -> bool:
        """Whether the fact file is standard input (``--facts -``)."""
        return is_stdin(self.facts_path)

    def base(self) -> FactBase:
        """The fact base of this run, loaded on first use (see :func:`hohhot_cli.load.loader.load_base`).

        ``--facts -`` parses standard input's bytes (read once), named ``<stdin>``, without a cache.
        """
        if self._base is None and self.reads_stdin:
            from hohhot_cli.cli.environment import STDIN_NAME
            from hohhot_cli.load.loader import parse_facts

            data = self.env.read_stdin()
            self._base = parse_facts(data, STDIN_NAME)
            self.env.debug(f"base: parsed standard input ({len(data):,} bytes)")
        if self._base is None:
            from hohhot_cli.load.loader import load_base  # not for --help

            cache_dir = None
            if self.facts_path is not None and self.use_cache:  # the bundled base has its snapshot
                from hohhot_cli.load.cache import default_cache_directory

                cache_dir = default_cache_directory(self.env.environ)
            self._base = load_base(
                self.facts_path,
                cache_dir=cache_dir,
                debug=self.env.debug if self.env.debugging else None,
                warn=lambda message: self.env.error(f"warning: {message}"),
            )
        return self._base

    def emit(self, result: object, output_format: OutputFormat, shape: Shape | None = None) -> None:
        """Render a result in the chosen format and write it to stdout (paged when taller than a terminal)."""
        text = render(result, output_format, self.env.style, shape or Shape())
        if output_format in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
            from hohhot_cli.output.emptiness import nothing_found

            message = nothing_found(result)
            if message:
                self.env.error(message)
        form = stream_form(output_format.value)
        if self.use_pager and self.env.is_terminal:  # never paged when piped: a script pays nothing for it
            from hohhot_cli.cli.pager import page

            page(self.env, text, form)
        else:
            self.env.write(text, form)


def of_context(context: Any) -> Invocation:
    """The run's :class:`Invocation` on a click context's root (a fresh one when the app runs without ``main``)."""
    root = context.find_root()
    if not isinstance(root.obj, Invocation):
        root.obj = Invocation(Environment())
    return root.obj


STDIN = "-"
"""A path that means standard input (a file named ``-`` is ``./-``)."""


def is_stdin(path: Path | None) -> bool:
    """Whether a path from the command line means standard input."""
    return path is not None and str(path) == STDIN


def given_path(text: str | None, what: str) -> Path | None:
    """A path from the command line; an empty one is an error (``Path("")`` would be the directory ``.``).

    ``-`` is kept as it is: it means standard input (:func:`is_stdin`).
    """
    if text is None:
        return None
    if not text:
        raise UsageError(f"{what}: the path is empty")
    from pathlib import Path  # only when a path is given: a lookup of the bundled base needs none

    return Path(text)
