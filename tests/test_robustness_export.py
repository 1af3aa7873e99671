"""Robustness: read-only runs and exports. No command writes to the fact file; a failed export leaves nothing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURE, Runner, subprocess_env
from support.checks import TIMEOUT, assert_no_crash, one_line
from support.factfiles import edited_copy

import hohhot_cli.export.files as export_module
import hohhot_cli.export.staging as staging_module
from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import FactBase
from hohhot_cli.query.selection import PeriodFilter

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


# -- an export is whole or untouched: SQLite's files beside a database -------------------

# A second program using the database: it changes the old export in WAL mode or in a
# transaction, then ends without a checkpoint or a rollback (``end``: SQLite's files stay
# beside the database, as a killed writer leaves them) or holds it open (``hold``) until
# its stdin closes.
_SQLITE_USER = """\
import os, sqlite3, sys
path, mode, end = sys.argv[1:]
db = sqlite3.connect(path, isolation_level=None)
if mode == "wal":
    db.execute("pragma journal_mode=wal")
else:
    db.execute("pragma cache_size=1")  # pages go to the file (and the old ones to the journal) at once
    db.execute("begin immediate")
db.execute("update observations set note = 'changed ' || note")
db.execute("update sources set note = 'changed ' || note")
if mode == "journal":
    db.execute("create table filler (x)")
    db.execute("insert into filler select randomblob(3000) from observations")
if end == "end":
    os._exit(0)
print("ready", flush=True)
sys.stdin.read()
if mode == "journal":
    db.execute("rollback")
db.close()
"""


def _sqlite_user(database: Path, mode: str, end: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SQLITE_USER, str(database), mode, end],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if end == "end":
        assert process.wait(timeout=TIMEOUT) == 0
    else:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def _integrity(database: Path) -> tuple[str, int]:
    connection = sqlite3.connect(database)
    try:
        (check,) = connection.execute("pragma integrity_check").fetchone()
        (count,) = connection.execute("select count(*) from observations").fetchone()
        return check, count
    finally:
        connection.close()


@pytest.mark.parametrize("through_link", [False, True], ids=["file", "link"])
@pytest.mark.parametrize("mode", ["wal", "journal"], ids=["wal-and-shm", "hot-journal"])
def test_sqlite_export_over_files_a_finished_writer_left(
    hohhot: Runner, base: FactBase, tmp_path: Path, mode: str, through_link: bool
) -> None:
    """SQLite would apply the old database's -wal or hot -journal to the new file: they are removed first.

    Through a link, SQLite keeps them beside the file the link points to.
    """
    target = tmp_path / "hohhot.sqlite"
    database = tmp_path / "real.sqlite" if through_link else target
    if through_link:
        target.symlink_to(database.name)
    assert hohhot("export", "-o", str(target), "--since", "2023").exit_code == 0
    _sqlite_user(target, mode, "end")
    left = {"wal": ["-shm", "-wal"], "journal": ["-journal"]}[mode]
    names = sorted({target.name, database.name})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, *(database.name + s for s in left)])
    result = hohhot("export", "-o", str(target))
    assert result.exit_code == 0, result
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    assert target.is_symlink() == through_link
    assert _integrity(target) == ("ok", sum(len(m.observations) for m in base.metrics))


@pytest.mark.parametrize("mode", ["wal", "journal"], ids=["open-in-wal-mode", "writing"])
def test_sqlite_export_refuses_a_database_in_use(hohhot: Runner, tmp_path: Path, mode: str) -> None:
    """Replacing it would hand the new file to the other program's WAL or journal: refused, the old one kept."""
    target = tmp_path / "hohhot.sqlite"
    assert hohhot("export", "-o", str(target), "--since", "2023").exit_code == 0
    user = _sqlite_user(target, mode, "hold")
    try:
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        result = hohhot("export", "-o", str(target))
        after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    finally:
        user.communicate("", timeout=TIMEOUT)
    assert result.exit_code == ExitStatus.ERROR, result
    assert one_line(result.stderr) == (
        f"hohhot: error: {target}: the database is in use by another program; close it, or export to another file"
    )
    assert after == before
    since_2023 = PeriodFilter.parse(None, "2023", None, None)
    kept = sum(1 for m in load_facts(FIXTURE).metrics for o in m.observations if since_2023.keeps(o))
    assert kept and _integrity(target) == ("ok", kept)  # the first export's rows, untouched


# -- an export is whole or untouched: the Data Package -----------------------------------


def _package_files(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of the package's directory: its bytes and permissions."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"", p.stat().st_mode & 0o7777)
        for p in sorted(directory.iterdir())
    }


