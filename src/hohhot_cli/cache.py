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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hohhot_cli import __version__
from hohhot_cli.loader import parse_facts
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
    SourceKind,
    Status,
    Topic,
    Unit,
)
from hohhot_cli.reading import decode_text, read_bytes

try:  # blake2b without hashlib, which loads OpenSSL first: a few ms on every call
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = 2
"""Version of the entry layout below; bump it whenever the layout changes."""


def default_cache_directory(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/hohhot``, else ``~/.cache/hohhot`` (a relative XDG value is ignored)."""
    root = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(root):  # the XDG rule: a relative value is ignored
        root = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "hohhot"


def load_facts_cached(path: Path, *, cache_dir: Path | None, warn: Callable[[str], None] | None = None) -> FactBase:
    """Load and validate a fact file, through the cache in ``cache_dir`` (None: no cache)."""
    data = read_bytes(path)
    directory = cache_dir
    if directory is None:
        return parse_facts(decode_text(data, str(path)), str(path))
    entry = directory / (blake2b(os.fsencode(os.path.abspath(path)), digest_size=16).hexdigest() + ".marshal")
    key = (FORMAT, _code_stamp(), blake2b(data).hexdigest())
    base = _read_entry(entry, key, str(path))
    if base is None:
        base = parse_facts(decode_text(data, str(path)), str(path))
        _write_entry(entry, key, base)
    return base


def _code_stamp() -> tuple[Any, ...]:
    """What the cached objects depend on besides the file: Python and this package's code.

    A digest of every module's source, not their times: a copy that keeps times
    (``cp -p``, ``rsync -a``) must not pass an edit off as the old code.
    """
    digest = blake2b(digest_size=16)
    package = Path(__file__).parent
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            digest.update(name.encode())
            digest.update((package / name).read_bytes())
    return (__version__, sys.version, digest.hexdigest())


def _read_entry(entry: Path, key: tuple[Any, ...], path: str) -> FactBase | None:
    # Hundreds of thousands of objects are made here and none of them forms a cycle:
    # the cyclic garbage collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with open(entry, "rb") as handle:
            stored_key, payload = marshal.loads(handle.read())
        if stored_key != key:
            return None
        return _thaw(payload, path)
    except Exception:  # any damage to an entry means: parse the file instead
        return None
    finally:
        # Whatever was made is kept for the whole run: move it out of the collector's
        # sight, or its first full pass after this would walk every object once more.
        gc.freeze()
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


# -- objects to plain data and back --------------------------------------------------
#
# Observations, the bulk, go as tuples in a fixed order and come back through a fast
# path; everything else goes as a dict of its fields and comes back through its own
# constructor by keyword, so that a reordered or added field cannot be mixed up.


def _fields(item: Any, enums: tuple[str, ...] = ()) -> dict[str, Any]:
    data = {name: getattr(item, name) for name in item.__dataclass_fields__}
    for name in enums:
        data[name] = data[name].value
    return data


def _freeze(base: FactBase) -> tuple[Any, ...]:
    metrics = []
    for metric in base.metrics:
        data = _fields(metric, ("unit",))
        data["observations"] = tuple(
            (
                o.value,
                o.sources,
                o.period,
                o.as_of,
                o.exactness.value,
                o.status.value,
                o.note,
                None if o.conversion is None else _fields(o.conversion, ("unit",)),
                o.ref,
                o.supersedes,
                o.superseded_by,
                o.conflicts_with,
            )
            for o in metric.observations
        )
        metrics.append(data)
    facts = []
    for fact in base.facts:
        data = _fields(fact, ("kind",))
        data["items"] = tuple(_fields(item) for item in fact.items)
        facts.append(data)
    return (
        base.schema_version,
        base.updated,
        _fields(base.city),
        tuple({**_fields(s), "kind": s.kind.value if s.kind else None} for s in base.sources),
        tuple(_fields(i, ("kind",)) for i in base.industries),
        tuple(metrics),
        tuple(facts),
        tuple(_fields(c) for c in base.companies),
        tuple(_fields(t) for t in base.topics),
    )


def _thaw(payload: tuple[Any, ...], path: str) -> FactBase:
    version, updated, city, sources, industries, metrics, facts, companies, topics = payload
    exactness = {e.value: e for e in Exactness}
    status = {s.value: s for s in Status}
    new = object.__new__
    thawed_metrics = []
    for data in metrics:
        observations = []
        for value, refs, period, as_of, exact, state, note, conversion, *links in data["observations"]:
            # The bulk of a large base: fields set straight into the instance dict rather
            # than through the frozen __init__ (one object.__setattr__ call per field).
            # Same fields, same values, a third of the time; a test compares the two.
            observation = new(Observation)
            fields = observation.__dict__
            fields["value"] = value
            fields["sources"] = refs
            fields["period"] = period
            fields["as_of"] = as_of
            fields["exactness"] = exactness[exact]
            fields["status"] = status[state]
            fields["note"] = note
            fields["ref"], fields["supersedes"], fields["superseded_by"], fields["conflicts_with"] = links
            fields["conversion"] = (
                None if conversion is None else Conversion(**{**conversion, "unit": Unit(conversion["unit"])})
            )
            observations.append(observation)
        thawed_metrics.append(Metric(**{**data, "unit": Unit(data["unit"]), "observations": tuple(observations)}))
    return FactBase(
        schema_version=version,
        updated=updated,
        city=City(**city),
        sources=tuple(Source(**{**s, "kind": SourceKind(s["kind"]) if s["kind"] else None}) for s in sources),
        industries=tuple(Industry(**{**i, "kind": IndustryKind(i["kind"])}) for i in industries),
        metrics=tuple(thawed_metrics),
        facts=tuple(
            Fact(**{**f, "kind": FactKind(f["kind"]), "items": tuple(Item(**item) for item in f["items"])})
            for f in facts
        ),
        companies=tuple(Company(**c) for c in companies),
        topics=tuple(Topic(**t) for t in topics),
        path=path,
    )
