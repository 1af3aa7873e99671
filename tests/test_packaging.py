"""The built wheel carries the fact base and its snapshot, read when it fits; the README's examples run as written."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO, subprocess_env
from support.models import assert_same

from hohhot_cli.load import snapshot
from hohhot_cli.load.loader import parse_facts

pytestmark = pytest.mark.slow  # wheels, other programs or many generated bases: run by the full suite


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


SNAPSHOT = f"hohhot_cli/{snapshot.SNAPSHOT_NAME}"

ANSWERS = [
    ("metric", "gdp", "--json"),
    ("industries",),
    ("compare", "gdp.total"),
    ("search", "dairy", "--json"),
    ("sources", "--json"),
]
"""Queries whose answers an installed wheel and the source checkout must give byte for byte alike."""


def test_the_wheel_carries_the_snapshot_of_its_fact_base(wheel: Path) -> None:
    facts = (REPO / "facts.toml").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        assert SNAPSHOT in archive.namelist()
        stored = archive.read(SNAPSHOT)
    header = json.loads(stored.partition(b"\n")[0])
    assert header["facts_sha256"] == hashlib.sha256(facts).hexdigest()
    assert header["model"] == snapshot.model_signature()
    fresh = parse_facts(facts, "facts.toml")
    assert_same(snapshot.load(stored, snapshot.content_digest(facts), "facts.toml"), fresh)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain (not editable) install of the wheel: the directory to put on PYTHONPATH."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def _answer(pythonpath: Path, args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``python -m hohhot_cli`` on the bundled base of the copy at ``pythonpath``, tracing its paths."""
    env = subprocess_env(facts=None, PYTHONPATH=str(pythonpath), HOHHOT_DEBUG="1")
    result = subprocess.run([sys.executable, "-m", "hohhot_cli", *args], cwd=cwd, env=env, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    return result


def test_an_installed_wheel_answers_as_the_checkout_from_its_snapshot(installed: Path, tmp_path: Path) -> None:
    for args in ANSWERS:
        from_wheel = _answer(installed, args, tmp_path)
        from_checkout = _answer(REPO / "src", args, tmp_path)
        assert from_wheel.stdout == from_checkout.stdout, args
        assert from_wheel.stdout.strip(), args
        wheel_trace, checkout_trace = from_wheel.stderr.decode(), from_checkout.stderr.decode()
        assert f"hohhot: debug: base: snapshot {installed / SNAPSHOT} (" in wheel_trace
        assert "parsed" not in wheel_trace
        assert "hohhot: debug: base: no snapshot at " in checkout_trace
        assert "hohhot: debug: base: parsed and validated the TOML (" in checkout_trace


EDITS = {
    "a comment appended": lambda text: text + "# edited after install\n",
    "a value changed": lambda text: text.replace("value = 274_370_000_000", "value = 274_370_000_001", 1),
}


# What a lookup from the snapshot must not import: each cost milliseconds of every run.
_HEAVY = ("dataclasses", "inspect", "typing", "pathlib", "hashlib", "tomllib", "tomli", "typer", "click", "rich")
_MODULES_AFTER_A_LOOKUP = """\
import io, sys
from hohhot_cli.cli.environment import Environment
from hohhot_cli.cli.main import main
for args in (
    ["metric", "gdp", "--json"],
    ["metric", "gdp.total", "--latest", "-f", "csv"],
    ["sources", "--json"],
    ["show", "gdp.total@2023", "--json"],
    ["search", "gdp", "2023", "--json"],
    ["metric", "gdp.total", "-f", "tsv", "--fields", "ref,value"],
    ["metric", "gdp", "--no-color", "--json"],
    ["overview", "--json"],
    ["industries", "dairy", "--json"],
    ["changes", "--since", "2026-11", "--json"],
):
    status = main(args, Environment(stdout=io.StringIO(), stderr=sys.stderr, environ={}))
    assert status == 0, args
print(" ".join(sorted(sys.modules)))
"""


def test_a_lookup_from_the_snapshot_imports_nothing_heavy(installed: Path, tmp_path: Path) -> None:
    env = subprocess_env(facts=None, PYTHONPATH=str(installed))
    result = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER_A_LOOKUP],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(result.stdout.split())
    assert "hohhot_cli.load.snapshot" in loaded and "hohhot_cli.load.building" not in loaded
    assert sorted(loaded & set(_HEAVY)) == []


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_installed_copy_with_an_edited_fact_file_ignores_its_snapshot(
    installed: Path, tmp_path: Path, edit: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    facts = site / "hohhot_cli" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    edited = EDITS[edit](text)
    assert edited != text
    facts.write_text(edited, encoding="utf-8")
    query = ("metric", "gdp.total", "--json")
    result = _answer(site, query, tmp_path)
    trace = result.stderr.decode()
    assert "hohhot: debug: base: snapshot not used (made for another fact file, model or format)" in trace
    assert "hohhot: debug: base: parsed and validated the TOML (" in trace
    unedited = _answer(REPO / "src", query, tmp_path).stdout
    if edit == "a value changed":
        assert b"274370000001" in result.stdout and b"274370000001" not in unedited
        assert result.stdout == unedited.replace(b"274370000000", b"274370000001")
    else:
        assert result.stdout == unedited


def test_a_wheel_is_not_built_from_an_invalid_fact_file(tmp_path: Path) -> None:
    """The build hook validates facts.toml: every problem listed, no wheel."""
    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy(REPO / name, copy / name)
    shutil.copytree(REPO / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    text = (REPO / "facts.toml").read_text(encoding="utf-8")
    text = text.replace('id = "gdp.total"', 'id = "gdp total"', 1)
    text = text.replace('source = "cd-40-years"', 'source = "no-such-source"', 1)
    (copy / "facts.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "facts.toml does not validate; no wheel built:" in output
    assert "'gdp total' is not a valid id" in output
    assert "no-such-source" in output
    assert not out.exists() or not list(out.glob("*.whl"))


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


# -- the quick start --------------------------------------------------------------------------------


def _quick_start() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return block.splitlines()


def test_the_quick_start_installs_only_into_a_virtual_environment() -> None:
    """Two commands, each whole: a system Python that is externally managed (PEP 668) refuses any other pip."""
    install, develop = _quick_start()
    for line in (install, develop):
        steps = line.split(" && ")
        assert steps[0] == "python3 -m venv .venv"
        assert all(step.startswith(".venv/bin/") for step in steps[1:]), line
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/hohhot industries"
    assert develop == "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    extras = re.search(r"\ntest = \[(.*?)\n\]", (REPO / "pyproject.toml").read_text(encoding="utf-8"), flags=re.S)
    assert extras is not None and '"pytest>=' in extras.group(1)


_NO_INDEX = ("No matching distribution found", "Could not find a version", "Failed to establish a new connection")


def test_the_quick_start_installs_and_answers(tmp_path: Path) -> None:
    """The first command, as written, in a copy of the checkout: a fresh virtual environment, the tool, its answer."""
    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md", "LICENSE", "facts.toml"):
        shutil.copy(REPO / name, copy / name)
    shutil.copytree(REPO / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    install = _quick_start()[0]
    env = subprocess_env(facts=None)
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(["bash", "-c", install], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 and any(sign in result.stdout + result.stderr for sign in _NO_INDEX):
        pytest.skip("no package index to install the dependencies from")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Industries (" in result.stdout and "dairy" in result.stdout
    licence = list((copy / ".venv").glob("lib/python*/site-packages/hohhot-*.dist-info/licenses/LICENSE"))
    assert [path.read_bytes() for path in licence] == [(REPO / "LICENSE").read_bytes()]


def test_the_package_states_its_licences_and_pythons() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in text and (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert "Copyright (c) 2026 hohhot developers" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert '"License :: OSI Approved :: MIT License"' in text
    for minor in (10, 11, 12, 13):
        assert f'"Programming Language :: Python :: 3.{minor}"' in text
    assert 'pandas = ["pandas>=2"]' in text
    facts_header = (REPO / "facts.toml").read_text(encoding="utf-8").split("\nschema_version", 1)[0]
    assert "Creative Commons\n# Attribution 4.0 International (CC BY 4.0)" in facts_header
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(CC BY 4.0) by the hohhot developers" in readme and "MIT licence (`LICENSE`)" in readme
