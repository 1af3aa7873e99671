"""One figure, found and cited: refs as ids (show, cite, completion), names as ids, a search that answers.

Runs on the fixture base (tests/data/fixture.toml); the tables are in tests/golden/ (show_figure,
search_figures, search_population, metric_refs, compare_refs). Checks of the bundled base are in
tests/test_bundled_data.py (check_refs_and_searches).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from support import FIXTURE, Runner, complete, subprocess_env

from hohhot_cli.load.loader import load_facts
from hohhot_cli.model.errors import ExitStatus
from hohhot_cli.query.search import POINTS, search

PROFILE_2024 = {
    "id": "fg-profile-2024",
    "publisher": "Fixture Gazette",
    "title": "City profile, 2024 edition",
    "date": "2024-01-18",
    "authors": [],
    "url": "https://fixture.invalid/profile-2024",
    "note": "",
    "kind": "official",
    "undated": False,
    "read_at": None,
    "reprinted_by": None,
    "checked": "2024-12-01",
}

GDP_2023 = {
    "metric": "gdp.total",
    "label": "Regional GDP",
    "unit": "CNY",
    "value": 260_000_000_000,
    "period": "2023",
    "period_start": "2023-01-01",
    "period_end": "2023-12-31",
    "period_kind": "year",
    "as_of": None,
    "exactness": "exact",
    "status": "preliminary",
    "status_basis": None,
    "note": "Preliminary figure.",
    "converted": None,
    "sources": [PROFILE_2024],
    "ref": "gdp.total@2023",
    "supersedes": [],
    "superseded_by": [],
    "conflicts_with": [],
    "added": "2024-12-01",
}


def failed(result: Any, status: int = ExitStatus.ERROR) -> str:
    """The one line of a failure on stderr; nothing on stdout."""
    assert result.exit_code == status, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result
    text: str = result.stderr
    return text


# -- show REF ------------------------------------------------------------------------


def test_show_a_ref_gives_the_figure_with_its_metric_in_front(hohhot: Runner) -> None:
    assert hohhot("show", "gdp.total@2023", "--json").json() == {**GDP_2023, "moved": None}


def test_show_a_ref_in_csv_is_one_observation_row(hohhot: Runner) -> None:
    header, row = hohhot("show", "gdp.total@2023", "-f", "csv").stdout.splitlines()
    assert header.startswith("metric,label,topic,unit,measure,industry,ref,period,")
    assert row.startswith("gdp.total,Regional GDP,gdp,CNY,level,,gdp.total@2023,2023,2023-01-01,2023-12-31,year,,")
    assert ",260000000000,exact,preliminary,,Preliminary figure.," in row


def test_a_ref_with_its_number_and_as_of_refs_open_too(hohhot: Runner) -> None:
    revised = hohhot("show", "gdp.total@2021#2", "--json").json()
    assert (revised["value"], revised["status"]) == (231_000_000_000, "revised")
    assert revised["supersedes"] == ["gdp.total@2021#1"]
    undated = hohhot("show", "population.resident@as-of-2024-01-18", "--json").json()
    assert (undated["value"], undated["status"], undated["period"]) == (3_100_000, "outdated", None)
    # A ref is read as an id is: case aside, and a metric named by its label.
    assert hohhot("show", "GDP.Total@2023-q1", "--json").json()["ref"] == "gdp.total@2023-Q1"
    assert hohhot("show", "地区生产总值@2023", "--json").json()["ref"] == "gdp.total@2023"


def test_a_ref_that_names_no_figure_suggests_refs(hohhot: Runner) -> None:
    assert failed(hohhot("show", "gdp.total@2031")) == (
        "hohhot: error: no figure 'gdp.total@2031'; did you mean gdp.total@2024, gdp.total@2023, gdp.total@2021?\n"
    )
    assert failed(hohhot("show", "gdp.totl@2023")) == (
        "hohhot: error: no figure 'gdp.totl@2023'; did you mean gdp.total@2023, gdp.growth@2023#1, gdp.growth@2023#2?\n"
    )
    assert failed(hohhot("cite", "gdp.total@2023#1")) == (
        "hohhot: error: no figure 'gdp.total@2023#1'; "
        "did you mean gdp.total@2023, gdp.total@2024, gdp.total@2021?\n"
    )


def test_a_ref_without_its_number_says_which_figures_there_are(hohhot: Runner) -> None:
    expected = (
        "hohhot: error: gdp.total@2021 names 2 figures; give one: "
        "gdp.total@2021#1 (first published), gdp.total@2021#2 (revised)\n"
    )
    assert failed(hohhot("show", "gdp.total@2021")) == expected
    # cite takes a ref as it names figures: every figure of its period, here both.
    assert hohhot("cite", "gdp.total@2021").stdout == hohhot("cite", "gdp.total@2021#1", "gdp.total@2021#2").stdout


# -- cite REF, cite ID --period ------------------------------------------------------------

MAYOR_BIBTEX = """\
@misc{fg-mayor-2024,
  author = {{Ann Example} and {Bo Sample}},
  title = {{Invented interview with a mayor}},
  howpublished = {{Fixture Gazette}},
  year = {2024},
  month = may,
  url = {https://fixture.invalid/mayor-2024},
  urldate = {2024-12-01},
  keywords = {national media},
  key = {Fixture Gazette}
}
"""

MAYOR_TEXT = (
    "fg-mayor-2024: Ann Example and Bo Sample, “Invented interview with a mayor”, Fixture Gazette, 2024-05-28 "
    "[national media], https://fixture.invalid/mayor-2024 (checked 2024-12-01)\n"
)
PROFILE_TEXT = (
    "fg-profile-2024: “City profile, 2024 edition”, Fixture Gazette, 2024-01-18 [official], "
    "https://fixture.invalid/profile-2024 (checked 2024-12-01)\n"
)


def test_cite_a_ref_gives_that_figures_sources_only(hohhot: Runner) -> None:
    # dairy.revenue has two figures with two sources; its 2023 figure has one.
    assert hohhot("cite", "dairy.revenue").stdout == MAYOR_TEXT + PROFILE_TEXT
    result = hohhot("cite", "dairy.revenue@2023", "--style", "bibtex")
    assert result.exit_code == 0, result
    assert result.stdout == MAYOR_BIBTEX
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("dairy.revenue", "--period", "2023"), MAYOR_TEXT),
        (("dairy.revenue", "--since", "2022", "--until", "2022"), PROFILE_TEXT),
        (("dairy", "--period", "2023"), MAYOR_TEXT),  # an industry: its metrics' figures
        (("population", "--period", "2023"), PROFILE_TEXT),  # a topic
        (("dairy revenue", "--period", "2022"), PROFILE_TEXT),  # an alias
        (("dairy.revenue@2023", "dairy.revenue@2022", "--period", "2023"), MAYOR_TEXT),
    ],
)
def test_cite_with_period_options_cites_the_figures_they_keep(
    hohhot: Runner, args: tuple[str, ...], expected: str
) -> None:
    result = hohhot("cite", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_cite_with_period_options_that_keep_nothing_or_no_figures(hohhot: Runner) -> None:
    result = hohhot("cite", "dairy.revenue", "--period", "2031")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "hohhot: no figures found to cite\n")
    assert failed(hohhot("cite", "steppe", "--period", "2023"), ExitStatus.USAGE) == (
        "hohhot: usage: --period, --since and --until keep figures: "
        "'steppe' is not a metric, a topic, an industry or a ref\n"
    )
    assert "is not a period" in failed(hohhot("cite", "gdp.total", "--period", "20x3"), ExitStatus.USAGE)


def test_metric_with_a_period_and_cite_lists_that_figures_sources(hohhot: Runner) -> None:
    text = hohhot("metric", "dairy.revenue", "--period", "2023", "--cite").stdout
    assert text.split("\nSources\n", 1)[1].split(":", 1)[0] == "fg-mayor-2024"
    assert "fg-profile-2024" not in text


# -- names as ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("metric", "常住人口"), ["population.resident"]),
        (("metric", "Resident population"), ["population.resident"]),
        (("metric", "地区生产总值", "进出口总额"), ["gdp.total", "trade.total"]),
        (("compare", "地区生产总值"), ["gdp.total"]),
    ],
)
def test_a_metric_label_in_either_language_is_an_id(hohhot: Runner, args: tuple[str, ...], expected: list[str]) -> None:
    assert [r["id"] for r in hohhot(*args, "--json").json()] == expected


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("乳业", "id", "dairy"),  # an industry's Chinese name
        ("milk", "id", "dairy"),  # an industry's alias
        ("草原乳业", "id", "steppe"),  # a company's Chinese name
        ("Dairy Capital", "id", "titles.dairy_capital"),  # a fact's label
    ],
)
def test_show_opens_a_name(hohhot: Runner, name: str, key: str, expected: str) -> None:
    assert hohhot("show", name, "--json").json()[key] == expected


def test_show_opens_a_metric_by_alias_or_label_and_names_stay_exact(hohhot: Runner) -> None:
    assert [m["id"] for m in hohhot("show", "常住人口", "--json").json()] == ["population.resident"]
    assert [m["id"] for m in hohhot("show", "residents", "--json").json()] == ["population.resident"]
    assert "did you mean" not in failed(hohhot("show", "常住"))  # not fuzzy: a part of a name is no name


# -- search -------------------------------------------------------------------------------


def test_search_population_lists_the_resident_population_first(hohhot: Runner) -> None:
    hits = hohhot("search", "population", "--json").json()
    assert [h["id"] for h in hits] == [
        "population.resident",  # the overview's: central
        "population.birth_rate",  # then by id, equally central, equally matched
        "population.density",
        "population.household_size",
        "population.sex_ratio",
        "population.urbanisation_rate.change",  # more dots: a breakdown
    ]
    first = hits[0]
    assert {k: v for k, v in first.items() if k != "latest"} == {
        "kind": "metric",
        "id": "population.resident",
        "label": "Resident population",
        "text": "Resident population",
        "score": POINTS["id"][0],
        "matched": ["id", "label", "topic"],
        "figure": None,
    }
    latest = first["latest"]
    assert (latest["metric"], latest["unit"], latest["ref"], latest["value"], latest["period"], latest["status"]) == (
        "population.resident",
        "people",
        "population.resident@2020-11-01",
        3_300_000,
        "2020-11-01",
        "reported",
    )
    assert [s["id"] for s in latest["sources"]] == ["fg-census-2020", "fg-profile"]


def test_search_gdp_2023_lists_the_2023_gdp_figure_first(hohhot: Runner) -> None:
    hits = hohhot("search", "GDP", "2023", "--json").json()
    assert [(h["kind"], h["id"], h["score"]) for h in hits] == [
        ("figure", "gdp.total@2023", 120),
        ("figure", "gdp.total@2023-Q1", 120),  # within 2023
        ("figure", "gdp.growth@2023#1", 120),
        ("figure", "gdp.growth@2023#2", 120),
        ("metric", "gdp.total", 20),
        ("metric", "gdp.growth", 20),
        ("metric", "gdp.per_capita", 20),
        ("metric", "gdp.growth.average", 20),
    ]
    first = hits[0]
    assert first["figure"] == GDP_2023
    assert first["latest"]["ref"] == "gdp.total@2024#1"  # the metric's latest, to say whether this is it
    assert (first["label"], first["matched"][-1]) == ("Regional GDP", "period")


def test_search_chinese_label_finds_the_metric(hohhot: Runner) -> None:
    (hit,) = hohhot("search", "常住人口", "--json").json()
    assert (hit["kind"], hit["id"], hit["text"]) == ("metric", "population.resident", "常住人口")
    assert hit["matched"] == ["label"]
    assert hit["score"] == POINTS["label"][0] * 6  # the whole query: five times more


@pytest.mark.parametrize(
    "words",
    [("population",), ("gdp", "2023"), ("dairy",), ("常住人口",), ("trade", "2024-h1"), ("gdp.total@2021",)],
    ids=" ".join,
)
def test_every_metric_and_figure_hit_carries_its_metrics_latest(hohhot: Runner, words: tuple[str, ...]) -> None:
    hits = hohhot("search", *words, "--json").json()
    assert hits
    for hit in hits:
        if hit["kind"] in ("metric", "figure"):
            metric = hit["id"].partition("@")[0]
            (record,) = hohhot("metric", metric, "--json").json()
            assert hit["latest"] == {"metric": metric, "label": record["label"], "unit": record["unit"],
                                     **record["latest"]}
        else:
            assert hit["latest"] is None
        assert (hit["figure"] is not None) == (hit["kind"] == "figure")


def test_search_a_ref_finds_its_figures(hohhot: Runner) -> None:
    hits = hohhot("search", "gdp.total@2021", "--json").json()
    assert [(h["kind"], h["id"], h["matched"]) for h in hits] == [
        ("figure", "gdp.total@2021#1", ["ref"]),
        ("figure", "gdp.total@2021#2", ["ref"]),
    ]
    assert hohhot("search", "gdp.total@2021#2", "--json").json()[0]["figure"]["status"] == "revised"
    nothing = hohhot("search", "gdp.total@2031", "--json")
    assert (nothing.exit_code, nothing.json()) == (0, [])


def test_search_a_half_year_keeps_the_figures_within_it(hohhot: Runner) -> None:
    figures = [h["id"] for h in hohhot("search", "trade", "2024-H1", "--kind", "figure", "--json").json()]
    assert figures == ["trade.total@2024-H1#1", "trade.total@2024-H1#2"]


def test_search_kind_and_limit(hohhot: Runner) -> None:
    assert [h["id"] for h in hohhot("search", "dairy", "--kind", "company", "--json").json()] == ["steppe", "qingcheng"]
    assert [h["id"] for h in hohhot("search", "gdp", "2023", "-k", "metric", "-n", "1", "--json").json()] == [
        "gdp.total"
    ]
    assert len(hohhot("search", "dairy", "--limit", "3", "--json").json()) == 3
    for bad in ("0", "-1", "x", "٣"):
        assert failed(hohhot("search", "dairy", f"--limit={bad}"), ExitStatus.USAGE) == (
            f"hohhot: usage: --limit: {bad!r} is not a whole number of at least 1\n"
        )


def test_an_empty_search_still_succeeds(hohhot: Runner) -> None:
    table = hohhot("search", "dairy", "--kind", "figure")
    assert (table.exit_code, table.stderr) == (0, "hohhot: no matches found for 'dairy'\n")
    result = hohhot("search", "dairy", "--kind", "figure", "--json")
    assert (result.exit_code, result.json(), result.stderr) == (0, [], "")


def test_the_ranking_rule_orders_fields_then_centrality_then_ids() -> None:
    base = load_facts(FIXTURE)
    # A label beats an alias beats a tag beats a description beats a note.
    tiers = [POINTS[f][1] for f in ("label", "aliases", "tags", "description", "note")]
    assert tiers == sorted(tiers, reverse=True) and len(set(tiers)) == len(tiers)
    # An industry's headline metric first (the fixture's dairy headline is dairy.revenue.growth),
    # then fewer dots in the id: a metric before its breakdowns.
    ids = [h.id for h in search(base, "dairy", kind=None).hits if h.kind == "metric"]
    assert ids == ["dairy.revenue.growth", "dairy.revenue", "dairy.forage_area", "dairy.milk_processing"]
    # Equal scores are in a stable order: sorted by score, then as the rule says.
    hits = search(base, "fixture").hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


# -- completion -----------------------------------------------------------------------------


def test_completion_offers_refs_after_a_metric_and_at() -> None:
    # A ref of a period names all its figures, each #N one of them; an old ref that moved is offered too.
    assert complete("complete_any_id", "gdp.total@2021") == ["gdp.total@2021", "gdp.total@2021#1", "gdp.total@2021#2"]
    assert complete("complete_any_id", "gdp.growth@") == [
        "gdp.growth@2016/2020",
        "gdp.growth@2023",
        "gdp.growth@2023#1",
        "gdp.growth@2023#2",
    ]
    assert complete("complete_any_id", "nope@") == []
    assert complete("complete_any_id", "gdp.gr") == ["gdp.growth", "gdp.growth.average"]


@pytest.mark.parametrize("command", ["show", "cite"])
def test_shell_completion_of_refs(command: str) -> None:
    """Typer's bash completion protocol, as the shell runs it (a ref typed in quotes: bash breaks words at @)."""
    words = f"hohhot {command} gdp.total@2024-"
    env = subprocess_env(_HOHHOT_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD="2")
    result = subprocess.run([sys.executable, "-m", "hohhot_cli"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["gdp.total@2024-01/2024-09", "gdp.total@2024-H1", "gdp.total@2024-Q1"]
