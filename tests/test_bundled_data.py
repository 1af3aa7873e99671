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

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import BUNDLED, Result, complete, run_cli

from hohhot_cli.load.consistency import is_span_of_years
from hohhot_cli.load.linking import consistent
from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.facts import FactBase, Measure, Observation, SourceKind, Status, Unit

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
"""Copies of the two documents the base was first built from (see their README): its words must not be theirs."""

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
    assert record["counts"]["observation_count"] == sum(len(m.observations) for m in base.metrics)


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
    # The interview gives it as a plain outcome: no status stated.
    assert (found["value"], found["exactness"], found["status"]) == (256_000_000_000, "lower_bound", "reported")
    assert (found["converted"]["value"], found["converted"]["unit"]) == (36_500_000_000, "USD")
    assert [s["id"] for s in found["sources"]] == ["cd-mayor-2024"]
    assert found["sources"][0]["url"] == "https://www.chinadailyasia.com/hk/article/584251"
    (series,) = json_of(path, "compare", "dairy.revenue")
    (point,) = (o for o in series["observations"] if o["period"] == "2023")
    assert point["change"] is None
    assert point["change_refused"] == (
        "not computed: the 2023 figure has no stated status and is a lower bound; "
        "the 2022 figure is an estimate and is a lower bound"
    )


def check_graduates_target_is_never_the_latest(path: Path) -> None:
    assert observation(path, "talent.graduates_staying", "2023")["value"] == 53_000
    # The hope to attract 50,000 is another measure than graduates who stayed: its own metric, which
    # moved from talent.graduates_target; the old id still leads to it, and says so.
    target = observation(path, "talent.graduates.target", "2024")
    assert (target["value"], target["status"]) == (50_000, "target")
    (moved,) = json_of(path, "metric", "talent.graduates_target")
    assert (moved["id"], moved["moved"]) == (
        "talent.graduates.target",
        {"old": "talent.graduates_target", "new": "talent.graduates.target"},
    )
    (record,) = json_of(path, "metric", "talent.graduates_staying", "--latest")
    assert (record["observations"][0]["value"], record["observations"][0]["status"]) == (53_000, "reported")


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
    by_period = {(o["period"], o["status"]): o for o in series["observations"]}
    assert by_period["2017", "first_published"]["value"] == 274_370_000_000
    # 2018 vs 2017: both as first published, so comparable.
    first_2018 = by_period["2018", "first_published"]
    assert first_2018["previous_period"] == "2017"
    assert first_2018["change"]["value"] == pytest.approx(15_980_000_000)
    assert first_2018["change"]["percent"] == pytest.approx(5.824, abs=0.001)
    # Two quarters of no stated status, both exact, neither secondary: comparable.
    assert by_period["2024-Q1", "reported"]["previous_period"] == "2023-Q1"
    assert by_period["2024-Q1", "reported"]["change"]["value"] == pytest.approx(5_900_000_000)
    assert by_period["2023", "preliminary"]["value"] == 380_000_000_000


def check_gdp_every_full_year_with_its_standing(path: Path) -> None:
    """Every full year the sources give, estimates and revisions marked, each one's relation said."""
    (record,) = json_of(path, "metric", "gdp.total")
    years = [o for o in record["observations"] if o["period"] and len(o["period"]) == 4]
    assert {o["period"] for o in years} >= {"2017", "2018", "2020", "2021", "2023", "2024"}
    by_year = {(o["period"], o["status"]): o for o in years}
    estimate, first = by_year["2018", "estimate"], by_year["2018", "first_published"]
    assert (estimate["value"], first["value"]) == (290_000_000_000, 290_350_000_000)
    assert estimate["superseded_by"] == [first["ref"]] and first["supersedes"] == [estimate["ref"]]
    preliminary, revised = by_year["2021", "preliminary"], by_year["2021", "revised"]
    assert (preliminary["value"], revised["value"]) == (312_140_000_000, 317_780_000_000)
    assert revised["supersedes"] == [preliminary["ref"]] and preliminary["superseded_by"] == [revised["ref"]]
    assert revised["note"] and preliminary["note"]
    (latest,) = json_of(path, "metric", "gdp.total", "--latest")[0]["observations"]
    assert (latest["period"], latest["value"]) == ("2024", 410_708_000_000)
    assert [s["kind"] for s in latest["sources"]] == ["secondary"]
    assert "(secondary)" in hohhot_on(path, "metric", "gdp.total", "--latest").stdout


