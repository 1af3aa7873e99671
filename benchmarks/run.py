"""Time hohhot against references in one run, paired and interleaved, and check the performance goals.

    .venv/bin/python benchmarks/run.py [--runs 21] [--quick] [--project-venv DIR] [--reference-venv DIR] [--check]

Every command runs whole, as a user runs it (a new process, stdout to /dev/null), ``--runs``
times after one warm-up, round-robin so that machine noise hits all of them alike. Each run
gives its CPU time (user + system, from ``wait4``); the report gives medians and, for each
goal, the median of the ratios of runs of the same round (paired). The commands:

- ``hohhot metric gdp --json`` on the bundled base, from an install of this checkout (a wheel,
  so the base comes from its snapshot), with an empty cache directory;
- ``python -I -S -c pass`` of the same interpreter;
- a minimal Typer 0.28 command in its own virtual environment (made on first use);
- ``jq`` selecting the same observations from ``hohhot export -f json``;
- ``hohhot --facts facts-10k.toml metric gdp --json`` on a generated base of 10,000
  observations, the cache warm; and, for information, the same with ``--no-cache``;
- for information, the same command line parsed by the direct path and by Typer.

Exit status: 0, or with ``--check`` 1 when a goal is missed; 2 when the benchmark cannot run.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_FACTS = Path(__file__).resolve().with_name("make_facts.py")
TYPER_REQUIREMENT = "typer==0.28.0"
DEFAULT_REFERENCE_VENV = Path.home() / ".cache" / "hohhot-bench" / "typer028"
DEFAULT_PROJECT_VENV = Path.home() / ".cache" / "hohhot-bench" / "project"
DEFAULT_RUNS, QUICK_RUNS = 21, 5
GROWTH_SIZE = 10_000
JQ_FILTER = '[.observations[] | select(.topic == "gdp")]'
"""The observations ``hohhot metric gdp`` shows (every metric of the topic ``gdp``), from ``export -f json``."""

GOALS = (
    ("lookup", "python", 3.0, "a computed lookup, against `python -I -S -c pass`"),
    ("lookup", "typer", 0.45, "a computed lookup, against a minimal Typer command"),
    ("lookup", "jq", 1.0, "a computed lookup, against jq over the JSON export"),
    ("facts-10k", "lookup", 1.5, "a 10,000-observation --facts base (warm), against the bundled base"),
)
"""(command, baseline, most ratio of CPU time, what it says)."""

REFERENCE_TYPER = """\
import typer

app = typer.Typer()


@app.command()
def metric(name: str, json: bool = False) -> None:
    print(name)


