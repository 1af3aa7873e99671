"""The contract with scripts: every JSON output matches its published schema, keys keep one type.

Runs every command in every machine format on the fixture base (tests/data/fixture.toml).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from support import REPO, Runner

from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.csv_view import EXPORT_COLUMNS, LIST_SEPARATOR
from hohhot_cli.output.json_view import FORMAT_VERSION

# (schema, arguments): every command and every shape it has.
RUNS: list[tuple[str, tuple[str, ...]]] = [
    ("overview", ("overview",)),
    ("overview", ()),
    ("industries", ("industries",)),
    ("industries", ("industries", "--kind", "future")),
    ("industries", ("industries", "dairy")),
    ("industries", ("industries", "semiconductors")),
    ("metric", ("metric", "gdp")),
    ("metric", ("metric", "dairy.revenue", "talent", "--latest")),
    ("metric", ("metric", "gdp", "--since", "2020", "--kind", "year")),
    ("metric", ("metric", "geography.area")),
    ("metrics", ("metrics",)),
    ("metrics", ("metrics", "--topic", "trade", "--any-period")),
    ("metrics", ("metrics", "--since", "2999")),
    ("compare", ("compare", "gdp.total")),
    ("compare", ("compare", "trade")),
    ("compare", ("compare", "trade.exports", "trade.imports", "population.resident")),
    ("compare", ("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2023")),
    ("compare", ("compare", "--industries")),
    ("compare", ("compare", "gdp.per_capita", "tourism.visitors")),
    ("compare", ("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2022")),
    ("compare", ("compare", "gdp.growth@2016/2020", "tourism.visitor_goal")),
    ("metric", ("metric", "gdp.growth@2016/2020", "tourism.visitor_goal", "gdp.total@2024")),
    ("show", ("show", "gdp.total@2024#2")),
    ("search", ("search", "dairy", "capital")),
    ("search", ("search", "no-such-thing-anywhere")),
    ("search", ("search", "gdp", "2023")),
    ("search", ("search", "gdp.total@2021")),
    ("show", ("show", "gdp.total@2023")),
    ("show", ("show", "population.resident@as-of-2024-01-18")),
    ("show", ("show", "乳业")),
    ("sources", ("sources",)),
    ("sources", ("sources", "fg-trade-2023")),
    ("sources", ("sources", "fg-mayor-2024")),
    ("validate", ("validate",)),
    ("industries", ("industries", "dairy", "--all")),
    ("changes", ("changes",)),
    ("changes", ("changes", "--since", "2024-12", "--until", "2025-01-15")),
    ("changes", ("changes", "--since", "2030")),
]
RUN_IDS = [" ".join(args) or "(none)" for _, args in RUNS]


def schema_of(hohhot: Runner, name: str) -> dict[str, Any]:
    result = hohhot("schema", name)
    assert result.exit_code == 0, result
    schema: dict[str, Any] = result.json()
    Draft202012Validator.check_schema(schema)
    return schema


def json_output(hohhot: Runner, args: tuple[str, ...]) -> Any:
    result = hohhot(*args, "--json")
    assert result.exit_code == 0, result
    return result.json()


@pytest.mark.parametrize(("name", "args"), RUNS, ids=RUN_IDS)
def test_json_matches_its_schema(hohhot: Runner, name: str, args: tuple[str, ...]) -> None:
    Draft202012Validator(schema_of(hohhot, name)).validate(json_output(hohhot, args))


@pytest.mark.parametrize(("name", "args"), RUNS, ids=RUN_IDS)
def test_jsonl_matches_its_schema(hohhot: Runner, name: str, args: tuple[str, ...]) -> None:
    result = hohhot(*args, "--format", "jsonl")
    assert result.exit_code == 0, result
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    whole = json_output(hohhot, args)
    assert lines == (whole if isinstance(whole, list) else [whole])


@pytest.mark.parametrize(("name", "args"), RUNS, ids=RUN_IDS)
def test_csv_has_a_header_of_unique_fields(hohhot: Runner, name: str, args: tuple[str, ...]) -> None:
    result = hohhot(*args, "--format", "csv")
    assert result.exit_code == 0, result
    assert result.stderr == ""
    header, *rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert header and len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in rows)


def _types(data: Any, found: dict[str, set[str]]) -> None:
    """Collect key -> JSON types (null left out: any key may be null where the schema says so)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if value is not None:
                found.setdefault(key, set()).add(_json_type(value))
            _types(value, found)
    elif isinstance(data, list):
        for item in data:
            _types(item, found)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def test_no_key_has_two_types_across_commands(hohhot: Runner, tmp_path: Path) -> None:
    found: dict[str, set[str]] = {}
    for _, args in RUNS:
        _types(json_output(hohhot, args), found)
    output = tmp_path / "export.json"
    assert hohhot("export", "-o", str(output)).exit_code == 0
    _types(json.loads(output.read_text(encoding="utf-8")), found)
    mixed = {key: types for key, types in found.items() if len(types) > 1}
    assert mixed == {}


