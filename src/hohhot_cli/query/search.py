"""Full-text search over every entry of a fact base: metrics, industries, companies, facts, sources, figures.

The ranking, in one place (the README's "Search, show and cite" says the same):

1. **Where the words matched.** Every word must match somewhere in the entry,
   case-insensitively: a Latin word the start of a word of a field ("capital" finds
   "capitals", "ai" does not find "dairy"), Chinese, written without spaces, anywhere.
   Each word scores by the best field it matched (:data:`POINTS`): an id (or a part of
   a dotted id), a label or name in either language first, then aliases, then tags
   (and topic names, the items of a list, a publisher, a word of a source's title),
   then descriptions and texts, then notes; a word that is the whole field scores a
   little more than one that starts a word of it. An entry whose id, label, name,
   title or alias is the whole query gains five times that field's points; several
   words together, in order, in one field add that field's points once more. The
   ``score`` is the sum.
2. **How central the entry is**, between equal scores: an industry, or a metric that
   is an industry's headline or a figure of the overview, before the rest; then
   fewer dots in the id (a headline before its breakdowns); then more figures.
3. **The id**, alphabetically.

A word that is a period (``2023``, ``2024-H1``, ``2023-12``) asks for figures: each
metric matching the other words gives a ``figure`` hit for each of its figures of
that period or within it (``2023-Q1`` and ``2023-12-31`` are within ``2023``; a figure
dated only by its source's ``as_of`` date is not), scored its metric's score plus
:data:`PERIOD_POINTS`, so that the figures come first. The period is not required of
the other hits, and adds a word's points to those that hold it (a source "GDP in
2023"). A query of periods only is searched as text. A ref (``gdp.total@2023``) is
a figure hit of its own, scored :data:`REF_POINTS` (every figure of the period when
the ref leaves out the ``#N`` of several).
"""

from __future__ import annotations

import re
from enum import Enum

from hohhot_cli.model.errors import NotFoundError
from hohhot_cli.model.facts import FactBase, Metric, Observation
from hohhot_cli.query.lookup import is_ref
from hohhot_cli.query.naming import resolve_ref
from hohhot_cli.query.results import Figure, SearchHit, SearchResult

TYPE_CHECKING = False  # not typing's: a lookup does not import typing
if TYPE_CHECKING:
    from datetime import date


class HitKind(str, Enum):
    """What a search hit is: ``--kind`` keeps one kind."""

    METRIC = "metric"
    INDUSTRY = "industry"
    SOURCE = "source"
    FACT = "fact"
    COMPANY = "company"
    FIGURE = "figure"


POINTS = {
    **dict.fromkeys(("id", "label", "name"), (20, 16)),
    "title": (20, 5),  # a source's title is a headline: whole, a name; a word of it, no more than a tag
    "aliases": (12, 10),
    **dict.fromkeys(("tags", "topic", "items", "kind", "publisher", "authors"), (6, 5)),
    **dict.fromkeys(("description", "text"), (2, 2)),
    "note": (1, 1),
}
"""A word's points by the field it matched: (the whole field, the start of a word of it)."""

WHOLE_QUERY_FIELDS = ("id", "label", "name", "title", "aliases")
"""Fields that, equal to the whole query, give an entry five times their points more."""

PERIOD_POINTS = 100
"""Added to a metric's score for each of its figures of a period among the words."""

REF_POINTS = 220
"""The score of a figure named by its ref: as its metric's id for the whole query (120), plus a period."""

_Fields = list[tuple[str, tuple[str, ...]]]
_Entry = tuple[str, str, str, _Fields]  # kind, id, label, fields


def search(base: FactBase, text: str, kind: HitKind | None = None, limit: int | None = None) -> SearchResult:
    """Metrics, industries, companies, facts, sources and figures matching ``text``, best first (see above)."""
    query = " ".join(text.casefold().split())
    words = query.split()
    refs = [w for w in words if is_ref(w)]
    words = [w for w in words if w not in refs]
    periods = {w: span for w in words if (span := _period(w)) is not None}
    required = [w for w in words if w not in periods]
    if not required:  # periods only: searched as text
        required, periods = words, {}
    hits: list[SearchHit] = [h for ref in refs for h in _ref_hits(base, ref)]
    if required:
        hits += _text_hits(base, " ".join(required), required, list(periods))
    if periods:
        hits += _figure_hits(base, [h for h in hits if h.kind == "metric"], list(periods.values()))
    central = _central_ids(base)
    sizes = {m.id: len(m.observations) for m in base.metrics}
    hits.sort(key=lambda h: (-h.score, *_centrality(h, central, sizes), h.id))
    if kind is not None:
        hits = [h for h in hits if h.kind == kind.value]
    if limit is not None:
        hits = hits[:limit]
    return _with_latest(base, text, hits)


