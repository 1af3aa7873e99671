"""The display views for people at a glance: the overview, and the summary of an industry.

Each headline or newest figure is shown with its period, its status and who gives it
(publisher and year), as :mod:`hohhot_cli.output.table_view` shows figures elsewhere.
"""

from __future__ import annotations

from dataclasses import replace

from hohhot_cli.model.facts import Observation, SourceKind
from hohhot_cli.output.humanize import observation_value
from hohhot_cli.output.sections import (
    Column,
    ColumnKind,
    Section,
    detail_paragraphs,
    glued,
    status_cell,
    when_cell,
)
from hohhot_cli.query.results import Cited, Figure, IndustryDetail, Overview

MORE = "More: hohhot industries · hohhot metrics · hohhot changes · hohhot search TEXT · hohhot --help"


def who_says(observation: Observation, cited: Cited) -> str:
    """Who gives a figure: each source's publisher and year (``China Daily 2024``).

    An undated source gives the earliest year it can have (``undated, 2021 or later``); a
    secondary one says so.
    """
    names = []
    for ref in observation.sources:
        source = cited[ref]
        year = source.date[:4]
        name = f"{source.publisher}, undated, {year} or later" if source.undated else f"{source.publisher} {year}"
        names.append(f"{name} (secondary)" if source.kind is SourceKind.SECONDARY else name)
    return "; ".join(names)


def glance_cell(figure: Figure, cited: Cited) -> str:
    """A figure with its period, its status and who gives it: ``6.1 % (2024, status not stated) — Xinhua 2025``."""
    observation = figure.observation
    when = ", ".join(x for x in (when_cell(observation, cited), status_cell(observation, True)) if x)
    value = glued(observation_value(observation, figure.metric.unit))
    among = f" among {figure.metric.among}" if figure.metric.among else ""
    return f"{value}{among} ({when}) — {who_says(observation, cited)}"


def figures_section(title: str, figures: tuple[Figure, ...], cited: Cited, footnotes: tuple[str, ...]) -> Section:
    """Figures by their metric's label, each with its period, status and who gives it."""
    rows = tuple((f.metric.label, glance_cell(f, cited)) for f in figures)
    columns = (Column("Indicator"), Column("Figure and who gives it"))
    return Section(title, columns, rows, footnotes=footnotes)


def overview_sections(result: Overview) -> list[Section]:
    """The bare ``hohhot``: the city, its headline figures, its industries, the base's date."""
    city = result.city
    capital = f"Capital of {city.province} ({city.province_zh})."
    out = [Section(f"{city.name} {city.name_zh}", (), (), paragraphs=(capital,))]
    ids = ", ".join(f.metric.id for f in result.headlines)
    if result.headlines:
        note = f"Each in full: hohhot metric ID ({ids})."
        out.append(figures_section("At a glance", result.headlines, result.cited, (note,)))
    pairs = [
        ("Pillar industries", ", ".join(i.name for i in result.pillars)),
        ("Future industries", ", ".join(i.name for i in result.future)),
        ("Fact base", f"updated {result.updated}; what it added: hohhot changes"),
    ]
    out.append(Section("Industries", (), (), paragraphs=detail_paragraphs(pairs), footnotes=(MORE,)))
    return out


def industry_summary_sections(result: IndustryDetail) -> list[Section]:
    """``industries ID`` without ``--all``: the industry, its headline, its newest figures, companies and facts."""
    summary = result.summary
    industry = summary.industry
    headline = summary.headline
    also = f"; also called {', '.join(industry.aliases)}" if industry.aliases else ""
    companies = ", ".join(f"{c.name} {c.name_zh} ({c.id})".replace("  ", " ") for c in summary.companies)
    pairs = [
        ("Kind", f"{industry.kind.value}{also}"),
        ("About", industry.description),
        ("Headline", f"{headline.metric.label}: {glance_cell(headline, result.cited)}" if headline else ""),
        ("Companies", companies),
    ]
    title = f"{industry.name} {industry.name_zh} ({industry.id})".replace("  ", " ")
    out = [Section(title, (), (), paragraphs=detail_paragraphs(pairs))]
    if result.newest:
        others = len(result.metrics) - (headline is not None)
        shown = (
            f"{len(result.newest)} of the {others} metrics besides the headline"
            if headline
            else f"{len(result.newest)} of {others} metrics"
        )
        out.append(figures_section(f"Newest figures ({shown})", result.newest, result.cited, ()))
    facts = result.facts
    if facts:
        rows = tuple((f.id, f.date or f.period or (f"as of {f.as_of}" if f.as_of else ""), f.label) for f in facts)
        columns = (Column("Fact", ColumnKind.ID), Column("When", ColumnKind.PERIOD), Column("Label"))
        out.append(Section(f"Facts ({len(rows)})", columns, rows))
    every = f"Everything, with every source: hohhot industries {industry.id} --all; one item in full: hohhot show ID."
    out[-1] = replace(out[-1], footnotes=(*out[-1].footnotes, every))
    return out
