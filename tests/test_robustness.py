"""Robustness: bad fact files, hostile strings, pipes, Ctrl-C, locales and terminals, read-only runs, failed exports.

Most checks run in process (the ``hohhot`` fixture). Subprocesses are used only where the
in-process runner cannot see the behaviour: real pipes, signals, the encoding of a real
stdout, a real terminal (pty), interpreter start-up. Wrong product behaviour is pinned by
``xfail(strict=True)`` tests that state the correct behaviour.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import types
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Runner, hohhot_executable, subprocess_env

import hohhot_cli.export as export_module
import hohhot_cli.reading as reading
from hohhot_cli.errors import ExitStatus
from hohhot_cli.humanize import STATUS_LABELS, observation_value, signed
from hohhot_cli.loader import load_facts
from hohhot_cli.model import FactBase, Status, Unit

BAD = REPO / "tests" / "data" / "bad"
FORMATS = ("table", "json", "jsonl", "csv", "markdown")
NEVER = ("Traceback", "RecursionError", "UnicodeDecodeError", "MemoryError", "Exception ignored")
TIMEOUT = 30

# The valid base every file in tests/data/bad/ was made from, with one defect each.
BASE = """\
# One defect per file in this directory; the valid base it starts from is
# BASE in tests/test_robustness.py. See that file for what each must report.
schema_version = 1
updated = 2026-01-01

[city]
name = "Hohhot"
name_zh = "呼和浩特"
province = "Inner Mongolia Autonomous Region"
province_zh = "内蒙古自治区"
source = "cd-mayor-2024"

[[sources]]
id = "cd-mayor-2024"
publisher = "China Daily"
title = "Innovation drives growth in Hohhot"
date = "2024-05-28"
url = "https://www.chinadailyasia.com/hk/article/584251"

[[industries]]
id = "dairy"
name = "Dairy"
name_zh = "乳业"
kind = "pillar"
source = "cd-mayor-2024"

[[metrics]]
id = "gdp.total"
label = "Regional GDP"
unit = "CNY"
industry = "dairy"

