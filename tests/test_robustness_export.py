"""Robustness: read-only runs and exports. No command writes to the fact file; a failed export leaves nothing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import types
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURE, Runner
from support.checks import assert_no_crash, one_line
from support.factfiles import edited_copy

import hohhot_cli.export.files as export_module
import hohhot_cli.export.staging as staging_module
from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import FactBase

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


# -- 6. read-only runs and exports ---------------------------------------------------

READ_ONLY_COMMANDS: list[tuple[str, ...]] = [
    (),
    ("--version",),
    ("overview",),
    ("industries",),
    ("industries", "dairy"),
    ("industries", "--kind", "future"),
    ("metric", "gdp"),
    ("metric", "dairy.revenue", "--latest"),
    ("metrics",),
    ("metrics", "--topic", "trade"),
    ("compare", "gdp.total"),
    ("compare", "trade.exports", "trade.imports"),
    ("compare", "--industries"),
    ("search", "乳都"),
    ("sources",),
    ("sources", "fg-mayor-2024"),
    ("validate",),
    ("metric", "gpd"),
]


def test_every_command_leaves_the_fact_file_untouched(hohhot: Runner, tmp_path: Path) -> None:
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    copy = edited_copy(facts_dir)
    os.utime(copy, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for args in READ_ONLY_COMMANDS:
        for fmt in ("table", "json"):
            extra = ("--format", fmt) if args and not args[0].startswith("-") else ()
            result = hohhot("--facts", str(copy), *args, *extra)
            assert result.exit_code in (0, 1), result
    assert hohhot("validate", str(copy)).exit_code == 0
    for fmt in ("json", "jsonl", "csv", "sqlite"):
        assert hohhot("--facts", str(copy), "export", "-o", str(out_dir / f"out.{fmt}")).exit_code == 0
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
    assert sorted(p.name for p in facts_dir.iterdir()) == ["facts.toml"], "no cache or lock file beside it"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sqlite"])
def test_export_writes_only_its_file(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    result = hohhot("export", "-o", str(tmp_path / f"hohhot.{fmt}"))
    assert result.exit_code == 0, result
    assert [p.name for p in tmp_path.iterdir()] == [f"hohhot.{fmt}"]
    assert (tmp_path / f"hohhot.{fmt}").stat().st_size > 0


class _Snapshots:
    """What the output directory held at the moment of the failure."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.seen: list[list[str]] = []

    def take(self) -> None:
        self.seen.append(sorted(p.name for p in self.directory.iterdir()))

    def partial_file_existed(self) -> bool:
        return any(name.endswith(".part") for names in self.seen for name in names)