def _old_package(hohhot: Runner, tmp_path: Path) -> Path:
    """A package whose every member differs from what an export writes now."""
    directory = tmp_path / "package"
    result = hohhot("export", "-f", "datapackage", "-o", str(directory), "--since", "2023")
    assert result.exit_code == 0, result
    for member in directory.iterdir():
        member.write_text(f"the previous {member.name}\n", encoding="utf-8")
    return directory


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_datapackage_refuses_a_member_that_is_not_a_regular_file(hohhot: Runner, tmp_path: Path, kind: str) -> None:
    directory = _old_package(hohhot, tmp_path)
    member = directory / "facts.csv"
    member.unlink()
    if kind == "directory":
        member.mkdir()
    else:
        os.mkfifo(member)
    before = _package_files(directory)
    result = hohhot("export", "-f", "datapackage", "-o", str(directory))
    assert result.exit_code == ExitStatus.ERROR, result
    assert _package_files(directory) == before
    says = "is a directory" if kind == "directory" else "is not a regular file; export replaces only a regular file"
    assert one_line(result.stderr) == f"hohhot: error: {member}: {says}"


def _fail_third_write(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """The third file opened for writing fails (a full disk, Ctrl-C), however the export opens it."""
    import builtins
    import io

    opened: list[object] = []

    def failing(real: Any) -> Any:
        def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if "w" in mode:
                opened.append(file)
                if len(opened) == 3:
                    raise error
            return real(file, mode, *args, **kwargs)

        return opener

    monkeypatch.setattr(builtins, "open", failing(builtins.open))
    monkeypatch.setattr(io, "open", failing(io.open))


@pytest.mark.parametrize("existing", [True, False], ids=["existing-package", "new-package"])
@pytest.mark.parametrize("failure", ["disk-full", "ctrl-c"])
def test_datapackage_that_fails_half_way_leaves_the_old_one(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, existing: bool
) -> None:
    directory = _old_package(hohhot, tmp_path) if existing else tmp_path / "package"
    before = _package_files(directory) if existing else None
    error, status = FAILURES[failure]
    _fail_third_write(monkeypatch, error)
    result = hohhot("export", "-f", "datapackage", "-o", str(directory))
    monkeypatch.undo()
    assert result.exit_code == status, result
    if status == ExitStatus.ERROR:
        assert "cannot write: No space left on device" in one_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["package"] if existing else [])
    if existing:
        assert _package_files(directory) == before


def test_datapackage_whose_rename_fails_half_way_is_put_back(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _old_package(hohhot, tmp_path)
    before = _package_files(directory)
    real_replace = os.replace
    calls: list[str] = []

    def replace(source: Any, destination: Any, **kwargs: Any) -> None:
        calls.append(str(destination))
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(source, destination, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    result = hohhot("export", "-f", "datapackage", "-o", str(directory))
    monkeypatch.undo()
    assert result.exit_code == ExitStatus.ERROR, result
    assert "cannot write: Input/output error" in one_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]
    assert _package_files(directory) == before


def test_datapackage_keeps_the_permissions_of_its_members(hohhot: Runner, tmp_path: Path) -> None:
    directory = _old_package(hohhot, tmp_path)
    for number, member in enumerate(sorted(directory.iterdir())):
        member.chmod(0o600 if number % 2 else 0o640)
    directory.chmod(0o750)
    before = {name: mode for name, (_, mode) in _package_files(directory).items()}
    result = hohhot("export", "-f", "datapackage", "-o", str(directory))
    assert result.exit_code == 0, result
    assert {name: mode for name, (_, mode) in _package_files(directory).items()} == before
    assert directory.stat().st_mode & 0o777 == 0o750


# The console script, with SIGTERM sent to itself while the third member is being written
# (``writing``) or just after the first member is renamed into place (``renaming``).
_PACKAGE_WRAPPER = """\
import builtins, io, os, signal, sys, time
import hohhot_cli.cli.main as entry

when, *args = sys.argv[1:]
count = []

def terminate():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)  # the signal's exception ends this, unless the signal is held

def opener(real):
    def open_(file, mode="r", *a, **k):
        if "w" in mode and str(file).rsplit("/", 1)[-1].startswith(".hohhot-export-"):
            count.append(file)
            if len(count) == 3:
                terminate()
        return real(file, mode, *a, **k)
    return open_

real_replace = os.replace
def replace(source, destination, **k):
    real_replace(source, destination, **k)
    if str(destination).endswith(".csv"):
        count.append(destination)
        if len(count) == 1:
            terminate()

if when == "writing":
    builtins.open, io.open = opener(builtins.open), opener(io.open)
else:
    os.replace = replace
sys.argv = ["hohhot", *args]
entry.run()
"""


@pytest.mark.parametrize("when", ["writing", "renaming"])
def test_datapackage_on_sigterm_is_old_or_new_never_mixed(
    hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Terminated while members are written: the old package. While they are renamed: the new one, whole."""
    directory = _old_package(hohhot, tmp_path)
    fresh = tmp_path / "fresh"
    env = {"SOURCE_DATE_EPOCH": "1700000000"}  # the same time of creation in both
    monkeypatch.setenv("SOURCE_DATE_EPOCH", env["SOURCE_DATE_EPOCH"])
    assert hohhot("export", "-f", "datapackage", "-o", str(fresh)).exit_code == 0
    expected = _package_files(directory if when == "writing" else fresh)
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(_PACKAGE_WRAPPER, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(wrapper), when, "--no-cache", "export", "-f", "datapackage", "-o", str(directory)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(**env),
    )
    assert result.returncode == 143, result
    assert_no_crash(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "package", "wrapper.py"]
    assert _package_files(directory) == expected
