"""One run's settings and the fact base it loads: what the command line asked for, without Typer.

Both ways of running a command build one :class:`Invocation`: the Typer app
(:mod:`hohhot_cli.cli.app`) and the direct path (:mod:`hohhot_cli.cli.direct`), which
answers a plain command line without importing Typer. Neither module's argument
parsing lives here; only what the parsed options mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hohhot_cli.cli.environment import Environment
from hohhot_cli.model.errors import UsageError
from hohhot_cli.output.render import MACHINE_FORMATS, OutputFormat, Shape, render

if TYPE_CHECKING:
    from hohhot_cli.model.facts import FactBase

ENV_FACTS = "HOHHOT_FACTS"
"""Names a fact file to use instead of the bundled one."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the parse cache off."""


@dataclass
class Invocation:
    """The settings of one run and the fact base it loads, once."""

    env: Environment
    """Streams, environment variables and terminal facts."""
    facts_path: Path | None = None
    """``--facts`` (or ``$HOHHOT_FACTS``); None for the bundled base."""
    use_cache: bool = True
    """False with ``--no-cache`` (or ``HOHHOT_NO_CACHE=1``)."""
    output_format: OutputFormat | None = None
    """``--format`` given before the command name."""
    as_json: bool = False
    """``--json`` given before the command name."""
    use_pager: bool = True
    """False with ``--no-pager``: never page, even on a terminal."""
    replayable: bool = False
    """Set when this run's output may be stored in the answer cache and replayed (see :mod:`hohhot_cli.cli.answers`)."""
    fact_files: list[tuple[str, int, bytes]] = field(default_factory=list)
    """Every fact file loaded: its path, size and content digest (the answer cache checks them on a hit)."""
    loads: int = 0
    """How many times a base was asked of the loader: every load must be in :attr:`fact_files`."""
    _base: FactBase | None = None

    @property
    def fact_file(self) -> tuple[str, int, bytes] | None:
        """The one fact file this run's output came from (None: it read none).

        Raises ValueError when that is not known for sure: more than one file, or a
        load that did not say what it read.
        """
        if len(set(self.fact_files)) > 1 or len(self.fact_files) != self.loads:
            raise ValueError("the fact files this run read are not known for sure")
        return self.fact_files[0] if self.fact_files else None

    def configure(self, facts: str | None, no_cache: bool) -> None:
        """Take the root options, falling back on the environment variables (an empty one is unset)."""
        environ = self.env.environ
        self.facts_path = given_path(facts, "--facts") or (Path(environ[ENV_FACTS]) if environ.get(ENV_FACTS) else None)
        self.use_cache = not no_cache and environ.get(ENV_NO_CACHE, "") in ("", "0")
        self._base = None

    def take_root_options(
        self, facts: str | None, no_cache: bool, output_format: OutputFormat | None, as_json: bool, no_pager: bool
    ) -> None:
        """Take the options given before the command name."""
        self.configure(facts, no_cache)
        self.output_format, self.as_json = output_format, as_json
        self.use_pager = not no_pager

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

    def base(self) -> FactBase:
        """The fact base of this run, loaded (or read from the parse cache) on first use."""
        if self._base is None:
            from hohhot_cli.load.cache import default_cache_directory, load_facts_cached  # not for --help
            from hohhot_cli.load.loader import bundled_facts_path

            cache_dir = default_cache_directory(self.env.environ) if self.use_cache else None
            self.loads += 1
            self._base = load_facts_cached(
                self.facts_path or bundled_facts_path(),
                cache_dir=cache_dir,
                warn=lambda message: self.env.error(f"warning: {message}"),
                on_loaded=self._loaded,
                progress=self.progress(),
            )
        return self._base

    def progress(self) -> Callable[[str], None] | None:
        """Where a long parse says how far it has gone: stderr when it is a terminal, else nowhere."""
        return self.env.progress if self.env.stderr_is_terminal else None

    def base_for_metrics(self, queries: list[str]) -> FactBase:
        """A base from which ``queries.find_metrics`` answers these queries as from the whole base.

        From the parse cache, only the metrics they may name and the sources those cite are
        read; ask nothing else of it. The whole base when it is loaded already.
        """
        if self._base is not None:
            return self._base
        from hohhot_cli.load.cache import default_cache_directory, load_metrics_cached
        from hohhot_cli.load.loader import bundled_facts_path

        self.loads += 1
        return load_metrics_cached(
            self.facts_path or bundled_facts_path(),
            queries,
            cache_dir=default_cache_directory(self.env.environ) if self.use_cache else None,
            warn=lambda message: self.env.error(f"warning: {message}"),
            on_loaded=self._loaded,
            progress=self.progress(),
        )

    def _loaded(self, path: str, size: int, digest: bytes) -> None:
        self.fact_files.append((path, size, digest))

    def emit(
        self, result: object, output_format: OutputFormat, shape: Shape | None = None, *, replayable: bool = True
    ) -> None:
        """Render a result in the chosen format and write it to stdout (paged when taller than a terminal).

        A result in a machine format, not on a terminal, with the caches on, may be
        replayed from the answer cache unless the caller says otherwise (``replayable``:
        the result depends on more than the arguments, the environment and the fact base).
        """
        text = render(result, output_format, self.env.style, shape or Shape())
        self.replayable = (
            replayable and self.use_cache and output_format in MACHINE_FORMATS and not self.env.is_terminal
        )
        if output_format in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
            from hohhot_cli.output.emptiness import nothing_found

            message = nothing_found(result)
            if message:
                self.env.error(message)
        if self.use_pager and self.env.is_terminal:  # never paged when piped: a script pays nothing for it
            from hohhot_cli.cli.pager import page

            page(self.env, text)
        else:
            self.env.write(text)


def given_path(text: str | None, what: str) -> Path | None:
    """A path from the command line; an empty one is an error (``Path("")`` would be the directory ``.``)."""
    if text is None:
        return None
    if not text:
        raise UsageError(f"{what}: the path is empty")
    return Path(text)

