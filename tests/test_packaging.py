"""The built wheel carries the fact base; the README's examples run as written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO, subprocess_env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the checkout (hatchling comes with the test extras)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("hohhot-*.whl")
    return built


def test_wheel_contains_the_fact_base(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "hohhot_cli/facts.toml" in names
        assert archive.read("hohhot_cli/facts.toml") == (REPO / "facts.toml").read_bytes()
        assert "hohhot_cli/cli/app.py" in names
        shipped_schema = (REPO / "src" / "hohhot_cli" / "output" / "schema.json").read_bytes()
        assert archive.read("hohhot_cli/output/schema.json") == shipped_schema
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "hohhot = hohhot_cli.cli.main:run" in archive.read(entry_points).decode()


def test_installed_wheel_validates_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    """A plain (not editable) install of the wheel finds its own facts.toml from any directory."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # PYTHONPATH puts the wheel's copy ahead of the editable checkout; -I is not used so that it applies.
    env = subprocess_env(facts=None, PYTHONPATH=str(target))
    where = subprocess.run(
        [sys.executable, "-c", "import hohhot_cli.load.loader as l; print(l.bundled_facts_path())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == target / "hohhot_cli" / "facts.toml"
    result = subprocess.run(
        [sys.executable, "-m", "hohhot_cli", "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{target / 'hohhot_cli' / 'facts.toml'}: valid\n")


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.S)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ hohhot")]


def test_readme_has_examples() -> None:
    assert len(_readme_commands()) >= 15


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_example_runs(command: str, tmp_path: Path) -> None:
    """Each `$ hohhot ...` line of the README, run by a shell as written (pipes into jq included)."""
    if "jq" in command and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    shutil.copy(REPO / "facts.toml", tmp_path / "facts.toml")
    bin_dir = str(Path(sys.executable).parent)
    env = subprocess_env(facts=None, PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin")
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip() or "export" in command, command
    assert "Traceback" not in result.stderr
