"""Frozen value classes that cost nothing to define: the methods of a frozen dataclass, written once.

``@dataclass(frozen=True)`` compiles six methods per class from generated source with
``exec``; for the model and result classes that would be paid by every run, snapshot or
not. :func:`value` makes a frozen dataclass whose ``__init__`` is compiled when its first
object is made, and :class:`Value` supplies equality, hashing, ``repr`` and the refusal of
assignment, written once for every class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import TYPE_CHECKING, Any, TypeVar


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes of an object (always a tuple, as the generated methods compare)."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda item: tuple(getattr(item, name) for name in names)


_Keys = tuple[Callable[[Any], tuple[Any, ...]], Callable[[Any], tuple[Any, ...]], tuple[str, ...]]
"""Of one class: the values its ``__eq__`` compares, those its ``__hash__`` hashes, the names its ``__repr__`` shows."""

_VALUE_KEYS: dict[type, _Keys] = {}


def _value_keys(cls: type) -> _Keys:
    keys = _VALUE_KEYS.get(cls)
    if keys is None:
        every = fields(cls)
        keys = (
            _getter([f.name for f in every if f.compare]),
            _getter([f.name for f in every if (f.compare if f.hash is None else f.hash)]),
            tuple(f.name for f in every if f.repr),
        )
        _VALUE_KEYS[cls] = keys
    return keys


class Frozen:
    """Refuses any assignment or deletion of an attribute, as a frozen dataclass does.

    ``@dataclass(frozen=True)`` compiles a ``__setattr__`` and a ``__delattr__`` for each
    class from generated source; these are written once. Objects are made by an ``__init__``
    that sets fields through ``object.__setattr__`` (:func:`compiled_on_first_use`), or
    restored by :mod:`hohhot_cli.load.codec`.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class Value(Frozen):
    """The methods of a frozen dataclass, written once for every class: see :func:`value`.

    ``@dataclass(frozen=True)`` compiles ``__init__``, ``__setattr__``, ``__delattr__``,
    ``__eq__``, ``__hash__`` and ``__repr__`` for each class from generated source: six
    ``exec`` calls a class, about 10 ms of every run for the classes here. These do what the
    generated ones do: equal when of the same class with equal ``compare`` fields in order,
    the hash of the tuple of the ``hash`` fields (``compare`` unless given),
    ``Class(field=value!r, ...)`` of the ``repr`` fields, and any assignment or deletion of
    an attribute raises :class:`dataclasses.FrozenInstanceError` (a value class is never
    subclassed, so every attribute is a field's or refused as one).
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            key = _value_keys(self.__class__)[0]
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_value_keys(self.__class__)[1](self))

    @recursive_repr()
    def __repr__(self) -> str:
        shown = _value_keys(self.__class__)[2]
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"


_V = TypeVar("_V", bound=Value)

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
    def value(cls: type[_V]) -> type[_V]:
        """A frozen value class (a subclass of :class:`Value`), a dataclass to the type checker."""
else:

    def value(cls: type[_V]) -> type[_V]:
        """A frozen value class: ``@dataclass(frozen=True)`` with the methods of :class:`Value`.

        The class is made with ``@dataclass(eq=False, repr=False, init=False)``, which compiles
        nothing; :class:`Value` refuses assignment and deletion, and the ``__init__`` that
        ``@dataclass(frozen=True)`` writes for the class is compiled when its first object
        is made (:func:`_first_init`): a run pays for the classes it constructs, and objects
        restored from the parse cache are made without ``__init__`` (:mod:`hohhot_cli.load.codec`).
        """
        made = dataclass(eq=False, repr=False, init=False)(cls)
        made.__init__ = _first_init
        return made


def compiled_on_first_use(*, frozen: bool) -> Callable[..., None]:
    """An ``__init__`` for a dataclass made with ``init=False``: the first object made puts the real one in place.

    The real one is what ``@dataclass(frozen=frozen)`` writes for the class (fields set,
    through ``object.__setattr__`` when frozen; defaults; ``__post_init__``), made by
    ``dataclass`` itself from the class's fields, on a twin class with the same fields and
    ``__post_init__``. A run then compiles the ``__init__`` of the classes it constructs
    only (value classes here, result classes in :mod:`hohhot_cli.query.results`).
    """

    def first_init(self: Any, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        every = fields(cls)
        twin_namespace: dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__annotations__": {f.name: f.type for f in every},
        }
        if "__post_init__" in vars(cls):
            twin_namespace["__post_init__"] = vars(cls)["__post_init__"]
        for f in every:
            twin_namespace[f.name] = field(
                default=f.default,
                default_factory=f.default_factory,
                init=f.init,
                repr=f.repr,
                hash=f.hash,
                compare=f.compare,
                metadata=f.metadata,
                kw_only=f.kw_only,
            )
        twin: Any = dataclass(frozen=frozen, eq=False, repr=False)(type(cls.__name__, (), twin_namespace))
        type.__setattr__(cls, "__init__", twin.__init__)
        twin.__init__(self, *args, **kwargs)

    return first_init


_first_init = compiled_on_first_use(frozen=True)
