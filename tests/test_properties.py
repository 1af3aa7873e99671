"""Property tests: random valid fact bases print and export exactly their values; mutated files only fail cleanly.

The fact bases are generated as TOML text (random ids, labels, values, periods, units,
exactness, status and sources), so the whole path is exercised: TOML parsing, validation,
the JSON view and the exports. The CLI runs in process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import fuzz_loader
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REPO, subprocess_env

from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.main import main
from hohhot_cli.load.fields import MAX_ABS_VALUE
from hohhot_cli.load.loader import bundled_facts_path, load_facts
from hohhot_cli.model.errors import FactFileError
from hohhot_cli.model.facts import Exactness, Status, Unit
from hohhot_cli.model.periods import sort_key

pytestmark = pytest.mark.slow  # wheels, other programs or many generated bases: run by the full suite

# HOHHOT_PROPERTY_EXAMPLES=1000 for a longer search outside CI.
EXAMPLES = int(os.environ.get("HOHHOT_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(deadline=None, max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])


# -- generating valid fact bases ---------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string for any text (control characters as \\u escapes)."""
    escaped = "".join(f"\\u{ord(c):04x}" if c in '"\\' or unicodedata.category(c) == "Cc" else c for c in text)
    return f'"{escaped}"'


def toml_value(value: int | float) -> str:
    """repr() is exact for both, and valid TOML (1e+16, -0.0, 5e-324)."""
    return repr(value)


