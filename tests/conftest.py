"""Fixtures: the in-process CLI runner (on the fixture base, or on the bundled one), and a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from support import BUNDLED, FIXTURE, Runner, run_cli

from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.facts import FactBase


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user setting leaks into a test: no fact file chosen, fixed width, no colour, a parse cache of its own."""
    for name in ("HOHHOT_FACTS", "FORCE_COLOR", "NO_COLOR", "HOHHOT_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("PAGER", "cat")  # tests that pretend to be a terminal never start less (test_pager.py sets one)
    # Outside tmp_path, which some tests expect to hold nothing but what they wrote.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    yield


@pytest.fixture
def hohhot() -> Runner:
    """The CLI in process on the fixture base: ``hohhot("metric", "gdp", env={...}, tty=False)``.

    ``--facts`` or ``$HOHHOT_FACTS`` set by the test still choose another file.
    """

    return partial(run_cli, facts=FIXTURE)


@pytest.fixture
def hohhot_bundled() -> Runner:
    """The CLI in process on the bundled ``facts.toml``: only for tests about the real data."""

    return partial(run_cli, facts=None)


@pytest.fixture(scope="session")
def base() -> FactBase:
    """The fixture fact base (tests/data/fixture.toml)."""
    return load_facts(FIXTURE)


@pytest.fixture(scope="session")
def bundled_base() -> FactBase:
    """The bundled fact base."""
    return load_facts(BUNDLED)
