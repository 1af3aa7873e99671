"""The answer cache: a replayed answer is byte for byte the answer computed afresh, or it is not replayed.

Whole processes (the console script), since the answer cache runs before the CLI
is imported: every query command in every machine format, on several fact bases,
run three ways (caches off; caches on, which stores the answer; caches on again,
which replays it) must give the same stdout, stderr and exit status.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import BUNDLED, FIXTURE, hohhot_executable, subprocess_env

from hohhot_cli.cli import answers

REPO = Path(__file__).resolve().parent.parent
MACHINE_FORMATS = ("json", "jsonl", "csv")

# Each query command, with arguments worth replaying, on the fixture.
FIXTURE_QUESTIONS: list[tuple[str, ...]] = [
    (),
    ("overview",),
    ("industries",),
    ("industries", "--kind", "future"),
    ("industries", "dairy"),
    ("industries", "dairy", "--cite"),
    ("metric", "gdp"),
    ("metric", "dairy.revenue", "talent", "--latest"),
    ("metric", "gdp.total", "--since", "2020"),
    ("metric", "no-such-metric"),
    ("metrics",),
    ("metrics", "--topic", "trade"),
    ("compare", "gdp.total"),
    ("compare", "trade.exports", "trade.imports", "population.resident"),
    ("compare", "--industries"),
    ("search", "dairy", "capital"),
    ("search", "乳都"),
    ("search", "no-such-thing-anywhere"),
    ("sources",),
    ("sources", "fg-trade-2023"),
    ("show", "titles.dairy_capital"),
    ("show", "steppe"),
    ("show", "gdp.growth", "--cite"),
    ("metric", "gdp", "--fields", "metric_id,value"),
    ("metric", "gdp", "--no-header"),
]
BUNDLED_QUESTIONS: list[tuple[str, ...]] = [
    ("overview",),
    ("industries",),
    ("metric", "gdp"),
    ("metric", "gdp.total", "--latest"),
    ("metrics",),
    ("search", "乳业"),
    ("sources",),
]
# Commands that are not replayed: they write files, read files of their own or print help.
NOT_REPLAYED = {"export", "validate", "schema", "cite"}


@dataclass(frozen=True)
class Outcome:
    stdout: bytes
    stderr: bytes
    status: int


def _run(args: tuple[str, ...], env: dict[str, str], cwd: Path | None = None) -> Outcome:
    result = subprocess.run(
        [hohhot_executable(), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, cwd=cwd, timeout=120
    )
    return Outcome(result.stdout, result.stderr, result.returncode)


def _environment(cache_home: Path, facts: Path | None, **extra: str) -> dict[str, str]:
    env = subprocess_env(facts=facts, XDG_CACHE_HOME=str(cache_home), **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once: a few hundred runs follow
    env.pop("HOHHOT_NO_CACHE", None)
    return env


def _answer_entries(cache_home: Path) -> dict[str, int]:
    """The stored answers: entry name to modification time (ns), which a replay updates."""
    directory = cache_home / "hohhot" / answers.DIRECTORY
    if not directory.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir() if p.name.endswith(answers.SUFFIX)}


def _three_ways(args: tuple[str, ...], cache_home: Path, facts: Path | None) -> tuple[str, list[str]]:
    """Run a question with the caches off, then twice with them on; what differs, and whether it replayed."""
    env = _environment(cache_home, facts)
    afresh = _run(args, {**env, "HOHHOT_NO_CACHE": "1"})
    stored = _run(args, env)
    replayed = _run(args, env)
    problems = []
    for name, outcome in (("first run", stored), ("second run", replayed)):
        for part in ("stdout", "stderr", "status"):
            if getattr(outcome, part) != getattr(afresh, part):
                problems.append(f"{name} {part}: {getattr(outcome, part)!r:.200} != {getattr(afresh, part)!r:.200}")
    return " ".join(args), problems


def _differential(questions: list[tuple[str, ...]], cache_home: Path, facts: Path | None) -> None:
    cases = [(*q, "--format", fmt) for q in questions for fmt in MACHINE_FORMATS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda args: _three_ways(args, cache_home, facts), cases))
    failures = [f"{args}: {problem}" for args, problems in results for problem in problems]
    assert not failures, "\n".join(failures)


def test_every_query_command_is_asked(hohhot_commands: list[str]) -> None:
    """The differential tests below cover every command the answer cache may replay."""
    asked = {q[0] if q else "overview" for q in FIXTURE_QUESTIONS}
    assert set(hohhot_commands) - NOT_REPLAYED == asked


@pytest.fixture(scope="module")
def hohhot_commands() -> list[str]:
    import typer

    from hohhot_cli.cli.app import app

    group = typer.main.get_command(app)
    return [name for name in group.commands if name]  # type: ignore[attr-defined]


def test_replayed_answers_equal_fresh_ones_on_the_fixture(tmp_path: Path) -> None:
    _differential(FIXTURE_QUESTIONS, tmp_path, FIXTURE)
    assert len(_answer_entries(tmp_path)) > 40  # they were stored, and so replayed


def test_replayed_answers_equal_fresh_ones_on_the_bundled_base(tmp_path: Path) -> None:
    _differential(BUNDLED_QUESTIONS, tmp_path, None)


def test_replayed_answers_equal_fresh_ones_on_a_generated_base(tmp_path: Path) -> None:
    facts = tmp_path / "generated.toml"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_facts.py"), "--observations", "400", "--seed", "3",
         "--output", str(facts)],
        check=True,
    )
    _differential([("metric", "gdp"), ("metrics",), ("search", "gdp"), ("overview",)], tmp_path / "cache", facts)


def test_a_second_run_is_a_replay(tmp_path: Path) -> None:
    """The second run reads the stored answer (and marks it used), and imports neither Typer nor the model."""
    env = _environment(tmp_path, FIXTURE)
    args = ("metric", "gdp", "--json")
    first = _run(args, env)
    assert first.status == 0, first
    (entry, _), = _answer_entries(tmp_path).items()
    os.utime(tmp_path / "hohhot" / answers.DIRECTORY / entry, ns=(0, 0))
    probe = (
        "import sys; sys.argv = ['hohhot', *sys.argv[1:]]\n"
        "import hohhot_cli.cli.main as entry, os\n"
        "real_exit = os._exit\n"
        "def leave(status):\n"
        "    sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
        "    sys.stderr.flush()\n"
        "    real_exit(status)\n"
        "os._exit = leave\n"
        "entry.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == first.stdout
    modules = set(result.stderr.decode().rsplit("MODULES ", 1)[1].split())
    assert not modules & {"typer", "click", "rich", "hohhot_cli.model.facts", "hohhot_cli.cli.app", "json", "pathlib"}
    assert _answer_entries(tmp_path)[entry] > 0  # read, checked and marked used


def test_an_edit_that_keeps_size_and_time_is_seen(tmp_path: Path) -> None:
    """A fact file changed in place, its size and modification time put back, is answered afresh."""
    facts = tmp_path / "facts.toml"
    text = FIXTURE.read_text(encoding="utf-8")
    facts.write_text(text, encoding="utf-8")
    env = _environment(tmp_path / "cache", facts)
    args = ("metric", "gdp.total", "--json")
    before = _run(args, env)
    assert _run(args, env) == before  # replayed
    assert 228_000_000_000 in [o["value"] for o in json.loads(before.stdout)[0]["observations"]]
    assert text.count("value = 228_000_000_000") == 1
    edited = text.replace("value = 228_000_000_000", "value = 229_000_000_000")  # one digit, same size
    info = facts.stat()
    facts.write_text(edited, encoding="utf-8")
    os.utime(facts, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert facts.stat().st_size == info.st_size and facts.stat().st_mtime_ns == info.st_mtime_ns
    after = _run(args, env)
    assert after == _run(args, {**env, "HOHHOT_NO_CACHE": "1"})
    assert 229_000_000_000 in [o["value"] for o in json.loads(after.stdout)[0]["observations"]]
    assert _run(args, env) == after  # and the new answer replays


def test_a_damaged_answer_is_never_replayed(tmp_path: Path) -> None:
    env = _environment(tmp_path, FIXTURE)
    args = ("metric", "gdp", "--format", "csv")
    good = _run(args, env)
    (entry, _), = _answer_entries(tmp_path).items()
    path = tmp_path / "hohhot" / answers.DIRECTORY / entry
    data = bytearray(path.read_bytes())
    at = data.index(b"gdp.total", len(data) // 2)
    data[at] ^= 0x01  # one figure's id changed, the checksum left as it was
    path.write_bytes(bytes(data))
    assert _run(args, env) == good
    assert path.read_bytes() != bytes(data)  # removed, and stored again


def test_a_planted_answer_for_another_question_is_refused(tmp_path: Path) -> None:
    env = _environment(tmp_path, FIXTURE)
    gdp = _run(("metric", "gdp", "--json"), env)
    trade = _run(("metric", "trade", "--json"), env)
    directory = tmp_path / "hohhot" / answers.DIRECTORY
    entries = sorted(directory.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    entries[0].write_bytes(entries[1].read_bytes())  # gdp's entry now holds trade's answer, intact
    assert _run(("metric", "gdp", "--json"), env) == gdp
    assert _run(("metric", "trade", "--json"), env) == trade


def test_nothing_is_stored_with_the_caches_off(tmp_path: Path) -> None:
    env = _environment(tmp_path, FIXTURE)
    _run(("--no-cache", "metric", "gdp", "--json"), env)
    _run(("metric", "gdp", "--json", "--no-cache"), env)
    _run(("metric", "gdp", "--json"), {**env, "HOHHOT_NO_CACHE": "1"})
    assert _answer_entries(tmp_path) == {}


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "gdp"),  # a table
        ("metric", "gdp", "--format", "markdown"),
        ("validate", "--format", "json"),  # reads a file the answer cache does not check
        ("schema", "metric"),
        ("cite", "gdp.total"),
        ("metric", "gdp", "--json", "--help"),
        ("metric", "no-such-metric", "--json"),  # exit 1
    ],
)
def test_what_is_not_stored(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = _environment(tmp_path, FIXTURE)
    _run(args, env)
    assert _answer_entries(tmp_path) == {}


def test_terminal_output_is_never_a_question() -> None:
    leader, follower = os.openpty()
    try:
        with open(follower, "w", closefd=False) as terminal, open(os.devnull, "w") as devnull:
            assert answers.ask(["metric", "gdp", "--json"], {}, terminal, devnull) is None
            assert answers.ask(["metric", "gdp", "--json"], {}, devnull, devnull) is not None
    finally:
        os.close(leader)
        os.close(follower)


@pytest.mark.parametrize(
    "change",
    [
        lambda argv, env: (["metric", "gdp", "--format", "csv"], env),
        lambda argv, env: (argv, {**env, "COLUMNS": "81"}),
        lambda argv, env: (argv, {**env, "HOHHOT_CSV_RAW": "1"}),
        lambda argv, env: (argv, {**env, "LC_ALL": "C"}),
    ],
)
def test_the_key_follows_arguments_and_environment(change: object) -> None:
    with open(os.devnull, "w") as devnull:
        argv, env = ["metric", "gdp", "--json"], {"HOME": "/nowhere"}
        question = answers.ask(argv, env, devnull, devnull)
        other = answers.ask(*change(argv, env), devnull, devnull)  # type: ignore[operator]
    assert question is not None and other is not None
    assert question.key != other.key


def test_answers_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "MAX_ANSWERS", 3)
    with open(os.devnull, "w") as devnull:
        for number in range(6):
            question = answers.ask([str(number)], {"XDG_CACHE_HOME": str(tmp_path)}, devnull, devnull)
            assert question is not None
            answers.remember(question, [(1, f"answer {number}\n")], None, 0)
            os.utime(tmp_path / "hohhot" / answers.DIRECTORY / question.entry, ns=(number, number * 10**9))
    assert len(_answer_entries(tmp_path)) == 3


def test_version_and_help_never_load_the_fact_base(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.toml"
    env = _environment(tmp_path, missing)
    version = _run(("--version",), env)
    assert version.status == 0, version
    assert version.stdout.decode().startswith("hohhot ")
    for args in (("--help",), ("metric", "--help")):
        result = _run(args, env)
        assert result.status == 0, result
        assert b"Usage" in result.stdout
    assert _run(("metric", "gdp"), env).status == 1  # the base really is missing


def test_bundled_fact_file_is_named_in_the_answer(tmp_path: Path) -> None:
    """An answer from the bundled base is checked against the bundled file."""
    env = _environment(tmp_path, None)
    assert _run(("metric", "gdp", "--json"), env).status == 0
    (entry, _), = _answer_entries(tmp_path).items()
    data = (tmp_path / "hohhot" / answers.DIRECTORY / entry).read_bytes()
    assert os.fsencode(str(BUNDLED.resolve().name)) in data


def test_a_replay_to_a_full_disk_fails_as_the_full_run_does(tmp_path: Path) -> None:
    env = _environment(tmp_path, FIXTURE)
    args = ("metric", "gdp", "--json")
    assert _run(args, env).status == 0  # stored
    outcomes = []
    for extra in ({"HOHHOT_NO_CACHE": "1"}, {}):
        with open("/dev/full", "w") as full:
            result = subprocess.run([hohhot_executable(), *args], env={**env, **extra}, stdout=full,
                                    stderr=subprocess.PIPE, check=False)
        outcomes.append((result.returncode, result.stderr))
    message = b"hohhot: error: cannot write to standard output: No space left on device\n"
    assert outcomes[0] == outcomes[1] == (1, message)


def test_a_replay_to_a_reader_that_goes_away_ends_as_the_full_run_does(tmp_path: Path) -> None:
    """Quietly and with status 0, whenever the reader leaves, on a 400 KB answer."""
    env = _environment(tmp_path, None)
    args = ("metrics", "--format", "jsonl")
    assert _run(args, env).status == 0  # stored
    outcomes = []
    for extra in ({"HOHHOT_NO_CACHE": "1"}, {}):
        process = subprocess.Popen([hohhot_executable(), *args], env={**env, **extra}, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        outcomes.append((process.wait(timeout=60), process.stderr.read()))
    assert outcomes[0] == outcomes[1] == (0, b"")


def test_encodings_that_depend_on_what_came_before_are_not_replayed(tmp_path: Path) -> None:
    """UTF-16 and UTF-8 with a signature write a byte-order mark once per stream: pieces would each get one."""
    for encoding in ("utf-16", "utf-8-sig", "utf-32"):
        with open(tmp_path / "out", "w", encoding=encoding) as stream, open(os.devnull, "w") as devnull:
            assert answers.ask(["metric", "gdp", "--json"], {}, stream, devnull) is None
            assert answers.ask(["metric", "gdp", "--json"], {}, devnull, stream) is None


def test_a_package_file_that_cannot_be_read_turns_the_cache_off(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A dangling link or a file removed while the package is listed (an upgrade under way): no cache, no crash."""
    (tmp_path / "answers.py").write_text("", encoding="utf-8")
    (tmp_path / "zz.py").symlink_to(tmp_path / "missing.py")
    monkeypatch.setattr(answers, "__file__", str(tmp_path / "answers.py"))
    with open(os.devnull, "w") as devnull:
        assert answers.ask(["metric", "gdp", "--json"], {}, devnull, devnull) is None


def test_a_run_that_wrote_to_stderr_is_not_stored(tmp_path: Path) -> None:
    """A warning (an unsafe cache directory, say) belongs to its moment."""
    with open(os.devnull, "w") as devnull:
        question = answers.ask(["metric", "gdp", "--json"], {"XDG_CACHE_HOME": str(tmp_path)}, devnull, devnull)
        assert question is not None
        answers.remember(question, [(2, "hohhot: warning: ...\n"), (1, "[]\n")], None, 0)
        assert _answer_entries(tmp_path) == {}
        answers.remember(question, [(1, "[]\n")], None, 0)
        assert len(_answer_entries(tmp_path)) == 1
