"""Full-text search over every entry of a fact base: metrics, industries, companies, facts, sources."""

from __future__ import annotations

import re

from hohhot_cli.model.facts import FactBase
from hohhot_cli.query.results import SearchHit, SearchResult

_KIND_ORDER = {"metric": 0, "industry": 1, "company": 2, "fact": 3, "source": 4}


def search(base: FactBase, text: str) -> SearchResult:
    """Metrics, industries, companies, facts and sources matching ``text``, best first.

    Every word must match somewhere in the entry, case-insensitively. A Latin word
    matches the start of a word in a field ("capital" finds "capitals", "ai" does
    not find "dairy"); Chinese, written without spaces, matches anywhere. A word
    equal to a whole field counts three times a partial match, and a partial
    match counts more the more of its field it covers; ids, names and aliases
    count more than tags, tags more than topic names, and those more than
    descriptions. An entry whose id, name or alias is the whole query comes first.
    """
    query = " ".join(text.casefold().split())
    words = query.split()
    if not words:
        return SearchResult(text, ())
    patterns = [
        re.compile(re.escape(word) if not word.isascii() else rf"(?<![0-9a-z]){re.escape(word)}") for word in words
    ]
    hits: list[SearchHit] = []
    for kind, entry_id, label, fields in _searchable(base):
        score = 0
        matched: list[str] = []
        for word, pattern in zip(words, patterns, strict=True):
            best = 0
            for field_name, weight, values in fields:
                for value in values:
                    folded = value.casefold()
                    if word == folded:
                        gain = weight * 3
                    elif pattern.search(folded):
                        # The more of the field the word covers, the better: 人口 finds 常住人口
                        # before 0-14岁人口占比, "gdp" a short label before a long one.
                        gain = weight + round(2 * weight * len(word) / len(folded))
                    else:
                        continue
                    best = max(best, gain)
                    if field_name not in matched:
                        matched.append(field_name)
            if best == 0:
                break
            score += best
        else:
            names = [v.casefold() for name, _, values in fields if name in _NAME_FIELDS for v in values]
            if query in names or query == entry_id:
                score += 50
            elif len(words) > 1 and any(query in v.casefold() for _, _, values in fields for v in values):
                score += 5
            shown = _shown_text(fields, patterns, label)
            hits.append(SearchHit(kind, entry_id, label, score, tuple(matched), text=shown))
    hits.sort(key=lambda h: (-h.score, _KIND_ORDER[h.kind], h.id))
    return _with_latest(base, text, hits)


def _with_latest(base: FactBase, text: str, hits: list[SearchHit]) -> SearchResult:
    """The hits, each metric with its latest observation, by the one rule every command uses."""
    from hohhot_cli.model.value import replace
    from hohhot_cli.query.latest import latest_observation
    from hohhot_cli.query.queries import cited_by

    found = [
        replace(h, latest=latest_observation(base, base.metric_by_id[h.id])) if h.kind == "metric" else h for h in hits
    ]
    cited = cited_by(base, (h.latest for h in found if h.latest is not None))
    return SearchResult(text, tuple(found), cited)


_NAME_FIELDS = ("label", "name", "aliases", "title")


def _shown_text(fields: _Fields, patterns: list[re.Pattern[str]], label: str) -> str:
    """The text to show for a hit: the value (not an id) matching the most words, the weightiest first."""
    best, best_key = label, (0, 0)
    for field_name, weight, values in fields:
        if field_name == "id":
            continue
        for value in values:
            folded = value.casefold()
            key = (sum(1 for pattern in patterns if pattern.search(folded)), weight)
            if key > best_key:
                best, best_key = value, key
    return best


_Fields = list[tuple[str, int, tuple[str, ...]]]


def _searchable(base: FactBase) -> list[tuple[str, str, str, _Fields]]:
    """Every searchable thing: its kind, id, label, and its fields with their weights."""
    topics = {t.id: (t.name, t.name_zh) for t in base.topics}
    entries: list[tuple[str, str, str, _Fields]] = []
    for m in base.metrics:
        fields: _Fields = [
            ("id", 10, (m.id, *m.id.split("."))),
            ("label", 6, (m.label, m.label_zh)),
            ("aliases", 6, m.aliases),
            ("tags", 3, m.tags),
            ("topic", 2, topics.get(m.topic, ())),
            ("description", 1, (m.description, *(o.note for o in m.observations))),
        ]
        entries.append(("metric", m.id, m.label, fields))
    for i in base.industries:
        fields = [
            ("id", 10, (i.id,)),
            ("name", 8, (i.name, i.name_zh)),
            ("aliases", 6, i.aliases),
            ("kind", 2, (i.kind.value,)),
            ("description", 1, (i.description,)),
        ]
        entries.append(("industry", i.id, i.name, fields))
    for c in base.companies:
        fields = [("id", 10, (c.id,)), ("name", 8, (c.name, c.name_zh)), ("description", 1, (c.description,))]
        entries.append(("company", c.id, c.name, fields))
    entries += _fact_entries(base, topics)
    for s in base.sources:
        fields = [
            ("id", 10, (s.id,)),
            ("title", 4, (s.title,)),
            ("publisher", 3, (s.publisher,)),
            ("authors", 3, s.authors),
            ("note", 1, (s.note,)),
        ]
        entries.append(("source", s.id, s.title, fields))
    return entries


def _fact_entries(base: FactBase, topics: dict[str, tuple[str, str]]) -> list[tuple[str, str, str, _Fields]]:
    entries: list[tuple[str, str, str, _Fields]] = []
    for f in base.facts:
        item_names = tuple(n for item in f.items for n in (item.name, item.name_zh) if n)
        fields: _Fields = [
            ("id", 10, (f.id, *f.id.split("."))),
            ("label", 6, (f.label,)),
            ("items", 4, item_names),
            ("tags", 3, f.tags),
            ("topic", 2, topics.get(f.topic, ())),
            ("text", 1, (f.text,)),
        ]
        entries.append(("fact", f.id, f.label, fields))
    return entries
