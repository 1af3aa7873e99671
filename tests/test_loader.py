"""Tests of the fact-file loader: every class of invalid input, with its exact problem.

Most tests start from ``BASE``, the minimal valid fact file (``minimal_base()`` of
tests/support/factfiles.py), and change one thing in it by text replacement, so that
each test shows exactly one kind of mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.checks import printed_by_snippet
from support.factfiles import minimal_base, to_toml

import hohhot_cli
import hohhot_cli.load.building as building
import hohhot_cli.load.loader as loader
import hohhot_cli.load.reading as reading
from hohhot_cli.load.loader import load_facts, parse_facts
from hohhot_cli.model.errors import FactFileError, Problem
from hohhot_cli.model.facts import FactBase
from hohhot_cli.model.periods import parse_period, previous_comparable, sort_key
from hohhot_cli.model.value import FrozenInstanceError, fields, is_value

NAME = "base.toml"

BASE = to_toml(minimal_base())

OBSERVATION = "[[metrics.observations]]"
FACT = "[[facts]]"
COMPANY = "[[companies]]"
METRIC = "gdp.total"
OBS_PLACE = "metrics[0] (gdp.total).observations[0]"


def mutate(old: str, new: str, *, section: str = "", text: str = BASE) -> str:
    """``text`` with the first ``old`` at or after ``section`` replaced by ``new``."""
    start = text.index(section) if section else 0
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def add(section: str, line: str) -> str:
    """BASE with ``line`` added as the first key of the table ``section``."""
    return mutate(section, f"{section}\n{line}", section=section)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the ``occurrence``-th ``fragment``."""
    at = -1
    for _ in range(occurrence):
        at = text.index(fragment, at + 1)
    return text.count("\n", 0, at) + 1


def problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(FactFileError) as caught:
        parse_facts(text, NAME)
    return caught.value.problems


def messages(text: str) -> list[str]:
    return [str(problem) for problem in problems(text)]


# -- the valid base -------------------------------------------------------


def test_minimal_base_loads() -> None:
    base = parse_facts(BASE, NAME)
    observation = base.metric_by_id[METRIC].observations[0]
    assert (base.path, base.schema_version, base.city.name) == (NAME, 1, "Hohhot")
    assert (observation.value, observation.period, observation.sources) == (100, "2023", ("cd-mayor-2024",))


@pytest.mark.parametrize("updated", ["updated = 2026-01-01", 'updated = "2026-01-01"'])
def test_updated_accepts_toml_local_date_and_string(updated: str) -> None:
    text = mutate("updated = 2026-01-01", updated)
    assert parse_facts(text, NAME).updated == "2026-01-01"


def test_period_accepts_toml_local_date() -> None:
    text = mutate('period = "2023"', "period = 2020-11-01")
    assert parse_facts(text, NAME).metric_by_id[METRIC].observations[0].period == "2020-11-01"


@pytest.mark.parametrize("value", [10**18, -(10**18)])
def test_value_at_magnitude_limit_is_accepted(value: int) -> None:
    text = mutate("value = 100", f"value = {value}")
    assert parse_facts(text, NAME).metric_by_id[METRIC].observations[0].value == value


