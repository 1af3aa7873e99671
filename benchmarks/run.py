"""Time hohhot against minimal Typer programs, jq and sqlite3, side by side, and check every performance goal.

    .venv/bin/python benchmarks/run.py [--runs 21] [--cold-runs 3] [--sizes 100000,500000] [--quick]
                                       [--hohhot PATH] [--project-venv DIR] [--reference-venv DIR]
                                       [--basis wall|cpu] [--check]

Every command is run whole, as a user runs it (a new process, stdout to /dev/null),
``--runs`` times, interleaved round-robin so that machine noise hits all of them
alike; cold parses (an empty cache) run ``--cold-runs`` times each, after the others.
Each run gives its wall-clock time, its CPU time (user + system, from ``wait4``) and
its peak RSS. The report is Markdown on stdout (progress goes to stderr): the setting,
every command's medians, ratios and peaks, then the goals with PASS or FAIL. The
references are minimal Typer 0.28 programs in their own virtual environment, which
this script creates on first use (``python -m venv`` and ``pip install typer==0.28.0``)
and reuses afterwards, and, where installed, ``jq`` and ``sqlite3`` selecting the same
observations from the JSON and SQLite exports of the bundled base.

Three cache homes (``XDG_CACHE_HOME``) keep the cases apart: *repeated* lookups run
where every answer is cached after the warm-up; *first* lookups run where the parse
cache is warm but the answer cache (``hohhot/answers/``) is emptied before every run;
``--version``/``--help`` and cold parses run with a cache home emptied before every
run. The emptying is done by the spawning process just before the spawn, outside the
timed span.

Exit status: 0, or with ``--check`` 1 when a goal is missed; 2 when the benchmark
cannot run (no hohhot, no reference environment, a command that fails or prints
something unexpected).

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

TYPER_REQUIREMENT = "typer==0.28.0"
DEFAULT_REFERENCE_VENV = Path.home() / ".cache" / "hohhot-bench" / "typer028"
DEFAULT_PROJECT_VENV = Path.home() / ".cache" / "hohhot-bench" / "project"
DEFAULT_SIZES = (100_000, 500_000)
DEFAULT_RUNS, QUICK_RUNS = 21, 5
DEFAULT_COLD_RUNS, QUICK_COLD_RUNS = 3, 1
GROWTH_SEED = 1
MAX_FACT_FILE_BYTES = 64 * 1024 * 1024
"""The loader refuses larger fact files (``reading.MAX_FILE_BYTES``)."""
MAKE_FACTS = Path(__file__).resolve().with_name("make_facts.py")
REPO = Path(__file__).resolve().parent.parent

JQ_FILTER = '[.observations[] | select(.topic == "gdp")]'
"""The observations ``hohhot metric gdp`` shows (every metric of the topic ``gdp``), from ``export -f json``."""
SQLITE_QUERY = "select * from observations where topic = 'gdp'"
"""The same observations, from ``export -f sqlite``."""

# The goals. Ratios are medians divided by the baseline's median, of wall-clock time unless
# --basis cpu; cold parses are judged on CPU time (user + system) and peak RSS.
REPEATED_VS_A = 0.35
REPEATED_VS_JQ = 1.0  # strictly below
FIRST_VS_REFERENCE = 1.05
GROWTH_LIMITS = ((100_000, 1.3), (500_000, 1.5))
"""Growth goals by size (at most this many observations: ratio to the bundled base); larger sizes: info."""
GROWTH_PEAK_LIMIT = 1.5
"""Peak RSS of a first lookup of up to 100,000 observations, against the bundled base's."""
COLD_LIMITS = ((100_000, 1.5, None), (500_000, 10.0, 400 * 1024 * 1024))
"""Cold parse goals by size: (at most this many observations, CPU seconds, peak RSS bytes or None)."""
STARTUP_LIMIT, STARTUP_SLACK = 1.1, 0.005
"""--version/--help with a large --facts file: within 1.1x, or 5 ms, of the same with the bundled base."""
SLOW_WARM_UP_SECONDS = 2.0
"""A start-up command whose warm-up (empty cache) takes longer runs --cold-runs times, not --runs times."""

REFERENCE_JSON = '''\
"""Reference A: a minimal Typer command that prints one JSON line."""

import json

import typer

app = typer.Typer()


@app.command()
def main() -> None:
    print(json.dumps({"city": "Hohhot", "metric": "gdp.total", "value": 380000000000}))


if __name__ == "__main__":
    app()
'''

REFERENCE_TABLE = '''\
"""Reference B: a minimal Typer command that prints a one-row rich table."""

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def main() -> None:
    table = Table(title="Industries (1)")
    for column in ("Id", "Name", "Kind"):
        table.add_column(column)
    table.add_row("dairy", "Dairy 乳业", "pillar")
    Console().print(table)


if __name__ == "__main__":
    app()
'''

