"""Version 3 of the fact-file format: its fields, its defaults, what it refuses; version 2's defaults kept.

Each refusal starts from ``V3``, a small valid version-3 base (``minimal_base()`` raised to version 3), and
changes one thing, so that each test shows one mistake and its exact problem.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support import REPO
from support.factfiles import minimal_base, to_toml

from hohhot_cli.load.linking import consistent
from hohhot_cli.load.loader import load_facts, parse_facts
from hohhot_cli.model.errors import FactFileError
from hohhot_cli.model.facts import Exactness, FactBase, Measure, Observation, Status, Unit
from hohhot_cli.output.humanize import human_value, observation_value

NAME = "base.toml"
FIXTURE_V2 = REPO / "tests" / "data" / "fixture-v2.toml"


def v3_base() -> dict[str, Any]:
    """The minimal base as version 3: source kinds, a measure, and two metrics of growth to relate."""
    document = minimal_base()
    document["schema_version"] = 3
    document["sources"][0]["kind"] = "national_media"
    document["metrics"][0]["measure"] = "level"
    source = document["sources"][0]["id"]
    document["metrics"] += [
        {
            "id": "gdp.growth",
            "label": "GDP growth",
            "unit": "percent",
            "measure": "yoy_rate",
            "observations": [{"period": "2023", "value": 5.0, "source": source}],
        },
        {
            "id": "gdp.growth.average",
            "label": "Average GDP growth",
            "unit": "percent",
            "measure": "average_rate",
            "observations": [{"period": "2016/2020", "value": 4.3, "source": source}],
        },
    ]
    return document


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(FactFileError) as caught:
        parse_facts(to_toml(document), NAME)
    return [f"{p.place}: {p.message}" for p in caught.value.problems]


def load(document: dict[str, Any]) -> FactBase:
    return parse_facts(to_toml(document), NAME)


def edited(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(v3_base())
    change(document)
    return document


def metric(document: dict[str, Any], metric_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in document["metrics"] if m["id"] == metric_id)
    return found


# -- what version 3 reads ---------------------------------------------------------


def test_a_v3_figure_without_a_status_is_reported_and_a_final_one_says_why() -> None:
    def change(document: dict[str, Any]) -> None:
        final = {"status": "actual", "status_basis": "called final"}
        metric(document, "gdp.total")["observations"].append(
            {"period": "2022", "value": 90, **final, "source": "cd-mayor-2024"}
        )

    base = load(edited(change))
    by_period = {o.period: o for o in base.metric_by_id["gdp.total"].observations}
    assert (by_period["2023"].status, by_period["2023"].status_basis) == (Status.REPORTED, "")
    assert (by_period["2022"].status, by_period["2022"].status_basis) == (Status.ACTUAL, "called final")
    assert [m.measure for m in base.metrics] == [Measure.LEVEL, Measure.YOY_RATE, Measure.AVERAGE_RATE]


def test_moved_ids_and_refs_are_indexed_by_their_new_place() -> None:
    def change(document: dict[str, Any]) -> None:
        metric(document, "gdp.growth.average")["moved_from"] = ["gdp.growth@2016/2020", "gdp.growth_average"]

    base = load(edited(change))
    assert dict(base.moved) == {
        "gdp.growth@2016/2020": "gdp.growth.average@2016/2020",
        "gdp.growth_average": "gdp.growth.average",
    }


# -- what version 3 refuses ------------------------------------------------------------


M0 = "metrics (gdp.total)"


def _status(value: str, basis: str | None = None) -> Any:
    def change(document: dict[str, Any]) -> None:
        observation = metric(document, "gdp.total")["observations"][0]
        observation["status"] = value
        if basis is not None:
            observation["status_basis"] = basis

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda d: metric(d, "gdp.total").pop("measure"),
            "metrics[0] (gdp.total): missing required key 'measure'",
            id="no measure",
        ),
        pytest.param(
            lambda d: metric(d, "gdp.growth")["observations"].append(
                {"period": "2021/2024", "value": 6.4, "source": "cd-mayor-2024"}
            ),
            "metrics (gdp.growth): a year-on-year rate cannot have a figure for the span 2021/2024: "
            "an average over a span of years is a metric of its own (measure = 'average_rate')",
            id="yearly rate with a span",
        ),
        pytest.param(
            lambda d: metric(d, "gdp.growth.average")["observations"].append(
                {"period": "2024", "value": 6.1, "source": "cd-mayor-2024"}
            ),
            "metrics (gdp.growth.average): an average rate over a span of years cannot have a figure for 2024: "
            "a rate of one period is a metric of its own (measure = 'yoy_rate')",
            id="average rate with a year",
        ),
        pytest.param(
            lambda d: metric(d, "gdp.total").update(unit="rank", measure="rank"),
            f"{M0}: a rank needs 'among': what it ranks among (the 27 provincial capitals)",
            id="rank without among",
        ),
        pytest.param(
            lambda d: metric(d, "gdp.total").update(measure="rank", among="cities"),
            f"{M0}: a rank measure in CNY: a rank is measured in 'rank', and only a rank",
            id="rank measure not in rank",
        ),
        pytest.param(
            lambda d: metric(d, "gdp.total").update(among="cities"),
            f"{M0}: only a rank has 'among'",
            id="among on a level",
        ),
        pytest.param(
            _status("actual"),
            "metrics[0] (gdp.total).observations[0]: "
            "an 'actual' figure needs 'status_basis': what the source says that makes it final",
            id="actual without basis",
        ),
        pytest.param(
            _status("preliminary", "called preliminary"),
            "metrics[0] (gdp.total).observations[0].status_basis: only an 'actual' figure has a 'status_basis'",
            id="basis on another status",
        ),
    ],
)
def test_refused(change: Any, expected: str) -> None:
    assert problems_of(edited(change)) == [expected]


def _target_metric(aims_at: str, status: str = "target", unit: str = "CNY") -> Any:
    def change(document: dict[str, Any]) -> None:
        document["metrics"].append(
            {
                "id": "gdp.total.target",
                "label": "GDP aimed at",
                "unit": unit,
                "measure": "level",
                "aims_at": aims_at,
                "observations": [{"period": "2025", "value": 120, "status": status, "source": "cd-mayor-2024"}],
            }
        )

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_target_metric("gdp.totl"), "metrics[3] (gdp.total.target).aims_at: unknown metric 'gdp.totl' "
         "(did you mean 'gdp.total'?)"),
        (_target_metric("gdp.total", status="estimate"),
         "metrics (gdp.total.target).aims_at: only a metric of targets aims at another"),
        (_target_metric("gdp.total", unit="USD"),
         "metrics (gdp.total.target).aims_at: aims at 'gdp.total', in CNY, not USD"),
    ],
    ids=["unknown", "not targets", "another unit"],
)
def test_aims_at_is_a_checked_reference(change: Any, expected: str) -> None:
    assert problems_of(edited(change)) == [expected]


def test_an_average_rate_target_may_give_its_year_alone() -> None:
    """A target's period is when it is to be met: an average rate aimed at by 2027 may say 2027 only."""

    def change(document: dict[str, Any]) -> None:
        metric(document, "gdp.growth.average")["observations"].append(
            {"period": "2027", "value": 7, "status": "target", "source": "cd-mayor-2024"}
        )

    assert load(edited(change)).metric_by_id["gdp.growth.average"].observations[-1].status is Status.TARGET


