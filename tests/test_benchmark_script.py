"""benchmarks/run.py: its options, its paired ratios and goals, without running the benchmark itself."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
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
    for option in ("--runs", "--quick", "--check", "--project-venv", "--reference-venv"):
        assert option in result.stdout


def test_quick_and_explicit_runs(run: ModuleType) -> None:
    assert run.parse_args(["--quick"]).runs == run.QUICK_RUNS
    assert run.parse_args([]).runs == run.DEFAULT_RUNS
    assert run.parse_args(["--quick", "--runs", "7"]).runs == 7
    with pytest.raises(SystemExit):
        run.parse_args(["--runs", "0"])


def test_ratios_are_paired_by_round(run: ModuleType) -> None:
    # Round by round the command takes twice its baseline, though the machine's speed drifts.
    command = run.Command("lookup", [], {}, [0.02, 0.04, 0.08])
    baseline = run.Command("python", [], {}, [0.01, 0.02, 0.04])
    assert run.paired_ratio(command, baseline) == pytest.approx(2.0)


def test_goals_pass_and_fail_at_their_limits(run: ModuleType) -> None:
    commands = {
        "lookup": run.Command("lookup", [], {}, [0.03, 0.03, 0.03]),
        "python": run.Command("python", [], {}, [0.01, 0.01, 0.01]),
    }
    passed, row = run.judge(commands, "lookup", "python", 3.0, "within")
    assert passed and "PASS" in row and "3.00x" in row
    passed, row = run.judge(commands, "lookup", "python", 2.9, "over")
    assert not passed and "FAIL" in row
    assert {goal[:2] for goal in run.GOALS} == {
        ("lookup", "python"), ("lookup", "typer"), ("lookup", "jq"), ("facts-10k", "lookup")
    }


def test_no_user_setting_reaches_the_commands(run: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOHHOT_FACTS", "/elsewhere.toml")
    monkeypatch.setenv("HOHHOT_DEBUG", "1")
    env = run.base_environment()
    assert not [key for key in env if key.startswith("HOHHOT_")]
    assert env["NO_COLOR"] == "1" and env["PAGER"] == "cat"