def test_observations_are_sorted_chronologically_whatever_the_file_order() -> None:
    later = '\n[[metrics.observations]]\nperiod = "2021"\nvalue = 90\nsource = "cd-mayor-2024"\n'
    text = mutate(FACT, later + "\n" + FACT)
    observations = parse_facts(text, NAME).metric_by_id[METRIC].observations
    assert [o.period for o in observations] == ["2021", "2023"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_facts(path).city.name_zh == "呼和浩特"


# -- the bundled base -----------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> FactBase:
    return load_facts()


def test_bundled_base_loads(bundled: FactBase) -> None:
    assert bundled.path == str(loader.bundled_facts_path())
    assert bundled.schema_version == building.SCHEMA_VERSION
    assert bundled.metrics and bundled.sources and bundled.facts


def test_every_bundled_observation_cites_an_existing_source(bundled: FactBase) -> None:
    for metric in bundled.metrics:
        for observation in metric.observations:
            assert observation.sources, (metric.id, observation.dated)
            assert all(source in bundled.source_by_id for source in observation.sources), metric.id


def test_bundled_observations_are_in_chronological_order(bundled: FactBase) -> None:
    for metric in bundled.metrics:
        keys = [sort_key(observation.dated) for observation in metric.observations]
        assert keys == sorted(keys), metric.id


@pytest.mark.parametrize(
    ("what", "get"),
    [
        ("base", lambda base: base),
        ("city", lambda base: base.city),
        ("source", lambda base: base.sources[0]),
        ("industry", lambda base: base.industries[0]),
        ("metric", lambda base: base.metrics[0]),
        ("observation", lambda base: base.metrics[0].observations[0]),
        ("fact", lambda base: base.facts[0]),
        ("company", lambda base: base.companies[0]),
    ],
)
def test_library_api_returns_frozen_dataclasses(what: str, get: Callable[[FactBase], object]) -> None:
    obj = get(hohhot_cli.load_facts())
    assert is_value(obj), what
    field = fields(obj)[0].name
    with pytest.raises(FrozenInstanceError):
        setattr(obj, field, None)


# -- reading the file -----------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(FactFileError) as caught:
        load_facts(path)
    assert caught.value.problems == (Problem(str(path), "", "no such file"),)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(FactFileError) as caught:
        load_facts(tmp_path)
    assert caught.value.problems == (Problem(str(tmp_path), "", "is a directory, not a fact file"),)


def test_file_larger_than_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(FactFileError) as caught:
        load_facts(path)
    assert caught.value.problems == (Problem(str(path), "", "larger than the 1 MiB limit for fact files"),)


def test_file_of_exactly_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024 * 1024)
    data = BASE.encode()
    padding = b"#" * (1024 * 1024 - len(data) - 1) + b"\n"
    path = tmp_path / "full.toml"
    path.write_bytes(data + padding)
    assert path.stat().st_size == 1024 * 1024
    assert load_facts(path).city.name == "Hohhot"


def _invalid_utf8(data: bytes) -> tuple[bytes, int]:
    """``data`` with a stray 0xff byte before "Daily" in the publisher, and its offset."""
    bad = data.replace(b"China Daily", b"China \xffDaily")
    return bad, bad.index(b"\xff")


def test_invalid_utf8(tmp_path: Path) -> None:
    data, offset = _invalid_utf8(BASE.encode())
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    with pytest.raises(FactFileError) as caught:
        load_facts(path)
    line = line_of(BASE, 'publisher = "China Daily"')
    assert caught.value.problems == (Problem(str(path), "", f"invalid UTF-8 at byte {offset}", line),)


def test_invalid_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    data, offset = _invalid_utf8(b"\xef\xbb\xbf" + BASE.encode())
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    with pytest.raises(FactFileError) as caught:
        load_facts(path)
    assert caught.value.problems[0].message == f"invalid UTF-8 at byte {offset}"


def test_nul_byte(tmp_path: Path) -> None:
    text = mutate('label = "GDP"', 'label = "G\x00DP"')
    path = tmp_path / "nul.toml"
    path.write_bytes(text.encode())
    with pytest.raises(FactFileError) as caught:
        load_facts(path)
    line = line_of(BASE, 'label = "GDP"')
    assert caught.value.problems == (Problem(str(path), "", "contains a NUL byte: not a text file", line),)


# -- TOML syntax ----------------------------------------------------------


LABEL_LINE = line_of(BASE, 'label = "GDP"')


@pytest.mark.parametrize(
    ("new", "line", "message"),
    [
        pytest.param('label = "GDP', LABEL_LINE, "Illegal character '\\n'", id="unterminated-string"),
        pytest.param('label "GDP"', LABEL_LINE, "Expected '=' after a key in a key/value pair", id="no-equals"),
        pytest.param('label = "GDP"\nlabel = "GDP"', LABEL_LINE + 1, "Cannot overwrite a value", id="same-key"),
    ],
)
def test_toml_syntax_error(new: str, line: int, message: str) -> None:
    text = mutate('label = "GDP"', new)
    assert problems(text) == (Problem(NAME, "", f"TOML syntax error: {message}", line),)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("[" * 5000 + "]" * 5000, id="arrays"),
        pytest.param("{a = " * 5000 + "1" + "}" * 5000, id="inline-tables"),
    ],
)
def test_deep_nesting_is_a_fact_file_error_not_recursion_error(value: str) -> None:
    assert messages("x = " + value) == [f"{NAME}: nested too deeply to parse"]