def check_no_two_figures_of_one_period_differ_unrelated(path: Path) -> None:
    """Figures of one metric and period that cannot both be true are each superseding, superseded or conflicting.

    A bound the other figure meets (over 400 bn beside 410.708 bn) is no conflict: it is marked neither way.
    """
    base = load_facts(path)
    for metric in base.metrics:
        for item in metric.observations:
            others = [o for o in metric.observations if o.dated == item.dated and o.status is not Status.TARGET]
            differing = [o for o in others if not consistent(o, item)]
            if differing and item.status is not Status.TARGET:
                assert item.supersedes or item.superseded_by or item.conflicts_with, item.ref
            for other in others:
                if consistent(other, item):
                    assert other.ref not in (*item.supersedes, *item.superseded_by, *item.conflicts_with), item.ref


def check_undated_sources_give_no_period_of_their_own(path: Path) -> None:
    """An undated source's date is only the earliest it can have: never a figure's period or a plain as-of."""
    base = load_facts(path)
    undated = {s.id: s for s in base.sources if s.undated}
    assert undated, "the IURC profile is undated"
    for metric in base.metrics:
        for item in metric.observations:
            if any(ref in undated for ref in item.sources):
                dates = {undated[ref].date for ref in item.sources if ref in undated}
                assert item.period not in dates, item.ref
                if item.as_of is not None and all(ref in undated for ref in item.sources):
                    assert "earliest" in item.note, item.ref


def check_every_source_says_what_it_is(path: Path) -> None:
    base = load_facts(path)
    for source in base.sources:
        assert source.kind is not None, source.id
        if source.url or source.read_at:
            assert source.checked, source.id
    for reprint in (s for s in base.sources if s.kind is not None and s.kind.value == "reprint"):
        citation = json_of(path, "sources", reprint.id)["citation"]
        assert reprint.publisher in citation and f"at {reprint.read_at}" in citation, citation


def check_chinese_names(path: Path) -> None:
    base = load_facts(path)
    assert all(m.label_zh for m in base.metrics)
    assert {m.topic for m in base.metrics} | {f.topic for f in base.facts} <= {t.id for t in base.topics}
    assert all(t.name_zh for t in base.topics) and all(i.name_zh for i in base.industries)


def check_trade_2023(path: Path) -> None:
    assert observation(path, "trade.exports", "2023")["value"] == 11_810_000_000
    assert observation(path, "trade.imports", "2023")["value"] == 7_630_000_000


def check_industries(path: Path) -> None:
    records = json_of(path, "industries")
    # An industry's headline is a figure of its own topic where it has one, not a line of a city-wide table.
    (dairy_summary,) = (r for r in records if r["id"] == "dairy")
    assert dairy_summary["headline"]["metric"] == "dairy.revenue"
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
        "synthetic-biology",
        "low-altitude-economy",
        "beidou-navigation",
    ]
    # Every pillar has figures; of the future industries, the one the sources give figures for.
    for industry in [r["id"] for r in records if r["kind"] == "pillar"] + ["artificial-intelligence"]:
        assert json_of(path, "industries", industry)["metrics"], industry
    assert json_of(path, "industries", "清洁能源")["id"] == "new-energy"
    assert json_of(path, "industries", "新一代信息技术")["id"] == "electronic-information"
    dairy = json_of(path, "industries", "乳业")
    assert dairy["id"] == "dairy"
    assert {c["id"] for c in dairy["companies"]} == {"yili", "mengniu", "youran"}
    assert {m["id"] for m in dairy["metrics"]} >= {"dairy.revenue", "dairy.revenue.growth"}


