"""A built fact base as JSON, to be read back without parsing TOML or validating again.

The wheel carries a snapshot of the bundled base, written at build time (``hatch_build.py``);
the cache of :mod:`hohhot_cli.load.cache` stores the same for ``--facts`` files. A snapshot
is two lines: a header, then the base. The header names the format and the model it was
written for (:func:`model_signature`), the SHA-256 of the fact file it was built from and
that of the second line. Nothing is taken from a snapshot whose header does not match what
the reader expects, nor from one whose body does not hash to what the header says: the
reader then parses the fact file, as it would with no snapshot at all.

Encoding is generic: a model object is the list of its fields' values in declaration order,
an enum its value, a tuple a list. Decoding follows the fields' declared types, so a field
added to the model needs nothing here (``tests/test_snapshot.py`` round-trips every class).
"""

from __future__ import annotations

import json
import re
from enum import Enum

try:  # SHA-256 without hashlib, which loads OpenSSL first: 3.3 ms of every run (python -X importtime)
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # 3.10, 3.11
    except ImportError:  # pragma: no cover - other Python implementations
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]


from hohhot_cli.model import facts as model
from hohhot_cli.model.facts import FactBase
from hohhot_cli.model.value import Field, fields, is_value

TYPE_CHECKING = False  # not typing's: a lookup from the snapshot does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Decoder = Callable[[Any], Any]

FORMAT = "hohhot-snapshot/1"
"""The layout of a snapshot; a reader takes only its own."""

SNAPSHOT_NAME = "facts.snapshot.json"
"""The snapshot's file name, beside ``facts.toml`` in the installed package."""



class SnapshotMismatch(Exception):
    """A snapshot that is not for this fact file, this model or this format, or is damaged."""


def content_digest(data: bytes) -> str:
    """The SHA-256 of a fact file's bytes, in hex: what a snapshot is checked against."""
    return str(sha256(data).hexdigest())


def dump(base: FactBase, facts_digest: str) -> bytes:
    """The snapshot of a base built from the fact file whose :func:`content_digest` is given."""
    body = json.dumps(_encode(base), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    header = {
        "format": FORMAT,
        "model": model_signature(),
        "facts_sha256": facts_digest,
        "body_sha256": sha256(body).hexdigest(),
    }
    return json.dumps(header, sort_keys=True).encode() + b"\n" + body + b"\n"


def load(data: bytes, facts_digest: str, path: str) -> FactBase:
    """The base of a snapshot of the fact file of this digest; ``path`` becomes the base's path.

    Raises :class:`SnapshotMismatch` when the snapshot is for another file, model or format,
    or its body is not what its header says.
    """
    header_line, _, rest = data.partition(b"\n")
    body = rest.removesuffix(b"\n")
    try:
        header = json.loads(header_line)
    except (ValueError, RecursionError):  # RecursionError: arrays nested too deep to decode
        raise SnapshotMismatch("the header is not JSON") from None
    expected = {"format": FORMAT, "model": model_signature(), "facts_sha256": facts_digest}
    if not isinstance(header, dict) or any(header.get(key) != value for key, value in expected.items()):
        raise SnapshotMismatch("made for another fact file, model or format")
    if header.get("body_sha256") != sha256(body).hexdigest():
        raise SnapshotMismatch("the body does not match its checksum")
    try:
        stored = json.loads(body)
        stored[_PATH_INDEX] = path  # where it was loaded from, not where it was built
        base: FactBase = _decoder(FactBase)(stored)
    except (ValueError, TypeError, IndexError, KeyError, RecursionError) as error:  # checked, yet not what we write
        raise SnapshotMismatch(f"cannot be decoded: {error}") from None
    return base


def model_signature() -> str:
    """A digest of every model class's fields and their types, and of every enum's values.

    A snapshot written for another model (a field added, renamed or retyped) is not read.
    """
    parts = []
    for name, item in sorted(vars(model).items()):
        if isinstance(item, type) and item.__module__ == model.__name__:
            if is_value(item):
                parts.append(f"{name}({', '.join(f'{f.name}: {f.type}' for f in fields(item))})")
            elif issubclass(item, Enum):
                parts.append(f"{name}[{', '.join(str(member.value) for member in item)}]")
    return str(sha256("\n".join(parts).encode()).hexdigest())[:32]


def _stored_fields(cls: type) -> list[Field]:
    """The fields a snapshot stores: those the constructor takes (indexes are rebuilt)."""
    return [f for f in fields(cls) if f.init]


def _encode(value: Any) -> Any:
    if is_value(value) and not isinstance(value, type):
        return [_encode(getattr(value, f.name)) for f in _stored_fields(type(value))]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    return value


_DECODERS: dict[object, Decoder] = {}
_PATH_INDEX = [f.name for f in _stored_fields(FactBase)].index("path")
_TUPLE = re.compile(r"tuple\[(\w+), \.\.\.\]")


def _decoder(cls: type) -> Decoder:
    """How to turn the stored list of a model class back into an object.

    Objects are made as pickle makes them: the list's values, those that need it decoded
    in place, go into the object's dictionary without a call of ``__init__`` (then
    ``__post_init__``, which builds the base's indexes). Half the time of a call of the
    shared ``__init__`` per object, for the 12,000 objects of the bundled base.
    """
    found = _DECODERS.get(cls)
    if found is None:
        stored_fields = _stored_fields(cls)
        names = [f.name for f in stored_fields]
        decoders = [(index, _type_decoder(str(f.type))) for index, f in enumerate(stored_fields)]
        converted = [(index, decode) for index, decode in decoders if decode is not None]
        post_init = getattr(cls, "__post_init__", None)
        new = object.__new__

        def found(stored: Any) -> Any:
            if type(stored) is not list or len(stored) != len(names):
                raise ValueError(f"{cls.__name__} expects {len(names)} fields")
            for index, decode in converted:
                stored[index] = decode(stored[index])
            made: Any = new(cls)
            made.__dict__.update(zip(names, stored))  # noqa: B905 - the lengths were checked above
            if post_init is not None:
                post_init(made)
            return made

        _DECODERS[cls] = found
    return found


def _type_decoder(annotation: str) -> Decoder | None:
    """The decoder of a field declared with this annotation; None when the JSON value is the value."""
    optional = annotation.endswith(" | None")
    inner = annotation.removesuffix(" | None")
    many = _TUPLE.fullmatch(inner)
    name = many.group(1) if many else inner
    item = getattr(model, name, None)
    single: Decoder | None = None
    if isinstance(item, type) and issubclass(item, Enum):
        single = {member.value: member for member in item}.__getitem__  # faster than calling the enum
    elif isinstance(item, type) and is_value(item):
        single = _decoder(item)
    if many:
        decoded = _tuple_decoder(single, annotation)
    elif single is None:
        return None
    else:
        decoded = single
    return (lambda value: None if value is None else decoded(value)) if optional else decoded


def _tuple_decoder(element: Decoder | None, annotation: str) -> Decoder:
    """The decoder of a tuple field: a stored list, each item decoded (by ``element`` when given)."""

    def decoded(values: Any) -> Any:
        if values.__class__ is not list:  # tuple() would take a string's characters, an object's keys
            raise ValueError(f"{annotation} expects a list")
        return tuple(map(element, values)) if element else tuple(values)

    return decoded