def test_integer_literal_too_long_for_python_is_a_fact_file_error() -> None:
    text = mutate("value = 100", "value = " + "1" * 5000)
    with pytest.raises(FactFileError):
        parse_facts(text, NAME)


# -- keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            mutate("schema_version = 1\n", "schema_version = 1\nmetric = 1\n"),
            "unknown key 'metric' (did you mean 'metrics'?)",
            id="top-level-close",
        ),
        pytest.param(
            mutate("schema_version = 1\n", "schema_version = 1\ncolour = 1\n"),
            "unknown key 'colour'",
            id="top-level",
        ),
        pytest.param(
            add("[[sources]]", 'titel = "x"'),
            "sources[0] (cd-mayor-2024): unknown key 'titel' (did you mean 'title'?)",
            id="source",
        ),
        pytest.param(
            add("[[metrics]]", 'descripton = "x"'),
            "metrics[0] (gdp.total): unknown key 'descripton' (did you mean 'description'?)",
            id="metric-close",
        ),
        pytest.param(
            add("[[metrics]]", 'colour = "red"'),
            "metrics[0] (gdp.total): unknown key 'colour'",
            id="metric",
        ),
        pytest.param(
            add(OBSERVATION, 'sources = "cd-mayor-2024"'),
            f"{OBS_PLACE}: unknown key 'sources' (did you mean 'source'?)",
            id="observation",
        ),
    ],
)
def test_unknown_key(text: str, expected: str) -> None:
    assert messages(text) == [f"{NAME}: {expected}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(mutate("schema_version = 1\n", ""), "missing required key 'schema_version'", id="schema"),
        pytest.param(
            mutate('title = "Innovation drives growth in Hohhot"\n', ""),
            "sources[0] (cd-mayor-2024): missing required key 'title'",
            id="source-title",
        ),
        pytest.param(
            mutate('unit = "CNY"\n', ""),
            "metrics[0] (gdp.total): missing required key 'unit'",
            id="metric-unit",
        ),
        pytest.param(
            mutate('source = "cd-mayor-2024"\n', "", section=OBSERVATION),
            f"{OBS_PLACE}: missing required key 'source'",
            id="observation-source",
        ),
        pytest.param(
            mutate("value = 100\n", ""),
            f"{OBS_PLACE}: missing required key 'value'",
            id="observation-value",
        ),
        pytest.param(
            mutate('period = "2023"\n', ""),
            f"{OBS_PLACE}: missing 'period' (or 'as_of', the source's date, for an undated figure)",
            id="observation-neither-period-nor-as-of",
        ),
        pytest.param(
            mutate('period = "2023"\n', 'period = "2023"\nas_of = "2024-05-28"\n'),
            f"{OBS_PLACE}: give either 'period' or 'as_of', not both",
            id="observation-both-period-and-as-of",
        ),
        pytest.param(
            mutate('source = "cd-mayor-2024"', "source = []", section=OBSERVATION),
            f"{OBS_PLACE}.source: names no source",
            id="observation-empty-source-list",
        ),
        pytest.param(
            mutate('text = "A new airport is planned."\n', ""),
            "facts[0] (plans.airport): missing required key 'text'",
            id="fact-text",
        ),
        pytest.param(
            mutate('kind = "plan"', 'kind = "event"'),
            "facts[0] (plans.airport): a fact of kind 'event' needs a 'date' or 'period'",
            id="event-without-date",
        ),
    ],
)
def test_missing_required(text: str, expected: str) -> None:
    assert messages(text) == [f"{NAME}: {expected}"]


