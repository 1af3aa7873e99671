"""The commands, in every format, against the fixture base (tests/data/fixture.toml); error paths with exit codes.

Nothing here reads the bundled facts.toml: adding a figure to it must break no test of this file.
Checks of the real data are in tests/test_bundled_data.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from support import FIXTURE, REPO, Runner, complete
from support.factfiles import edited_copy

from hohhot_cli.cli.app import app, commands
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.model.facts import Exactness, FactBase, FactKind, IndustryKind, Measure, SourceKind, Status, Unit

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("HOHHOT_UPDATE_GOLDEN") == "1"

# Each command worth showing, with a name for its expected-output file.
COMMANDS: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "industries": ("industries",),
    "industries_future": ("industries", "--kind", "future"),
    "industry_dairy": ("industries", "dairy"),
    "industry_dairy_all": ("industries", "dairy", "--all"),
    "changes": ("changes",),
    "changes_since": ("changes", "--since", "2024-12", "--until", "2025-01-15"),
    "changes_empty": ("changes", "--since", "2024-12-02", "--until", "2025-01-14"),
    "metric_gdp": ("metric", "gdp"),
    "metric_latest": ("metric", "dairy.revenue", "talent", "gdp.per_capita", "computing.national_rank", "--latest"),
    "metric_moved": ("metric", "gdp.growth@2016/2020", "tourism.visitor_goal"),
    "metrics": ("metrics",),
    "metrics_trade": ("metrics", "--topic", "trade"),
    "metrics_dairy": ("metrics", "--industry", "dairy"),
    "compare_over_time": ("compare", "gdp.total"),
    "compare_topic": ("compare", "trade"),
    "compare_side_by_side": ("compare", "trade.total", "trade.exports", "trade.imports", "trade.total_usd"),
    "compare_missing": ("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2022"),
    "compare_no_shared_period": ("compare", "gdp.per_capita", "tourism.visitors"),
    "compare_industries": ("compare", "--industries"),
    "search": ("search", "dairy", "capital"),
    "search_chinese": ("search", "乳都"),
    "search_empty": ("search", "no-such-thing-anywhere"),
    "sources": ("sources",),
    "source_detail": ("sources", "fg-trade-2023"),
    "validate": ("validate",),
    "show_fact": ("show", "titles.dairy_capital"),
    "show_company": ("show", "steppe"),
    "show_cited": ("show", "gdp.growth", "--cite"),
    "show_figure": ("show", "gdp.total@2023"),
    "show_figure_superseded": ("show", "gdp.total@2021#1", "--cite"),
    "search_population": ("search", "population"),
    "search_figures": ("search", "gdp", "2023"),
    "metric_refs": ("metric", "gdp.growth", "--refs"),
    "compare_refs": ("compare", "trade.exports", "trade.imports", "--refs"),
}
FORMATS = ("table", "json", "jsonl", "csv", "markdown")
# What a table or Markdown says on stderr of a command that finds nothing (machine formats say nothing).
NOTICES = {
    "changes_empty": "hohhot: no figures or facts added, revised or superseded from 2024-12-02 to 2025-01-14\n",
    "search_empty": "hohhot: no matches found for 'no-such-thing-anywhere'\n",
    "compare_no_shared_period": (
        "hohhot: no period has a figure of every metric (gdp.per_capita, tourism.visitors): nothing compared\n"
    ),
}


def _golden(name: str, fmt: str, text: str) -> str:
    # The fixture's path depends on the checkout; the expected files say <facts>.
    text = text.replace(str(FIXTURE), "<facts>")
    path = GOLDEN / f"{name}.{fmt}"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_exact_output(hohhot: Runner, name: str, fmt: str) -> None:
    """Tables at 80 columns without colour, and Markdown, match the reviewed files exactly."""
    args = COMMANDS[name]
    result = hohhot(*args, "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stdout.replace(str(FIXTURE), "<facts>") == _golden(name, fmt, result.stdout)
    assert result.stderr == NOTICES.get(name, "")


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_in_every_format(hohhot: Runner, name: str, fmt: str) -> None:
    result = hohhot(*COMMANDS[name], "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stderr == (NOTICES.get(name, "") if fmt in ("table", "markdown") else "")
    assert result.stdout.endswith("\n") or (fmt == "jsonl" and result.stdout == "")
    if fmt == "json":
        data = json.loads(result.stdout)
        assert isinstance(data, (list, dict))
    elif fmt == "jsonl":
        for line in result.stdout.splitlines():
            assert isinstance(json.loads(line), dict)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows, "a CSV has at least its header"
        assert all(len(row) == len(rows[0]) for row in rows)
    elif fmt == "markdown":
        assert result.stdout.startswith("### ")
    else:
        assert "\x1b" not in result.stdout


def test_json_shorthand_equals_format_json(hohhot: Runner) -> None:
    assert hohhot("metric", "gdp", "--json").stdout == hohhot("metric", "gdp", "-f", "json").stdout


def test_json_contradicting_format_is_a_usage_error(hohhot: Runner) -> None:
    result = hohhot("metric", "gdp", "--json", "--format", "csv")
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stdout == ""
    assert "--json contradicts --format csv" in result.stderr


# -- the fixture itself -----------------------------------------------------------

PERIOD_SHAPES = {
    "year": r"\d{4}",
    "half": r"\d{4}-H[12]",
    "quarter": r"\d{4}-Q[1-4]",
    "month": r"\d{4}-\d{2}",
    "day": r"\d{4}-\d{2}-\d{2}",
    "range of years": r"\d{4}/\d{4}",
    "range of months": r"\d{4}-\d{2}/\d{4}-\d{2}",
}


def test_the_fixture_covers_the_format(base: FactBase) -> None:
    """What the golden files can only show if the fixture has it: keep it so when editing the fixture."""
    observations = [o for m in base.metrics for o in m.observations]
    periods = [o.period for o in observations if o.period is not None]
    shapes = {shape for shape, pattern in PERIOD_SHAPES.items() if any(re.fullmatch(pattern, p) for p in periods)}
    assert shapes == set(PERIOD_SHAPES)
    assert {o.exactness for o in observations} == set(Exactness)
    assert {o.status for o in observations} == set(Status)
    assert {m.unit for m in base.metrics} == set(Unit)
    assert {f.kind for f in base.facts} == set(FactKind)
    assert {i.kind for i in base.industries} == set(IndustryKind)
    assert any(o.conversion for o in observations) and any(o.as_of and not o.period for o in observations)
    assert any(len(m.observations) == 1 for m in base.metrics)
    assert any(len(s.authors) > 1 and s.url for s in base.sources)
    assert any(not s.authors and not s.url for s in base.sources)
    assert any(i.name and i.name_zh for f in base.facts for i in f.items)
    assert base.companies and all(s.publisher.startswith("Fixture Gazette") for s in base.sources)
    # Two figures of one metric for one period: as first published and revised; preliminary and final.
    whens = [(m, when) for m in base.metrics for when in {o.dated for o in m.observations}]
    statuses = [{o.status for o in m.observations if o.dated == when} for m, when in whens]
    assert any(s >= {Status.FIRST_PUBLISHED, Status.REVISED} for s in statuses)
    assert any(s >= {Status.PRELIMINARY, Status.ACTUAL} for s in statuses)
    assert any(o.conflicts_with for o in observations) and any(o.supersedes for o in observations)
    # Two sources agreeing on one figure are no conflict.
    assert any(len({o.value for o in m.observations}) < len(m.observations) for m in base.metrics)
    # Sources of every kind; a reprint read elsewhere; an undated one; facts that disagree; names in Chinese.
    assert {s.kind for s in base.sources} == set(SourceKind)
    assert any(s.read_at and s.reprinted_by for s in base.sources) and any(s.undated for s in base.sources)
    assert any(f.conflicts_with for f in base.facts)
    assert base.topics and all(m.label_zh for m in base.metrics)
    assert {m.topic for m in base.metrics} <= {t.id for t in base.topics}
    assert any(s >= {Status.PRELIMINARY, Status.ACTUAL} for s in statuses)
    # Version 3: every measure (a yearly rate beside an average over a span of years), final figures that say
    # why, figures of no stated status, a rank that says among what, targets aiming at a metric, old ids and
    # refs that moved, a headline, an undated figure beside a dated one, a bound consistent with an exact figure.
    assert base.schema_version == 3
    assert {m.measure for m in base.metrics} == set(Measure)
    assert all(o.status_basis for o in observations if o.status is Status.ACTUAL)
    assert all(m.among for m in base.metrics if m.measure is Measure.RANK)
    assert any(m.aims_at for m in base.metrics) and any(i.headline for i in base.industries)
    assert any("@" in old for old in base.moved) and any("@" not in old for old in base.moved)
    assert any(
        any(o.period is None for o in m.observations) and any(o.period is not None for o in m.observations)
        for m in base.metrics
        if not any(o.status is Status.OUTDATED for o in m.observations)
    )
    # The overview's headline metrics; entries added on two days, a revision among the later, some of no known day.
    assert len(base.headlines) >= 8
    assert {o.added for o in observations} >= {None, "2024-12-01", base.updated}
    assert {f.added for f in base.facts} >= {None, "2024-12-01", base.updated}
    assert any(o.added == base.updated and o.supersedes for o in observations)
    same_period = [(o, p) for m in base.metrics for o in m.observations for p in m.observations if o is not p]
    assert any(
        o.dated == p.dated and o.value != p.value and o.exactness is Exactness.LOWER_BOUND and not o.superseded_by
        for o, p in same_period
    )


# -- JSON checked against the fact base -------------------------------------------


def test_metric_json_carries_every_observation(hohhot: Runner, base: FactBase) -> None:
    records = hohhot("metric", "gdp", "--json").json()
    expected = [m for m in base.metrics if m.topic == "gdp"]
    assert [r["id"] for r in records] == [m.id for m in expected]
    for record, metric in zip(records, expected, strict=True):
        assert record["label"] == metric.label
        assert record["unit"] == metric.unit.value
        assert [o["value"] for o in record["observations"]] == [o.value for o in metric.observations]
        assert [o["period"] for o in record["observations"]] == [o.period for o in metric.observations]
        for observation in record["observations"]:
            assert observation["sources"], "every observation names its source"
            for source in observation["sources"]:
                assert source == {**source, **{"id": source["id"]}}
                assert base.source_by_id[source["id"]].title == source["title"]


def test_dairy_revenue_keeps_bound_and_conversion(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "dairy.revenue", "--json").json()
    latest = record["observations"][-1]
    assert latest["value"] == 120_000_000_000
    assert latest["period"] == "2023"
    assert latest["exactness"] == "lower_bound"
    assert latest["converted"]["value"] == 17_000_000_000
    assert latest["converted"]["unit"] == "USD"
    assert latest["converted"]["note"] == "The source's own conversion."
    assert [s["id"] for s in latest["sources"]] == ["fg-mayor-2024"]


def test_target_is_never_the_latest_outcome(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "talent.graduates_staying", "--latest", "--json").json()
    (observation,) = record["observations"]
    assert observation["value"] == 40_000
    assert observation["status"] == "reported"  # version 3: its source states no status


def test_outdated_population_is_never_the_latest(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "population.resident", "--latest", "--json").json()
    assert record["observations"][0]["value"] == 3_300_000
    assert record["observations"][0]["period"] == "2020-11-01"


def test_latest_of_one_period_is_the_most_final_figure(hohhot: Runner) -> None:
    """Two figures for 2023, preliminary and final, in both orders of the file: the final one is the latest."""
    records = hohhot("metric", "gdp.growth", "trade.exports", "--latest", "--json").json()
    assert [(r["id"], r["observations"][0]["value"], r["observations"][0]["status"]) for r in records] == [
        ("gdp.growth", 5.2, "actual"),
        ("trade.exports", 12_000_000_000, "actual"),
    ]


def test_undated_figures_carry_as_of_and_no_period(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "geography.area", "--json").json()
    (observation,) = record["observations"]
    assert (observation["period"], observation["as_of"], observation["exactness"]) == (None, "2021", "approximate")


def test_metrics_json_is_the_full_dump(hohhot: Runner, base: FactBase) -> None:
    records = hohhot("metrics", "--json").json()
    assert len(records) == len(base.metrics)
    assert sum(len(r["observations"]) for r in records) == sum(len(m.observations) for m in base.metrics)
    assert all({"id", "label", "unit", "observations"} <= set(r) for r in records)


def test_industries_json(hohhot: Runner, base: FactBase) -> None:
    records = hohhot("industries", "--json").json()
    assert [r["id"] for r in records] == [i.id for i in base.industries]
    pillars = [r for r in records if r["kind"] == "pillar"]
    assert len(pillars) == 2
    dairy = next(r for r in records if r["id"] == "dairy")
    assert dairy["name_zh"] == "乳业"
    assert "dairy.revenue" in dairy["metric_ids"]
    assert set(dairy["company_ids"]) == {"steppe", "qingcheng"}


def test_industries_kind_filter(hohhot: Runner, base: FactBase) -> None:
    records = hohhot("industries", "--kind", "future", "--json").json()
    assert [r["id"] for r in records] == [i.id for i in base.industries if i.kind is IndustryKind.FUTURE]


def test_industry_detail_json(hohhot: Runner) -> None:
    record = hohhot("industries", "dairy", "--json").json()
    assert record["id"] == "dairy"
    assert {m["id"] for m in record["metrics"]} >= {"dairy.revenue", "dairy.revenue.growth"}
    assert {c["id"] for c in record["companies"]} == {"steppe", "qingcheng"}
    assert "fg-mayor-2024" in {s["id"] for s in record["sources"]}


def test_industry_found_by_chinese_name(hohhot: Runner) -> None:
    assert hohhot("industries", "乳业", "--json").json()["id"] == "dairy"


def test_search_finds_chinese_and_ranks_ids_first(hohhot: Runner) -> None:
    hits = hohhot("search", "乳都", "--json").json()
    assert hits[0]["id"] == "titles.dairy_capital"
    hits = hohhot("search", "dairy", "--json").json()
    assert hits[0]["id"].startswith("dairy")
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_empty_search_succeeds_with_an_empty_list(hohhot: Runner) -> None:
    result = hohhot("search", "zzzz-nothing", "--json")
    assert result.exit_code == 0, result
    assert result.json() == []


def test_sources_counts_match_the_base(hohhot: Runner, base: FactBase) -> None:
    records = {r["id"]: r for r in hohhot("sources", "--json").json()}
    assert set(records) == {s.id for s in base.sources}
    cited = sum(1 for m in base.metrics for o in m.observations if "fg-trade-2023" in o.sources)
    assert records["fg-trade-2023"]["observation_count"] == cited


def test_source_detail_has_a_citation(hohhot: Runner) -> None:
    record = hohhot("sources", "fg-mayor-2024", "--json").json()
    assert record["citation"].startswith("Ann Example and Bo Sample, “Invented interview with a mayor”")
    assert record["citation"].endswith(
        "2024-05-28 [national media], https://fixture.invalid/mayor-2024 (checked 2024-12-01)"
    )
    assert any(o["metric"] == "dairy.revenue" for o in record["observations"])


def test_compare_over_time_changes(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.total", "--json").json()
    by_period = {o["period"]: o for o in series["observations"]}
    # 2018 vs 2017: both as first published, so comparable.
    assert by_period["2018"]["previous_period"] == "2017"
    assert by_period["2018"]["change"]["value"] == pytest.approx(10_000_000_000)
    assert by_period["2018"]["change"]["percent"] == pytest.approx(5.0, abs=0.001)
    assert by_period["2018"]["change"]["computed"] is True, "a change from the levels is labelled as computed"
    # A quarter is compared with the same quarter a year before, never with a year.
    assert by_period["2024-Q1"]["previous_period"] == "2023-Q1"
    assert by_period["2024-Q1"]["change"]["value"] == pytest.approx(3_000_000_000)
    # No 2019 or 2022 figure: no change rather than a jump across years.
    assert by_period["2020"]["change"] is None
    assert by_period["2023"]["change"] is None


def test_compare_does_not_mix_revised_and_first_published(hohhot: Runner, tmp_path: Path) -> None:
    year = 'period = "{}"\nvalue = 220_000_000_000'
    facts = edited_copy(tmp_path, (year.format(2020), year.format(2019)))
    (series,) = hohhot("--facts", str(facts), "compare", "gdp.total", "--json").json()
    point = next(o for o in series["observations"] if o["period"] == "2019")
    assert point["change"] is None
    assert point["change_refused"] == "not computed: the 2019 figure is final; the 2018 figure is as first published"


def test_first_published_and_revised_figures_of_one_year_each_compare_on_their_basis(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.total", "--json").json()
    first, revised = (o for o in series["observations"] if o["period"] == "2021")
    assert (first["status"], first["change"]) == ("first_published", None)
    assert first["change_refused"] == "not computed: the 2021 figure is as first published; the 2020 figure is final"
    assert (revised["status"], revised["previous_period"]) == ("revised", "2020")
    assert revised["change"]["value"] == pytest.approx(11_000_000_000)


def test_compare_bounds_give_no_change(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "dairy.revenue", "--json").json()
    latest = series["observations"][-1]
    assert latest["change"] is None
    assert latest["change_refused"] == (
        "not computed: the 2023 figure has no stated status and is a lower bound; "
        "the 2022 figure is an estimate and is a lower bound"
    )


def test_side_by_side_bars_only_within_a_unit(hohhot: Runner) -> None:
    rows = hohhot("compare", "trade.total", "trade.exports", "trade.imports", "trade.total_usd", "--json").json()
    shares = {r["metric"]: r["share_of_max"] for r in rows}
    assert shares["trade.total"] == 1.0
    assert shares["trade.exports"] == pytest.approx(12.0 / 20.0)
    assert shares["trade.imports"] == pytest.approx(8.0 / 20.0)
    assert shares["trade.total_usd"] is None  # the one figure in dollars: no scale to share


def test_overview_json(hohhot: Runner) -> None:
    record = hohhot("overview", "--json").json()
    assert record["name_zh"] == "呼和浩特"
    assert record["population"]["value"] == 3_300_000
    # The newest full year, even from a secondary source, which the record names as such.
    assert record["gdp"]["period"] == "2024"
    assert record["gdp"]["status"] == Status.REPORTED.value
    assert [s["kind"] for s in record["gdp"]["sources"]] == ["secondary"]
    assert record["pillar_industry_ids"] == ["dairy", "new-energy"]


def test_bare_command_shows_the_overview(hohhot: Runner) -> None:
    result = hohhot()
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Hohhot 呼和浩特\n")


def test_version(hohhot: Runner) -> None:
    result = hohhot("--version")
    assert result.exit_code == 0, result
    assert result.stdout == "hohhot 0.1.0\n"


# -- export ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sqlite"])
def test_export_every_format(hohhot: Runner, base: FactBase, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"out.{fmt}"
    result = hohhot("export", "--format", fmt, "--output", str(output))
    assert result.exit_code == 0, result
    assert result.stdout == ""
    count = sum(len(m.observations) for m in base.metrics)
    assert result.stderr == f"hohhot: wrote {count} observations to {output} ({fmt})\n"
    if fmt == "json":
        document = json.loads(output.read_text(encoding="utf-8"))
        assert document["format_version"] == "4.1"
        rows = document["observations"]
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    else:
        connection = sqlite3.connect(output)
        connection.row_factory = sqlite3.Row
        rows = [dict(r) for r in connection.execute("select * from observations order by rowid")]
        assert connection.execute("select count(*) from sources").fetchone()[0] == len(base.sources)
        connection.close()
    assert len(rows) == count
    dairy = next(r for r in rows if r["metric"] == "dairy.revenue" and r["period"] == "2023")
    assert float(dairy["value"]) == 120_000_000_000
    assert dairy["exactness"] == "lower_bound"
    ids, urls = dairy["source_ids"], dairy["source_urls"]
    if fmt == "csv":  # one cell: the list joined by " | "
        ids, urls = ids.split(" | "), urls.split(" | ")
    elif fmt == "sqlite":  # a JSON array
        ids, urls = json.loads(ids), json.loads(urls)
    assert ids == ["fg-mayor-2024"]
    assert urls == ["https://fixture.invalid/mayor-2024"]


def test_export_format_from_extension(hohhot: Runner, tmp_path: Path) -> None:
    output = tmp_path / "hohhot.db"
    assert hohhot("export", "-o", str(output)).exit_code == 0
    assert output.read_bytes().startswith(b"SQLite format 3")


def test_export_unknown_format_is_usage(hohhot: Runner, tmp_path: Path) -> None:
    result = hohhot("export", "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == ExitStatus.USAGE, result
    assert "export format 'xlsx' is not one of: json, jsonl, csv, tsv, sqlite" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_into_missing_directory_fails_cleanly(hohhot: Runner, tmp_path: Path) -> None:
    result = hohhot("export", "-o", str(tmp_path / "missing" / "out.csv"))
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stderr.count("\n") == 1
    assert "no such directory" in result.stderr


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("metric", "gpd"), "hohhot: error: no metric 'gpd'; did you mean gdp? Or look for it: hohhot search gpd\n"),
        (("industries", "diary"), "hohhot: error: no industry 'diary'; did you mean dairy?\n"),
        (("sources", "fg-mayor-2023"), "hohhot: error: no source 'fg-mayor-2023'; did you mean fg-mayor-2024"),
        (("compare", "trade.totl"), "hohhot: error: no metric 'trade.totl'; did you mean trade.total"),
        (("metrics", "--topic", "gpd"), "hohhot: error: no topic 'gpd'; did you mean gdp?\n"),
    ],
)
def test_unknown_ids_exit_1_with_suggestions(hohhot: Runner, args: tuple[str, ...], message: str) -> None:
    for fmt in FORMATS:
        result = hohhot(*args, "--format", fmt)
        assert result.exit_code == ExitStatus.ERROR, result
        assert result.stdout == ""
        assert result.stderr.startswith(message)
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("bogus",),
        ("metric",),
        ("metric", "gdp", "--bogus"),
        ("metric", "gdp", "--format", "xml"),
        ("industries", "--kind", "other"),
        ("industries", "dairy", "--kind", "pillar"),
        ("compare",),
        ("export",),
    ],
)
def test_bad_usage_exits_2(hohhot: Runner, args: tuple[str, ...]) -> None:
    result = hohhot(*args)
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stdout == ""
    assert result.stderr.startswith("hohhot: usage: ")
    assert "Traceback" not in result.stderr


def test_invalid_facts_file_is_one_line(hohhot: Runner, tmp_path: Path) -> None:
    facts = tmp_path / "bad.toml"
    facts.write_text("schema_version = 1\n[[metrics]\n", encoding="utf-8")
    result = hohhot("--facts", str(facts), "metric", "gdp")
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stdout == ""
    assert result.stderr.startswith(f"hohhot: error: {facts}:2: TOML syntax error:")
    assert result.stderr.count("\n") == 1


def test_facts_from_environment(hohhot: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOHHOT_FACTS", str(tmp_path / "absent.toml"))
    result = hohhot("industries")
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stderr == f"hohhot: error: {tmp_path / 'absent.toml'}: no such file\n"


def test_validate_reports_every_problem(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(
        tmp_path, ('unit = "percent"', 'unit = "per-cent"'), ('source = "fg-q1-2023"', 'source = "fg-q1"')
    )
    result = hohhot("validate", str(facts))
    assert result.exit_code == ExitStatus.ERROR, result
    lines = result.stdout.splitlines()
    assert lines[0] == f"{facts}: 2 problems"
    assert any("'per-cent' is not one of" in line for line in lines)
    assert any("unknown source 'fg-q1'" in line for line in lines)
    record = hohhot("validate", str(facts), "--json").json()
    assert record["valid"] is False
    assert len(record["problems"]) == 2


def test_validate_default_base(hohhot: Runner, base: FactBase) -> None:
    record = hohhot("validate", "--json").json()
    assert record["valid"] is True
    assert record["counts"]["observation_count"] == sum(len(m.observations) for m in base.metrics)


# -- help and completion ----------------------------------------------------------------


def _command_names() -> list[str]:
    return sorted(c.name or "" for c in commands.registered_commands)


def test_every_command_has_help(hohhot: Runner) -> None:
    for name in _command_names():
        result = hohhot(name, "--help")
        assert result.exit_code == 0, result
        assert "Usage:" in result.stdout
        command = next(c for c in commands.registered_commands if c.name == name)
        assert (command.callback.__doc__ or "").strip(), f"{name} has no help text"


def test_every_query_command_has_the_format_option(hohhot: Runner) -> None:
    for name in _command_names():
        if name in ("export", "schema", "cite", "completion"):  # a file format; always JSON; citation styles; a script
            continue
        assert "--format" in hohhot(name, "--help").stdout, name


def test_completion_of_ids() -> None:
    assert "gdp.total" in complete("complete_metric", "gdp.")
    assert "gdp" in complete("complete_metric", "gd")
    assert complete("complete_industry", "da") == ["dairy"]
    assert complete("complete_source", "fg-mayor") == ["fg-mayor-2024"]
    assert complete("complete_topic", "tr") == ["trade"]


def test_export_never_overwrites_the_fact_file_it_reads(hohhot: Runner, tmp_path: Path) -> None:
    facts = edited_copy(tmp_path)
    before = facts.read_bytes()
    result = hohhot("--facts", str(facts), "export", "--format", "json", "-o", str(facts))
    assert result.exit_code == ExitStatus.ERROR, result
    assert result.stderr == f"hohhot: error: {facts}: is the fact file being read; export to another file\n"
    assert facts.read_bytes() == before


# -- several figures for one period, bars, aliases ---------------------------------------


def _with_revised_2018(tmp_path: Path, revised: str) -> Path:
    """The fixture plus a revised 2018 GDP after the first-published one, and a 2019 figure."""
    marker = (
        'period = "2020"\nvalue = 220_000_000_000\nstatus = "actual"\nstatus_basis = "a yearbook figure"\n'
        'source = "fg-profile"\n'
    )
    extra = (
        f'\n[[metrics.observations]]\nperiod = "2018"\nvalue = {revised}\nsource = "fg-profile-2024"\n'
        '\n[[metrics.observations]]\nperiod = "2019"\nvalue = 215_000_000_000\nsource = "fg-profile-2024"\n'
    )
    return edited_copy(tmp_path, (marker, marker + extra))


def test_compare_uses_the_previous_figure_on_the_same_basis(hohhot: Runner, tmp_path: Path) -> None:
    facts = _with_revised_2018(tmp_path, "205_000_000_000")
    (series,) = hohhot("--facts", str(facts), "compare", "gdp.total", "--json").json()
    point = next(o for o in series["observations"] if o["period"] == "2019")
    assert point["previous_period"] == "2018"
    # From the 205 bn of no stated status (as the 2019 figure), not the 210 bn as first published.
    assert point["change"]["value"] == 10_000_000_000
    assert point["change_refused"] is None


@pytest.mark.parametrize(
    ("final", "earlier"),
    [
        ("revised", "first_published"),
        ("revised", "actual"),
        ("actual", "preliminary"),
        ("first_published", "preliminary"),
        ("preliminary", "reported"),
        ("reported", "estimate"),
    ],
)
def test_latest_prefers_the_most_final_figure_of_a_period(
    hohhot: Runner, tmp_path: Path, final: str, earlier: str
) -> None:
    """Of two figures for the newest period, the more final one is the latest, whatever the file's order."""
    marker = 'period = "2024"\nvalue = 240_000_000_000\n'

    def status(name: str) -> str:
        return f'status = "{name}"\n' + ('status_basis = "called final"\n' if name == "actual" else "")

    first = f'period = "2024"\nvalue = 250_000_000_000\n{status(earlier)}source = "fg-profile"\n'
    facts = edited_copy(tmp_path, (marker, first + "\n[[metrics.observations]]\n" + marker + status(final)))
    record = hohhot("--facts", str(facts), "overview", "--json").json()
    assert (record["gdp"]["value"], record["gdp"]["status"]) == (240_000_000_000, final)
    (metric,) = hohhot("--facts", str(facts), "metric", "gdp.total", "--latest", "--json").json()
    (latest,) = metric["observations"]
    assert (latest["value"], latest["supersedes"]) == (240_000_000_000, ["gdp.total@2024#1"])


