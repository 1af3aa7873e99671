"""Model objects to plain data and back, for the parse cache.

Plain data is what :mod:`marshal` stores: ``None``, booleans, numbers, strings,
bytes and tuples. How each class is converted is derived from its own
declaration (``dataclasses.fields`` and their annotations), so a field
added to the model is carried with no change here:

* a dataclass becomes the tuple of its ``init`` fields, in declaration order;
  ``init=False`` fields (the base's indexes) are left to the class to rebuild;
* a tuple of dataclasses becomes a table, ``(count, column, column, ...)``, one
  column per field; tuples of dataclasses nested in a column (every metric's
  observations) are stored as one table for all rows plus each row's length;
* a column of optional values stores where values are and those values only;
* an enum member becomes its value, a date its ISO text, a mapping a tuple of
  ``(key, value)`` pairs; equal strings are stored once.

A table of a frozen class is rebuilt by a loop written for that class (see
:func:`_column_builder`), which restores each object as pickle does; a class that
is not frozen, or has ``__post_init__`` or ``init=False`` fields, is made by its
``__init__``. A field type this module
cannot carry (a list, a set, a class of its own) raises :class:`TypeError` when
its class is first seen.

Decoding trusts its input to be what :func:`encode` made under the same code:
the cache checks a checksum and a code stamp first, and treats any exception
from :func:`decode` as a miss.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from itertools import accumulate, chain, compress, repeat
from operator import attrgetter, is_not
from typing import Any, TypeVar

from hohhot_cli.model.facts import Value

T = TypeVar("T")

Memo = dict[Any, Any]

_enum_value = attrgetter("_value_")
"""What an enum member's ``.value`` returns, without the descriptor."""

_PLAIN = (str, int, float, bool, bytes, type(None))
_SHARED = frozenset({str, tuple})
_SHARED_BY_EQUALITY = frozenset({str, type(None)})
_TUPLES = frozenset({tuple})
_STRINGS = frozenset({str})
_UNIONS: tuple[object, ...] = (typing.Union, types.UnionType)


def encode(item: object) -> Any:
    """A model object (a dataclass instance) as plain, marshal-able data."""
    return _Schema.of(type(item)).encode(item, {})


def decode(cls: type[T], data: Any, **fields: Any) -> T:
    """The ``cls`` instance that :func:`encode` turned into ``data``.

    ``fields`` replace stored values of top-level fields by name (the base's ``path``).
    """
    return _Schema.of(cls).decode(data, fields)  # type: ignore[no-any-return]


def encode_table(cls: type, items: Sequence[Any]) -> Any:
    """Instances of ``cls`` as one table of plain data (a part of a base stored on its own)."""
    return _Schema.of(cls).encode_column(items, {})


def decode_table(cls: type[T], data: Any) -> tuple[T, ...]:
    """The ``cls`` instances that :func:`encode_table` turned into ``data``."""
    return tuple(_Schema.of(cls).decode_column(data))


class _Converter:
    """How values of one annotation are stored, one at a time and as a column of many."""

    def encode(self, value: Any, memo: Memo) -> Any:
        raise NotImplementedError

    def decode(self, data: Any) -> Any:
        raise NotImplementedError

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        return tuple(self.encode(value, memo) for value in values)

    def decode_column(self, column: Any) -> Iterable[Any]:
        """The values of a column, as many as were stored (the caller checked its length)."""
        return map(self.decode, column)

    def column_length(self, column: Any) -> int:
        """How many values an encoded column holds."""
        return len(column)


class _Plain(_Converter):
    """Values marshal stores as they are: strings, numbers, None and tuples of them."""

    def encode(self, value: Any, memo: Memo) -> Any:
        if type(value) is str or (type(value) is tuple and all(type(item) is str for item in value)):
            # Equal strings stored once: marshal refers back to an object it has written.
            # Only strings: (1,) == (1.0,) == (True,), and sharing must never change a type.
            return memo.setdefault(value, value)
        return value

    def decode(self, data: Any) -> Any:
        return data

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        # A column holds up to hundreds of thousands of values: the usual ones are encoded
        # by loops that run in C, with what encode() does to each value.
        kinds = set(map(type, values))
        if not kinds & _SHARED:  # numbers: nothing to share
            return tuple(values)
        if kinds <= _SHARED_BY_EQUALITY or (
            kinds == _TUPLES and set(map(type, chain.from_iterable(values))) <= _STRINGS
        ):  # strings, None (only equal to itself), tuples of strings: encode() would share each
            return tuple(map(memo.setdefault, values, values))
        shared, encode = memo.setdefault, self.encode
        # Any other mixture: each tuple object encoded once, found again by identity
        # (``values`` keeps it alive).
        done: dict[int, Any] = {}

        def encoded(value: tuple[Any, ...]) -> Any:
            found = done.get(id(value))
            if found is None:
                found = done[id(value)] = encode(value, memo)
            return found

        return tuple(
            [
                shared(value, value) if type(value) is str else encoded(value) if type(value) is tuple else value
                for value in values
            ]
        )

    def decode_column(self, column: Any) -> Iterable[Any]:
        return column  # type: ignore[no-any-return]