def check_searches(path: Path) -> None:
    assert json_of(path, "search", "乳都")[0]["id"] == "titles.dairy_capital"
    # The questions people ask first, in both languages, each lead to what they mean.
    firsts = {
        "新能源": "new-energy",
        "人口": "population.resident",
        "生产总值": "gdp.total",
        "城镇化": "population.urbanisation_rate",
        "unemployment": "employment.registered_unemployment_rate",
    }
    for query, first in firsts.items():
        assert json_of(path, "search", query)[0]["id"] == first, query
    for query, topic in {"climate": "climate", "census": "population", "Horinger": None}.items():
        hits = json_of(path, "search", query)
        assert hits, query
        if topic is not None:
            assert any(h["id"].startswith(topic + ".") for h in hits), query
    assert json_of(path, "search", "ai")[0]["id"] == "artificial-intelligence"
    assert json_of(path, "search", "dairy")[0]["id"] == "dairy"
    assert json_of(path, "search", "yili")[0] == {
        "kind": "company",
        "id": "yili",
        "label": "Yili Group",
        "text": "Yili Group",
        "score": 120,
        "matched": ["id", "name"],
        "latest": None,
        "figure": None,
    }


def check_refs_and_searches(path: Path) -> None:
    """A figure found by search, opened and cited by its ref; names as ids."""
    (gdp,) = json_of(path, "metric", "gdp.total", "--period", "2023")
    refs = [o["ref"] for o in gdp["observations"]]
    assert refs and all(r.partition("#")[0] == "gdp.total@2023" for r in refs)  # one figure, or several numbered
    for ref, found in zip(refs, gdp["observations"], strict=True):
        shown = {"metric": "gdp.total", "label": gdp["label"], "unit": "CNY", **found, "moved": None}
        assert json_of(path, "show", ref) == shown
    first = json_of(path, "search", "GDP", "2023")[0]
    assert (first["kind"], first["id"]) == ("figure", refs[0])
    bibtex = hohhot_on(path, "cite", "dairy.revenue@2023", "--style", "bibtex")
    assert bibtex.exit_code == 0, bibtex
    assert bibtex.stdout.startswith("@misc{cd-mayor-2024,") and bibtex.stdout.count("@") == 1  # one entry
    text = hohhot_on(path, "cite", "dairy.revenue", "--period", "2023").stdout
    assert [line.split(":")[0] for line in text.splitlines()] == ["cd-mayor-2024"]
    missing = hohhot_on(path, "show", "gdp.total@2031")
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr.startswith("hohhot: error: no figure 'gdp.total@2031'; did you mean gdp.total@")
    assert json_of(path, "search", "population")[0]["id"] == "population.resident"
    assert json_of(path, "search", "常住人口")[0]["id"] == "population.resident"
    assert [m["id"] for m in json_of(path, "metric", "常住人口")] == ["population.resident"]
    assert json_of(path, "show", "乳业")["id"] == "dairy"
    assert [r["id"] for r in json_of(path, "compare", "地区生产总值")] == ["gdp.total"]
    for words in (("population",), ("GDP", "2023"), ("dairy",), ("乳业",), ("trade",)):
        for hit in json_of(path, "search", *words):
            if hit["kind"] == "metric":
                has_latest = bool(json_of(path, "metric", hit["id"])[0]["latest"])
                assert (hit["latest"] is not None) == has_latest, hit["id"]
                assert hit["latest"] is None or {"value", "unit", "period", "ref", "status", "sources"} <= set(
                    hit["latest"]
                )


def check_mayor_interview_citation(path: Path) -> None:
    record = json_of(path, "sources", "cd-mayor-2024")
    assert record["citation"] == (
        "Yuan Hui and Zou Shuo, “Innovation drives growth in Hohhot”, China Daily, 2024-05-28 [national media], "
        "https://www.chinadailyasia.com/hk/article/584251 (checked 2026-11-22)"
    )
    iurc = json_of(path, "sources", "iurc-profile")["citation"]
    assert "undated, 2021 or later" in iurc
    assert any(o["metric"] == "dairy.revenue" for o in record["observations"])