def test_side_by_side_lines_up_one_period_and_any_period_lets_it_be_a_part_year(hohhot: Runner) -> None:
    """gdp.total and trade.total share 2023 and 2024-H1: the full year, unless --any-period."""
    rows = hohhot("compare", "gdp.total", "trade.total", "--json").json()
    assert [(r["compared_period"], r["observation"]["period"]) for r in rows] == [("2023", "2023")] * 2
    rows = hohhot("compare", "gdp.total", "trade.total", "--any-period", "--json").json()
    assert [(r["compared_period"], r["observation"]["period"]) for r in rows] == [("2024-H1", "2024-H1")] * 2
    # trade.exports has no 2024-H1 figure: never a 2024-H1 row beside its 2023 one.
    rows = hohhot("compare", "trade.total", "trade.exports", "--any-period", "--json").json()
    assert {r["observation"]["period"] for r in rows} == {"2023"}


def test_an_alias_that_is_a_topic_is_refused(tmp_path: Path) -> None:
    from hohhot_cli.load.loader import parse_facts
    from hohhot_cli.model.errors import FactFileError

    facts = edited_copy(tmp_path, ('aliases = ["regional gdp", "economy"]', 'aliases = ["gdp", "economy"]'))
    with pytest.raises(FactFileError) as caught:
        parse_facts(facts.read_text(encoding="utf-8"), "facts.toml")
    assert [str(p) for p in caught.value.problems] == [
        "facts.toml: metrics (gdp.total).aliases: alias 'gdp' is a topic too, so it would never be used"
    ]


