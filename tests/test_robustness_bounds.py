"""Robustness: the work done for a bad fact file is linear and bounded.

One build of the base per run; at most MAX_SUGGESTION_CANDIDATES ids compared for one
did-you-mean and SUGGESTION_BUDGET comparisons per file; at most MAX_PROBLEMS problems kept
and listed, the rest counted ("and N more") in ``validate`` and in the one-line error of
other commands. 250,000 unknown tables are reported in a few seconds of CPU, within twice
what tomllib alone takes to parse them.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import Runner, hohhot_executable, subprocess_env
from support.checks import HANG_LIMIT
from support.factfiles import FIXTURE, edited_copy

from hohhot_cli.load import building, fields
from hohhot_cli.load.fields import MAX_SUGGESTION_CANDIDATES, SUGGESTION_BUDGET

UNKNOWN_TABLES = 250_000
MAX_PROBLEMS = getattr(fields, "MAX_PROBLEMS", 1_000)  # (getattr: so that the tests run on older code too)


def _unknown_tables(path: Path, count: int) -> Path:
    """The fixture followed by ``count`` unknown top-level tables."""
    text = FIXTURE.read_text(encoding="utf-8") + "".join(f"[unknown_{n:06d}]\n" for n in range(count))
    path.write_text(text, encoding="utf-8")
    return path


def _child_cpu(args: list[str], **env: str) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """CPU seconds (user and system) a child took, and what it printed; it must end within HANG_LIMIT."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, timeout=HANG_LIMIT, env=subprocess_env(**env), check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, done


@pytest.fixture(scope="module")
def unknown_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _unknown_tables(tmp_path_factory.mktemp("unknown") / "unknown.toml", UNKNOWN_TABLES)


@pytest.fixture(scope="module")
def tomllib_cpu(unknown_tables: Path) -> float:
    """What tomllib alone takes, in a child as hohhot runs it: its own interpreter, the collector off."""
    toml = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    code = f"import gc, {toml} as t; gc.disable(); t.loads(open({str(unknown_tables)!r}, encoding='utf-8').read())"
    return min(_child_cpu([sys.executable, "-c", code])[0] for _ in range(2))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "json", "query"])
def test_250k_unknown_tables_take_linear_time(unknown_tables: Path, tomllib_cpu: float, fmt: str) -> None:
    if fmt == "query":
        args = ["--facts", str(unknown_tables), "--no-cache", "metrics"]
    else:
        args = ["validate", str(unknown_tables), "--format", fmt]
    cpu, done = _child_cpu([hohhot_executable(), *args])
    assert done.returncode == 1, done.stderr
    assert cpu - tomllib_cpu < 5, f"{cpu:.2f} s of CPU, tomllib alone {tomllib_cpu:.2f} s"
    assert cpu < 2 * tomllib_cpu, f"{cpu:.2f} s of CPU, tomllib alone {tomllib_cpu:.2f} s"
    more = f"{UNKNOWN_TABLES - MAX_PROBLEMS:,} more problems, not listed"
    if fmt == "query":
        assert done.stdout == b""
        assert done.stderr.decode().endswith(f"(and {UNKNOWN_TABLES - 1:,} more: run hohhot validate)\n")
    elif fmt == "json":
        problems = json.loads(done.stdout)["problems"]
        assert len(problems) == MAX_PROBLEMS + 1 and more in problems[-1]["message"]
    else:
        lines = done.stdout.decode().splitlines()
        assert lines[0] == f"{unknown_tables}: {UNKNOWN_TABLES:,} problems" and len(lines) == MAX_PROBLEMS + 2
        assert more in lines[-1]


# -- the caps, in process ----------------------------------------------------------------


@pytest.fixture(scope="module")
def many_problems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 unknown tables, and 2,000 references to unknown sources much like known ones."""
    path = _unknown_tables(tmp_path_factory.mktemp("many") / "many.toml", 3_000)
    refs = ", ".join(f'"fg-mayor-{n:04d}"' for n in range(2_000))
    return edited_copy(path.parent, ('source = ["fg-mayor-2024"]', f"source = [{refs}]"), source=path, name="x.toml")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_validate_lists_the_first_problems_and_counts_the_rest(hohhot: Runner, many_problems: Path, fmt: str) -> None:
    result = hohhot("validate", str(many_problems), "--format", fmt)
    assert result.exit_code == 1, result
    more = "and 4,000 more problems, not listed (the first 1,000 are)"
    if fmt == "json":
        problems = result.json()["problems"]
        assert len(problems) == MAX_PROBLEMS + 1 and problems[-1]["message"] == more
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert len(rows) == MAX_PROBLEMS + 1 and rows[-1]["message"] == more
    else:
        assert "5,000 problems" in result.stdout.splitlines()[0] and more in result.stdout


def test_the_one_line_error_counts_every_problem(hohhot: Runner, many_problems: Path) -> None:
    result = hohhot("--facts", str(many_problems), "metrics")
    assert result.exit_code == 1
    assert result.stderr.endswith("(and 4,999 more: run hohhot validate)\n"), result.stderr


@pytest.mark.parametrize("args", [("validate", "{path}"), ("--facts", "{path}", "--no-cache", "metrics")])
def test_the_base_is_built_once_per_run(
    hohhot: Runner, many_problems: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    builds: list[int] = []
    build = building._Builder.build

    def counted(self: Any, document: Any) -> Any:
        builds.append(1)
        return build(self, document)

    monkeypatch.setattr(building._Builder, "build", counted)
    assert hohhot(*(a.format(path=many_problems) for a in args)).exit_code == 1
    assert len(builds) == 1


def test_did_you_mean_compares_a_bounded_number_of_candidates(
    hohhot: Runner, many_problems: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[int] = []
    closest = fields._closest

    def counted(word: str, choices: list[str]) -> str | None:
        compared.append(len(choices))
        return closest(word, choices)

    monkeypatch.setattr(fields, "_closest", counted)
    result = hohhot("validate", str(many_problems), "--format", "json")
    assert result.exit_code == 1
    assert compared and max(compared) <= MAX_SUGGESTION_CANDIDATES
    assert sum(compared) <= SUGGESTION_BUDGET + MAX_SUGGESTION_CANDIDATES, sum(compared)


def test_no_did_you_mean_for_a_very_long_word(hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Comparing long strings costs the product of their lengths: beyond MAX_SUGGESTED_CHARS no key or id is meant."""
    long_id = "fg-mayor-" + "x" * 5_000
    facts = edited_copy(
        tmp_path,
        ('id = "fg-mayor-2024"', f'id = "{long_id}y"'),  # too long (a problem), and a candidate of the same length
        ('source = ["fg-mayor-2024"]', f'source = ["{long_id}"]'),
    )

    def compare(word: str, choices: list[str]) -> None:
        assert len(word) <= 100, "a long word was compared"

    monkeypatch.setattr(fields, "_closest", compare)
    problems = hohhot("validate", str(facts), "--format", "json").json()["problems"]
    assert any(p["message"].startswith(f"unknown source '{long_id}'") for p in problems)
