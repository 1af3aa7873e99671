"""hohhot: sourced facts and figures about Hohhot (呼和浩特), capital of Inner Mongolia.

Library use::

    from hohhot_cli import load_facts
    base = load_facts()            # the bundled fact base
    base.metric_by_id["gdp.total"].observations
"""

from hohhot_cli.loader import load_facts

__version__ = "0.1.0"
__all__ = ["__version__", "load_facts"]
