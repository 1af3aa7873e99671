"""Load a fact base: from the bundled snapshot, from the cache of ``--facts`` files, or by parsing TOML.

:func:`load_facts` is the library's entry point. The bundled base is read from the snapshot
built into the wheel when the snapshot was made from the very bytes of the bundled
``facts.toml``; otherwise (a source checkout, an editable install, a hand-edited file) the
TOML is parsed, so an edit is never ignored. A ``--facts`` file goes through the cache of
:mod:`hohhot_cli.load.cache` when a cache directory is given. ``debug``, when given, is told
in one line each where the base came from and how long each step took.
"""

from __future__ import annotations

import gc
import os
import time

from hohhot_cli.load import snapshot
from hohhot_cli.load.reading import MAX_FILE_BYTES, decode_text, parse_toml, read_bytes
from hohhot_cli.model.facts import FactBase

TYPE_CHECKING = False  # not typing's: a lookup from the snapshot imports neither typing nor pathlib
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    Report = Callable[[str], None]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The installed package's directory (``hohhot_cli``), where a wheel puts facts.toml and its snapshot."""

__all__ = ["MAX_FILE_BYTES", "bundled_facts_path", "load_base", "load_facts", "parse_facts"]


def bundled_facts_path() -> Path:
    """The fact base shipped with the package.

    In an installed wheel it sits inside the package; in a source checkout
    (editable install, tests) it is the ``facts.toml`` at the top of the repo.
    """
    from pathlib import Path

    return Path(_bundled_facts_file())


def _bundled_facts_file() -> str:
    packaged = os.path.join(_PACKAGE, "facts.toml")
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), "facts.toml")


def bundled_snapshot_path() -> Path:
    """Where the wheel's snapshot of the bundled base is (absent in a source checkout)."""
    from pathlib import Path

    return Path(_bundled_snapshot_file())


def _bundled_snapshot_file() -> str:
    return os.path.join(_PACKAGE, snapshot.SNAPSHOT_NAME)


def load_facts(path: str | os.PathLike[str] | None = None) -> FactBase:
    """Load and validate a fact base; the bundled one when no path is given.

    Raises :class:`~hohhot_cli.model.errors.FactFileError` listing every problem found.
    """
    from pathlib import Path

    return load_base(Path(path) if path is not None else None)


def load_base(
    path: Path | None,
    *,
    cache_dir: Path | None = None,
    debug: Report | None = None,
    warn: Report | None = None,
) -> FactBase:
    """The base of a fact file (None: the bundled one), from a snapshot where one fits, else parsed.

    ``cache_dir`` is where bases of other files than the bundled one are cached (None: no
    cache); ``warn`` is told why an unsafe cache directory is not used.
    """
    trace = _Trace(debug)
    file = path if path is not None else _bundled_facts_file()
    data = read_bytes(file)
    digest = snapshot.content_digest(data)
    trace.step(f"read {file} ({len(data):,} bytes) and its digest")
    if path is None:
        base = _from_bundled_snapshot(data, digest, str(file), trace)
    elif cache_dir is not None:
        from hohhot_cli.load import cache  # --facts files only

        try:
            base = _from_cache(cache_dir, digest, str(file), trace)
        except cache.Refused as refusal:  # said once: nothing is stored there either
            if warn is not None:
                warn(str(refusal))
            cache_dir = base = None
    else:
        trace.say("cache: off")
        base = None
    if base is not None:
        return base
    base = parse_facts(data, str(file))
    trace.step("base: parsed and validated the TOML")
    if path is not None and cache_dir is not None:
        _store(cache_dir, digest, base, trace, warn)
    return base


def _from_bundled_snapshot(data: bytes, digest: str, name: str, trace: _Trace) -> FactBase | None:
    snapshot_path = _bundled_snapshot_file()
    try:
        with open(snapshot_path, "rb") as stored_file:
            stored = stored_file.read()
    except OSError:
        trace.say(f"base: no snapshot at {snapshot_path} (a source checkout or editable install)")
        return None
    try:
        base = snapshot.load(stored, digest, name)
    except snapshot.SnapshotMismatch as mismatch:
        trace.say(f"base: snapshot not used ({mismatch})")
        return None
    trace.step(f"base: snapshot {snapshot_path}")
    return base


def _from_cache(cache_dir: Path, digest: str, name: str, trace: _Trace) -> FactBase | None:
    """The cached base, None on a miss; raises :class:`cache.Refused` for an unsafe directory."""
    from hohhot_cli.load import cache  # --facts files only

    try:
        base = cache.read(cache_dir, digest, name)
    except OSError as error:
        trace.say(f"cache: cannot be read ({error})")
        return None
    trace.step(f"base: {'cache hit' if base is not None else 'cache miss'} in {cache_dir}")
    return base


def _store(cache_dir: Path, digest: str, base: FactBase, trace: _Trace, warn: Report | None) -> None:
    from hohhot_cli.load import cache  # --facts files only

    try:
        cache.store(cache_dir, digest, base)
    except cache.Refused as refusal:
        if warn is not None:
            warn(str(refusal))
        return
    except (OSError, ValueError) as error:  # a cache that cannot be written is no cache, not an error
        trace.say(f"cache: not written ({error})")
        return
    trace.step(f"cache: stored in {cache_dir}")


def parse_facts(source: str | bytes, name: str = "<string>") -> FactBase:
    """Parse and validate fact-base TOML text, or a fact file's bytes; ``name`` is used in messages."""
    collecting = gc.isenabled()
    gc.disable()  # thousands of new objects, no cycles: the collector would only walk them
    try:
        from hohhot_cli.load.building import build_base  # not on the snapshot's path

        text = source if isinstance(source, str) else decode_text(source, name)
        return build_base(parse_toml(text, name), name, text)
    finally:
        if collecting:
            gc.enable()


class _Trace:
    """Debug lines, each with the milliseconds since the last step."""

    def __init__(self, debug: Report | None) -> None:
        self.debug = debug
        self.last = time.perf_counter()

    def say(self, line: str) -> None:
        if self.debug is not None:
            self.debug(line)

    def step(self, line: str) -> None:
        now = time.perf_counter()
        self.say(f"{line} ({(now - self.last) * 1000:.1f} ms)")
        self.last = now
