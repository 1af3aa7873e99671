"""benchmarks/run.py: its options and its spawning helper, without running the benchmark itself."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from support import REPO

SCRIPT = REPO / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_help_runs() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for option in ("--runs", "--cold-runs", "--sizes", "--quick", "--check", "--basis", "--project-venv"):
        assert option in result.stdout


def test_quick_and_explicit_runs(run: ModuleType) -> None:
    quick = run.parse_args(["--quick"])
    assert (quick.runs, quick.cold_runs, quick.sizes) == (run.QUICK_RUNS, run.QUICK_COLD_RUNS, run.DEFAULT_SIZES)
    default = run.parse_args([])
    assert (default.runs, default.cold_runs) == (run.DEFAULT_RUNS, run.DEFAULT_COLD_RUNS)
    explicit = run.parse_args(["--quick", "--runs", "7", "--sizes", "50000,10000"])
    assert (explicit.runs, explicit.sizes) == (7, (10_000, 50_000))
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "ten"])


def test_goal_limits_by_size(run: ModuleType) -> None:
    assert run.size_limit(100_000) == 1.3
    assert run.size_limit(480_000) == 1.5
    assert run.size_limit(600_000) is None
    assert run.cold_limits(100_000) == (1.5, None)
    assert run.cold_limits(500_000) == (10.0, 400 * 1024 * 1024)


def test_spawner_empties_a_directory_outside_the_run(run: ModuleType, tmp_path: Path) -> None:
    emptied = tmp_path / "answers"
    (emptied / "nested").mkdir(parents=True)
    (emptied / "one").write_text("x")
    (emptied / "nested" / "two").write_text("x")
    (tmp_path / "kept.entry").write_text("x")
    # The command fails unless the directory is empty when it starts.
    check = f"import os, sys; sys.exit(len(os.listdir({str(emptied)!r})))"
    command = run.Command("t", "test", [sys.executable, "-c", check], {}, emptied=str(emptied))
    missing = run.Command("m", "missing", [sys.executable, "-c", "pass"], {}, emptied=str(tmp_path / "none"))
    with run.Spawner(tmp_path) as spawner:
        spawner.measure(command)
        spawner.measure(missing)
        failing = run.Command("f", "failing", [sys.executable, "-c", "raise SystemExit(3)"], {})
        with pytest.raises(run.BenchmarkError, match="status 3"):
            spawner.measure(failing)
        assert spawner.own_peak() > 0
    assert emptied.is_dir() and not any(emptied.iterdir())
    assert (tmp_path / "kept.entry").exists()
    assert len(command.times) == len(command.cpu) == len(command.rss) == 1
    assert command.times[0] > 0 and command.cpu[0] > 0 and command.rss[0] > 0


def test_cells_escape_the_column_separator(run: ModuleType) -> None:
    assert run.cell("[.a[] | .b]") == "[.a[] \\| .b]"
