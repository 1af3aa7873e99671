"""Load a fact file: read it, parse it, build and validate the :class:`FactBase`.

The steps live in :mod:`hohhot_cli.load.reading` (bytes, text, TOML),
:mod:`hohhot_cli.load.parsers` (which TOML parser) and :mod:`hohhot_cli.load.building`
(document to model); :mod:`hohhot_cli.load.cache` puts a parse cache in front of them.

A file is first read the quick way: in parts (:func:`~hohhot_cli.load.reading.parse_toml_in_parts`),
by rtoml where it is installed and fits the text. Whatever goes wrong that way (a parse
error, parts that do not read as the whole, a problem in the base) sends the whole file
to the reference parser and the builder again, exactly as before there was a quick way:
every problem reported, and every file refused, is theirs.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hohhot_cli.load.reading import MAX_FILE_BYTES, decode_text, parse_toml, parse_toml_in_parts, read_bytes
from hohhot_cli.model.facts import FactBase

__all__ = ["MAX_FILE_BYTES", "Progress", "bundled_facts_path", "load_facts", "parse_facts"]

Progress = Callable[[str], None]
"""Told how a long parse goes: a line such as ``parsing facts.toml: 40 %``, and ``""`` when it is over."""

PROGRESS_AFTER = 1.0
"""Seconds a parse takes before it says how far it has gone."""

PROGRESS_EVERY = 0.25
"""Least seconds between two progress lines."""


def bundled_facts_path() -> Path:
    """The fact base shipped with the package.

    In an installed wheel it sits inside the package; in a source checkout
    (editable install, tests) it is the ``facts.toml`` at the top of the repo.
    """
    package = Path(__file__).resolve().parents[1]
    packaged = package / "facts.toml"
    if packaged.is_file():
        return packaged
    return package.parents[1] / "facts.toml"


def load_facts(path: str | os.PathLike[str] | None = None, *, progress: Progress | None = None) -> FactBase:
    """Load and validate a fact base; the bundled one when no path is given.

    Raises :class:`FactFileError` listing every problem found. ``progress``, when given,
    is told how a parse that takes over :data:`PROGRESS_AFTER` seconds goes.
    """
    file = Path(path) if path is not None else bundled_facts_path()
    return parse_facts(read_bytes(file), str(file), progress)


def parse_facts(source: str | bytes, name: str = "<string>", progress: Progress | None = None) -> FactBase:
    """Parse and validate fact-base TOML text, or a fact file's bytes; ``name`` is used in messages.

    Bytes are read as :func:`~hohhot_cli.load.reading.decode_text` reads them, with the same
    errors; the quick way decodes them a part at a time, so that the whole text (two or
    four bytes a character where the file has one beyond Latin-1) is made only on the
    reference path.
    """
    meter = _Meter(name, progress) if progress is not None else None
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of new objects, no cycles: the collector would only walk them
    try:
        try:
            return _parse_quickly(source, name, meter)
        except Exception:  # anything at all: the reference path below decides, and reports
            pass
        from hohhot_cli.load.building import build_base  # here: a parse-cache hit never builds

        text = source if isinstance(source, str) else decode_text(source, name)
        del source
        return build_base(parse_toml(text, name), name, text)
    finally:
        if collecting:
            gc.enable()
        if meter is not None:
            meter.finish()


def _parse_quickly(source: str | bytes, name: str, meter: _Meter | None) -> FactBase:
    """The base read in parts, by rtoml where it fits; raises on anything the reference path must see.

    Any problem in the base raises too, and is then reported by the reference path, with its
    line: the builder here is given no text to search for lines.
    """
    from hohhot_cli.load.building import build_base
    from hohhot_cli.load.parsers import Loads, fast_loads, fast_parser_fits, reference_module

    fast = fast_loads()
    reference: Loads = reference_module().loads
    loads: Loads
    if fast is None:
        loads = reference
    elif isinstance(source, str):
        loads = fast if fast_parser_fits(source) else reference
    else:  # screened a part at a time: a part is whole lines, and starts with a table header

        def loads(part: str) -> dict[str, Any]:
            return fast(part) if fast_parser_fits(part) else reference(part)

    parsed = parse_toml_in_parts(source, loads, meter)
    if parsed is None:
        raise _Unfit
    document, metric_parts = parsed
    return build_base(document, name, None, metric_parts)


class _Unfit(Exception):
    """The quick path does not apply to this text."""


class _Meter:
    """Turns the share of a parse done into progress lines: none in the first second, a few a second after."""

    def __init__(
        self,
        name: str,
        report: Progress,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.report, self.clock, self.every = name, report, clock, PROGRESS_EVERY
        self.next = clock() + PROGRESS_AFTER
        self.shown = False

    def __call__(self, share: float) -> None:
        now = self.clock()
        if now < self.next:
            return
        self.next = now + self.every
        self.shown = True
        self.report(f"parsing {self.name}: {min(99, int(share * 100))} %")

    def finish(self) -> None:
        if self.shown:
            self.report("")
