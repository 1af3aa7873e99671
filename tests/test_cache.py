"""The parse cache: same answers as a fresh parse, never a stale or damaged one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, Runner

from hohhot_cli import cache, loader
from hohhot_cli.errors import FactFileError
from hohhot_cli.loader import load_facts


def _entries(environ: dict[str, str]) -> list[Path]:
    directory = cache.cache_directory(environ)
    assert directory is not None
    return sorted(directory.glob("*.marshal")) if directory.exists() else []


@pytest.fixture
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg"))}


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.toml"
    path.write_bytes((REPO / "facts.toml").read_bytes())
    return path


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the cache should have answered")

    monkeypatch.setattr(cache, "parse_facts", fail)


def test_a_hit_equals_a_fresh_parse(facts: Path, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_facts(facts)
    first = cache.load_facts_cached(facts, environ)
    assert len(_entries(environ)) == 1
    _no_parsing(monkeypatch)
    second = cache.load_facts_cached(facts, environ)
    assert first == fresh
    assert second == fresh
    assert second.metric_by_id["dairy.revenue"].observations[-1].conversion == (
        fresh.metric_by_id["dairy.revenue"].observations[-1].conversion
    )
    assert second.fact_by_id["admin.division_list"].items == fresh.fact_by_id["admin.division_list"].items


def test_changed_content_is_never_served_stale(facts: Path, environ: dict[str, str]) -> None:
    cache.load_facts_cached(facts, environ)
    stat = facts.stat()
    text = facts.read_text(encoding="utf-8").replace("value = 53_000", "value = 54_000")
    facts.write_text(text, encoding="utf-8")
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time: only the content differs
    base = cache.load_facts_cached(facts, environ)
    assert base.metric_by_id["talent.graduates_staying"].observations[0].value == 54_000
    assert len(_entries(environ)) == 1, "one entry per fact file, replaced rather than added"


def test_changed_code_misses(facts: Path, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_facts_cached(facts, environ)
    monkeypatch.setattr(cache, "_code_stamp", lambda: ("another version",))
    calls = []
    real_parse = cache.parse_facts
    monkeypatch.setattr(cache, "parse_facts", lambda *a: calls.append(1) or real_parse(*a))
    cache.load_facts_cached(facts, environ)
    assert calls == [1]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x00" * 100, None])
def test_damaged_entries_are_ignored(
    facts: Path, environ: dict[str, str], damage: bytes | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = cache.load_facts_cached(facts, environ)
    (entry,) = _entries(environ)
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2] if damage is None else damage)
    assert cache.load_facts_cached(facts, environ) == expected
    _no_parsing(monkeypatch)  # and the entry was written afresh
    assert cache.load_facts_cached(facts, environ) == expected


def test_an_entry_for_other_content_is_not_used(facts: Path, environ: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(facts.read_text(encoding="utf-8").replace("value = 53_000", "value = 1"), encoding="utf-8")
    cache.load_facts_cached(other, environ)
    (other_entry,) = _entries(environ)
    cache.load_facts_cached(facts, environ)
    facts_entry = next(e for e in _entries(environ) if e != other_entry)
    facts_entry.write_bytes(other_entry.read_bytes())  # an entry that belongs to another file
    base = cache.load_facts_cached(facts, environ)
    assert base.metric_by_id["talent.graduates_staying"].observations[0].value == 53_000


@pytest.mark.parametrize("switch", ["1", "yes"])
def test_turned_off_writes_nothing(facts: Path, environ: dict[str, str], switch: str) -> None:
    off = {**environ, "HOHHOT_NO_CACHE": switch}
    assert cache.cache_directory(off) is None
    assert cache.load_facts_cached(facts, off) == load_facts(facts)
    assert _entries(environ) == []


def test_unwritable_cache_is_no_error(facts: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    assert cache.load_facts_cached(facts, {"XDG_CACHE_HOME": str(blocker)}) == load_facts(facts)


def test_invalid_files_are_never_cached(tmp_path: Path, environ: dict[str, str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FactFileError) as caught:
            cache.load_facts_cached(bad, environ)
        assert "missing required key 'updated'" in str(caught.value.problems[0])
    assert _entries(environ) == []


def test_relative_xdg_cache_home_is_ignored() -> None:
    directory = cache.cache_directory({"XDG_CACHE_HOME": "relative/dir"})
    assert directory is not None and directory.is_absolute()


def test_the_cli_uses_the_cache_and_can_skip_it(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hohhot("--facts", str(facts), "metric", "gdp", "--json")
    assert first.exit_code == 0, first
    directory = cache.cache_directory(dict(os.environ))
    assert directory is not None and len(list(directory.glob("*.marshal"))) == 1
    _no_parsing(monkeypatch)
    assert hohhot("--facts", str(facts), "metric", "gdp", "--json").stdout == first.stdout
    with pytest.raises(AssertionError, match="parsed although"):
        hohhot("--facts", str(facts), "--no-cache", "metric", "gdp", "--json")


def test_validate_always_parses(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hohhot("--facts", str(facts), "metrics", "--json")
    calls = []
    real_parse = loader.parse_facts
    monkeypatch.setattr(loader, "parse_facts", lambda *a: calls.append(1) or real_parse(*a))
    assert hohhot("validate", str(facts)).exit_code == 0
    assert calls == [1]


def test_relative_and_absolute_spellings_share_an_entry(
    facts: Path, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(facts.parent)
    cache.load_facts_cached(Path(facts.name), environ)
    _no_parsing(monkeypatch)
    base = cache.load_facts_cached(facts, environ)
    assert base.path == str(facts), "the path is the one asked for, not the one cached first"
    assert cache.load_facts_cached(Path(facts.name), environ).path == facts.name
    assert len(_entries(environ)) == 1


def test_the_code_stamp_follows_the_source_not_its_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit copied with its old time (cp -p, rsync -a) still changes the stamp."""
    module = tmp_path / "queries.py"
    module.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "__file__", str(tmp_path / "cache.py"))
    before = cache._code_stamp()
    times = module.stat()
    module.write_text("A = 2\n", encoding="utf-8")
    os.utime(module, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert cache._code_stamp() != before
