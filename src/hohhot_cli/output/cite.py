"""Citations of sources in the forms people and reference managers read.

``text`` and ``markdown`` are for reading; ``bibtex``, ``csl-json`` (pandoc,
Zotero, citeproc) and ``ris`` (EndNote, Zotero, Mendeley) for importing. A
reprint cites the original and says where the copy was read; an undated source
says so, with the earliest date it can have.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from hohhot_cli.model.facts import Source, SourceKind
from hohhot_cli.output.humanize import SOURCE_KIND_LABELS, citation, clean


class CitationStyle(str, Enum):
    """The forms ``hohhot cite`` prints."""

    TEXT = "text"
    MARKDOWN = "markdown"
    BIBTEX = "bibtex"
    CSL_JSON = "csl-json"
    RIS = "ris"


_CSL_TYPES = {
    SourceKind.OFFICIAL: "report",
    SourceKind.NATIONAL_MEDIA: "article-newspaper",
    SourceKind.REPRINT: "article-newspaper",
    SourceKind.SECONDARY: "webpage",
    SourceKind.COMPANY: "webpage",
    SourceKind.INTERNATIONAL: "report",
}

_RIS_TYPES = {"report": "RPRT", "article-newspaper": "NEWS", "webpage": "ELEC"}


def _type(source: Source) -> str:
    return "webpage" if source.kind is None else _CSL_TYPES[source.kind]


def _date_parts(date: str) -> list[int]:
    return [int(part) for part in date.split("-")]


def copy_note(source: Source) -> str:
    """Where a reprint's copy was read, and that an undated source carries no date."""
    notes = []
    if source.read_at:
        by = f" by {source.reprinted_by}" if source.reprinted_by else ""
        notes.append(f"Read in a copy{by} at {source.read_at}.")
    if source.undated:
        notes.append(f"Undated; it cannot have appeared before {source.date}.")
    return " ".join(notes)


def csl_item(source: Source) -> dict[str, Any]:
    """A source as a CSL-JSON item."""
    kind = _type(source)
    item: dict[str, Any] = {"id": source.id, "type": kind, "title": source.title, "publisher": source.publisher}
    if kind == "article-newspaper":
        item["container-title"] = source.publisher
    if source.authors:
        item["author"] = [{"literal": name} for name in source.authors]
    issued: dict[str, Any] = {"date-parts": [_date_parts(source.date)]}
    if source.undated:
        issued["circa"] = True
    item["issued"] = issued
    if source.url:
        item["URL"] = source.url
    elif source.read_at:
        item["URL"] = source.read_at
    if source.checked:
        item["accessed"] = {"date-parts": [_date_parts(source.checked)]}
    note = copy_note(source)
    if note:
        item["note"] = note
    return item


_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def _bibtex_escape(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(char, "\\" + char)

    return _BIBTEX_SPECIAL.sub(escape, clean(text))


def bibtex_entry(source: Source) -> str:
    """A source as a BibTeX ``@misc`` entry (biblatex reads ``date``, ``url`` and ``urldate`` too)."""
    fields: list[tuple[str, str]] = []
    if source.authors:
        fields.append(("author", " and ".join("{" + _bibtex_escape(a) + "}" for a in source.authors)))
    fields.append(("title", "{" + _bibtex_escape(source.title) + "}"))
    fields.append(("publisher", _bibtex_escape(source.publisher)))
    fields.append(("year", source.date[:4]))
    fields.append(("date", source.date))
    address = source.url or source.read_at
    if address:
        # Addresses are kept verbatim: url fields are read literally by biblatex and the url package.
        fields.append(("url", address))
        fields.append(("howpublished", "\\url{" + address + "}"))
    if source.checked:
        fields.append(("urldate", source.checked))
    note = copy_note(source)
    kind_label = SOURCE_KIND_LABELS[source.kind] if source.kind is not None else ""
    note = " ".join(x for x in (f"Source kind: {kind_label}." if kind_label else "", note) if x)
    if note:
        fields.append(("note", _bibtex_escape(note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{source.id},\n{body}\n}}\n"


def ris_record(source: Source) -> str:
    """A source as an RIS record."""
    lines = [("TY", _RIS_TYPES[_type(source)])]
    lines += [("AU", clean(a)) for a in source.authors]
    lines.append(("TI", clean(source.title)))
    lines.append(("PB", clean(source.publisher)))
    if _type(source) == "article-newspaper":
        lines.append(("JO", clean(source.publisher)))
    lines.append(("PY", source.date[:4]))
    parts = [*source.date.split("-"), "", ""]
    lines.append(("DA", f"{parts[0]}/{parts[1]}/{parts[2]}/"))
    address = source.url or source.read_at
    if address:
        lines.append(("UR", address))
    if source.checked:
        lines.append(("Y2", source.checked.replace("-", "/")))
    note = copy_note(source)
    if note:
        lines.append(("N1", note))
    lines.append(("ID", source.id))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines) + "ER  - \r\n"


def markdown_citation(source: Source) -> str:
    """A Markdown list item: the citation with its address as a link."""
    text = citation(source)
    for address in (source.url, source.read_at):
        if address:
            text = text.replace(address, f"<{address}>")
    return f"- {source.id}: {text}"


def cite(sources: list[Source], style: CitationStyle) -> str:
    """The citations of ``sources`` in one style, each source once, in the order given."""
    if style is CitationStyle.CSL_JSON:
        from hohhot_cli.output.encode import to_json  # the one JSON encoder: controls escaped as everywhere

        return to_json([csl_item(s) for s in sources]) + "\n"
    if style is CitationStyle.BIBTEX:
        return "\n".join(bibtex_entry(s) for s in sources)
    if style is CitationStyle.RIS:
        return "\r\n".join(ris_record(s) for s in sources)
    if style is CitationStyle.MARKDOWN:
        return "".join(markdown_citation(s) + "\n" for s in sources)
    return "".join(f"{s.id}: {citation(s)}\n" for s in sources)
