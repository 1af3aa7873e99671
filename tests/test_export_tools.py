"""The SQLite export and the Data Package as data tools read them: sqlite3, sqlite-utils, Datasette, frictionless.

sqlite-utils and frictionless are test extras; Datasette is used where it is installed.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURE, Runner

from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import FactBase
from hohhot_cli.query.selection import PeriodFilter

pytestmark = pytest.mark.slow  # wheels, other programs or many generated bases: run by the full suite


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture base exported to SQLite, with Datasette's metadata beside it (hohhot.metadata.json)."""
    from support import run_cli

    directory = tmp_path_factory.mktemp("sqlite")
    path = directory / "hohhot.sqlite"
    result = run_cli("export", "-o", str(path), "--metadata", str(directory / "hohhot.metadata.json"))
    assert result.exit_code == 0, result
    return path


@pytest.fixture
def db(database: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    yield connection
    connection.close()


# -- SQLite, with sqlite3 ----------------------------------------------------------------


def test_observations_are_keyed_by_their_ref(db: sqlite3.Connection, hohhot: Runner) -> None:
    columns = {row[1]: row[5] for row in db.execute("pragma table_info(observations)")}
    assert [name for name, place in columns.items() if place] == ["ref"]
    refs = [r["ref"] for r in hohhot("export", "-f", "json").json()["observations"]]
    assert [row[0] for row in db.execute("select ref from observations order by rowid")] == refs


def test_foreign_keys_hold(db: sqlite3.Connection) -> None:
    def targets(table: str) -> set[tuple[str, str, str]]:
        return {(row[3], row[2], row[4]) for row in db.execute(f"pragma foreign_key_list({table})")}

    assert targets("observations") == {("metric", "metrics", "id"), ("industry", "industries", "id")}
    assert targets("observation_sources") == {("observation", "observations", "ref"), ("source", "sources", "id")}
    assert ("industry", "industries", "id") in targets("metrics")
    assert db.execute("pragma foreign_key_check").fetchall() == []
    (links,) = db.execute("select count(*) from observation_sources").fetchone()
    assert links == sum(len(json.loads(ids)) for (ids,) in db.execute("select source_ids from observations"))


def test_lists_are_json_arrays(db: sqlite3.Connection) -> None:
    query = (
        "select j.value from observations o, json_each(o.source_ids) j "
        "where o.ref = 'population.resident@2020-11-01' order by j.key"
    )
    assert [row[0] for row in db.execute(query)] == ["fg-census-2020", "fg-profile"]
    (aliases,) = db.execute("select aliases from metrics where id = 'gdp.total'").fetchone()
    assert isinstance(json.loads(aliases), list)


@pytest.mark.parametrize(
    ("table", "words", "expected"),
    [
        ("metrics", "生产总值", "gdp.total"),  # a part of a Chinese label
        ("metrics", "Regional GDP", "gdp.total"),
        ("observations", "dairy", "dairy.revenue@2023"),
        ("industries", "乳业", None),  # two characters: too short for the index, found by hohhot search
    ],
)
def test_full_text_search(db: sqlite3.Connection, table: str, words: str, expected: str | None) -> None:
    key = "ref" if table == "observations" else "id"
    query = f"select {key} from {table} where rowid in (select rowid from {table}_fts where {table}_fts match ?)"
    found = [row[0] for row in db.execute(query, (f'"{words}"',))]
    if expected is None:
        assert found == []
    else:
        assert expected in found


def test_the_index_follows_changes(database: Path, tmp_path: Path) -> None:
    """The triggers keep the index in step with the table, as sqlite-utils' own do."""
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(database.read_bytes())
    connection = sqlite3.connect(copy)
    (row,) = connection.execute("select rowid from metrics where id = 'gdp.total'").fetchone()

    def found(words: str) -> bool:
        query = "select count(*) from metrics_fts where metrics_fts match ? and rowid = ?"
        return bool(connection.execute(query, (f'"{words}"', row)).fetchone()[0])

    assert not found("Gross regional")
    with connection:
        connection.execute("update metrics set label = 'Gross regional product' where id = 'gdp.total'")
    assert found("Gross regional")
    with connection:
        connection.execute("delete from metrics where id = 'gdp.total'")
    assert not found("Gross regional")
    connection.close()


def test_latest_view_is_the_latest_the_commands_show(db: sqlite3.Connection, hohhot: Runner) -> None:
    shown = {m["id"]: m["latest"]["ref"] for m in hohhot("metrics", "--json").json() if m["latest"]}
    latest = dict(db.execute("select metric, ref from latest_observations"))
    assert latest == shown
    assert dict(db.execute("select id, latest_ref from metrics where latest_ref is not null")) == shown


def test_filtered_export_keeps_its_keys(hohhot: Runner, tmp_path: Path) -> None:
    path = tmp_path / "recent.sqlite"
    assert hohhot("export", "-o", str(path), "--since", "2023").exit_code == 0
    connection = sqlite3.connect(path)
    assert connection.execute("pragma foreign_key_check").fetchall() == []
    (kept,) = connection.execute("select count(*) from observations").fetchone()
    since_2023 = PeriodFilter.parse(None, "2023", None, None)
    assert kept == sum(1 for m in load_facts(FIXTURE).metrics for o in m.observations if since_2023.keeps(o)) > 0
    connection.close()


def _undated(row: dict[str, Any], base: FactBase) -> bool:
    undated = {s.id for s in base.sources if s.undated}
    return all(s in undated for s in row["source_ids"])


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite", "datapackage"])
def test_source_undated_in_every_format(hohhot: Runner, base: FactBase, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / ("package" if fmt == "datapackage" else f"out.{fmt}")
    assert hohhot("export", "-f", fmt, "-o", str(output)).exit_code == 0
    if fmt == "json":
        rows = json.loads(output.read_text(encoding="utf-8"))["observations"]
        flags = {r["ref"]: r["source_undated"] for r in rows}
        ids = {r["ref"]: r["source_ids"] for r in rows}
    elif fmt == "sqlite":
        connection = sqlite3.connect(output)
        flags = {ref: bool(flag) for ref, flag in connection.execute("select ref, source_undated from observations")}
        ids = {ref: json.loads(s) for ref, s in connection.execute("select ref, source_ids from observations")}
        connection.close()
    else:
        path = output / "observations.csv" if fmt == "datapackage" else output
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        flags = {r["ref"]: {"true": True, "false": False}[r["source_undated"]] for r in rows}
        ids = {r["ref"]: r["source_ids"].split(" | ") for r in rows}
    assert flags == {ref: _undated({"source_ids": ids[ref]}, base) for ref in ids}
    assert flags["gdp.total@2017"] is True
    assert flags["population.resident@2020-11-01"] is False  # one of its two sources is dated


# -- Datasette's metadata -----------------------------------------------------------------


def test_datasette_metadata(database: Path) -> None:
    metadata = json.loads(database.with_name("hohhot.metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] and metadata["license"] == "CC-BY-4.0" and metadata["source"]
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    tables = metadata["databases"]["hohhot"]["tables"]
    assert "CNY" in tables["observations"]["columns"]["value"]
    assert tables["observations"]["fts_table"] == "observations_fts"
    connection = sqlite3.connect(database)
    for table, entry in tables.items():
        if "columns" in entry:
            names = {row[1] for row in connection.execute(f"pragma table_info({table})")}
            assert set(entry["columns"]) == names, table
    connection.close()


@pytest.mark.parametrize("args", [("-f", "csv"), ("-f", "datapackage"), ("-o", "-", "-f", "json")])
def test_metadata_goes_with_sqlite_only(hohhot: Runner, tmp_path: Path, args: tuple[str, ...]) -> None:
    output = () if "-o" in args else ("-o", str(tmp_path / "out"))
    result = hohhot("export", *output, *args, "--metadata", str(tmp_path / "m.json"))
    assert result.exit_code == ExitStatus.USAGE, result
    assert list(tmp_path.iterdir()) == []


def test_metadata_and_database_are_written_together(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that cannot be written leaves no metadata either."""
    import hohhot_cli.export.sqlite as sqlite_module

    def fail(*args: Any, **kwargs: Any) -> int:
        raise OSError("database or disk is full")

    monkeypatch.setattr(sqlite_module, "write_database", fail)
    result = hohhot("export", "-o", str(tmp_path / "h.sqlite"), "--metadata", str(tmp_path / "h.json"))
    assert result.exit_code == ExitStatus.ERROR, result
    assert list(tmp_path.iterdir()) == []


# -- SQLite, with sqlite-utils and Datasette ----------------------------------------------


def test_sqlite_utils_finds_and_uses_the_index(database: Path) -> None:
    sqlite_utils = pytest.importorskip("sqlite_utils")
    db = sqlite_utils.Database(database)
    try:
        table = db["observations"]
        assert table.detect_fts() == "observations_fts"
        assert table.pks == ["ref"]
        assert {fk.other_table for fk in table.foreign_keys} == {"metrics", "industries"}
        hits = [row["ref"] for row in table.search("dairy")]
        assert "dairy.revenue@2023" in hits
        assert db["metrics"].detect_fts() == "metrics_fts"
        assert "gdp.total" in [row["id"] for row in db["metrics"].search('"生产总值"')]
    finally:
        db.close()


def test_datasette_shows_keys_and_answers_a_search(database: Path) -> None:
    if importlib.util.find_spec("datasette") is None:
        pytest.skip("Datasette is not installed")
    from datasette.app import Datasette

    metadata = json.loads(database.with_name("hohhot.metadata.json").read_text(encoding="utf-8"))

    async def ask() -> tuple[Any, Any, Any]:
        app = Datasette([str(database)], metadata=metadata)
        found = await app.client.get("/hohhot/observations.json?_search=dairy&_shape=array")
        labelled = await app.client.get("/hohhot/observations.json?_labels=on&_shape=array&ref=gdp.total@2023")
        tables = await app.client.get("/hohhot.json")
        return found.json(), labelled.json(), tables.json()

    found, labelled, tables = asyncio.run(ask())
    assert "dairy.revenue@2023" in [row["ref"] for row in found]
    assert labelled[0]["metric"] == {"value": "gdp.total", "label": "Regional GDP"}
    (observations,) = (t for t in tables["tables"] if t["name"] == "observations")
    assert observations["fts_table"] == "observations_fts"
    assert observations["primary_keys"] == ["ref"]
    outgoing = {(k["column"], k["other_table"]) for k in observations["foreign_keys"]["outgoing"]}
    assert outgoing == {("metric", "metrics"), ("industry", "industries")}


# -- the Data Package, with frictionless --------------------------------------------------


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from support import run_cli

    directory = tmp_path_factory.mktemp("package") / "hohhot"
    result = run_cli("export", "-f", "datapackage", "-o", str(directory))
    assert result.exit_code == 0, result
    return directory


def _errors(descriptor: Path) -> list[str]:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(descriptor))
    return [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]


def test_frictionless_validates_the_package(package: Path) -> None:
    assert _errors(package / "datapackage.json") == []


def test_frictionless_checks_the_foreign_keys(package: Path, tmp_path: Path) -> None:
    """The check above means something: a figure of an unknown metric is an error."""
    copy = tmp_path / "copy"
    copy.mkdir()
    for member in package.iterdir():
        (copy / member.name).write_bytes(member.read_bytes())
    observations = copy / "observations.csv"
    text = observations.read_text(encoding="utf-8")
    observations.write_text(text.replace("\ngdp.total,", "\ngdp.totl,", 1), encoding="utf-8")
    errors = _errors(copy / "datapackage.json")
    assert errors and any("gdp.totl" in e or "foreign" in e.lower() for e in errors), errors


def test_package_descriptor(package: Path, base: FactBase) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert len(descriptor["sources"]) == len(base.sources) and all(s["title"] for s in descriptor["sources"])
    assert descriptor["version"] == ".".join(str(int(p)) for p in base.updated.split("-"))
    assert descriptor["created"].endswith("Z")
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {
        "observations",
        "metrics",
        "sources",
        "industries",
        "facts",
        "companies",
        "topics",
        "observation_sources",
    }
    for resource in resources.values():
        assert resource["schema"]["primaryKey"], resource["name"]
    types = {f["name"]: f["type"] for f in resources["observations"]["schema"]["fields"]}
    assert (types["value"], types["period_start"], types["source_undated"]) == ("number", "date", "boolean")
    assert {f["name"]: f["type"] for f in resources["observation_sources"]["schema"]["fields"]}["position"] == (
        "integer"
    )
    assert resources["observations"]["schema"]["primaryKey"] == ["ref"]


# -- the README's examples -----------------------------------------------------------------


def _export_examples() -> list[str]:
    """The commands of the console blocks in README's "Export" section, in order."""
    import re

    from support import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Export\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_readme_export_examples_run(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from support import subprocess_env

    commands = _export_examples()
    assert [c.split()[0] for c in commands] == ["hohhot", "sqlite3", "sqlite3", "hohhot", "frictionless"]
    bin_dir = str(Path(sys.executable).parent)
    env = subprocess_env(PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin")
    for command in commands:
        tool = command.split()[0]
        if shutil.which(tool, path=env["PATH"]) is None:
            continue  # sqlite3's shell or frictionless not installed here
        result = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        if tool == "sqlite3":
            assert result.stdout.strip(), command