VERSIONS_PROBE = (
    "import platform, importlib.metadata as m\n"
    "found = []\n"
    "for name in ('typer', 'rich'):\n"
    "    try:\n"
    "        found.append(f'{name} {m.version(name)}')\n"
    "    except m.PackageNotFoundError:\n"
    "        found.append(f'no {name}')\n"
    "print(f'Python {platform.python_version()}, ' + ', '.join(found))\n"
)


# The process that starts every timed command. It is a bare interpreter (-I -S) importing
# nothing but builtins, because Linux counts a parent's peak RSS into the peak RSS of the
# children it starts (fork and vfork share or copy its pages until exec): started from
# this script, a small child would report this script's peak, not its own. Requests and
# replies are length-prefixed marshal data on its stdin and stdout. A request is
# (argv, env, stderr file, directory to empty or ""): the directory's contents are removed
# (without following links; the directory itself stays, a missing one is fine) before the
# clock starts. The reply is (wall seconds, CPU seconds, peak RSS, exit status, failure).
# An empty argv asks for the helper's own peak RSS, the floor under every figure it
# reports (a bare interpreter's, below that of any Python program it runs).
SPAWNER = """\
import marshal, os, resource, sys, time
read, write = sys.stdin.buffer.read, sys.stdout.buffer.write

def empty(path):
    try:
        with os.scandir(path) as found:
            entries = list(found)
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            empty(entry.path)
            os.rmdir(entry.path)
        else:
            os.unlink(entry.path)

while True:
    header = read(8)
    if len(header) < 8:
        break
    argv, env, errors, emptied = marshal.loads(read(int.from_bytes(header, "little")))
    if not argv:
        # Peak RSS of this process's own memory (VmHWM). getrusage would not do: it also
        # counts the peak it inherited from the process that started it.
        try:
            with open("/proc/self/status") as status:
                peak = int(status.read().split("VmHWM:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        reply = (0.0, 0.0, peak, 0, "")
    else:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        try:
            if emptied:
                empty(emptied)
        except OSError as error:
            reply = (0.0, 0.0, 0, 126, "cannot empty " + emptied + ": " + str(error))
        else:
            start = time.perf_counter()
            try:
                pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
            except OSError as error:
                reply = (0.0, 0.0, 0, 127, str(error))
            else:
                _, status, usage = os.wait4(pid, 0)
                wall = time.perf_counter() - start
                cpu = usage.ru_utime + usage.ru_stime
                reply = (wall, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status), "")
    data = marshal.dumps(reply)
    write(len(data).to_bytes(8, "little") + data)
    sys.stdout.buffer.flush()
"""


class BenchmarkError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass
class Command:
    """One command line to time, and what was measured."""

    key: str
    """A short name, for ratios ("A", "jq", "repeated gdp json")."""
    label: str
    """How the report names it (the command line, or what it is)."""
    argv: list[str]
    env: dict[str, str]
    versus: Command | None = None
    """The command its ratio column is taken against."""
    emptied: str = ""
    """A directory the spawner empties before each timed run ("" for none)."""
    expect_json: bool = False
    """Whether its output must parse as JSON (checked once, before timing)."""
    times: list[float] = field(default_factory=list)
    """Wall-clock seconds of the measured runs."""
    cpu: list[float] = field(default_factory=list)
    """CPU seconds (user + system) of the measured runs."""
    rss: list[int] = field(default_factory=list)
    """Peak resident set size of the measured runs, in bytes."""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median_rss(self) -> float:
        return statistics.median(self.rss)


@dataclass
class Goal:
    """One line of the goals table; ``passed`` None for a figure reported for information."""

    name: str
    measured: str
    baseline: str
    ratio: float | None
    cpu_ratio: float | None
    target: str
    passed: bool | None
    skipped: str = ""
    """Why the goal could not be measured (a reference not installed)."""

    @property
    def result(self) -> str:
        if self.skipped:
            return "skipped"
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "FAIL"