# -- values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("value = 100", 'value = "100"', f"{OBS_PLACE}.value: expected a number, got a string"),
        pytest.param("value = 100", "value = true", f"{OBS_PLACE}.value: expected a number, got a boolean"),
        pytest.param(
            'label = "GDP"', 'label = ["GDP"]', "metrics[0] (gdp.total).label: expected a string, got an array"
        ),
        pytest.param(
            'publisher = "China Daily"',
            "publisher = 7",
            "sources[0] (cd-mayor-2024).publisher: expected a string, got an integer",
        ),
        pytest.param('period = "2023"', "period = 2023", f"{OBS_PLACE}.period: expected a string, got an integer"),
        pytest.param('label = "GDP"', 'label = " "', "metrics[0] (gdp.total).label: must not be empty"),
    ],
)
def test_wrong_type(old: str, new: str, expected: str) -> None:
    assert messages(mutate(old, new)) == [f"{NAME}: {expected}"]


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("nan", "nan is not a finite number"),
        ("inf", "inf is not a finite number"),
        ("-inf", "-inf is not a finite number"),
        ("10_000_000_000_000_000_000", "is out of range (more than 10^18 in magnitude)"),
        ("-10_000_000_000_000_000_000", "is out of range (more than 10^18 in magnitude)"),
    ],
)
def test_value_not_finite_or_out_of_range(literal: str, expected: str) -> None:
    text = mutate("value = 100", f"value = {literal}")
    assert messages(text) == [f"{NAME}: {OBS_PLACE}.value: {expected}"]


NOT_A_PERIOD = "is not a period (expected YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD or START/END)"


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2023-Q5", f"'2023-Q5' {NOT_A_PERIOD}"),
        ("2023-13", "'2023-13' is not a real date (month must be in 1..12)"),
        ("2023-02-30", "'2023-02-30' is not a real date (day is out of range for month)"),
        ("20231", f"'20231' {NOT_A_PERIOD}"),
        ("2020/2016", "'2020/2016': the range ends before it starts"),
        ("0999", "'0999': year 999 is out of range"),
    ],
)
def test_period_that_does_not_parse(period: str, expected: str) -> None:
    text = mutate('period = "2023"', f'period = "{period}"')
    assert messages(text) == [f"{NAME}: {OBS_PLACE}.period: {expected}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            mutate('period = "2023"', 'as_of = "2024-Q1"'),
            f"{OBS_PLACE}.as_of: '2024-Q1' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
            id="as-of",
        ),
        pytest.param(
            mutate('date = "2024-05-28"', 'date = "2024-H1"'),
            "sources[0] (cd-mayor-2024).date: '2024-H1' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
            id="source-date",
        ),
        pytest.param(
            mutate("updated = 2026-01-01", 'updated = "2026"'),
            "updated: '2026' must be a full date (YYYY-MM-DD)",
            id="updated-not-a-day",
        ),
    ],
)
def test_date_that_is_not_a_date(text: str, expected: str) -> None:
    assert messages(text) == [f"{NAME}: {expected}"]


@pytest.mark.parametrize(
    ("updated", "expected"),
    [
        ('"2026-13-01"', "'2026-13-01' is not a real date (month must be in 1..12)"),
        ("2026-01-01T10:00:00", "expected a string, got a date-time"),
    ],
)
def test_invalid_updated_is_placed_at_updated(updated: str, expected: str) -> None:
    text = mutate("updated = 2026-01-01", f"updated = {updated}")
    assert messages(text) == [f"{NAME}: updated: {expected}"]


UNITS = (
    "CNY, CNY_per_person, USD, percent, percentage_points, per_1000, per_100, people, people_per_km2, "
    "people_per_household, visitors, km, km2, mu, rank, count, years, celsius, MW, kWh, tonnes_per_day, PFLOPS"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            mutate('unit = "CNY"', 'unit = "EUR"'),
            f"metrics[0] (gdp.total).unit: 'EUR' is not one of: {UNITS}",
            id="unit",
        ),
        pytest.param(
            add(OBSERVATION, 'exactness = "roughly"'),
            f"{OBS_PLACE}.exactness: 'roughly' is not one of: exact, approximate, lower_bound, upper_bound",
            id="exactness",
        ),
        pytest.param(
            add(OBSERVATION, 'status = "final"'),
            f"{OBS_PLACE}.status: 'final' is not one of: "
            "actual, revised, preliminary, first_published, estimate, reported, target, outdated",
            id="status",
        ),
    ],
)
def test_value_outside_closed_list(text: str, expected: str) -> None:
    assert messages(text) == [f"{NAME}: {expected}"]


