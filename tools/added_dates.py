"""Set the ``added`` date of every figure and fact of ``facts.toml`` from the file's git history.

The date a figure or fact entered the base is the date (UTC) of the first commit of
``facts.toml`` whose version holds it, followed through every later version: a figure
stays the same figure when a later version keeps its metric (or moves it, as
``moved_from`` says) and two of its period, value and sources, so a corrected note,
status, period or value does not make it new; a fact stays the same fact when it keeps
its id, its text or its label. Run from the top of the repository::

    python tools/added_dates.py            # write the dates into facts.toml
    python tools/added_dates.py --check    # exit 1 when facts.toml differs from what it would write
    python tools/added_dates.py --report   # how many figures and facts each commit added

Only the history up to HEAD is read, and versions that differ from the one before in
``added`` lines only are skipped, so a second run writes the same dates. An entry with an
``added`` date already set keeps that date when the history has no earlier one (a figure
added by hand in a commit yet to be made). Standard library only (and tomli on Python 3.10).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # the package's own dependency before Python 3.11
    import tomli as tomllib

FACTS = Path("facts.toml")
_ADDED_LINE = re.compile(r"^added\s*=.*\n?", re.MULTILINE)
_HEADER = re.compile(r"^\[\[(metrics\.observations|facts)\]\]\s*$")


@dataclass
class Figure:
    """One observation of one version of the file, as far as telling it apart goes."""

    metric: str
    dated: str
    value: float
    sources: tuple[str, ...]
    added: str = ""
    commit: str = ""


@dataclass
class Entry:
    """One fact of one version of the file."""

    id: str
    text: str
    label: str
    added: str = ""
    commit: str = ""


@dataclass
class Version:
    """What one version of the file holds."""

    commit: str
    date: str
    figures: list[Figure] = field(default_factory=list)
    facts: list[Entry] = field(default_factory=list)
    moved: dict[str, set[str]] = field(default_factory=dict)
    """For each metric, the old metric ids its ``moved_from`` names (refs reduced to their metric)."""


def _git(*args: str) -> str:
    environment = {**os.environ, "TZ": "UTC"}  # commit dates as UTC days
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=environment).stdout


def _sources(entry: dict[str, Any]) -> tuple[str, ...]:
    raw = entry.get("source", ())
    return (raw,) if isinstance(raw, str) else tuple(str(s) for s in raw)


def read_version(commit: str, date: str, text: str) -> Version:
    """The figures and facts of one version of the file, in file order."""
    document = tomllib.loads(text)
    version = Version(commit, date)
    for metric in document.get("metrics", []):
        metric_id = metric["id"]
        version.moved[metric_id] = {old.partition("@")[0] for old in metric.get("moved_from", [])}
        for observation in metric.get("observations", []):
            dated = str(observation.get("period", f"as-of-{observation.get('as_of')}"))
            value = float(observation["value"])
            added = str(observation.get("added", ""))
            version.figures.append(Figure(metric_id, dated, value, _sources(observation), added))
    for fact in document.get("facts", []):
        version.facts.append(Entry(fact["id"], fact.get("text", ""), fact.get("label", ""), str(fact.get("added", ""))))
    return version


def history() -> Iterator[Version]:
    """Every committed version of the file, oldest first, skipping those that change ``added`` lines only."""
    log = _git("log", "--reverse", "--format=%H %cd", "--date=format-local:%Y-%m-%d", "--", str(FACTS))
    previous = None
    for line in log.splitlines():
        commit, date = line.split()
        text = _git("show", f"{commit}:{FACTS}")
        stripped = _ADDED_LINE.sub("", text)
        if stripped == previous:
            continue
        previous = stripped
        yield read_version(commit, date, stripped)


_FIGURE_KEYS: tuple[Callable[[Figure], object], ...] = (
    lambda f: (f.dated, f.value),
    lambda f: (f.value, f.sources),
    lambda f: (f.dated, f.sources),
)
"""What a figure keeps from one version to the next, tried in this order, within its metric."""


def carry_figures(old: Version, new: Version) -> None:
    """Give each figure of ``new`` the date of the figure of ``old`` it continues, else the new version's."""
    unclaimed = list(old.figures)
    pending = list(new.figures)
    for key in _FIGURE_KEYS:
        still = []
        for figure in pending:
            metrics = {figure.metric} | new.moved.get(figure.metric, set())
            match = next((o for o in unclaimed if o.metric in metrics and key(o) == key(figure)), None)
            if match is None:
                still.append(figure)
                continue
            unclaimed.remove(match)
            figure.added, figure.commit = match.added, match.commit
        pending = still
    for figure in pending:  # a metric renamed without moved_from: the same period, value and sources
        match = next(
            (o for o in unclaimed if (o.dated, o.value, o.sources) == (figure.dated, figure.value, figure.sources)),
            None,
        )
        if match is not None:
            unclaimed.remove(match)
            figure.added, figure.commit = match.added, match.commit
        else:
            figure.added, figure.commit = new.date, new.commit


