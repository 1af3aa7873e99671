"""Checks of the terminal layout rule: nothing unbreakable split across lines, no empty column."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hohhot_cli.model.facts import FactBase
from hohhot_cli.output.humanize import human_value, observation_value
from support.checks import cells


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
