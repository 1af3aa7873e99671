"""A parse cache for fact files: a validated base, keyed on the file's exact content.

Parsing and validating TOML dominates the cost of a lookup in a large fact
base (seconds for 100,000 observations), and a lookup tool is called in loops.
So the first load of a file stores the validated base under the user's cache
directory, and later loads of the *same bytes* read it back.

Safety rules, because a wrong answer from a stale cache is far worse than a
slow one:

* The entry records a digest of the file's whole content; any change to the
  file, however small, misses. So does any change to this package's code
  (version and the size and time of each module) or to Python's version.
* Entries are written atomically (a temporary file renamed into place), so a
  reader never sees half an entry.
* A corrupt, truncated or unreadable entry is ignored and the file parsed
  afresh; failing to write an entry is silent.
* Only bases that validated are stored; an invalid file is reported from a
  real parse every time.
* ``HOHHOT_NO_CACHE=1`` (or ``hohhot --no-cache``) turns it off. The cache
  lives in ``$XDG_CACHE_HOME/hohhot`` (``~/.cache/hohhot``), one entry per
  fact-file path, so it cannot grow without bound.

The entry is a :mod:`marshal` dump of plain tuples, which loads several
times faster than a pickle of the objects; like any cache under the user's
own home, it is trusted as much as the user's files are.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hohhot_cli import __version__
from hohhot_cli.loader import decode_text, parse_facts, read_bytes
from hohhot_cli.model import (
    City,
    Company,
    Conversion,
    Exactness,
    Fact,
    FactBase,
    FactKind,
    Industry,
    IndustryKind,
    Item,
    Metric,
    Observation,
    Source,
    Status,
    Unit,
)

try:  # blake2b without hashlib, which loads OpenSSL first: a few ms on every call
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = 1
"""Version of the entry layout below; bump it whenever the layout changes."""

ENV_NO_CACHE = "HOHHOT_NO_CACHE"
"""Set (to anything but empty or 0) to turn the cache off."""


def cache_directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if environ.get(ENV_NO_CACHE, "") not in ("", "0"):
        return None
    root = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(root):  # the XDG rule: a relative value is ignored
        root = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "hohhot"


def load_facts_cached(path: Path, environ: Mapping[str, str] = os.environ) -> FactBase:
    """Load and validate a fact file, through the cache when it is on.

    Raises :class:`~hohhot_cli.errors.FactFileError` exactly as
    :func:`~hohhot_cli.loader.load_facts` does.
    """
    data = read_bytes(path)
    directory = cache_directory(environ)
    if directory is None:
        return parse_facts(decode_text(data, str(path)), str(path))
    entry = directory / (blake2b(os.fsencode(os.path.abspath(path)), digest_size=16).hexdigest() + ".marshal")
    key = (FORMAT, _code_stamp(), blake2b(data).hexdigest(), str(path))
    base = _read_entry(entry, key)
    if base is None:
        base = parse_facts(decode_text(data, str(path)), str(path))
        _write_entry(entry, key, base)
    return base


def _code_stamp() -> tuple[Any, ...]:
    """What the cached objects depend on besides the file: Python and this package's code."""
    package = Path(__file__).parent
    modules = []
    with os.scandir(package) as entries:
        for item in entries:
            if item.name.endswith(".py"):
                stat = item.stat()
                modules.append((item.name, stat.st_size, stat.st_mtime_ns))
    return (__version__, sys.version, tuple(sorted(modules)))


def _read_entry(entry: Path, key: tuple[Any, ...]) -> FactBase | None:
    # Hundreds of thousands of objects are made here and none of them forms a cycle:
    # the cyclic garbage collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with open(entry, "rb") as handle:
            stored_key, payload = marshal.loads(handle.read())
        if stored_key != key:
            return None
        return _thaw(payload)
    except Exception:  # any damage to an entry means: parse the file instead
        return None
    finally:
        if collecting:
            gc.enable()


def _write_entry(entry: Path, key: tuple[Any, ...], base: FactBase) -> None:
    import tempfile  # only on a miss

    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".entry-", dir=entry.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(marshal.dumps((key, _freeze(base))))
            os.replace(temporary, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        pass  # a cache that cannot be written is no cache, not an error


# -- objects to plain tuples and back -----------------------------------------------


def _freeze(base: FactBase) -> tuple[Any, ...]:
    city = base.city
    return (
        base.schema_version,
        base.updated,
        (city.name, city.name_zh, city.province, city.province_zh, city.sources),
        tuple((s.id, s.publisher, s.title, s.date, s.url, s.authors, s.note) for s in base.sources),
        tuple((i.id, i.name, i.kind.value, i.sources, i.name_zh, i.description, i.aliases) for i in base.industries),
        tuple(
            (
                m.id,
                m.label,
                m.unit.value,
                tuple(
                    (
                        o.value,
                        o.sources,
                        o.period,
                        o.as_of,
                        o.exactness.value,
                        o.status.value,
                        o.note,
                        None
                        if o.conversion is None
                        else (o.conversion.value, o.conversion.unit.value, o.conversion.note),
                    )
                    for o in m.observations
                ),
                m.description,
                m.industry,
                m.aliases,
                m.tags,
            )
            for m in base.metrics
        ),
        tuple(
            (
                f.id,
                f.kind.value,
                f.label,
                f.text,
                f.sources,
                tuple((i.name, i.name_zh, i.note) for i in f.items),
                f.date,
                f.period,
                f.as_of,
                f.industry,
                f.tags,
            )
            for f in base.facts
        ),
        tuple((c.id, c.name, c.sources, c.name_zh, c.industry, c.description) for c in base.companies),
        base.path,
    )


def _thaw(payload: tuple[Any, ...]) -> FactBase:
    version, updated, city, sources, industries, metrics, facts, companies, path = payload
    exactness = {e.value: e for e in Exactness}
    status = {s.value: s for s in Status}
    units = {u.value: u for u in Unit}
    new = object.__new__
    thawed_metrics = []
    for metric_id, label, unit, raw_observations, description, industry, aliases, tags in metrics:
        observations = []
        for value, refs, period, as_of, exact, state, note, conversion in raw_observations:
            # The bulk of a large base: fields set straight into the instance dict rather than
            # through the frozen __init__ (one object.__setattr__ call per field): same fields,
            # same values, a third of the time.
            observation = new(Observation)
            fields = observation.__dict__
            fields["value"] = value
            fields["sources"] = refs
            fields["period"] = period
            fields["as_of"] = as_of
            fields["exactness"] = exactness[exact]
            fields["status"] = status[state]
            fields["note"] = note
            fields["conversion"] = (
                None if conversion is None else Conversion(conversion[0], units[conversion[1]], conversion[2])
            )
            observations.append(observation)
        thawed_metrics.append(
            Metric(metric_id, label, units[unit], tuple(observations), description, industry, aliases, tags)
        )
    return FactBase(
        schema_version=version,
        updated=updated,
        city=City(*city),
        sources=tuple(Source(*s) for s in sources),
        industries=tuple(Industry(i[0], i[1], IndustryKind(i[2]), i[3], i[4], i[5], i[6]) for i in industries),
        metrics=tuple(thawed_metrics),
        facts=tuple(
            Fact(
                f[0],
                FactKind(f[1]),
                f[2],
                f[3],
                f[4],
                tuple(Item(*item) for item in f[5]),
                f[6],
                f[7],
                f[8],
                f[9],
                f[10],
            )
            for f in facts
        ),
        companies=tuple(Company(*c) for c in companies),
        path=path,
    )