# -- references, ids, versions ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            mutate('source = "cd-mayor-2024"', 'source = "cd-mayr-2024"', section=OBSERVATION),
            f"{OBS_PLACE}.source: unknown source 'cd-mayr-2024' (did you mean 'cd-mayor-2024'?)",
            id="observation-source",
        ),
        pytest.param(
            mutate('industry = "dairy"', 'industry = "dary"', section="[[metrics]]"),
            "metrics[0] (gdp.total).industry: unknown industry 'dary' (did you mean 'dairy'?)",
            id="metric-industry",
        ),
        pytest.param(
            mutate('source = "cd-mayor-2024"', 'source = "nobody"', section=FACT),
            "facts[0] (plans.airport).source: unknown source 'nobody'",
            id="fact-source",
        ),
        pytest.param(
            mutate('industry = "dairy"', 'industry = "steel"', section=COMPANY),
            "companies[0] (yili).industry: unknown industry 'steel'",
            id="company-industry",
        ),
    ],
)
def test_dangling_reference(text: str, expected: str) -> None:
    assert messages(text) == [f"{NAME}: {expected}"]


SECOND_SOURCE = '[[sources]]\nid = "cd-mayor-2024"\npublisher = "X"\ntitle = "Y"\ndate = "2024"\n\n'

DUPLICATES = [
    pytest.param(
        mutate("[[industries]]", SECOND_SOURCE + "[[industries]]"),
        "sources",
        "cd-mayor-2024",
        id="two-sources",
    ),
    pytest.param(
        mutate('id = "plans.airport"', 'id = "gdp.total"'),
        "metrics and facts",
        "gdp.total",
        id="metric-and-fact",
    ),
]


@pytest.mark.parametrize(("text", "place", "duplicate"), DUPLICATES)
def test_duplicate_id(text: str, place: str, duplicate: str) -> None:
    [problem] = problems(text)
    assert (problem.file, problem.place, problem.message) == (NAME, place, f"duplicate id {duplicate!r}")


@pytest.mark.parametrize(("text", "place", "duplicate"), DUPLICATES)
def test_duplicate_id_gives_the_line_of_the_duplicate(text: str, place: str, duplicate: str) -> None:
    [problem] = problems(text)
    assert problem.line == line_of(text, f'id = "{duplicate}"', occurrence=2)


DOTTED = "lowercase, dotted by topic"
PLAIN = "lowercase letters, digits, '_' and '-'"


@pytest.mark.parametrize(
    ("text", "bad", "expected"),
    [
        pytest.param(
            mutate('id = "gdp.total"', 'id = "gdp"'),
            "gdp",
            f"metrics[0] (gdp).id: 'gdp' is not a valid id ({DOTTED}: 'gdp.total')",
            id="metric-without-dot",
        ),
        pytest.param(
            mutate('id = "gdp.total"', 'id = "GDP.Total"'),
            "GDP.Total",
            f"metrics[0] (GDP.Total).id: 'GDP.Total' is not a valid id ({DOTTED}: 'gdp.total')",
            id="metric-uppercase",
        ),
        pytest.param(
            mutate('id = "plans.airport"', 'id = "Plans.airport"'),
            "Plans.airport",
            f"facts[0] (Plans.airport).id: 'Plans.airport' is not a valid id ({DOTTED}: 'plans.airport')",
            id="fact-uppercase",
        ),
        pytest.param(
            mutate('id = "yili"', 'id = "Yili"'),
            "Yili",
            f"companies[0] (Yili).id: 'Yili' is not a valid id ({PLAIN})",
            id="company-uppercase",
        ),
        pytest.param(
            mutate("[[industries]]", SECOND_SOURCE.replace("cd-mayor-2024", "CD_2024") + "[[industries]]"),
            "CD_2024",
            "sources[1] (CD_2024).id: 'CD_2024' is not a valid id (lowercase letters, digits and hyphens)",
            id="source-underscore",
        ),
    ],
)
def test_invalid_id_shape(text: str, bad: str, expected: str) -> None:
    line = line_of(text, f'id = "{bad}"')
    assert messages(text) == [f"{NAME}:{line}: {expected}"]