def test_ids_are_named_as_ids_and_counts_as_counts(hohhot: Runner) -> None:
    """A source is an object where it is a source; lists of ids end in _ids; counts in _count."""
    found: dict[str, set[str]] = {}
    for _, args in RUNS:
        _types(json_output(hohhot, args), found)
    assert found["sources"] == {"array"}
    assert found["source_ids"] == found["metric_ids"] == found["company_ids"] == {"array"}
    assert found["observation_count"] == {"number"}
    assert found["observations"] == {"array"}
    for record in hohhot("industries", "dairy", "--json").json()["sources"]:
        assert {"id", "publisher", "title"} <= set(record)


def test_schema_command(hohhot: Runner) -> None:
    everything = hohhot("schema").json()
    assert everything["format_version"] == FORMAT_VERSION
    assert set(everything["schemas"]) >= {name for name, _ in RUNS} | {"export"}
    for schema in everything["schemas"].values():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    result = hohhot("schema", "nonsense")
    assert result.exit_code == ExitStatus.USAGE, result
    assert "one of: overview, industries" in result.stderr


def test_format_version_matches_the_shipped_schema() -> None:
    shipped = json.loads((REPO / "src" / "hohhot_cli" / "output" / "schema.json").read_text(encoding="utf-8"))
    assert shipped["format_version"] == FORMAT_VERSION


# -- export ----------------------------------------------------------------------------


def test_json_export_matches_its_schema(hohhot: Runner, tmp_path: Path) -> None:
    output = tmp_path / "out.json"
    assert hohhot("export", "-o", str(output)).exit_code == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    Draft202012Validator(schema_of(hohhot, "export")).validate(document)
    assert document["format_version"] == FORMAT_VERSION
    urls = [row["source_urls"] for row in document["observations"]]
    assert all(isinstance(u, list) for u in urls), "lists are arrays, never joined strings"


def test_jsonl_export_rows_match_the_row_schema(hohhot: Runner) -> None:
    schema = schema_of(hohhot, "export")
    row_schema = {**schema, **schema["$defs"]["export_row"]}
    result = hohhot("export", "-o", "-", "-f", "jsonl")
    assert result.exit_code == 0, result
    validator = Draft202012Validator(row_schema)
    for line in result.stdout.splitlines():
        validator.validate(json.loads(line))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_to_stdout(
    hohhot: Runner, base: FactBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (("-o", "-", "-f", fmt), ("-f", fmt)):
        result = hohhot("export", *args)
        assert result.exit_code == 0, result
        assert result.stdout and result.stderr == ""
        assert list(tmp_path.iterdir()) == [], "no file named '-'"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(hohhot("export", "-f", "csv").stdout, newline="")))
        assert len(rows) == sum(len(m.observations) for m in base.metrics)
        assert tuple(rows[0]) == EXPORT_COLUMNS


def test_export_to_stdout_defaults_to_json(hohhot: Runner) -> None:
    result = hohhot("export", "-o", "-")
    assert result.exit_code == 0, result
    assert result.json()["format_version"] == FORMAT_VERSION


@pytest.mark.parametrize("fmt", ["sqlite", "datapackage"])
def test_binary_exports_refuse_stdout(hohhot: Runner, fmt: str) -> None:
    result = hohhot("export", "-o", "-", "-f", fmt)
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "stdout" in result.stderr


