"""The one JSON encoder writes exactly what ``json.dumps(..., indent=2)`` writes, and fails as it fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hohhot_cli.output.encode import _escape_unsafe, _indented_json, json_lines, to_json, to_json_line

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
    assert _indented_json(data, ascii_only) == expected
    assert to_json(data, ascii_only) == _escape_unsafe(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TREES, max_size=4), st.booleans())
def test_json_lines_are_compact_json_dumps(rows: list[Any], ascii_only: bool) -> None:
    expected = [json.dumps(row, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False) for row in rows]
    assert json_lines(rows, ascii_only) == "".join(_escape_unsafe(line) + "\n" for line in expected)
    for row, line in zip(rows, expected, strict=True):
        assert to_json_line(row, ascii_only) == _escape_unsafe(line)


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
    with pytest.raises((TypeError, ValueError)) as compact:
        json.dumps(data, separators=(",", ":"), allow_nan=False)
    with pytest.raises(compact.type) as in_a_line:
        to_json_line(data)
    assert str(in_a_line.value) == str(compact.value)


def test_a_cycle_is_refused_as_json_refuses_it() -> None:
    cycle: list[Any] = [{"a": [1]}]
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        to_json(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        json_lines([cycle])