app()
"""

DIRECT_OR_TYPER = (
    "import sys; from hohhot_cli.cli.main import main; sys.exit(main(sys.argv[2:], direct=sys.argv[1] == 'd'))"
)


class BenchmarkError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass
class Command:
    name: str
    argv: list[str]
    env: dict[str, str]
    cpu: list[float]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return benchmark(args)
    except BenchmarkError as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time hohhot against references and check the goals.")
    parser.add_argument("--runs", type=int, default=None, help=f"counted runs of each command (default {DEFAULT_RUNS})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs unless --runs is given")
    parser.add_argument(
        "--project-venv", type=Path, default=DEFAULT_PROJECT_VENV, help="where to install this checkout"
    )
    parser.add_argument("--reference-venv", type=Path, default=DEFAULT_REFERENCE_VENV, help="the Typer 0.28 reference")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else DEFAULT_RUNS
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def benchmark(args: argparse.Namespace) -> int:
    python = install_project(args.project_venv)
    reference = ensure_reference_venv(args.reference_venv)
    jq = shutil.which("jq")
    if jq is None:
        raise BenchmarkError("jq is not installed (apt-get install jq)")
    hohhot = str(python.with_name("hohhot"))
    with tempfile.TemporaryDirectory(prefix="hohhot-bench-") as scratch:
        work = Path(scratch)
        commands = make_commands(work, python, reference, hohhot, jq)
        for command in commands:
            run_once(command, counted=False)  # warm-up: byte code, caches, page cache
        for _ in range(args.runs):
            for command in commands:
                run_once(command, counted=True)
    by_name = {c.name: c for c in commands}
    goals = [judge(by_name, *goal) for goal in GOALS]
    print(report(commands, goals, args.runs, python))
    return 1 if args.check and not all(passed for passed, _ in goals) else 0


def make_commands(work: Path, python: Path, reference: Path, hohhot: str, jq: str) -> list[Command]:
    empty_home, warm_home = work / "empty-cache", work / "warm-cache"
    env = base_environment()
    facts = work / "facts-10k.toml"
    subprocess.run(
        [sys.executable, str(MAKE_FACTS), "-n", str(GROWTH_SIZE), "-o", str(facts), "--seed", "1"], check=True
    )
    export = work / "export.json"
    with export.open("w") as out:
        subprocess.run([hohhot, "export", "-f", "json"], stdout=out, env=env, check=True)
    typer_script = work / "typer_reference.py"
    typer_script.write_text(REFERENCE_TYPER)
    return [
        Command("lookup", [hohhot, "metric", "gdp", "--json"], {**env, "XDG_CACHE_HOME": str(empty_home)}, []),
        Command("python", [str(python), "-I", "-S", "-c", "pass"], env, []),
        Command("typer", [str(reference), str(typer_script), "gdp", "--json"], env, []),
        Command("jq", [jq, JQ_FILTER, str(export)], env, []),
        Command(
            "facts-10k",
            [hohhot, "--facts", str(facts), "metric", "gdp", "--json"],
            {**env, "XDG_CACHE_HOME": str(warm_home)},
            [],
        ),
        Command(
            "facts-10k, no cache", [hohhot, "--no-cache", "--facts", str(facts), "metric", "gdp", "--json"], env, []
        ),
        Command("direct path", [str(python), "-c", DIRECT_OR_TYPER, "d", "metric", "gdp", "--json"], env, []),
        Command("typer path", [str(python), "-c", DIRECT_OR_TYPER, "t", "metric", "gdp", "--json"], env, []),
    ]


def run_once(command: Command, *, counted: bool) -> None:
    """Run a command once; keep its CPU time (user + system) when ``counted``."""
    if command.name == "lookup":  # an empty cache directory for every run, emptied outside the timed span
        shutil.rmtree(command.env["XDG_CACHE_HOME"], ignore_errors=True)
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(command.argv, stdout=devnull, stderr=subprocess.PIPE, env=command.env)
        assert process.stderr is not None
        message = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchmarkError(f"{command.name} exited {process.returncode}: {message.decode(errors='replace')}")
    if counted:
        command.cpu.append(usage.ru_utime + usage.ru_stime)


def judge(by_name: dict[str, Command], name: str, baseline: str, limit: float, what: str) -> tuple[bool, str]:
    """Whether the median of paired ratios is within the limit, and the report's row."""
    ratio = paired_ratio(by_name[name], by_name[baseline])
    passed = ratio <= limit
    row = f"| {what} | {ratio:.2f}x | ≤ {limit}x | {'PASS' if passed else 'FAIL'} |"
    return passed, row


def paired_ratio(command: Command, baseline: Command) -> float:
    """The median of the ratios of runs of the same round."""
    return statistics.median(a / b for a, b in zip(command.cpu, baseline.cpu, strict=True) if b > 0)


def report(commands: list[Command], goals: list[tuple[bool, str]], runs: int, python: Path) -> str:
    version = subprocess.run(
        [str(python), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    lines = [
        f"Python {version} on {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} runs of each command, interleaved; CPU time.",
        "",
        "| command | median | min | max |",
        "|---|---|---|---|",
    ]
    for command in commands:
        cpu = command.cpu
        lines.append(f"| {command.name} | {ms(statistics.median(cpu))} | {ms(min(cpu))} | {ms(max(cpu))} |")
    lines += ["", "| goal | paired median | limit | |", "|---|---|---|---|", *(row for _, row in goals)]
    by_name = {c.name: c for c in commands}
    lines += [
        "",
        f"Information: the direct path takes {paired_ratio(by_name['direct path'], by_name['typer path']):.2f}x "
        f"the CPU time of Typer parsing the same command line; without its cache a 10,000-observation base "
        f"takes {paired_ratio(by_name['facts-10k, no cache'], by_name['facts-10k']):.1f}x its cached time.",
    ]
    return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def base_environment() -> dict[str, str]:
    """The environment of every command: no user setting of hohhot, no colour, no pager."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOHHOT_")}
    env.update({"NO_COLOR": "1", "PAGER": "cat", "COLUMNS": "80"})
    return env


def install_project(venv: Path) -> Path:
    """This checkout installed from a wheel (with its snapshot) in ``venv``; returns its Python."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO)], check=True
    )
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--force-reinstall",
            "--no-deps",
            str(REPO),
        ],
        check=True,
    )
    return python


def ensure_reference_venv(venv: Path) -> Path:
    """The Python of a virtual environment with Typer 0.28 only, made on first use."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", TYPER_REQUIREMENT], check=True)
    return python


if __name__ == "__main__":
    sys.exit(main())
