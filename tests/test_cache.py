"""The cache of ``--facts`` files: the same answers as a fresh parse, never a stale, damaged or planted one.

Tested three ways: :func:`cache.read` and :func:`cache.store` alone, through
:func:`loader.load_base` (what the library does on a miss, a hit and a refusal), and through
the CLI, whose cache directory is ``$XDG_CACHE_HOME/hohhot`` (a fresh one for every test:
see conftest). Fact files are copies of the fixture base, which parses in a few hundredths.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import BUNDLED, Runner, subprocess_env
from support.factfiles import edited_copy
from support.models import assert_same

from hohhot_cli.load import cache, loader, reading, snapshot
from hohhot_cli.model.errors import FactFileError
from hohhot_cli.model.facts import FactBase

AREA = "value = 17_000\n"
"""The one figure of geography.area in the fixture: edits of it make other valid fact files."""

QUERY = ("metric", "geography.area", "--json")
"""A CLI query whose answer shows the figure edited by :func:`variant`."""


# -- helpers -------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory not yet made, outside tmp_path."""
    return tmp_path_factory.mktemp("xdg") / "hohhot"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """A copy of the fixture base."""
    return edited_copy(tmp_path)


def variant(directory: Path, number: int) -> Path:
    """A valid fact file whose content differs from the fixture's (and from other numbers')."""
    return edited_copy(directory, (AREA, f"value = {17_000 + number}\n"), name=f"facts-{number}.toml")


def area(base: FactBase) -> int | float:
    return base.metric_by_id["geography.area"].observations[0].value


def digest_of(path: Path) -> str:
    return snapshot.content_digest(path.read_bytes())


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*" + cache.SUFFIX)) if directory.exists() else []


def only_entry(directory: Path) -> Path:
    (entry,) = entries(directory)
    return entry


def temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(cache.TEMPORARY_PREFIX))


def load(path: Path, cache_dir: Path | None, **options: Callable[[str], None]) -> FactBase:
    return loader.load_base(path, cache_dir=cache_dir, **options)


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed from now on (by the loader, the CLI, validate)."""
    calls: list[str] = []
    real = loader.parse_facts

    def counting(source: str | bytes, name: str = "<string>") -> FactBase:
        calls.append(name)
        return real(source, name)

    monkeypatch.setattr(loader, "parse_facts", counting)
    return calls


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("parsed although the cache should have answered")

    monkeypatch.setattr(loader, "parse_facts", fail)


def cli_cache() -> Path:
    """The CLI's cache directory in this test (conftest gives each test its own XDG_CACHE_HOME)."""
    return cache.default_cache_directory(os.environ)


class Hung(BaseException):
    """Raised by :func:`deadline`; not an OSError (TimeoutError is one), so no handler of I/O errors takes it."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: SIGALRM interrupts a blocking open or read."""

    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- hits, misses, keys --------------------------------------------------------------


def test_a_stored_base_reads_back_equal_to_a_fresh_parse(facts: Path, cache_dir: Path) -> None:
    fresh = loader.load_facts(facts)
    digest = digest_of(facts)
    assert cache.read(cache_dir, digest, str(facts)) is None, "nothing stored yet"
    cache.store(cache_dir, digest, fresh)
    stored = cache.read(cache_dir, digest, str(facts))
    assert stored is not None and stored is not fresh
    assert stored == fresh
    assert_same(stored, fresh)


