"""``hohhot metric`` from part of a cache entry prints what it prints from the whole base, byte for byte.

The partial path (:func:`hohhot_cli.load.cache.load_metrics_cached`, the index and only the
sections a query needs) is compared with the whole base, parsed afresh, for
every metric id, every topic, every prefix of an id, every alias, ids that name
nothing, several ids at once, in every format, with and without ``--latest``,
``--any-period``, ``--cite`` and the period filters; on the fixture and on a generated
base large enough to span many sections.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import FIXTURE, REPO, Result, run_cli

from hohhot_cli.cli import app as cli
from hohhot_cli.load import cache, entry
from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.facts import FactBase

FORMATS = ("json", "jsonl", "csv", "table", "markdown")
OPTIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("--latest",),
    ("--cite",),
    ("--latest", "--any-period", "--cite"),
    ("--since", "2022"),
    ("--period", "2023", "--cite"),
    ("--kind", "year", "--until", "2023"),
)
NOT_FOUND = ("nope", "gdp.nope", "gdpx", "", "population.", "gdp.total\ngdp.growth", "gdp\n")


def _queries(base: FactBase) -> list[tuple[str, ...]]:
    """Every id, topic, prefix of an id and alias (as written and upper-cased), and some that name nothing."""
    names: dict[str, None] = {}
    for metric in base.metrics:
        parts = metric.id.split(".")
        for end in range(1, len(parts) + 1):
            names[".".join(parts[:end])] = None
        for alias in metric.aliases:
            names[alias] = None
            names[alias.upper()] = None
    names[" " + base.metrics[0].id.upper() + " "] = None
    single = [(name,) for name in names]
    several = [
        (base.metrics[0].id, base.metrics[0].topic),  # one metric twice
        (base.metrics[-1].id, base.metrics[0].id),  # the order asked, not the file's
        (base.metrics[1].topic, "nope"),  # one names nothing: the error of the whole base
    ]
    return single + several + [(name,) for name in NOT_FOUND]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Which reader answered: 'part' or 'whole', one word per load from an entry."""
    calls: list[str] = []
    real_part, real_whole = entry.for_metrics, entry.whole
    monkeypatch.setattr(entry, "for_metrics", lambda *a: _noted(calls, "part", real_part(*a)))
    monkeypatch.setattr(entry, "whole", lambda *a: calls.append("whole") or real_whole(*a))
    yield calls


def _noted(calls: list[str], word: str, base: FactBase | None) -> FactBase | None:
    if base is not None:
        calls.append(word)
    return base


def _both(facts: Path, argv: list[str], whole_base: FactBase, monkeypatch: pytest.MonkeyPatch) -> tuple[Result, Result]:
    """The run through the partial path, then on the whole base, parsed afresh."""
    partial = run_cli("--facts", str(facts), *argv)
    with monkeypatch.context() as patch:
        patch.setattr(cli.Invocation, "base_for_metrics", lambda self, queries: whole_base)
        whole = run_cli("--facts", str(facts), *argv)
    return partial, whole


def _check(
    facts: Path,
    queries: list[tuple[str, ...]],
    options: tuple[tuple[str, ...], ...],
    formats: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
) -> int:
    run_cli("--facts", str(facts), "metric", "gdp", "--json")  # the entry written
    whole_base = cache.load_facts_cached(facts, cache_dir=None)
    compared = 0
    for query, option, fmt in itertools.product(queries, options, formats):
        argv = ["metric", *query, *option, "--format", fmt]
        counted.clear()
        partial, whole = _both(facts, argv, whole_base, monkeypatch)
        assert partial == whole, f"{argv}\n{partial}\n--- whole base:\n{whole}"
        names_one = all(q.strip().casefold() not in ("", *NOT_FOUND) for q in query)
        assert counted[0] == ("part" if names_one else "whole"), (argv, counted)
        compared += 1
    return compared


@pytest.fixture
def small_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries written with a few metrics and sources a section: even the fixture spans many."""
    monkeypatch.setattr(entry, "METRICS_PER_SECTION", 3)
    monkeypatch.setattr(entry, "SOURCES_PER_SECTION", 2)


@pytest.mark.usefixtures("small_sections")
def test_every_metric_query_on_the_fixture_prints_the_same_from_part_of_the_entry(
    monkeypatch: pytest.MonkeyPatch, counted: list[str]
) -> None:
    base = load_facts(FIXTURE)
    queries = _queries(base)
    topics = [(name,) for name in sorted({m.topic for m in base.metrics})]
    assert len(queries) > 50 and len(topics) > 5
    # Every query in every format, plain and with --cite; in JSON with every other option;
    # every topic in every format with every option.
    compared = _check(FIXTURE, queries, OPTIONS[:3:2], FORMATS, monkeypatch, counted)
    compared += _check(FIXTURE, queries, OPTIONS[1::2] + OPTIONS[4::2], ("json",), monkeypatch, counted)
    compared += _check(FIXTURE, topics, OPTIONS, FORMATS, monkeypatch, counted)
    assert compared == len(queries) * 15 + len(topics) * 35


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated base of 3,000 observations: 150 metrics, 30 sources."""
    path = tmp_path_factory.mktemp("generated") / "facts.toml"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_facts.py"), "-n", "3000", "-o", str(path), "--seed", "3"],
        check=True,
    )
    return path


def test_every_metric_query_on_a_generated_base_prints_the_same_from_part_of_the_entry(
    generated: Path, monkeypatch: pytest.MonkeyPatch, counted: list[str]
) -> None:
    monkeypatch.setattr(entry, "METRICS_PER_SECTION", 7)
    monkeypatch.setattr(entry, "SOURCES_PER_SECTION", 6)
    base = load_facts(generated)
    queries = _queries(base)
    topics = [(name,) for name in sorted({m.topic for m in base.metrics})]
    assert len(base.metrics) > 20 * 7 and len(base.sources) > 4 * 6
    # Every query in JSON; every topic and every 23rd query in every format, with the options
    # that change the most (--latest --any-period --cite).
    _check(generated, queries, ((),), ("json",), monkeypatch, counted)
    _check(generated, topics + queries[::23], OPTIONS[3:4], FORMATS, monkeypatch, counted)


def test_the_partial_base_reads_only_what_the_query_needs(generated: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    whole = cache.load_facts_cached(generated, cache_dir=cache_dir)
    metric = whole.metrics[len(whole.metrics) // 2]
    part = cache.load_metrics_cached(generated, [metric.id], cache_dir=cache_dir)
    assert metric.id in part.metric_by_id
    assert len(part.metrics) <= entry.METRICS_PER_SECTION
    cited = {ref for o in metric.observations for ref in o.sources}
    assert cited <= set(part.source_by_id) and len(part.sources) < len(whole.sources)
    assert part.path == str(generated)
    assert (part.city, part.industries, part.facts, part.companies) == (
        whole.city,
        whole.industries,
        whole.facts,
        whole.companies,
    )
    assert part.metric_by_id[metric.id] == metric