[[metrics.observations]]
period = "2023"
value = 100_000_000_000
exactness = "approximate"
status = "preliminary"
source = "cd-mayor-2024"
converted = { value = 14_000_000_000, unit = "USD" }
"""

OBS = "metrics[0] (gdp.total).observations[0]"
ONE_OF_UNITS = "is not one of: CNY, USD, percent"

# file name -> (line, place, start of the message): the first problem reported.
EXPECTED: dict[str, tuple[int | None, str, str]] = {
    "as_of_not_a_date.toml": (None, f"{OBS}.as_of", "'2023-Q1' is not a date"),
    "binary_junk.bin": (1, "", "invalid UTF-8 at byte 0"),
    "binary_nul_ascii.bin": (1, "", "contains a NUL byte"),
    "bom_only.toml": (None, "", "missing required key 'schema_version'"),
    "comments_only.toml": (None, "", "missing required key 'schema_version'"),
    "dangling_industry.toml": (None, "metrics[0] (gdp.total).industry", "unknown industry 'diary' (did you mean"),
    "dangling_source.toml": (None, f"{OBS}.source", "unknown source 'cd-mayor-2023' (did you mean 'cd-mayor-2024'?)"),
    "deep_dotted_key.toml": (1, "", "a key is nested more than 100 levels deep"),
    "deep_nested_arrays.toml": (None, "", "nested too deeply to parse"),
    "deep_nested_inline_tables.toml": (None, "", "nested too deeply to parse"),
    "duplicate_industry_id.toml": (42, "industries", "duplicate id 'dairy'"),
    "duplicate_key.toml": (31, "", "TOML syntax error: Cannot overwrite a value"),
    "duplicate_metric_id.toml": (42, "metrics and facts", "duplicate id 'gdp.total'"),
    "duplicate_source_id.toml": (42, "sources", "duplicate id 'cd-mayor-2024'"),
    "duplicate_table.toml": (41, "", "TOML syntax error: Cannot declare ('city',) twice"),
    "empty.toml": (None, "", "missing required key 'schema_version'"),
    "exactness_unknown.toml": (None, f"{OBS}.exactness", "'roughly' is not one of: exact, approximate"),
    "float_overflow_to_infinity.toml": (None, f"{OBS}.value", "inf is not a finite number"),
    "huge_float.toml": (None, f"{OBS}.value", "is out of range"),
    "huge_integer.toml": (None, f"{OBS}.value", "is out of range"),
    "infinity.toml": (None, f"{OBS}.value", "inf is not a finite number"),
    "integer_literal_5000_digits.toml": (35, "", "a number has too many digits to be a figure"),
    "invalid_id.toml": (28, "metrics[0] (GDP Total).id", "'GDP Total' is not a valid id"),
    "invalid_utf8.toml": (16, "", "invalid UTF-8 at byte 426"),
    "invalid_utf8_surrogate.toml": (29, "", "invalid UTF-8 at byte 680"),
    "invalid_utf8_truncated_sequence.toml": (23, "", "invalid UTF-8 at byte 586"),
    "missing_required_key.toml": (None, "metrics[0] (gdp.total)", "missing required key 'unit'"),
    "nan.toml": (None, f"{OBS}.value", "nan is not a finite number"),
    "nan_in_conversion.toml": (None, f"{OBS}.converted.value", "nan is not a finite number"),
    "negative_infinity.toml": (None, f"{OBS}.value", "-inf is not a finite number"),
    "nul_byte.toml": (29, "", "contains a NUL byte"),
    "period_bad_quarter.toml": (None, f"{OBS}.period", "'2023-Q5' is not a period"),
    "period_free_text.toml": (None, f"{OBS}.period", "'last year' is not a period"),
    "period_not_a_real_date.toml": (None, f"{OBS}.period", "'2023-02-30' is not a real date"),
    "period_range_backwards.toml": (None, f"{OBS}.period", "'2024/2020': the range ends before it starts"),
    "period_year_out_of_range.toml": (None, f"{OBS}.period", "'0999': year 999 is out of range"),
    "schema_version_unsupported.toml": (None, "schema_version", "unsupported version 2"),
    "status_unknown.toml": (None, f"{OBS}.status", "'guess' is not one of: actual, preliminary"),
    "syntax_bare_word.toml": (24, "", "TOML syntax error: Invalid value"),
    "syntax_missing_value.toml": (29, "", "TOML syntax error: Invalid value"),
    "syntax_unclosed_table_header.toml": (27, "", "TOML syntax error: Expected ']]'"),
    "syntax_unterminated_string.toml": (16, "", "TOML syntax error: "),
    "unit_number.toml": (None, "metrics[0] (gdp.total).unit", f"7 {ONE_OF_UNITS}"),
    "unit_unknown.toml": (None, "metrics[0] (gdp.total).unit", f"'furlongs' {ONE_OF_UNITS}"),
    "unknown_key_in_source.toml": (None, "sources[0] (cd-mayor-2024)", "unknown key 'urls' (did you mean 'url'?)"),
    "unknown_key_typo.toml": (None, "metrics[0] (gdp.total)", "unknown key 'lable' (did you mean 'label'?)"),
    "unknown_top_level_key.toml": (None, "", "unknown key 'colour'"),
    "updated_not_a_date.toml": (None, "updated", "'next week' is not a period"),
    "utf16.toml": (1, "", "invalid UTF-8 at byte 0"),
    "wrong_type_city_string.toml": (None, "city", "expected a table, got a string"),
    "wrong_type_date_time.toml": (None, "sources[0] (cd-mayor-2024).date", "expected a string, got a date-time"),
    "wrong_type_label_array.toml": (None, "metrics[0] (gdp.total).label", "expected a string, got an array"),
    "wrong_type_metrics_not_array.toml": (None, "metrics", "expected an array of tables ([[metrics]]), got an integer"),
    "wrong_type_value_boolean.toml": (None, f"{OBS}.value", "expected a number, got a boolean"),
    "wrong_type_value_string.toml": (None, f"{OBS}.value", "expected a number, got a string"),
}


# -- helpers ----------------------------------------------------------------------


def assert_no_crash(*texts: str) -> None:
    """No traceback, no leaked exception name, no 'Exception ignored' in any of the texts."""
    for text in texts:
        for word in NEVER:
            assert word not in text, text


def one_line(text: str) -> str:
    """The single line of a one-line message, failing when there are more or none."""
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    return text[:-1]


def run(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess[Any]:
    """The installed console script in a subprocess, bytes in and out; ``drop`` removes variables."""
    environ = subprocess_env(**(env or {}))
    for name in drop:
        environ.pop(name, None)
    return subprocess.run(
        [hohhot_executable(), *args], capture_output=True, env=environ, timeout=TIMEOUT, stdin=subprocess.DEVNULL
    )


_UNSAFE_EXTRA = set("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def raw_controls(text: str) -> set[str]:
    """Control characters (C0 but newline, DEL, C1), line separators and bidi controls found in text."""
    return {c for c in text if (unicodedata.category(c) == "Cc" and c != "\n") or c in _UNSAFE_EXTRA}


def cells(text: str) -> int:
    """Display width on a terminal: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def strings_in(data: Any) -> Iterator[str]:
    """Every string in a parsed JSON document, keys too."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)


def copy_of_base(tmp_path: Path, name: str = "facts.toml") -> Path:
    target = tmp_path / name
    shutil.copyfile(REPO / "facts.toml", target)
    return target


# -- 1. bad fact files -------------------------------------------------------------


def test_base_of_the_corpus_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "base.toml"
    path.write_text(BASE, encoding="utf-8")
    assert load_facts(path).metrics[0].id == "gdp.total"


def test_every_corpus_file_has_an_expectation() -> None:
    names = {p.name for p in BAD.iterdir()}
    assert names == set(EXPECTED)
    assert all(p.stat().st_size < 64 * 1024 for p in BAD.iterdir()), "keep the corpus small"


def _expected_line(path: Path, name: str) -> str:
    line, place, message = EXPECTED[name]
    where = f"{path}:{line}" if line is not None else str(path)
    return f"{where}: {place}: {message}" if place else f"{where}: {message}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_with_a_query_command(hohhot: Runner, name: str) -> None:
    """Exit 1, nothing on stdout, one line on stderr naming the file, the line, the place and the problem."""
    path = BAD / name
    result = hohhot("--facts", str(path), "metric", "gdp", "--json")
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"hohhot: error: {_expected_line(path, name)}"), line
    assert_no_crash(result.stdout, result.stderr)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_with_validate(hohhot: Runner, name: str) -> None:
    """validate reports on stdout (that is its output), one problem a line, each naming the file."""
    path = BAD / name
    result = hohhot("validate", str(path))
    assert result.exit_code == ExitStatus.ERROR, result
    title, *problems = result.stdout.splitlines()
    assert re.fullmatch(rf"{re.escape(str(path))}: \d+ problems?", title), title
    assert problems and all(p.startswith(str(path)) for p in problems), result
    assert problems[0].startswith(_expected_line(path, name)), problems[0]
    assert result.stderr.count("\n") <= 1
    assert_no_crash(result.stdout, result.stderr)

    report = hohhot("validate", str(path), "--json")
    assert report.exit_code == ExitStatus.ERROR, report
    record = report.json()
    assert record["valid"] is False and record["counts"] is None
    line, place, message = EXPECTED[name]
    first = record["problems"][0]
    assert (first["file"], first["line"], first["place"]) == (str(path), line, place)
    assert first["message"].startswith(message)
    assert {p["file"] for p in record["problems"]} == {str(path)}


@pytest.mark.parametrize("name", ["deep_nested_arrays.toml", "binary_junk.bin", "integer_literal_5000_digits.toml"])
def test_bad_file_in_a_real_process(name: str) -> None:
    """The same in a fresh interpreter (its own recursion limit and stderr), once each for a few files."""
    path = BAD / name
    result = run("--facts", str(path), "metric", "gdp", "--json")
    assert result.returncode == ExitStatus.ERROR
    assert result.stdout == b""
    line = one_line(result.stderr.decode())
    assert line.startswith(f"hohhot: error: {_expected_line(path, name)}")
    assert_no_crash(result.stderr.decode())


def _missing(tmp_path: Path) -> tuple[Path, str]:
    return tmp_path / "absent.toml", "no such file"


def _directory(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "facts").mkdir()
    return tmp_path / "facts", "is a directory, not a fact file"


def _oversized(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "huge.toml"
    with open(path, "wb") as handle:  # sparse: no disk space, no time
        handle.truncate(reading.MAX_FILE_BYTES + 1)
    limit = reading.MAX_FILE_BYTES // (1024 * 1024)
    return path, f"larger than the {limit} MiB limit for fact files"


@pytest.mark.parametrize("make", [_missing, _directory, _oversized], ids=["missing", "directory", "oversized"])
def test_unreadable_paths(hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Any) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024 * 1024)  # the check, not 64 MiB of reading
    path, message = make(tmp_path)
    result = hohhot("--facts", str(path), "metric", "gdp", "--json")
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stdout == ""
    assert one_line(result.stderr) == f"hohhot: error: {path}: {message}"
    report = hohhot("validate", str(path))
    assert report.exit_code == ExitStatus.ERROR, report
    assert report.stdout.splitlines() == [f"{path}: 1 problem", f"{path}: {message}"]
    assert report.stderr == ""


def test_oversized_file_in_a_real_process(tmp_path: Path) -> None:
    """The real 64 MiB limit, on a sparse file one byte larger."""
    path, message = _oversized(tmp_path)
    assert message == "larger than the 64 MiB limit for fact files"
    result = run("--facts", str(path), "metric", "gdp", "--json")
    assert result.returncode == ExitStatus.ERROR
    assert result.stdout == b""
    assert one_line(result.stderr.decode()) == f"hohhot: error: {path}: {message}"


@pytest.mark.parametrize("name", ["bad\nname.toml", "bad\x1b]0;owned\x07.toml"], ids=["newline", "osc"])
def test_hostile_path_gives_one_safe_line(hohhot: Runner, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("schema_version = 1\n[[metrics]\n", encoding="utf-8")
    result = hohhot("--facts", str(path), "metric", "gdp", "--json")
    assert result.exit_code == ExitStatus.ERROR
    line = one_line(result.stderr)
    assert not raw_controls(line), repr(line)
    assert "TOML syntax error" in line


@pytest.mark.parametrize("name", ["out\nput.csv", "out\x1b]0;owned\x07.csv"], ids=["newline", "osc"])
def test_hostile_export_path_gives_one_safe_line(hohhot: Runner, tmp_path: Path, name: str) -> None:
    result = hohhot("export", "-o", str(tmp_path / name))
    assert result.exit_code == 0, result
    line = one_line(result.stderr)
    assert not raw_controls(line), repr(line)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_integer_literal_too_long_names_its_place(hohhot: Runner) -> None:
    path = BAD / "integer_literal_5000_digits.toml"
    line = one_line(hohhot("--facts", str(path), "metric", "gdp", "--json").stderr)
    assert "sys.set_int_max_str_digits" not in line
    assert re.match(rf"hohhot: error: {re.escape(str(path))}:\d+: ", line) or f"{OBS}.value" in line, line


def test_deep_dotted_key_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "dotted.toml"
    path.write_text("a." * 50_000 + "a = 1\n" + BASE, encoding="utf-8")
    result = subprocess.run(
        [hohhot_executable(), "--facts", str(path), "metric", "gdp", "--json"],
        capture_output=True,
        env=subprocess_env(),
        timeout=5,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == ExitStatus.ERROR
    assert one_line(result.stderr.decode()).startswith(f"hohhot: error: {path}")


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "\x1b]0;owned\x07"),
        ("search", "\x1b[31mred"),
        ("bo\x1b[31mgus",),
        ("metric", "gdp", "--format", "\x1b[2J"),
        ("metric", "gdp", "--x\x1b[31m"),
        ("industries", "a", "b\nc\x1b[2J"),
        ("sources", "\x9b2J"),
        ("compare", "a\u202eb"),
    ],
    ids=["unknown-id", "search", "command", "format", "option", "extra-argument", "c1", "bidi"],
)
def test_hostile_arguments_are_echoed_safely(hohhot: Runner, args: tuple[str, ...]) -> None:
    """Arguments echoed in messages or titles are escaped: one line per message, no control reaches the terminal."""
    result = hohhot(*args)
    assert result.exit_code in (0, 1, 2), result
    assert not raw_controls(result.stdout) and not raw_controls(result.stderr), result
    assert all(line.startswith("hohhot: ") for line in result.stderr.splitlines()), result
    assert_no_crash(result.stdout, result.stderr)


# -- extreme but valid values ------------------------------------------------------


def _two_years(tmp_path: Path, previous: str, latest: str) -> Path:
    """BASE with gdp.total at ``previous`` in 2022 and ``latest`` in 2023, both comparable."""
    text = BASE.replace("value = 100_000_000_000", f"value = {latest}")
    text += (
        f'\n[[metrics.observations]]\nperiod = "2022"\nvalue = {previous}\nexactness = "approximate"\n'
        'status = "preliminary"\nsource = "cd-mayor-2024"\n'
    )
    path = tmp_path / "extreme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _no_infinity(constant: str) -> None:
    raise AssertionError(f"{constant} in JSON output")


@pytest.mark.parametrize(("previous", "latest"), [("-1e18", "1e18"), ("1e-300", "1e-300"), ("0", "5")])
@pytest.mark.parametrize("fmt", FORMATS)
def test_compare_extreme_values(hohhot: Runner, tmp_path: Path, fmt: str, previous: str, latest: str) -> None:
    path = _two_years(tmp_path, previous, latest)
    result = hohhot("--facts", str(path), "compare", "gdp.total", "--format", fmt)
    assert result.exit_code == 0, result
    assert not re.search(r"\b(inf|nan|Infinity|NaN)\b", result.stdout), result.stdout
    if fmt == "json":
        json.loads(result.stdout, parse_constant=_no_infinity)


@pytest.mark.parametrize("fmt", FORMATS)
def test_compare_after_a_tiny_previous_value(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    path = _two_years(tmp_path, "5e-324", "100_000_000_000")
    result = hohhot("--facts", str(path), "compare", "gdp.total", "--format", fmt)
    assert result.exit_code == 0, result
    assert not re.search(r"\b(inf|nan|Infinity|NaN)\b", result.stdout), result.stdout
    if fmt == "json":
        json.loads(result.stdout, parse_constant=_no_infinity)


# -- 2. hostile strings ------------------------------------------------------------

MARKUP = "[bold red]x[/] [link=https://example.invalid]click[/link] :warning:"
HOSTILE = (
    f"{MARKUP} \x1b[31mred\x1b[0m \x1b]0;title\x07 bel\x07 cr\r tab\t c0\x01\x02\x7f "
    "c1\x85\x9b2J bidi\u202eevil\u202c iso\u2066x\u2069 ls\u2028ps\u2029 end"
)
HOSTILE_COMMANDS: list[tuple[str, ...]] = [
    ("overview",),
    ("metrics",),
    ("metric", "gdp"),
    ("industries",),
    ("industries", "dairy"),
    ("sources",),
    ("sources", "cd-mayor-2024"),
    ("compare", "gdp.total"),
    ("compare", "--industries"),
    ("search", "bold"),
]
# The side-by-side table shows ids, not labels: only its JSON carries the hostile text.
HOSTILE_JSON_COMMANDS = [*HOSTILE_COMMANDS, ("compare", "trade.exports", "trade.imports")]


def toml_string(text: str) -> str:
    """A TOML basic string for any text: controls and friends as \\u escapes, the rest as it is."""
    out = []
    for char in text:
        if char in '"\\' or unicodedata.category(char) == "Cc" or char in _UNSAFE_EXTRA:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@pytest.fixture(scope="module")
def hostile_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled base with every label, name, title, publisher, note, description and text replaced."""
    text = (REPO / "facts.toml").read_text(encoding="utf-8")
    fields = "label|note|name|title|publisher|description|text"
    replacement = toml_string(HOSTILE)
    text, count = re.subn(rf"^({fields}) = \".*\"$", lambda m: f"{m.group(1)} = {replacement}", text, flags=re.M)
    assert count > 200
    path = tmp_path_factory.mktemp("hostile") / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    base = load_facts(path)
    assert base.city.name == HOSTILE and base.metrics[0].label == HOSTILE
    return path


