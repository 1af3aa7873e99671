"""Building a :class:`FactBase` from a parsed TOML document, strictly.

Every problem is collected, not only the first, so that ``hohhot validate``
can report all of them at once (see :mod:`hohhot_cli.load.fields` for how a
problem names its place and line). The base is built once per load.
"""

from __future__ import annotations

import re
from typing import Any

from hohhot_cli.load.addresses import check_addresses
from hohhot_cli.load.consistency import check_headlines, check_metrics, check_moves
from hohhot_cli.load.fields import DOTTED_ID, FieldReader, at, buckets, type_name
from hohhot_cli.load.linking import chronological, link
from hohhot_cli.model.errors import FactFileError
from hohhot_cli.model.facts import (
    City,
    Company,
    Conversion,
    Exactness,
    Fact,
    FactBase,
    FactKind,
    Industry,
    IndustryKind,
    Item,
    Measure,
    Metric,
    Observation,
    Source,
    SourceKind,
    Status,
    Topic,
    Unit,
    default_measure,
)
from hohhot_cli.model.periods import parse_date, parse_period

SCHEMA_VERSION = 3
"""The file format version this loader writes about and reads."""

SCHEMA_VERSIONS = (1, 2, 3)
"""Versions it reads: version 1 lacks source kinds, topics and Chinese labels, and calls
future industries "emerging"; versions 1 and 2 lack measures, ranks' ``among``, targets'
``aims_at``, ``moved_from``, industries' ``headline``, ``status_basis``, ``added`` and the
``[overview]`` table, and a figure without a status is ``actual`` in them (``reported`` in
version 3)."""

V3_KEYS = frozenset({"measure", "among", "aims_at", "moved_from", "headline", "status_basis", "added"})
"""Keys a file of version 1 or 2 may not use."""

# Matched whole (fullmatch), with ASCII classes: no trailing newline, no other script's digits.
_PLAIN_ID = re.compile(r"[a-z][a-z0-9_-]*")
_SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def build_base(document: dict[str, Any], name: str, text: str | None = None) -> FactBase:
    """Validate a document into a base; raise :class:`FactFileError` with every problem.

    ``text`` is the file's text, searched for the line of an entry that has a problem.
    """
    builder = _Builder(name, text)
    base = builder.build(document)
    if builder.problems or base is None:
        raise FactFileError(builder.problems, builder.omitted)
    return base


