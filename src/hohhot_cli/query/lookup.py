"""Any id of the base, whatever it names: ``hohhot show`` and ``hohhot cite``.

An id is a metric, industry, source, fact or company id; a figure's ref
(``gdp.total@2023``, ``gdp.total@2021#2``); or, matched exactly (case aside), a
name: a metric's alias or label in either language (``常住人口``), an industry's
name or alias (``乳业``), a company's name, a fact's label. A metric topic
(``gdp``) opens all of its metrics.
"""

from __future__ import annotations

from hohhot_cli.model.errors import NotFoundError, UsageError
from hohhot_cli.model.facts import FactBase, Metric, Observation, Source
from hohhot_cli.query import queries
from hohhot_cli.query.latest import latest_observation
from hohhot_cli.query.naming import moved_ids, resolve_ref, suggest
from hohhot_cli.query.results import (
    Cited,
    CompanyDetail,
    FactDetail,
    Figure,
    FigureDetail,
    IndustryDetail,
    MetricsResult,
    Moved,
    SourceDetail,
    SourcesResult,
)
from hohhot_cli.query.selection import PeriodFilter

Shown = MetricsResult | IndustryDetail | SourceDetail | FactDetail | CompanyDetail | FigureDetail


class SeveralFigures(NotFoundError):
    """A ref without its ``#N`` where a period has several figures: it names which ones exist."""

    def __init__(self, query: str, figures: list[Observation]) -> None:
        super().__init__("figure", query, [])
        listed = ", ".join(f"{o.ref} ({o.status.value.replace('_', ' ')})" for o in figures)
        self.args = (f"{query} names {len(figures)} figures; give one: {listed}",)
        self.suggestions = tuple(o.ref for o in figures)


def metric_names(metric: Metric) -> set[str]:
    """What a metric is found by besides its id (see :func:`hohhot_cli.query.naming.resolve`): aliases, labels."""
    return {n.casefold() for n in (*metric.aliases, metric.label, metric.label_zh) if n}


def all_ids(base: FactBase) -> list[str]:
    """Every id ``show`` opens: metrics, industries, sources, facts, companies (and a ref of a metric's figures)."""
    return [
        *(m.id for m in base.metrics),
        *(i.id for i in base.industries),
        *(s.id for s in base.sources),
        *(f.id for f in base.facts),
        *(c.id for c in base.companies),
    ]


def _names_a_metric(base: FactBase, wanted: str) -> bool:
    """A metric id, a ref (``gdp.total@2023``) or an old id of a metric that moved."""
    return wanted in base.metric_by_id or "@" in wanted or (wanted in base.moved and "@" not in wanted)


def _cited(base: FactBase, ids: tuple[str, ...]) -> Cited:
    return queries.cited_by(base, (), ids)


# -- refs ------------------------------------------------------------------------


def is_ref(text: str) -> bool:
    """Whether ``text`` is written as a ref: a metric, ``@``, what dates the figure."""
    metric, at, key = text.strip().partition("@")
    return bool(at and metric and key)


def find_figure(base: FactBase, ref: str) -> tuple[Figure, Moved | None]:
    """The figure a ref names (through ``moved_from`` when it is an old one).

    :class:`NotFoundError` with the closest refs when it names none, :class:`SeveralFigures`
    when a period has several and the ref gives no ``#N``.
    """
    named = resolve_ref(base, ref)
    figures = [o for o in named.metric.observations if named.refs is not None and o.ref in named.refs]
    if len(figures) == 1:
        return Figure(named.metric, figures[0]), named.moved
    raise SeveralFigures(ref.strip(), figures)


def figure_detail(base: FactBase, ref: str) -> FigureDetail:
    """``show REF``: the figure, its metric's latest figure, its own sources."""
    figure, moved = find_figure(base, ref)
    latest = latest_observation(base, figure.metric)
    return FigureDetail(figure, latest, queries.cited_by(base, (figure.observation,)), moved)


# -- any id ------------------------------------------------------------------------