def test_a_hit_equals_a_fresh_parse(facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = loader.load_facts(facts)
    told: list[str] = []
    first = load(facts, cache_dir, debug=told.append)
    assert len(entries(cache_dir)) == 1
    no_parsing(monkeypatch)
    second = load(facts, cache_dir, debug=told.append)
    assert first == fresh and second == fresh
    assert_same(second, fresh)
    assert second.metric_by_id["gdp.total"].observations == fresh.metric_by_id["gdp.total"].observations
    origins = [line.split(" in ")[0].split(" (")[0] for line in told if line.startswith("base: ")]
    assert origins == ["base: cache miss", "base: parsed and validated the TOML", "base: cache hit"]


CLI_QUERIES = [
    ("metric", "gdp", "--json"),
    ("metrics",),
    ("industries", "--json"),
    ("compare", "gdp.total"),
    ("search", "dairy", "--json"),
    ("sources", "--json"),
    ("show", "geography.area"),
    ("export", "-o", "-", "--format", "jsonl"),
]


@pytest.mark.parametrize("args", CLI_QUERIES, ids=" ".join)
def test_the_cli_answers_the_same_from_the_cache(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    fresh = hohhot("--no-cache", "--facts", str(facts), *args)
    assert fresh.exit_code == 0, fresh
    assert entries(cli_cache()) == []
    miss = hohhot("--facts", str(facts), *args)
    assert len(entries(cli_cache())) == 1
    no_parsing(monkeypatch)
    hit = hohhot("--facts", str(facts), *args)
    assert (miss.exit_code, miss.stdout, miss.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert (hit.exit_code, hit.stdout, hit.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)


def test_an_edit_with_the_same_size_and_time_misses(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert area(load(facts, cache_dir)) == 17_000
    before = facts.stat()
    facts.write_text(facts.read_text(encoding="utf-8").replace(AREA, "value = 18_000\n"), encoding="utf-8")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and time: only the content differs
    after = facts.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    calls = count_parses(monkeypatch)
    assert area(load(facts, cache_dir)) == 18_000
    assert calls == [str(facts)]
    assert len(entries(cache_dir)) == 2, "one entry per content"


def test_another_files_content_is_never_served(facts: Path, cache_dir: Path, tmp_path: Path) -> None:
    other = variant(tmp_path, 1)
    cache.store(cache_dir, digest_of(other), loader.load_facts(other))
    assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
    assert area(load(facts, cache_dir)) == 17_000
    assert area(load(other, cache_dir)) == 17_001
    assert area(load(facts, cache_dir)) == 17_000
    assert len(entries(cache_dir)) == 2


def test_a_planted_entry_of_another_file_is_not_served(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry whose body matches its checksum, made for another file's digest, under this file's name."""
    other = variant(tmp_path, 1)
    planted = snapshot.dump(loader.load_facts(other), digest_of(other))
    cache_dir.mkdir(mode=0o700)
    entry = cache_dir / cache.entry_name(digest_of(facts))
    entry.write_bytes(planted)
    assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
    assert not entry.exists(), "removed"
    entry.write_bytes(planted)
    calls = count_parses(monkeypatch)
    assert area(load(facts, cache_dir)) == 17_000
    assert calls == [str(facts)]
    assert entry.read_bytes() != planted, "replaced by this file's own entry"


def test_copies_of_one_file_share_an_entry(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten deleted temporary copies of one base leave one entry; each load has the path it was asked for."""
    calls = count_parses(monkeypatch)
    for number in range(10):
        copy = tmp_path / f"copy-{number}.toml"
        shutil.copyfile(facts, copy)
        assert load(copy, cache_dir).path == str(copy)
        copy.unlink()
    assert len(entries(cache_dir)) == 1
    assert len(calls) == 1, "parsed once"


def test_relative_and_absolute_spellings_share_an_entry(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(facts.parent)
    load(Path(facts.name), cache_dir)
    no_parsing(monkeypatch)
    assert load(facts, cache_dir).path == str(facts), "the path asked for, not the one cached first"
    assert load(Path(facts.name), cache_dir).path == facts.name
    assert len(entries(cache_dir)) == 1


def test_invalid_files_are_never_cached(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = edited_copy(tmp_path, ('id = "geography.area"', 'id = "gdp.total"'), name="bad.toml")
    calls = count_parses(monkeypatch)
    for _ in range(2):
        with pytest.raises(FactFileError) as caught:
            load(bad, cache_dir)
        assert "gdp.total" in str(caught.value)
    assert calls == [str(bad)] * 2, "parsed each time"
    assert entries(cache_dir) == []


def test_no_cache_directory_means_a_fresh_parse_and_nothing_written(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loader.load_facts(facts)
    calls = count_parses(monkeypatch)
    told: list[str] = []
    for _ in range(2):
        assert_same(load(facts, None, debug=told.append), expected)
    assert calls == [str(facts)] * 2
    assert not cache_dir.exists()
    assert told.count("cache: off") == 2


def _blocked_by_a_file(cache_dir: Path) -> Path:
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    blocker = cache_dir.parent / "a-file"
    blocker.write_text("", encoding="utf-8")
    return blocker / "hohhot"


def _a_file_itself(cache_dir: Path) -> Path:
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    cache_dir.write_text("", encoding="utf-8")
    return cache_dir


def _in_proc(cache_dir: Path) -> Path:
    return Path("/proc/self/hohhot-cache")  # no one, root included, makes a directory there


@pytest.mark.parametrize("where", [_blocked_by_a_file, _a_file_itself, _in_proc], ids=lambda f: f.__name__[1:])
def test_an_unwritable_cache_directory_is_no_error(facts: Path, cache_dir: Path, where: Callable[[Path], Path]) -> None:
    directory = where(cache_dir)
    told: list[str] = []
    warned: list[str] = []
    assert_same(load(facts, directory, debug=told.append, warn=warned.append), loader.load_facts(facts))
    assert warned == []
    assert any(line.startswith("cache: not written (") for line in told), told


def test_the_cli_with_an_unwritable_cache_answers_quietly(
    hohhot: Runner, facts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = hohhot("--no-cache", "--facts", str(facts), *QUERY)
    blocker = tmp_path / "cache-home"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = hohhot("--facts", str(facts), *QUERY)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected.stdout, "")


def test_the_library_leaves_the_garbage_collector_as_it_found_it(facts: Path, cache_dir: Path) -> None:
    frozen = gc.get_freeze_count()
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            for _ in range(2):  # a miss (parsed, stored), then a hit
                load(facts, cache_dir)
                assert gc.isenabled() is enabled
                assert gc.get_freeze_count() == frozen
            shutil.rmtree(cache_dir)
    finally:
        (gc.enable if was else gc.disable)()


# -- the cache directory -------------------------------------------------------------


def test_the_default_directory_follows_xdg() -> None:
    assert cache.default_cache_directory({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/hohhot")
    assert cache.default_cache_directory({"HOME": "/home/u"}) == Path("/home/u/.cache/hohhot")
    assert cache.default_cache_directory({"XDG_CACHE_HOME": "", "HOME": "/home/u"}) == Path("/home/u/.cache/hohhot")


def test_a_relative_xdg_cache_home_is_ignored() -> None:
    directory = cache.default_cache_directory({"XDG_CACHE_HOME": "relative/dir", "HOME": "/home/u"})
    assert directory == Path("/home/u/.cache/hohhot")
    assert cache.default_cache_directory({"XDG_CACHE_HOME": "relative"}).is_absolute()


def test_the_cli_ignores_a_relative_xdg_cache_home(
    hohhot: Runner, facts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    assert hohhot("--facts", str(facts), *QUERY).exit_code == 0
    assert not (tmp_path / "relative-cache").exists()
    assert len(entries(home / ".cache" / "hohhot")) == 1


def test_a_new_directory_is_private(facts: Path, cache_dir: Path) -> None:
    umask = os.umask(0)
    try:
        load(facts, cache_dir)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(only_entry(cache_dir).stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o705, 0o777, 0o711], ids=oct)
def test_an_open_directory_of_the_users_is_made_private(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    directory = cli_cache()
    directory.mkdir()
    directory.chmod(mode)
    first = hohhot("--facts", str(facts), *QUERY)
    assert (first.exit_code, first.stderr) == (0, "")
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert len(entries(directory)) == 1
    no_parsing(monkeypatch)
    assert hohhot("--facts", str(facts), *QUERY).stdout == first.stdout


def test_an_open_directory_that_cannot_be_made_private_is_refused(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o755)
    stored = snapshot.dump(loader.load_facts(facts), digest_of(facts))
    planted = cache_dir / cache.entry_name(digest_of(facts))
    planted.write_bytes(stored)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "chmod", refuse)
    expected = loader.load_facts(facts)
    warned: list[str] = []
    calls = count_parses(monkeypatch)
    assert load(facts, cache_dir, warn=warned.append) == expected
    assert calls == [str(facts)], "the entry in a directory others may write is not read"
    assert warned == [f"cache directory {cache_dir} is open to others and cannot be made private"]
    assert entries(cache_dir) == [planted] and planted.read_bytes() == stored, "nothing written or pruned"


def test_a_directory_of_another_user_is_refused_with_one_warning(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = hohhot("--no-cache", "--facts", str(facts), *QUERY)
    assert hohhot("--facts", str(facts), *QUERY).exit_code == 0  # an entry is stored
    directory = cli_cache()
    (entry,) = entries(directory)
    before = entry.read_bytes()
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
    calls = count_parses(monkeypatch)
    result = hohhot("--facts", str(facts), *QUERY)
    assert (result.exit_code, result.stdout) == (0, expected.stdout)
    assert result.stderr == f"hohhot: warning: cache directory {directory} is not owned by you; not using it\n"
    assert calls == [str(facts)], "the entry there is not read"
    assert entries(directory) == [entry] and entry.read_bytes() == before, "nothing written"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a directory away needs root")
def test_a_directory_given_to_another_user_is_refused(facts: Path, cache_dir: Path) -> None:
    load(facts, cache_dir)
    os.chown(cache_dir, os.getuid() + 4242, -1)
    warned: list[str] = []
    assert load(facts, cache_dir, warn=warned.append) == loader.load_facts(facts)
    assert warned == [f"cache directory {cache_dir} is not owned by you; not using it"]
    assert load(facts, cache_dir) == loader.load_facts(facts), "no warn function: silent"


def _fake_owner_of_regular_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.fstat`` says regular files belong to another user (directories stay the user's)."""
    real = os.fstat

    def fstat(descriptor: int) -> os.stat_result:
        info = real(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return info
        values = list(info)
        values[4] = info.st_uid + 4242  # st_uid
        return os.stat_result(values)

    monkeypatch.setattr(os, "fstat", fstat)


@pytest.mark.parametrize("how", ["fstat says so", "chown"])
def test_an_entry_of_another_user_is_not_used(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    load(facts, cache_dir)
    entry = only_entry(cache_dir)
    if how == "chown":
        if os.getuid() != 0:
            pytest.skip("giving a file away needs root")
        os.chown(entry, os.getuid() + 4242, -1)
        expected = loader.load_facts(facts)
        calls = count_parses(monkeypatch)
        assert load(facts, cache_dir) == expected
        assert calls == [str(facts)]
        assert only_entry(cache_dir).stat().st_uid == os.getuid(), "replaced by one of the user's own"
    else:
        with monkeypatch.context() as patch:
            _fake_owner_of_regular_files(patch)
            assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
        assert not entry.exists(), "removed"


# -- damaged, planted and strange entries --------------------------------------------


def _forged(header: dict[str, str], body: bytes) -> bytes:
    """An entry with this body and a header whose checksum matches it."""
    return json.dumps({**header, "body_sha256": hashlib.sha256(body).hexdigest()}).encode() + b"\n" + body + b"\n"


def _damages() -> dict[str, Callable[[bytes], bytes]]:
    def with_header(**changes: str) -> Callable[[bytes], bytes]:
        def change(data: bytes) -> bytes:
            header, _, rest = data.partition(b"\n")
            return json.dumps({**json.loads(header), **changes}).encode() + b"\n" + rest

        return change

    def flip_in_body(data: bytes) -> bytes:
        changed = bytearray(data)
        changed[len(data) - 20] ^= 0x01  # inside the last figures, still JSON
        return bytes(changed)

    return {
        "empty": lambda data: b"",
        "truncated in half": lambda data: data[: len(data) // 2],
        "header only": lambda data: data.partition(b"\n")[0] + b"\n",
        "last byte lost": lambda data: data[:-2],
        "garbage": lambda data: b"garbage",
        "zeros": lambda data: b"\x00" * len(data),
        "header not JSON": lambda data: b"{not json" + data[data.index(b"\n") :],
        "header a list": lambda data: b"[]" + data[data.index(b"\n") :],
        "header nested too deep": lambda data: b"[" * 100_000 + data[data.index(b"\n") :],
        "another format": with_header(format="hohhot-snapshot/0"),
        "another model": with_header(model="0" * 32),
        "another file's digest": with_header(facts_sha256="0" * 64),
        "body not matching its checksum": flip_in_body,
        "body checksum missing": lambda data: (
            json.dumps({k: v for k, v in json.loads(data.partition(b"\n")[0]).items() if k != "body_sha256"}).encode()
            + data[data.index(b"\n") :]
        ),
    }


@pytest.mark.parametrize("damage", list(_damages()))
def test_damaged_entries_are_never_served_and_are_removed(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    expected = load(facts, cache_dir)
    entry = only_entry(cache_dir)
    damaged = _damages()[damage](entry.read_bytes())
    entry.write_bytes(damaged)
    assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
    assert not entry.exists(), "removed"
    entry.write_bytes(damaged)
    calls = count_parses(monkeypatch)
    assert_same(load(facts, cache_dir), expected)
    assert calls == [str(facts)]
    assert entry.read_bytes() != damaged, "written afresh"
    no_parsing(monkeypatch)
    assert_same(load(facts, cache_dir), expected)


def _shapes() -> dict[str, Callable[[list[object]], object]]:
    """Bodies that are JSON (an object, or its text), whose checksum matches, that are not a stored base."""

    def replaced(path: tuple[int, ...], value: object) -> Callable[[list[object]], object]:
        def change(body: list[object]) -> object:
            node: object = body
            for index in path[:-1]:
                node = node[index]  # type: ignore[index]
            node[path[-1]] = value  # type: ignore[index]
            return body

        return change

    return {
        "an object": lambda body: {"0": body},
        "an empty list": lambda body: [],
        "a string": lambda body: "base",
        "null": lambda body: None,
        "a number": lambda body: 1,
        "a field short": lambda body: body[:-1],
        "a field more": lambda body: [*body, 1],
        "the city a number": replaced((2,), 5),
        "the city a field short": replaced((2,), [1, 2]),
        "the metrics a string": replaced((5,), "metrics"),
        "the metrics an object": replaced((5,), {}),
        "the city's sources a string": replaced((2, 4), "abc"),
        "a metric's unit unknown": replaced((5, 0, 2), "furlongs"),
        "an observation a field short": replaced((5, 0, 3, 0), [1]),
        "nested too deep": lambda body: b"[" * 100_000 + b"]" * 100_000,  # JSON text, too deep for json.dumps
    }


@pytest.mark.parametrize("shape", list(_shapes()))
def test_json_of_the_wrong_shape_is_never_served_and_is_removed(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    expected = load(facts, cache_dir)
    entry = only_entry(cache_dir)
    header, body, _ = entry.read_bytes().split(b"\n")
    changed = _shapes()[shape](json.loads(body))
    text = changed if isinstance(changed, bytes) else json.dumps(changed, ensure_ascii=False).encode()
    entry.write_bytes(_forged(json.loads(header), text))
    assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
    assert not entry.exists(), "removed"
    assert_same(load(facts, cache_dir), expected)


def test_the_forged_entries_above_would_be_read_when_left_as_they_are(facts: Path, cache_dir: Path) -> None:
    """The check of the tests above: an entry forged with an unchanged body is read (so they test the shapes)."""
    expected = load(facts, cache_dir)
    entry = only_entry(cache_dir)
    header, body, _ = entry.read_bytes().split(b"\n")
    entry.write_bytes(_forged(json.loads(header), json.dumps(json.loads(body), ensure_ascii=False).encode()))
    found = cache.read(cache_dir, digest_of(facts), str(facts))
    assert found is not None
    assert_same(found, expected)


def test_flipped_bytes_never_change_an_answer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever bytes of an entry are flipped, the answer is the fresh parse's: a miss, or the same base."""
    directory = tmp_path_factory.mktemp("flips")
    facts = edited_copy(directory)
    cache_dir = directory / "cache"
    fresh = load(facts, cache_dir)
    entry = only_entry(cache_dir)
    original = entry.read_bytes()
    parses: list[int] = []

    def parse(*args: object) -> FactBase:
        parses.append(1)
        return fresh  # what parsing again would give, without parsing hundreds of times

    @settings(max_examples=300, deadline=None)
    @given(
        st.dictionaries(
            st.integers(min_value=0, max_value=len(original) - 1),
            st.integers(min_value=1, max_value=255),
            min_size=1,
            max_size=8,
        )
    )
    def check(flips: dict[int, int]) -> None:
        data = bytearray(original)
        for offset, mask in flips.items():
            data[offset] ^= mask
        entry.write_bytes(data)
        parses.clear()
        answer = load(facts, cache_dir)
        if answer is fresh:
            assert parses == [1] and not entry.exists(), "a miss: parsed, the entry removed"
        else:
            assert parses == [], "a hit"
            assert_same(answer, fresh)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "parse_facts", parse)
        patch.setattr(cache, "store", lambda *args: None)  # keep each example to reading one entry
        check()


def test_an_entry_is_never_unpickled(facts: Path, cache_dir: Path) -> None:
    """A pickle that would run code, planted as an entry, is data that fails its checks."""
    load(facts, cache_dir)
    entry = only_entry(cache_dir)
    marker = cache_dir.parent / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, ...]:
            return (marker.write_text, ("ran",))

    entry.write_bytes(pickle.dumps(Evil()))
    assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
    assert not marker.exists()
    assert not entry.exists(), "removed"


def _strange_entries(tmp_path: Path) -> dict[str, Callable[[Path], None]]:
    fifo = tmp_path / "elsewhere.fifo"
    valid = tmp_path / "valid-copy"

    def link_to_valid(entry: Path) -> None:
        valid.write_bytes(entry.read_bytes())
        entry.unlink()
        entry.symlink_to(valid)

    def link_to_fifo(entry: Path) -> None:
        os.mkfifo(fifo)
        entry.unlink()
        entry.symlink_to(fifo)

    def make_fifo(entry: Path) -> None:
        entry.unlink()
        os.mkfifo(entry)

    def link_to_zero(entry: Path) -> None:
        entry.unlink()
        entry.symlink_to("/dev/zero")

    def make_directory(entry: Path) -> None:
        entry.unlink()
        entry.mkdir()

    return {
        "fifo": make_fifo,
        "link to a fifo": link_to_fifo,
        "link to /dev/zero": link_to_zero,
        "link to a valid entry": link_to_valid,
        "directory": make_directory,
    }


@pytest.mark.parametrize("kind", ["fifo", "link to a fifo", "link to /dev/zero", "link to a valid entry", "directory"])
def test_strange_entries_are_misses_without_hanging(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    expected = load(facts, cache_dir)
    entry = only_entry(cache_dir)
    _strange_entries(tmp_path)[kind](entry)
    calls = count_parses(monkeypatch)
    with deadline(10):
        assert cache.read(cache_dir, digest_of(facts), str(facts)) is None
        assert_same(load(facts, cache_dir), expected)
    assert calls == [str(facts)]
    if kind == "directory":  # not ours to remove, nor to replace
        assert entry.is_dir()
    else:  # replaced by a regular entry, which is then used
        assert stat.S_ISREG(entry.lstat().st_mode)
        no_parsing(monkeypatch)
        assert_same(load(facts, cache_dir), expected)


def test_an_entry_over_the_size_limit_is_not_read(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(facts, cache_dir)
    entry = only_entry(cache_dir)
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", entry.stat().st_size - 1)
    decoded: list[int] = []
    real_load = snapshot.load
    monkeypatch.setattr(snapshot, "load", lambda *args: decoded.append(1) or real_load(*args))
    expected = loader.load_facts(facts)
    calls = count_parses(monkeypatch)
    assert load(facts, cache_dir) == expected
    assert calls == [str(facts)]
    assert decoded == [], "not even read"
    assert entries(cache_dir) == [], "removed, and none that large written"


def test_the_bounds_are_sane() -> None:
    assert cache.MAX_ENTRIES >= 2
    assert cache.MAX_ENTRY_BYTES > reading.MAX_FILE_BYTES, "the entry of the largest fact file fits"
    assert 0 < cache.STRAY_SECONDS <= 3600
    assert cache.SUFFIX and cache.TEMPORARY_PREFIX and not cache.TEMPORARY_PREFIX.endswith(cache.SUFFIX)


# -- writing: atomic, tidy, bounded --------------------------------------------------


@pytest.mark.parametrize("error", [OSError, KeyboardInterrupt])
def test_a_failed_write_leaves_no_temporary_file(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, error: type[BaseException]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        assert temporaries(cache_dir), "fails with the temporary file written"
        raise error("injected")

    monkeypatch.setattr(os, "replace", fail)
    if error is OSError:
        assert load(facts, cache_dir) == loader.load_facts(facts)
    else:
        with pytest.raises(error):
            load(facts, cache_dir)
    assert temporaries(cache_dir) == [] and entries(cache_dir) == []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.SIGTERM not in held and signal.SIGHUP not in held, "signals released"


def test_a_failed_write_of_the_temporary_file_leaves_none(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk: the write itself fails."""
    real_open = open

    class Full:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *args: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

    def opening(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]
        return Full(handle) if isinstance(file, int) and "w" in mode else handle

    monkeypatch.setattr("builtins.open", opening)
    told: list[str] = []
    assert load(facts, cache_dir, debug=told.append) == loader.load_facts(facts)
    assert any("No space left" in line for line in told), told
    assert temporaries(cache_dir) == [] and entries(cache_dir) == []


SIGTERM_DURING_WRITE = """\
import os, signal, sys, time
from pathlib import Path
real_replace = os.replace
def replace(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.2)  # unheld, the signal would have ended the process here
    return real_replace(*args, **kwargs)
os.replace = replace
if sys.argv[1] == "library":
    from hohhot_cli.load import loader
    loader.load_base(Path(sys.argv[2]), cache_dir=Path(sys.argv[3]))
    print("not terminated")
else:  # the console script, whose SIGTERM raises an exception that unwinds the run
    from hohhot_cli.cli.main import run
    sys.argv = ["hohhot", "--facts", sys.argv[2], "metric", "gdp"]
    run()
"""


@pytest.mark.parametrize("caller", ["library", "cli"])
def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path: Path, cache_dir: Path, caller: str) -> None:
    facts = edited_copy(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SIGTERM_DURING_WRITE, caller, str(facts), str(cache_dir)],
        env=subprocess_env(XDG_CACHE_HOME=str(cache_dir.parent)),
        capture_output=True,
        timeout=60,
    )
    expected = -signal.SIGTERM if caller == "library" else 128 + signal.SIGTERM
    assert result.returncode == expected, result
    assert b"not terminated" not in result.stdout
    assert b"Traceback" not in result.stderr
    assert temporaries(cache_dir) == []
    assert len(entries(cache_dir)) == 1, "held until the entry was in place"
    assert cache.read(cache_dir, digest_of(facts), str(facts)) == loader.load_facts(facts), "and whole"


def test_stray_temporary_files_are_removed_once_old(facts: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o700, parents=True)
    old = cache_dir / (cache.TEMPORARY_PREFIX + "killed")
    new = cache_dir / (cache.TEMPORARY_PREFIX + "writing")
    for path in (old, new):
        path.write_bytes(b"partial")
    long_ago = time.time() - cache.STRAY_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    other = cache_dir / "README"
    other.write_text("not ours to remove", encoding="utf-8")
    load(facts, cache_dir)
    assert not old.exists()
    assert new.exists(), "another process may still be writing it"
    assert other.exists()
    assert len(entries(cache_dir)) == 1


def _store_entries(cache_dir: Path, base: FactBase, numbers: range) -> dict[int, Path]:
    """Store the base under one digest per number, each entry a second older than the next."""
    stored: dict[int, Path] = {}
    for number in numbers:
        digest = snapshot.content_digest(b"%d" % number)
        cache.store(cache_dir, digest, base)
        stored[number] = cache_dir / cache.entry_name(digest)
        assert stored[number].exists()
        when = 1_000_000 + number
        os.utime(stored[number], (when, when))
    return stored


def test_pruning_keeps_the_newest_entries(base: FactBase, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    stored = _store_entries(cache_dir, base, range(6))
    assert entries(cache_dir) == sorted(stored[n] for n in (3, 4, 5))


def test_pruning_keeps_the_default_number(base: FactBase, cache_dir: Path) -> None:
    stored = _store_entries(cache_dir, base, range(cache.MAX_ENTRIES + 2))
    assert entries(cache_dir) == sorted(stored[n] for n in range(2, cache.MAX_ENTRIES + 2))


def test_a_hit_counts_as_recent_use(base: FactBase, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    stored = _store_entries(cache_dir, base, range(3))
    assert cache.read(cache_dir, snapshot.content_digest(b"0"), "x.toml") is not None  # a hit on the oldest
    stored.update(_store_entries(cache_dir, base, range(3, 4)))
    assert entries(cache_dir) == sorted(stored[n] for n in (0, 2, 3))


# -- the command line ----------------------------------------------------------------


def test_the_cli_uses_the_cache_and_can_skip_it(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hohhot("--facts", str(facts), *QUERY)
    assert first.exit_code == 0, first
    assert len(entries(cli_cache())) == 1
    no_parsing(monkeypatch)
    assert hohhot("--facts", str(facts), *QUERY).stdout == first.stdout
    with pytest.raises(AssertionError, match="parsed although"):
        hohhot("--facts", str(facts), "--no-cache", *QUERY)


def test_the_cli_caches_the_file_of_hohhot_facts(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOHHOT_FACTS", str(facts))
    assert hohhot(*QUERY).exit_code == 0
    assert [e.name for e in entries(cli_cache())] == [cache.entry_name(digest_of(facts))]


@pytest.mark.parametrize(
    "switch",
    [("--no-cache",), ("after", "--no-cache"), "1", "yes", "true"],
    ids=["--no-cache", "--no-cache after the command", "=1", "=yes", "=true"],
)
def test_turned_off_writes_nothing(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, switch: tuple[str, ...] | str
) -> None:
    if isinstance(switch, str):
        monkeypatch.setenv("HOHHOT_NO_CACHE", switch)
        args = ("--facts", str(facts), *QUERY)
    elif switch[0] == "after":
        args = (*QUERY, "--facts", str(facts), "--no-cache")
    else:
        args = ("--no-cache", "--facts", str(facts), *QUERY)
    calls = count_parses(monkeypatch)
    for _ in range(2):
        result = hohhot(*args)
        assert result.exit_code == 0, result
    assert len(calls) == 2, "parsed each time"
    assert not cli_cache().exists()
    if not isinstance(switch, str):
        assert "HOHHOT_NO_CACHE" not in os.environ, "the option is not passed on through the environment"


@pytest.mark.parametrize("value", ["0", ""])
def test_a_false_switch_keeps_the_cache(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HOHHOT_NO_CACHE", value)
    assert hohhot("--facts", str(facts), *QUERY).exit_code == 0
    assert len(entries(cli_cache())) == 1
    no_parsing(monkeypatch)
    assert hohhot("--facts", str(facts), *QUERY).exit_code == 0


def test_validate_always_parses_never_from_the_cache(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hohhot("--facts", str(facts), "metrics", "--json").exit_code == 0
    assert len(entries(cli_cache())) == 1
    calls = count_parses(monkeypatch)
    for args in (("validate", str(facts)), ("--facts", str(facts), "validate")):
        result = hohhot(*args)
        assert result.exit_code == 0, result
        assert result.stdout.startswith(f"{facts}: valid\n")
    assert calls == [str(facts)] * 2


def test_validate_always_parses_never_from_the_snapshot(
    hohhot_bundled: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even where the wheel's snapshot of the bundled base is there and fits, validate parses the TOML."""
    planted = tmp_path / snapshot.SNAPSHOT_NAME
    planted.write_bytes(snapshot.dump(loader.load_facts(BUNDLED), digest_of(BUNDLED)))
    monkeypatch.setattr(loader, "_bundled_snapshot_file", lambda: str(planted))
    monkeypatch.setattr(loader, "_bundled_facts_file", lambda: str(BUNDLED))
    calls = count_parses(monkeypatch)
    assert hohhot_bundled("metrics", "--json").exit_code == 0
    assert calls == [], "the snapshot fits: the query reads it"
    result = hohhot_bundled("validate")
    assert result.exit_code == 0, result
    assert calls == [str(BUNDLED)]


@pytest.mark.parametrize("made", [True, False], ids=["empty directory", "no directory"])
def test_the_bundled_base_never_touches_the_cache_directory(
    hohhot_bundled: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: bool
) -> None:
    home = tmp_path / "cache-home"
    if made:
        home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))

    def untouchable(*args: object) -> None:
        raise AssertionError("the cache was used for the bundled base")

    monkeypatch.setattr(cache, "read", untouchable)
    monkeypatch.setattr(cache, "store", untouchable)
    for args in (("metric", "gdp", "--json"), ("industries",), ("search", "dairy")):
        result = hohhot_bundled(*args)
        assert result.exit_code == 0, result
    assert (sorted(home.iterdir()) == []) if made else not home.exists()


def test_the_bundled_base_from_its_snapshot_never_touches_the_cache_directory(
    hohhot_bundled: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = tmp_path / snapshot.SNAPSHOT_NAME
    planted.write_bytes(snapshot.dump(loader.load_facts(BUNDLED), digest_of(BUNDLED)))
    monkeypatch.setattr(loader, "_bundled_snapshot_file", lambda: str(planted))
    monkeypatch.setattr(loader, "_bundled_facts_file", lambda: str(BUNDLED))
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    result = hohhot_bundled("metric", "gdp", "--json", env={"HOHHOT_DEBUG": "1"})
    assert result.exit_code == 0, result
    assert f"hohhot: debug: base: snapshot {planted} (" in result.stderr
    assert not home.exists()


# -- the entry's name: the content and the code that built the base ------------------


def test_the_entry_name_follows_the_content() -> None:
    one, two = (cache.entry_name(snapshot.content_digest(data)) for data in (b"one", b"two"))
    assert one != two
    assert one == cache.entry_name(snapshot.content_digest(b"one")), "the same content, the same name"
    assert one.endswith(cache.SUFFIX) and not one.startswith(".")


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's source that :func:`cache.entry_name` hashes instead of the package's."""
    package = Path(cache.__file__).resolve().parents[1]
    copy = tmp_path / "hohhot_cli"
    for layer in ("model", "load", "query"):
        shutil.copytree(package / layer, copy / layer, ignore=shutil.ignore_patterns("__pycache__"))
    digest = snapshot.content_digest(b"facts")
    real = cache.entry_name(digest)
    monkeypatch.setattr(cache, "__file__", str(copy / "load" / "cache.py"))
    assert cache.entry_name(digest) == real, "the copy hashes as the package does"
    return copy


def _edit_keeping_times(module: Path, edit: Callable[[bytes], bytes]) -> None:
    """Change a file, then put its times back, as ``cp -p`` or ``rsync -a`` of an edited copy would."""
    times = module.stat()
    module.write_bytes(edit(module.read_bytes()))
    os.utime(module, ns=(times.st_atime_ns, times.st_mtime_ns))


@pytest.mark.parametrize(
    ("module", "changes_the_name"),
    [
        ("model/facts.py", True),
        ("model/periods.py", True),
        ("load/building.py", True),
        ("load/snapshot.py", True),
        ("load/cache.py", True),
        ("query/queries.py", False),
    ],
)
def test_a_change_to_the_code_of_the_load_or_model_layers_changes_the_entry_name(
    package_copy: Path, module: str, changes_the_name: bool
) -> None:
    digest = snapshot.content_digest(b"facts")
    before = cache.entry_name(digest)
    path = package_copy / module

    def one_byte(data: bytes) -> bytes:
        at = data.index(b"\n") - 1  # the last character of the first line
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]

    _edit_keeping_times(path, one_byte)
    assert (cache.entry_name(digest) != before) is changes_the_name


def test_a_module_added_to_the_load_layer_changes_the_entry_name(package_copy: Path) -> None:
    digest = snapshot.content_digest(b"facts")
    before = cache.entry_name(digest)
    (package_copy / "load" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert cache.entry_name(digest) != before
    (package_copy / "load" / "extra.py").unlink()
    assert cache.entry_name(digest) == before
    shutil.copyfile(package_copy / "load" / "cache.py", package_copy / "load" / "renamed.py")
    (package_copy / "load" / "cache.py").unlink()
    assert cache.entry_name(digest) != before, "a module renamed"


def test_an_entry_of_other_code_is_not_read(
    facts: Path, cache_dir: Path, package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored by the code as it was, read by the code after an edit of the model: a miss, then two entries."""
    load(facts, cache_dir)
    _edit_keeping_times(package_copy / "model" / "facts.py", lambda data: data + b"\n# edited\n")
    calls = count_parses(monkeypatch)
    load(facts, cache_dir)
    assert calls == [str(facts)]
    assert len(entries(cache_dir)) == 2