class _Enum(_Converter):
    def __init__(self, enum: type[Enum]) -> None:
        self.by_value = {member.value: member for member in enum}.__getitem__

    def encode(self, value: Any, memo: Memo) -> Any:
        return value.value

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        return tuple(map(_enum_value, values))

    def decode(self, data: Any) -> Any:
        return self.by_value(data)

    def decode_column(self, column: Any) -> Iterable[Any]:
        return map(self.by_value, column)


class _Date(_Converter):
    def __init__(self, kind: type[_dt.date]) -> None:
        self.parse = kind.fromisoformat

    def encode(self, value: Any, memo: Memo) -> Any:
        return value.isoformat()

    def decode(self, data: Any) -> Any:
        return self.parse(data)


class _Optional(_Converter):
    def __init__(self, inner: _Converter) -> None:
        self.inner = inner

    def encode(self, value: Any, memo: Memo) -> Any:
        return None if value is None else self.inner.encode(value, memo)

    def decode(self, data: Any) -> Any:
        return None if data is None else self.inner.decode(data)

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        # Most optional values are absent: stored as (count, where values are, those values).
        where = tuple(compress(range(len(values)), map(is_not, values, repeat(None))))
        return len(values), where, self.inner.encode_column([values[i] for i in where], memo)

    def decode_column(self, column: Any) -> Iterable[Any]:
        count, where, present = column
        values = [None] * count
        for i, value in zip(where, self.inner.decode_column(present), strict=True):
            values[i] = value
        return values

    def column_length(self, column: Any) -> int:
        return column[0]  # type: ignore[no-any-return]


class _Sequence(_Converter):
    """A ``tuple[X, ...]`` of values that need converting (X: an enum, a dataclass, ...)."""

    def __init__(self, element: _Converter) -> None:
        self.element = element

    def encode(self, value: Any, memo: Memo) -> Any:
        return self.element.encode_column(value, memo)

    def decode(self, data: Any) -> Any:
        return tuple(self.element.decode_column(data))

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        # All rows' elements in one column (one table of all observations, not one per metric).
        return tuple(len(value) for value in values), self.element.encode_column(
            list(chain.from_iterable(values)), memo
        )

    def decode_column(self, column: Any) -> Iterable[Any]:
        lengths, inner = column
        flat = tuple(self.element.decode_column(inner))
        if len(flat) != sum(lengths):
            raise ValueError("a stored column of sequences does not add up")
        ends = accumulate(lengths)
        return (flat[end - length : end] for length, end in zip(lengths, ends, strict=True))

    def column_length(self, column: Any) -> int:
        lengths, _ = column
        return len(lengths)


class _Mapping(_Converter):
    def __init__(self, key: _Converter, value: _Converter, proxy: bool) -> None:
        self.key, self.value, self.proxy = key, value, proxy

    def encode(self, value: Any, memo: Memo) -> Any:
        return tuple((self.key.encode(k, memo), self.value.encode(v, memo)) for k, v in value.items())

    def decode(self, data: Any) -> Any:
        mapping = {self.key.decode(k): self.value.decode(v) for k, v in data}
        return types.MappingProxyType(mapping) if self.proxy else mapping