def _fail_half_way(monkeypatch: pytest.MonkeyPatch, fmt: str, snapshots: _Snapshots, error: BaseException) -> None:
    """Make the export fail after writing part of its temporary file (a full disk, a Ctrl-C)."""
    if fmt == "sqlite":
        real_rows = export_module.export_rows

        def export_rows(base: FactBase, selection: Any = None) -> list[dict[str, Any]]:
            snapshots.take()  # four tables are written by now
            real_rows(base, selection)
            raise error

        monkeypatch.setattr(export_module, "export_rows", export_rows)
        return

    class HalfWriter:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def write(self, text: str) -> int:
            self.stream.write(text[: len(text) // 2])
            self.stream.flush()
            snapshots.take()
            raise error

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

    def half_open(path: str, *args: Any, **kwargs: Any) -> HalfWriter:
        return HalfWriter(open(path, *args, **kwargs))

    monkeypatch.setattr(staging_module, "open", half_open, raising=False)


FAILURES = {
    "disk-full": (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), ExitStatus.ERROR),
    "sqlite-full": (sqlite3.OperationalError("database or disk is full"), ExitStatus.ERROR),
    "ctrl-c": (KeyboardInterrupt(), ExitStatus.INTERRUPTED),
}


# A full disk shows as ENOSPC to a text file and as sqlite3's "disk is full" to SQLite.
FAILING_EXPORTS = [
    *((fmt, "disk-full") for fmt in ("json", "jsonl", "csv")),
    ("sqlite", "sqlite-full"),
    *((fmt, "ctrl-c") for fmt in ("json", "jsonl", "csv", "sqlite")),
]


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
@pytest.mark.parametrize(("fmt", "failure"), FAILING_EXPORTS)
def test_failed_export_leaves_nothing_behind(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, failure: str, existing: bool
) -> None:
    error, status = FAILURES[failure]
    target = tmp_path / f"hohhot.{fmt}"
    if existing:
        target.write_bytes(b"the previous export\n")
    snapshots = _Snapshots(tmp_path)
    _fail_half_way(monkeypatch, fmt, snapshots, error)
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == status, result
    assert result.stdout == ""
    assert snapshots.partial_file_existed(), "the failure came half-way through a temporary file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ([target.name] if existing else [])
    if existing:
        assert target.read_bytes() == b"the previous export\n"
    if status == ExitStatus.ERROR:
        line = one_line(result.stderr)
        assert line.startswith(f"hohhot: error: {target}: cannot write: ")
        assert ("No space left on device" in line) or ("disk is full" in line)
    assert_no_crash(result.stderr)


def test_failed_rename_leaves_nothing_behind(hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "hohhot.csv"
    target.write_bytes(b"old\n")

    def replace(source: str, destination: str) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    fake_os = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake_os.replace = replace
    monkeypatch.setattr(staging_module, "os", fake_os)
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == ExitStatus.ERROR, result
    assert one_line(result.stderr).startswith(f"hohhot: error: {target}: cannot write: ")
    assert [p.name for p in tmp_path.iterdir()] == ["hohhot.csv"]
    assert target.read_bytes() == b"old\n"


def test_export_with_an_unexpected_error_still_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a writer propagates (no status can be right), but no temporary file is left."""
    snapshots = _Snapshots(tmp_path)
    _fail_half_way(monkeypatch, "json", snapshots, RuntimeError("a bug"))
    base = load_facts(FIXTURE)
    with pytest.raises(RuntimeError):
        export_module.write_export(base, export_module.ExportFormat.JSON, tmp_path / "out.json")
    assert snapshots.partial_file_existed()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "fmt",
    [
        "json",
        "jsonl",
        "csv",
        "sqlite",
    ],
)
def test_export_file_gets_the_usual_permissions(hohhot: Runner, tmp_path: Path, fmt: str) -> None:
    """Like any file a program creates: 0666 less the umask."""
    previous = os.umask(0o022)
    try:
        result = hohhot("export", "-o", str(tmp_path / f"out.{fmt}"))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result
    assert (tmp_path / f"out.{fmt}").stat().st_mode & 0o777 == 0o644


def test_export_to_the_longest_file_name(hohhot: Runner, tmp_path: Path) -> None:
    target = tmp_path / ("x" * 251 + ".csv")
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == 0, result
    assert [p.name for p in tmp_path.iterdir()] == [target.name]




# -- 3. only a regular file is replaced; 10. a directory is named as one -----------------


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "out.csv"
    os.mkfifo(path)
    return path


def _socket(tmp_path: Path) -> Path:
    import socket

    path = tmp_path / "out.csv"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def _link_to_fifo(tmp_path: Path) -> Path:
    target = tmp_path / "fifo"
    os.mkfifo(target)
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    return link


@pytest.mark.parametrize("make", [_fifo, _socket, _link_to_fifo], ids=["fifo", "socket", "link-to-fifo"])
def test_export_never_replaces_what_is_not_a_regular_file(hohhot: Runner, tmp_path: Path, make: Any) -> None:
    import stat

    target = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == ExitStatus.ERROR, result
    message = f"{target}: is not a regular file; export replaces only a regular file"
    assert one_line(result.stderr) == f"hohhot: error: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not stat.S_ISREG(os.stat(target).st_mode)


def test_export_to_dev_stdout_is_refused_without_a_proc_path() -> None:
    """For now /dev/stdout (a pipe here) is refused like any other non-regular target, named as given."""
    from support.checks import run

    result = run("export", "-o", "/dev/stdout", "-f", "csv")
    assert result.returncode == ExitStatus.ERROR
    line = one_line(result.stderr.decode())
    assert line == "hohhot: error: /dev/stdout: is not a regular file; export replaces only a regular file"
    assert result.stdout == b""


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_export_to_a_directory_says_so(hohhot: Runner, tmp_path: Path, fmt: str | None) -> None:
    options = ("-f", fmt) if fmt else ()
    for given in (str(tmp_path), f"{tmp_path}/"):
        result = hohhot("export", "-o", given, *options)
        assert result.exit_code == ExitStatus.ERROR, result
        assert one_line(result.stderr) == f"hohhot: error: {given}: is a directory"
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_missing_directory_with_a_slash_writes_nothing(hohhot: Runner, tmp_path: Path) -> None:
    given = f"{tmp_path}/newdir/"
    result = hohhot("export", "-o", given, "-f", "csv")
    assert result.exit_code == ExitStatus.ERROR, result
    assert one_line(result.stderr) == f"hohhot: error: {given}: no such directory"
    assert list(tmp_path.iterdir()) == []
