"""The model classes for tests of snapshots and the cache: equality down to types, objects with every field set.

``==`` on model objects takes 1 for 1.0 and an enum member for its value (the enums are
``str`` enums); :func:`assert_same` does not. :func:`instance` builds an object of any model
class with a value other than the default in every field it takes, found from the class's
annotations, so a field added to the model is covered without being named here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

from hohhot_cli.model import facts as model
from hohhot_cli.model.value import MISSING, is_value
from hohhot_cli.model.value import fields as value_fields

MODEL_CLASSES: list[type] = sorted(
    (
        item
        for item in vars(model).values()
        if isinstance(item, type) and is_value(item) and item.__module__ == model.__name__
    ),
    key=lambda cls: cls.__name__,
)
"""Every dataclass of :mod:`hohhot_cli.model.facts`."""


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Equal and of the same types all the way down: int stays int, an enum member stays one, a tuple a tuple."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__} ({a!r} / {b!r})"
    if is_value(a):
        for field in value_fields(a):
            assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{index}]")
    elif isinstance(a, Mapping):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def sample(hint: Any, default: Any, salt: str) -> Any:
    """A value of the annotation that is not the default: not empty, not None, not the first member."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        # int | float: a float, the type a careless decoder would turn into an int (2.0) or lose.
        return sample(float if float in others else others[0], default, salt)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(sample(args[0], MISSING, f"{salt}-{i}") for i in range(2))
        return tuple(sample(a, MISSING, f"{salt}-{i}") for i, a in enumerate(args))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(m for m in reversed(list(hint)) if m is not default)
    if isinstance(hint, type) and is_value(hint):
        return instance(hint, salt)
    if hint is bool:
        return not default if isinstance(default, bool) else True
    if hint is int:
        return 7 if default != 7 else 8
    if hint is float:
        return 2.5 if default != 2.5 else 3.5
    if hint is str:
        return f"{salt}-text"
    raise AssertionError(f"no sample for {hint!r}: teach sample() the new type")


def instance(cls: type, salt: str = "x") -> Any:
    """An object of a model class with a value other than its default in every field it takes."""
    hints = typing.get_type_hints(cls, vars(model))
    values = {}
    for field in value_fields(cls):
        if field.init:
            default = field.default
            if field.default_factory is not MISSING:
                default = field.default_factory()
            values[field.name] = sample(hints[field.name], default, f"{salt}-{field.name}")
            assert values[field.name] != default, f"{cls.__name__}.{field.name}: the sample equals the default"
    return cls(**values)
