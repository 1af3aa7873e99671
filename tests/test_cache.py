"""The parse cache: same answers as a fresh parse, never a stale, damaged or planted one."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import marshal
import os
import signal
import stat
import subprocess
import sys
import time
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import REPO, Runner, subprocess_env

from hohhot_cli.load import cache, codec, loader, reading
from hohhot_cli.load.loader import load_facts
from hohhot_cli.model import facts as model
from hohhot_cli.model.errors import FactFileError
from hohhot_cli.model.facts import FactBase

# -- helpers -------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg") / "hohhot"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.toml"
    path.write_bytes((REPO / "facts.toml").read_bytes())
    return path


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*" + cache.SUFFIX)) if directory.exists() else []


def _only_entry(directory: Path) -> Path:
    (entry,) = _entries(directory)
    return entry


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real_parse = cache.parse_facts
    monkeypatch.setattr(cache, "parse_facts", lambda *a: calls.append(1) or real_parse(*a))
    return calls


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the cache should have answered")

    monkeypatch.setattr(cache, "parse_facts", fail)


def _variant(directory: Path, number: int) -> Path:
    """A valid fact file whose content differs from the bundled one (and from other numbers)."""
    path = directory / f"facts-{number}.toml"
    text = (REPO / "facts.toml").read_text(encoding="utf-8")
    path.write_text(text.replace("value = 53_000", f"value = {53_000 + number}", 1), encoding="utf-8")
    return path


class Hung(BaseException):
    """Raised by _deadline; not an OSError (TimeoutError is one), so no handler of I/O errors takes it."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
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


def _assert_same(a: Any, b: Any, where: str = "") -> None:
    """Equal and of the same types all the way down (== alone takes 1 for 1.0 and an enum for its value)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, Mapping):
        assert list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}[{key!r}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


# -- the codec: every field of every model class, found by introspection ----------------

MODEL_CLASSES = sorted(
    (c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)),
    key=lambda c: c.__name__,
)


def _sample(hint: Any, default: Any, salt: str) -> Any:
    """A value of the annotation that differs from the default (a non-empty, non-None, non-first one)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        return _sample(float if float in others else others[0], default, salt)
    if origin is typing.Literal:
        return next(a for a in args if a != default)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_sample(args[0], dataclasses.MISSING, f"{salt}-{i}") for i in range(2))
        return tuple(_sample(a, dataclasses.MISSING, f"{salt}-{i}") for i, a in enumerate(args))
    if origin in (Mapping, dict):
        data = {_sample(args[0], dataclasses.MISSING, salt): _sample(args[1], dataclasses.MISSING, salt)}
        return data if origin is dict else types.MappingProxyType(data)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(m for m in reversed(list(hint)) if m is not default)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _instance(hint, salt)
    if hint is bool:
        return not default if isinstance(default, bool) else True
    if hint is int:
        return 7 if default != 7 else 8
    if hint is float:
        return 2.5 if default != 2.5 else 3.5
    if hint is dt.datetime:
        return dt.datetime(2024, 2, 29, 12, 30, 5)
    if hint is dt.date:
        return dt.date(2024, 2, 29)
    if hint is str:
        return f"{salt}-text"
    if hint is bytes:
        return salt.encode()
    raise AssertionError(f"no sample for {hint!r}: teach _sample the new type")