class _Builder(FieldReader):
    """Turns a parsed TOML document into model objects, collecting problems."""

    def build(self, document: dict[str, Any]) -> FactBase | None:
        self.check_keys(
            document,
            "",
            ("schema_version", "updated", "city", "sources", "metrics"),
            ("industries", "facts", "companies", "topics", "overview"),
        )
        self.read_version(document)
        if self.version < 3 and "overview" in document:
            self.problem("overview", "needs schema_version = 3")
        updated = self.period(document, "updated", "", parse_date) or ""
        if updated and parse_date(updated).granularity != "day":
            self.problem("updated", f"{updated!r} must be a full date (YYYY-MM-DD)")
        else:
            self.updated = updated
        headlines = self.overview(document.get("overview"))

        sources = [self.source(place, table) for place, table in self.array_of_tables(document, "sources")]
        industries = [self.industry(place, table) for place, table in self.array_of_tables(document, "industries")]
        metrics = [self.metric(place, table) for place, table in self.array_of_tables(document, "metrics")]
        facts = [self.fact(place, table) for place, table in self.array_of_tables(document, "facts")]
        companies = [self.company(place, table) for place, table in self.array_of_tables(document, "companies")]
        topics = [self.topic(place, table) for place, table in self.array_of_tables(document, "topics")]
        city = self.city(document.get("city"))

        self.check_unique("sources", [s.id for s in sources])
        self.check_unique("industries", [i.id for i in industries])
        self.check_unique("companies", [c.id for c in companies])
        self.check_unique("topics", [t.id for t in topics])
        # Metrics and facts share one namespace: both are looked up by dotted id.
        self.check_unique("metrics and facts", [m.id for m in metrics] + [f.id for f in facts])
        self.check_aliases(metrics, industries)
        self.check_references(
            {
                "source": {s.id for s in sources},
                "industry": {i.id for i in industries},
                "fact": {f.id for f in facts},
                "metric": {m.id for m in metrics},
            }
        )
        check_metrics(self, metrics)
        check_headlines(self, industries, metrics)
        check_moves(self, metrics, {f.id for f in facts})
        if self.problems or city is None:
            return None
        return FactBase(
            schema_version=self.version,
            updated=updated,
            city=city,
            sources=tuple(sources),
            industries=tuple(industries),
            metrics=tuple(metrics),
            facts=tuple(facts),
            companies=tuple(companies),
            topics=tuple(topics),
            headlines=headlines,
            path=self.name,
        )

    def read_version(self, document: dict[str, Any]) -> None:
        version = document.get("schema_version")
        # type() rather than ==: true and 1.0 compare equal to 1 but are not a version.
        if "schema_version" in document and (type(version) is not int or version not in SCHEMA_VERSIONS):
            readable = ", ".join(str(v) for v in SCHEMA_VERSIONS[:-1]) + f" and {SCHEMA_VERSIONS[-1]}"
            self.problem("schema_version", f"unsupported version {version!r} (this hohhot reads {readable})")
        elif type(version) is int:
            self.version = version

    def check_references(self, known: dict[str, set[str]]) -> None:
        """Every reference names an id of its kind; an unknown one gets a did-you-mean."""
        by_start = {kind: buckets(ids) for kind, ids in known.items()}
        for place, kind, refs in self.references:
            for ref in refs:
                if ref not in known[kind]:
                    if self.full:  # counted only
                        self.omitted += 1
                        continue
                    hint = self.suggest(ref, by_start[kind])
                    suffix = f" (did you mean {hint!r}?)" if hint else ""
                    self.problem(place, f"unknown {kind} {ref!r}{suffix}")

    def check_aliases(self, metrics: list[Metric], industries: list[Industry]) -> None:
        # A metric alias that is also a topic (a dotted prefix of some id) could never be
        # reached: `hohhot metric gdp` lists the gdp topic.
        topics = {m.id.rsplit(".", depth)[0] for m in metrics for depth in range(1, m.id.count(".") + 1)}
        for metric in metrics:
            for alias in metric.aliases:
                if alias.casefold() in topics:
                    self.problem(
                        f"metrics ({metric.id}).aliases", f"alias {alias!r} is a topic too, so it would never be used"
                    )
        for group, entries in (("metrics", metrics), ("industries", industries)):
            owner: dict[str, str] = {entry.id: entry.id for entry in entries}
            for entry in entries:
                for alias in entry.aliases:
                    other = owner.setdefault(alias.casefold(), entry.id)
                    if other != entry.id:
                        self.problem(f"{group} ({entry.id}).aliases", f"alias {alias!r} is already used by {other!r}")

    def source(self, place: str, table: dict[str, Any]) -> Source:
        required = ("id", "publisher", "title", "date") + (("kind",) if self.version >= 2 else ())
        optional = ("url", "authors", "note", "kind", "read_at", "reprinted_by", "checked", "undated")
        self.check_keys(table, place, required, optional)
        kind = self.enum(table, "kind", place, SourceKind, None)
        url = self.optional_string(table, "url", place)
        read_at = self.optional_string(table, "read_at", place)
        check_addresses(self.problem, place, url=url, read_at=read_at)
        checked = self.period(table, "checked", place, parse_date)
        if kind is SourceKind.REPRINT and read_at is None:
            self.problem(place, "a reprint needs 'read_at', the address of the copy that was read")
        if read_at is not None and kind is not SourceKind.REPRINT:
            self.problem(at(place, "read_at"), "only a reprint is read somewhere else than its own address")
        if self.version >= 2 and (url or read_at) and checked is None:
            self.problem(place, "an address needs 'checked', the date it was last checked")
        return Source(
            id=self.entry_id(table, place, _SOURCE_ID, "lowercase letters, digits and hyphens"),
            publisher=self.string(table, "publisher", place),
            title=self.string(table, "title", place),
            date=self.period(table, "date", place, parse_date) or "",
            url=url,
            authors=self.strings(table, "authors", place),
            note=self.string(table, "note", place),
            kind=kind,
            read_at=read_at,
            reprinted_by=self.string(table, "reprinted_by", place),
            checked=checked,
            undated=self.boolean(table, "undated", place),
        )

    def topic(self, place: str, table: dict[str, Any]) -> Topic:
        self.check_keys(table, place, ("id", "name"), ("name_zh",))
        return Topic(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            name_zh=self.string(table, "name_zh", place),
        )

    def only_in_v3(self, table: dict[str, Any], place: str) -> None:
        """A problem for each key of version 3 in a file of an older version."""
        if self.version < 3:
            for key in V3_KEYS.intersection(table):
                self.problem(at(place, key), "needs schema_version = 3")

    def industry(self, place: str, table: dict[str, Any]) -> Industry:
        self.check_keys(
            table, place, ("id", "name", "kind", "source"), ("name_zh", "description", "aliases", "headline")
        )
        self.only_in_v3(table, place)
        headline = self.optional_string(table, "headline", place)
        if headline is not None:
            self.refer(f"{place}.headline", "metric", (headline,))
        return Industry(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            kind=self.industry_kind(table, place),
            sources=self.sources_of(table, place),
            name_zh=self.string(table, "name_zh", place),
            description=self.string(table, "description", place),
            aliases=self.strings(table, "aliases", place),
            headline=headline,
        )

    def industry_kind(self, table: dict[str, Any], place: str) -> IndustryKind:
        if self.version == 1 and table.get("kind") == "emerging":
            return IndustryKind.FUTURE  # version 1's name for it
        return self.enum(table, "kind", place, IndustryKind, None) or IndustryKind.PILLAR

    def metric(self, place: str, table: dict[str, Any]) -> Metric:
        self.check_keys(
            table,
            place,
            ("id", "label", "unit", "observations") + (("measure",) if self.version >= 3 else ()),
            ("description", "industry", "aliases", "tags", "label_zh", "measure", "among", "aims_at", "moved_from"),
        )
        self.only_in_v3(table, place)
        unit = self.enum(table, "unit", place, Unit, None)
        metric_id = self.entry_id(table, place, DOTTED_ID, "lowercase, dotted by topic: 'gdp.total'")
        observations = self.observations(place, table, unit)
        aims_at = self.optional_string(table, "aims_at", place)
        if aims_at is not None:
            self.refer(f"{place}.aims_at", "metric", (aims_at,))
        measure = self.enum(table, "measure", place, Measure, None)
        return Metric(
            id=metric_id,
            label=self.string(table, "label", place),
            unit=unit or Unit.COUNT,
            observations=link(metric_id, sorted(observations, key=chronological)),
            description=self.string(table, "description", place),
            industry=self.industry_of(table, place),
            aliases=self.strings(table, "aliases", place),
            tags=self.strings(table, "tags", place),
            label_zh=self.string(table, "label_zh", place),
            measure=measure or default_measure(unit or Unit.COUNT),
            among=self.optional_string(table, "among", place),
            aims_at=aims_at,
            moved_from=self.strings(table, "moved_from", place),
        )

    def observations(self, place: str, table: dict[str, Any], unit: Unit | None) -> list[Observation]:
        raw = table.get("observations", [])
        if not isinstance(raw, list):
            self.problem(f"{place}.observations", f"expected an array of tables, got {type_name(raw)}")
            return []
        if "observations" in table and not raw:
            self.problem(f"{place}.observations", "a metric needs at least one observation")
        observations = []
        for index, entry in enumerate(raw):
            where = f"{place}.observations[{index}]"
            if not isinstance(entry, dict):
                self.problem(where, f"expected a table, got {type_name(entry)}")
                continue
            observation = self.observation(where, entry)
            if observation is None:
                continue
            if unit is Unit.RANK and not _is_rank(observation.value):
                self.problem(f"{where}.value", f"a rank is a positive integer, not {observation.value!r}")
            observations.append(observation)
        return observations

    def observation(self, place: str, table: dict[str, Any]) -> Observation | None:
        complete = self.check_keys(
            table,
            place,
            ("value", "source"),
            ("period", "as_of", "exactness", "status", "note", "converted", "status_basis", "added"),
        )
        self.only_in_v3(table, place)
        if "period" in table and "as_of" in table:
            self.problem(place, "give either 'period' or 'as_of', not both")
        elif "period" not in table and "as_of" not in table:
            self.problem(place, "missing 'period' (or 'as_of', the source's date, for an undated figure)")
        value = self.number(table, "value", place) if "value" in table else None
        sources = self.sources_of(table, place)
        period = self.period(table, "period", place, parse_period)
        as_of = self.period(table, "as_of", place, parse_date)
        exactness = self.enum(table, "exactness", place, Exactness, Exactness.EXACT)
        default = Status.REPORTED if self.version >= 3 else Status.ACTUAL
        status = self.enum(table, "status", place, Status, default)
        basis = self.string(table, "status_basis", place)
        if self.version >= 3 and status is Status.ACTUAL and not basis:
            self.problem(place, "an 'actual' figure needs 'status_basis': what the source says that makes it final")
        elif basis and status is not Status.ACTUAL:
            self.problem(at(place, "status_basis"), "only an 'actual' figure has a 'status_basis'")
        note = self.string(table, "note", place)
        conversion = self.conversion(f"{place}.converted", table.get("converted"))
        if not complete or value is None or (period is None and as_of is None):
            return None
        return Observation(
            value=value,
            sources=sources,
            period=period,
            as_of=as_of,
            exactness=exactness or Exactness.EXACT,
            status=status or default,
            note=note,
            conversion=conversion,
            status_basis=basis,
            added=self.added(table, place),
        )

    def conversion(self, place: str, table: object) -> Conversion | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            self.problem(place, f"expected a table, got {type_name(table)}")
            return None
        if not self.check_keys(table, place, ("value", "unit"), ("note",)):
            return None
        value = self.number(table, "value", place)
        unit = self.enum(table, "unit", place, Unit, None)
        note = self.string(table, "note", place)
        if value is None or unit is None:
            return None
        return Conversion(value=value, unit=unit, note=note)

    def fact(self, place: str, table: dict[str, Any]) -> Fact:
        self.check_keys(
            table,
            place,
            ("id", "kind", "label", "text", "source"),
            ("items", "date", "period", "as_of", "industry", "tags", "conflicts_with", "added"),
        )
        self.only_in_v3(table, place)
        kind = self.enum(table, "kind", place, FactKind, None) or FactKind.FACT
        date = self.period(table, "date", place, parse_date)
        dated = "date" in table or "period" in table
        if "kind" in table and not dated:
            # A title may be known only as held on a date ("as_of"); an event needs its date.
            if kind is FactKind.EVENT:
                self.problem(place, "a fact of kind 'event' needs a 'date' or 'period'")
            elif kind is FactKind.TITLE and "as_of" not in table:
                self.problem(place, "a fact of kind 'title' needs a 'date', a 'period' or an 'as_of'")
        return Fact(
            id=self.entry_id(table, place, DOTTED_ID, "lowercase, dotted by topic: 'plans.airport'"),
            kind=kind,
            label=self.string(table, "label", place),
            text=self.string(table, "text", place),
            sources=self.sources_of(table, place),
            items=self.items(f"{place}.items", table.get("items", [])),
            date=date,
            period=self.period(table, "period", place, parse_period),
            as_of=self.period(table, "as_of", place, parse_date),
            industry=self.industry_of(table, place),
            tags=self.strings(table, "tags", place),
            conflicts_with=self.fact_of(table, place),
            added=self.added(table, place),
        )

    def items(self, place: str, raw: object) -> tuple[Item, ...]:
        if not isinstance(raw, list):
            self.problem(place, f"expected an array of tables, got {type_name(raw)}")
            return ()
        items = []
        for index, entry in enumerate(raw):
            where = f"{place}[{index}]"
            if not isinstance(entry, dict):
                self.problem(where, f"expected a table, got {type_name(entry)}")
                continue
            self.check_keys(entry, where, ("name",), ("name_zh", "note"))
            items.append(
                Item(
                    name=self.string(entry, "name", where),
                    name_zh=self.string(entry, "name_zh", where),
                    note=self.string(entry, "note", where),
                )
            )
        return tuple(items)

    def company(self, place: str, table: dict[str, Any]) -> Company:
        self.check_keys(table, place, ("id", "name", "source"), ("name_zh", "industry", "description"))
        return Company(
            id=self.entry_id(table, place, _PLAIN_ID, "lowercase letters, digits, '_' and '-'"),
            name=self.string(table, "name", place),
            sources=self.sources_of(table, place),
            name_zh=self.string(table, "name_zh", place),
            industry=self.industry_of(table, place),
            description=self.string(table, "description", place),
        )

    def overview(self, table: object) -> tuple[str, ...]:
        """The ``[overview]`` table: ``headlines``, the ids of the metrics the overview shows, each once."""
        if table is None:
            return ()
        if not isinstance(table, dict):
            self.problem("overview", f"expected a table, got {type_name(table)}")
            return ()
        self.check_keys(table, "overview", ("headlines",), ())
        headlines = self.strings(table, "headlines", "overview")
        self.refer("overview.headlines", "metric", headlines)
        for twice in sorted({h for h in headlines if headlines.count(h) > 1}):
            self.problem("overview.headlines", f"{twice!r} is named twice")
        return headlines

    def city(self, table: object) -> City | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            self.problem("city", f"expected a table, got {type_name(table)}")
            return None
        keys = ("name", "name_zh", "province", "province_zh", "source")
        self.check_keys(table, "city", keys, ())
        return City(
            name=self.string(table, "name", "city"),
            name_zh=self.string(table, "name_zh", "city"),
            province=self.string(table, "province", "city"),
            province_zh=self.string(table, "province_zh", "city"),
            sources=self.sources_of(table, "city"),
        )


def _is_rank(value: int | float) -> bool:
    """1st, 2nd, ...: a whole number of at least 1."""
    return value >= 1 and float(value).is_integer()