def _text_hits(base: FactBase, query: str, required: list[str], optional: list[str]) -> list[SearchHit]:
    """The entries every required word matches, scored; an optional word adds its points where it matches.

    ``query`` is the required words together, for the points of an entry named by the whole query.
    """
    patterns = {word: _pattern(word) for word in (*required, *optional)}
    hits = []
    for kind, entry_id, label, fields in _searchable(base):
        score = 0
        matched: list[str] = []
        for word in (*required, *optional):
            points = _word_points(word, patterns[word], fields, matched)
            if points == 0 and word in required:
                break
            score += points
        else:
            score += _whole_query_points(query, required, fields)
            shown = _shown_text(fields, list(patterns.values()), label)
            hits.append(SearchHit(kind, entry_id, label, score, tuple(matched), text=shown))
    return hits


def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(re.escape(word) if not word.isascii() else rf"(?<![0-9a-z]){re.escape(word)}")


def _word_points(word: str, pattern: re.Pattern[str], fields: _Fields, matched: list[str]) -> int:
    """A word's points in an entry: those of the best field it matches (0 for none); names every field matched."""
    best = 0
    for field_name, values in fields:
        whole, start = POINTS[field_name]
        for value in values:
            folded = value.casefold()
            if folded == word:
                gain = whole
            elif pattern.search(folded):
                gain = start
            else:
                continue
            best = max(best, gain)
            if field_name not in matched:
                matched.append(field_name)
    return best


def _whole_query_points(query: str, words: list[str], fields: _Fields) -> int:
    """Five times the points of a field equal to the whole query (an id whole, not a part of it); else, for
    several words, a field's word-start points once more if it holds them together, in order."""
    equal = [
        POINTS[name][0]
        for name, values in fields
        if name in WHOLE_QUERY_FIELDS
        for v in (values[:1] if name == "id" else values)
        if v.casefold() == query
    ]
    if equal or len(words) < 2:
        return 5 * max(equal, default=0)
    phrase = _pattern(query)
    return max((POINTS[name][1] for name, values in fields for v in values if phrase.search(v.casefold())), default=0)


def _shown_text(fields: _Fields, patterns: list[re.Pattern[str]], label: str) -> str:
    """The text to show for a hit: the value (not an id) matching the most words, the weightiest first."""
    best, best_key = label, (0, 0)
    for field_name, values in fields:
        if field_name == "id":
            continue
        for value in values:
            folded = value.casefold()
            key = (sum(1 for pattern in patterns if pattern.search(folded)), POINTS[field_name][0])
            if key > best_key:
                best, best_key = value, key
    return best


# -- centrality ----------------------------------------------------------------------


def _central_ids(base: FactBase) -> set[str]:
    """Industries, their headline metrics and the metrics of the overview."""
    from hohhot_cli.query.queries import list_industries, overview

    summaries = list_industries(base).industries
    shown = overview(base)
    central = {s.industry.id for s in summaries}
    central |= {f.metric.id for f in (*(s.headline for s in summaries), shown.population, shown.gdp) if f}
    return central


_KIND_ORDER = {kind: rank for rank, kind in enumerate(("figure", "metric", "industry", "fact", "company", "source"))}
"""Between equal scores, what a reader asking for a figure wants first; sources, which back the rest, last."""


def _centrality(hit: SearchHit, central: set[str], sizes: dict[str, int]) -> tuple[int, int, int, int]:
    """Central first; then by kind (:data:`_KIND_ORDER`); fewer dots in the id; more figures."""
    entry = hit.id.partition("@")[0] if hit.kind == "figure" else hit.id
    size = sizes.get(entry, 0) if hit.kind in ("metric", "figure") else 0
    return (entry not in central, _KIND_ORDER[hit.kind], entry.count("."), -size)


# -- figures -------------------------------------------------------------------------


def _ref_hits(base: FactBase, ref: str) -> list[SearchHit]:
    try:
        named = resolve_ref(base, ref)
    except NotFoundError:
        return []
    figures = [o for o in named.metric.observations if named.refs is None or o.ref in named.refs]
    return [_figure_hit(named.metric, o, REF_POINTS, ("ref",)) for o in figures]


