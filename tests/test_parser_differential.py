"""rtoml (the ``fast`` extra) against the reference parser (tomllib; tomli on 3.10).

The loader uses rtoml only on text that :func:`hohhot_cli.load.parsers.fast_parser_fits`, and
reads a large file in parts (:func:`hohhot_cli.load.reading.parse_toml_in_parts`). These tests
hold it to that: on every input here, rtoml either gives the reference's document (same
values, same types, same key order) or the input is one the screen sends to the
reference; parts read as the whole; and a base loaded the quick way equals, problem for
problem, the base loaded the reference way. Skipped where rtoml is not installed (the
reference path alone is tested in test_loader.py).
"""

from __future__ import annotations

import datetime as _dt
import math
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import BUNDLED, FIXTURE, REPO
from support.checks import printed_by_snippet
from support.factfiles import generated_base, minimal_base, to_toml

import hohhot_cli.load.reading as reading
from hohhot_cli.load import parsers
from hohhot_cli.load.loader import parse_facts
from hohhot_cli.load.parsers import fast_parser_fits, reference_module
from hohhot_cli.model.errors import FactFileError

rtoml = pytest.importorskip("rtoml")

BAD = REPO / "tests" / "data" / "bad"

# Inputs on which rtoml and a TOML 1.0 reference are known to part ways, or nearly: each
# must be screened out, or read alike.
TRICKY = {
    "inline table over two lines": 'a = {x = 1,\n y = 2}\n',
    "inline table, trailing comma": 'a = {x = 1, y = 2,}\n',
    "inline table, a brace in a string": 'a = {x = "}", y = 1,\n z = 2}\n',
    "inline table, braces in strings": 'a = {x = "{}",\n y = "{"}\n',
    "inline table, comment": 'a = {x = 1, # c\n}\n',
    "escape \\e": 'a = "\\e"\n',
    "escape \\x": 'a = "\\x41"\n',
    "time without seconds": 'a = 07:32\n',
    "date-time without seconds": 'a = 1979-05-27T07:32\n',
    "CRLF in a multi-line string": 'a = """\r\nx\r\ny"""\r\n',
    "CRLF in a multi-line literal string": "a = '''\r\nx\r\ny'''\r\n",
    "byte order mark inside": 'a = 1\n\ufeffb = 2\n',
    "integer beyond 64 bits": 'a = 99999999999999999999\n',
    "hexadecimal beyond 64 bits": 'a = 0xFFFFFFFFFFFFFFFFF\n',
    "float beyond range": 'a = 1e400\n',
    "nan and infinities": 'a = nan\nb = -inf\nc = +inf\n',
    "negative zero": 'a = -0.0\n',
    "deeply nested arrays": "a = " + "[" * 200 + "]" * 200 + "\n",
    "offset date-time": 'a = 1979-05-27T07:32:00+01:00\nb = 1979-05-27 07:32:00Z\n',
    "dates": 'a = 2023-02-28\nb = 2024-02-29\n',
    "bad dates": 'a = 2023-02-29\n',
    "quoted and dotted keys": 'a."b.c".d = 1\n"e\\tf" = 2\n\'g\' = 3\n',
    "key order": 'z = 1\na = 2\n[t]\nq = 1\nb = 2\n',
    "multi-line strings": 'a = """x \\\n   y"""\nb = """""x"""""\nc = \'\'\'x\'\'\'\'\n',
    "inline tables on one line": 'a = {b = 1, c = "x, }", d = [1, 2], e = {f = 1}}\nitems = [\n  { name = "x" },\n]\n',
    "duplicate key": 'a = 1\na = 2\n',
    "table defined twice": '[a]\nx = 1\n[a]\ny = 2\n',
    "array of tables after a table": '[[a]]\n[a]\n',
    "unicode bare key": 'ü = 1\n',
    "control character in a comment": '# \x01\na = 1\n',
    "lone carriage return": 'a = 1\rb = 2\n',
    "surrogate escape": 'a = "\\uD800"\n',
}


def _outcome(loads: Callable[[str], dict[str, Any]], text: str) -> tuple[str, Any]:
    try:
        return "ok", loads(text)
    except RecursionError:
        return "error", None
    except Exception:
        return "error", None


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types, dictionaries in the same key order; NaN equals NaN, date-times by instant."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (_dt.datetime, _dt.time)):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None) and a.utcoffset() == b.utcoffset()
    return bool(a == b)


