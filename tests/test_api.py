"""The Python API: typed records that answer as the commands do, a DataFrame with pandas, the README's example."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import subprocess
import sys
from datetime import date

import pytest
from support import FIXTURE, REPO, Runner, subprocess_env

from hohhot_cli import api
from hohhot_cli.model.errors import FactFileError

HAS_PANDAS = importlib.util.find_spec("pandas") is not None


@pytest.fixture(scope="module")
def base() -> api.Base:
    return api.load(FIXTURE)


def test_a_metric_by_id_alias_or_label(base: api.Base) -> None:
    by_id = base.metric("gdp.total")
    assert by_id == api.Metric(
        id="gdp.total",
        label="Regional GDP",
        label_zh="地区生产总值",
        topic="gdp",
        unit="CNY",
        industry=None,
        description="Test data: a series with years, quarters and a half year, first published and revised figures.",
        aliases=("regional gdp", "economy"),
        tags=("output", "economy"),
        observation_count=12,
    )
    assert base.metric("economy") == base.metric("地区生产总值") == base.metric("Regional GDP") == by_id
    assert base.metric(" GDP.Total ") == by_id


def test_an_unknown_metric_is_a_lookup_error_with_suggestions(base: api.Base) -> None:
    with pytest.raises(api.NotFound) as raised:
        base.metric("gpd.total")
    assert isinstance(raised.value, LookupError)
    assert raised.value.suggestions == ("gdp.total",)
    assert str(raised.value) == "no metric 'gpd.total'; did you mean gdp.total?"
    with pytest.raises(LookupError):
        base.observations(["gdp.total", "nope"])
    with pytest.raises(LookupError):
        base.source("nope")


def test_a_topic_is_not_one_metric(base: api.Base) -> None:
    with pytest.raises(api.InvalidQuery, match=r"'trade' is a topic of 6 metrics \(trade.total, "):
        base.metric("trade")
    assert [m.id for m in base.metrics("trade")] == [
        "trade.total", "trade.exports", "trade.imports", "trade.total_usd", "trade.partner_countries",
        "trade.rising_years",
    ]
    assert len(base.metrics()) == 32


def test_observations_are_typed_records(base: api.Base) -> None:
    first = base.observations("gdp.total", since=2020, kind="year")[0]
    assert first == api.Observation(
        metric="gdp.total",
        label="Regional GDP",
        unit="CNY",
        value=220000000000,
        period="2020",
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
        period_kind="year",
        as_of=None,
        exactness="exact",
        status="actual",
        note="",
        sources=("fg-profile",),
        ref="gdp.total@2020",
        converted_value=None,
        converted_unit=None,
        supersedes=(),
        superseded_by=(),
        conflicts_with=(),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.value = 1  # type: ignore[misc]


def test_filters_as_the_commands_take_them(base: api.Base) -> None:
    refs = [o.ref for o in base.observations("gdp.total", since=2020, kind="year")]
    assert refs == [
        "gdp.total@2020", "gdp.total@2021#1", "gdp.total@2021#2", "gdp.total@2023",
        "gdp.total@2024#1", "gdp.total@2024#2",
    ]
    assert [o.ref for o in base.observations("gdp.total", period=2023)] == ["gdp.total@2023"]
    assert [o.ref for o in base.observations("gdp.total", since=date(2024, 1, 1), until="2024-06")] == [
        "gdp.total@2024-Q1", "gdp.total@2024-H1", "gdp.total@2024-01/2024-09", "gdp.total@2024#1", "gdp.total@2024#2",
    ]
    assert [o.metric for o in base.observations(["trade.exports", "trade.imports"], latest=True)] == [
        "trade.exports", "trade.imports",
    ]
    with pytest.raises(api.InvalidQuery, match=r"^since: '20x' is not a period"):
        base.observations("gdp.total", since="20x")
    with pytest.raises(ValueError, match="kind"):
        base.observations("gdp.total", kind="decade")


@pytest.mark.parametrize(
    "args",
    [("gdp",), ("trade", "--period", "2023"), ("gdp.total", "--since", "2021", "--kind", "year"),
     ("population", "--latest"), ("gdp.total", "--latest", "--any-period")],
)
def test_observations_are_what_metric_shows(base: api.Base, hohhot: Runner, args: tuple[str, ...]) -> None:
    shown = [(m["id"], o["ref"], o["value"], o["status"], [s["id"] for s in o["sources"]])
             for m in hohhot("metric", *args, "--json").json() for o in m["observations"]]
    options = {"period": None, "since": None, "kind": None, "latest": False, "any_period": False}
    words = list(args[1:])
    while words:
        word = words.pop(0).removeprefix("--").replace("-", "_")
        options[word] = words.pop(0) if word in ("period", "since", "kind") else True
    given = base.observations(args[0], **options)  # type: ignore[arg-type]
    assert [(o.metric, o.ref, o.value, o.status, list(o.sources)) for o in given] == shown


def test_latest_is_the_commands_latest(base: api.Base, hohhot: Runner) -> None:
    for metric in base.metrics():
        shown = hohhot("metric", metric.id, "--json").json()[0]["latest"]
        latest = base.latest(metric.id)
        assert (latest and latest.ref) == (shown and shown["ref"]), metric.id
    half = base.latest("gdp.total", any_period=True)
    assert half is not None and half.ref == "gdp.total@2024#1"


def test_sources_in_full(base: api.Base) -> None:
    source = base.source("fg-mayor-2024")
    assert (source.publisher, source.title, source.date, source.authors, source.url, source.kind, source.undated) == (
        "Fixture Gazette", "Invented interview with a mayor", "2024-05-28", ("Ann Example", "Bo Sample"),
        "https://fixture.invalid/mayor-2024", "national_media", False,
    )
    assert [s.id for s in base.sources(["fg-profile", "fg-mayor-2024"])] == [
        s.id for s in base.sources() if s.id in ("fg-profile", "fg-mayor-2024")
    ]
    assert len(base.sources()) == 9


def test_an_invalid_file_lists_its_problems() -> None:
    bad = REPO / "tests" / "data" / "bad" / "dangling_source.toml"
    with pytest.raises(FactFileError) as raised:
        api.load(bad)
    assert raised.value.problems


def test_the_bundled_base_by_default() -> None:
    base = api.load()
    assert base.metric("gdp.total").label_zh == "地区生产总值"
    assert repr(base).startswith("<hohhot base ")


@pytest.mark.skipif(not HAS_PANDAS, reason="pandas is not installed")
def test_to_frame_with_pandas(base: api.Base) -> None:
    import pandas as pd

    series = base.observations("gdp.total", since=2020, kind="year")
    frame = api.to_frame(series)
    assert list(frame.columns) == [f.name for f in dataclasses.fields(api.Observation)]
    assert frame["value"].tolist() == [o.value for o in series]
    assert frame["sources"].tolist() == [list(o.sources) for o in series]
    assert frame["period_start"].tolist() == [pd.Timestamp(o.period_start) for o in series]
    assert list(api.to_frame([]).columns) == list(frame.columns)
    assert api.to_frame(base.metrics("trade"))["id"].tolist()[0] == "trade.total"
    with pytest.raises(TypeError):
        api.to_frame([series[0], base.metric("gdp.total")])


def test_to_frame_without_pandas_says_what_to_install(base: api.Base, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'hohhot\[pandas\]'") as raised:
        api.to_frame(base.observations("gdp.total"))
    assert isinstance(raised.value, api.PandasMissing)


def _readme_python() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n### Python\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_example_runs() -> None:
    """The README's Python example, as written, in a fresh interpreter on the bundled base; the DataFrame part
    with pandas, and without it the error it promises."""
    example, frames = _readme_python()
    assert "api.to_frame" not in example and "api.to_frame" in frames
    env = subprocess_env(facts=None)
    run = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("gdp.total CNY ")
    assert all(" CNY " in line and "gdp.total@" in line for line in lines[1:-1])
    blocked = "import sys; sys.modules['pandas'] = None\n" + example + frames
    without = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, env=env)
    assert without.returncode == 1 and "PandasMissing: to_frame needs pandas" in without.stderr
    if not HAS_PANDAS:
        pytest.skip("pandas is not installed: the DataFrame part was checked to fail as promised")
    whole = subprocess.run([sys.executable, "-c", example + frames], capture_output=True, text=True, env=env)
    assert whole.returncode == 0, whole.stderr
    assert "period period_end" in whole.stdout and "unit" in whole.stdout