def _figure_hit(metric: Metric, observation: Observation, score: int, matched: tuple[str, ...],
                text: str = "") -> SearchHit:
    figure = Figure(metric, observation)
    return SearchHit("figure", observation.ref, metric.label, score, matched, text=text or metric.label, figure=figure)


def _period(word: str) -> tuple[date, date] | None:
    """The first and last day of a word that is a period (``2023``, ``2024-h1``), else None."""
    if not word[:1].isdigit():
        return None
    from hohhot_cli.model.periods import PeriodError, parse_period

    try:
        span = parse_period(word.upper())
    except PeriodError:
        return None
    return (span.start, span.end)


def _figure_hits(base: FactBase, metric_hits: list[SearchHit], periods: list[tuple[date, date]]) -> list[SearchHit]:
    """For each metric found, a hit for each of its figures of a period asked for, or within one."""
    from hohhot_cli.query.selection import when

    hits = []
    for hit in metric_hits:
        metric = base.metric_by_id[hit.id]
        for observation in metric.observations:
            if observation.period is None:
                continue  # dated by its source only: not a figure of any period
            place = when(observation)
            if any(start <= place.start and place.end <= end for start, end in periods):
                score = hit.score + PERIOD_POINTS
                hits.append(_figure_hit(metric, observation, score, (*hit.matched, "period"), hit.text))
    return hits


def _with_latest(base: FactBase, text: str, hits: list[SearchHit]) -> SearchResult:
    """The hits, each metric and figure with its metric's latest figure, by the one rule every command uses."""
    from hohhot_cli.model.value import replace
    from hohhot_cli.query.latest import latest_observation
    from hohhot_cli.query.queries import cited_by

    found = []
    for hit in hits:
        metric = hit.figure.metric if hit.figure is not None else base.metric_by_id.get(hit.id)
        if hit.kind in ("metric", "figure") and metric is not None:
            latest = latest_observation(base, metric)
            hit = replace(hit, latest=None if latest is None else Figure(metric, latest))
        found.append(hit)
    shown = [f.observation for h in found for f in (h.latest, h.figure) if f is not None]
    return SearchResult(text, tuple(found), cited_by(base, shown))


# -- what is searched ----------------------------------------------------------------


def _searchable(base: FactBase) -> list[_Entry]:
    """Every searchable thing: its kind, id, label, and its fields."""
    topics = {t.id: (t.name, t.name_zh) for t in base.topics}
    entries: list[_Entry] = []
    for m in base.metrics:
        fields: _Fields = [
            ("id", (m.id, *m.id.split("."))),
            ("label", (m.label, m.label_zh)),
            ("aliases", m.aliases),
            ("tags", m.tags),
            ("topic", topics.get(m.topic, ())),
            ("description", (m.description,)),
            ("note", tuple(o.note for o in m.observations)),
        ]
        entries.append(("metric", m.id, m.label, fields))
    for i in base.industries:
        fields = [
            ("id", (i.id,)),
            ("name", (i.name, i.name_zh)),
            ("aliases", i.aliases),
            ("kind", (i.kind.value,)),
            ("description", (i.description,)),
        ]
        entries.append(("industry", i.id, i.name, fields))
    for c in base.companies:
        fields = [("id", (c.id,)), ("name", (c.name, c.name_zh)), ("description", (c.description,))]
        entries.append(("company", c.id, c.name, fields))
    entries += _fact_entries(base, topics)
    for s in base.sources:
        fields = [
            ("id", (s.id,)),
            ("title", (s.title,)),
            ("publisher", (s.publisher,)),
            ("authors", s.authors),
            ("note", (s.note,)),
        ]
        entries.append(("source", s.id, s.title, fields))
    return entries


def _fact_entries(base: FactBase, topics: dict[str, tuple[str, str]]) -> list[_Entry]:
    entries: list[_Entry] = []
    for f in base.facts:
        item_names = tuple(n for item in f.items for n in (item.name, item.name_zh) if n)
        fields: _Fields = [
            ("id", (f.id, *f.id.split("."))),
            ("label", (f.label,)),
            ("items", item_names),
            ("tags", f.tags),
            ("topic", topics.get(f.topic, ())),
            ("text", (f.text,)),
        ]
        entries.append(("fact", f.id, f.label, fields))
    return entries
