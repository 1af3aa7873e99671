"""Time hohhot against minimal Typer programs, side by side, and check the performance goals.

    .venv/bin/python benchmarks/run.py [--runs 21] [--hohhot PATH] [--reference-venv DIR] [--check]

Every command is run whole, as a user runs it (a new process, stdout to /dev/null),
``--runs`` times, interleaved round-robin so that machine noise hits all of them
alike; the report is a Markdown table of medians and ratios on stdout (progress
goes to stderr). The references are minimal Typer 0.28 programs in their own
virtual environment, which this script creates on first use (``python -m venv``
and ``pip install typer==0.28.0``) and reuses afterwards.

Exit status: 0, or with ``--check`` 1 when a goal is missed; 2 when the benchmark
cannot run (no hohhot, no reference environment, a command that fails).

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TYPER_REQUIREMENT = "typer==0.28.0"
DEFAULT_REFERENCE_VENV = Path.home() / ".cache" / "hohhot-bench" / "typer028"
GROWTH_SIZES = (10_000, 100_000)
GROWTH_SEED = 1
MAKE_FACTS = Path(__file__).resolve().with_name("make_facts.py")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROJECT_VENV = Path.home() / ".cache" / "hohhot-bench" / "project"

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
# replies are length-prefixed marshal data on its stdin and stdout; an empty argv asks
# for the helper's own peak RSS, the floor under every figure it reports (a bare
# interpreter's, below that of any Python program it runs).
SPAWNER = """\
import marshal, os, resource, sys, time
read, write = sys.stdin.buffer.read, sys.stdout.buffer.write
while True:
    header = read(8)
    if len(header) < 8:
        break
    argv, env, errors = marshal.loads(read(int.from_bytes(header, "little")))
    if not argv:
        # Peak RSS of this process's own memory (VmHWM). getrusage would not do: it also
        # counts the peak it inherited from the process that started it.
        try:
            with open("/proc/self/status") as status:
                peak = int(status.read().split("VmHWM:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        reply = (0.0, peak, 0, "")
    else:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        start = time.perf_counter()
        try:
            pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        except OSError as error:
            reply = (0.0, 0, 127, str(error))
        else:
            _, status, usage = os.wait4(pid, 0)
            reply = (time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status), "")
    data = marshal.dumps(reply)
    write(len(data).to_bytes(8, "little") + data)
    sys.stdout.buffer.flush()
"""


class BenchmarkError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass
class Command:
    """One command line to time, and what was measured."""

    label: str
    """How the report names it."""
    argv: list[str]
    env: dict[str, str]
    expect_json: bool = False
    """Whether its output must parse as JSON (checked once, before timing)."""
    first: float | None = None
    """The very first run's wall-clock seconds, when it is reported apart (cold cache)."""
    times: list[float] = field(default_factory=list)
    """Wall-clock seconds of the measured (warm) runs."""
    rss: list[int] = field(default_factory=list)
    """Peak resident set size of the measured runs, in bytes."""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_rss(self) -> float:
        return statistics.median(self.rss)


@dataclass
class Goal:
    """A ratio to keep at or under a limit (limit None: reported for information only)."""

    name: str
    measured: str
    baseline: str
    ratio: float
    limit: float | None

    @property
    def passed(self) -> bool:
        return self.limit is None or self.ratio <= self.limit


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; return the exit status."""
    args = parse_args(argv)
    try:
        return benchmark(args)
    except BenchmarkError as error:
        print(f"run.py: error: {error}", file=sys.stderr)
        return 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time hohhot against minimal Typer programs.")
    parser.add_argument("--runs", type=int, default=21, help="measured runs of each command (default 21)")
    parser.add_argument(
        "--hohhot", type=Path, default=None,
        help="the hohhot executable to measure (default: this checkout, installed as a user would install it,"
             f" with pip into {DEFAULT_PROJECT_VENV})",
    )
    parser.add_argument(
        "--reference-venv", type=Path, default=DEFAULT_REFERENCE_VENV,
        help=f"virtual environment of the Typer references, made when missing"
             f" (default {DEFAULT_REFERENCE_VENV})",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def benchmark(args: argparse.Namespace) -> int:
    # Installed as users install it (a built wheel, bytecode compiled by pip), like the references:
    # an editable checkout may run from source without .pyc files and measure compilation instead.
    hohhot = (args.hohhot or install_project(DEFAULT_PROJECT_VENV)).expanduser().absolute()
    if not (hohhot.is_file() and os.access(hohhot, os.X_OK)):
        raise BenchmarkError(f"no hohhot executable at {hohhot}"
                             " (run this with the project's venv python, or give --hohhot)")
    venv = args.reference_venv.expanduser().absolute()
    reference_python = ensure_reference_venv(venv)

    with tempfile.TemporaryDirectory(prefix="hohhot-bench-") as scratch:
        workdir = Path(scratch)
        cache_home = workdir / "xdg-cache"  # fresh per run of this script: any parse cache starts cold
        cache_home.mkdir()
        common = base_environment()
        hohhot_env = {**common, "XDG_CACHE_HOME": str(cache_home)}

        progress("generating the growth fact bases")
        growth_files = {size: make_facts(size, workdir / f"facts-{size}.toml") for size in GROWTH_SIZES}

        ref_json = Command("A: reference, Typer 0.28, one JSON line",
                           [str(reference_python), str(venv / "ref_json.py")], common, expect_json=True)
        ref_table = Command("B: reference, Typer 0.28, one-row rich table",
                            [str(reference_python), str(venv / "ref_table.py")], common)
        gdp = Command("hohhot metric gdp --json", [str(hohhot), "metric", "gdp", "--json"], hohhot_env,
                      expect_json=True)
        industries = Command("hohhot industries", [str(hohhot), "industries"], hohhot_env)
        growth = {
            size: Command(f"hohhot --facts <{size // 1000}k observations> metric gdp --json",
                          [str(hohhot), "--facts", str(path), "metric", "gdp", "--json"], hohhot_env,
                          expect_json=True)
            for size, path in growth_files.items()
        }
        commands = [ref_json, ref_table, gdp, industries, *growth.values()]

        with Spawner(workdir) as spawner:
            # Warm the OS caches and check every command once, except the growth ones, whose
            # first run is reported apart: it meets an empty XDG_CACHE_HOME.
            progress("warm-up and output check")
            for command in (ref_json, ref_table, gdp, industries):
                check_output(command)
            for command in growth.values():
                progress(f"first (cold) run: {command.label}")
                command.first, _ = spawner.run(command)
                check_output(command)

            for round_number in range(args.runs):
                progress(f"round {round_number + 1} of {args.runs} ({len(commands)} commands)")
                # Round-robin, starting one command further each round so that no command
                # always follows the same one.
                shift = round_number % len(commands)
                for command in commands[shift:] + commands[:shift]:
                    seconds, peak = spawner.run(command)
                    command.times.append(seconds)
                    command.rss.append(peak)
            floor = spawner.own_peak()

    goals = [
        ratio_goal(f"Time: `{gdp.label}` vs A", gdp.median, ref_json.median, ms, 1.25),
        ratio_goal(f"Time: `{industries.label}` vs B", industries.median, ref_table.median, ms, 1.25),
        ratio_goal(f"Peak memory: `{gdp.label}` vs A", gdp.median_rss, ref_json.median_rss, mib, 1.2),
    ]
    for size, limit in zip(GROWTH_SIZES, (2.0, 4.0), strict=True):
        command = growth[size]
        assert command.first is not None
        goals.append(ratio_goal(f"Growth: {size:,} observations, warm median vs bundled base",
                                command.median, gdp.median, ms, limit))
        goals.append(ratio_goal(f"Growth: {size:,} observations, first (cold) run vs bundled base",
                                command.first, gdp.median, ms, None))

    print(report(args.runs, hohhot, venv, reference_python, commands, goals, floor))
    failed = [goal for goal in goals if not goal.passed]
    return 1 if args.check and failed else 0


def ratio_goal(
    name: str, measured: float, baseline: float, unit: Callable[[float], str], limit: float | None
) -> Goal:
    return Goal(name, unit(measured), unit(baseline), measured / baseline, limit)


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
    """This checkout, installed (not editable) into its own venv; the path of its hohhot."""
    python, created = create_venv(venv, "the project's virtual environment")
    if created:
        setup([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO)],
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


# -- running commands -----------------------------------------------------------


def base_environment() -> dict[str, str]:
    """This process's environment, made the same for every command (plain output, 80 columns)."""
    env = dict(os.environ)
    for name in ("HOHHOT_FACTS", "FORCE_COLOR", "XDG_CACHE_HOME"):
        env.pop(name, None)
    env.update({"NO_COLOR": "1", "COLUMNS": "80"})
    return env


def make_facts(size: int, path: Path) -> Path:
    argv = [sys.executable, str(MAKE_FACTS), "--observations", str(size), "--output", str(path),
            "--seed", str(GROWTH_SEED)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchmarkError(f"make_facts.py failed for {size} observations: {result.stderr.strip()}")
    return path


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

    def _ask(self, request: tuple[list[str], dict[str, str], str]) -> tuple[float, int, int, str]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        data = marshal.dumps(request)
        try:
            stdin.write(len(data).to_bytes(8, "little") + data)
            stdin.flush()
            header = stdout.read(8)
            reply: tuple[float, int, int, str] = marshal.loads(stdout.read(int.from_bytes(header, "little")))
        except (OSError, EOFError, ValueError) as error:
            raise BenchmarkError(f"the spawner process failed: {error}") from None
        return reply

    def run(self, command: Command) -> tuple[float, int]:
        """Run the command, stdout to /dev/null: (wall-clock seconds, peak RSS in bytes).

        The time runs from just before the spawn to the end of ``os.wait4``, which
        also gives the child's peak RSS.
        """
        seconds, peak, status, failure = self._ask((command.argv, command.env, str(self.errors)))
        if status != 0:
            message = failure or self.errors.read_text(encoding="utf-8", errors="replace").strip()
            raise BenchmarkError(f"{command.label} exited with status {status}: {message}")
        return seconds, max_rss_bytes(peak)

    def own_peak(self) -> int:
        """The spawner's own peak RSS in bytes: no child can report less."""
        return max_rss_bytes(self._ask(([], {}, ""))[1])


def check_output(command: Command) -> None:
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


def max_rss_bytes(value: int) -> int:
    """``ru_maxrss`` in bytes: Linux reports KiB, macOS bytes."""
    return value if sys.platform == "darwin" else value * 1024


def describe(python: str) -> str:
    """Python, Typer and rich versions of an interpreter, or why they are unknown."""
    try:
        result = subprocess.run([python, "-c", VERSIONS_PROBE], capture_output=True, text=True, check=False,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


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


def report(
    runs: int, hohhot: Path, venv: Path, reference_python: Path, commands: list[Command], goals: list[Goal],
    floor: int,
) -> str:
    """The Markdown report: the setting, every command's figures, then the goals."""
    interpreter = interpreter_of(hohhot)
    lines = [
        "## hohhot benchmark",
        "",
        f"- Runner: Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        f"- hohhot: `{hohhot}` ({describe(interpreter) if interpreter else 'interpreter unknown'})",
        f"- References: `{venv}` ({describe(str(reference_python))})",
        f"- {runs} measured runs of each command, interleaved round-robin, after one warm-up run; "
        "stdout to /dev/null; NO_COLOR=1, COLUMNS=80; hohhot with a fresh XDG_CACHE_HOME",
        f"- Growth bases from `make_facts.py --seed {GROWTH_SEED}`; their first run is the cold one "
        "(empty XDG_CACHE_HOME) and comes before their warm-up",
        f"- Peak RSS floor (the spawning process's own peak, counted into each child's): {mib(floor)}",
        "",
        "| Command | Median | Min | Max | First (cold) run | Peak RSS, median |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for command in commands:
        first = ms(command.first) if command.first is not None else "–"
        lines.append(f"| `{command.label}` | {ms(command.median)} | {ms(min(command.times))} | "
                     f"{ms(max(command.times))} | {first} | {mib(command.median_rss)} |")
    lines += [
        "",
        "| Goal | Measured | Baseline | Ratio | Target | Result |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for goal in goals:
        target = f"≤ {goal.limit:.2f}" if goal.limit is not None else "–"
        result = "info" if goal.limit is None else ("PASS" if goal.passed else "FAIL")
        lines.append(f"| {goal.name} | {goal.measured} | {goal.baseline} | {goal.ratio:.2f} | {target} "
                     f"| {result} |")
    checked = [goal for goal in goals if goal.limit is not None]
    met = sum(goal.passed for goal in checked)
    lines += ["", f"Goals met: {met} of {len(checked)}."]
    return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
