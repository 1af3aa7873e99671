"""The rules every command shares, on the fixture base: latest, computed changes, one period side by side,
ranks among what, old ids and refs that moved, refs that name figures. JSON is parsed, never grepped.
"""

from __future__ import annotations

import csv
import io

import pytest
from support import Runner, complete

from hohhot_cli.model.errors import ExitStatus

# -- latest: an undated figure never beside a dated one ------------------------------------


def test_an_undated_figure_is_never_the_latest_beside_a_dated_one(hohhot: Runner) -> None:
    """gdp.per_capita: the undated profile's 80,000 (as of its earliest date, 2021) and 2018's over 70,000."""
    (record,) = hohhot("metric", "gdp.per_capita", "--latest", "--json").json()
    (latest,) = record["observations"]
    assert (latest["period"], latest["value"], latest["exactness"]) == ("2018", 70_000, "lower_bound")
    (index,) = hohhot("metrics", "--topic", "gdp.per_capita", "--json").json()
    assert index["latest"]["ref"] == latest["ref"] == "gdp.per_capita@2018"
    hits = hohhot("search", "per", "resident", "--json").json()
    assert [h["latest"]["ref"] for h in hits if h["id"] == "gdp.per_capita"] == ["gdp.per_capita@2018"]


def test_an_undated_figure_takes_part_in_no_change(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.per_capita", "--json").json()
    undated = next(p for p in series["observations"] if p["period"] is None)
    assert (undated["as_of"], undated["change"], undated["previous_period"]) == ("2021", None, None)


def test_of_two_consistent_figures_the_exact_one_is_the_latest(hohhot: Runner) -> None:
    """2024: an exact 240 bn and a lower bound of 235 bn, both of no stated status: both stand, the exact one first."""
    (record,) = hohhot("metric", "gdp.total", "--json").json()
    full_2024 = [o for o in record["observations"] if o["period"] == "2024"]
    assert [(o["ref"], o["value"], o["exactness"]) for o in full_2024] == [
        ("gdp.total@2024#1", 240_000_000_000, "exact"),
        ("gdp.total@2024#2", 235_000_000_000, "lower_bound"),
    ]
    assert all(o["supersedes"] == o["superseded_by"] == o["conflicts_with"] == [] for o in full_2024)
    assert record["latest"]["ref"] == "gdp.total@2024#1"
    assert hohhot("overview", "--json").json()["gdp"]["ref"] == "gdp.total@2024#1"


# -- computed changes ----------------------------------------------------------------------

REFUSED_2024 = (
    "not computed: the 2024 figure has no stated status and comes from a secondary source; "
    "the 2023 figure is preliminary"
)


def test_a_refused_change_says_why_in_plain_words_in_every_format(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.total", "--json").json()
    by_ref = {p["ref"]: p for p in series["observations"]}
    point = by_ref["gdp.total@2024#1"]
    assert (point["previous_period"], point["change"], point["change_refused"]) == ("2023", None, REFUSED_2024)
    rows = {r["ref"]: r for r in csv.DictReader(io.StringIO(hohhot("compare", "gdp.total", "-f", "csv").stdout))}
    assert rows["gdp.total@2024#1"]["change_refused"] == REFUSED_2024
    assert rows["gdp.total@2018"]["change_refused"] == "" and rows["gdp.total@2018"]["change.computed"] == "true"
    wide = hohhot("compare", "gdp.total", env={"COLUMNS": "400"}).stdout
    assert REFUSED_2024 in wide
    assert REFUSED_2024 in hohhot("compare", "gdp.total", "-f", "markdown").stdout
    for reason in (p["change_refused"] for p in series["observations"] if p["change_refused"]):
        assert reason.startswith("not computed: ") and "_" not in reason, reason


def test_a_change_needs_the_same_status_class_and_exactness(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.total", "--json").json()
    by_ref = {p["ref"]: p for p in series["observations"]}
    # As first published, both: comparable. Revised against final: comparable. Two quarters of no stated status.
    assert by_ref["gdp.total@2018"]["change"]["value"] == 10_000_000_000
    assert by_ref["gdp.total@2021#2"]["change"]["value"] == 11_000_000_000
    assert by_ref["gdp.total@2024-Q1"]["change"]["value"] == 3_000_000_000
    # As first published against final: not.
    assert by_ref["gdp.total@2021#1"]["change_refused"] == (
        "not computed: the 2021 figure is as first published; the 2020 figure is final"
    )
    assert by_ref["gdp.total@2024#2"]["change_refused"] == (
        "not computed: the 2024 figure has no stated status and is a lower bound; the 2023 figure is preliminary"
    )


def test_the_rate_a_source_reports_is_shown_beside_and_marked_as_reported(hohhot: Runner) -> None:
    (series,) = hohhot("compare", "gdp.total", "--json").json()
    by_ref = {p["ref"]: p for p in series["observations"]}
    rate = by_ref["gdp.total@2023"]["reported_rate"]
    # Of 2023's two growth figures, the final one (5.2 %), never computed here.
    shown = (rate["metric"], rate["ref"], rate["value"], rate["status"])
    assert shown == ("gdp.growth", "gdp.growth@2023#2", 5.2, "actual")
    assert by_ref["gdp.total@2018"]["reported_rate"] is None
    table = hohhot("compare", "gdp.total").stdout
    assert "reported 5.2 %" in table and "hohhot metric gdp.growth" in table


def test_a_final_figure_says_why_in_json_and_tables(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "gdp.total@2020", "--json").json()
    (figure,) = record["observations"]
    assert (figure["status"], figure["status_basis"]) == ("actual", "a yearbook figure")
    assert "Final: a yearbook figure." in hohhot("metric", "gdp.total@2020").stdout
    (record,) = hohhot("metric", "gdp.total@2023", "--json").json()
    assert record["observations"][0]["status_basis"] is None


# -- side by side: one period --------------------------------------------------------------


def test_with_no_period_shared_nothing_is_compared(hohhot: Runner) -> None:
    result = hohhot("compare", "gdp.per_capita", "tourism.visitors", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    rows = result.json()
    assert [(r["metric"], r["compared_period"], r["observation"]) for r in rows] == [
        ("gdp.per_capita", None, None),
        ("tourism.visitors", None, None),
    ]
    table = hohhot("compare", "gdp.per_capita", "tourism.visitors")
    assert table.exit_code == 0
    assert table.stderr == (
        "hohhot: no period has a figure of every metric (gdp.per_capita, tourism.visitors): nothing compared\n"
    )


def test_a_metric_without_the_period_is_a_missing_row(hohhot: Runner) -> None:
    rows = hohhot("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2022", "--json").json()
    assert [(r["metric"], r["compared_period"], r["observation"] and r["observation"]["period"]) for r in rows] == [
        ("trade.total", "2022", None),
        ("trade.exports", "2022", "2022"),
        ("trade.imports", "2022", "2022"),
    ]
    table = hohhot("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2022").stdout
    assert "No figure for 2022: trade.total." in table
    assert "20 bn CNY" not in table, "trade.total's 2023 figure is never shown beside 2022's"
    text = hohhot("compare", "trade.total", "trade.exports", "--period", "2022", "-f", "csv").stdout
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["metric"], r["value"], r["compared_period"]) for r in csv_rows] == [
        ("trade.total", "", "2022"),
        ("trade.exports", "11000000000", "2022"),
    ]


def test_the_latest_shared_period_is_named(hohhot: Runner) -> None:
    rows = hohhot("compare", "trade.total", "trade.exports", "trade.imports", "--json").json()
    assert {r["compared_period"] for r in rows} == {"2023"}
    table = hohhot("compare", "trade.total", "trade.exports", "trade.imports").stdout
    assert table.splitlines()[0] == "Comparison, 2023 (the latest period all share)"


# -- ranks, targets, headlines -------------------------------------------------------------


def test_a_rank_says_among_what_and_when(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "computing.national_rank", "--json").json()
    assert (record["measure"], record["among"]) == ("rank", "the 20 leading cities of an invented computing index")
    index = hohhot("metrics", "--topic", "computing").stdout
    assert "computing.national_rank: 2nd among the 20 leading cities of an invented computing index, for 2024." in (
        " ".join(index.split())
    )
    series = " ".join(hohhot("metric", "computing.national_rank").stdout.split())
    assert "each as of the period or date shown: not a place held today" in series


def test_targets_say_what_they_aim_at_and_headlines_are_the_industrys_choice(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "tourism.visitors.target", "--json").json()
    assert (record["aims_at"], record["latest"]["status"]) == ("tourism.visitors", "target")
    dairy = next(r for r in hohhot("industries", "--json").json() if r["id"] == "dairy")
    assert dairy["headline"]["metric"] == "dairy.revenue.growth"  # named by the industry, not its first metric


# -- old ids and refs that moved; refs that name figures -----------------------------------


def test_an_old_ref_leads_to_its_new_place_everywhere(hohhot: Runner) -> None:
    moved = {"old": "gdp.growth@2016/2020", "new": "gdp.growth.average@2016/2020"}
    (record,) = hohhot("metric", "gdp.growth@2016/2020", "--json").json()
    assert (record["id"], record["moved"]) == ("gdp.growth.average", moved)
    assert [o["ref"] for o in record["observations"]] == ["gdp.growth.average@2016/2020"]
    shown = hohhot("show", "gdp.growth@2016/2020", "--json").json()  # one figure
    assert (shown["ref"], shown["moved"]) == ("gdp.growth.average@2016/2020", moved)
    (series,) = hohhot("compare", "gdp.growth@2016/2020", "--json").json()
    assert series["moved"] == moved
    cited = hohhot("cite", "gdp.growth@2016/2020").stdout
    assert cited.startswith("fg-profile: “Undated city profile”")
    table = hohhot("metric", "gdp.growth@2016/2020").stdout
    assert "gdp.growth@2016/2020 is now gdp.growth.average@2016/2020." in table


def test_an_old_id_leads_to_its_new_place_everywhere(hohhot: Runner) -> None:
    moved = {"old": "tourism.visitor_goal", "new": "tourism.visitors.target"}
    (record,) = hohhot("metric", "tourism.visitor_goal", "--json").json()
    assert (record["id"], record["moved"], record["moved_from"]) == (
        "tourism.visitors.target",
        moved,
        ["tourism.visitor_goal"],
    )
    assert hohhot("show", "tourism.visitor_goal", "--json").json()[0]["moved"] == moved
    rows = hohhot("compare", "tourism.visitor_goal", "tourism.visitors.target", "--json").json()
    assert [(r["metric"], r["moved"]) for r in rows] == [("tourism.visitors.target", moved)]
    assert complete("complete_metric", "tourism.visitor_g") == ["tourism.visitor_goal"]
    assert complete("complete_metric", "tourism.visitors") == ["tourism.visitors", "tourism.visitors.target"]
    # Asked by its own id, a metric says it was reached by none.
    assert hohhot("metric", "tourism.visitors.target", "--json").json()[0]["moved"] is None


def test_a_ref_without_a_number_names_every_figure_of_its_period(hohhot: Runner) -> None:
    (record,) = hohhot("metric", "gdp.total@2024", "--json").json()
    assert [o["ref"] for o in record["observations"]] == ["gdp.total@2024#1", "gdp.total@2024#2"]
    (record,) = hohhot("metric", "gdp.total@2024#2", "--json").json()
    assert [o["value"] for o in record["observations"]] == [235_000_000_000]
    assert "gdp.total@2024#1" in complete("complete_metric", "gdp.total@2024")
    assert "gdp.total@2024" in complete("complete_any_id", "gdp.total@2024")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("gdp.total@2022", "no figure 'gdp.total@2022'; did you mean gdp.total@2021, gdp.total@2023"),
        ("gdp.total@2024#3", "no figure 'gdp.total@2024#3'; did you mean gdp.total@2024#1, gdp.total@2024#2?"),
        ("gdp.totl@2023", "no figure 'gdp.totl@2023'; did you mean gdp.total@2023"),
    ],
)
def test_an_unknown_ref_is_an_error_with_suggestions(hohhot: Runner, ref: str, message: str) -> None:
    for command in ("metric", "show", "compare"):
        result = hohhot(command, ref, "--json")
        assert (result.exit_code, result.stdout) == (ExitStatus.ERROR, ""), result
        assert result.stderr.startswith(f"hohhot: error: {message}"), result.stderr