def _moved(where: str, *entries: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        metric(document, where).setdefault("moved_from", []).extend(entries)

    return change


def _both(*changes: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        for one in changes:
            one(document)

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_moved("gdp.growth.average", "gdp.total"),
         "'gdp.total' still names a metric: an old id must name nothing now"),
        (_moved("gdp.growth.average", "plans.airport"),
         "'plans.airport' still names a fact: an old id must name nothing now"),
        (_moved("gdp.growth.average", "gdp.growth@2023"),
         "'gdp.growth@2023': 'gdp.growth.average' has no figure for 2023 to be its new place"),
        (_moved("gdp.growth", "gdp.total@2023"),
         "'gdp.total@2023' still names figures of 'gdp.total': an old ref must name nothing now"),
        (_moved("gdp.growth.average", "GDP growth"),
         "'GDP growth' is neither an old metric id ('gdp.growth') nor an old ref ('gdp.growth@2016/2020')"),
        (_moved("gdp.growth.average", "gdp.old@2016/13"),
         "'gdp.old@2016/13' is neither an old metric id ('gdp.growth') nor an old ref ('gdp.growth@2016/2020')"),
        (_both(_moved("gdp.growth.average", "gdp.old"), _moved("gdp.growth", "gdp.old")),
         "'gdp.old' is moved to both 'gdp.growth' and 'gdp.growth.average'"),
        (_both(_moved("gdp.growth", "gdp.old"), _moved("gdp.growth.average", "gdp.old@2016/2020")),
         "'gdp.old@2016/2020' is moved to 'gdp.growth.average', but all of 'gdp.old' is moved to 'gdp.growth'"),
    ],
    ids=["a metric's id", "a fact's id", "no new figure", "old ref still used", "not an id", "bad period",
         "duplicate", "whole and part"],
)
def test_moved_from_conflicts(change: Any, expected: str) -> None:
    (problem,) = problems_of(edited(change))
    assert problem.endswith(expected), problem
    assert ".moved_from: " in problem


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("gdp.totl", "industries[0] (dairy).headline: unknown metric 'gdp.totl' (did you mean 'gdp.total'?)"),
        ("gdp.growth", "industries (dairy).headline: 'gdp.growth' is not a metric of 'dairy' (its industry is None)"),
    ],
)
def test_headline_is_a_metric_of_the_industry(headline: str, expected: str) -> None:
    assert problems_of(edited(lambda d: d["industries"][0].update(headline=headline))) == [expected]


@pytest.mark.parametrize("key", ["measure", "status_basis", "headline"])
def test_v3_keys_in_an_older_file_are_refused(key: str) -> None:
    document = minimal_base()
    table = {"measure": document["metrics"][0], "headline": document["industries"][0]}.get(
        key, document["metrics"][0]["observations"][0]
    )
    table[key] = "gdp.total" if key == "headline" else ("level" if key == "measure" else "called final")
    problems = problems_of(document)
    assert any(p.endswith(f".{key}: needs schema_version = 3") for p in problems), problems