@pytest.mark.parametrize(("literal", "shown"), [("4", "4"), ('"1"', "'1'"), ("0", "0")])
def test_unsupported_schema_version(literal: str, shown: str) -> None:
    text = mutate("schema_version = 1", f"schema_version = {literal}")
    assert messages(text) == [f"{NAME}: schema_version: unsupported version {shown} (this hohhot reads 1, 2 and 3)"]


@pytest.mark.parametrize("literal", ["true", "1.0"])
def test_schema_version_must_be_an_integer(literal: str) -> None:
    text = mutate("schema_version = 1", f"schema_version = {literal}")
    assert [problem.place for problem in problems(text)] == ["schema_version"]


def test_every_problem_is_reported() -> None:
    text = add("[[sources]]", 'titel = "x"')
    text = mutate('unit = "CNY"', 'unit = "EUR"', text=text)
    text = mutate('source = "cd-mayor-2024"', 'source = "nobody"', section=OBSERVATION, text=text)
    text = mutate('text = "A new airport is planned."\n', "", text=text)
    text = mutate('id = "yili"', 'id = "Yili"', text=text)
    company_line = line_of(text, 'id = "Yili"')
    assert messages(text) == [
        f"{NAME}: sources[0] (cd-mayor-2024): unknown key 'titel' (did you mean 'title'?)",
        f"{NAME}: metrics[0] (gdp.total).unit: 'EUR' is not one of: {UNITS}",
        f"{NAME}: facts[0] (plans.airport): missing required key 'text'",
        f"{NAME}:{company_line}: companies[0] (Yili).id: 'Yili' is not a valid id ({PLAIN})",
        f"{NAME}: {OBS_PLACE}.source: unknown source 'nobody'",
    ]


# -- random damage ----------------------------------------------------------

_TOML_BITS = ['"', "'", "[", "]", "{", "}", "=", ".", ",", "#", "\n", "-", "_", "0", "nan", "1e999", "true"]


@st.composite
def damaged_bases(draw: st.DrawFn) -> str:
    """BASE after one to three random deletions, duplications, replacements or truncations."""
    text = BASE
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        kind = draw(st.sampled_from(["delete-line", "duplicate-line", "replace-char", "truncate"]))
        if kind == "delete-line":
            index = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[:index] + lines[index + 1 :])
        elif kind == "duplicate-line":
            index = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: index + 1] + lines[index:])
        elif kind == "replace-char" and text:
            at = draw(st.integers(0, len(text) - 1))
            new = draw(st.one_of(st.text(max_size=8), st.sampled_from(_TOML_BITS)))
            text = text[:at] + new + text[at + 1 :]
        else:
            text = text[: draw(st.integers(0, len(text)))]
    return text


@settings(max_examples=200, deadline=None)
@given(damaged_bases())
def test_damaged_base_loads_or_raises_fact_file_error(text: str) -> None:
    try:
        parse_facts(text, NAME)
    except FactFileError as error:
        assert error.problems
        assert all(problem.file == NAME and str(problem) for problem in error.problems)


# -- periods ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), "year"),
        ("2023-H2", date(2023, 7, 1), date(2023, 12, 31), "half"),
        ("2023-Q1", date(2023, 1, 1), date(2023, 3, 31), "quarter"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2020-11-01", date(2020, 11, 1), date(2020, 11, 1), "day"),
        ("2016/2020", date(2016, 1, 1), date(2020, 12, 31), "span"),
        ("2024-01/2024-09", date(2024, 1, 1), date(2024, 9, 30), "year_to_date"),
    ],
)
def test_parse_period_span(text: str, start: date, end: date, granularity: str) -> None:
    span = parse_period(text)
    assert (span.start, span.end, span.granularity, span.text) == (start, end, granularity, text)


