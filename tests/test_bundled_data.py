"""Checks of the real fact base, facts.toml, that adding a figure must not break.

Every check is a function of a fact file's path, so that the same checks run on the
bundled file and on a copy edited as README's "Adding a figure" says
(:func:`test_adding_a_figure_as_the_readme_says`). They state rules every version of
the base keeps (it validates, every id resolves, every source is cited, a target or an
outdated figure is never the latest) and a few facts of the real data that tests of the
commands used to rely on: each pins one observation by its period, never "the latest",
so that a new year of data leaves it true.

Tests of the commands' behaviour and output read the fixture base instead (test_cli.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import BUNDLED, Result, complete, run_cli

from hohhot_cli.loader import load_facts
from hohhot_cli.model import FactBase, Status

NEVER_LATEST = (Status.TARGET.value, Status.OUTDATED.value)


def hohhot_on(path: Path, *args: str) -> Result:
    """The CLI in process on the fact file at ``path``."""
    return run_cli("--facts", str(path), *args, facts=None)


def json_of(path: Path, *args: str) -> Any:
    result = hohhot_on(path, *args, "--json")
    assert result.exit_code == 0, result
    return result.json()


def observation(path: Path, metric: str, period: str) -> dict[str, Any]:
    """The one observation of ``metric`` for ``period``, as ``metric --json`` prints it."""
    (record,) = json_of(path, "metric", metric)
    (found,) = (o for o in record["observations"] if o["period"] == period)
    return found


def cited_sources(base: FactBase) -> set[str]:
    cited = set(base.city.sources)
    for entry in (*base.industries, *base.facts, *base.companies):
        cited |= set(entry.sources)
    for metric in base.metrics:
        for item in metric.observations:
            cited |= set(item.sources)
    return cited


# -- rules every version of the base keeps ------------------------------------------------


def check_validates(path: Path) -> None:
    result = hohhot_on(path, "validate", str(path), "--json")
    assert result.exit_code == 0, result
    record = result.json()
    assert record["valid"] is True, record["problems"]
    base = load_facts(path)
    assert record["counts"]["observations"] == sum(len(m.observations) for m in base.metrics)


def check_every_reference_resolves(path: Path) -> None:
    base = load_facts(path)
    assert cited_sources(base) <= set(base.source_by_id)
    industries = {e.industry for e in (*base.metrics, *base.facts, *base.companies) if e.industry is not None}
    assert industries <= set(base.industry_by_id)


def check_every_source_is_cited(path: Path) -> None:
    """A source nothing cites is a leftover: cite it or remove it."""
    base = load_facts(path)
    assert {s.id for s in base.sources} - cited_sources(base) == set()


def check_no_target_or_outdated_figure_is_the_latest(path: Path) -> None:
    """What ``metric --latest`` shows is an outcome wherever the metric has one, and never an outdated figure."""
    base = load_facts(path)
    records = json_of(path, "metric", *(m.id for m in base.metrics), "--latest")
    assert [r["id"] for r in records] == [m.id for m in base.metrics]
    for record, metric in zip(records, base.metrics, strict=True):
        (shown,) = record["observations"]
        assert shown["status"] != Status.OUTDATED.value, metric.id
        if any(o.status.value not in NEVER_LATEST for o in metric.observations):
            assert shown["status"] not in NEVER_LATEST, metric.id


def check_as_of_only_without_a_period(path: Path) -> None:
    base = load_facts(path)
    for metric in base.metrics:
        for item in metric.observations:
            assert (item.period is None) != (item.as_of is None), (metric.id, item)
    for fact in base.facts:
        assert fact.period is None or fact.as_of is None, fact.id


# -- facts of the real data, each pinned to its period ------------------------------------


def check_dairy_revenue_2023_is_a_lower_bound_with_the_sources_conversion(path: Path) -> None:
    found = observation(path, "dairy.revenue", "2023")
    assert (found["value"], found["exactness"], found["status"]) == (256_000_000_000, "lower_bound", "actual")
    assert (found["converted"]["value"], found["converted"]["unit"]) == (36_500_000_000, "USD")
    assert [s["id"] for s in found["sources"]] == ["cd-mayor-2024"]
    assert found["sources"][0]["url"] == "https://www.chinadailyasia.com/hk/article/584251"
    (series,) = json_of(path, "compare", "dairy.revenue")
    (point,) = (o for o in series["observations"] if o["period"] == "2023")
    assert point["change"] is None
    assert point["change_remark"] == "not comparable with 2022 (estimate vs actual)"


def check_graduates_target_is_never_the_latest(path: Path) -> None:
    assert observation(path, "talent.graduates_staying", "2023")["value"] == 53_000
    target = observation(path, "talent.graduates_staying", "2024")
    assert (target["value"], target["status"]) == (50_000, "target")
    (record,) = json_of(path, "metric", "talent.graduates_staying", "--latest")
    assert record["observations"][0]["status"] == "actual"


def check_outdated_population_is_never_the_latest(path: Path) -> None:
    census = observation(path, "population.resident", "2020-11-01")
    assert census["value"] == 3_446_100
    (record,) = json_of(path, "metric", "residents")
    (outdated,) = (o for o in record["observations"] if o["value"] == 3_140_000)
    assert (outdated["period"], outdated["as_of"], outdated["status"]) == (None, "2024-01-18", "outdated")
    (latest,) = json_of(path, "metric", "population.resident", "--latest")[0]["observations"]
    assert latest["value"] != 3_140_000 and latest["status"] != "outdated"
    overview = json_of(path, "overview")
    assert overview["population"]["value"] != 3_140_000


def check_gdp_first_published_and_preliminary_figures(path: Path) -> None:
    (series,) = json_of(path, "compare", "gdp.total")
    by_period = {o["period"]: o for o in series["observations"]}
    assert by_period["2017"]["status"] == by_period["2018"]["status"] == "first_published"
    # 2018 vs 2017: both as first published, so comparable.
    assert by_period["2018"]["previous_period"] == "2017"
    assert by_period["2018"]["change"] == pytest.approx(15_980_000_000)
    assert by_period["2018"]["change_percent"] == pytest.approx(5.824, abs=0.001)
    assert by_period["2024-Q1"]["previous_period"] == "2023-Q1"
    assert by_period["2024-Q1"]["change"] == pytest.approx(5_900_000_000)
    assert (by_period["2023"]["value"], by_period["2023"]["status"]) == (380_000_000_000, "preliminary")


def check_trade_2023(path: Path) -> None:
    assert observation(path, "trade.exports", "2023")["value"] == 11_810_000_000
    assert observation(path, "trade.imports", "2023")["value"] == 7_630_000_000


def check_industries(path: Path) -> None:
    records = json_of(path, "industries")
    assert [r["id"] for r in records if r["kind"] == "pillar"] == [
        "dairy",
        "electronic-information",
        "biomedicine",
        "new-materials-equipment",
        "new-energy",
        "modern-chemicals",
    ]
    assert [r["id"] for r in records if r["kind"] == "future"] == [
        "artificial-intelligence",
        "commercial-aerospace",
        "semiconductors",
        "bioengineering",
    ]
    dairy = json_of(path, "industries", "乳业")
    assert dairy["id"] == "dairy"
    assert {c["id"] for c in dairy["companies"]} == {"yili", "mengniu", "youran"}
    assert {m["id"] for m in dairy["metrics"]} >= {"dairy.revenue", "dairy.revenue.growth"}


def check_searches(path: Path) -> None:
    assert json_of(path, "search", "乳都")[0]["id"] == "titles.dairy_capital"
    assert json_of(path, "search", "ai")[0]["id"] == "artificial-intelligence"
    assert json_of(path, "search", "dairy")[0]["id"] == "dairy"
    assert json_of(path, "search", "yili")[0] == {
        "kind": "company",
        "id": "yili",
        "label": "Yili Group",
        "score": 80,
        "matched": ["id", "name"],
    }


def check_mayor_interview_citation(path: Path) -> None:
    record = json_of(path, "sources", "cd-mayor-2024")
    assert record["citation"] == (
        "Yuan Hui and Zou Shuo, “Innovation drives growth in Hohhot”, China Daily, 2024-05-28, "
        "https://www.chinadailyasia.com/hk/article/584251"
    )
    assert any(o["metric"] == "dairy.revenue" for o in record["observations"])


def check_city(path: Path) -> None:
    record = json_of(path, "overview")
    assert (record["name"], record["name_zh"]) == ("Hohhot", "呼和浩特")
    assert record["pillar_industries"][0] == "dairy" and len(record["pillar_industries"]) == 6


CHECKS: list[Callable[[Path], None]] = [
    check_validates,
    check_every_reference_resolves,
    check_every_source_is_cited,
    check_no_target_or_outdated_figure_is_the_latest,
    check_as_of_only_without_a_period,
    check_dairy_revenue_2023_is_a_lower_bound_with_the_sources_conversion,
    check_graduates_target_is_never_the_latest,
    check_outdated_population_is_never_the_latest,
    check_gdp_first_published_and_preliminary_figures,
    check_trade_2023,
    check_industries,
    check_searches,
    check_mayor_interview_citation,
    check_city,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_bundled_base(check: Callable[[Path], None]) -> None:
    check(BUNDLED)


def test_version_reports_the_bundled_date(hohhot_bundled: Any, bundled_base: FactBase) -> None:
    result = hohhot_bundled("--version")
    assert result.stdout == f"hohhot 0.1.0 (fact base updated {bundled_base.updated})\n", result


def test_completion_of_bundled_ids() -> None:
    assert "gdp.total" in complete("complete_metric", "gdp.", facts=None)
    assert complete("complete_metric", "gdp.v", facts=None) == [
        "gdp.value_added.primary",
        "gdp.value_added.secondary",
        "gdp.value_added.tertiary",
    ]
    assert complete("complete_industry", "da", facts=None) == ["dairy"]
    assert complete("complete_source", "cd-mayor", facts=None) == ["cd-mayor-2024"]
    assert complete("complete_source", "cd-q", facts=None) == ["cd-q1-2023", "cd-q1-2024"]
    assert complete("complete_topic", "tr", facts=None) == ["trade"]


# -- README's "Adding a figure", on a copy ---------------------------------------------------

NEW_SOURCE = """\
[[sources]]
id = "my-new-source"
publisher = "Hohhot Bureau of Statistics"
title = "Foreign trade in 2024"
date = "2025-01-20"

