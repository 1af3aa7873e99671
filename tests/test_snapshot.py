"""Snapshots of a built base: every field of every model class comes back as it went in, and nothing else is read.

The model classes and their fields are found from :mod:`hohhot_cli.model.facts` itself
(:mod:`support.models`), so a field added to the model is tested here without being named.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import pickle
import subprocess
import sys
import types
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import BUNDLED, FIXTURE
from support.models import MODEL_CLASSES, assert_same, instance

from hohhot_cli.load import snapshot
from hohhot_cli.load.loader import load_facts, parse_facts
from hohhot_cli.model import facts as model
from hohhot_cli.model.facts import Conversion, FactBase, Observation
from hohhot_cli.model.value import FrozenInstanceError, Value, field, is_value, replace
from hohhot_cli.model.value import fields as value_fields
from hohhot_cli.model.value import value as value_class

DIGEST = snapshot.content_digest(b"the fact file")


def round_trip(base: FactBase, path: str | None = None) -> FactBase:
    return snapshot.load(snapshot.dump(base, DIGEST), DIGEST, base.path if path is None else path)


def classes_in(item: Any) -> set[type]:
    """The model classes of every object reachable from ``item``."""
    found: set[type] = set()
    if is_value(item) and not isinstance(item, type):
        found.add(type(item))
        for field in value_fields(item):
            if field.init:
                found |= classes_in(getattr(item, field.name))
    elif isinstance(item, tuple):
        for element in item:
            found |= classes_in(element)
    return found


# -- every field of every model class -----------------------------------------------


def test_a_base_with_every_field_set_round_trips() -> None:
    base = instance(FactBase)
    assert classes_in(base) == set(MODEL_CLASSES), "the base reaches every model class"
    again = round_trip(base)
    assert again == base
    assert_same(again, base)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_every_field_of_every_model_class_is_set_and_survives(cls: type) -> None:
    """For each class, the round trip of the base that holds it gives back each of its fields, typed."""
    base = instance(FactBase)
    again = round_trip(base)
    pairs = [(base, again)]
    checked = 0
    while pairs:
        old, new = pairs.pop()
        if type(old) is cls:
            for field in value_fields(cls):
                if field.init:
                    assert_same(getattr(new, field.name), getattr(old, field.name), f"{cls.__name__}.{field.name}")
            checked += 1
        for field in value_fields(old):
            if field.init:
                a, b = getattr(old, field.name), getattr(new, field.name)
                if is_value(a):
                    pairs.append((a, b))
                elif isinstance(a, tuple):
                    pairs += [(x, y) for x, y in zip(a, b, strict=True) if is_value(x)]
    assert checked >= 1


def test_numbers_keep_their_types() -> None:
    """int stays int and float stays float, whatever their size; an integral float stays a float."""
    base = load_facts(FIXTURE)
    metric = base.metrics[0]
    values: list[int | float] = [0, -3, 256_000_000_000, 10**30, 0.0, -0.0, 2.0, 1e300, 5e-324, 0.1, 3.14]
    observations = tuple(
        replace(
            metric.observations[0],
            value=value,
            period=f"{2000 + number}",
            conversion=Conversion(value=value, unit=model.Unit.USD),
        )
        for number, value in enumerate(values)
    )
    changed = replace(base, metrics=(replace(metric, observations=observations),))
    again = round_trip(changed)
    assert_same(again, changed)
    for observation, value in zip(again.metrics[0].observations, values, strict=True):
        assert type(observation.value) is type(value) and observation.value == value
        assert observation.conversion is not None and type(observation.conversion.value) is type(value)
    assert str(again.metrics[0].observations[5].value) == "-0.0"


def test_enums_stay_members_and_tuples_stay_tuples() -> None:
    again = round_trip(load_facts(FIXTURE))
    for metric in again.metrics:
        assert type(metric.unit) is model.Unit
        assert type(metric.observations) is tuple and type(metric.aliases) is tuple
        for observation in metric.observations:
            assert type(observation.exactness) is model.Exactness and type(observation.status) is model.Status
            assert type(observation.sources) is tuple
    assert {type(source.kind) for source in again.sources} <= {model.SourceKind, type(None)}
    assert {type(fact.kind) for fact in again.facts} == {model.FactKind}
    assert {type(industry.kind) for industry in again.industries} == {model.IndustryKind}


def _text() -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=6)  # what TOML can hold: no lone surrogates


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    """Any value of a model field's annotation."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([st.none() if a is type(None) else _strategy(a) for a in args])
    if origin is tuple:
        return st.lists(_strategy(args[0]), max_size=2).map(tuple)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and is_value(hint):
        hints = typing.get_type_hints(hint, vars(model))
        fields = {f.name: _strategy(hints[f.name]) for f in value_fields(hint) if f.init}
        return st.builds(hint, **fields)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: _text(),
        int: st.integers(),
        float: st.floats(allow_nan=False, allow_infinity=False),
        bool: st.booleans(),
    }
    assert hint in simple, f"no strategy for {hint!r}: teach _strategy the new type"
    return simple[hint]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_strategy(FactBase))