def _instance(cls: type, salt: str = "x") -> Any:
    """An instance with a non-default value in every field it takes."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.init:
            default = field.default
            if field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            values[field.name] = _sample(hints[field.name], default, f"{salt}-{field.name}")
            assert values[field.name] != default, f"{cls.__name__}.{field.name}: sample equals the default"
    return cls(**values)


def _round_trip(item: Any) -> Any:
    return codec.decode(type(item), marshal.loads(marshal.dumps(codec.encode(item))))


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_field_of_every_model_class_survives_the_codec(cls: type) -> None:
    item = _instance(cls)
    _assert_same(_round_trip(item), item, cls.__name__)
    # And in tables (a tuple of them), and in tables nested in a column of tables.
    rows = dataclasses.make_dataclass("Rows", [("rows", tuple[cls, ...])], frozen=True)  # type: ignore[valid-type]
    nested = dataclasses.make_dataclass("Nested", [("groups", tuple[rows, ...])], frozen=True)  # type: ignore[valid-type]
    many = nested((rows((_instance(cls, "a"), _instance(cls, "b"))), rows(()), rows((_instance(cls, "c"),))))
    _assert_same(_round_trip(many), many, f"tables of {cls.__name__}")


def test_the_model_has_the_classes_the_codec_was_tested_on() -> None:
    assert {c.__name__ for c in MODEL_CLASSES} >= {"FactBase", "Metric", "Observation", "Conversion", "Source"}


class Colour(str, Enum):
    RED = "red"
    BLUE = "blue"


class Level(Enum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass(frozen=True)
class Leaf:
    name: str
    when: dt.date
    colour: Colour = Colour.RED
    levels: tuple[Level, ...] = ()
    weight: int | float = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Tagged:
    label: str
    at: dt.datetime | None = None
    flag: bool = False


@dataclasses.dataclass(frozen=True)
class Tree:
    leaves: tuple[Leaf, ...]
    tagged: Tagged | None
    table: Mapping[str, Leaf]
    plain: dict[str, int]
    groups: tuple[tuple[str, ...], ...] = ()
    kinds: tuple[Colour, ...] = ()
    maybe_leaves: tuple[Leaf | None, ...] = ()
    count: int = 0
    derived: int = dataclasses.field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", len(self.leaves))


def test_the_codec_carries_new_fields_and_types_without_being_told() -> None:
    """What the model may gain (dates, kw-only fields, enums in tuples, mappings) round-trips as it is."""
    tree = _instance(Tree)
    assert tree.derived == 2
    _assert_same(_round_trip(tree), tree, "Tree")


def test_a_type_the_codec_cannot_store_is_refused_when_first_seen() -> None:
    @dataclasses.dataclass(frozen=True)
    class Listy:
        items: list[str]

    with pytest.raises(TypeError, match=r"Listy\.items"):
        codec.encode(Listy(["a"]))


def test_the_codec_names_no_model_field() -> None:
    """The codec derives everything from the model: no field or class name written out by hand."""
    names = {c.__name__ for c in MODEL_CLASSES}
    names |= {f.name for c in MODEL_CLASSES for f in dataclasses.fields(c)}
    tree = ast.parse(Path(codec.__file__).read_text(encoding="utf-8"))
    written = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    written |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    # Names the codec uses for what they are in Python, not for model fields: Enum.value,
    # Field.name, datetime.date, dict.items().
    assert names & written <= {"value", "name", "date", "items"}, sorted(names & written)
    for module in (codec, cache):
        imported = set()
        for node in ast.walk(ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert not imported & {"pickle", "_pickle", "shelve", "copyreg"}, module.__name__


def test_the_codec_restores_objects_in_one_place_only(base: FactBase) -> None:
    """Objects come back equal, frozen and holding their fields only; instance dicts are written by
    the codec's one restorer (as pickle restores an instance), never by the cache or anywhere else."""
    rebuilt = _round_trip(base)
    _assert_same(rebuilt, base)
    observation = rebuilt.metrics[0].observations[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        observation.value = 1  # type: ignore[misc]
    assert set(vars(observation)) == {f.name for f in dataclasses.fields(observation)}
    source = Path(codec.__file__).read_text(encoding="utf-8")
    restorer = source[source.index("def _column_builder") :].split("\ndef ", 1)[0]
    assert source.count("__dict__") == restorer.count("__dict__") > 0
    for module in PACKAGE_MODULES:
        if module.name != "codec.py":
            assert "__dict__" not in module.read_text(encoding="utf-8"), module.name


PACKAGE_MODULES = sorted((REPO / "src" / "hohhot_cli").glob("*.py"))


class _Text(str):
    """A str subclass: never shared with an equal str."""


def _pool() -> list[object]:
    """Values a plain column may hold, with equal objects that are not the same object."""
    made = "".join  # a new object each time, not an interned constant
    return [
        made(["gdp", ".total"]),
        made(["gdp", ".total"]),
        "",
        None,
        0,
        1,
        1.0,
        True,
        -2.5,
        b"raw",
        (),
        (made(["src", "-1"]),),
        (made(["src", "-1"]),),
        (made(["a"]), made(["b"])),
        (1,),
        (1.0,),
        (True,),
        (made(["x"]), 1),
        _Text("gdp.total"),
        (_Text("src-1"),),
    ]


_FAMILIES: dict[str, Callable[[object], bool]] = {
    "strings": lambda value: type(value) is str,
    "strings or None": lambda value: type(value) is str or value is None,
    "tuples of strings": lambda value: type(value) is tuple and all(type(item) is str for item in value),
    "tuples": lambda value: type(value) is tuple,
    "numbers": lambda value: type(value) in (int, float, bool),
    "strings, None or numbers": lambda value: type(value) in (str, type(None), int, float, bool),
    "anything": lambda value: True,
}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_FAMILIES)), st.lists(st.integers(0, 99), max_size=12)), max_size=6))
def test_a_plain_column_is_encoded_as_its_values_one_at_a_time(columns: list[tuple[str, list[int]]]) -> None:
    """The column encoder's quick loops give each value the very object encode() gives it alone,
    across columns that share one memo: equal strings and tuples of strings shared, nothing else."""
    pool = _pool()
    plain = codec._Plain()
    alone: dict[Any, Any] = {}
    together: dict[Any, Any] = {}
    for family, column in columns:
        members = [value for value in pool if _FAMILIES[family](value)]
        values = [members[n % len(members)] for n in column]
        expected = [plain.encode(value, alone) for value in values]
        encoded = plain.encode_column(values, together)
        assert type(encoded) is tuple and len(encoded) == len(expected)
        assert all(a is b for a, b in zip(encoded, expected, strict=True)), (values, encoded, expected)