def check_city(path: Path) -> None:
    record = json_of(path, "overview")
    assert (record["name"], record["name_zh"]) == ("Hohhot", "呼和浩特")
    assert record["pillar_industry_ids"][0] == "dairy" and len(record["pillar_industry_ids"]) == 6


def _key(observation: dict[str, Any] | None) -> tuple[Any, ...] | None:
    return None if observation is None else (observation["ref"], observation["value"], observation["status"])


_PART_YEAR = ("half", "quarter", "month", "year_to_date")


def check_every_command_agrees_on_the_latest(path: Path) -> None:
    """One definition of "latest": the overview, metric --latest, metrics and compare give the same figure."""
    metrics = json_of(path, "metrics")
    by_id = {m["id"]: _key(m["latest"]) for m in metrics}
    ids = list(by_id)
    latest = {
        m["id"]: _key(m["observations"][0] if m["observations"] else None)
        for m in json_of(path, "metric", *ids, "--latest")
    }
    assert latest == by_id
    overview = json_of(path, "overview")
    assert _key(overview["gdp"]) == by_id["gdp.total"]
    assert _key(overview["population"]) == by_id["population.resident"]
    # Full years first: no metric with a figure of a full year (or a day, a span) has a part-year latest.
    for metric in metrics:
        kinds = {o["period_kind"] for o in metric["observations"] if o["status"] not in NEVER_LATEST}
        if metric["latest"] is not None and kinds - set(_PART_YEAR):
            assert metric["latest"]["period_kind"] not in _PART_YEAR, metric["id"]


def check_trade_lines_up_by_period(path: Path) -> None:
    rows = json_of(path, "compare", "trade.total", "trade.exports", "trade.imports", "--period", "2023")
    assert {(r["compared_period"], r["observation"]["period"]) for r in rows} == {("2023", "2023")}
    value = {r["metric"]: r["observation"]["value"] for r in rows}
    assert value["trade.exports"] < value["trade.total"] and value["trade.imports"] < value["trade.total"]


def check_side_by_side_lines_up_one_period(path: Path) -> None:
    """The three sectors share no full year: they line up on the newest period all three have, not 2018 beside 2024."""
    rows = json_of(
        path, "compare", "gdp.value_added.primary", "gdp.value_added.secondary", "gdp.value_added.tertiary"
    )
    assert [r["metric"] for r in rows] == [
        "gdp.value_added.primary",
        "gdp.value_added.secondary",
        "gdp.value_added.tertiary",
    ]
    assert {r["compared_period"] for r in rows} == {"2024-01/2024-09"}
    assert {r["observation"]["period"] for r in rows} == {"2024-01/2024-09"}
    # With any metric asked, every row that has a figure has one of the one period compared.
    base = load_facts(path)
    ids = [m.id for m in base.metrics if m.topic == "trade"]
    rows = json_of(path, "compare", *ids)
    periods = {r["observation"]["period"] or r["observation"]["as_of"] for r in rows if r["observation"]}
    assert len(periods) <= 1, periods


def _status_class(status: str) -> str | None:
    """The change rule's classes, written out again here: a test of the rule, not a copy of its code."""
    classes = {"actual": "final", "revised": "final", "preliminary": "provisional"}
    classes.update({"first_published": "provisional", "estimate": "estimate", "reported": "reported"})
    return classes.get(status)


def _comparable(now: Observation, before: Observation, secondary: set[str]) -> bool:
    bounds = ("lower_bound", "upper_bound")
    on_secondary = [all(s in secondary for s in o.sources) for o in (now, before)]
    return (
        now.period is not None
        and before.period is not None
        and _status_class(now.status.value) is not None
        and _status_class(now.status.value) == _status_class(before.status.value)
        and now.exactness is before.exactness
        and now.exactness.value not in bounds
        and on_secondary[0] == on_secondary[1]
        and not now.conflicts_with
        and not before.conflicts_with
    )