def assert_safe(text: str) -> None:
    """rtoml reads the text as the reference does, or the screen keeps rtoml off it.

    Both read it without a leading byte order mark, which the loader drops first.
    """
    parsed = text.removeprefix("\ufeff")
    reference = _outcome(reference_module().loads, parsed)
    fast = _outcome(rtoml.loads, parsed)
    if fast[0] == "error":
        return  # the loader then parses with the reference
    agree = reference[0] == "ok" and _same(fast[1], reference[1])
    assert agree or not fast_parser_fits(text), f"rtoml and the reference disagree on {text[:200]!r}"




def _texts() -> Iterator[tuple[str, str]]:
    for path in sorted(BAD.iterdir()):
        yield path.name, path.read_bytes().decode("utf-8", "replace")
    yield "fixture", FIXTURE.read_text(encoding="utf-8")
    yield "bundled", BUNDLED.read_text(encoding="utf-8")
    yield "minimal", to_toml(minimal_base())


@pytest.mark.parametrize(("name", "text"), list(TRICKY.items()))
def test_tricky_inputs(name: str, text: str) -> None:
    assert_safe(text)


def test_screen_keeps_rtoml_off_what_it_reads_otherwise() -> None:
    for name in (
        "inline table over two lines",
        "inline table, trailing comma",
        "inline table, a brace in a string",
        "inline table, braces in strings",
        "escape \\e",
        "CRLF in a multi-line string",
        "byte order mark inside",
    ):
        assert not fast_parser_fits(TRICKY[name]), name
    assert fast_parser_fits(TRICKY["inline tables on one line"])
    assert fast_parser_fits(FIXTURE.read_text(encoding="utf-8"))
    assert fast_parser_fits(BUNDLED.read_text(encoding="utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.from_regex(parsers._PLAIN_INLINE, fullmatch=True))
def test_the_screens_quick_inline_pattern_takes_only_lines_the_whole_one_takes(line: str) -> None:
    """The quick pattern is a part of the whole one: a line it lets through, the whole pattern would."""
    assert "\n" not in line and "{" in line
    assert parsers._one_line_inline().fullmatch(line) is not None, line


def test_the_whole_inline_pattern_is_compiled_only_for_a_line_the_quick_one_does_not_take() -> None:
    parsers._COMPILED_INLINE.clear()
    assert fast_parser_fits('a = { b = "c", d = 1_000 }\nitems = [\n  { name = "x" },\n]\n')
    assert not parsers._COMPILED_INLINE
    assert fast_parser_fits('a = [{ b = 1 }, { b = 2 }]\n')
    assert parsers._COMPILED_INLINE
    assert not fast_parser_fits('a = { b = 1, }\n')


@pytest.mark.parametrize(("name", "text"), list(_texts()), ids=lambda value: value if len(value) < 60 else "")
def test_corpus(name: str, text: str) -> None:
    assert_safe(text)


@pytest.mark.parametrize(("observations", "seed"), [(1, 1), (50, 2), (400, 3), (3000, 4)])
def test_generated_bases(observations: int, seed: int) -> None:
    text = generated_base(observations, seed)
    assert fast_parser_fits(text)
    reference = reference_module().loads(text)
    assert _same(rtoml.loads(text), reference)


def test_mutated_files() -> None:
    """A few hundred inputs made by the fuzz target's mutations (tests/fuzz_loader.py), fixed by their seed."""
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from fuzz_loader import mutate
    finally:
        sys.path.remove(str(REPO / "tests"))
    seeds = [FIXTURE.read_bytes(), to_toml(minimal_base()).encode()]
    rng = random.Random(7)
    for _ in range(400):
        data = mutate(rng.choice(seeds), rng, seeds)
        assert_safe(data.decode("utf-8", "replace"))


# -- the loader, the quick way against the reference way ------------------------------------------


def _load(source: str | bytes, reference: bool) -> tuple[str, object]:
    parsers.use_reference(reference)
    try:
        return "base", parse_facts(source, "f.toml")
    except FactFileError as error:
        return "problems", error.problems
    finally:
        parsers.use_reference(False)


def _assert_loads_alike(text: str) -> None:
    """The quick way, from the text and from the file's bytes (decoded a part at a time), as the reference."""
    quick, from_bytes, reference = _load(text, False), _load(text.encode("utf-8", "surrogatepass"), False), _load(
        text, True
    )
    assert quick == reference
    if any("\ud800" <= c <= "\udfff" for c in text):
        return  # not UTF-8 as bytes: the bytes path refuses it, as a file with them is refused
    assert from_bytes == reference


def test_bytes_that_are_not_utf8_are_reported_as_the_reference_reports_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad byte or a NUL in a later part: the quick way gives up, and the reference way reports it."""
    monkeypatch.setattr(reading, "PART_CHARS", 2000)
    data = generated_base(300, 5).encode()
    last = data.rindex(b"\n[[metrics]]\n")
    for bad in (b"\xff", b"\xc3(", b"\x00"):
        broken = data[:last] + b"\nnote = \"" + bad + b"\"" + data[last:]
        quick = _load(broken, False)
        assert quick == _load(broken, True)
        assert quick[0] == "problems"


@pytest.mark.parametrize(("name", "text"), list(_texts()), ids=lambda value: value if len(value) < 60 else "")
def test_loader_corpus(name: str, text: str) -> None:
    _assert_loads_alike(text)


@pytest.mark.parametrize("name", list(TRICKY))
def test_loader_tricky(name: str) -> None:
    """Each tricky input put where an observation's note goes in a valid base, and as a note's text."""
    value = TRICKY[name].split("=", 1)[1].strip() if "=" in TRICKY[name] else '"x"'
    base = to_toml(minimal_base())
    assert "value = 100\n" in base
    _assert_loads_alike(base.replace("value = 100\n", f"value = 100\nnote = {value}\n", 1))
    _assert_loads_alike(base.replace("value = 100\n", f"value = 100\nnote = {TRICKY[name]!r}\n", 1))


def test_loader_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of a few kilobytes: the base is the same as the reference's, in every way the parts can go wrong too."""
    monkeypatch.setattr(reading, "PART_CHARS", 2000)
    text = generated_base(300, 5)
    _assert_loads_alike(text)
    header = "\n[[metrics]]\n"
    second = text.index(header, text.index(header) + 1)
    broken = [
        text[:second] + '\nnote = """' + text[second:] + '"""\n',  # a cut inside a multi-line string
        text.replace("[city]", "[[metrics]]\n[city]", 1),  # metrics in the head
        text + '\n[city]\nname = "again"\n',  # a table in two parts
        text[:second] + '\n[extra]\nx = 1\n' + text[second:],  # a table in a part but the last
        text.replace("[[facts]]", "[[metrics]]\n[[facts]]", 1),
    ]
    for variant in broken:
        _assert_loads_alike(variant)


def test_parts_read_as_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "PART_CHARS", 1500)
    text = generated_base(200, 6)
    for loads in (rtoml.loads, reference_module().loads):
        parsed = reading.parse_toml_in_parts(text, loads)
        assert parsed is not None
        document, parts = parsed
        assert parts is not None
        document["metrics"] = [table for part in parts for table in part]
        whole = reference_module().loads(text)
        assert list(document) == list(whole)
        assert _same(document, whole)


def test_a_cut_inside_a_string_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "PART_CHARS", 10)
    text = 'a = """\n[[metrics]]\nid = "x"\n"""\n[[metrics]]\nid = "y"\n'
    with pytest.raises(Exception):  # noqa: B017 - the parser's own error, whichever parser it is
        parsed = reading.parse_toml_in_parts(text, rtoml.loads)
        assert parsed is not None and parsed[1] is not None
        list(parsed[1])


def test_big_generated_base_loads_alike(tmp_path: Path) -> None:
    _assert_loads_alike(generated_base(20_000, 8))


def test_the_screen_refuses_a_long_line_in_linear_time() -> None:
    """Many pairs then a trailing comma: a pattern that backtracks over each pair's spaces would run for years."""
    line = "a = {" + " b = 1 ," * 60 + " }"
    code = f"from hohhot_cli.load.parsers import fast_parser_fits; print(fast_parser_fits({line!r} + '\\n'))"
    assert printed_by_snippet(code) == "False"


def test_the_screen_refuses_a_line_of_many_spaces_in_linear_time() -> None:
    """Two inline tables with a long run of spaces before a comma: `[ \\t]*,?[ \\t]*` could split the run n ways."""
    code = (
        "from hohhot_cli.load.parsers import fast_parser_fits\n"
        "print(fast_parser_fits('extra = [\\n  {a = 1}' + ' ' * 100_000 + ', {b = 2},\\n]\\n'))\n"
    )
    assert printed_by_snippet(code) == "False"
