"""Result and model classes: declared as dataclasses, made by :mod:`hohhot_cli.model.value` without importing them.

Each class is checked against its twin made by :mod:`dataclasses` from the same declaration:
both take the same arguments, refuse the same mistakes and hold the same fields.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from hohhot_cli.model import facts
from hohhot_cli.model.value import MISSING, FrozenInstanceError, fields, is_value
from hohhot_cli.query import results


def _classes(module: ModuleType) -> list[type]:
    found = (c for c in vars(module).values() if isinstance(c, type) and is_value(c))
    return sorted((c for c in found if c.__module__ == module.__name__), key=lambda c: c.__name__)


RESULT_CLASSES = _classes(results)
MODEL_CLASSES = _classes(facts)
EVERY_CLASS = RESULT_CLASSES + MODEL_CLASSES


def _twin(cls: type) -> type:
    """The same declaration, made by ``@dataclass(frozen=True)``."""
    namespace: dict[str, object] = {"__annotations__": {f.name: f.type for f in fields(cls)}, "__module__": __name__}
    for f in fields(cls):
        namespace[f.name] = dataclasses.field(
            default=dataclasses.MISSING if f.default is MISSING else f.default,
            default_factory=dataclasses.MISSING if f.default_factory is MISSING else f.default_factory,
            init=f.init,
        )
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), namespace))


def test_every_class_is_found() -> None:
    assert len(RESULT_CLASSES) >= 20 and len(MODEL_CLASSES) >= 10


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_objects_hold_exactly_what_they_are_given(cls: type) -> None:
    declared = fields(cls)
    given = {f.name: object() for f in declared}
    positional = cls(*given.values())
    by_name = cls(**given)
    assert vars(positional) == vars(by_name) == given
    assert list(vars(positional)) == [f.name for f in declared]  # set in field order, as dataclass does
    required = {f.name: given[f.name] for f in declared if f.default is f.default_factory is MISSING}
    defaulted = cls(**required)
    for f in declared:
        if f.default is not MISSING:
            assert getattr(defaulted, f.name) is f.default
        elif f.default_factory is not MISSING:
            assert getattr(defaulted, f.name) == f.default_factory()


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=lambda c: c.__name__)
def test_the_init_takes_and_refuses_what_a_dataclass_would(cls: type) -> None:
    twin = _twin(cls)
    if cls is facts.FactBase:
        pytest.skip("its __post_init__ needs real entries; the loader tests cover it")
    init_fields = [f for f in fields(cls) if f.init]
    values = [object() for _ in init_fields]
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = [
        (tuple(values), {}),
        ((), {f.name: v for f, v in zip(init_fields, values, strict=True)}),
        ((), {}),
        ((*values, object()), {}),
        (tuple(values), {"unknown": 1}),
        (tuple(values[:1]), {init_fields[0].name: 1} if init_fields else {}),
    ]
    for args, kwargs in calls:
        outcomes = []
        for made_by in (cls, twin):
            try:
                made = made_by(*args, **kwargs)
            except TypeError:
                outcomes.append("TypeError")
            else:
                outcomes.append(tuple(getattr(made, f.name) for f in init_fields))
        assert outcomes[0] == outcomes[1], (args, kwargs)


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_results_are_frozen_at_run_time(cls: type) -> None:
    made = cls(*(object() for _ in fields(cls)))
    name = fields(cls)[0].name
    with pytest.raises(FrozenInstanceError):
        setattr(made, name, None)
    with pytest.raises(FrozenInstanceError):
        delattr(made, name)
    with pytest.raises(FrozenInstanceError):
        made.something_else = 1


def test_model_objects_compare_hash_and_show_as_dataclasses_do() -> None:
    source = facts.Source(id="a", publisher="P", title="T", date="2024")
    same = facts.Source(id="a", publisher="P", title="T", date="2024")
    other = facts.Source(id="b", publisher="P", title="T", date="2024")
    assert source == same and hash(source) == hash(same) and source != other
    twin = _twin(facts.Source)(id="a", publisher="P", title="T", date="2024")
    assert repr(source) == repr(twin).replace(f"{__name__}.", "")