# -- version 2 keeps its defaults -------------------------------------------------------------


def test_a_v2_file_keeps_its_defaults() -> None:
    base = load_facts(FIXTURE_V2)
    assert base.schema_version == 2
    statuses = {o.status for m in base.metrics for o in m.observations}
    assert Status.REPORTED not in statuses and Status.ACTUAL in statuses
    for item in base.metrics:
        expected = {Unit.RANK: Measure.RANK, Unit.COUNT: Measure.COUNT}.get(item.unit, Measure.LEVEL)
        assert item.measure is expected, item.id
    # A rate over a span beside yearly ones was allowed then: the measure is a level, nothing to mix.
    periods = [o.period for o in base.metric_by_id["gdp.growth"].observations]
    assert "2016/2020" in periods and "2023" in periods
    assert base.metric_by_id["computing.national_rank"].among is None
    assert dict(base.moved) == {}


def test_the_v3_fixture_is_the_v2_fixture_grown() -> None:
    """Every figure of the version-2 fixture is in the version-3 one, with the same value and period."""
    old = load_facts(FIXTURE_V2)
    new = load_facts(REPO / "tests" / "data" / "fixture.toml")
    figures = {(o.period, o.as_of, o.value) for m in new.metrics for o in m.observations}
    assert {(o.period, o.as_of, o.value) for m in old.metrics for o in m.observations} <= figures


# -- figures of one period that can both be true ------------------------------------------------


def _figure(value: float, exactness: Exactness = Exactness.EXACT) -> Observation:
    return Observation(value=value, sources=("s",), period="2024", exactness=exactness)


LOWER, UPPER, APPROX = Exactness.LOWER_BOUND, Exactness.UPPER_BOUND, Exactness.APPROXIMATE


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (_figure(410.708), _figure(400, LOWER), True),
        (_figure(390), _figure(400, LOWER), False),
        (_figure(400), _figure(400, LOWER), True),
        (_figure(390), _figure(400, UPPER), True),
        (_figure(410), _figure(400, UPPER), False),
        (_figure(380, LOWER), _figure(400, LOWER), True),
        (_figure(380, LOWER), _figure(400, UPPER), True),
        (_figure(420, LOWER), _figure(400, UPPER), False),
        (_figure(405, APPROX), _figure(400, LOWER), True),
        (_figure(405, APPROX), _figure(410, APPROX), False),
        (_figure(405), _figure(410), False),
    ],
)
def test_consistent_figures(first: Observation, second: Observation, expected: bool) -> None:
    assert consistent(first, second) is expected
    assert consistent(second, first) is expected


def test_a_consistent_bound_is_neither_superseded_nor_conflicting() -> None:
    def change(document: dict[str, Any]) -> None:
        source = "cd-mayor-2024"
        metric(document, "gdp.total")["observations"] += [
            {"period": "2023", "value": 90, "exactness": "lower_bound", "source": source},
            {"period": "2023", "value": 95, "status": "estimate", "source": source},
        ]

    exact, bound, estimate = load(edited(change)).metric_by_id["gdp.total"].observations
    assert (exact.value, bound.value, estimate.value) == (100, 90, 95)
    assert bound.supersedes == bound.superseded_by == bound.conflicts_with == ()
    # A figure of no stated status is more final than an estimate: it supersedes it.
    assert exact.supersedes == (estimate.ref,) and estimate.superseded_by == (exact.ref,)


# -- values with the digits the source gave ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (380_000_000_000, Unit.CNY, "380 bn CNY"),
        (92_000_000_000, Unit.CNY, "92 bn CNY"),
        (410_708_000_000, Unit.CNY, "410.708 bn CNY"),
        (256_000_000_000.0, Unit.CNY, "256 bn CNY"),
        (36_500_000_000, Unit.USD, "36.5 bn USD"),
        (10.0, Unit.PERCENT, "10.0 %"),
        (10, Unit.PERCENT, "10 %"),
        (6.1, Unit.PERCENT, "6.1 %"),
        (3_446_100, Unit.PEOPLE, "3,446,100 people"),
        (-3.5, Unit.PERCENT, "-3.5 %"),
        (1, Unit.RANK, "1st"),
    ],
)
def test_values_print_with_the_digits_the_source_gave(value: float, unit: Unit, shown: str) -> None:
    assert human_value(value, unit) == shown


def test_a_bound_prints_its_mark_and_no_false_decimal() -> None:
    bound = Observation(value=256_000_000_000, sources=("s",), period="2023", exactness=Exactness.LOWER_BOUND)
    assert observation_value(bound, Unit.CNY) == "> 256 bn CNY"


def test_the_bundled_base_is_version_3() -> None:
    base = load_facts(REPO / "facts.toml")
    assert base.schema_version == 3
    assert all(o.status is not Status.ACTUAL or o.status_basis for m in base.metrics for o in m.observations)