def show(base: FactBase, query: str) -> Shown:
    """What an id, a ref or a name denotes, in full: metrics, an industry, a source, a fact, a company or a figure."""
    wanted = query.strip().casefold()
    if is_ref(wanted):
        return figure_detail(base, query)
    if _names_a_metric(base, wanted):
        return queries.find_metrics(base, [query])
    if wanted in base.industry_by_id:
        return queries.industry_detail(base, wanted)
    if wanted in base.source_by_id:
        return queries.source_detail(base, wanted)
    fact = base.fact_by_id.get(wanted)
    if fact is not None:
        return FactDetail(fact, _cited(base, fact.sources))
    company = base.company_by_id.get(wanted)
    if company is not None:
        return _company(base, company.id)
    named = _by_name(base, wanted)
    if named is not None:
        return named
    raise NotFoundError("id", query, suggest(wanted, all_ids(base) + moved_ids(base)))


def _by_name(base: FactBase, wanted: str) -> Shown | None:
    """What a name denotes, exactly: an industry's, then metrics' (or a topic), a company's, a fact's."""
    for industry in base.industries:
        if wanted in {industry.name.casefold(), industry.name_zh.casefold()} | {a.casefold() for a in industry.aliases}:
            return queries.industry_detail(base, industry.id)
    if any(wanted in metric_names(m) or m.id.startswith(wanted + ".") for m in base.metrics):
        return queries.find_metrics(base, [wanted])
    for company in base.companies:
        if wanted in (company.name.casefold(), company.name_zh.casefold()):
            return _company(base, company.id)
    for fact in base.facts:
        if wanted == fact.label.casefold():
            return FactDetail(fact, _cited(base, fact.sources))
    return None


def _company(base: FactBase, company_id: str) -> CompanyDetail:
    company = base.company_by_id[company_id]
    industry = base.industry_by_id.get(company.industry) if company.industry else None
    return CompanyDetail(company, industry, _cited(base, company.sources))


# -- what to cite ------------------------------------------------------------------


def sources_of(base: FactBase, query: str, selection: PeriodFilter | None = None) -> list[Source]:
    """The sources behind what an id, ref, name or topic shows, in file order.

    With a period filter, only those of the figures it keeps (of a metric, a topic, an
    industry's metrics or a ref); an id of anything else is a usage error.
    """
    wanted = query.strip().casefold()
    shown: object
    if wanted in base.source_by_id and selection is None:
        return [base.source_by_id[wanted]]
    if is_ref(wanted):  # every figure the ref names: one, or each of its period
        named = resolve_ref(base, query)
        figures = [o for o in named.metric.observations if named.refs is None or o.ref in named.refs]
        kept = [o for o in figures if selection is None or not selection.active or selection.keeps(o)]
        return list(queries.cited_by(base, kept).values())
    try:
        shown = show(base, query)
    except NotFoundError as error:
        if type(error) is not NotFoundError or error.what != "id" or is_ref(wanted):
            raise
        shown = queries.find_metrics(base, [query])  # raises with metric ids
    if selection is not None and selection.active:
        return list(_kept(base, query, shown, selection).values())
    return list(cited_sources(base, shown))


def _kept(base: FactBase, query: str, shown: object, selection: PeriodFilter) -> Cited:
    """The sources (in file order) of the figures a period filter keeps of what ``show`` gave."""
    if isinstance(shown, FigureDetail):
        observations: list[Observation] = [shown.figure.observation]
    elif isinstance(shown, MetricsResult | IndustryDetail):
        observations = [o for m in shown.metrics for o in m.observations]
    else:
        raise UsageError(
            f"--period, --since and --until keep figures: {query!r} is not a metric, a topic, an industry or a ref"
        )
    return queries.cited_by(base, (o for o in observations if selection.keeps(o)))


def cited_sources(base: FactBase, shown: object) -> tuple[Source, ...]:
    """The sources behind a result, in file order."""
    if isinstance(shown, SourceDetail):
        return (shown.source,)
    if isinstance(shown, SourcesResult):
        return tuple(u.source for u in shown.uses)
    cited = getattr(shown, "cited", None)
    ids: set[str] = set(cited or ())
    if isinstance(shown, IndustryDetail):
        ids |= set(shown.summary.industry.sources)
        ids |= {s for f in shown.facts for s in f.sources}
        ids |= {s for c in shown.summary.companies for s in c.sources}
    return tuple(s for s in base.sources if s.id in ids)
