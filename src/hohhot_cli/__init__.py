"""hohhot: sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.

Library use (see :mod:`hohhot_cli.api`)::

    from hohhot_cli import api
    base = api.load()              # the bundled fact base
    base.observations("gdp.total", since=2020, kind="year")
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: the command line's answer cache imports nothing it can avoid
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_facts"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the command line's answer cache runs before any of the library.
    if name == "load_facts":
        from hohhot_cli.load.loader import load_facts

        return load_facts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