def test_an_alias_finds_its_metric(hohhot: Runner) -> None:
    records = hohhot("metric", "residents", "--json").json()
    assert [r["id"] for r in records] == ["population.resident"]


# -- global options in any order, state between runs ------------------------------------------


def _dated_copy(tmp_path: Path, date: str) -> Path:
    return edited_copy(tmp_path, ("updated = 2025-01-15", f"updated = {date}"), name="dated.toml")


@pytest.mark.parametrize("order", ["facts-first", "version-first"])
def test_version_never_loads_the_fact_base(hohhot: Runner, tmp_path: Path, order: str) -> None:
    """Not even one that is missing: ``--version`` answers at once whatever the base (the overview dates it)."""
    args = ["--facts", str(tmp_path / "missing.toml"), "--version"]
    result = hohhot(*(args if order == "facts-first" else args[::-1][:1] + args[:2]))
    assert result.exit_code == 0, result
    assert result.stdout == "hohhot 0.1.0\n"


def test_no_state_leaks_from_one_run_to_the_next(hohhot: Runner, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    facts = _dated_copy(tmp_path, "2026-01-01")
    assert hohhot("--facts", str(facts), "overview", "--json").json()["updated"] == "2026-01-01"
    assert hohhot("overview", "--json").json()["updated"] == "2025-01-15"
    direct = CliRunner().invoke(app, ["--facts", str(facts), "overview", "--json"])
    assert direct.exit_code == 0, direct.output
    assert '"updated": "2026-01-01"' in direct.output


def test_usage_errors_are_one_line(hohhot: Runner) -> None:
    result = hohhot("metric", "gdp", "--bogus")
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr == "hohhot: usage: No such option: --bogus (try 'hohhot metric --help')\n"


# -- export targets ------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "head"), [("sqlite3", b"SQLite format 3"), ("ndjson", b'{"metric"')])
def test_export_format_from_more_extensions(hohhot: Runner, tmp_path: Path, suffix: str, head: bytes) -> None:
    output = tmp_path / f"out.{suffix}"
    assert hohhot("export", "-o", str(output)).exit_code == 0
    assert output.read_bytes().startswith(head)


def test_export_through_a_symlink_keeps_the_link(hohhot: Runner, tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert hohhot("export", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("metric,label,topic")


def test_overview_csv_is_raw_values(hohhot: Runner) -> None:
    (row,) = csv.DictReader(io.StringIO(hohhot("overview", "-f", "csv").stdout))
    assert row["population.value"] == "3300000"
    assert (row["gdp.value"], row["gdp.unit"], row["gdp.period"], row["gdp.status"]) == (
        "240000000000",
        "CNY",
        "2024",
        "reported",
    )


def test_search_matches_word_starts_and_puts_exact_names_first(hohhot: Runner) -> None:
    ids = [h["id"] for h in hohhot("search", "ai", "--json").json()]
    assert ids[0] == "artificial-intelligence"  # its alias is exactly "ai"
    assert not any(i.startswith("dairy") for i in ids), "'ai' inside 'dairy' is no match"
    assert hohhot("search", "dairy", "--json").json()[0]["id"] == "dairy"
    assert hohhot("search", "steppe", "--json").json()[0] == {
        "kind": "company",
        "id": "steppe",
        "label": "Steppe Dairy Group",
        "text": "Steppe Dairy Group",
        "score": 120,
        "matched": ["id", "name"],
        "latest": None,
        "figure": None,
    }


# -- figures of one period: what relates them, and what a change is computed from ----------


def test_a_figure_dated_by_its_source_is_not_a_figure_for_that_period(hohhot: Runner, tmp_path: Path) -> None:
    """as_of 2024 (a source of 2024 that gives no period) and period 2024 differ without superseding."""
    extra = '[[metrics.observations]]\nas_of = "2024"\nvalue = 200_000_000_000\nsource = "fg-profile-2024"\n\n'
    marker = '[[metrics.observations]]\nperiod = "2024"\nvalue = 240_000_000_000\n'
    facts = edited_copy(tmp_path, (marker, extra + marker))
    (record,) = hohhot("--facts", str(facts), "metric", "gdp.total", "--json").json()
    by_value = {o["value"]: o for o in record["observations"]}
    assert (by_value[200_000_000_000]["ref"], by_value[240_000_000_000]["ref"]) == (
        "gdp.total@as-of-2024",
        "gdp.total@2024#1",  # the first of the two figures for the period 2024, not counting the as-of one
    )
    for observation in (by_value[200_000_000_000], by_value[240_000_000_000]):
        assert observation["supersedes"] == observation["superseded_by"] == observation["conflicts_with"] == []


def test_no_change_is_computed_from_a_period_whose_figures_conflict(hohhot: Runner, tmp_path: Path) -> None:
    """trade.total 2024-H1 has two equally final figures that differ: 2025-H1 gets no change from either."""
    marker = '[[metrics.observations]]\nperiod = "2024-H1"\nvalue = 11_500_000_000\n'
    later = '[[metrics.observations]]\nperiod = "2025-H1"\nvalue = 12_000_000_000\nsource = "fg-profile-2024"\n\n'
    facts = edited_copy(tmp_path, (marker, later + marker))
    (series,) = hohhot("--facts", str(facts), "compare", "trade.total", "--json").json()
    (point,) = (o for o in series["observations"] if o["period"] == "2025-H1")
    assert (point["previous_period"], point["change"]) == ("2024-H1", None)
    assert point["change_refused"] == "not computed: the 2024-H1 figure conflicts with another figure for its period"


# -- one definition of "latest", period filters -----------------------------------------


def test_latest_prefers_a_full_year_to_a_newer_half(hohhot: Runner) -> None:
    """trade.total has 2023 and a newer 2024-H1: the full year is the latest, unless --any-period."""
    (record,) = hohhot("metric", "trade.total", "--latest", "--json").json()
    assert [o["period"] for o in record["observations"]] == ["2023"]
    (record,) = hohhot("metric", "trade.total", "--latest", "--any-period", "--json").json()
    assert record["observations"][0]["period"] == "2024-H1"
    rows = hohhot("compare", "trade.total", "trade.exports", "--json").json()
    assert {r["observation"]["period"] for r in rows} == {"2023"}
    assert [r["share_of_max"] for r in rows] == [1.0, pytest.approx(0.6)]


def test_part_year_only_metric_takes_its_newest_part(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "tourism.visitors", "--latest", "--json").json()
    assert record["observations"][0]["period"] == "2024-01/2024-09"


def test_period_filters(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "gdp.total", "--since", "2020", "--kind", "year", "--json").json()
    periods = [o["period"] for o in record["observations"]]
    assert periods and all(len(p) == 4 and p >= "2020" for p in periods)
    (record,) = hohhot("metric", "gdp.total", "--until", "2018", "--json").json()
    assert all(o["period"] <= "2018" for o in record["observations"])
    rows = hohhot("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2023", "--json").json()
    assert {(r["compared_period"], r["observation"]["period"]) for r in rows} == {("2023", "2023")}
    (series,) = hohhot("compare", "gdp.total", "--period", "2018", "--json").json()
    (point,) = series["observations"]
    assert point["previous_period"] == "2017", "a change from a period filtered out is still given"


@pytest.mark.parametrize("args", [("--kind", "decade"), ("--since", "20x0"), ("--period", "2023-H3")])
def test_bad_period_options_are_usage_errors(hohhot: Runner, args: tuple[str, ...]) -> None:
    result = hohhot("metric", "gdp", *args)
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stderr.count("\n") == 1


def test_a_figure_shown_alone_says_how_final_it_is(hohhot: Runner, tmp_path: Path) -> None:
    """Side by side, in the overview and in headlines, a preliminary figure says so, as in the series."""
    marker = 'period = "2024"\nvalue = 240_000_000_000\n'
    facts = edited_copy(tmp_path, (marker, marker + 'status = "preliminary"\n'))
    table = hohhot("--facts", str(facts), "compare", "gdp.total", "trade.total").stdout  # they share 2023
    (row,) = (line for line in table.splitlines() if line.startswith("gdp.total "))
    assert "260 bn CNY" in row and "preliminary" in row, table
    overview = hohhot("--facts", str(facts), "--no-pager", "overview", env={"COLUMNS": "200"}).stdout
    (line,) = (line for line in overview.splitlines() if line.startswith("Regional GDP "))
    assert "preliminary" in line and "(secondary)" in line, overview


def test_every_conflicting_pair_is_said_once(hohhot: Runner, tmp_path: Path) -> None:
    """Three equally final figures of one period, two of them equal: the two differing pairs, each once."""
    # 11.0 bn, 11.5 bn, then 11.0 bn again: the pairs are (1st, 2nd) and (2nd, 3rd).
    third = '[[metrics.observations]]\nperiod = "2024-H1"\nvalue = 11_000_000_000\nsource = "fg-trade-2023"\n\n'
    marker = '[[metrics]]\nid = "trade.exports"\n'
    facts = edited_copy(tmp_path, (marker, third + marker))
    table = hohhot("--facts", str(facts), "--no-pager", "metric", "trade.total", env={"COLUMNS": "200"}).stdout
    conflicts = [line for line in table.splitlines() if " conflicts with " in line]
    assert len(conflicts) == 2, table
    assert all(line.count("11.5 bn CNY") == 1 for line in conflicts), table