@dataclass
class Section:
    """A heading and the commands listed under it."""

    title: str
    commands: list[Command]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; return the exit status."""
    args = parse_args(argv)
    try:
        return benchmark(args)
    except BenchmarkError as error:
        print(f"run.py: error: {error}", file=sys.stderr)
        return 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time hohhot against minimal Typer programs, jq and sqlite3, and check every performance goal."
    )
    parser.add_argument("--runs", type=int, default=None,
                        help=f"measured runs of each fast command (default {DEFAULT_RUNS}; {QUICK_RUNS} with --quick)")
    parser.add_argument("--cold-runs", type=int, default=None,
                        help=f"cold parses of each growth base (default {DEFAULT_COLD_RUNS};"
                             f" {QUICK_COLD_RUNS} with --quick)")
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES,
                        help="observations in the generated growth bases, comma-separated"
                             f" (default {','.join(str(size) for size in DEFAULT_SIZES)})")
    parser.add_argument("--quick", action="store_true",
                        help=f"fewer runs for development (--runs {QUICK_RUNS} --cold-runs {QUICK_COLD_RUNS})")
    parser.add_argument("--basis", choices=("wall", "cpu"), default="wall",
                        help="judge the time ratios on wall-clock (default) or CPU time; cold parses are"
                             " always judged on CPU time")
    parser.add_argument(
        "--hohhot", type=Path, default=None,
        help="the hohhot executable to measure (default: this checkout, installed as a user would install it,"
             " with pip into --project-venv)",
    )
    parser.add_argument("--project-venv", type=Path, default=DEFAULT_PROJECT_VENV,
                        help=f"virtual environment this checkout is installed into (default {DEFAULT_PROJECT_VENV})")
    parser.add_argument(
        "--reference-venv", type=Path, default=DEFAULT_REFERENCE_VENV,
        help=f"virtual environment of the Typer references, made when missing (default {DEFAULT_REFERENCE_VENV})",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else DEFAULT_RUNS
    if args.cold_runs is None:
        args.cold_runs = QUICK_COLD_RUNS if args.quick else DEFAULT_COLD_RUNS
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.cold_runs < 1:
        parser.error("--cold-runs must be at least 1")
    return args


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("give at least one size, each at least 1")
    return sizes


def benchmark(args: argparse.Namespace) -> int:
    # Installed as users install it (a built wheel, bytecode compiled by pip), like the references:
    # an editable checkout may run from source without .pyc files and measure compilation instead.
    hohhot = (args.hohhot or install_project(args.project_venv.expanduser().absolute())).expanduser().absolute()
    if not (hohhot.is_file() and os.access(hohhot, os.X_OK)):
        raise BenchmarkError(f"no hohhot executable at {hohhot}"
                             " (run this with the project's venv python, or give --hohhot)")
    venv = args.reference_venv.expanduser().absolute()
    reference_python = ensure_reference_venv(venv)
    jq, sqlite3 = shutil.which("jq"), shutil.which("sqlite3")
    sizes: tuple[int, ...] = args.sizes
    load_before = load_average()

    with tempfile.TemporaryDirectory(prefix="hohhot-bench-") as scratch:
        workdir = Path(scratch)
        common = base_environment()
        homes = {name: workdir / f"cache-{name}" for name in ("repeated", "first", "startup", "cold")}
        for home in homes.values():
            home.mkdir(mode=0o700)
        env = {name: {**common, "XDG_CACHE_HOME": str(home)} for name, home in homes.items()}
        answers = str(homes["first"] / "hohhot" / "answers")

        progress(f"generating the growth fact bases ({', '.join(f'{size:,}' for size in sizes)} observations)")
        growth_files = {size: make_facts(size, workdir / f"facts-{size}.toml") for size in sizes}
        largest = growth_files[sizes[-1]]

        def hohhot_command(key: str, label: str, arguments: list[str], home: str, versus: Command | None = None,
                           emptied: str = "", expect_json: bool = False) -> Command:
            return Command(key, label, [str(hohhot), *arguments], env[home], versus, emptied, expect_json)

        # References.
        ref_json = Command("A", "A: reference, Typer 0.28, one JSON line",
                           [str(reference_python), str(venv / "ref_json.py")], common, expect_json=True)
        ref_table = Command("B", "B: reference, Typer 0.28, one-row rich table",
                            [str(reference_python), str(venv / "ref_table.py")], common)
        references = [ref_json, ref_table]
        ref_jq = ref_sqlite = None
        if jq or sqlite3:
            progress("exporting the bundled base for jq and sqlite3")
        if jq:
            export = export_bundled(hohhot, env["repeated"], "json", workdir / "export.json")
            ref_jq = Command("jq", f"jq '{JQ_FILTER}' <export.json>", [jq, JQ_FILTER, str(export)], common,
                             ref_json, expect_json=True)
            references.append(ref_jq)
        if sqlite3:
            export = export_bundled(hohhot, env["repeated"], "sqlite", workdir / "export.sqlite")
            ref_sqlite = Command("sqlite3", f'sqlite3 -json <export.sqlite> "{SQLITE_QUERY}"',
                                 [sqlite3, "-json", str(export), SQLITE_QUERY], common, ref_json, expect_json=True)
            references.append(ref_sqlite)

        # Repeated lookups: the warm-up run of each fills the answer cache.
        gdp = hohhot_command("repeated gdp json", "hohhot metric gdp --json", ["metric", "gdp", "--json"],
                             "repeated", ref_json, expect_json=True)
        gdp_jsonl = hohhot_command("repeated gdp jsonl", "hohhot metric gdp --format jsonl",
                                   ["metric", "gdp", "--format", "jsonl"], "repeated", ref_json)
        gdp_csv = hohhot_command("repeated gdp csv", "hohhot metric gdp --format csv",
                                 ["metric", "gdp", "--format", "csv"], "repeated", ref_json)
        metrics = hohhot_command("metrics json", "hohhot metrics --json", ["metrics", "--json"], "repeated",
                                 expect_json=True)
        search = hohhot_command("search json", "hohhot search gdp --json", ["search", "gdp", "--json"], "repeated",
                                expect_json=True)
        repeated = [gdp, gdp_jsonl, gdp_csv]

        # First lookups: parse cache warm, answers emptied before every run.
        first_gdp = hohhot_command("first gdp json", "hohhot metric gdp --json (first lookup)",
                                   ["metric", "gdp", "--json"], "first", ref_json, answers, expect_json=True)
        first_industries = hohhot_command("first industries", "hohhot industries (first lookup)", ["industries"],
                                          "first", ref_table, answers)
        first = [first_gdp, first_industries]

        # Growth.
        growth_repeated: dict[int, Command] = {}
        growth_first: dict[int, Command] = {}
        growth_metrics: dict[int, Command] = {}
        growth_search: dict[int, Command] = {}
        for size, path in growth_files.items():
            name = f"<{size_name(size)}>"
            facts = ["--facts", str(path)]
            growth_repeated[size] = hohhot_command(
                f"repeated {size_name(size)}", f"hohhot --facts {name} metric gdp --json",
                [*facts, "metric", "gdp", "--json"], "repeated", gdp, expect_json=True)
            growth_first[size] = hohhot_command(
                f"first {size_name(size)}", f"hohhot --facts {name} metric gdp --json (first lookup)",
                [*facts, "metric", "gdp", "--json"], "first", first_gdp, answers, expect_json=True)
            growth_metrics[size] = hohhot_command(
                f"metrics {size_name(size)}", f"hohhot --facts {name} metrics --json",
                [*facts, "metrics", "--json"], "repeated", metrics, expect_json=True)
            growth_search[size] = hohhot_command(
                f"search {size_name(size)}", f"hohhot --facts {name} search gdp --json",
                [*facts, "search", "gdp", "--json"], "repeated", search, expect_json=True)

        # Start-up: the whole cache home emptied before every run.
        startup_home = str(homes["startup"])
        version = hohhot_command("version", "hohhot --version", ["--version"], "startup", ref_json, startup_home)
        help_ = hohhot_command("help", "hohhot --help", ["--help"], "startup", ref_json, startup_home)
        big = f"<{size_name(sizes[-1])}>"
        version_big = hohhot_command(f"version {size_name(sizes[-1])}", f"hohhot --facts {big} --version",
                                     ["--facts", str(largest), "--version"], "startup", version, startup_home)
        help_big = hohhot_command(f"help {size_name(sizes[-1])}", f"hohhot --facts {big} --help",
                                  ["--facts", str(largest), "--help"], "startup", help_, startup_home)
        startup = [version, help_, version_big, help_big]

        # Cold parses: the whole cache home emptied before every run.
        cold = {
            size: hohhot_command(f"cold {size_name(size)}", f"hohhot --facts <{size_name(size)}> metric gdp --json"
                                 " (empty cache)", ["--facts", str(path), "metric", "gdp", "--json"], "cold",
                                 None, str(homes["cold"]))
            for size, path in growth_files.items()
        }

        sections = [
            Section("References", references),
            Section("Repeated lookups (answer cache hit), bundled base", repeated),
            Section("First lookups (answers emptied, parse cache warm), bundled base", first),
            Section("Growth: repeated lookups",
                    [*growth_repeated.values()]),
            Section("Growth: first lookups", [*growth_first.values()]),
            Section("Growth: commands that read everything (info; growth bases run --cold-runs times)",
                    [metrics, *growth_metrics.values(), search, *growth_search.values()]),
            Section("Start-up: --version and --help (empty cache)", startup),
            Section("Cold parse (empty XDG_CACHE_HOME for every run)", list(cold.values())),
        ]
        # Reading a whole large base takes seconds to a minute (and GBs for `metrics --json`):
        # those run --cold-runs times, with the cold parses, after the fast rounds.
        slow = [*cold.values(), *growth_metrics.values(), *growth_search.values()]
        fast = [command for section in sections for command in section.commands if command not in slow]

        with Spawner(workdir) as spawner:
            # Warm the OS caches and each cache home, and check every command's output once.
            progress("warm-up and output check (parses each growth base once: may take a minute)")
            # The slow ones are not: their output may be hundreds of MB, and the growth lookups
            # below have already put each base in the parse cache they use.
            for command in [*references, *repeated, metrics, search, *growth_repeated.values()]:
                progress(f"  {command.label}")
                check_output(command)
            # The first-lookup home gets the parse cache entries the warm-up made, not a second parse.
            copy_parse_cache(homes["repeated"], homes["first"])
            for command in first + list(growth_first.values()):
                progress(f"  {command.label}")
                check_output(command)
            slow_startup: dict[str, float] = {}
            for command in startup:
                progress(f"  {command.label}")
                empty_directory(homes["startup"])
                started = time.perf_counter()
                check_output(command)
                took = time.perf_counter() - started
                # One that loads a large base takes seconds each run (the goal is missed anyway):
                # it runs --cold-runs times with the slow ones rather than --runs times.
                if took > SLOW_WARM_UP_SECONDS:
                    slow_startup[command.label] = took
                    fast.remove(command)
                    slow.append(command)
            check_selection(gdp, ref_jq, ref_sqlite)

            for round_number in range(args.runs):
                progress(f"round {round_number + 1} of {args.runs} ({len(fast)} commands)")
                # Round-robin, starting one command further each round so that no command
                # always follows the same one.
                shift = round_number % len(fast)
                for command in fast[shift:] + fast[:shift]:
                    spawner.measure(command)

            for round_number in range(args.cold_runs):
                shift = round_number % len(slow)
                for command in slow[shift:] + slow[:shift]:
                    progress(f"slow round {round_number + 1} of {args.cold_runs}: {command.label}")
                    spawner.measure(command)
            floor = spawner.own_peak()
        answer_entries = count_files(homes["repeated"] / "hohhot" / "answers")
        file_sizes = {size: path.stat().st_size for size, path in growth_files.items()}

    cpu_basis = args.basis == "cpu"

    def ratio(name: str, measured: Command, baseline: Command, limit: float | None, strict: bool = False,
              slack: float = 0.0) -> Goal:
        value = measured.median_cpu if cpu_basis else measured.median
        base = baseline.median_cpu if cpu_basis else baseline.median
        quotient = value / base
        cpu_quotient = measured.median_cpu / baseline.median_cpu
        if limit is None:
            passed, target = None, "–"
        else:
            within = quotient < limit if strict else quotient <= limit
            passed = within or (slack > 0 and value - base <= slack)
            target = f"{'<' if strict else '≤'} {limit:.2f}" + (f" or +{slack * 1000:g} ms" if slack else "")
        return Goal(name, ms(value), ms(base), quotient, cpu_quotient, target, passed)

    def peak(name: str, measured: Command, baseline: Command, limit: float | None) -> Goal:
        quotient = measured.median_rss / baseline.median_rss
        passed = None if limit is None else quotient <= limit
        target = "–" if limit is None else f"≤ {limit:.2f}"
        return Goal(name, mib(measured.median_rss), mib(baseline.median_rss), quotient, None, target, passed)

    def missing(name: str, what: str) -> Goal:
        return Goal(name, "–", "–", None, None, "–", None, skipped=f"{what} not installed")

    goals = [
        ratio(f"Repeated: `{gdp.label}` vs A", gdp, ref_json, REPEATED_VS_A),
        ratio(f"Repeated: `{gdp.label}` vs jq", gdp, ref_jq, REPEATED_VS_JQ, strict=True) if ref_jq
        else missing(f"Repeated: `{gdp.label}` vs jq", "jq"),
        ratio(f"Repeated: `{gdp_jsonl.label}` vs A", gdp_jsonl, ref_json, REPEATED_VS_A),
        ratio(f"Repeated: `{gdp_csv.label}` vs A", gdp_csv, ref_json, REPEATED_VS_A),
        ratio(f"Repeated: `{gdp.label}` vs sqlite3", gdp, ref_sqlite, None) if ref_sqlite
        else missing(f"Repeated: `{gdp.label}` vs sqlite3", "sqlite3"),
        ratio("First lookup: `hohhot metric gdp --json` vs A", first_gdp, ref_json, FIRST_VS_REFERENCE),
        ratio("First lookup: `hohhot industries` vs B", first_industries, ref_table, FIRST_VS_REFERENCE),
    ]
    for size in sizes:
        limit = size_limit(size)
        goals += [
            # Information only: a replayed answer reads and hashes the whole fact file on every
            # hit (its exactness rule), so it grows with the file; the growth goal is the lookup's.
            ratio(f"Growth: {size:,} observations, repeated lookup vs bundled base", growth_repeated[size], gdp,
                  None),
            ratio(f"Growth: {size:,} observations, first lookup vs bundled base", growth_first[size], first_gdp,
                  limit),
            peak(f"Growth: {size:,} observations, first lookup peak RSS vs bundled base", growth_first[size],
                 first_gdp, GROWTH_PEAK_LIMIT if size <= GROWTH_LIMITS[0][0] else None),
            peak(f"Growth: {size:,} observations, repeated lookup peak RSS vs bundled base",
                 growth_repeated[size], gdp, None),
            ratio(f"Growth: {size:,} observations, `metrics --json` vs bundled base", growth_metrics[size], metrics,
                  None),
            ratio(f"Growth: {size:,} observations, `search gdp --json` vs bundled base", growth_search[size],
                  search, None),
        ]
    for size, command in cold.items():
        cpu_limit, rss_limit = cold_limits(size)
        name = f"Cold parse: {size:,} observations"
        goals.append(Goal(f"{name}, CPU time", seconds(command.median_cpu), "–", None, None,
                          "–" if cpu_limit is None else f"≤ {cpu_limit:g} s",
                          None if cpu_limit is None else command.median_cpu <= cpu_limit))
        goals.append(Goal(f"{name}, peak RSS", mib(command.median_rss), "–", None, None,
                          "–" if rss_limit is None else f"≤ {mib(rss_limit)}",
                          None if rss_limit is None else command.median_rss <= rss_limit))
    goals += [
        ratio(f"Start-up: `{version_big.label}` vs `{version.label}`", version_big, version, STARTUP_LIMIT,
              slack=STARTUP_SLACK),
        ratio(f"Start-up: `{help_big.label}` vs `{help_.label}`", help_big, help_, STARTUP_LIMIT,
              slack=STARTUP_SLACK),
        ratio(f"Start-up: `{version_big.label}` vs A", version_big, ref_json, None),
        ratio(f"Start-up: `{help_big.label}` vs A", help_big, ref_json, None),
    ]

    setting = Setting(
        runs=args.runs, cold_runs=args.cold_runs, basis=args.basis, hohhot=hohhot, venv=venv,
        reference_python=reference_python, jq=jq, sqlite3=sqlite3, file_sizes=file_sizes, floor=floor,
        answer_entries=answer_entries, load=(load_before, load_average()), slow_startup=slow_startup,
    )
    print(report(setting, sections, goals))
    failed = [goal for goal in goals if goal.passed is False]
    return 1 if args.check and failed else 0


def size_name(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def size_limit(size: int) -> float | None:
    return next((limit for most, limit in GROWTH_LIMITS if size <= most), None)


def cold_limits(size: int) -> tuple[float | None, int | None]:
    return next(((cpu, rss) for most, cpu, rss in COLD_LIMITS if size <= most), (None, None))


# -- the reference environment --------------------------------------------------


def ensure_reference_venv(venv: Path) -> Path:
    """The reference venv's python, with Typer 0.28 installed and the reference scripts written."""
    python, _ = create_venv(venv, "the reference virtual environment")
    if not has_typer_028(python):
        progress(f"installing {TYPER_REQUIREMENT} into {venv}")
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               TYPER_REQUIREMENT]
        setup(pip, "pip install")
        if not has_typer_028(python):
            raise BenchmarkError(f"{TYPER_REQUIREMENT} is still not importable in {venv}")
    for name, text in (("ref_json.py", REFERENCE_JSON), ("ref_table.py", REFERENCE_TABLE)):
        script = venv / name
        if not script.is_file() or script.read_text(encoding="utf-8") != text:
            script.write_text(text, encoding="utf-8")
    return python


