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

from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.facts import FactBase, Status

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
    # The hope to attract 50,000 is another measure than graduates who stayed: its own metric.
    target = observation(path, "talent.graduates_target", "2024")
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
    by_period = {(o["period"], o["status"]): o for o in series["observations"]}
    assert by_period["2017", "first_published"]["value"] == 274_370_000_000
    # 2018 vs 2017: both as first published, so comparable.
    first_2018 = by_period["2018", "first_published"]
    assert first_2018["previous_period"] == "2017"
    assert first_2018["change"]["value"] == pytest.approx(15_980_000_000)
    assert first_2018["change"]["percent"] == pytest.approx(5.824, abs=0.001)
    assert by_period["2024-Q1", "actual"]["previous_period"] == "2023-Q1"
    assert by_period["2024-Q1", "actual"]["change"]["value"] == pytest.approx(5_900_000_000)
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
    """Figures of one metric and period that differ are each marked as superseding, superseded or conflicting."""
    base = load_facts(path)
    for metric in base.metrics:
        for item in metric.observations:
            others = [o for o in metric.observations if o.dated == item.dated and o.value != item.value]
            if others and item.status is not Status.TARGET:
                assert item.supersedes or item.superseded_by or item.conflicts_with, item.ref


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
        assert json_of(path, "show", ref) == {"metric": "gdp.total", "label": gdp["label"], "unit": "CNY", **found}
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
    compared = {r["metric"]: _key(r) for r in json_of(path, "compare", *ids)}
    assert compared == {k: v for k, v in by_id.items() if v is not None}
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
    assert {r["period"] for r in rows} == {"2023"}
    value = {r["metric"]: r["value"] for r in rows}
    assert value["trade.exports"] < value["trade.total"] and value["trade.imports"] < value["trade.total"]


CHECKS: list[Callable[[Path], None]] = [
    check_every_command_agrees_on_the_latest,
    check_trade_lines_up_by_period,
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