def check_compare_computes_no_change_the_rule_forbids(path: Path) -> None:
    """``compare gdp.total``: every change computed is between figures the rule allows; 2024 against 2023 is refused."""
    base = load_facts(path)
    secondary = {s.id for s in base.sources if s.kind is SourceKind.SECONDARY}
    for metric_id in ("gdp.total", "trade.total", "fiscal.budget_revenue", "population.resident"):
        metric = base.metric_by_id[metric_id]
        by_ref = {o.ref: o for o in metric.observations}
        (series,) = json_of(path, "compare", metric_id)
        for point in series["observations"]:
            if point["change"] is None:
                continue
            now = by_ref[point["ref"]]
            before = [o for o in metric.observations if o.period == point["previous_period"]]
            assert any(_comparable(now, b, secondary) for b in before), point["ref"]
            assert point["change_refused"] is None and point["change"]["computed"] is True
    (series,) = json_of(path, "compare", "gdp.total")
    full_2024 = [p for p in series["observations"] if p["period"] == "2024"]
    assert full_2024 and all(p["change"] is None for p in full_2024)
    for point in full_2024:
        assert point["change_refused"].startswith("not computed: the 2024 figure has no stated status")
        assert "the 2023 figure is preliminary" in point["change_refused"]
        assert "_" not in point["change_refused"], "plain words, not enum names"
        # The rate the source reports for 2024 is shown beside, as reported.
        assert (point["reported_rate"]["metric"], point["reported_rate"]["value"]) == ("gdp.growth", 6.1)


def check_gdp_growth_is_one_measure_and_its_latest_is_2024(path: Path) -> None:
    """Year-on-year growth: 2024's 6.1 % (Xinhua); the averages over 2016-2020 and 2021-2024 are their own metric."""
    (latest,) = json_of(path, "metric", "gdp.growth", "--latest")[0]["observations"]
    assert (latest["period"], latest["value"]) == ("2024", 6.1)
    assert [s["id"] for s in latest["sources"]] == ["xh-10dim-2025"]
    (record,) = json_of(path, "metric", "gdp.growth")
    assert record["measure"] == "yoy_rate"
    assert not [o["period"] for o in record["observations"] if is_span_of_years(o["period"])]
    (average,) = json_of(path, "metric", "gdp.growth.average")
    assert average["measure"] == "average_rate"
    assert {o["period"]: o["value"] for o in average["observations"]} == {"2016/2020": 4.3, "2021/2024": 6.4}
    # The old refs lead to the new place, and say so.
    (moved,) = json_of(path, "metric", "gdp.growth@2021/2024")
    assert moved["moved"] == {"old": "gdp.growth@2021/2024", "new": "gdp.growth.average@2021/2024"}
    assert [o["value"] for o in moved["observations"]] == [6.4]
    (index,) = (m for m in json_of(path, "metrics", "--topic", "gdp") if m["id"] == "gdp.growth")
    assert (index["latest"]["period"], index["latest"]["value"]) == ("2024", 6.1)


def check_gdp_per_capita_latest_is_dated(path: Path) -> None:
    """The undated profile's 89,000 describes some year of 2016-2020: never the latest beside 2018's figure."""
    (latest,) = json_of(path, "metric", "gdp.per_capita", "--latest")[0]["observations"]
    assert latest["period"] == "2018" and latest["as_of"] is None
    assert (latest["value"], latest["exactness"]) == (93_000, "lower_bound")


def check_no_metric_mixes_measures(path: Path) -> None:
    """One measure per metric: no yearly rate beside an average over years; a rank says among what."""
    base = load_facts(path)
    for metric in base.metrics:
        spans = [is_span_of_years(o.period) for o in metric.observations if o.status is not Status.TARGET]
        if metric.measure is Measure.YOY_RATE:
            assert not any(spans), metric.id
        if metric.measure is Measure.AVERAGE_RATE:
            dated = [o for o in metric.observations if o.period is not None and o.status is not Status.TARGET]
            assert all(is_span_of_years(o.period) for o in dated), metric.id
        assert (metric.measure is Measure.RANK) == (metric.unit is Unit.RANK), metric.id
        if metric.measure is Measure.RANK:
            assert metric.among, metric.id


def check_every_final_figure_says_why(path: Path) -> None:
    base = load_facts(path)
    for metric in base.metrics:
        for item in metric.observations:
            assert (item.status is Status.ACTUAL) == bool(item.status_basis), item.ref


