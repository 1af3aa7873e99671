"""The one JSON encoder writes exactly what ``json.dumps(..., indent=2)`` writes, and fails as it fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hohhot_cli.encode import to_json

_KEYS = st.one_of(
    st.text(max_size=6), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_TREES, st.booleans())
def test_indented_json_is_json_dumps_character_for_character(data: Any, ascii_only: bool) -> None:
    expected = json.dumps(data, ensure_ascii=ascii_only, indent=2, allow_nan=False)
    # to_json escapes a few more characters after encoding; compare before that step too.
    from hohhot_cli.encode import _escape_unsafe, _indented_json

    assert _indented_json(data, ascii_only) == expected
    assert to_json(data, ascii_only) == _escape_unsafe(expected)


@pytest.mark.parametrize(
    "data",
    [
        [1, float("nan")],
        {"a": [float("inf")]},
        [{1, 2}],
        {"a": {"b": object()}},
        {(1,): 2},
        [[{"a": [1]}, -float("inf")]],
    ],
)
def test_what_json_refuses_is_refused_in_its_words(data: Any) -> None:
    with pytest.raises((TypeError, ValueError)) as expected:
        json.dumps(data, indent=2, allow_nan=False)
    with pytest.raises(expected.type) as got:
        to_json(data)
    assert str(got.value) == str(expected.value)


def test_a_cycle_is_refused_as_json_refuses_it() -> None:
    cycle: list[Any] = [{"a": [1]}]
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        to_json(cycle)
