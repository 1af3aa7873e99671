"""Frozen value classes declared like dataclasses, without importing :mod:`dataclasses`.

Why not ``@dataclass(frozen=True)``: importing :mod:`dataclasses` (it imports
:mod:`inspect`, hence :mod:`ast`, :mod:`dis` and :mod:`tokenize`) takes 10-14 ms, and
generating six methods per class from source with ``exec`` about 0.3 ms a class, for some
fifty model and result classes: together more than the rest of a lookup from the snapshot
(measured with ``python -X importtime`` and ``benchmarks/run.py``). A class declares its
fields as a dataclass does (annotations, defaults, :func:`field`); :func:`value` reads them
once, and one ``__init__``, written here, serves every class. The type checker sees
dataclasses (``dataclass_transform``).

* :class:`Frozen` refuses assignment and deletion (:class:`FrozenInstanceError`).
* :class:`Value` adds equality (same class, equal ``compare`` fields), hashing and ``repr``.
* :func:`fields`, :func:`replace` and :func:`is_value` do what their :mod:`dataclasses`
  namesakes do.
"""

from __future__ import annotations

from reprlib import recursive_repr

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""No default given."""


class FrozenInstanceError(AttributeError):
    """An assignment to, or deletion of, a field of a frozen object."""


class Field:
    """One declared field: its name, annotation (as written), default and roles."""

    __slots__ = ("compare", "default", "default_factory", "init", "name", "repr", "type")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
    ) -> None:
        self.name = ""
        self.type = ""
        self.default, self.default_factory = default, default_factory
        self.init, self.repr, self.compare = init, repr, compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field with settings, as :func:`dataclasses.field`."""
    return Field(default, default_factory, init, repr, compare)


def fields(item: object) -> tuple[Field, ...]:
    """The fields of a value class or object, in declaration order."""
    found: tuple[Field, ...] | None = getattr(item, "__value_fields__", None)
    if found is None:
        raise TypeError(f"{item!r} is not a value class or object")
    return found


def is_value(item: object) -> bool:
    """Whether a class or object is made by :func:`value`."""
    return hasattr(item, "__value_fields__")


def replace(item: _T, **changes: Any) -> _T:
    """A copy of a value object with some fields changed, made by its ``__init__``."""
    given = {f.name: getattr(item, f.name) for f in fields(item) if f.init}
    given.update(changes)
    return type(item)(**given)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    """The ``__init__`` of every value class: fields by position or name, defaults, ``__post_init__``."""
    cls = type(self)
    spec: tuple[Field, ...] = cls.__value_init__
    if len(args) > len(spec):
        raise TypeError(f"{cls.__name__}() takes {len(spec)} arguments but {len(args)} were given")
    values = dict(zip([f.name for f in spec], args, strict=False))  # the rest by name or default
    for f in spec[len(args) :]:
        if f.name in kwargs:
            values[f.name] = kwargs.pop(f.name)
        elif f.default is not MISSING:
            values[f.name] = f.default
        elif f.default_factory is not MISSING:
            values[f.name] = f.default_factory()
        else:
            raise TypeError(f"{cls.__name__}() missing required argument: {f.name!r}")
    if kwargs:
        unexpected = next(iter(kwargs))
        how = "multiple values for" if unexpected in values else "an unexpected keyword"
        raise TypeError(f"{cls.__name__}() got {how} argument {unexpected!r}")
    vars(self).update(values)
    post_init = getattr(cls, "__post_init__", None)
    if post_init is not None:
        post_init(self)


def _declare(cls: type[_T]) -> type[_T]:
    """Read the class's fields from its annotations and defaults; give it the shared ``__init__``."""
    declared: list[Field] = []
    namespace = vars(cls)
    for name, annotation in namespace.get("__annotations__", {}).items():
        if str(annotation).startswith("ClassVar"):
            continue
        given = namespace.get(name, MISSING)
        spec = given if isinstance(given, Field) else Field(default=given)
        spec.name, spec.type = name, str(annotation)
        if isinstance(given, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        declared.append(spec)
    cls.__value_fields__ = tuple(declared)  # type: ignore[attr-defined]
    cls.__value_init__ = tuple(f for f in declared if f.init)  # type: ignore[attr-defined]
    cls.__init__ = _init  # type: ignore[method-assign]
    return cls


if TYPE_CHECKING:

    @dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
    def value(cls: type[_T]) -> type[_T]:
        """A frozen value class, a dataclass to the type checker."""

else:
    value = _declare


class Frozen:
    """Refuses any assignment or deletion of an attribute, as a frozen dataclass does.

    Fields are set by the shared ``__init__`` (or by the snapshot's decoder) in the object's
    dictionary, never through ``__setattr__``.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


_KEYS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _keys(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of one class: the names its equality compares, and those its ``repr`` shows."""
    keys = _KEYS.get(cls)
    if keys is None:
        every = fields(cls)
        keys = _KEYS[cls] = (tuple(f.name for f in every if f.compare), tuple(f.name for f in every if f.repr))
    return keys


class Value(Frozen):
    """Equality, hashing and ``repr`` of a frozen dataclass, written once for every value class.

    Equal when of the same class with equal ``compare`` fields in order; the hash of the
    tuple of those fields; ``Class(field=value!r, ...)`` of the ``repr`` fields.
    """

    __slots__ = ()

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _keys(self.__class__)[0])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Value)
            return self._compared() == other._compared()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._compared())

    @recursive_repr()
    def __repr__(self) -> str:
        shown = _keys(self.__class__)[1]
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"
