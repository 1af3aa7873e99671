"""Robustness: tables fit any width and still show every value of the JSON, folded rather than cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import Runner
from support.checks import cells, run

from hohhot_cli.model.facts import FactBase, Status, Unit
from hohhot_cli.output.humanize import STATUS_LABELS, observation_value, signed

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


WIDTHS = (30, 40, 60, 80, 120, 200)
WIDTH_COMMANDS: list[tuple[str, ...]] = [("industries",), ("metric", "gdp"), ("compare", "gdp.total"), ("sources",)]


def _spans(line: str, piece: str) -> Iterator[tuple[int, int, int]]:
    """Where piece occurs in line: (first cell, cell after the last, index after it)."""
    start = line.find(piece)
    while start != -1:
        left = cells(line[:start])
        yield left, left + cells(piece), start + len(piece)
        start = line.find(piece, start + 1)


def appears_folded(word: str, lines: list[str]) -> bool:
    """Whether word is on one line, or folded over consecutive lines of one column.

    A folded piece ends its cell (a space or the end of the line follows it) and the next piece
    overlaps it horizontally on the next line (cells may be left- or right-aligned).
    """
    if any(word in line for line in lines):
        return True

    def rest(row: int, done: int, left: int, right: int) -> bool:
        if row >= len(lines):
            return False
        line = lines[row]
        for end in range(len(word), done, -1):
            for start_cell, end_cell, after in _spans(line, word[done:end]):
                if start_cell >= right or end_cell <= left:  # not in the same column
                    continue
                if end == len(word):
                    return True
                if (after == len(line) or line[after] == " ") and rest(row + 1, end, start_cell, end_cell):
                    return True
        return False

    for row, line in enumerate(lines):
        for end in range(len(word) - 1, 0, -1):
            for left, right, after in _spans(line, word[:end]):
                if (after == len(line) or line[after] == " ") and rest(row + 1, end, left, right):
                    return True
    return False


def test_fold_checker_is_not_vacuous() -> None:
    lines = ["cd-m   Chi", "ayor   na", "-202   Dai", "4      ly", "  274   x", "  .37   y"]
    assert appears_folded("cd-mayor-2024", lines)
    assert appears_folded("China", lines) and appears_folded("274.37", lines)
    assert not appears_folded("cd-mayor-2025", lines)
    assert not appears_folded("cd-mayor", lines[1:])
    assert not appears_folded("Daily", ["Dai", "", "ly"])


def _display_values(base: FactBase, args: tuple[str, ...], records: list[dict[str, Any]]) -> tuple[set[str], list[str]]:
    """What the table must show of the JSON records: the section titles, and the other values."""
    titles: set[str] = set()
    values: list[str] = []
    if args[0] == "industries":
        titles.add(f"Industries ({len(records)})")
        for r in records:
            values += [r["id"], r["name"], r["name_zh"], r["kind"]]
    elif args[0] == "sources":
        titles.add(f"Sources ({len(records)})")
        for r in records:
            values += [r["id"], r["publisher"], r["date"], r["title"], str(r["citation_count"])]
    else:
        for r in records:
            metric = base.metric_by_id[r["id"]]
            titles.add(f"{r['id']} · {r['label']}" + (f" {metric.label_zh}" if metric.label_zh else ""))
            unit = Unit(r["unit"])
            assert len(r["observations"]) == len(metric.observations)
            for o, model in zip(r["observations"], metric.observations, strict=True):
                undated = all(source["undated"] for source in o["sources"])
                when = f"undated ({o['as_of']} or later)" if undated else f"as of {o['as_of']}"
                values += [o["period"] or when, observation_value(model, unit)]
                values.append(STATUS_LABELS[Status(o["status"])])
                if args[0] == "metric":
                    values += [s["id"] for s in o["sources"]] + [o["note"]]
                else:
                    values.append(o["change_refused"] or "")
                    if o["change"] is not None:
                        values.append(signed(o["change"]["value"], unit))
    return titles, values


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("args", WIDTH_COMMANDS, ids=" ".join)
def test_table_fits_the_width_and_shows_every_value(
    hohhot: Runner, base: FactBase, args: tuple[str, ...], columns: int
) -> None:
    """No line is wider than COLUMNS, and every value of the JSON is in the table, maybe folded.

    Section titles wrap at word boundaries like any prose: each of their words is shown whole.
    """
    env = {"COLUMNS": str(columns)}
    table = hohhot(*args, env=env)
    assert table.exit_code == 0, table
    lines = table.stdout.splitlines()
    titles, values = _display_values(base, args, hohhot(*args, "--json", env=env).json())
    assert all(any(word in line for line in lines) for title in titles for word in title.split()), "titles"
    body = lines
    too_wide = [line for line in body if cells(line) > columns]
    assert not too_wide, too_wide
    missing = [word for value in values for word in value.split() if not appears_folded(word, body)]
    assert not missing, missing


@pytest.mark.parametrize("args", WIDTH_COMMANDS, ids=" ".join)
def test_json_is_never_wrapped(hohhot: Runner, args: tuple[str, ...]) -> None:
    for fmt in ("json", "jsonl", "csv"):
        narrow = hohhot(*args, "--format", fmt, env={"COLUMNS": "30"})
        assert narrow.exit_code == 0
        assert narrow.stdout == hohhot(*args, "--format", fmt, env={"COLUMNS": "200"}).stdout


def test_columns_in_a_real_process() -> None:
    """COLUMNS from the real environment: a narrow table fits, JSON is the same at any width."""
    narrow = run("industries", env={"COLUMNS": "30"})
    assert narrow.returncode == 0
    assert max(cells(line) for line in narrow.stdout.decode().splitlines()[1:]) <= 30
    json_narrow = run("metric", "gdp", "--json", env={"COLUMNS": "30"})
    json_wide = run("metric", "gdp", "--json", env={"COLUMNS": "200"})
    assert json_narrow.returncode == json_wide.returncode == 0
    assert json_narrow.stdout == json_wide.stdout


