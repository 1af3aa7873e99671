"""Fact files for tests and benchmarks: one TOML writer, one minimal base, edited copies.

A fact base is built as plain data (dicts, lists, strings, numbers, dates) and written
by :func:`to_toml` in the layout of the bundled ``facts.toml``: top-level keys, then
``[city]``, then arrays of tables, each table after a blank line, metric observations
as ``[[metrics.observations]]``. ``benchmarks/make_facts.py``, the fuzz target and the
property tests all write through it. Standard library only (the benchmark imports it
outside pytest).
"""

from __future__ import annotations

import datetime
import shutil
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parent.parent
FIXTURE = _TESTS / "data" / "fixture.toml"

CITY: Mapping[str, str] = {
    "name": "Hohhot",
    "name_zh": "呼和浩特",
    "province": "Inner Mongolia Autonomous Region",
    "province_zh": "内蒙古自治区",
}
"""The [city] table without its source."""

SUBTABLES = ("observations",)
"""Keys whose array of tables is written as ``[[parent.key]]``; other arrays of tables are inline."""

UNSAFE_EXTRA = set("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def toml_string(text: str) -> str:
    """A TOML basic string for any text: quotes, backslashes, controls, line separators and bidi as \\u escapes."""
    out = []
    for char in text:
        if char in '"\\' or unicodedata.category(char) == "Cc" or char in UNSAFE_EXTRA:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """One TOML value: integers grouped by thousands (256_000_000_000), floats by repr() (exact), dates bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _is_tables(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _pairs(table: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, value in table.items():
        if key in SUBTABLES and _is_tables(value):
            continue
        if _is_tables(value):  # items = [ ... ], one inline table a line
            lines += [f"{key} = [", *(f"    {toml_value(v)}," for v in value), "]"]
        else:
            lines.append(f"{key} = {toml_value(value)}")
    return lines


def table_lines(name: str, table: Mapping[str, Any]) -> list[str]:
    """One entry of an array of tables, ``[[name]]`` and its keys, then its sub-tables; each after a blank line."""
    lines = ["", f"[[{name}]]", *_pairs(table)]
    for key in SUBTABLES:
        if _is_tables(table.get(key)):
            for entry in table[key]:
                lines += table_lines(f"{name}.{key}", entry)
    return lines


def to_toml(document: Mapping[str, Any], comment: Iterable[str] = ()) -> str:
    """A fact file's text: ``comment`` lines (and a blank line), top-level keys, [city], arrays of tables."""
    lines = [f"# {line}".rstrip() for line in comment]
    if lines:
        lines.append("")
    tables: list[str] = []
    for key, value in document.items():
        if isinstance(value, Mapping):
            tables += ["", f"[{key}]", *_pairs(value)]
        elif _is_tables(value):
            for entry in value:
                tables += table_lines(key, entry)
        elif not isinstance(value, (list, tuple)) or value:
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


def write_facts(path: Path, document: Mapping[str, Any], comment: Iterable[str] = ()) -> Path:
    """Write ``document`` as a fact file at ``path``; return the path."""
    path.write_text(to_toml(document, comment), encoding="utf-8")
    return path


def minimal_base(*, full: bool = False) -> dict[str, Any]:
    """The smallest valid fact base with one entry of every kind, as plain data for :func:`to_toml`.

    ``full=True`` adds most optional keys: authors and an address, a Chinese name and an
    alias, an approximate preliminary figure with a conversion, a lower bound, an undated
    float, a second metric, items and a Chinese company name.
    """
    source = "cd-mayor-2024"
    document: dict[str, Any] = {
        "schema_version": 1,
        "updated": datetime.date(2026, 1, 1),
        "city": {**CITY, "source": source},
        "sources": [
            {
                "id": source,
                "publisher": "China Daily",
                "title": "Innovation drives growth in Hohhot",
                "date": "2024-05-28",
            }
        ],
        "industries": [{"id": "dairy", "name": "Dairy", "kind": "pillar", "source": source}],
        "metrics": [
            {
                "id": "gdp.total",
                "label": "GDP",
                "unit": "CNY",
                "industry": "dairy",
                "observations": [{"period": "2023", "value": 100, "source": source}],
            }
        ],
        "facts": [
            {"id": "plans.airport", "kind": "plan", "label": "New airport", "text": "A new airport is planned.",
             "source": source}
        ],
        "companies": [{"id": "yili", "name": "Yili", "industry": "dairy", "source": source}],
    }
    if not full:
        return document
    document["sources"][0].update(
        authors=["Yuan Hui", "Zou Shuo"], url="https://www.chinadailyasia.com/hk/article/584251"
    )
    document["industries"][0] = {
        "id": "dairy", "name": "Dairy", "name_zh": "乳业", "kind": "pillar", "aliases": ["milk"], "source": source
    }
    document["metrics"] = [
        {
            "id": "gdp.total",
            "label": "Regional GDP",
            "unit": "CNY",
            "industry": "dairy",
            "aliases": ["economy"],
            "observations": [
                {
                    "period": "2023",
                    "value": 100_000_000_000,
                    "exactness": "approximate",
                    "status": "preliminary",
                    "source": source,
                    "converted": {"value": 14_000_000_000, "unit": "USD"},
                }
            ],
        },
        {
            "id": "dairy.revenue",
            "label": "Dairy revenue",
            "unit": "CNY",
            "industry": "dairy",
            "observations": [
                {"period": "2022", "value": 250_000_000_000, "exactness": "approximate", "status": "first_published",
                 "source": source},
                {"period": "2023", "value": 256_000_000_000, "exactness": "lower_bound", "source": [source],
                 "note": "Exceeded.",
                 "converted": {"value": 36_500_000_000, "unit": "USD", "note": "The source's own conversion."}},
                {"as_of": "2024-05-28", "value": 1.5, "source": source},
            ],
        },
    ]
    document["facts"][0]["items"] = [{"name": "Terminal", "name_zh": "航站楼"}]
    document["companies"][0]["name_zh"] = "伊利"
    return document


def edited_copy(
    directory: Path, *replacements: tuple[str, str], source: Path = FIXTURE, name: str = "facts.toml"
) -> Path:
    """A copy of a fact file (the fixture by default) in ``directory``, each ``(old, new)`` replaced once.

    Every ``old`` must be in the file, so that an edit can never silently miss.
    """
    path = directory / name
    if not replacements:
        shutil.copyfile(source, path)
        return path
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{old!r} is not in {source}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def generated_base(observations: int, seed: int = 1) -> str:
    """The text of a valid synthetic base of ``observations`` figures (``benchmarks/make_facts.py``)."""
    import sys

    benchmarks = str(Path(__file__).resolve().parents[2] / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        import make_facts  # type: ignore[import-not-found]
    finally:
        sys.path.remove(benchmarks)
    text: str = make_facts.generate(observations, seed)
    return text