@pytest.mark.parametrize(("name", "says"), [("existing", "is a directory"), ("newdir/", "no such directory")])
def test_export_to_a_directory_is_a_clear_error(hohhot: Runner, tmp_path: Path, name: str, says: str) -> None:
    (tmp_path / "existing").mkdir()
    result = hohhot("export", "-f", "csv", "-o", str(tmp_path / name) + ("/" if name.endswith("/") else ""))
    assert result.exit_code == ExitStatus.ERROR, result
    assert says in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "newdir").exists()


def test_export_filters(hohhot: Runner) -> None:
    rows = hohhot("export", "-f", "json", "--kind", "year", "--since", "2023").json()["observations"]
    assert rows and all(r["period_kind"] == "year" and r["period"] >= "2023" for r in rows)


def test_sqlite_export_has_meta_and_views(hohhot: Runner, tmp_path: Path) -> None:
    output = tmp_path / "hohhot.sqlite"
    assert hohhot("export", "-o", str(output)).exit_code == 0
    connection = sqlite3.connect(output)
    meta = dict(connection.execute("select * from meta").fetchall())
    assert meta["format_version"] == FORMAT_VERSION
    assert {"fact_base_updated", "tool_version", "list_format"} <= set(meta)
    assert meta["list_format"] == "json"
    details = connection.execute(
        "select metric, label, value from observation_details where metric = 'dairy.revenue' and period = '2023'"
    ).fetchall()
    assert details == [("dairy.revenue", "Dairy industry revenue", 120_000_000_000)]
    citations = connection.execute(
        "select source, publisher from observation_citations where metric = 'dairy.revenue' and period = '2023'"
    ).fetchall()
    assert [c[0] for c in citations] == ["fg-mayor-2024"]
    connection.close()


# -- the Data Package -------------------------------------------------------------------


def _package(hohhot: Runner, directory: Path) -> dict[str, Any]:
    result = hohhot("export", "-f", "datapackage", "-o", str(directory))
    assert result.exit_code == 0, result
    descriptor: dict[str, Any] = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor


def _table(directory: Path, resource: dict[str, Any]) -> Iterator[dict[str, str]]:
    with open(directory / resource["path"], encoding=resource["encoding"], newline="") as stream:
        yield from csv.DictReader(stream)


def test_datapackage_is_valid(hohhot: Runner, base: FactBase, tmp_path: Path) -> None:
    """The descriptor against the published Tabular Data Package profile, each CSV against its Table Schema."""
    directory = tmp_path / "package"
    descriptor = _package(hohhot, directory)
    profile = json.loads((REPO / "tests" / "data" / "profiles" / "tabular-data-package.json").read_text("utf-8"))
    Draft4Validator(profile).validate(descriptor)
    assert descriptor["format_version"] == FORMAT_VERSION
    names = {r["name"]: r for r in descriptor["resources"]}
    assert set(names) == {
        "observations",
        "metrics",
        "sources",
        "industries",
        "facts",
        "companies",
        "topics",
        "observation_sources",
    }
    keys: dict[str, set[str]] = {}
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        rows = list(_table(directory, resource))
        with open(directory / resource["path"], encoding="utf-8", newline="") as stream:
            assert next(csv.reader(stream)) == [f["name"] for f in fields]
        for field in fields:
            for row in rows:
                value = row[field["name"]]
                if field.get("constraints", {}).get("required"):
                    assert value != "", (resource["name"], field["name"])
                if field["type"] == "number" and value:
                    float(value)
        primary = resource["schema"].get("primaryKey")
        if primary:
            values = [tuple(row[k] for k in primary) for row in rows]
            assert len(set(values)) == len(values), resource["name"]
            keys[resource["name"]] = {v[0] for v in values}
    for resource in descriptor["resources"]:
        for foreign in resource["schema"].get("foreignKeys", []):
            (column,) = foreign["fields"]
            target = foreign["reference"]["resource"]
            assert {row[column] for row in _table(directory, resource)} - {""} <= keys[target]
    observations = list(_table(directory, names["observations"]))
    assert len(observations) == sum(len(m.observations) for m in base.metrics)
    dairy = next(r for r in observations if r["metric"] == "dairy.revenue" and r["period"] == "2023")
    assert dairy["source_ids"].split(LIST_SEPARATOR) == ["fg-mayor-2024"]