def test_any_base_round_trips(base: FactBase) -> None:
    again = round_trip(base)
    assert again == base
    assert_same(again, base)


def test_the_fixture_base_round_trips_equal_to_a_fresh_parse() -> None:
    data = FIXTURE.read_bytes()
    digest = snapshot.content_digest(data)
    fresh = parse_facts(data, str(FIXTURE))
    again = snapshot.load(snapshot.dump(fresh, digest), digest, str(FIXTURE))
    assert again == fresh
    assert_same(again, fresh)
    assert again.metric_by_id["gdp.total"] is again.metrics[0], "indexes rebuilt over the loaded objects"


def test_the_bundled_base_round_trips_equal_to_a_fresh_parse() -> None:
    data = BUNDLED.read_bytes()
    digest = snapshot.content_digest(data)
    fresh = parse_facts(data, str(BUNDLED))
    again = snapshot.load(snapshot.dump(parse_facts(data, str(BUNDLED)), digest), digest, str(BUNDLED))
    assert again == fresh
    assert_same(again, fresh)


def test_loaded_objects_are_frozen_and_hold_their_fields_only() -> None:
    again = round_trip(load_facts(FIXTURE))
    observation = again.metrics[0].observations[0]
    with pytest.raises(FrozenInstanceError):
        observation.value = 1  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        again.path = "elsewhere"  # type: ignore[misc]
    assert set(vars(observation)) == {f.name for f in value_fields(Observation)}
    assert hash(observation) == hash(load_facts(FIXTURE).metrics[0].observations[0])


def test_the_path_of_the_loaded_base_is_the_path_given() -> None:
    base = load_facts(FIXTURE)
    data = snapshot.dump(base, DIGEST)
    assert str(FIXTURE).encode() not in data.partition(b"\n")[0], "the header names no path"
    again = snapshot.load(data, DIGEST, "/elsewhere/copy.toml")
    assert again.path == "/elsewhere/copy.toml"
    assert again == replace(base, path="/elsewhere/copy.toml")


def test_a_snapshot_is_two_lines_with_a_header_of_what_it_was_made_from() -> None:
    data = snapshot.dump(load_facts(FIXTURE), DIGEST)
    assert data == snapshot.dump(load_facts(FIXTURE), DIGEST), "the same base, the same bytes"
    header_line, body, end = data.split(b"\n")
    assert end == b""
    header = json.loads(header_line)
    assert header == {
        "format": snapshot.FORMAT,
        "model": snapshot.model_signature(),
        "facts_sha256": DIGEST,
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }


