"""Any id of the base, whatever it names: ``hohhot show`` and ``hohhot cite``."""

from __future__ import annotations

from hohhot_cli.model.errors import NotFoundError
from hohhot_cli.model.facts import FactBase, Source
from hohhot_cli.query import queries
from hohhot_cli.query.naming import moved_ids, suggest
from hohhot_cli.query.results import (
    Cited,
    CompanyDetail,
    FactDetail,
    IndustryDetail,
    MetricsResult,
    SourceDetail,
    SourcesResult,
)

Shown = MetricsResult | IndustryDetail | SourceDetail | FactDetail | CompanyDetail


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


def show(base: FactBase, query: str) -> Shown:
    """What an id names, in full: a metric, an industry, a source, a fact or a company."""
    wanted = query.strip().casefold()
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
        industry = base.industry_by_id.get(company.industry) if company.industry else None
        return CompanyDetail(company, industry, _cited(base, company.sources))
    raise NotFoundError("id", query, suggest(wanted, all_ids(base) + moved_ids(base)))


def sources_of(base: FactBase, query: str) -> list[Source]:
    """The sources behind what an id (or a metric topic or alias) shows, in file order."""
    wanted = query.strip().casefold()
    if wanted in base.source_by_id:
        return [base.source_by_id[wanted]]
    if not _names_a_metric(base, wanted):
        try:
            shown: object = show(base, query)
        except NotFoundError:
            shown = queries.find_metrics(base, [query])  # a topic or an alias; raises with metric ids
    else:
        shown = show(base, query)
    return list(cited_sources(base, shown))


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