def check_no_undated_figure_is_the_latest_beside_a_dated_one(path: Path) -> None:
    """A figure without a period is never the latest of a metric with one; nor one dated only by an undated source."""
    base = load_facts(path)
    undated_sources = {s.id for s in base.sources if s.undated}
    records = json_of(path, "metric", *(m.id for m in base.metrics), "--latest")
    for record, metric in zip(records, base.metrics, strict=True):
        if not record["observations"]:
            continue
        (latest,) = record["observations"]
        outcomes = [o for o in metric.observations if o.status.value not in NEVER_LATEST]
        if any(o.period is not None for o in outcomes):
            assert latest["period"] is not None, metric.id
        if any(o.period is None and not set(o.sources) <= undated_sources for o in outcomes):
            only_undated = all(s["id"] in undated_sources for s in latest["sources"])
            assert latest["period"] is not None or not only_undated, metric.id


def check_every_industry_shows_a_figure_or_a_dated_fact(path: Path) -> None:
    records = json_of(path, "industries")
    assert {r["kind"] for r in records} == {"pillar", "future"}
    for summary in records:
        detail = json_of(path, "industries", summary["id"])
        figures = [o for m in detail["metrics"] for o in m["observations"]]
        dated = [f for f in detail["facts"] if f["date"] or f["period"] or f["as_of"]]
        assert figures or dated, summary["id"]
        if summary["headline"] is not None and figures:
            assert summary["headline"]["metric"] in summary["metric_ids"], summary["id"]


