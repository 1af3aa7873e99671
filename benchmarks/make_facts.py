"""Write a synthetic, valid hohhot fact base of a given number of observations.

    python benchmarks/make_facts.py --observations 100000 --output /tmp/facts-100k.toml [--seed 1]

The file has the layout of the bundled ``facts.toml`` (schema_version 1, [city],
[[sources]], [[industries]], [[metrics]] with [[metrics.observations]], [[facts]],
[[companies]]) and passes ``hohhot validate``. Observations are spread over many
metrics (about 20 each, yearly, quarterly, half-yearly or monthly series, with the
odd range or undated figure), ids are lowercase and dotted by topic, and the
``gdp`` topic always has a few metrics so that ``hohhot --facts FILE metric gdp``
works at every size. The same seed gives the same file, byte for byte.

Standard library only; 100,000 observations take about a second.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The TOML writer is shared with the tests (tests/support/factfiles.py), which also write
# fact files; this script runs outside pytest, so it puts the tests folder on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.factfiles import CITY, table_lines, to_toml

PER_METRIC = 20
"""Observations per metric (the last metrics may have one more)."""

UPDATED = "2026-01-01"

# (id suffix, label, unit): the gdp topic comes first and is never larger than this.
GDP_METRICS: tuple[tuple[str, str, str], ...] = (
    ("total", "Regional GDP", "CNY"),
    ("growth", "GDP growth, year on year", "percent"),
    ("per_capita", "GDP per capita", "CNY"),
    ("value_added.primary", "Value added, primary sector", "CNY"),
    ("value_added.secondary", "Value added, secondary sector", "CNY"),
    ("value_added.tertiary", "Value added, tertiary sector", "CNY"),
)

# topic: (subject, unit) pairs; metric ids are topic.subject, then topic.subject_2, ...
TOPICS: dict[str, tuple[tuple[str, str], ...]] = {
    "population": (("resident", "people"), ("urban_share", "percent"), ("births", "people")),
    "trade": (("exports", "CNY"), ("imports", "CNY"), ("total_usd", "USD")),
    "industry": (("output", "CNY"), ("enterprises", "count"), ("growth", "percent")),
    "dairy": (("milk_output", "count"), ("revenue", "CNY"), ("herd_size", "count")),
    "energy": (("capacity", "count"), ("renewable_share", "percent")),
    "tourism": (("visitors", "visitors"), ("revenue", "CNY")),
    "transport": (("rail_length", "km"), ("road_length", "km"), ("passengers", "people")),
    "education": (("students", "people"), ("universities", "count"), ("graduates", "people")),
    "health": (("hospital_beds", "count"), ("doctors_per_100", "per_100"), ("life_expectancy", "years")),
    "land": (("built_up_area", "km2"), ("green_cover", "percent")),
    "finance": (("deposits", "CNY"), ("loans", "CNY")),
    "retail": (("sales", "CNY"), ("online_share", "percent")),
    "investment": (("fixed_assets", "CNY"), ("growth", "percent")),
    "rankings": (("city_rank", "rank"),),
}

INDUSTRIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("dairy", "Dairy", "乳业", "pillar", ("milk",)),
    ("electronic-information", "Electronic information technology", "电子信息技术", "pillar", ("it",)),
    ("biomedicine", "Biomedicine", "生物医药", "pillar", ("pharma",)),
    ("new-materials", "New materials", "新材料", "pillar", ()),
    ("new-energy", "New energy", "清洁能源", "pillar", ("clean energy",)),
    ("modern-chemicals", "Modern chemical industry", "现代化工", "pillar", ("chemicals",)),
    ("artificial-intelligence", "Artificial intelligence", "人工智能", "emerging", ("ai",)),
    ("commercial-aerospace", "Commercial aerospace", "商业航天", "emerging", ("aerospace",)),
    ("semiconductors", "Semiconductors", "半导体", "emerging", ("chips",)),
    ("bioengineering", "Bioengineering", "生物工程", "emerging", ()),
)

PUBLISHERS: tuple[tuple[str, str], ...] = (
    ("stats", "Hohhot Bureau of Statistics"),
    ("cd", "China Daily (Hohhot)"),
    ("hhd", "Hohhot Daily"),
    ("xinhua", "Xinhua"),
    ("gov", "Hohhot Municipal People's Government"),
)

# (value, weight): the default (omitted key) is by far the most common, as in the real file.
EXACTNESS: tuple[tuple[str | None, int], ...] = (
    (None, 80), ("exact", 4), ("approximate", 10), ("lower_bound", 5), ("upper_bound", 1),
)
STATUS: tuple[tuple[str | None, int], ...] = (
    (None, 82), ("actual", 3), ("preliminary", 5), ("first_published", 4), ("estimate", 3),
    ("target", 2), ("outdated", 1),
)

# A typical magnitude for each unit, and whether values are integers.
SCALE: dict[str, tuple[float, bool]] = {
    "CNY": (5e10, True), "USD": (2e9, True), "percent": (6.0, False), "people": (3e5, True),
    "visitors": (2e7, True), "km": (3000.0, True), "km2": (800.0, True), "rank": (40.0, True),
    "count": (5000.0, True), "years": (78.0, False), "per_100": (3.0, False),
}

STYLES: tuple[tuple[str | None, int], ...] = (("year", 55), ("quarter", 30), ("half", 10), ("month", 5))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the file; return the exit status."""
    parser = argparse.ArgumentParser(description="Write a synthetic hohhot fact base (TOML).")
    parser.add_argument("--observations", "-n", type=int, required=True, help="exact number of observations")
    parser.add_argument("--output", "-o", required=True, help="file to write ('-' for stdout)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.observations < 1:
        parser.error("--observations must be at least 1 (a metric needs an observation)")
    text = generate(args.observations, args.seed)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


def generate(observations: int, seed: int = 1) -> str:
    """The whole fact base as TOML text: exactly ``observations`` observations."""
    rng = random.Random(seed)
    metric_count = math.ceil(observations / PER_METRIC)
    source_count = min(max(8, observations // 100), 2000)
    sources = _source_ids(source_count)

    head = {
        "schema_version": 1,
        "updated": datetime.date.fromisoformat(UPDATED),
        "city": {**CITY, "source": sources[:2]},
    }
    comment = (
        "Synthetic hohhot fact base for benchmarks: made by benchmarks/make_facts.py,",
        f"--observations {observations} --seed {seed}. The figures are random, not facts.",
    )
    out: list[str] = [to_toml(head, comment).rstrip("\n")]
    _write_sources(out, sources, rng)
    _write_industries(out, sources, rng)

    base, extra = divmod(observations, metric_count)
    for index, (metric_id, label, unit) in enumerate(_metrics(metric_count)):
        count = base + (1 if index >= metric_count - extra else 0)
        _write_metric(out, index, metric_id, label, unit, count, sources, rng)

    _write_facts(out, sources, rng)
    _write_companies(out, sources, rng)
    return "\n".join(out) + "\n"


def _source_ids(count: int) -> list[str]:
    ids = []
    for n in range(count):
        prefix, _ = PUBLISHERS[n % len(PUBLISHERS)]
        ids.append(f"{prefix}-{2000 + n % 25}-{n:04d}")
    return ids


def _write_sources(out: list[str], sources: list[str], rng: random.Random) -> None:
    for n, source_id in enumerate(sources):
        _, publisher = PUBLISHERS[n % len(PUBLISHERS)]
        year = 2000 + n % 25
        entry: dict[str, Any] = {"id": source_id, "publisher": publisher,
                                 "title": f"Statistical bulletin no. {n} of {year}"}
        if n % 3 == 0:
            entry["date"] = f"{year}"
        else:
            entry["date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if n % 4 != 3:
            entry["url"] = f"https://example.org/hohhot/{year}/{source_id}.htm"
        if n % 7 == 0:
            entry["authors"] = ["Staff reporter"]
        if n % 5 == 0:
            entry["note"] = "Synthetic source for benchmarks."
        out += table_lines("sources", entry)


def _write_industries(out: list[str], sources: list[str], rng: random.Random) -> None:
    for industry_id, name, name_zh, kind, aliases in INDUSTRIES:
        entry: dict[str, Any] = {"id": industry_id, "name": name, "name_zh": name_zh, "kind": kind,
                                 "source": rng.sample(sources, 2),
                                 "description": f"Synthetic description of the {name.lower()} industry."}
        if aliases:
            entry["aliases"] = list(aliases)
        out += table_lines("industries", entry)


def _metrics(count: int) -> Iterator[tuple[str, str, str]]:
    """``count`` metrics (id, label, unit): the gdp topic first, then the other topics in turn."""
    for suffix, label, unit in GDP_METRICS[:count]:
        yield f"gdp.{suffix}", label, unit
    seen: dict[str, int] = {}
    topics = list(TOPICS.items())
    for n in range(count - min(count, len(GDP_METRICS))):
        topic, subjects = topics[n % len(topics)]
        subject, unit = subjects[(n // len(topics)) % len(subjects)]
        base_id = f"{topic}.{subject}"
        seen[base_id] = seen.get(base_id, 0) + 1
        number = seen[base_id]
        metric_id = base_id if number == 1 else f"{base_id}_{number}"
        label = f"{topic.capitalize()}: {subject.replace('_', ' ')}"
        if number > 1:
            label += f" (series {number})"
        yield metric_id, label, unit


def _write_metric(
    out: list[str], index: int, metric_id: str, label: str, unit: str, count: int,
    sources: list[str], rng: random.Random,
) -> None:
    topic = metric_id.split(".", 1)[0]
    metric: dict[str, Any] = {"id": metric_id, "label": label, "unit": unit}
    if index % 3 == 0:
        metric["description"] = f"Synthetic series {index}: {label.lower()}."
    if index == 0:
        metric["aliases"] = ["regional gdp", "economy"]
    elif index % 5 == 0:
        metric["aliases"] = [f"series {index}"]
    if topic != "gdp" and index % 4 == 0:
        metric["industry"] = INDUSTRIES[index % len(INDUSTRIES)][0]
    metric["tags"] = [topic, "synthetic"]
    metric["observations"] = observations = []

    scale, integer = SCALE[unit]
    level = scale * rng.uniform(0.5, 1.5)
    style = "year" if index == 0 else (_weighted(STYLES, rng) or "year")
    for when_key, when in _periods(count, style, rng):
        # Amounts grow from period to period; rates and averages wander around their level.
        value = _number(level * rng.uniform(0.9, 1.1), integer)
        if integer:
            level *= rng.uniform(0.97, 1.09)
        observation: dict[str, Any] = {when_key: when, "value": value}
        exactness = _weighted(EXACTNESS, rng)
        if exactness is not None:
            observation["exactness"] = exactness
        status = _weighted(STATUS, rng)
        if status is not None:
            observation["status"] = status
        if rng.random() < 0.1:
            observation["source"] = rng.sample(sources, 2)
        else:
            observation["source"] = rng.choice(sources)
        if rng.random() < 0.15:
            observation["note"] = "Synthetic figure; the source rounds it."
        if unit == "CNY" and rng.random() < 0.03:
            observation["converted"] = {"value": _number(level / 7.1, True), "unit": "USD",
                                        "note": "Converted by the source."}
        observations.append(observation)
    out += table_lines("metrics", metric)


def _periods(count: int, style: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """``count`` distinct (key, period) pairs of one style; now and then a range or an as-of date."""
    start = rng.randint(1985, 2005)
    for n in range(count):
        roll = rng.random()
        if roll < 0.03:
            yield "period", f"{start + n}/{start + n + 4}"
            continue
        if roll < 0.05:
            yield "as_of", f"{start + n}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            continue
        if style == "quarter":
            yield "period", f"{start + n // 4}-Q{n % 4 + 1}"
        elif style == "half":
            yield "period", f"{start + n // 2}-H{n % 2 + 1}"
        elif style == "month":
            yield "period", f"{start + n // 12}-{n % 12 + 1:02d}"
        else:
            yield "period", str(start + n)


def _number(level: float, integer: bool) -> int | float:
    if integer:
        value = max(1, round(level))
        digits = len(str(value))
        if digits > 4:  # four significant figures, as sources print them: 274_400_000_000
            value = round(value, 4 - digits)
        return value
    return round(level, 1)


def _weighted(choices: tuple[tuple[str | None, int], ...], rng: random.Random) -> str | None:
    total = sum(weight for _, weight in choices)
    pick = rng.random() * total
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


def _write_facts(out: list[str], sources: list[str], rng: random.Random) -> None:
    facts: list[dict[str, Any]] = [
        {"id": "names.chinese", "kind": "fact", "label": "Chinese name",
         "text": "Hohhot is written 呼和浩特 in Chinese.", "source": rng.sample(sources, 2), "tags": ["name"]},
        {"id": "events.synthetic_conference", "kind": "event", "label": "A conference",
         "text": "A synthetic conference took place.", "date": "2023-06-01", "source": rng.choice(sources)},
        {"id": "titles.synthetic_title", "kind": "title", "label": "A title",
         "text": "The city was given a synthetic title.", "date": "2005", "industry": "dairy",
         "source": rng.choice(sources)},
        {"id": "plans.synthetic_airport", "kind": "plan", "label": "A plan",
         "text": "The city plans something synthetic.", "as_of": "2024-05-28", "source": rng.choice(sources),
         "tags": ["transport", "plan"]},
        {"id": "admin.synthetic_districts", "kind": "fact", "label": "Some districts",
         "text": "Two of the districts.", "period": "2024", "source": rng.choice(sources),
         "items": [{"name": "Xincheng District", "name_zh": "新城区"},
                   {"name": "Huimin District", "name_zh": "回民区", "note": "synthetic note"}]},
    ]
    for fact in facts:
        out += table_lines("facts", fact)


def _write_companies(out: list[str], sources: list[str], rng: random.Random) -> None:
    for company_id, name, name_zh, industry in (
        ("yili", "Yili Group", "伊利", "dairy"),
        ("mengniu", "Mengniu Dairy", "蒙牛", "dairy"),
        ("synthetic-chips", "Synthetic Chips", "", "semiconductors"),
    ):
        entry: dict[str, Any] = {"id": company_id, "name": name}
        if name_zh:
            entry["name_zh"] = name_zh
        entry.update(industry=industry, description=f"Synthetic company record for {name}.",
                     source=rng.sample(sources, 2))
        out += table_lines("companies", entry)


if __name__ == "__main__":
    sys.exit(main())