# -- hits, misses, keys ------------------------------------------------------------------


def test_a_hit_equals_a_fresh_parse(facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_facts(facts)
    first = cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert len(_entries(cache_dir)) == 1
    _no_parsing(monkeypatch)
    second = cache.load_facts_cached(facts, cache_dir=cache_dir)
    _assert_same(first, fresh)
    _assert_same(second, fresh)
    assert second.metric_by_id["dairy.revenue"].observations[-1].conversion == (
        fresh.metric_by_id["dairy.revenue"].observations[-1].conversion
    )
    assert second.fact_by_id["admin.division_list"].items == fresh.fact_by_id["admin.division_list"].items


def test_an_edit_with_the_same_size_and_time_misses(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    before = facts.stat()
    text = facts.read_text(encoding="utf-8").replace("value = 53_000", "value = 54_000")
    facts.write_text(text, encoding="utf-8")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time: only the content differs
    assert facts.stat().st_size == before.st_size
    calls = _count_parses(monkeypatch)
    base = cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert calls == [1]
    assert base.metric_by_id["talent.graduates_staying"].observations[0].value == 54_000


def test_changed_code_misses(facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    monkeypatch.setattr(cache, "_code_stamp", lambda: ("another version",))
    calls = _count_parses(monkeypatch)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert calls == [1]


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


def test_the_code_stamp_holds_the_versions() -> None:
    stamp = cache._code_stamp()
    assert stamp[0] == cache.__version__
    assert stamp[1] == sys.version


def test_an_entry_for_other_content_is_not_used(facts: Path, cache_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(facts.read_text(encoding="utf-8").replace("value = 53_000", "value = 1"), encoding="utf-8")
    cache.load_facts_cached(other, cache_dir=cache_dir)
    other_entry = _only_entry(cache_dir)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    facts_entry = next(e for e in _entries(cache_dir) if e != other_entry)
    facts_entry.write_bytes(other_entry.read_bytes())  # a valid entry, of another file, under this one's name
    base = cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert base.metric_by_id["talent.graduates_staying"].observations[0].value == 53_000


def test_relative_and_absolute_spellings_share_an_entry(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(facts.parent)
    cache.load_facts_cached(Path(facts.name), cache_dir=cache_dir)
    _no_parsing(monkeypatch)
    base = cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert base.path == str(facts), "the path is the one asked for, not the one cached first"
    assert cache.load_facts_cached(Path(facts.name), cache_dir=cache_dir).path == facts.name
    assert len(_entries(cache_dir)) == 1


def test_copies_of_one_file_share_an_entry(facts: Path, cache_dir: Path, tmp_path: Path) -> None:
    """Thirty deleted temporary copies of one base leave one entry, not thirty."""
    for number in range(30):
        copy = tmp_path / f"copy-{number}.toml"
        copy.write_bytes(facts.read_bytes())
        assert cache.load_facts_cached(copy, cache_dir=cache_dir).path == str(copy)
        copy.unlink()
    assert len(_entries(cache_dir)) == 1


def test_invalid_files_are_never_cached(tmp_path: Path, cache_dir: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FactFileError) as caught:
            cache.load_facts_cached(bad, cache_dir=cache_dir)
        assert "missing required key 'updated'" in str(caught.value.problems[0])
    assert _entries(cache_dir) == []


def test_no_cache_directory_means_a_fresh_parse_and_nothing_written(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_parses(monkeypatch)
    for _ in range(2):
        _assert_same(cache.load_facts_cached(facts, cache_dir=None), load_facts(facts))
    assert calls == [1, 1]
    assert not cache_dir.exists()


def test_unwritable_cache_is_no_error(facts: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    assert cache.load_facts_cached(facts, cache_dir=blocker / "hohhot") == load_facts(facts)


def test_the_library_leaves_the_garbage_collector_alone(facts: Path, cache_dir: Path) -> None:
    frozen = gc.get_freeze_count()
    for _ in range(2):  # a miss, then a hit
        cache.load_facts_cached(facts, cache_dir=cache_dir)
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen


# -- the cache directory -------------------------------------------------------------------


def test_the_default_directory_follows_xdg() -> None:
    assert cache.default_cache_directory({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/hohhot")
    assert cache.default_cache_directory({"HOME": "/home/u"}) == Path("/home/u/.cache/hohhot")
    assert cache.default_cache_directory({"XDG_CACHE_HOME": "", "HOME": "/home/u"}) == Path("/home/u/.cache/hohhot")


def test_relative_xdg_cache_home_is_ignored() -> None:
    directory = cache.default_cache_directory({"XDG_CACHE_HOME": "relative/dir"})
    assert directory.is_absolute()
    assert directory == cache.default_cache_directory({"HOME": os.path.expanduser("~")})


def test_the_directory_is_made_private(facts: Path, cache_dir: Path) -> None:
    umask = os.umask(0)
    try:
        cache.load_facts_cached(facts, cache_dir=cache_dir)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(_only_entry(cache_dir).stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o770, 0o777, 0o720, 0o702], ids=oct)
def test_a_directory_others_may_write_is_not_used(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    before = entry.read_bytes()
    cache_dir.chmod(mode)
    (cache_dir / "planted.entry").write_bytes(b"x")
    warnings: list[str] = []
    calls = _count_parses(monkeypatch)
    base = cache.load_facts_cached(facts, cache_dir=cache_dir, warn=warnings.append)
    assert calls == [1], "a planted entry in a shared directory is never read"
    assert base == load_facts(facts)
    assert warnings == [f"cache directory {cache_dir} is writable by others; not using it"]
    assert entry.read_bytes() == before and (cache_dir / "planted.entry").exists(), "nothing written or pruned"


def test_a_directory_of_another_user_is_not_used(facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    monkeypatch.setattr(os, "getuid", lambda: cache_dir.stat().st_uid + 1)
    warnings: list[str] = []
    calls = _count_parses(monkeypatch)
    assert cache.load_facts_cached(facts, cache_dir=cache_dir, warn=warnings.append) == load_facts(facts)
    assert calls == [1]
    assert warnings == [f"cache directory {cache_dir} is not owned by you; not using it"]
    assert cache.load_facts_cached(facts, cache_dir=cache_dir) is not None, "no warn function: silent"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file away needs root")
def test_an_entry_of_another_user_is_not_used(facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    os.chown(_only_entry(cache_dir), 4242, -1)
    calls = _count_parses(monkeypatch)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert calls == [1]
    assert _only_entry(cache_dir).stat().st_uid == os.getuid(), "replaced by one of the user's own"


# -- damaged, planted and strange entries ------------------------------------------------------


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x00" * 100, None])
def test_damaged_entries_are_ignored(
    facts: Path, cache_dir: Path, damage: bytes | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2] if damage is None else damage)
    assert cache.load_facts_cached(facts, cache_dir=cache_dir) == expected
    _no_parsing(monkeypatch)  # and the entry was written afresh
    assert cache.load_facts_cached(facts, cache_dir=cache_dir) == expected


def test_a_flipped_bit_is_never_served_and_the_entry_is_removed(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug this layout exists for: one bit in a stored figure changed 256.0 bn into 255.99 bn."""
    fresh = cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    data = bytearray(entry.read_bytes())
    data[cache._HEADER + (len(data) - cache._HEADER) // 2] ^= 0x01  # inside the marshal payload
    entry.write_bytes(data)
    removed: list[str] = []
    real_remove = cache._remove
    monkeypatch.setattr(cache, "_remove", lambda d, name: removed.append(name) or real_remove(d, name))
    monkeypatch.setattr(cache, "_store", lambda *a: None)
    loads = []
    monkeypatch.setattr(marshal, "loads", lambda *a: loads.append(1))  # the checksum is checked first
    calls = _count_parses(monkeypatch)
    _assert_same(cache.load_facts_cached(facts, cache_dir=cache_dir), fresh)
    assert calls == [1]
    assert loads == [], "a damaged payload is never unmarshalled"
    assert removed == [entry.name] and not entry.exists()


def test_flipped_bytes_never_change_an_answer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever bytes of an entry are flipped, the answer is the fresh parse's."""
    directory = tmp_path_factory.mktemp("flips")
    facts = directory / "facts.toml"
    facts.write_bytes((REPO / "facts.toml").read_bytes())
    cache_dir = directory / "cache"
    fresh = cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    original = entry.read_bytes()
    parses: list[int] = []

    def parse(*args: object) -> FactBase:
        parses.append(1)
        return fresh  # the same answer as parsing again, without parsing 1,000 times

    @settings(max_examples=1000, deadline=None)
    @given(
        st.dictionaries(
            st.integers(min_value=0, max_value=len(original) - 1), st.integers(min_value=1, max_value=255), min_size=1
        )
    )
    def check(flips: dict[int, int]) -> None:
        data = bytearray(original)
        for offset, mask in flips.items():
            data[offset] ^= mask
        entry.write_bytes(data)
        parses.clear()
        answer = cache.load_facts_cached(facts, cache_dir=cache_dir)
        if answer is not fresh:
            _assert_same(answer, fresh)
        assert parses == [1], "a changed entry is a miss"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "parse_facts", parse)
        patch.setattr(cache, "_store", lambda *a: None)  # keep each example to reading one entry
        check()


def test_a_planted_entry_with_a_wrong_checksum_is_not_served(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    stored = entry.read_bytes()
    planted = dataclasses.replace(load_facts(facts), updated="1999-01-01")
    payload = marshal.dumps(codec.encode(planted))
    # The right magic and key, another base's payload, a checksum that is not its own.
    entry.write_bytes(stored[: len(cache.MAGIC) + 32] + b"\x00" * 32 + payload)
    calls = _count_parses(monkeypatch)
    assert cache.load_facts_cached(facts, cache_dir=cache_dir).updated == load_facts(facts).updated
    assert calls == [1]


def test_an_entry_is_never_unpickled(facts: Path, cache_dir: Path) -> None:
    """A pickle that would run code, planted as an entry, is data that fails its checks."""
    import pickle

    cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    marker = cache_dir.parent / "ran"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (marker.write_text, ("ran",))

    entry.write_bytes(pickle.dumps(Evil()))
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert not marker.exists()


def _kinds_of_strange_entry(tmp_path: Path) -> dict[str, Callable[[Path], None]]:
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
    expected = cache.load_facts_cached(facts, cache_dir=cache_dir)
    entry = _only_entry(cache_dir)
    _kinds_of_strange_entry(tmp_path)[kind](entry)
    calls = _count_parses(monkeypatch)
    with _deadline(10):
        assert cache.load_facts_cached(facts, cache_dir=cache_dir) == expected
    assert calls == [1]
    if kind != "directory":  # replaced by a regular entry, which is then used
        assert stat.S_ISREG(entry.lstat().st_mode)
        _no_parsing(monkeypatch)
        assert cache.load_facts_cached(facts, cache_dir=cache_dir) == expected


def test_an_entry_over_the_size_limit_is_not_read(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 1000)
    calls = _count_parses(monkeypatch)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert calls == [1]
    assert _entries(cache_dir) == [], "and none that large is written"


# -- writing: atomic, tidy, bounded ---------------------------------------------------------------


def _temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(cache.TEMPORARY_PREFIX))


@pytest.mark.parametrize("error", [OSError, KeyboardInterrupt])
def test_a_failed_write_leaves_no_temporary_file(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, error: type[BaseException]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        assert _temporaries(cache_dir), "fails with the temporary file written"
        raise error("injected")

    monkeypatch.setattr(os, "replace", fail)
    if error is OSError:
        assert cache.load_facts_cached(facts, cache_dir=cache_dir) == load_facts(facts)
    else:
        with pytest.raises(error):
            cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert _temporaries(cache_dir) == [] and _entries(cache_dir) == []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.SIGTERM not in held and signal.SIGHUP not in held, "signals released"


SIGTERM_DURING_WRITE = """\
import os, signal, sys, time
from pathlib import Path
import hohhot_cli.load.cache as cache
real_replace = os.replace
def replace(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.2)  # unheld, the signal would have ended the process here
    return real_replace(*args, **kwargs)
os.replace = replace
cache.load_facts_cached(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
print("not terminated")
"""


def test_sigterm_during_a_write_leaves_no_temporary_file(facts: Path, cache_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SIGTERM_DURING_WRITE, str(facts), str(cache_dir)],
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGTERM, result
    assert _temporaries(cache_dir) == []
    assert len(_entries(cache_dir)) == 1, "held until the entry was in place"


def test_stray_temporary_files_are_removed_once_old(facts: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o700, parents=True)
    old, new = cache_dir / ".entry-killed", cache_dir / ".entry-writing"
    for path in (old, new):
        path.write_bytes(b"partial")
    two_minutes_ago = time.time() - 120
    os.utime(old, (two_minutes_ago, two_minutes_ago))
    legacy = cache_dir / ("0" * 32 + ".marshal")  # the first layout's entries are never read again
    legacy.write_bytes(b"old")
    other = cache_dir / "README"
    other.write_text("not ours to remove", encoding="utf-8")
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert not old.exists() and not legacy.exists()
    assert new.exists(), "another process may still be writing it"
    assert other.exists()


def _write_entries(directory: Path, cache_dir: Path, numbers: range) -> dict[int, Path]:
    """Load variants one by one, each entry a second older than the next; their entries by number."""
    entries: dict[int, Path] = {}
    for number in numbers:
        seen = set(_entries(cache_dir))
        cache.load_facts_cached(_variant(directory, number), cache_dir=cache_dir)
        (entries[number],) = set(_entries(cache_dir)) - seen
        when = 1_000_000 + number
        os.utime(entries[number], (when, when))
    return entries


def test_pruning_keeps_the_newest_entries(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    entries = _write_entries(tmp_path, cache_dir, range(6))
    assert _entries(cache_dir) == sorted(entries[n] for n in (3, 4, 5))


def test_pruning_keeps_the_directory_under_its_size(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _write_entries(tmp_path, cache_dir, range(1))
    size = entries[0].stat().st_size
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", int(size * 2.5))
    entries.update(_write_entries(tmp_path, cache_dir, range(1, 5)))
    assert _entries(cache_dir) == sorted(entries[n] for n in (3, 4))
    assert sum(p.stat().st_size for p in _entries(cache_dir)) <= cache.MAX_TOTAL_BYTES


def test_a_hit_counts_as_recent_use(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    entries = _write_entries(tmp_path, cache_dir, range(3))
    cache.load_facts_cached(tmp_path / "facts-0.toml", cache_dir=cache_dir)  # a hit on the oldest
    entries.update(_write_entries(tmp_path, cache_dir, range(3, 4)))
    assert _entries(cache_dir) == sorted(entries[n] for n in (0, 2, 3))


def test_the_bounds_are_sane() -> None:
    assert cache.MAX_ENTRIES >= 2
    assert cache.MAX_ENTRY_BYTES <= cache.MAX_TOTAL_BYTES
    assert cache.MAX_ENTRY_BYTES > reading.MAX_FILE_BYTES, "the largest valid fact file's entry fits"


# -- the command line ---------------------------------------------------------------------------------


def _cli_cache() -> Path:
    return cache.default_cache_directory(os.environ)


def test_the_cli_uses_the_cache_and_can_skip_it(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hohhot("--facts", str(facts), "metric", "gdp", "--json")
    assert first.exit_code == 0, first
    assert len(_entries(_cli_cache())) == 1
    _no_parsing(monkeypatch)
    assert hohhot("--facts", str(facts), "metric", "gdp", "--json").stdout == first.stdout
    with pytest.raises(AssertionError, match="parsed although"):
        hohhot("--facts", str(facts), "--no-cache", "metric", "gdp", "--json")


@pytest.mark.parametrize("switch", [("--no-cache",), "1", "yes", "true"])
def test_turned_off_writes_nothing(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, switch: tuple[str, ...] | str
) -> None:
    if isinstance(switch, str):
        monkeypatch.setenv("HOHHOT_NO_CACHE", switch)
    args = switch if isinstance(switch, tuple) else ()
    result = hohhot(*args, "--facts", str(facts), "metric", "gdp", "--json")
    assert result.exit_code == 0, result
    assert not _cli_cache().exists()
    if args:
        assert "HOHHOT_NO_CACHE" not in os.environ, "the option is not passed on through the environment"


@pytest.mark.parametrize("value", ["0", ""])
def test_a_false_switch_keeps_the_cache(
    hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HOHHOT_NO_CACHE", value)
    assert hohhot("--facts", str(facts), "metric", "gdp", "--json").exit_code == 0
    assert len(_entries(_cli_cache())) == 1


def test_the_cli_warns_once_about_an_unsafe_directory(hohhot: Runner, facts: Path) -> None:
    expected = hohhot("--no-cache", "--facts", str(facts), "metric", "gdp", "--json").stdout
    directory = _cli_cache()
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    result = hohhot("--facts", str(facts), "metric", "gdp", "--json")
    assert result.exit_code == 0
    assert result.stdout == expected
    assert result.stderr == f"hohhot: warning: cache directory {directory} is writable by others; not using it\n"
    assert _entries(directory) == []


def test_validate_always_parses(hohhot: Runner, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hohhot("--facts", str(facts), "metrics", "--json")
    calls = []
    real_parse = loader.parse_facts
    monkeypatch.setattr(loader, "parse_facts", lambda *a: calls.append(1) or real_parse(*a))
    assert hohhot("validate", str(facts)).exit_code == 0
    assert calls == [1]


# -- what a load reports ---------------------------------------------------------------------------


def test_on_loaded_reports_the_content_the_base_was_built_from(facts: Path, cache_dir: Path) -> None:
    from hohhot_cli.load.digest import content_digest

    expected = (str(facts), facts.stat().st_size, content_digest(facts.read_bytes()))
    for directory in (None, cache_dir, cache_dir):  # no cache, a miss, a hit
        told: list[tuple[str, int, bytes]] = []
        cache.load_facts_cached(facts, cache_dir=directory, on_loaded=lambda *a, told=told: told.append(a))
        assert told == [expected]
    assert len(expected[2]) == 32


def test_on_loaded_reports_the_content_through_every_path(facts: Path, cache_dir: Path, later: None) -> None:
    """A record answers without reading the file; the digest reported is the one stored with the entry."""
    from hohhot_cli.load.digest import content_digest

    expected = (str(facts), facts.stat().st_size, content_digest(facts.read_bytes()))
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    for load in (cache.load_facts_cached, functools.partial(cache.load_metrics_cached, queries=["gdp"])):
        told: list[tuple[str, int, bytes]] = []
        load(facts, cache_dir=cache_dir, on_loaded=lambda *a, told=told: told.append(a))
        assert told == [expected]


# -- records of files seen: the content digest without reading the file ----------------------------


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock ten seconds on: a file written by the test counts as settled, and is recorded."""
    real = time.time_ns
    monkeypatch.setattr(cache, "_clock", lambda: real() + 10 * 10**9)


def _records(directory: Path) -> list[Path]:
    return sorted(directory.glob("*" + cache.RECORD_SUFFIX)) if directory.exists() else []


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real_read = cache.read_bytes
    monkeypatch.setattr(cache, "read_bytes", lambda *a: calls.append(1) or real_read(*a))
    return calls


def test_a_settled_file_is_not_read_again(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, later: None
) -> None:
    fresh = load_facts(facts)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert len(_records(cache_dir)) == 1
    reads = _count_reads(monkeypatch)
    _no_parsing(monkeypatch)
    _assert_same(cache.load_facts_cached(facts, cache_dir=cache_dir), fresh)
    part = cache.load_metrics_cached(facts, ["gdp.total"], cache_dir=cache_dir)
    assert part.metric_by_id["gdp.total"] == fresh.metric_by_id["gdp.total"]
    assert reads == []


def test_a_file_changed_within_the_racy_margin_is_not_recorded(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose times are not safely older than the read is hashed again on every load."""
    changed = max(facts.stat().st_mtime_ns, facts.stat().st_ctime_ns)
    monkeypatch.setattr(cache, "_clock", lambda: changed + cache.RACY_NS - 1)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert _records(cache_dir) == [] and len(_entries(cache_dir)) == 1
    reads = _count_reads(monkeypatch)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert reads == [1]
    monkeypatch.setattr(cache, "_clock", lambda: changed + cache.RACY_NS + 1)
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert len(_records(cache_dir)) == 1


@pytest.mark.parametrize("change", ["edited in place, times put back", "cp -p over it", "another moved over it"])
def test_a_changed_file_is_read_again_whatever_its_size_and_times(
    facts: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: None, change: str
) -> None:
    cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert len(_records(cache_dir)) == 1
    before = facts.stat()
    time.sleep(0.05)  # past the clock tick of the file's own times (what the racy margin ensures)
    text = facts.read_text(encoding="utf-8").replace("value = 53_000", "value = 54_000")
    if change.startswith("edited"):
        facts.write_text(text, encoding="utf-8")
        os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        other = tmp_path / "other.toml"
        other.write_text(text, encoding="utf-8")
        os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
        if change.startswith("cp"):
            subprocess.run(["cp", "-p", str(other), str(facts)], check=True)
        else:
            os.replace(other, facts)
            assert facts.stat().st_ino != before.st_ino
    after = facts.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    calls = _count_parses(monkeypatch)
    base = cache.load_facts_cached(facts, cache_dir=cache_dir)
    assert base.metric_by_id["talent.graduates_staying"].observations[0].value == 54_000
    part = cache.load_metrics_cached(facts, ["talent"], cache_dir=cache_dir)
    assert part.metric_by_id["talent.graduates_staying"].observations[0].value == 54_000
    assert calls == [1]


def test_records_are_bounded(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, later: None) -> None:
    monkeypatch.setattr(cache, "MAX_RECORDS", 2)
    for number in range(4):
        copy = tmp_path / f"copy-{number}.toml"
        copy.write_bytes((REPO / "facts.toml").read_bytes())
        cache.load_facts_cached(copy, cache_dir=cache_dir)
    assert len(_records(cache_dir)) == 2 and len(_entries(cache_dir)) == 1


def test_damaged_records_never_change_an_answer(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, later: None
) -> None:
    """Whatever bytes of a record are flipped, the file is read and the answer is the fresh parse's."""
    directory = tmp_path_factory.mktemp("records")
    facts = directory / "facts.toml"
    facts.write_bytes((REPO / "facts.toml").read_bytes())
    cache_dir = directory / "cache"
    fresh = cache.load_facts_cached(facts, cache_dir=cache_dir)
    (record,) = _records(cache_dir)
    original = record.read_bytes()
    reads = _count_reads(monkeypatch)
    monkeypatch.setattr(cache, "_store", lambda *a: None)

    @settings(max_examples=200, deadline=None)
    @given(
        st.dictionaries(
            st.integers(min_value=0, max_value=len(original) - 1), st.integers(min_value=1, max_value=255), min_size=1
        )
    )
    def check(flips: dict[int, int]) -> None:
        data = bytearray(original)
        for offset, mask in flips.items():
            data[offset] ^= mask
        record.write_bytes(data)
        reads.clear()
        answer = cache.load_metrics_cached(facts, ["gdp.total"], cache_dir=cache_dir)  # quicker than the whole
        _assert_same(answer.metrics, (fresh.metric_by_id["gdp.total"],))
        assert reads == [1], "a changed record is not used"

    check()


# -- sections: a lookup reads and checks only the ones it needs ------------------------------------


def test_a_flipped_bit_in_a_needed_section_is_never_served(
    facts: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hohhot_cli.load import entry
    from hohhot_cli.query import queries

    fresh = cache.load_facts_cached(facts, cache_dir=cache_dir)
    path = _only_entry(cache_dir)
    data = bytearray(path.read_bytes())
    key = bytes(data[len(cache.MAGIC) : len(cache.MAGIC) + 32])
    header = entry.Header(lambda offset, length: bytes(data[offset : offset + length]), len(data), key)
    first_metrics = len(header.sections) - -(-len(fresh.metrics) // entry.METRICS_PER_SECTION)
    where = [m.id for m in fresh.metrics].index("talent.graduates_staying") // entry.METRICS_PER_SECTION
    offset, length, _ = header.sections[first_metrics + where]
    data[offset + length // 2] ^= 0x01
    path.write_bytes(data)
    monkeypatch.setattr(cache, "_store", lambda *a: None)
    calls = _count_parses(monkeypatch)
    part = cache.load_metrics_cached(facts, ["talent"], cache_dir=cache_dir)
    assert calls == [1]
    _assert_same(queries.find_metrics(part, ["talent"]), queries.find_metrics(fresh, ["talent"]))
    assert not path.exists(), "removed"


def test_flipped_bytes_never_change_a_partial_answer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever bytes of an entry are flipped, ``metric`` answers as from the fresh parse."""
    from hohhot_cli.query import queries

    directory = tmp_path_factory.mktemp("flips")
    facts = directory / "facts.toml"
    facts.write_bytes((REPO / "facts.toml").read_bytes())
    cache_dir = directory / "cache"
    fresh = cache.load_facts_cached(facts, cache_dir=cache_dir)
    asked = ["gdp", "graduates"]
    expected = queries.find_metrics(fresh, asked)
    entry_path = _only_entry(cache_dir)
    original = entry_path.read_bytes()

    @settings(max_examples=500, deadline=None)
    @given(
        st.dictionaries(
            st.integers(min_value=0, max_value=len(original) - 1), st.integers(min_value=1, max_value=255), min_size=1
        )
    )
    def check(flips: dict[int, int]) -> None:
        data = bytearray(original)
        for offset, mask in flips.items():
            data[offset] ^= mask
        entry_path.write_bytes(data)
        answer = cache.load_metrics_cached(facts, asked, cache_dir=cache_dir)
        _assert_same(queries.find_metrics(answer, asked), expected)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "parse_facts", lambda *a: fresh)
        patch.setattr(cache, "_store", lambda *a: None)
        check()