def check_search_finds_names_in_both_languages(path: Path) -> None:
    for query in ("中欧班列", "China-Europe", "freight train", "归绥", "算力", "computing power", "低空经济"):
        assert json_of(path, "search", query), query
    for query in ("北斗", "air quality", "优良天数"):
        assert json_of(path, "search", query), query
    assert json_of(path, "search", "归绥")[0]["id"] == "names.guisui"
    assert json_of(path, "search", "中欧班列")[0]["id"] == json_of(path, "search", "China-Europe")[0]["id"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", text.casefold())


def _runs(words: list[str], length: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def check_no_sentence_of_the_seed_documents(path: Path) -> None:
    """Labels, descriptions, notes and texts are our own words: no run of eight words of the seed documents."""
    seeds: set[tuple[str, ...]] = set()
    for seed in sorted(SEEDS.glob("*.txt")):
        seeds |= _runs(_words(seed.read_text(encoding="utf-8")))
    assert len(seeds) > 300, "the seeds are read"
    assert _runs(_words("Its mayor says the city also ranked 15th in the country in terms of computing")) & seeds
    base = load_facts(path)
    texts = [(m.id, t) for m in base.metrics for t in (m.label, m.description, *(o.note for o in m.observations))]
    texts += [(f.id, t) for f in base.facts for t in (f.label, f.text)]
    texts += [(e.id, e.description) for e in (*base.industries, *base.companies)]
    texts += [(s.id, s.note) for s in base.sources]
    copied = [(where, " ".join(run)) for where, text in texts for run in _runs(_words(text)) & seeds]
    assert copied == []


def check_the_overview_shows_eight_headlines_with_their_sources(path: Path) -> None:
    """At least eight headline figures, each the latest of a metric the base names, with who gives it."""
    base = load_facts(path)
    headlines = json_of(path, "overview")["headlines"]
    assert len(headlines) >= 8
    assert [h["metric"] for h in headlines] == list(base.headlines), "every headline metric has a figure to show"
    for headline in headlines:
        assert headline["status"] not in NEVER_LATEST, headline["ref"]
        assert headline["period"] or headline["as_of"], headline["ref"]
        assert headline["sources"] and all(s["publisher"] and s["date"] for s in headline["sources"])
    result = run_cli("--facts", str(path), "--no-pager", facts=None, env={"COLUMNS": "200"})
    for headline in headlines:
        publisher = headline["sources"][0]["publisher"]
        year = headline["sources"][0]["date"][:4]
        (line,) = (x for x in result.stdout.splitlines() if x.startswith(headline["label"] + "  "))
        assert f"{publisher} {year}" in line or f"{publisher}, undated, {year} or later" in line, line


def check_every_industry_summary_fits_a_screen(path: Path) -> None:
    """``industries ID`` without ``--all``: at most 60 lines at 80 columns, the headline and newest figures first."""
    for industry in load_facts(path).industries:
        result = run_cli("--facts", str(path), "industries", industry.id, facts=None, env={"COLUMNS": "80"})
        lines = result.stdout.splitlines()
        assert len(lines) <= 60, (industry.id, len(lines))
        assert all(len(line) <= 80 for line in lines), industry.id
        assert f"hohhot industries {industry.id} --all" in " ".join(result.stdout.split())


def check_every_figure_and_fact_says_when_it_was_added(path: Path) -> None:
    base = load_facts(path)
    days = [o.added for m in base.metrics for o in m.observations] + [f.added for f in base.facts]
    assert all(day is not None and day <= base.updated for day in days)


def check_changes_list_what_the_v3_round_added(path: Path) -> None:
    """The figures and facts of December 2026 (the version-3 round), each with its ref and day."""
    records = json_of(path, "changes", "--since", "2026-11-01")
    listed = {(r["ref"] or r["id"]): r["date"] for r in records}
    for ref in ("gdp.growth@2024", "gdp.total@2024#2", "computing.total_power@as-of-2025-11-29"):
        assert listed[ref] == "2026-12-08", ref
    assert listed["environment.air.good_days@2024"] == "2026-12-08"
    assert listed["titles.beidou_pilot_city"] == "2026-12-08"
    # Figures of the November 2026 round are there too, on their own day; none is listed twice.
    assert listed["gdp.total@2017"] == "2026-11-22"
    assert len(listed) == len(records)
    assert all(r["kind"] in ("figure", "fact") and r["date"] >= "2026-11-01" for r in records)


CHECKS: list[Callable[[Path], None]] = [
    check_the_overview_shows_eight_headlines_with_their_sources,
    check_every_industry_summary_fits_a_screen,
    check_every_figure_and_fact_says_when_it_was_added,
    check_changes_list_what_the_v3_round_added,
    check_every_command_agrees_on_the_latest,
    check_trade_lines_up_by_period,
    check_side_by_side_lines_up_one_period,
    check_compare_computes_no_change_the_rule_forbids,
    check_gdp_growth_is_one_measure_and_its_latest_is_2024,
    check_gdp_per_capita_latest_is_dated,
    check_no_metric_mixes_measures,
    check_every_final_figure_says_why,
    check_no_undated_figure_is_the_latest_beside_a_dated_one,
    check_every_industry_shows_a_figure_or_a_dated_fact,
    check_search_finds_names_in_both_languages,
    check_no_sentence_of_the_seed_documents,
    check_validates,
    check_every_reference_resolves,
    check_every_source_is_cited,
    check_no_target_or_outdated_figure_is_the_latest,
    check_as_of_only_without_a_period,
    check_dairy_revenue_2023_is_a_lower_bound_with_the_sources_conversion,
    check_graduates_target_is_never_the_latest,
    check_outdated_population_is_never_the_latest,
    check_gdp_first_published_and_preliminary_figures,
    check_gdp_every_full_year_with_its_standing,
    check_no_two_figures_of_one_period_differ_unrelated,
    check_undated_sources_give_no_period_of_their_own,
    check_every_source_says_what_it_is,
    check_chinese_names,
    check_trade_2023,
    check_industries,
    check_searches,
    check_refs_and_searches,
    check_mayor_interview_citation,
    check_city,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_bundled_base(check: Callable[[Path], None]) -> None:
    check(BUNDLED)


def test_overview_reports_the_bundled_date(hohhot_bundled: Any, bundled_base: FactBase) -> None:
    result = hohhot_bundled("overview", "--json")
    assert result.json()["updated"] == bundled_base.updated, result


def test_completion_of_bundled_ids() -> None:
    assert "gdp.total" in complete("complete_metric", "gdp.", facts=None)
    assert complete("complete_metric", "gdp.value_added.s", facts=None) == [
        "gdp.value_added.secondary",
        "gdp.value_added.secondary.growth",
    ]
    assert complete("complete_industry", "da", facts=None) == ["dairy"]
    assert complete("complete_source", "cd-mayor", facts=None) == ["cd-mayor-2024"]
    assert complete("complete_source", "cd-q1", facts=None) == ["cd-q1-2023", "cd-q1-2024"]
    assert complete("complete_topic", "tr", facts=None) == ["trade"]


# -- README's "Adding a figure", on a copy ---------------------------------------------------

NEW_SOURCE = """\
[[sources]]
id = "my-new-source"
kind = "official"
publisher = "Hohhot Bureau of Statistics"
title = "Foreign trade in 2024"
date = "2025-01-20"

"""

NEW_OBSERVATION = """\
[[metrics.observations]]
period = "2024"
value = 12_500_000_000
source = "my-new-source"
added = {updated}

"""


def add_a_figure(text: str) -> str:
    """facts.toml after README's "Adding a figure": a source, a 2024 trade.exports figure, a label renamed."""
    # A [[sources]] entry first, after the last source.
    at = text.index("\n[[industries]]\n") + 1
    text = text[:at] + NEW_SOURCE + text[at:]
    # Then the observation, after the last of trade.exports (before the next metric).
    start = text.index('id = "trade.exports"\n')
    at = text.index("\n[[metrics]]\n", start) + 1
    updated = re.search(r"^updated = (\S+)$", text, re.MULTILINE)
    assert updated is not None
    text = text[:at] + NEW_OBSERVATION.format(updated=updated[1]) + text[at:]
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
    assert "trade.exports@2024" in {r["ref"] for r in json_of(copy, "changes")}, "what is new lists it"
    for check in CHECKS:
        check(copy)


# -- the terminal layout on the real base --------------------------------------------


def test_a_source_in_detail_is_short_and_readable(hohhot_bundled: Any, bundled_base: FactBase) -> None:
    """``sources cd-mayor-2024`` at 80 columns: under 60 lines, each a whole row or prose."""
    from support.layout import empty_columns, splits, unbreakable

    result = hohhot_bundled("sources", "cd-mayor-2024", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert len(lines) < 60, len(lines)
    assert all(len(line) <= 80 for line in lines)
    assert not [s for token in unbreakable(bundled_base) for s in splits(token, lines)]
    assert not empty_columns(lines)
    # The address is printed whole, to be clicked or copied.
    words = set(result.stdout.split())
    assert "https://www.chinadailyasia.com/hk/article/584251" in words


@pytest.mark.parametrize(
    "args",
    [
        ("metric", "gdp.total"),
        ("sources",),
        ("compare", "gdp.total"),
        ("industries",),
        ("industries", "dairy"),
        ("search", "population"),
        ("search", "GDP", "2023"),
        ("show", "gdp.total@2023"),
        ("metric", "gdp.total", "--refs"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("width", [80, 120])
def test_real_tables_follow_the_layout_rule(
    hohhot_bundled: Any, bundled_base: FactBase, args: tuple[str, ...], width: int
) -> None:
    from support.layout import empty_columns, splits, unbreakable

    result = hohhot_bundled(*args, env={"COLUMNS": str(width)})
    lines = result.stdout.splitlines()
    urls = {u for s in bundled_base.sources for u in (s.url, s.read_at) if u}
    # An address longer than the terminal stays whole on a line of its own.
    assert all(len(line) <= width or line.split()[-1] in urls or line.split()[0] in urls for line in lines)
    assert not [s for token in unbreakable(bundled_base) for s in splits(token, lines)]
    assert not empty_columns(lines)


def test_the_readme_table_is_what_the_command_prints(hohhot_bundled: Any) -> None:
    """The README shows one real table at 80 columns exactly as it prints."""
    from support import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = "$ hohhot metric dairy.revenue\n"
    block = readme.split("```console\n" + command, 1)[1].split("```", 1)[0]
    result = hohhot_bundled(*command[2:].split()[1:], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    assert block == result.stdout