"""

NEW_OBSERVATION = """\
[[metrics.observations]]
period = "2024"
value = 12_500_000_000
source = "my-new-source"

"""


def add_a_figure(text: str) -> str:
    """facts.toml after README's "Adding a figure": a source, a 2024 trade.exports figure, a label renamed."""
    # A [[sources]] entry first, after the last source.
    at = text.index("\n[[industries]]\n") + 1
    text = text[:at] + NEW_SOURCE + text[at:]
    # Then the observation, after the last of trade.exports (before the next metric).
    start = text.index('id = "trade.exports"\n')
    at = text.index("\n[[metrics]]\n", start) + 1
    text = text[:at] + NEW_OBSERVATION + text[at:]
    # And a metric relabelled.
    old = 'id = "trade.exports"\nlabel = "Exports"\n'
    assert old in text
    return text.replace(old, 'id = "trade.exports"\nlabel = "Exports of goods"\n')


def test_adding_a_figure_as_the_readme_says(tmp_path: Path) -> None:
    copy = tmp_path / "facts.toml"
    copy.write_text(add_a_figure(BUNDLED.read_text(encoding="utf-8")), encoding="utf-8")
    result = hohhot_on(copy, "validate", str(copy))
    assert result.exit_code == 0, result
    assert result.stdout.startswith(f"{copy}: valid\n")
    (latest,) = json_of(copy, "metric", "trade.exports", "--latest")[0]["observations"]
    assert (latest["period"], latest["value"], [s["id"] for s in latest["sources"]]) == (
        "2024",
        12_500_000_000,
        ["my-new-source"],
    )
    assert json_of(copy, "metric", "trade.exports")[0]["label"] == "Exports of goods"
    for check in CHECKS:
        check(copy)