class _Schema(_Converter):
    """A dataclass: one converter per ``init`` field."""

    _known: typing.ClassVar[dict[type, _Schema]] = {}

    def __init__(self, cls: type) -> None:
        self.cls = cls
        fields = dataclasses.fields(cls)
        self.names = tuple(f.name for f in fields if f.init)
        self.index = {name: i for i, name in enumerate(self.names)}
        # Every field of an object in one call: a tuple where there are two fields or more.
        self.row: Callable[[Any], tuple[Any, ...]] | None = attrgetter(*self.names) if len(self.names) > 1 else None
        self._known[cls] = self  # before the fields' converters: a class may refer to itself
        try:
            hints = _annotations(cls, fields)
            self.converters = tuple(_converter(hints[name], f"{cls.__name__}.{name}") for name in self.names)
        except BaseException:
            del self._known[cls]
            raise
        self.make: Callable[..., Any] = cls
        if any(f.kw_only for f in fields if f.init):  # positional arguments would not reach them
            names = self.names
            self.make = lambda *values: cls(**dict(zip(names, values, strict=True)))
        # Tables are made field by field, as the frozen __init__ would set them, when that is
        # all its __init__ does: no __post_init__, no field it sets from a default by itself.
        # Frozen: by ``@dataclass(frozen=True)`` or as a :func:`hohhot_cli.model.facts.value` class.
        params = getattr(cls, "__dataclass_params__", None)
        frozen = params is not None and (params.frozen or issubclass(cls, Value))
        self.by_fields = frozen and not hasattr(cls, "__post_init__") and all(f.init for f in fields)
        self.build: Callable[[list[Any]], tuple[Any, ...]] | None = None

    @classmethod
    def of(cls, model: type) -> _Schema:
        schema = cls._known.get(model)
        if schema is None:
            if not (isinstance(model, type) and dataclasses.is_dataclass(model)):
                raise TypeError(f"{model!r} is not a dataclass")
            schema = _Schema(model)
        return schema

    def encode(self, value: Any, memo: Memo) -> Any:
        return tuple(
            converter.encode(getattr(value, name), memo)
            for name, converter in zip(self.names, self.converters, strict=True)
        )

    def decode(self, data: Any, replace: Mapping[str, Any] | None = None) -> Any:
        if type(data) is not tuple or len(data) != len(self.names):
            raise ValueError(f"not a stored {self.cls.__name__}")
        values = [converter.decode(value) for converter, value in zip(self.converters, data, strict=True)]
        for name, value in (replace or {}).items():
            values[self.index[name]] = value
        return self.make(*values)

    def encode_column(self, values: Sequence[Any], memo: Memo) -> Any:
        fields: Iterable[Sequence[Any]]
        if self.row is not None and values:  # the fields of each object, then objects to columns
            fields = zip(*map(self.row, values), strict=True)
        else:
            fields = (list(map(attrgetter(name), values)) for name in self.names)
        columns = (
            converter.encode_column(field, memo) for field, converter in zip(fields, self.converters, strict=True)
        )
        return (len(values), *columns)

    def decode_column(self, column: Any) -> Iterable[Any]:
        if type(column) is not tuple or len(column) != len(self.names) + 1:
            raise ValueError(f"not a stored table of {self.cls.__name__}")
        count, *encoded = column
        for converter, values in zip(self.converters, encoded, strict=True):
            if converter.column_length(values) != count:
                raise ValueError(f"the columns of a stored table of {self.cls.__name__} differ in length")
        columns = [converter.decode_column(values) for converter, values in zip(self.converters, encoded, strict=True)]
        if not self.by_fields:
            return tuple(map(self.make, *columns)) if columns else tuple(self.make() for _ in range(count))
        if self.build is None:
            self.build = _column_builder(self.cls, self.names)
        return self.build(columns)

    def column_length(self, column: Any) -> int:
        return column[0]  # type: ignore[no-any-return]


def _column_builder(cls: type, names: tuple[str, ...]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """A loop written for one class that restores its objects from columns.

    Each object is restored as :mod:`pickle` and :mod:`copy` restore an instance: made
    by ``object.__new__``, its fields stored into its ``__dict__`` (the frozen
    ``__setattr__`` guards callers, not the restoring of stored state). Written out per
    class, as :mod:`dataclasses` writes ``__init__``: a loop of plain stores is half the
    time of a ``setattr`` call per field, which matters for 100,000 observations.
    """
    values = [f"v{index}" for index in range(len(names))]
    stores = "".join(f"        d[{name!r}] = {value}\n" for name, value in zip(names, values, strict=True))
    source = (
        "def build(columns):\n"
        "    out = []\n"
        "    append = out.append\n"
        f"    for {', '.join(values)}, in zip(*columns):\n"
        "        o = new(cls)\n"
        "        d = o.__dict__\n"
        f"{stores}"
        "        append(o)\n"
        "    return tuple(out)\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    exec(source, namespace)  # names are the dataclass's own field names, quoted by repr
    return namespace["build"]  # type: ignore[no-any-return]


_evaluated: dict[tuple[str, str], Any] = {}


def _annotations(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> dict[str, Any]:
    """The fields' types, their text evaluated in the class's module (what typing.get_type_hints
    does, without compiling every repeated ``str | None`` again: a millisecond on every run)."""
    namespace = vars(sys.modules[cls.__module__])
    try:
        hints = {}
        for f in fields:
            if isinstance(f.type, str):
                key = (cls.__module__, f.type)
                if key not in _evaluated:
                    _evaluated[key] = eval(f.type, namespace)  # the class's own annotation
                hints[f.name] = _evaluated[key]
            else:
                hints[f.name] = f.type
        return hints
    except Exception:  # a name only typing knows how to find (a class-level one, a forward reference)
        return typing.get_type_hints(cls)


def _converter(hint: Any, where: str) -> _Converter:
    """The converter for values of one annotation."""
    if _is_plain(hint):
        return _Plain()
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return _Enum(hint)
        if issubclass(hint, _dt.date):  # and datetime, a subclass
            return _Date(hint)
        if dataclasses.is_dataclass(hint):
            return _Schema.of(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in _UNIONS and len(args) == 2 and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return _Optional(_converter(inner, where))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _Sequence(_converter(args[0], where))
    if origin in (Mapping, dict) and len(args) == 2:
        return _Mapping(_converter(args[0], where), _converter(args[1], where), proxy=origin is not dict)
    raise TypeError(f"{where}: the parse cache cannot store values of type {hint!r}")


def _is_plain(hint: Any) -> bool:
    """Whether marshal stores values of this annotation as they are (no enum, date or dataclass inside)."""
    if hint in _PLAIN:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in _UNIONS:
        return all(_is_plain(a) for a in args)
    if origin is typing.Literal:
        return all(type(a) in _PLAIN for a in args)
    if origin is tuple:
        return all(a is Ellipsis or _is_plain(a) for a in args)
    return False