def test_datapackage_into_an_existing_directory_and_not_a_file(hohhot: Runner, tmp_path: Path) -> None:
    assert hohhot("export", "-f", "datapackage", "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / "datapackage.json").exists()
    result = hohhot("export", "-f", "datapackage", "-o", str(tmp_path / "datapackage.json"))
    assert result.exit_code == ExitStatus.ERROR, result


# -- shared output options, global options anywhere, empty results ------------------------


def test_fields_select_and_order(hohhot: Runner) -> None:
    rows = hohhot("metrics", "--topic", "trade", "--fields", "unit,id", "--json").json()
    assert rows and all(list(r) == ["unit", "id"] for r in rows)
    lines = hohhot("sources", "--fields", "id,observation_count", "-f", "jsonl").stdout.splitlines()
    assert all(list(json.loads(line)) == ["id", "observation_count"] for line in lines)
    text = hohhot("metric", "gdp.total", "-f", "csv", "--fields", "period,value", "--no-header").stdout
    first = next(csv.reader(io.StringIO(text)))
    assert len(first) == 2 and first[0] != "period"
    assert hohhot("overview", "--json", "--fields", "name").json() == {"name": "Hohhot"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_unknown_field_lists_the_valid_ones(hohhot: Runner, fmt: str) -> None:
    result = hohhot("search", "nothing-at-all", "-f", fmt, "--fields", "id,bogus")
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stdout == ""
    assert "unknown field 'bogus'" in result.stderr and "valid fields: kind, id, label" in result.stderr


def test_fields_go_with_machine_formats_only(hohhot: Runner) -> None:
    result = hohhot("metrics", "--fields", "id")
    assert result.exit_code == ExitStatus.USAGE, result


@pytest.mark.parametrize(
    "args",
    [
        ("--facts", "{facts}", "metric", "gdp.total", "--json"),
        ("metric", "gdp.total", "--facts", "{facts}", "--json"),
        ("--json", "metric", "gdp.total", "--facts", "{facts}"),
        ("--format", "json", "--no-cache", "metric", "gdp.total", "--facts", "{facts}"),
        ("metric", "gdp.total", "--no-cache", "--facts", "{facts}", "-f", "json"),
    ],
)
def test_global_options_before_or_after_the_command(hohhot: Runner, tmp_path: Path, args: tuple[str, ...]) -> None:
    from support.factfiles import edited_copy

    facts = edited_copy(tmp_path, ('label = "Regional GDP"', 'label = "Edited GDP"'))
    result = hohhot(*(a.replace("{facts}", str(facts)) for a in args))
    assert result.exit_code == 0, result
    assert result.json()[0]["label"] == "Edited GDP"


def test_bare_json_is_the_overview(hohhot: Runner) -> None:
    assert hohhot("--json").json() == hohhot("overview", "--json").json()
    assert hohhot("-f", "csv").stdout == hohhot("overview", "-f", "csv").stdout


def test_root_json_contradicting_a_command_format_is_usage(hohhot: Runner) -> None:
    result = hohhot("--json", "metrics", "-f", "csv")
    assert result.exit_code == ExitStatus.USAGE, result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("industries", "semiconductors"), "no figures found for semiconductors"),
        (("metrics", "--since", "2999"), "no observations found"),
        (("metric", "gdp", "--period", "1999"), "no observations found"),
        (("compare", "gdp.total", "--period", "1999"), "no observations found"),
        (("search", "zzz-nothing"), "no matches found for 'zzz-nothing'"),
    ],
)
def test_empty_results(hohhot: Runner, args: tuple[str, ...], message: str) -> None:
    """A table says so on stderr; CSV prints its header and says nothing; exit 0 both ways."""
    table = hohhot(*args)
    assert table.exit_code == 0, table
    assert table.stderr == f"hohhot: {message}\n"
    as_csv = hohhot(*args, "-f", "csv")
    assert as_csv.exit_code == 0 and as_csv.stderr == "", as_csv
    header = next(csv.reader(io.StringIO(as_csv.stdout)))
    assert header and header[0] in ("metric", "id", "kind")


# -- the README's recipes for scripts ----------------------------------------------------