# Every character but surrogates (not UTF-8): controls, carriage returns and quotes included.
# Any text a valid base may hold: everything but lone surrogates and NUL (which the loader refuses).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12
).filter(str.strip)
YEAR = st.integers(1000, 9999)
DAY = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
PERIOD = st.one_of(
    YEAR.map(str),
    st.tuples(YEAR, st.sampled_from(["H1", "H2", "Q1", "Q2", "Q3", "Q4"])).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(YEAR, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    DAY,
    st.tuples(YEAR, YEAR).map(lambda t: f"{min(t)}/{max(t)}"),
)
DATE = st.one_of(YEAR.map(str), st.tuples(YEAR, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"), DAY)
INTEGER = st.integers(-MAX_ABS_VALUE, MAX_ABS_VALUE)
FLOAT = st.floats(-float(MAX_ABS_VALUE), float(MAX_ABS_VALUE), allow_nan=False, allow_infinity=False)
VALUE = st.one_of(INTEGER, FLOAT)
RANK = st.integers(1, MAX_ABS_VALUE)
SOURCE_ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)
WORD = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)


@st.composite
def observations(draw: st.DrawFn, source_ids: list[str], value: st.SearchStrategy[int | float]) -> dict[str, Any]:
    observation: dict[str, Any] = {"value": draw(value)}
    if draw(st.booleans()):
        observation["period"] = draw(PERIOD)
    else:
        observation["as_of"] = draw(DATE)
    if draw(st.booleans()):
        observation["exactness"] = draw(st.sampled_from([e.value for e in Exactness]))
    if draw(st.booleans()):
        observation["status"] = draw(st.sampled_from([s.value for s in Status]))
    observation["source"] = draw(st.lists(st.sampled_from(source_ids), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        observation["note"] = draw(TEXT)
    if draw(st.booleans()):
        observation["converted"] = {"value": draw(value), "unit": draw(st.sampled_from([u.value for u in Unit]))}
    return observation


@st.composite
def fact_bases(draw: st.DrawFn, value: st.SearchStrategy[int | float] = VALUE) -> dict[str, Any]:
    """A valid fact base as plain data (turned into TOML by :func:`to_toml`)."""
    source_ids = draw(st.lists(SOURCE_ID, min_size=1, max_size=3, unique=True))
    sources = [{"id": s, "publisher": draw(TEXT), "title": draw(TEXT), "date": draw(DATE)} for s in source_ids]
    metric_ids = draw(st.lists(st.tuples(WORD, WORD).map(".".join), min_size=1, max_size=4, unique=True))
    metrics = []
    for metric_id in metric_ids:
        unit = draw(st.sampled_from([u.value for u in Unit]))
        # A rank is a place (1st, 2nd, ...): a positive integer, whatever the other values are.
        values = RANK if unit == Unit.RANK.value else value
        metrics.append(
            {
                "id": metric_id,
                "label": draw(TEXT),
                "unit": unit,
                "observations": draw(st.lists(observations(source_ids, values), min_size=1, max_size=4)),
            }
        )
    return {"updated": draw(DAY), "sources": sources, "metrics": metrics, "city_source": source_ids[0]}


def to_toml(base: dict[str, Any]) -> str:
    out = [
        "schema_version = 1",
        f"updated = {base['updated']}",
        "",
        "[city]",
        'name = "Hohhot"',
        'name_zh = "呼和浩特"',
        'province = "Inner Mongolia Autonomous Region"',
        'province_zh = "内蒙古自治区"',
        f"source = {toml_string(base['city_source'])}",
    ]
    for source in base["sources"]:
        out += ["", "[[sources]]"] + [f"{k} = {toml_string(v)}" for k, v in source.items()]
    for metric in base["metrics"]:
        out += ["", "[[metrics]]"] + [f"{k} = {toml_string(metric[k])}" for k in ("id", "label", "unit")]
        for observation in metric["observations"]:
            out += ["", "[[metrics.observations]]"]
            for key, item in observation.items():
                if key == "value":
                    out.append(f"value = {toml_value(item)}")
                elif key == "source":
                    out.append(f"source = [{', '.join(toml_string(s) for s in item)}]")
                elif key == "converted":
                    out.append(
                        f"converted = {{ value = {toml_value(item['value'])}, unit = {toml_string(item['unit'])} }}"
                    )
                else:
                    out.append(f"{key} = {toml_string(item)}")
    return "\n".join(out) + "\n"


def write_base(directory: str, base: dict[str, Any]) -> Path:
    path = Path(directory) / "facts.toml"
    path.write_text(to_toml(base), encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str, str]:
    """The CLI in process: exit status, stdout, stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    environment = Environment(stdout=stdout, stderr=stderr, environ={"COLUMNS": "80"}, stdout_isatty=False)
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(list(args), environment)
    return code, stdout.getvalue(), stderr.getvalue()


def exact(value: object) -> str:
    """A value's identity for comparisons: type and every bit (1 != 1.0, 0.0 != -0.0)."""
    return f"{type(value).__name__}:{value!r}"


# -- valid bases: JSON --------------------------------------------------------------------


@SETTINGS
@given(fact_bases())
def test_random_valid_base_prints_its_exact_values_as_json(base: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write_base(directory, base)
        code, stdout, stderr = cli("--facts", str(path), "metrics", "--json")
    assert (code, stderr) == (0, ""), stderr
    records = json.loads(stdout)
    assert [r["id"] for r in records] == [m["id"] for m in base["metrics"]]
    for record, metric in zip(records, base["metrics"], strict=True):
        assert (record["label"], record["unit"]) == (metric["label"], metric["unit"])
        expected = Counter(
            (
                exact(o["value"]),
                o.get("period"),
                o.get("as_of"),
                o.get("exactness", "exact"),
                o.get("status", "actual"),
                o.get("note", ""),
                tuple(o["source"]),
                exact(o["converted"]["value"]) if "converted" in o else None,
            )
            for o in metric["observations"]
        )
        printed = Counter(
            (
                exact(o["value"]),
                o["period"],
                o["as_of"],
                o["exactness"],
                o["status"],
                o["note"],
                tuple(s["id"] for s in o["sources"]),
                exact(o["converted"]["value"]) if o["converted"] else None,
            )
            for o in record["observations"]
        )
        assert printed == expected
        keys = [sort_key(o["period"] or o["as_of"]) for o in record["observations"]]
        assert keys == sorted(keys), "observations in chronological order"


# -- valid bases: exports -----------------------------------------------------------------


def _typed(text: str) -> int | float:
    """A CSV cell back to the number it was written from (str() of an int, repr() of a float)."""
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _exported(path: Path, fmt: str) -> list[tuple[str, str | None, str | None, Any, Any]]:
    """(metric, period, as_of, value, converted value) of every exported row."""
    if fmt == "sqlite":
        connection = sqlite3.connect(path)
        try:
            query = "select metric, period, as_of, value, converted_value from observations order by rowid"
            return [tuple(row) for row in connection.execute(query)]
        finally:
            connection.close()
    text = path.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        return [
            (
                r["metric"],
                r["period"] or None,
                r["as_of"] or None,
                _typed(r["value"]),
                _typed(r["converted_value"]) if r["converted_value"] else None,
            )
            for r in rows
        ]
    rows = json.loads(text)["observations"] if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    return [(r["metric"], r["period"], r["as_of"], r["value"], r["converted_value"]) for r in rows]


def _row_key(row: tuple[str, str | None, str | None, Any, Any]) -> tuple[Any, ...]:
    metric, period, as_of, value, converted = row
    return (metric, period or "", as_of or "", value, converted is None, converted or 0)


@SETTINGS
@given(fact_bases())
def test_random_valid_base_round_trips_through_every_export(base: dict[str, Any]) -> None:
    """JSON, JSONL and CSV give back every value bit for bit; SQLite gives back equal numbers.

    SQLite's NUMERIC columns may store an integral float as an integer (2.0 as 2, -0.0 as 0): equal, not identical.
    """
    expected = [
        (
            metric["id"],
            o.get("period"),
            o.get("as_of"),
            o["value"],
            o["converted"]["value"] if "converted" in o else None,
        )
        for metric in base["metrics"]
        for o in metric["observations"]
    ]
    with tempfile.TemporaryDirectory() as directory:
        path = write_base(directory, base)
        for fmt in ("json", "jsonl", "csv", "sqlite"):
            output = Path(directory) / f"export.{fmt}"
            code, stdout, stderr = cli("--facts", str(path), "export", "-o", str(output))
            assert (code, stdout) == (0, ""), stderr
            rows = _exported(output, fmt)
            if fmt == "sqlite":  # == between int and float is exact in Python: no rounding slips through
                assert sorted(rows, key=_row_key) == sorted(expected, key=_row_key)
            else:
                assert Counter(
                    (m, p, a, exact(v), None if c is None else exact(c)) for m, p, a, v, c in rows
                ) == Counter((m, p, a, exact(v), None if c is None else exact(c)) for m, p, a, v, c in expected), fmt


def test_sqlite_export_keeps_large_integers_exactly(tmp_path: Path) -> None:
    text = (REPO / "tests" / "data" / "bad" / "huge_integer.toml").read_text(encoding="utf-8")
    text = text.replace("value = 10_000_000_000_000_000_001", "value = 9_007_199_254_740_993")
    facts = tmp_path / "facts.toml"
    facts.write_text(text, encoding="utf-8")
    output = tmp_path / "out.sqlite"
    assert cli("--facts", str(facts), "export", "-o", str(output))[0] == 0
    ((value,),) = sqlite3.connect(output).execute("select value from observations").fetchall()
    assert value == 9_007_199_254_740_993


# -- mutated files ------------------------------------------------------------------------

SEEDS = {"bundled": bundled_facts_path().read_bytes(), "minimal": fuzz_loader.MINIMAL}


@settings(deadline=None, max_examples=5 * EXAMPLES)
@given(st.sampled_from(sorted(SEEDS)), st.randoms(use_true_random=False))
def test_mutated_file_loads_or_raises_fact_file_error(seed: str, rng: random.Random) -> None:
    data = fuzz_loader.mutate(SEEDS[seed], rng, list(SEEDS.values()))
    with tempfile.TemporaryDirectory() as directory:
        error = fuzz_loader.check(data, Path(directory) / "facts.toml")
    if error is not None:
        raise error


@SETTINGS
@given(fact_bases(), st.randoms(use_true_random=False))
def test_mutated_random_base_loads_or_raises_fact_file_error(base: dict[str, Any], rng: random.Random) -> None:
    data = fuzz_loader.mutate(to_toml(base).encode(), rng, [fuzz_loader.MINIMAL])
    with tempfile.TemporaryDirectory() as directory:
        error = fuzz_loader.check(data, Path(directory) / "facts.toml")
    if error is not None:
        raise error


def test_generated_base_is_valid_toml_for_the_loader(tmp_path: Path) -> None:
    """The generator's hardest corners, by hand: escapes, -0.0, the smallest float, the largest integer."""
    base = {
        "updated": "2026-01-01",
        "city_source": "s",
        "sources": [{"id": "s", "publisher": 'a "quoted" \\ \x01\x1b\x85 text', "title": "t", "date": "1000"}],
        "metrics": [
            {
                "id": "a.b",
                "label": "l",
                "unit": "CNY",
                "observations": [
                    {"value": -0.0, "period": "1000/9999", "source": ["s"]},
                    {"value": 5e-324, "as_of": "9999-12-31", "source": ["s"]},
                    {"value": MAX_ABS_VALUE, "period": "2024-02-29", "source": ["s"]},
                ],
            }
        ],
    }
    facts = write_base(str(tmp_path), base)
    loaded = load_facts(facts)
    assert loaded.sources[0].publisher == base["sources"][0]["publisher"]
    assert [exact(o.value) for o in loaded.metrics[0].observations] == [
        exact(-0.0),
        exact(MAX_ABS_VALUE),
        exact(5e-324),
    ]


def test_a_nul_character_in_any_text_is_a_problem(tmp_path: Path) -> None:
    """TOML can write one (\\u0000); no text needs it, and Python 3.10's csv module cannot write it."""
    base = {
        "updated": "2026-01-01",
        "city_source": "s",
        "sources": [{"id": "s", "publisher": "p", "title": "t\x00", "date": "1000"}],
        "metrics": [
            {
                "id": "a.b",
                "label": "l\x00",
                "unit": "CNY",
                "observations": [{"value": 1, "period": "2000", "source": ["s"]}],
            }
        ],
    }
    with pytest.raises(FactFileError) as caught:
        load_facts(write_base(str(tmp_path), base))
    places = [(p.place, p.message) for p in caught.value.problems]
    assert places == [
        ("sources[0] (s).title", "contains a NUL character"),
        ("metrics[0] (a.b).label", "contains a NUL character"),
    ]


# -- the fuzz target itself -------------------------------------------------------------


def test_fuzz_target_runs_clean(tmp_path: Path) -> None:
    assert fuzz_loader.main(["--seconds", "20", "--iterations", "150", "--seed", "3", "--crashes", str(tmp_path)]) == 0
    assert list(tmp_path.iterdir()) == []


def test_fuzz_target_reports_other_exceptions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loader that raises anything but FactFileError makes the run fail and saves the input."""
    real = fuzz_loader.load_facts

    def load_facts_with_a_bug(path: Path) -> object:
        if b"[[" not in Path(path).read_bytes()[:200]:
            raise KeyError("a bug")
        return real(path)

    monkeypatch.setattr(fuzz_loader, "load_facts", load_facts_with_a_bug)
    crashes = tmp_path / "crashes"
    argv = ["--seconds", "20", "--iterations", "500", "--seed", "1", "--crashes", str(crashes)]
    assert fuzz_loader.main(argv) == 1
    assert len(list(crashes.iterdir())) == 1


def test_fuzz_target_as_a_script() -> None:
    """``python tests/fuzz_loader.py --seconds N`` works outside pytest, from any directory."""
    script = REPO / "tests" / "fuzz_loader.py"
    result = subprocess.run(
        [sys.executable, str(script), "--seconds", "0.5", "--seed", "2"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd="/",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "0 failures" in result.stderr
