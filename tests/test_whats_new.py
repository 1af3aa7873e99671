"""The city at a glance and what is new: the overview's headlines, an industry's summary, ``added`` and ``changes``.

The commands run on the fixture base (tests/data/fixture.toml), whose exact output is in the golden files
(tests/test_cli.py); here, what each shows is checked against the rules, and the loader's checks of
``added`` and ``[overview]`` on small bases, one mistake each.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import REPO, Runner
from support.factfiles import minimal_base, to_toml

from hohhot_cli.load.lint import lint
from hohhot_cli.load.loader import parse_facts
from hohhot_cli.model.errors import ExitStatus, FactFileError
from hohhot_cli.model.facts import FactBase
from hohhot_cli.query import queries

NAME = "base.toml"


def v3_base() -> dict[str, Any]:
    """The minimal base as version 3, its figure and fact added on its ``updated`` day (2026-01-01)."""
    document = copy.deepcopy(minimal_base())
    document["schema_version"] = 3
    document["sources"][0]["kind"] = "national_media"
    document["metrics"][0]["measure"] = "level"
    document["metrics"][0]["observations"][0]["added"] = datetime.date(2026, 1, 1)
    document["facts"][0]["added"] = datetime.date(2026, 1, 1)
    return document


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(FactFileError) as caught:
        parse_facts(to_toml(document), NAME)
    return [f"{p.place}: {p.message}" for p in caught.value.problems]


# -- added: read and checked ----------------------------------------------------------------


def test_added_is_read_on_figures_and_facts_as_a_date_or_a_string() -> None:
    document = v3_base()
    document["facts"][0]["added"] = "2025-12-31"
    base = parse_facts(to_toml(document), NAME)
    assert base.metrics[0].observations[0].added == "2026-01-01"
    assert base.facts[0].added == "2025-12-31"


def test_without_added_the_day_is_unknown() -> None:
    document = v3_base()
    del document["facts"][0]["added"]
    base = parse_facts(to_toml(document), NAME)
    assert base.facts[0].added is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12", "'2025-12' must be a full date (YYYY-MM-DD)"),
        ("2025", "'2025' must be a full date (YYYY-MM-DD)"),
        (datetime.date(2026, 1, 2), "2026-01-02 is after the base's updated date, 2026-01-01"),
        ("yesterday", "'yesterday' is not a period"),
    ],
)
def test_added_is_a_full_date_not_after_updated(value: Any, expected: str) -> None:
    document = v3_base()
    document["metrics"][0]["observations"][0]["added"] = value
    (problem,) = problems_of(document)
    assert problem.startswith("metrics[0] (gdp.total).observations[0].added: "), problem
    assert expected in problem, problem


def test_a_fact_added_after_updated_is_refused() -> None:
    document = v3_base()
    document["facts"][0]["added"] = datetime.date(2027, 1, 1)
    assert problems_of(document) == [
        "facts[0] (plans.airport).added: 2027-01-01 is after the base's updated date, 2026-01-01"
    ]


def test_added_and_overview_need_version_3() -> None:
    document = minimal_base()
    document["metrics"][0]["observations"][0]["added"] = datetime.date(2026, 1, 1)
    document["facts"][0]["added"] = datetime.date(2026, 1, 1)
    document["overview"] = {"headlines": ["gdp.total"]}
    problems = problems_of(document)
    assert "metrics[0] (gdp.total).observations[0].added: needs schema_version = 3" in problems
    assert "facts[0] (plans.airport).added: needs schema_version = 3" in problems
    assert "overview: needs schema_version = 3" in problems


def test_validate_warns_of_an_entry_added_before_its_source_or_without_a_day() -> None:
    document = v3_base()
    document["metrics"][0]["observations"][0]["added"] = datetime.date(2024, 5, 27)  # the source is of 2024-05-28
    del document["facts"][0]["added"]
    warnings = [f"{w.place}: {w.message}" for w in lint(parse_facts(to_toml(document), NAME))]
    assert [w for w in warnings if "added" in w] == [
        "metrics (gdp.total).observations (gdp.total@2023): added on 2024-05-27, "
        "before its source cd-mayor-2024 appeared (2024-05-28)",
        "facts (plans.airport): no 'added' date, so hohhot changes never lists it",
    ]


def test_a_base_that_dates_nothing_gets_no_warning_for_it() -> None:
    document = v3_base()
    del document["facts"][0]["added"]
    del document["metrics"][0]["observations"][0]["added"]
    assert [w for w in lint(parse_facts(to_toml(document), NAME)) if "added" in w.message] == []


# -- the overview's headlines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overview", "expected"),
    [
        ({"headlines": ["gdp.totl"]}, "overview.headlines: unknown metric 'gdp.totl' (did you mean 'gdp.total'?)"),
        ({"headlines": ["gdp.total", "gdp.total"]}, "overview.headlines: 'gdp.total' is named twice"),
        ({"headlines": ["plans.airport"]}, "overview.headlines: unknown metric 'plans.airport'"),
        ({}, "overview: missing required key 'headlines'"),
        ({"headlines": ["gdp.total"], "title": "x"}, "overview: unknown key 'title'"),
        ({"headlines": [1]}, "overview.headlines: expected a string or a list of strings, got an array"),
    ],
)
def test_every_headline_is_a_metric_named_once(overview: dict[str, Any], expected: str) -> None:
    document = v3_base()
    document["overview"] = overview
    assert problems_of(document) == [expected]


def test_the_overview_shows_the_headlines_in_the_order_named(hohhot: Runner, base: FactBase) -> None:
    record = hohhot("--json").json()
    assert [h["metric"] for h in record["headlines"]] == list(base.headlines)
    assert len(record["headlines"]) >= 8
    for headline in record["headlines"]:
        # The latest by the package's rule, with what qualifies it and who says so.
        metric = base.metric_by_id[headline["metric"]]
        latest = queries.latest_observation(base, metric)
        assert latest is not None and headline["ref"] == latest.ref
        assert headline["status"] and headline["sources"]
        assert all(s["publisher"] and s["date"] for s in headline["sources"])


def test_each_headline_says_who_gives_it_by_publisher_and_year(hohhot: Runner) -> None:
    table = hohhot("--no-pager", env={"COLUMNS": "200"}).stdout
    (gdp,) = (line for line in table.splitlines() if line.startswith("Regional GDP "))
    expected = "Regional GDP 240 bn CNY (2024, status not stated) — Fixture Gazette Digest 2025 (secondary)"
    assert " ".join(gdp.split()) == expected  # the value's words are joined by no-break spaces
    (population,) = (line for line in table.splitlines() if line.startswith("Resident population "))
    assert "Fixture Gazette Statistics Desk 2021; Fixture Gazette, undated, 2021 or later" in population


def test_a_base_that_names_no_headlines_shows_population_and_gdp() -> None:
    document = v3_base()
    base = parse_facts(to_toml(document), NAME)
    result = queries.overview(base)
    assert [f.metric.id for f in result.headlines] == ["gdp.total"]  # no population metric: left out
    document["metrics"].append(
        {
            "id": "population.resident",
            "label": "Residents",
            "unit": "people",
            "measure": "level",
            "observations": [{"period": "2023", "value": 7, "source": "cd-mayor-2024", "status": "target"}],
        }
    )
    result = queries.overview(parse_facts(to_toml(document), NAME))
    assert [f.metric.id for f in result.headlines] == ["population.resident", "gdp.total"]


# -- an industry's summary --------------------------------------------------------------------


def test_an_industry_summary_lists_its_newest_figures_besides_the_headline(hohhot: Runner) -> None:
    record = hohhot("industries", "dairy", "--json").json()
    assert record["headline"]["ref"] == "dairy.revenue.growth@2023"
    # Newest first; the 2021 figure ends before 2022, three years before the base's update (2025).
    assert [f["ref"] for f in record["newest"]] == ["dairy.forage_area@as-of-2024-01-18", "dairy.revenue@2023"]
    assert hohhot("industries", "dairy", "--all", "--json").json() == record, "JSON holds everything either way"


def test_the_summary_keeps_out_targets_and_keeps_at_most_the_limit(base: FactBase) -> None:
    figures = [queries.Figure(m, o) for m in base.metrics for o in m.observations]
    newest = queries.newest_figures(base, figures, limit=3)
    assert len(newest) == 3
    assert all(f.observation.status.value != "target" for f in newest)
    ends = [queries.when(f.observation).end for f in newest]
    assert ends == sorted(ends, reverse=True)


def test_all_goes_with_an_industry_id(hohhot: Runner) -> None:
    result = hohhot("industries", "--all")
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stderr == "hohhot: usage: --all shows one industry in full; give its id\n"


# -- changes ----------------------------------------------------------------------------------


def _listed(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["date"], r["what"], r["ref"] or r["id"]) for r in records]


def test_changes_since_the_last_update_by_default(hohhot: Runner) -> None:
    assert _listed(hohhot("changes", "--json").json()) == [
        ("2025-01-15", "superseded", "gdp.total@2021#1"),
        ("2025-01-15", "revised", "gdp.total@2021#2"),
        ("2025-01-15", "added", "gdp.total@2024#1"),
        ("2025-01-15", "added", "trade.total@2024-H1#2"),
        ("2025-01-15", "added", "titles.dairy_capital_2009"),
    ]


def test_changes_between_two_days(hohhot: Runner, base: FactBase) -> None:
    records = hohhot("changes", "--since", "2024-12", "--until", "2024-12-01", "--json").json()
    dated = [o.ref for m in base.metrics for o in m.observations if o.added == "2024-12-01"]
    dated += [f.id for f in base.facts if f.added == "2024-12-01"]
    assert sorted(r["ref"] or r["id"] for r in records) == sorted(dated)
    assert {r["date"] for r in records} == {"2024-12-01"}
    # Within one day, a figure that supersedes one of the same day or before is a revision.
    assert ("2024-12-01", "revised", "gdp.growth@2023#2") in _listed(records)
    assert "gdp.total@2024#2" not in {r["ref"] for r in records}, "a figure of no known day is never listed"


def test_a_change_record_carries_the_figure_and_who_gives_it(hohhot: Runner) -> None:
    records = hohhot("changes", "--json").json()
    (revised,) = (r for r in records if r["what"] == "revised")
    assert revised["kind"] == "figure" and revised["id"] == "gdp.total"
    assert (revised["value"], revised["unit"], revised["period"], revised["status"]) == (
        231_000_000_000,
        "CNY",
        "2021",
        "revised",
    )
    assert revised["supersedes"] == ["gdp.total@2021#1"]
    assert [s["id"] for s in revised["sources"]] == ["fg-profile-2024"]
    (fact,) = (r for r in records if r["kind"] == "fact")
    assert (fact["ref"], fact["value"], fact["status"]) == (None, None, None)


def test_changes_in_every_format_and_nothing_found(hohhot: Runner) -> None:
    empty = ("changes", "--since", "2030-01-01")
    assert hohhot(*empty, "--json").stdout == "[]\n"
    assert hohhot(*empty, "--format", "jsonl").stdout == ""
    header, *rows = list(csv.reader(io.StringIO(hohhot(*empty, "--format", "csv").stdout)))
    assert header[:5] == ["date", "what", "kind", "id", "ref"] and rows == []
    for fmt in ("table", "markdown"):
        result = hohhot(*empty, "--format", fmt)
        assert result.exit_code == 0
        assert result.stderr == "hohhot: no figures or facts added, revised or superseded since 2030-01-01\n"
    (row,) = [r for r in csv.DictReader(io.StringIO(hohhot("changes", "-f", "csv").stdout)) if r["what"] == "revised"]
    assert (row["ref"], row["supersedes"], row["source_ids"]) == (
        "gdp.total@2021#2",
        "gdp.total@2021#1",
        "fg-profile-2024",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2024-13-01"), "hohhot: usage: --since: "),
        (("--until", "soon"), "hohhot: usage: --until: "),
        (("--since", "2025-01-02", "--until", "2025-01-01"), "hohhot: usage: --until 2025-01-01 is before --since"),
    ],
)
def test_bad_days_are_usage_errors(hohhot: Runner, args: tuple[str, ...], message: str) -> None:
    result = hohhot("changes", *args)
    assert result.exit_code == ExitStatus.USAGE, result
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result


# -- the script that dated the bundled base from its history --------------------------------


def _commit(repo: Path, text: str, day: str) -> None:
    (repo / "facts.toml").write_text(text, encoding="utf-8")
    environment = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00Z", "GIT_COMMITTER_DATE": f"{day}T12:00:00Z"}
    for args in (["add", "facts.toml"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", day]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=environment, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_script_dates_each_entry_by_the_first_version_that_holds_it(tmp_path: Path) -> None:
    """A figure keeps its day through a corrected period, a move to another metric and a corrected value."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    first = v3_base()
    for entry in (first["metrics"][0]["observations"][0], first["facts"][0]):
        del entry["added"]
    _commit(tmp_path, to_toml(first), "2025-03-01")
    second = copy.deepcopy(first)
    second["metrics"][0]["observations"][0]["period"] = "2022"  # a corrected period: the same figure
    second["metrics"][0]["observations"].append({"period": "2023", "value": 120, "source": "cd-mayor-2024"})
    second["facts"][0]["label"] = "A new airport"  # the same fact, relabelled
    _commit(tmp_path, to_toml(second), "2025-04-01")
    third = copy.deepcopy(second)
    third["metrics"][0]["id"] = "gdp.level"
    third["metrics"][0]["moved_from"] = ["gdp.total"]
    third["metrics"][0]["observations"][1]["value"] = 121  # a corrected value: the same figure
    _commit(tmp_path, to_toml(third), "2025-05-01")
    script = REPO / "tools" / "added_dates.py"
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    base = parse_facts((tmp_path / "facts.toml").read_text(encoding="utf-8"), NAME)
    assert [o.added for o in base.metrics[0].observations] == ["2025-03-01", "2025-04-01"]
    assert base.facts[0].added == "2025-03-01"
    again = subprocess.run([sys.executable, str(script), "--check"], cwd=tmp_path, capture_output=True)
    assert again.returncode == 0, "a second run writes the same"