def test_sort_key_puts_quarter_before_half_before_year() -> None:
    assert sorted(["2023", "2023-H1", "2023-Q1"], key=sort_key) == ["2023-Q1", "2023-H1", "2023"]


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ("2023", "2022"),
        ("2023-Q1", "2022-Q1"),
        ("2023-H2", "2022-H2"),
        ("2023-05", "2022-05"),
        ("2020-11-01", "2019-11-01"),
        ("2024-02-29", None),
        ("2016/2020", "2011/2015"),
        ("2023-01/2023-06", "2022-01/2022-06"),
        ("2023-03/2023-06", None),
    ],
)
def test_previous_comparable(period: str, previous: str | None) -> None:
    assert previous_comparable(period) == previous


# -- reading TOML (see hohhot_cli.load.reading) ---------


def test_deep_key_check_finds_only_deep_keys() -> None:
    assert reading._too_deep_key("a = 1\n" + ".".join(["k"] * 150) + " = 1\n") == 2
    assert reading._too_deep_key("a = 1\n" + ".".join(["k"] * 101) + " = 1\n") is None
    assert reading._too_deep_key("x = '" + "." * 500 + "'\n") is None  # dots in a value are no key


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**19), max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "2023", "2023-Q5", "2023-02-30", "2024-05-28", "2016/2020", "x\x00", "a" * 501]),
    st.sampled_from(["exact", "approximate", "actual", "target", "revised", "cd-mayor-2024", "Exact"]),
    st.text(max_size=8),
    st.lists(st.sampled_from(["cd-mayor-2024", "", "x\x00", "a" * 501, 3]), max_size=3),
    st.dates(),
    st.just({"value": 1, "unit": "USD"}),
)


_VALID_OBSERVATION = st.fixed_dictionaries(
    {"value": st.one_of(st.integers(-(10**18), 10**18), st.floats(-1e18, 1e18)), "source": st.just("cd-mayor-2024")},
    optional={
        "period": st.sampled_from(["2023", "2023-Q1", "2016/2020", "2024-01/2024-09"]),
        "as_of": st.sampled_from(["2024", "2024-05-28"]),
        "exactness": st.sampled_from(["exact", "lower_bound"]),
        "status": st.sampled_from(["actual", "target"]),
        "note": st.sampled_from(["A note.", "b" * 5000]),
    },
)




# -- hostile text: each check of a fact file's text takes time in proportion to it ----------

def test_a_line_of_spaces_after_a_line_of_dots_is_checked_quickly() -> None:
    """The nesting-depth check runs once some line has over 100 dots; a long blank line must not stall it."""
    text = 'x = "' + "." * 101 + '"\n' + " " * 100_000 + "\n"
    snippet = f"from hohhot_cli.load.reading import _too_deep_key; print(_too_deep_key({text!r}))"
    assert printed_by_snippet(snippet) == "None"


def test_a_duplicate_key_of_many_spaces_is_reported_quickly() -> None:
    """tomllib quotes the key in its message; cleaning the position out of it must not stall on the spaces."""
    code = (
        "from hohhot_cli.load.reading import parse_toml\n"
        "from hohhot_cli.model.errors import FactFileError\n"
        "key = '[\"' + ' ' * 200_000 + '\"]\\n'\n"
        "try:\n    parse_toml(key * 2, 'f.toml')\n"
        "except FactFileError as error:\n    print(error.problems[0].line, '(at line' in error.problems[0].message)\n"
    )
    assert printed_by_snippet(code) == "2 False"


def test_a_long_number_after_many_long_digit_runs_is_found_quickly() -> None:
    """Each run of digits shorter than the limit is tried once, from its start, not from each of its digits.

    The search runs when tomllib refuses a number with too many digits; its first match is
    the start of the first run long enough, whose line the problem names.
    """
    code = (
        "from hohhot_cli.load.reading import _LONG_NUMBER\n"
        "text = 's = \"' + ' '.join(['1' * 3_999] * 8_000) + '\"\\n\\nn = ' + '7' * 4_400 + '\\n'\n"
        "found = _LONG_NUMBER.search(text)\n"
        "print(text.count('\\n', 0, found.start()) + 1, found.end() - found.start())\n"
    )
    assert printed_by_snippet(code) == "3 4400"