def test_the_content_digest_is_the_sha256_of_the_bytes() -> None:
    assert snapshot.content_digest(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert snapshot.content_digest(b"abc") != snapshot.content_digest(b"abc ")


# -- what load refuses ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stored() -> bytes:
    return snapshot.dump(load_facts(FIXTURE), DIGEST)


def test_load_refuses_a_snapshot_of_other_content(stored: bytes) -> None:
    with pytest.raises(snapshot.SnapshotMismatch, match="another fact file"):
        snapshot.load(stored, snapshot.content_digest(b"another fact file"), "x.toml")


def test_load_refuses_a_snapshot_of_another_model(stored: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "model_signature", lambda: "0" * 32)
        other = snapshot.dump(load_facts(FIXTURE), DIGEST)
        expected = replace(load_facts(FIXTURE), path="x.toml")
        assert snapshot.load(other, DIGEST, "x.toml") == expected, "read by the model it was written for"
    with pytest.raises(snapshot.SnapshotMismatch, match="model"):
        snapshot.load(other, DIGEST, "x.toml")


def test_load_refuses_another_format(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "FORMAT", "hohhot-snapshot/0")
        other = snapshot.dump(load_facts(FIXTURE), DIGEST)
    with pytest.raises(snapshot.SnapshotMismatch, match="format"):
        snapshot.load(other, DIGEST, "x.toml")


def test_load_refuses_a_body_that_does_not_match_its_checksum(stored: bytes) -> None:
    header, _, body = stored.partition(b"\n")
    changed = body.replace(b"200000000000", b"200000000001", 1)  # gdp.total 2017: one digit
    assert changed != body
    with pytest.raises(snapshot.SnapshotMismatch, match="checksum"):
        snapshot.load(header + b"\n" + changed, DIGEST, "x.toml")


def test_a_body_off_its_checksum_is_never_decoded(stored: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    header, _, body = stored.partition(b"\n")
    decoded: list[bytes] = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: decoded.append(text) or real(text, **kw))
    with pytest.raises(snapshot.SnapshotMismatch, match="checksum"):
        snapshot.load(header + b"\n" + body.replace(b"[", b"{", 1), DIGEST, "x.toml")
    assert decoded == [header], "only the header"


GARBAGE = {
    "empty": b"",
    "a newline": b"\n",
    "words": b"garbage",
    "zeros": b"\x00" * 64,
    "not UTF-8": b"\xff\xfe\xfd\n\xff",
    "an empty header": b"{}\n[]\n",
    "a list header": b"[1, 2]\n[]\n",
    "a pickle": pickle.dumps({"format": snapshot.FORMAT}),
    "nested too deep": b"[" * 100_000 + b"\n",
}


@pytest.mark.parametrize("data", list(GARBAGE.values()), ids=list(GARBAGE))
def test_load_refuses_garbage(data: bytes) -> None:
    with pytest.raises(snapshot.SnapshotMismatch):
        snapshot.load(data, DIGEST, "x.toml")


TRUNCATIONS = {
    "inside the header": lambda data: 15,
    "just after the header": lambda data: data.index(b"\n") + 1,
    "a little into the body": lambda data: data.index(b"\n") + 10,
    "half": lambda data: len(data) // 2,
    "the body's last character lost": lambda data: len(data) - 2,
}


@pytest.mark.parametrize("where", list(TRUNCATIONS))
def test_load_refuses_a_truncated_snapshot(stored: bytes, where: str) -> None:
    with pytest.raises(snapshot.SnapshotMismatch):
        snapshot.load(stored[: TRUNCATIONS[where](stored)], DIGEST, "x.toml")


def test_a_snapshot_without_its_final_newline_has_lost_nothing(stored: bytes) -> None:
    assert snapshot.load(stored[:-1], DIGEST, "x.toml") == snapshot.load(stored, DIGEST, "x.toml")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_load_raises_nothing_but_a_mismatch_on_any_bytes(data: bytes) -> None:
    with pytest.raises(snapshot.SnapshotMismatch):
        snapshot.load(data, DIGEST, "x.toml")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text(),
    lambda inner: st.lists(inner, max_size=11) | st.dictionaries(_text(), inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_a_checked_body_of_any_json_is_a_base_or_a_mismatch(body: object) -> None:
    """JSON with a matching checksum that is not what dump writes: refused, never another exception.

    (Values of plain fields are not checked: a body that has the shape of a base is one.)
    """
    text = json.dumps(body).encode()
    header = {
        "format": snapshot.FORMAT,
        "model": snapshot.model_signature(),
        "facts_sha256": DIGEST,
        "body_sha256": hashlib.sha256(text).hexdigest(),
    }
    try:
        base = snapshot.load(json.dumps(header).encode() + b"\n" + text + b"\n", DIGEST, "x.toml")
    except snapshot.SnapshotMismatch as mismatch:
        assert str(mismatch).startswith("cannot be decoded")
    else:
        assert isinstance(base, FactBase) and base.path == "x.toml"


# -- the model signature --------------------------------------------------------------


def _rebuilt(cls: type, fields: list[tuple[str, Any, Any]]) -> type:
    """A model class made anew, as the model makes one, with these fields."""
    annotations = {name: kind for name, kind, _ in fields}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": model.__name__}
    namespace.update({name: spec for name, _, spec in fields})
    made: type = value_class(type(cls.__name__, (Value,), namespace))
    return made


def _fields_of(cls: type) -> list[tuple[str, Any, Any]]:
    return [
        (f.name, f.type, field(default=f.default, default_factory=f.default_factory, init=f.init))
        for f in value_fields(cls)
    ]


def _with_a_field_added(cls: type) -> type:
    return _rebuilt(cls, [*_fields_of(cls), ("extra", "str", field(default=""))])


def _with_a_field_renamed(cls: type) -> type:
    (name, kind, spec), *rest = _fields_of(cls)
    return _rebuilt(cls, [(name + "_x", kind, spec), *rest])


def _with_a_field_retyped(cls: type) -> type:
    fields = _fields_of(cls)
    name, _, spec = fields[-1]
    return _rebuilt(cls, [*fields[:-1], (name, "bytes", spec)])


def _with_a_member_added(cls: type) -> type:
    members = {member.name: member.value for member in cls} | {"EXTRA": "extra"}
    made = enum.Enum(cls.__name__, members, type=str)  # type: ignore[misc]
    made.__module__ = model.__name__
    return made


CHANGES = {
    "a field added to Item": ("Item", _with_a_field_added),
    "a field added to FactBase": ("FactBase", _with_a_field_added),
    "a field renamed in Observation": ("Observation", _with_a_field_renamed),
    "a field retyped in Conversion": ("Conversion", _with_a_field_retyped),
    "a member added to Status": ("Status", _with_a_member_added),
    "a class added": ("Extra", lambda _: _rebuilt(type("Extra", (), {}), [("name", "str", field())])),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_model_signature_changes_with_the_model(monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    name, make = CHANGES[change]
    before = snapshot.model_signature()
    written = snapshot.dump(load_facts(FIXTURE), DIGEST)
    monkeypatch.setattr(model, name, make(getattr(model, name, None)), raising=False)
    assert snapshot.model_signature() != before
    with pytest.raises(snapshot.SnapshotMismatch, match="model"):
        snapshot.load(written, DIGEST, "x.toml")
    monkeypatch.undo()
    assert snapshot.model_signature() == before


def test_the_model_signature_ignores_what_is_not_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names the model module imports (a dataclass or an enum of another module) are not its classes."""
    before = snapshot.model_signature()

    @dataclasses.dataclass
    class Elsewhere:
        name: str

    monkeypatch.setattr(model, "Elsewhere", Elsewhere, raising=False)
    monkeypatch.setattr(model, "Signals", enum.Enum("Signals", {"A": 1}), raising=False)
    assert snapshot.model_signature() == before


def test_the_model_signature_is_the_same_in_every_process() -> None:
    """The wheel's snapshot is written by the build and read by another process: no hash seed in it."""
    code = "from hohhot_cli.load.snapshot import model_signature; print(model_signature())"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code], env={"PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert seen == {snapshot.model_signature()}
