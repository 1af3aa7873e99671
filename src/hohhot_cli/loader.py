"""Load a fact file: read it, parse it, build and validate the :class:`FactBase`.

The steps live in :mod:`hohhot_cli.reading` (bytes, text, TOML) and
:mod:`hohhot_cli.building` (document to model); :mod:`hohhot_cli.cache` puts a
parse cache in front of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from hohhot_cli.building import build_base
from hohhot_cli.model import FactBase
from hohhot_cli.reading import MAX_FILE_BYTES, decode_text, parse_toml, read_bytes

__all__ = ["MAX_FILE_BYTES", "bundled_facts_path", "load_facts", "parse_facts"]


def bundled_facts_path() -> Path:
    """The fact base shipped with the package.

    In an installed wheel it sits inside the package; in a source checkout
    (editable install, tests) it is the ``facts.toml`` at the top of the repo.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "facts.toml"
    if packaged.is_file():
        return packaged
    return here.parent.parent / "facts.toml"


def load_facts(path: str | os.PathLike[str] | None = None) -> FactBase:
    """Load and validate a fact base; the bundled one when no path is given.

    Raises :class:`FactFileError` listing every problem found.
    """
    file = Path(path) if path is not None else bundled_facts_path()
    return parse_facts(decode_text(read_bytes(file), str(file)), str(file))


def parse_facts(text: str, name: str = "<string>") -> FactBase:
    """Parse and validate fact-base TOML text; ``name`` is used in messages."""
    return build_base(parse_toml(text, name), name, text)