@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("args", HOSTILE_COMMANDS, ids=" ".join)
def test_hostile_text_in_tables_is_literal_and_inert(
    hohhot: Runner, hostile_facts: Path, args: tuple[str, ...], fmt: str
) -> None:
    result = hohhot("--facts", str(hostile_facts), *args, "--format", fmt, env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result
    # Markdown escapes brackets so that a viewer shows them as text: compare what it shows.
    shown = re.sub(r"\\(.)", r"\1", result.stdout) if fmt == "markdown" else result.stdout
    assert MARKUP in shown, "rich markup and emoji codes print as they are"
    assert not raw_controls(result.stdout), sorted(raw_controls(result.stdout))
    assert "x1b[31mred" in shown, "the escape is shown, visibly"
    assert result.stderr == ""


@pytest.mark.parametrize("args", [("metrics",), ("industries", "dairy"), ("sources", "cd-mayor-2024")], ids=" ".join)
def test_hostile_text_in_a_coloured_table(hohhot: Runner, hostile_facts: Path, args: tuple[str, ...]) -> None:
    """With colour on, the only escape sequences are the table's own SGR colours."""
    env = {"COLUMNS": "1000", "NO_COLOR": "", "FORCE_COLOR": "1"}
    result = hohhot("--facts", str(hostile_facts), *args, env=env, tty=True)
    assert result.exit_code == 0, result
    assert "\x1b[" in result.stdout, "colour is on"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert not raw_controls(plain), sorted(raw_controls(plain))
    assert "\\x1b[31mred" in plain and MARKUP in plain


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("args", HOSTILE_JSON_COMMANDS, ids=" ".join)
def test_hostile_text_in_json_is_escaped_and_exact(
    hohhot: Runner, hostile_facts: Path, args: tuple[str, ...], fmt: str
) -> None:
    result = hohhot("--facts", str(hostile_facts), *args, "--format", fmt)
    assert result.exit_code == 0, result
    assert not raw_controls(result.stdout), sorted(raw_controls(result.stdout))
    documents = [json.loads(line) for line in result.stdout.splitlines()] if fmt == "jsonl" else [result.json()]
    found = [s for s in strings_in(documents) if "[bold red]" in s]
    assert found, "the hostile text is in the output"
    assert all(HOSTILE in s for s in found), "every copy comes back exactly"
    assert HOSTILE in found


def test_hostile_text_json_fields_are_the_originals(hohhot: Runner, hostile_facts: Path) -> None:
    records = hohhot("--facts", str(hostile_facts), "metrics", "--json").json()
    assert {r["label"] for r in records} == {HOSTILE}
    assert {s["title"] for r in records for o in r["observations"] for s in o["sources"]} == {HOSTILE}
    assert {r["name"] for r in hohhot("--facts", str(hostile_facts), "industries", "--json").json()} == {HOSTILE}
    assert hohhot("--facts", str(hostile_facts), "overview", "--json").json()["name"] == HOSTILE


@pytest.mark.parametrize("how", ["format", "export"])
def test_csv_keeps_rows_whole_with_carriage_returns(
    hohhot: Runner, hostile_facts: Path, tmp_path: Path, how: str
) -> None:
    if how == "format":
        result = hohhot("--facts", str(hostile_facts), "metric", "gdp.total", "-f", "csv")
        assert result.exit_code == 0, result
        text = result.stdout
    else:
        output = tmp_path / "out.csv"
        assert hohhot("--facts", str(hostile_facts), "export", "-o", str(output)).exit_code == 0
        with open(output, encoding="utf-8", newline="") as stream:
            text = stream.read()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows and all(len(row) == len(header) for row in rows)
    assert all(row[header.index("label")] == HOSTILE for row in rows)


# -- 3. pipes ------------------------------------------------------------------------


def _pipeline(args: tuple[str, ...], reader: list[str], env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """hohhot ARGS | READER with real pipes: hohhot's status and stderr, and what the reader printed."""
    writer = subprocess.Popen(
        [hohhot_executable(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(**(env or {})),
    )
    assert writer.stdout is not None and writer.stderr is not None
    consumer = subprocess.Popen(reader, stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()  # only the reader holds the read end now
    shown, _ = consumer.communicate(timeout=TIMEOUT)
    errors = writer.stderr.read()
    writer.stderr.close()
    return writer.wait(timeout=TIMEOUT), shown, errors


def test_pipe_into_head_lines(hohhot: Runner) -> None:
    status, shown, errors = _pipeline(("metrics",), ["head", "-n", "1"])
    assert status in (0, 1)
    assert shown.decode() == hohhot("metrics").stdout.splitlines(keepends=True)[0]
    assert_no_crash(errors.decode())


def test_pipe_into_head_bytes(hohhot: Runner) -> None:
    status, shown, errors = _pipeline(("metrics", "--json"), ["head", "-c", "10"])
    assert status in (0, 1)
    assert shown == hohhot("metrics", "--json").stdout.encode()[:10]
    assert_no_crash(errors.decode())


@pytest.fixture(scope="module")
def big_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid synthetic base (benchmarks/make_facts.py) whose output is far larger than a pipe's buffer."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import make_facts  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    path = tmp_path_factory.mktemp("big") / "big.toml"
    path.write_text(make_facts.generate(3000), encoding="utf-8")
    return path


def test_reader_going_away_mid_stream(big_facts: Path) -> None:
    """Megabytes of JSON lines into head: the reader exits while hohhot is still writing."""
    status, shown, errors = _pipeline(("--facts", str(big_facts), "metrics", "-f", "jsonl"), ["head", "-n", "1"])
    assert status in (0, 1)
    assert json.loads(shown)["id"]
    assert_no_crash(errors.decode())


@pytest.mark.parametrize("fmt", FORMATS)
def test_reader_closed_before_the_first_write(fmt: str) -> None:
    process = subprocess.Popen(
        [hohhot_executable(), "metrics", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
    )
    assert process.stdout is not None
    process.stdout.close()  # before the interpreter has even started
    _, errors = process.communicate(timeout=TIMEOUT)
    assert process.returncode in (0, 1)
    assert_no_crash(errors.decode())
    assert errors.count(b"\n") <= 1


def _closing(fd: int) -> Any:
    return lambda: os.close(fd)


def test_closed_stdout_is_an_error_not_a_traceback() -> None:
    result = subprocess.run(
        [hohhot_executable(), "metrics"],
        stderr=subprocess.PIPE,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_closing(1),
    )
    assert result.returncode == ExitStatus.ERROR
    assert_no_crash(result.stderr.decode())
    assert result.stderr.count(b"\n") <= 1


@pytest.mark.parametrize(
    ("args", "status"),
    [
        pytest.param(("metric", "gdp", "--json"), ExitStatus.OK, id="nothing-to-say"),
        pytest.param(("bogus",), ExitStatus.USAGE, id="usage"),
        pytest.param(("export", "-o", "{tmp}/out.csv"), ExitStatus.OK, id="export"),
    ],
)
def test_closed_stderr_keeps_the_exit_status(tmp_path: Path, args: tuple[str, ...], status: int) -> None:
    result = subprocess.run(
        [hohhot_executable(), *(a.format(tmp=tmp_path) for a in args)],
        stdout=subprocess.DEVNULL,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_closing(2),
    )
    assert result.returncode == status


# -- 4. Ctrl-C -----------------------------------------------------------------------

# Runs the CLI with a SIGINT sent to itself at one point of the work, then exits with main()'s status.
INTERRUPT_WRAPPER = """\
import os, signal, sys, time
from pathlib import Path
import hohhot_cli.cache as cache
import hohhot_cli.cli as cli
import hohhot_cli.main as entry
import hohhot_cli.records as records

where, *args = sys.argv[1:]

def interrupt():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)  # the KeyboardInterrupt arrives before this ends

if where == "load":
    real_load = cache.load_facts_cached
    def load_facts_cached(*a, **k):
        base = real_load(*a, **k)
        interrupt()
        return base
    cache.load_facts_cached = load_facts_cached
elif where == "views":  # half-way through building the records
    real_record = records.observation_record
    calls = []
    def observation_record(*a, **k):
        calls.append(1)
        if len(calls) == 20:
            interrupt()
        return real_record(*a, **k)
    records.observation_record = observation_record
elif where == "render":  # the output is complete, not yet written
    real_render = cli.render
    def render(*a, **k):
        text = real_render(*a, **k)
        interrupt()
        return text
    cli.render = render
elif where == "wait":  # wait for a real SIGINT from outside
    ready = Path(os.environ["HOHHOT_TEST_READY"])
    def load_facts_cached(*a, **k):
        ready.write_text("ready")
        time.sleep(30)
    cache.load_facts_cached = load_facts_cached
sys.exit(entry.main(args))
"""


@pytest.fixture(scope="module")
def interrupt_wrapper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupt") / "interrupted_hohhot.py"
    path.write_text(INTERRUPT_WRAPPER, encoding="utf-8")
    return path


def _assert_interrupted(status: int, stdout: bytes, stderr: bytes) -> None:
    assert status == ExitStatus.INTERRUPTED, (status, stdout, stderr)
    if stdout:
        json.loads(stdout)  # a complete document or nothing
    assert_no_crash(stderr.decode())
    assert stderr.count(b"\n") <= 1


@pytest.mark.parametrize(
    ("where", "args"),
    [
        ("load", ("metrics", "--json")),
        ("views", ("metrics", "--json")),
        ("render", ("metric", "gdp", "--json")),
        ("views", ("compare", "gdp", "-f", "jsonl")),
    ],
)
def test_interrupt_in_the_middle_of_work(interrupt_wrapper: Path, where: str, args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, str(interrupt_wrapper), where, *args],
        capture_output=True,
        env=subprocess_env(),
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    _assert_interrupted(result.returncode, result.stdout, result.stderr)
    assert result.stdout == b"", "the output is written in one piece after the work, or not at all"


def test_interrupt_from_outside(interrupt_wrapper: Path, tmp_path: Path) -> None:
    """A SIGINT from another process (the terminal's Ctrl-C) while the base is loading."""
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, str(interrupt_wrapper), "wait", "metrics", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(HOHHOT_TEST_READY=str(ready)),
    )
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), process.communicate(timeout=TIMEOUT)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    _assert_interrupted(process.returncode, stdout, stderr)
    assert stdout == b""


# -- 5. locales and terminals --------------------------------------------------------


def test_c_locale(hohhot: Runner) -> None:
    """LC_ALL=C: Python's UTF-8 mode keeps the Chinese names intact."""
    result = run("overview", "--json", env={"LC_ALL": "C"}, drop=("LANG", "PYTHONIOENCODING", "PYTHONUTF8"))
    assert result.returncode == 0, result
    assert json.loads(result.stdout)["name_zh"] == "呼和浩特"
    assert_no_crash(result.stderr.decode())


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},  # a C locale without UTF-8 mode: ASCII
    ],
    ids=["pythonioencoding-ascii", "c-locale-ascii"],
)
def test_ascii_stdout_json_escapes_chinese(env: dict[str, str]) -> None:
    result = run("overview", "--json", env=env, drop=("LANG",))
    assert result.returncode == 0, result
    result.stdout.decode("ascii")
    assert b"\\u547c\\u548c\\u6d69\\u7279" in result.stdout
    assert json.loads(result.stdout)["name_zh"] == "呼和浩特"
    assert_no_crash(result.stderr.decode())


@pytest.mark.parametrize("fmt", FORMATS)
def test_ascii_stdout_every_format(fmt: str) -> None:
    result = run("industries", "--format", fmt, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result
    text = result.stdout.decode("ascii")
    assert_no_crash(text, result.stderr.decode())
    if fmt in ("json", "jsonl"):
        names = (
            [json.loads(line)["name_zh"] for line in text.splitlines()]
            if fmt == "jsonl"
            else [r["name_zh"] for r in json.loads(text)]
        )
        assert "乳业" in names
    else:
        assert "\\u4e73\\u4e1a" in text, "乳业, escaped"


def test_ascii_stderr_error_message() -> None:
    result = run("industries", "呼和", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == ExitStatus.ERROR
    assert result.stdout == b""
    line = one_line(result.stderr.decode("ascii"))
    assert line.startswith("hohhot: error: no industry '\\u547c\\u548c'")


def _run_on_terminal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The console script with a pty as stdout; what it printed there, newlines as \\n."""
    try:
        master, slave = pty.openpty()
    except OSError:  # a container without /dev/ptmx
        pytest.skip("no pseudo-terminal available")
    process = subprocess.Popen(
        [hohhot_executable(), *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=subprocess_env(**env),
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    _, errors = process.communicate(timeout=TIMEOUT)
    return process.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), errors.decode()


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
    ],
    ids=["terminal", "term-dumb", "no-color"],
)
def test_colour_on_a_real_terminal(env: dict[str, str], coloured: bool) -> None:
    status, shown, errors = _run_on_terminal("industries", env=env)
    assert status == 0, errors
    assert "Industries (10)" in re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert ("\x1b" in shown) is coloured
    assert_no_crash(errors)


def test_json_on_a_terminal_with_force_color_has_no_escapes() -> None:
    status, shown, errors = _run_on_terminal("metric", "gdp", "--json", env={"FORCE_COLOR": "1", "TERM": "xterm"})
    assert status == 0, errors
    assert "\x1b" not in shown
    json.loads(shown)


@pytest.mark.parametrize("fmt", FORMATS)
def test_force_color_colours_only_tables(fmt: str) -> None:
    result = run("metric", "gdp", "--format", fmt, env={"FORCE_COLOR": "1"})
    assert result.returncode == 0, result
    assert (b"\x1b[" in result.stdout) is (fmt == "table")
    if fmt == "json":
        json.loads(result.stdout)


def test_no_color_on_a_pipe() -> None:
    result = run("industries", env={"NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm"})
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout


@pytest.mark.parametrize(
    "columns",
    [
        "",
        "abc",
        "-5",
        "0",
        "7",
        "99999",
        "３０",
        "²",
    ],
)
def test_any_columns_value_gives_a_table(hohhot: Runner, columns: str) -> None:
    result = hohhot("industries", env={"COLUMNS": columns})
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Industries (10)\n")


WIDTHS = (30, 40, 60, 80, 120, 200)
WIDTH_COMMANDS: list[tuple[str, ...]] = [("industries",), ("metric", "gdp"), ("compare", "gdp.total"), ("sources",)]


def _spans(line: str, piece: str) -> Iterator[tuple[int, int, int]]:
    """Where piece occurs in line: (first cell, cell after the last, index after it)."""
    start = line.find(piece)
    while start != -1:
        left = cells(line[:start])
        yield left, left + cells(piece), start + len(piece)
        start = line.find(piece, start + 1)


def appears_folded(word: str, lines: list[str]) -> bool:
    """Whether word is on one line, or folded over consecutive lines of one column.

    A folded piece ends its cell (a space or the end of the line follows it) and the next piece
    overlaps it horizontally on the next line (cells may be left- or right-aligned).
    """
    if any(word in line for line in lines):
        return True

    def rest(row: int, done: int, left: int, right: int) -> bool:
        if row >= len(lines):
            return False
        line = lines[row]
        for end in range(len(word), done, -1):
            for start_cell, end_cell, after in _spans(line, word[done:end]):
                if start_cell >= right or end_cell <= left:  # not in the same column
                    continue
                if end == len(word):
                    return True
                if (after == len(line) or line[after] == " ") and rest(row + 1, end, start_cell, end_cell):
                    return True
        return False

    for row, line in enumerate(lines):
        for end in range(len(word) - 1, 0, -1):
            for left, right, after in _spans(line, word[:end]):
                if (after == len(line) or line[after] == " ") and rest(row + 1, end, left, right):
                    return True
    return False


def test_fold_checker_is_not_vacuous() -> None:
    lines = ["cd-m   Chi", "ayor   na", "-202   Dai", "4      ly", "  274   x", "  .37   y"]
    assert appears_folded("cd-mayor-2024", lines)
    assert appears_folded("China", lines) and appears_folded("274.37", lines)
    assert not appears_folded("cd-mayor-2025", lines)
    assert not appears_folded("cd-mayor", lines[1:])
    assert not appears_folded("Daily", ["Dai", "", "ly"])


def _display_values(base: FactBase, args: tuple[str, ...], records: list[dict[str, Any]]) -> tuple[set[str], list[str]]:
    """What the table must show of the JSON records: the section titles, and the other values."""
    titles: set[str] = set()
    values: list[str] = []
    if args[0] == "industries":
        titles.add(f"Industries ({len(records)})")
        for r in records:
            values += [r["id"], r["name"], r["name_zh"], r["kind"]]
    elif args[0] == "sources":
        titles.add(f"Sources ({len(records)})")
        for r in records:
            values += [r["id"], r["publisher"], r["date"], r["title"], str(r["total"])]
    else:
        for r in records:
            titles.add(f"{r['id']} · {r['label']}")
            metric = base.metric_by_id[r["id"]]
            unit = Unit(r["unit"])
            assert len(r["observations"]) == len(metric.observations)
            for o, model in zip(r["observations"], metric.observations, strict=True):
                values += [o["period"] or f"as of {o['as_of']}", observation_value(model, unit)]
                values.append(STATUS_LABELS[Status(o["status"])])
                if args[0] == "metric":
                    values += [s["id"] for s in o["sources"]] + [o["note"]]
                else:
                    values.append(o["change_remark"] or "")
                    if o["change"] is not None:
                        values.append(signed(o["change"], unit))
    return titles, values


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("args", WIDTH_COMMANDS, ids=" ".join)
def test_table_fits_the_width_and_shows_every_value(
    hohhot: Runner, base: FactBase, args: tuple[str, ...], columns: int
) -> None:
    """No table line is wider than COLUMNS, and every value of the JSON is in the table, maybe folded.

    Section titles are exempt from the width: they are printed unwrapped on purpose (table.py), and
    are checked to be whole instead.
    """
    env = {"COLUMNS": str(columns)}
    table = hohhot(*args, env=env)
    assert table.exit_code == 0, table
    lines = table.stdout.splitlines()
    titles, values = _display_values(base, args, hohhot(*args, "--json", env=env).json())
    assert titles <= set(lines), "titles are printed whole"
    body = [line for line in lines if line not in titles]
    too_wide = [line for line in body if cells(line) > columns]
    assert not too_wide, too_wide
    missing = [word for value in values for word in value.split() if not appears_folded(word, body)]
    assert not missing, missing


@pytest.mark.parametrize("args", WIDTH_COMMANDS, ids=" ".join)
def test_json_is_never_wrapped(hohhot: Runner, args: tuple[str, ...]) -> None:
    for fmt in ("json", "jsonl", "csv"):
        narrow = hohhot(*args, "--format", fmt, env={"COLUMNS": "30"})
        assert narrow.exit_code == 0
        assert narrow.stdout == hohhot(*args, "--format", fmt, env={"COLUMNS": "200"}).stdout


def test_columns_in_a_real_process() -> None:
    """COLUMNS from the real environment: a narrow table fits, JSON is the same at any width."""
    narrow = run("industries", env={"COLUMNS": "30"})
    assert narrow.returncode == 0
    assert max(cells(line) for line in narrow.stdout.decode().splitlines()[1:]) <= 30
    json_narrow = run("metric", "gdp", "--json", env={"COLUMNS": "30"})
    json_wide = run("metric", "gdp", "--json", env={"COLUMNS": "200"})
    assert json_narrow.returncode == json_wide.returncode == 0
    assert json_narrow.stdout == json_wide.stdout


# -- 6. read-only runs and exports ---------------------------------------------------

READ_ONLY_COMMANDS: list[tuple[str, ...]] = [
    (),
    ("--version",),
    ("overview",),
    ("industries",),
    ("industries", "dairy"),
    ("industries", "--kind", "emerging"),
    ("metric", "gdp"),
    ("metric", "dairy.revenue", "--latest"),
    ("metrics",),
    ("metrics", "--topic", "trade"),
    ("compare", "gdp.total"),
    ("compare", "trade.exports", "trade.imports"),
    ("compare", "--industries"),
    ("search", "乳都"),
    ("sources",),
    ("sources", "cd-mayor-2024"),
    ("validate",),
    ("metric", "gpd"),
]


def test_every_command_leaves_the_fact_file_untouched(hohhot: Runner, tmp_path: Path) -> None:
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    copy = copy_of_base(facts_dir)
    os.utime(copy, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for args in READ_ONLY_COMMANDS:
        for fmt in ("table", "json"):
            extra = ("--format", fmt) if args and not args[0].startswith("-") else ()
            result = hohhot("--facts", str(copy), *args, *extra)
            assert result.exit_code in (0, 1), result
    assert hohhot("validate", str(copy)).exit_code == 0
    for fmt in ("json", "jsonl", "csv", "sqlite"):
        assert hohhot("--facts", str(copy), "export", "-o", str(out_dir / f"out.{fmt}")).exit_code == 0
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
    assert sorted(p.name for p in facts_dir.iterdir()) == ["facts.toml"], "no cache or lock file beside it"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sqlite"])
def test_export_writes_only_its_file(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    result = hohhot("export", "-o", str(tmp_path / f"hohhot.{fmt}"))
    assert result.exit_code == 0, result
    assert [p.name for p in tmp_path.iterdir()] == [f"hohhot.{fmt}"]
    assert (tmp_path / f"hohhot.{fmt}").stat().st_size > 0


class _Snapshots:
    """What the output directory held at the moment of the failure."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.seen: list[list[str]] = []

    def take(self) -> None:
        self.seen.append(sorted(p.name for p in self.directory.iterdir()))

    def partial_file_existed(self) -> bool:
        return any(name.endswith(".part") for names in self.seen for name in names)


def _fail_half_way(monkeypatch: pytest.MonkeyPatch, fmt: str, snapshots: _Snapshots, error: BaseException) -> None:
    """Make the export fail after writing part of its temporary file (a full disk, a Ctrl-C)."""
    if fmt == "sqlite":
        real_rows = export_module.export_rows

        def export_rows(base: FactBase) -> list[dict[str, Any]]:
            snapshots.take()  # three tables are written by now
            real_rows(base)
            raise error

        monkeypatch.setattr(export_module, "export_rows", export_rows)
        return

    class HalfWriter:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def write(self, text: str) -> int:
            self.stream.write(text[: len(text) // 2])
            self.stream.flush()
            snapshots.take()
            raise error

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> HalfWriter:
        return HalfWriter(os.fdopen(fd, *args, **kwargs))

    fake_os = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake_os.fdopen = fdopen
    monkeypatch.setattr(export_module, "os", fake_os)


FAILURES = {
    "disk-full": (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), ExitStatus.ERROR),
    "sqlite-full": (sqlite3.OperationalError("database or disk is full"), ExitStatus.ERROR),
    "ctrl-c": (KeyboardInterrupt(), ExitStatus.INTERRUPTED),
}


# A full disk shows as ENOSPC to a text file and as sqlite3's "disk is full" to SQLite.
FAILING_EXPORTS = [
    *((fmt, "disk-full") for fmt in ("json", "jsonl", "csv")),
    ("sqlite", "sqlite-full"),
    *((fmt, "ctrl-c") for fmt in ("json", "jsonl", "csv", "sqlite")),
]


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
@pytest.mark.parametrize(("fmt", "failure"), FAILING_EXPORTS)
def test_failed_export_leaves_nothing_behind(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, failure: str, existing: bool
) -> None:
    error, status = FAILURES[failure]
    target = tmp_path / f"hohhot.{fmt}"
    if existing:
        target.write_bytes(b"the previous export\n")
    snapshots = _Snapshots(tmp_path)
    _fail_half_way(monkeypatch, fmt, snapshots, error)
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == status, result
    assert result.stdout == ""
    assert snapshots.partial_file_existed(), "the failure came half-way through a temporary file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ([target.name] if existing else [])
    if existing:
        assert target.read_bytes() == b"the previous export\n"
    if status == ExitStatus.ERROR:
        line = one_line(result.stderr)
        assert line.startswith(f"hohhot: error: {target}: cannot write: ")
        assert ("No space left on device" in line) or ("disk is full" in line)
    assert_no_crash(result.stderr)


def test_failed_rename_leaves_nothing_behind(hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "hohhot.csv"
    target.write_bytes(b"old\n")

    def replace(source: str, destination: str) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    fake_os = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake_os.replace = replace
    monkeypatch.setattr(export_module, "os", fake_os)
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == ExitStatus.ERROR, result
    assert one_line(result.stderr).startswith(f"hohhot: error: {target}: cannot write: ")
    assert [p.name for p in tmp_path.iterdir()] == ["hohhot.csv"]
    assert target.read_bytes() == b"old\n"


def test_export_with_an_unexpected_error_still_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a writer propagates (no status can be right), but no temporary file is left."""
    snapshots = _Snapshots(tmp_path)
    _fail_half_way(monkeypatch, "json", snapshots, RuntimeError("a bug"))
    base = load_facts(REPO / "facts.toml")
    with pytest.raises(RuntimeError):
        export_module.write_export(base, export_module.ExportFormat.JSON, tmp_path / "out.json")
    assert snapshots.partial_file_existed()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "fmt",
    [
        "json",
        "jsonl",
        "csv",
        "sqlite",
    ],
)
def test_export_file_gets_the_usual_permissions(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    """Like any file a program creates: 0666 less the umask."""
    previous = os.umask(0o022)
    try:
        result = hohhot("export", "-o", str(tmp_path / f"out.{fmt}"))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result
    assert (tmp_path / f"out.{fmt}").stat().st_mode & 0o777 == 0o644


def test_export_to_the_longest_file_name(hohhot: Runner, tmp_path: Path) -> None:
    target = tmp_path / ("x" * 251 + ".csv")
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == 0, result
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_markdown_never_carries_live_html_or_links(hohhot: Runner, tmp_path: Path) -> None:
    facts = tmp_path / "facts.toml"
    text = (REPO / "facts.toml").read_text(encoding="utf-8")
    facts.write_text(
        text.replace('label = "Regional GDP"', 'label = "<img src=x onerror=alert(1)> [click](javascript:alert(1))"'),
        encoding="utf-8",
    )
    out = hohhot("--facts", str(facts), "metric", "gdp.total", "-f", "markdown").stdout
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)>" in out
    assert not re.search(r"(?<!\\)\]\(", out), "no live link: every ] before ( is escaped"
    assert "\\[click\\](javascript:alert(1))" in out