def _recipes() -> list[tuple[str, str]]:
    """(language, code) of each code block in README's "Scripts" section."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Scripts", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```(console|python)\n(.*?)```", section, flags=re.S)


def test_readme_has_three_recipes() -> None:
    recipes = _recipes()
    assert [language for language, _ in recipes] == ["console", "python", "python"]
    assert "jq" in recipes[0][1] and "pandas" in recipes[1][1] and "sqlite3" in recipes[2][1]


@pytest.mark.parametrize("number", [0, 1, 2], ids=["jq", "pandas", "sqlite"])
def test_readme_recipe_runs(number: int, tmp_path: Path) -> None:
    import importlib.util
    import shutil
    import subprocess
    import sys

    from support import subprocess_env

    language, code = _recipes()[number]
    if "jq" in code and language == "console" and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    if "import pandas" in code and importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas is not installed")
    bin_dir = str(Path(sys.executable).parent)
    env = subprocess_env(facts=None, PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin")
    if language == "console":
        commands = [line[2:] for line in code.splitlines() if line.startswith("$ ")]
        for command in commands:
            result = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
            rows = [line.split("\t") for line in result.stdout.splitlines()]
            assert rows and all(len(r) == 3 and int(r[0]) >= 2020 for r in rows), result.stdout
        return
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    if "sqlite3" in code:
        assert f"'format_version': '{FORMAT_VERSION}'" in result.stdout
    else:
        assert "trade.total" in result.stdout and "2023" in result.stdout


def test_search_gives_a_metric_its_latest_figure(hohhot: Runner) -> None:
    (hit,) = (h for h in hohhot("search", "foreign", "trade", "--json").json() if h["id"] == "trade.total")
    (metric,) = hohhot("metric", "trade.total", "--latest", "--json").json()
    assert metric["observations"][0] == metric["latest"]
    assert hit["latest"] == {"metric": "trade.total", "label": "Foreign trade", "unit": "CNY", **metric["latest"]}
    assert hit["latest"]["period"] == "2023"


def test_metrics_csv_is_one_row_per_metric_with_its_latest(hohhot: Runner, base: FactBase) -> None:
    """As the table: one line per metric, with the latest figure's columns (JSON: every observation too)."""
    rows = list(csv.DictReader(io.StringIO(hohhot("metrics", "-f", "csv").stdout, newline="")))
    assert [r["id"] for r in rows] == [m.id for m in base.metrics]
    trade = next(r for r in rows if r["id"] == "trade.total")
    assert (trade["latest.period"], trade["latest.period_kind"], trade["latest.value"]) == (
        "2023",
        "year",
        "20000000000",
    )
    assert trade["observation_count"] == str(len(base.metric_by_id["trade.total"].observations))


def test_one_list_separator_in_every_csv(hohhot: Runner) -> None:
    rows = list(csv.DictReader(io.StringIO(hohhot("industries", "-f", "csv").stdout, newline="")))
    dairy = next(r for r in rows if r["id"] == "dairy")
    assert set(dairy["company_ids"].split(LIST_SEPARATOR)) == {"steppe", "qingcheng"}
    for args in (("export", "-f", "csv"), ("metric", "population.resident", "-f", "csv")):
        rows = list(csv.DictReader(io.StringIO(hohhot(*args).stdout, newline="")))
        census = next(r for r in rows if r["ref"] == "population.resident@2020-11-01")
        assert census["source_ids"].split(LIST_SEPARATOR) == ["fg-census-2020", "fg-profile"]


def test_root_format_applies_to_export(hohhot: Runner) -> None:
    assert hohhot("--json", "export", "-o", "-").json()["format_version"] == FORMAT_VERSION
    assert hohhot("-f", "csv", "export").stdout.startswith(",".join(EXPORT_COLUMNS[:3]))


@pytest.mark.parametrize("where", ["before", "after"])
def test_shell_completion_reads_facts_before_or_after_the_command(where: str) -> None:
    import subprocess
    import sys

    from support import FIXTURE, subprocess_env

    words = ["hohhot", "metric", "--facts", str(FIXTURE), "trade.t"]
    if where == "before":
        words = ["hohhot", "--facts", str(FIXTURE), "metric", "trade.t"]
    env = subprocess_env(facts=None, _HOHHOT_COMPLETE="complete_bash", COMP_WORDS=" ".join(words), COMP_CWORD="4")
    result = subprocess.run([sys.executable, "-m", "hohhot_cli"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["trade.total", "trade.total_usd"]  # the fixture's, not the bundled base's