def carry_facts(old: Version, new: Version) -> None:
    """Give each fact of ``new`` the date of the fact of ``old`` with its id, text or label, else the new version's."""
    unclaimed = list(old.facts)
    for fact in new.facts:
        match = next(
            (o for key in ("id", "text", "label") for o in unclaimed if getattr(o, key) == getattr(fact, key)), None
        )
        if match is None:
            fact.added, fact.commit = new.date, new.commit
        else:
            unclaimed.remove(match)
            fact.added, fact.commit = match.added, match.commit


def derive(current: Version) -> tuple[Version, list[Version]]:
    """The dates of the figures and facts of ``current`` (the working file), and the versions read."""
    versions = list(history())
    previous = Version("", "")
    for version in [*versions, current]:
        carry_figures(previous, version)
        carry_facts(previous, version)
        previous = version
    return current, versions


def write_dates(text: str, figures: list[Figure], facts: list[Entry]) -> str:
    """The file's text with an ``added = DATE`` line as the last key of every observation and fact."""
    lines = _ADDED_LINE.sub("", text).splitlines(keepends=True)
    dates = iter([*(f.added for f in figures)])
    fact_dates = iter([*(f.added for f in facts)])
    out: list[str] = []
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index])
        out.append(lines[index])
        index += 1
        if header is None:
            continue
        end = index
        while end < len(lines) and not lines[end].startswith("["):
            end += 1
        last = end
        while last > index and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
            last -= 1
        date = next(dates) if header.group(1) == "metrics.observations" else next(fact_dates)
        out.extend(lines[index:last])
        out.append(f"added = {date}\n")
        out.extend(lines[last:end])
        index = end
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when facts.toml is not what would be written")
    parser.add_argument("--report", action="store_true", help="say how many figures and facts each commit added")
    options = parser.parse_args(argv)
    text = FACTS.read_text(encoding="utf-8")
    current = read_version("(working file)", "", _ADDED_LINE.sub("", text))
    hand = read_version("", "", text)
    current, versions = derive(current)
    pairs: list[tuple[Figure | Entry, Figure | Entry]] = [
        *zip(current.figures, hand.figures, strict=True),
        *zip(current.facts, hand.facts, strict=True),
    ]
    for new, given in pairs:
        if new.commit == "(working file)":  # not committed yet: keep a date given by hand
            if not given.added:
                print(f"{FACTS}: no date for an entry not yet committed: {new!r}", file=sys.stderr)
                return 1
            new.added = given.added
    if options.report:
        for version in versions:
            figures = sum(f.commit == version.commit for f in current.figures)
            facts = sum(f.commit == version.commit for f in current.facts)
            if figures or facts:
                print(f"{version.commit[:7]} {version.date}: {figures} figures, {facts} facts")
        return 0
    written = write_dates(text, current.figures, current.facts)
    if options.check:
        return 0 if written == text else 1
    FACTS.write_text(written, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
