"""Result classes: dataclasses whose ``__init__`` is the one ``dataclass`` writes, made on first use."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from hohhot_cli.query import results

RESULT_CLASSES = sorted(
    (c for c in vars(results).values() if isinstance(c, type) and dataclasses.is_dataclass(c)),
    key=lambda c: c.__name__,
)


def test_every_result_class_is_found() -> None:
    assert len(RESULT_CLASSES) >= 20


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_objects_hold_exactly_what_they_are_given(cls: type) -> None:
    fields = dataclasses.fields(cls)
    given = {f.name: object() for f in fields}
    positional = cls(*given.values())  # the first object of the class: compiles its __init__
    by_name = cls(**given)
    assert vars(positional) == vars(by_name) == given
    assert list(vars(positional)) == [f.name for f in fields]  # set in field order, as dataclass does
    required = {f.name: given[f.name] for f in fields if f.default is f.default_factory is dataclasses.MISSING}
    defaulted = cls(**required)
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert getattr(defaulted, f.name) is f.default
        elif f.default_factory is not dataclasses.MISSING:
            assert getattr(defaulted, f.name) == f.default_factory()
    with pytest.raises(TypeError):
        cls(*given.values(), object())
    with pytest.raises(TypeError):
        cls(**given, unknown=1)
    if required:
        with pytest.raises(TypeError):
            cls()


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_the_init_is_the_one_dataclass_writes(cls: type) -> None:
    fields = dataclasses.fields(cls)
    cls(*(object() for _ in fields))
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_results_are_frozen_at_run_time(cls: type) -> None:
    made = cls(*(object() for _ in dataclasses.fields(cls)))
    name = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, name, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(made, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.something_else = 1