def install_project(venv: Path) -> Path:
    """This checkout, installed (not editable) with its `fast` extra into its own venv; the path of its hohhot."""
    python, _ = create_venv(venv, "the project's virtual environment")
    # With the `fast` extra (rtoml), as one would install it for large bases; its dependencies
    # first, then the checkout itself afresh.
    setup([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{REPO}[fast]"],
          "pip install")
    progress(f"installing this checkout into {venv}")
    setup([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--force-reinstall",
           "--no-deps", str(REPO)], "pip install")
    return venv / "bin" / "hohhot"


def create_venv(venv: Path, what: str) -> tuple[Path, bool]:
    """The venv's python, and whether the venv had to be created first."""
    python = venv / "bin" / "python"
    if python.exists():
        return python, False
    progress(f"creating {what} {venv}")
    venv.parent.mkdir(parents=True, exist_ok=True)
    setup([sys.executable, "-m", "venv", str(venv)], "python -m venv")
    return python, True


def has_typer_028(python: Path) -> bool:
    probe = "import importlib.metadata as m, rich, typer; print(m.version('typer'))"
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    return result.returncode == 0 and result.stdout.strip() == TYPER_REQUIREMENT.split("==")[1]


def setup(argv: list[str], what: str) -> None:
    # Output goes to stderr, so that stdout carries the report only.
    result = subprocess.run(argv, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if result.returncode != 0:
        raise BenchmarkError(f"{what} failed with status {result.returncode}: {' '.join(argv)}")


# -- inputs ---------------------------------------------------------------------


def base_environment() -> dict[str, str]:
    """This process's environment, made the same for every command (plain output, 80 columns)."""
    env = dict(os.environ)
    for name in ("HOHHOT_FACTS", "HOHHOT_NO_CACHE", "FORCE_COLOR", "XDG_CACHE_HOME"):
        env.pop(name, None)
    env.update({"NO_COLOR": "1", "COLUMNS": "80"})
    return env


def make_facts(size: int, path: Path) -> Path:
    argv = [sys.executable, str(MAKE_FACTS), "--observations", str(size), "--output", str(path),
            "--seed", str(GROWTH_SEED)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchmarkError(f"make_facts.py failed for {size} observations: {result.stderr.strip()}")
    if path.stat().st_size > MAX_FACT_FILE_BYTES:
        raise BenchmarkError(f"{size:,} observations make {mib(path.stat().st_size)}, over the loader's 64 MiB"
                             " limit for fact files: give --sizes with a smaller one")
    return path


def export_bundled(hohhot: Path, env: dict[str, str], kind: str, path: Path) -> Path:
    """The bundled base exported by ``hohhot export -f KIND``, the input of a jq or sqlite3 reference."""
    argv = [str(hohhot), "export", "-f", kind, "-o", str(path)]
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not path.is_file():
        raise BenchmarkError(f"hohhot export -f {kind} failed with status {result.returncode}:"
                             f" {result.stderr.strip()}")
    return path


def copy_parse_cache(source: Path, target: Path) -> None:
    """Copy the parse cache entries (``hohhot/*.entry``) of one cache home into another."""
    directory = target / "hohhot"
    directory.mkdir(mode=0o700, exist_ok=True)
    for entry in sorted((source / "hohhot").glob("*.entry")):
        shutil.copyfile(entry, directory / entry.name)
        os.chmod(directory / entry.name, 0o600)


def empty_directory(directory: Path) -> None:
    """Remove everything in a directory (not following links), keeping the directory."""
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def count_files(directory: Path) -> int | None:
    """Files under a directory, or None when it does not exist."""
    if not directory.is_dir():
        return None
    return sum(len(files) for _, _, files in os.walk(directory))


# -- running commands -----------------------------------------------------------


class Spawner:
    """Runs commands whole from a lean helper process (see SPAWNER) and measures them."""

    def __init__(self, scratch: Path) -> None:
        self.errors = scratch / "stderr.txt"
        self.process = subprocess.Popen([sys.executable, "-I", "-S", "-c", SPAWNER],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __enter__(self) -> Spawner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()

    def _ask(self, request: tuple[list[str], dict[str, str], str, str]) -> tuple[float, float, int, int, str]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        data = marshal.dumps(request)
        try:
            stdin.write(len(data).to_bytes(8, "little") + data)
            stdin.flush()
            header = stdout.read(8)
            reply: tuple[float, float, int, int, str] = marshal.loads(
                stdout.read(int.from_bytes(header, "little")))
        except (OSError, EOFError, ValueError) as error:
            raise BenchmarkError(f"the spawner process failed: {error}") from None
        return reply

    def measure(self, command: Command) -> None:
        """Run the command, stdout to /dev/null, and add its wall time, CPU time and peak RSS.

        The directory ``command.emptied`` is emptied first, before the clock starts; the time
        runs from just before the spawn to the end of ``os.wait4``, which also gives the
        child's CPU time and peak RSS.
        """
        wall, cpu, peak, status, failure = self._ask((command.argv, command.env, str(self.errors), command.emptied))
        if status != 0:
            message = failure or self.errors.read_text(encoding="utf-8", errors="replace").strip()
            raise BenchmarkError(f"{command.label} exited with status {status}: {message}")
        command.times.append(wall)
        command.cpu.append(cpu)
        command.rss.append(max_rss_bytes(peak))

    def own_peak(self) -> int:
        """The spawner's own peak RSS in bytes: no child can report less."""
        return max_rss_bytes(self._ask(([], {}, "", ""))[2])


def check_output(command: Command) -> str:
    """Run the command once with its output captured; fail unless it succeeds with sensible output."""
    result = subprocess.run(command.argv, env=command.env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip()
        raise BenchmarkError(f"{command.label} exited with status {result.returncode}: {message}")
    if not result.stdout.strip():
        raise BenchmarkError(f"{command.label} printed nothing")
    if command.expect_json:
        try:
            json.loads(result.stdout)
        except ValueError as error:
            raise BenchmarkError(f"{command.label} did not print JSON: {error}") from None
    return result.stdout


def check_selection(gdp: Command, *references: Command | None) -> None:
    """Fail unless jq and sqlite3 select as many observations as ``hohhot metric gdp`` shows."""
    shown = json.loads(check_output(gdp))
    expected = sum(len(metric["observations"]) for metric in shown)
    for reference in references:
        if reference is None:
            continue
        selected = json.loads(check_output(reference))
        if not isinstance(selected, list) or len(selected) != expected:
            count = len(selected) if isinstance(selected, list) else "no list of"
            raise BenchmarkError(f"{reference.label} selects {count} observations where"
                                 f" `{gdp.label}` shows {expected}: the reference no longer asks the same question")


def max_rss_bytes(value: int) -> int:
    """``ru_maxrss`` in bytes: Linux reports KiB, macOS bytes."""
    return value if sys.platform == "darwin" else value * 1024


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def describe(python: str) -> str:
    """Python, Typer and rich versions of an interpreter, or why they are unknown."""
    try:
        result = subprocess.run([python, "-c", VERSIONS_PROBE], capture_output=True, text=True, check=False,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def tool_version(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    words = result.stdout.split()
    return " ".join(words[:2]) if result.returncode == 0 and words else "unknown"


def interpreter_of(script: Path) -> str | None:
    """The interpreter named on a script's ``#!`` line, if it has one."""
    try:
        with open(script, "rb") as handle:
            first = handle.readline(1024)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return words[0] if words else None


# -- the report -----------------------------------------------------------------


@dataclass
class Setting:
    """What the report says about how it was measured."""

    runs: int
    cold_runs: int
    basis: str
    hohhot: Path
    venv: Path
    reference_python: Path
    jq: str | None
    sqlite3: str | None
    file_sizes: dict[int, int]
    floor: int
    answer_entries: int | None
    load: tuple[str, str]
    slow_startup: dict[str, float]


def report(setting: Setting, sections: list[Section], goals: list[Goal]) -> str:
    """The Markdown report: the setting, every command's figures, then the goals."""
    interpreter = interpreter_of(setting.hohhot)
    jq = f"`{setting.jq}` ({tool_version([setting.jq, '--version'])})" if setting.jq else "not installed"
    sqlite3 = (f"`{setting.sqlite3}` ({tool_version([setting.sqlite3, '--version'])})" if setting.sqlite3
               else "not installed")
    bases = ", ".join(f"{size:,} observations ({mib(nbytes)})" for size, nbytes in setting.file_sizes.items())
    answers = ("none (no `hohhot/answers/` directory)" if setting.answer_entries is None
               else f"{setting.answer_entries} files in `hohhot/answers/`")
    lines = [
        "## hohhot benchmark",
        "",
        f"- Runner: Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; load average "
        f"{setting.load[0]} before, {setting.load[1]} after",
        f"- hohhot: `{setting.hohhot}` ({describe(interpreter) if interpreter else 'interpreter unknown'})",
        f"- References: `{setting.venv}` ({describe(str(setting.reference_python))}); jq {jq}; sqlite3 {sqlite3}",
        f"- {setting.runs} measured runs of each command, interleaved round-robin, after one warm-up run that "
        f"checks its output; cold parses and whole-base reads of the growth bases {setting.cold_runs} "
        f"run{'s' if setting.cold_runs != 1 else ''} each, after the others; stdout to /dev/null; "
        "NO_COLOR=1, COLUMNS=80",
        f"- Growth bases from `make_facts.py --seed {GROWTH_SEED}`: {bases}",
        "- Cache homes: repeated lookups share one, warmed up; first lookups another, its `hohhot/answers/` "
        "emptied before every run (parse cache kept); start-up and cold parses one emptied before every run",
        f"- Answer cache after the repeated lookups: {answers}",
        f"- Time ratios judged on {'CPU' if setting.basis == 'cpu' else 'wall-clock'} time"
        " (cold parses on CPU time); CPU = user + system of the child, from `wait4`",
        f"- Peak RSS floor (the spawning process's own peak, counted into each child's): {mib(setting.floor)}",
    ]
    for label, took in setting.slow_startup.items():
        lines.append(f"- `{label}` took {took:.1f} s in its warm-up (it loads the fact base): it ran "
                     f"{setting.cold_runs} time{'s' if setting.cold_runs != 1 else ''}, with the slow ones")
    for section in sections:
        lines += [
            "",
            f"### {section.title}",
            "",
            "| Command | Runs | Wall median | Min | Max | CPU median | Ratio (wall) | Peak RSS median | Peak RSS max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for command in section.commands:
            versus = command.versus
            ratio = f"{command.median / versus.median:.2f} × {versus.key}" if versus else "–"
            lines.append(
                f"| `{cell(command.label)}` | {len(command.times)} | {ms(command.median)} | {ms(min(command.times))} "
                f"| {ms(max(command.times))} "
                f"| {ms(command.median_cpu)} | {ratio} | {mib(command.median_rss)} | {mib(max(command.rss))} |"
            )
    lines += [
        "",
        "### Goals",
        "",
        "| Goal | Measured | Baseline | Ratio | CPU ratio | Target | Result |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for goal in goals:
        ratio = f"{goal.ratio:.2f}" if goal.ratio is not None else "–"
        cpu_ratio = f"{goal.cpu_ratio:.2f}" if goal.cpu_ratio is not None else "–"
        result = f"skipped ({goal.skipped})" if goal.skipped else goal.result
        lines.append(f"| {cell(goal.name)} | {goal.measured} | {goal.baseline} | {ratio} | {cpu_ratio} | {goal.target} "
                     f"| {result} |")
    checked = [goal for goal in goals if goal.passed is not None]
    met = sum(bool(goal.passed) for goal in checked)
    lines += ["", f"Goals met: {met} of {len(checked)}."]
    return "\n".join(lines)


def cell(text: str) -> str:
    """Text for a Markdown table cell: a ``|``, even in code, would end the cell."""
    return text.replace("|", "\\|")


def ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def mib(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
