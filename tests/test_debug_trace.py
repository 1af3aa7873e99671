"""``HOHHOT_DEBUG``: one line on stderr for each path a run took (parser, where the base came from), with times.

In a source checkout the bundled base has no snapshot and is parsed; a snapshot is planted
where the loader looks for the wheel's (``loader._bundled_snapshot_file``) to trace that path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support import BUNDLED, Runner
from support.factfiles import edited_copy

from hohhot_cli.load import cache, loader, snapshot

DEBUG = {"HOHHOT_DEBUG": "1"}
PREFIX = "hohhot: debug: "
STEP_TIME = re.compile(r" \(\d+\.\d ms\)$")


def trace(stderr: str) -> list[str]:
    """The debug lines, without their prefix, each step's milliseconds written ``(ms)``."""
    lines = stderr.splitlines()
    assert all(line.startswith(PREFIX) for line in lines), stderr
    return [STEP_TIME.sub(" (ms)", line[len(PREFIX) :]) for line in lines]


def read_line(path: Path) -> str:
    return f"read {path} ({path.stat().st_size:,} bytes) and its digest (ms)"


# -- the parser ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["metric", "metrics", "overview", "show", "search"])
def test_a_plain_query_says_it_took_the_direct_path(hohhot_bundled: Runner, command: str) -> None:
    args = {"metric": ("metric", "gdp"), "show": ("show", "gdp.total"), "search": ("search", "dairy")}
    result = hohhot_bundled(*args.get(command, (command,)), env=DEBUG)
    assert result.exit_code == 0, result
    assert trace(result.stderr)[0] == f"parser: direct ({command})"


@pytest.mark.parametrize("args", [("metric", "gdp", "--help"), ("cite", "gdp.total"), ()], ids=str)
def test_other_command_lines_say_they_went_to_typer(hohhot_bundled: Runner, args: tuple[str, ...]) -> None:
    result = hohhot_bundled(*args, env=DEBUG)
    assert result.exit_code == 0, result
    lines = trace(result.stderr)
    assert lines[0] == "parser: typer"
    assert "parser: direct" not in result.stderr
    if "--help" in args:
        assert lines == ["parser: typer"], "help loads no base"


def test_a_plain_query_sent_to_typer_says_so_and_answers_alike(hohhot_bundled: Runner) -> None:
    direct = hohhot_bundled("metric", "gdp", "--json", env=DEBUG)
    typer = hohhot_bundled("metric", "gdp", "--json", env=DEBUG, direct=False)
    assert trace(direct.stderr)[0] == "parser: direct (metric)"
    assert trace(typer.stderr)[0] == "parser: typer"
    assert typer.stdout == direct.stdout
    assert trace(typer.stderr)[1:] == trace(direct.stderr)[1:], "the same base, loaded the same way"


# -- where the base came from ----------------------------------------------------------


def test_the_bundled_base_of_a_checkout_is_parsed(hohhot_bundled: Runner) -> None:
    result = hohhot_bundled("metric", "gdp", env=DEBUG)
    assert trace(result.stderr) == [
        "parser: direct (metric)",
        read_line(BUNDLED),
        f"base: no snapshot at {loader.bundled_snapshot_path()} (a source checkout or editable install)",
        "base: parsed and validated the TOML (ms)",
    ]


def test_the_bundled_base_from_a_snapshot_that_fits(
    hohhot_bundled: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = tmp_path / snapshot.SNAPSHOT_NAME
    planted.write_bytes(snapshot.dump(loader.load_facts(BUNDLED), snapshot.content_digest(BUNDLED.read_bytes())))
    monkeypatch.setattr(loader, "_bundled_snapshot_file", lambda: str(planted))
    result = hohhot_bundled("metric", "gdp", env=DEBUG)
    assert trace(result.stderr) == ["parser: direct (metric)", read_line(BUNDLED), f"base: snapshot {planted} (ms)"]


def test_the_bundled_base_with_a_snapshot_of_other_content_is_parsed(
    hohhot_bundled: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = tmp_path / snapshot.SNAPSHOT_NAME
    planted.write_bytes(snapshot.dump(loader.load_facts(BUNDLED), snapshot.content_digest(b"another facts.toml")))
    monkeypatch.setattr(loader, "_bundled_snapshot_file", lambda: str(planted))
    result = hohhot_bundled("metric", "gdp", env=DEBUG)
    assert trace(result.stderr)[2:] == [
        "base: snapshot not used (made for another fact file, model or format)",
        "base: parsed and validated the TOML (ms)",
    ]


def test_a_facts_file_is_a_cache_miss_then_a_cache_hit(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(tmp_path)
    directory = cache.default_cache_directory(os.environ)
    first = hohhot("--facts", str(facts), "metric", "gdp", env=DEBUG)
    second = hohhot("--facts", str(facts), "metric", "gdp", env=DEBUG)
    assert trace(first.stderr) == [
        "parser: direct (metric)",
        read_line(facts),
        f"base: cache miss in {directory} (ms)",
        "base: parsed and validated the TOML (ms)",
        f"cache: stored in {directory} (ms)",
    ]
    assert trace(second.stderr) == ["parser: direct (metric)", read_line(facts), f"base: cache hit in {directory} (ms)"]
    assert second.stdout == first.stdout


def test_a_facts_file_without_the_cache_is_parsed(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(tmp_path)
    result = hohhot("--no-cache", "--facts", str(facts), "metric", "gdp", env=DEBUG)
    assert trace(result.stderr) == [
        "parser: direct (metric)",
        read_line(facts),
        "cache: off",
        "base: parsed and validated the TOML (ms)",
    ]


# -- off: nothing -----------------------------------------------------------------------


@pytest.mark.parametrize("setting", [None, "0", ""], ids=["unset", "0", "empty"])
@pytest.mark.parametrize("args", [("metric", "gdp"), ("cite", "gdp.total"), ("--no-cache", "metrics")], ids=str)
def test_without_it_nothing_is_printed_on_stderr(
    hohhot: Runner, monkeypatch: pytest.MonkeyPatch, setting: str | None, args: tuple[str, ...]
) -> None:
    monkeypatch.delenv("HOHHOT_DEBUG", raising=False)
    env = {} if setting is None else {"HOHHOT_DEBUG": setting}
    quiet = hohhot(*args, env=env)
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    traced = hohhot(*args, env=DEBUG)
    assert traced.stdout == quiet.stdout, "the trace goes to stderr only"
    assert traced.stderr.startswith(PREFIX)


def test_any_other_value_turns_it_on(hohhot_bundled: Runner) -> None:
    assert trace(hohhot_bundled("metrics", env={"HOHHOT_DEBUG": "yes"}).stderr)[0] == "parser: direct (metrics)"
