"""The layout rule of terminal tables, on every command at 60, 80 and 120 columns (fixture base).

Golden files for 60 and 120 columns are in tests/golden/widths/ (80 columns: tests/golden/*.table).
The scan fails on a line wider than the width, an id, address or value split across lines (which
covers an exactness mark parted from its number), and a column empty in every row.
"""

from __future__ import annotations

import os

import pytest
from support import FIXTURE, REPO, Runner
from support.checks import cells
from support.layout import empty_columns, splits, unbreakable

from hohhot_cli.model.facts import FactBase

WIDTH_GOLDEN = REPO / "tests" / "golden" / "widths"
UPDATE = os.environ.get("HOHHOT_UPDATE_GOLDEN") == "1"
WIDTHS = (60, 80, 120)

COMMANDS: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "industries": ("industries",),
    "industry_dairy": ("industries", "dairy"),
    "industry_dairy_all": ("industries", "dairy", "--all"),
    "changes": ("changes", "--since", "2024-12"),
    "metric_gdp": ("metric", "gdp"),
    "metric_latest": ("metric", "dairy.revenue", "talent", "gdp.per_capita", "computing.national_rank", "--latest"),
    "metric_moved": ("metric", "gdp.growth@2016/2020", "tourism.visitor_goal"),
    "metrics": ("metrics",),
    "compare_over_time": ("compare", "gdp.total"),
    "compare_side_by_side": ("compare", "trade.total", "trade.exports", "trade.imports", "trade.total_usd"),
    "compare_missing": ("compare", "trade.total", "trade.exports", "trade.imports", "--period", "2022"),
    "compare_no_shared_period": ("compare", "gdp.per_capita", "tourism.visitors"),
    "compare_industries": ("compare", "--industries"),
    "search": ("search", "dairy", "capital"),
    "sources": ("sources",),
    "source_detail": ("sources", "fg-mayor-2024"),
    "validate": ("validate",),
    "show_fact": ("show", "titles.dairy_capital"),
    "show_company": ("show", "steppe"),
    "metric_cited": ("metric", "gdp.growth", "--cite"),
    "search_chinese": ("search", "乳都"),
}


def _golden(name: str, width: int, text: str) -> str:
    path = WIDTH_GOLDEN / f"{name}.{width}.table"
    text = text.replace(str(FIXTURE), "<facts>")
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [60, 120])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_golden_at_other_widths(hohhot: Runner, name: str, width: int) -> None:
    result = hohhot(*COMMANDS[name], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result
    assert result.stdout.replace(str(FIXTURE), "<facts>") == _golden(name, width, result.stdout)


def test_the_scan_is_not_vacuous() -> None:
    assert splits("cd-mayor-2024", ["x  cd-mayor-202", "   4"])
    assert splits("> 120", ["a  >", "   120"])
    assert splits("12.0 bn CNY", ["  12.0 bn", "  CNY"])
    assert not splits("cd-mayor-2024", ["x  cd-mayor-2024", "   4"])
    assert empty_columns(["A   B", "─────", "1    ", "2    "]) == ["B"]
    assert empty_columns(["A   B", "─────", "1   x"]) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_table_follows_the_layout_rule(hohhot: Runner, base: FactBase, name: str, width: int) -> None:
    result = hohhot(*COMMANDS[name], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    # validate prints one problem or warning a line, compiler style, for grep: never wrapped.
    checked = [line for line in lines if not line.startswith("warning: ")]
    assert not [line for line in checked if cells(line) > width]
    broken = [split for token in unbreakable(base) for split in splits(token, lines)]
    assert not broken, broken
    assert not empty_columns(lines)
