"""The layout rule of terminal tables, on every command at 60, 80 and 120 columns (fixture base).

Golden files for 60 and 120 columns are in tests/golden/widths/ (80 columns: tests/golden/*.table).
The scan fails on a line wider than the width, an id, address or value split across lines (which
covers an exactness mark parted from its number), and a column empty in every row.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from support import FIXTURE, REPO, Runner
from support.checks import cells

from hohhot_cli.humanize import human_value, observation_value
from hohhot_cli.model import FactBase

WIDTH_GOLDEN = REPO / "tests" / "golden" / "widths"
UPDATE = os.environ.get("HOHHOT_UPDATE_GOLDEN") == "1"
WIDTHS = (60, 80, 120)

COMMANDS: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "industries": ("industries",),
    "industry_dairy": ("industries", "dairy"),
    "metric_gdp": ("metric", "gdp"),
    "metric_latest": ("metric", "dairy.revenue", "talent", "--latest"),
    "metrics": ("metrics",),
    "compare_over_time": ("compare", "gdp.total"),
    "compare_side_by_side": ("compare", "trade.exports", "trade.imports", "population.resident"),
    "compare_industries": ("compare", "--industries"),
    "search": ("search", "dairy", "capital"),
    "sources": ("sources",),
    "source_detail": ("sources", "fg-mayor-2024"),
    "validate": ("validate",),
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


def unbreakable(base: FactBase) -> set[str]:
    """What must never be split across lines: ids, addresses, values with their marks and units."""
    tokens: set[str] = set()
    tokens |= {m.id for m in base.metrics} | {i.id for i in base.industries} | {s.id for s in base.sources}
    tokens |= {f.id for f in base.facts} | {c.id for c in base.companies}
    tokens |= {u for s in base.sources for u in (s.url, s.read_at) if u}
    tokens |= {observation_value(o, m.unit) for m in base.metrics for o in m.observations}
    conversions = [o.conversion for m in base.metrics for o in m.observations if o.conversion]
    tokens |= {"= " + human_value(c.value, c.unit) for c in conversions}
    return tokens


def _positions(line: str, piece: str) -> Iterator[int]:
    start = line.find(piece)
    while start != -1:
        yield start
        start = line.find(piece, start + 1)


def splits(token: str, lines: list[str]) -> list[str]:
    """Places where token starts at the end of a cell on one line and goes on in the same column on the next."""
    found = []
    for row in range(len(lines) - 1):
        line, below = lines[row], lines[row + 1]
        for k in range(1, len(token)):
            head, tail = token[:k].rstrip(), token[k:].lstrip()
            if not head or not tail or head not in line or tail not in below:
                continue
            for p in _positions(line, head):
                end = p + len(head)
                if (p and line[p - 1] != " ") or (end < len(line) and line[end] != " "):
                    continue
                if line[p : p + len(token)] == token:
                    continue
                left, right = cells(line[:p]), cells(line[:end])
                for q in _positions(below, tail):
                    if q and below[q - 1] != " ":
                        continue
                    start, stop = cells(below[:q]), cells(below[: q + len(tail)])
                    if start < right and left < stop:
                        found.append(f"{line!r} / {below!r}")
    return found


def empty_columns(lines: list[str]) -> list[str]:
    """Columns of a table whose cells are blank in every row (a header over nothing)."""
    empty = []
    for index, rule in enumerate(lines):
        if index == 0 or not rule or set(rule) - {"─", "-"}:
            continue
        header = lines[index - 1]
        body = []
        for line in lines[index + 1 :]:
            if not line.strip():
                break
            body.append(line)
        for match in re.finditer(r"\S+(?: \S+)*", header):
            a, b = cells(header[: match.start()]), cells(header[: match.end()])
            if not any(line[a:b].strip() for line in body):
                empty.append(match.group())
    return empty


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
